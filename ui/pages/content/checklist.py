"""Picking several values of one vocabulary: a checkable list model, and a compact drop-down button over it
that reads "Fintech, Banking" when closed (the item dialog's facet fields, the bulk-tag dialog)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QListView, QMenu, QPushButton, QSizePolicy, QWidget, QWidgetAction

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class CheckListModel(QAbstractListModel):
    """(key, label) options, each with a check box; ``checked()`` lists the ticked keys in option order."""

    checkedChanged = Signal()

    def __init__(self, options: Sequence[tuple[str, str]] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._options: list[tuple[str, str]] = list(options)
        self._checked: set[str] = set()

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        self.beginResetModel()
        self._options = list(options)
        self._checked &= {k for k, _ in self._options}
        self.endResetModel()
        self.checkedChanged.emit()

    def options(self) -> list[tuple[str, str]]:
        return list(self._options)

    def checked(self) -> list[str]:
        return [k for k, _ in self._options if k in self._checked]

    def checked_labels(self) -> list[str]:
        return [label for k, label in self._options if k in self._checked]

    def set_checked(self, keys: Iterable[str]) -> None:
        wanted = set(keys)
        known = {k for k, _ in self._options}
        for key in wanted - known:  # a value no longer in the taxonomy still shows, so it can be unticked
            self.beginInsertRows(QModelIndex(), len(self._options), len(self._options))
            self._options.append((key, key))
            self.endInsertRows()
        self._checked = wanted
        if self._options:
            self.dataChanged.emit(self.index(0), self.index(len(self._options) - 1),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()

    # ---- Qt ----
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._options)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._options):
            return None
        key, text = self._options[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if key in self._checked else Qt.CheckState.Unchecked
        if role == KEY_ROLE:
            return key
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.parent().isValid() \
                or not 0 <= index.row() < len(self._options):
            return False
        key = self._options[index.row()][0]
        on = Qt.CheckState(value) == Qt.CheckState.Checked if isinstance(value, int | Qt.CheckState) else bool(value)
        if on:
            self._checked.add(key)
        else:
            self._checked.discard(key)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # not ItemIsUserCheckable: the views toggle on a click anywhere on the row (see make_check_list), which
        # would otherwise toggle twice when the click lands on the box itself
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def toggle(self, index: QModelIndex) -> None:
        on = self.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        self.setData(index, Qt.CheckState.Unchecked if on else Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)


def make_check_list(model: CheckListModel) -> QListView:
    """A list view over ``model`` where a click (or Space) anywhere on a row ticks or unticks it."""
    view = QListView()
    view.setModel(model)
    view.setObjectName("CheckList")
    view.clicked.connect(model.toggle)
    view.activated.connect(model.toggle)
    return view


class TermPicker(QPushButton):
    """A button that opens a checkable list; its text is the ticked values (or ``placeholder``)."""

    changed = Signal()

    def __init__(self, options: Sequence[tuple[str, str]], placeholder: str = "Any",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TermPicker")
        self.placeholder = placeholder
        self.model = CheckListModel(options, self)
        self.list = make_check_list(self.model)
        self.list.setObjectName("TermPickerList")
        self.list.setMinimumWidth(260)
        self.list.setMaximumHeight(320)
        self.popup = QMenu(self)
        action = QWidgetAction(self.popup)
        action.setDefaultWidget(self.list)
        self.popup.addAction(action)
        # not setMenu(): with a menu, Qt's style sheet drops the button's left padding
        self.clicked.connect(lambda: self.popup.popup(self.mapToGlobal(self.rect().bottomLeft())))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.model.checkedChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        labels = self.model.checked_labels()
        text = ", ".join(labels) if labels else self.placeholder
        width = max(self.width() - 40, 120)
        self.setText(self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width).replace("&", "&&"))
        self.setProperty("empty", not labels)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setToolTip("\n".join(labels))
        self.changed.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update()

    def selected(self) -> list[str]:
        return self.model.checked()

    def set_selected(self, keys: Iterable[str]) -> None:
        self.model.set_checked(keys)
