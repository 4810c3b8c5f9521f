"""Finding a contact fast: a search box over a list (arrow keys move, Enter picks), searching either a fixed set
(an account's stakeholders) or the whole workspace; and a checkable contact list for choosing many."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from ui.messaging.data import ContactChoice
from ui.messaging.models import ID_ROLE, MUTED, ROW_ROLE
from ui.models.record_table import Index, RowsTableModel
from ui.theme import icon
from ui.widgets.tables import make_table

SearchFn = Callable[[str], list[ContactChoice]]


class ContactListModel(RowsTableModel):
    """Contacts as one column ("Name · title · account"); optionally checkable."""

    HEADERS = ("Contact",)

    def __init__(self, parent: Any = None, *, checkable: bool = False) -> None:
        super().__init__(parent)
        self.checkable = checkable
        self._checked: set[int] = set()

    def set_rows(self, rows: Sequence[ContactChoice], checked: Sequence[int] = ()) -> None:
        self._checked = set(checked) & {r.id for r in rows}
        super().set_rows(rows)

    def add_rows(self, rows: Sequence[ContactChoice], *, check: bool = True) -> None:
        known = {r.id for r in self._rows}
        new = [r for r in rows if r.id not in known]
        if new:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()
        if check:
            for r in rows:
                self.set_checked(r.id, True)

    def checked_ids(self) -> list[int]:
        return [r.id for r in self._rows if r.id in self._checked]

    def set_checked(self, contact_id: int, on: bool) -> None:
        (self._checked.add if on else self._checked.discard)(contact_id)
        row = next((i for i, r in enumerate(self._rows) if r.id == contact_id), -1)
        if row >= 0:
            ix = self.index(row, 0)
            self.dataChanged.emit(ix, ix, [Qt.ItemDataRole.CheckStateRole])

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsUserCheckable if self.checkable and index.isValid() else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        c: ContactChoice = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{c.label}  ·  {c.detail}" if c.detail else c.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(p for p in (c.label, c.title, c.email or "no email address", c.account) if p)
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("person", MUTED if c.left_company else "#4b5563")
        if role == Qt.ItemDataRole.ForegroundRole and c.left_company:
            return QColor(MUTED)
        if role == Qt.ItemDataRole.CheckStateRole and self.checkable:
            return Qt.CheckState.Checked if c.id in self._checked else Qt.CheckState.Unchecked
        if role == ID_ROLE:
            return c.id
        if role == ROW_ROLE:
            return c
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not (self.checkable and self.valid(index) and role == Qt.ItemDataRole.CheckStateRole):
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        self.set_checked(self._rows[index.row()].id, on)
        return True


class ContactSearch(QWidget):
    """A search box over a contact list. ``fixed`` rows filter locally; ``search`` queries as you type."""

    chosen = Signal(object)  # ContactChoice, on Enter or double-click
    currentChanged = Signal(object)  # ContactChoice or None

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "Search contacts by name, email, "
                 "title or account…", search: SearchFn | None = None, hide_empty: bool = False) -> None:
        super().__init__(parent)
        self._search, self._hide_empty = search, hide_empty
        self._fixed: list[ContactChoice] = []
        self.box = QLineEdit()
        self.box.setPlaceholderText(placeholder)
        self.box.setClearButtonEnabled(True)
        self.box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.box.installEventFilter(self)
        self.model = ContactListModel(self)
        self.list = make_table(self.model, stretch=0, sortable=False)
        self.list.horizontalHeader().hide()
        self.list.setAlternatingRowColors(False)
        self.list.setTabKeyNavigation(False)
        self.list.doubleClicked.connect(lambda *_: self._choose())
        self.list.activated.connect(lambda *_: self._choose())
        self.list.selectionModel().currentChanged.connect(lambda *_: self.currentChanged.emit(self.current()))
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.refresh)
        self.box.textChanged.connect(lambda *_: self._debounce.start())
        self.box.returnPressed.connect(self._choose)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.box)
        lay.addWidget(self.list, 1)

    def set_fixed(self, rows: Sequence[ContactChoice]) -> None:
        """Search only these contacts (an account's stakeholders)."""
        self._fixed, self._search = list(rows), None
        self.refresh()

    def set_search(self, search: SearchFn) -> None:
        self._fixed, self._search = [], search
        self.refresh()

    def refresh(self) -> None:
        text = self.box.text().strip()
        if self._search is not None:
            rows = self._search(text) if text else []
        else:
            words = text.casefold().split()
            rows = [c for c in self._fixed
                    if all(w in f"{c.name} {c.title or ''} {c.email or ''} {c.account}".casefold() for w in words)]
        keep = self.current()
        self.model.set_rows(rows)
        if self._hide_empty:
            self.list.setVisible(bool(rows))
        # typing picks the best match; an empty box picks nobody (no accidental log against the first name)
        row = next((i for i, r in enumerate(rows) if keep is not None and r.id == keep.id), 0 if rows and text else -1)
        if row >= 0:
            self.list.selectionModel().setCurrentIndex(self.model.index(row, 0),
                                                       QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.currentChanged.emit(self.current())

    def select(self, contact_id: int) -> bool:
        row = next((i for i, r in enumerate(self.model.rows()) if r.id == contact_id), -1)
        if row >= 0:
            self.list.selectionModel().setCurrentIndex(self.model.index(row, 0),
                                                       QItemSelectionModel.SelectionFlag.ClearAndSelect)
        return row >= 0

    def current(self) -> ContactChoice | None:
        ix = self.list.currentIndex()
        return self.model.data(ix, ROW_ROLE) if ix.isValid() else None

    def _choose(self) -> None:
        c = self.current()
        if c is not None:
            self.chosen.emit(c)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        """Up/Down in the search box move through the list; Enter picks the current contact."""
        if obj is self.box and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.model.rowCount():
                row = self.list.currentIndex().row() + (1 if key == Qt.Key.Key_Down else -1)
                row = max(0, min(self.model.rowCount() - 1, row))
                self.list.selectionModel().setCurrentIndex(self.model.index(row, 0),
                                                           QItemSelectionModel.SelectionFlag.ClearAndSelect)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._debounce.isActive():
                self._debounce.stop()
                self.refresh()
        return super().eventFilter(obj, event)
