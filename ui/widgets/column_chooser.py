"""Which columns a table shows: a checkable menu for the header's context menu and a "Columns" button."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView, QToolButton, QWidget

from ui.theme import icon


class ColumnChooser(QObject):
    """Shows and hides a view's columns by key. ``required`` columns cannot be hidden."""

    changed = Signal(list)  # the visible keys, in model order

    def __init__(self, view: QTableView, columns: Sequence[tuple[str, str]], defaults: Sequence[str],
                 required: Sequence[str] = (), parent: QObject | None = None) -> None:
        super().__init__(parent or view)
        self.view = view
        self.columns = list(columns)
        self.defaults = list(defaults)
        self.required = set(required)
        self.menu = QMenu(view)
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._fill)
        header = view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.set_visible(self.defaults)

    def button(self, parent: QWidget | None = None) -> QToolButton:
        b = QToolButton(parent)
        b.setText("Columns")
        b.setIcon(icon("settings"))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        b.setMenu(self.menu)
        b.setToolTip("Choose the columns to show (also: right-click a column header)")
        return b

    def _column(self, key: str) -> int:
        return next(i for i, (k, _t) in enumerate(self.columns) if k == key)

    def visible_keys(self) -> list[str]:
        return [k for i, (k, _t) in enumerate(self.columns) if not self.view.isColumnHidden(i)]

    def is_visible(self, key: str) -> bool:
        return not self.view.isColumnHidden(self._column(key))

    def set_column_visible(self, key: str, visible: bool) -> None:
        if key in self.required and not visible:
            return
        if not visible and self.visible_keys() == [key]:
            return  # never hide the last column
        self.view.setColumnHidden(self._column(key), not visible)
        self.changed.emit(self.visible_keys())

    def set_visible(self, keys: Sequence[str]) -> None:
        """Show exactly ``keys`` (unknown keys are ignored; required columns always show)."""
        wanted = set(keys) | self.required
        if not wanted & {k for k, _t in self.columns}:
            wanted = set(self.defaults)
        for i, (k, _t) in enumerate(self.columns):
            self.view.setColumnHidden(i, k not in wanted)
        self.changed.emit(self.visible_keys())

    def reset(self) -> None:
        self.set_visible(self.defaults)

    def actions(self) -> list[QAction]:
        """One checkable action per column (what the menu shows)."""
        self._fill()
        return [a for a in self.menu.actions() if a.data() is not None]

    def _fill(self) -> None:
        self.menu.clear()
        title = self.menu.addAction("Show columns")
        title.setEnabled(False)
        for k, t in self.columns:
            a = self.menu.addAction(t)
            a.setData(k)
            a.setCheckable(True)
            a.setChecked(self.is_visible(k))
            if k in self.required:
                a.setEnabled(False)
                a.setToolTip("Always shown")
            a.toggled.connect(lambda on, key=k: self.set_column_visible(key, on))
        self.menu.addSeparator()
        self.menu.addAction("Reset to default columns", self.reset)

    def _header_menu(self, pos: QPoint) -> None:
        self._fill()
        self.menu.popup(self.view.horizontalHeader().mapToGlobal(pos))
