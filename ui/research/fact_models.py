"""Item models of what research found that the user can act on: company facts (check and apply them to the
account field by field; a value that differs from the account's is a conflict, shown as such) and the people
found on the site (check and add them to the stakeholder map)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from accounts.research.store import CompanyFactRow, PersonRow
from ui.models.record_table import RowsTableModel
from ui.research.common import (
    FIELD_LABELS,
    FUNCTION_LABELS,
    GOOD,
    MUTED,
    PERSON_LABELS,
    PILL_ROLE,
    ROW_ROLE,
    SENIORITY_LABELS,
    STALE,
    WARN,
    day,
    link_data,
    when,
)
from ui.research.data import display, fact_state
from ui.theme import icon

Index = QModelIndex | QPersistentModelIndex
D, TIP, CHECK, FG = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.CheckStateRole,
                     Qt.ItemDataRole.ForegroundRole)
CENTER = int(Qt.AlignmentFlag.AlignCenter)
STATE_ROLE = Qt.ItemDataRole.UserRole + 63  # a company fact's state: info, same, new, differs
ACTION_TEXT = {"new": "Apply", "differs": "Replace", "same": "Matches"}


def _checked(value: Any) -> bool:
    state = value.value if isinstance(value, Qt.CheckState) else int(value)
    return state == Qt.CheckState.Checked.value


def _stale_cell(captured: Any, stale: bool, days: int, role: int) -> Any:
    """A "captured" cell: the day, marked (text, colour, clock) when older than ``days``."""
    if role == D:
        return day(captured) + (" · stale" if stale else "")
    if role == TIP:
        tip = f"Captured {when(captured)}" if captured else "Capture time unknown"
        return tip + (f"\nOlder than {days} days: Refresh reads the page again" if stale else "")
    if stale and role == FG:
        return QColor(STALE)
    if stale and role == Qt.ItemDataRole.DecorationRole:
        return icon("clock", STALE)
    return None


class CompanyFactsModel(RowsTableModel):
    HEADERS = ("Field", "Found on the website", "On the account", "Source", "Captured", "Confidence", "")
    FIELD, FOUND, CURRENT, SOURCE, CAPTURED, CONFIDENCE, ACTION = range(7)

    def __init__(self, parent: Any = None, label_of: Callable[[str, Any], str] | None = None) -> None:
        super().__init__(parent)
        self.stale_days = 30
        self._checked: set[str] = set()
        self._label_of = label_of or (lambda _field, value: display(value))  # the account's value, as shown

    def set_facts(self, rows: Sequence[CompanyFactRow], stale_days: int) -> None:
        self.stale_days = stale_days
        keep = {r.field for r in rows if self.appliable(r)}
        self._checked &= keep
        order = {"differs": 0, "new": 1, "same": 2, "info": 3}  # what needs a decision first
        self.set_rows(sorted(rows, key=lambda r: order[self.state(r)]))

    def state(self, row: CompanyFactRow) -> str:
        return fact_state(row.account_field, row.value, row.current_value)

    def appliable(self, row: CompanyFactRow) -> bool:
        return self.state(row) in ("new", "differs")

    def checked_fields(self) -> list[str]:
        return [r.field for r in self._rows if r.field in self._checked]

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.field == name), -1)

    def conflicts(self) -> int:
        return sum(1 for r in self._rows if self.state(r) == "differs")

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self.valid(index) and index.column() == self.FIELD and self.appliable(self._rows[index.row()]):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemNeverHasChildren if index.isValid() else flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not (self.valid(index) and role == CHECK and index.column() == self.FIELD):
            return False
        row = self._rows[index.row()]
        if not self.appliable(row):
            return False
        (self._checked.add if _checked(value) else self._checked.discard)(row.field)
        self.dataChanged.emit(index, index, [CHECK])
        return True

    def data(self, index: Index, role: int = D) -> Any:
        if not self.valid(index):
            return None
        row: CompanyFactRow = self._rows[index.row()]
        col, state = index.column(), self.state(row)
        if role == ROW_ROLE:
            return row
        if role == STATE_ROLE:
            return state
        if col == self.FIELD:
            if role == D:
                return FIELD_LABELS.get(row.field, row.field.replace("_", " ").capitalize())
            if role == CHECK and state in ("new", "differs"):
                return Qt.CheckState.Checked if row.field in self._checked else Qt.CheckState.Unchecked
            if role == TIP:
                return "Accounts have no field for this; it stays with the research" if state == "info" else \
                    "Tick to apply with “Apply selected”"
        elif col == self.FOUND:
            if role in (D, TIP):
                return display(row.value, row.field)
        elif col == self.CURRENT:
            return self._current(row, state, role)
        elif col == self.SOURCE:
            return link_data(row.source_url, role)
        elif col == self.CAPTURED:
            return _stale_cell(row.captured_at, row.stale, self.stale_days, role)
        elif col == self.CONFIDENCE and row.confidence is not None:
            if role == D:
                return f"{round(float(row.confidence) * 100)}%"
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return CENTER
            if role == TIP:
                return "How sure the reading is: structured data (JSON-LD) is surest, text patterns least"
        elif col == self.ACTION and state != "info":
            if role == D:
                return ACTION_TEXT[state]
            if role == PILL_ROLE:
                return state
            if role == TIP:
                return {"new": "Write this value to the account (recorded in its timeline)",
                        "differs": "Replace the account's value with this one (recorded in its timeline)",
                        "same": "The account already has this value"}[state]
        return None

    def _current(self, row: CompanyFactRow, state: str, role: int) -> Any:
        shown = self._label_of(row.account_field or "", row.current_value) if row.current_value is not None else ""
        if state == "info":
            return {D: "—", TIP: "Not an account field", FG: QColor(MUTED)}.get(role)
        if state == "new":
            return {D: "Empty", TIP: "The account has no value yet", FG: QColor(MUTED)}.get(role)
        if role == D:
            return shown
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("check", GOOD) if state == "same" else icon("warning", WARN)
        if role == FG and state == "differs":
            return QColor(WARN)
        if role == TIP:
            return "The account has the same value" if state == "same" else \
                f"Conflict: the account says “{shown}”, the website says “{display(row.value, row.field)}”"
        return None


STATUS_ORDER = {"candidate": 0, "accepted": 1, "dismissed": 2}


class PeopleModel(RowsTableModel):
    HEADERS = ("Name", "Title", "Seniority", "Function", "Suggested role", "Source", "Found", "Status")
    NAME, TITLE, SENIORITY, FUNCTION, ROLE, SOURCE, FOUND, STATUS = range(8)

    def __init__(self, parent: Any = None, role_label: Callable[[str | None], str] | None = None) -> None:
        super().__init__(parent)
        self.stale_days = 30
        self._checked: set[int] = set()
        self._role_label = role_label or (lambda key: key or "")

    def set_people(self, rows: Sequence[PersonRow], stale_days: int) -> None:
        self.stale_days = stale_days
        ordered = sorted(rows, key=lambda r: (STATUS_ORDER.get(r.status, 3), r.name.casefold()))
        self._checked &= {r.id for r in ordered if r.status == "candidate"}
        self.set_rows(ordered)

    def checked_ids(self) -> list[int]:
        return [r.id for r in self._rows if r.id in self._checked]

    def set_all_checked(self, checked: bool) -> None:
        self._checked = {r.id for r in self._rows if r.status == "candidate"} if checked else set()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0), [CHECK])

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.name == name), -1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self.valid(index) and index.column() == self.NAME and self._rows[index.row()].status == "candidate":
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemNeverHasChildren if index.isValid() else flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not (self.valid(index) and role == CHECK and index.column() == self.NAME):
            return False
        row = self._rows[index.row()]
        if row.status != "candidate":
            return False
        (self._checked.add if _checked(value) else self._checked.discard)(row.id)
        self.dataChanged.emit(index, index, [CHECK])
        return True

    def data(self, index: Index, role: int = D) -> Any:
        if not self.valid(index):
            return None
        row: PersonRow = self._rows[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return row
        if role == FG and row.status == "dismissed" and col not in (self.SOURCE, self.STATUS):
            return QColor(MUTED)
        if col == self.NAME:
            if role == CHECK and row.status == "candidate":
                return Qt.CheckState.Checked if row.id in self._checked else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DecorationRole and row.status == "accepted":
                return icon("person", GOOD)
            if role == Qt.ItemDataRole.FontRole and row.status == "accepted":
                font = QFont()
                font.setWeight(QFont.Weight.DemiBold)
                return font
            if role == D:
                return row.name
            if role == TIP:
                return "Already a stakeholder of this account" if row.status == "accepted" else row.name
        elif col == self.SOURCE:
            return link_data(row.source_url, role)
        elif col == self.FOUND:
            return _stale_cell(row.captured_at, row.stale, self.stale_days, role)
        elif col == self.STATUS:
            if role == D:
                return PERSON_LABELS.get(row.status, row.status)
            if role == PILL_ROLE:
                return row.status
            if role == TIP:
                return {"accepted": "In the stakeholder map", "candidate": "Found on the website; not a contact yet",
                        "dismissed": "Dismissed: not someone to add"}.get(row.status)
        elif role in (D, TIP):
            return {self.TITLE: row.title or "",
                    self.SENIORITY: SENIORITY_LABELS.get(row.seniority or "", row.seniority or ""),
                    self.FUNCTION: FUNCTION_LABELS.get(row.function or "", row.function or ""),
                    self.ROLE: self._role_label(row.buying_role)}[col]
        return None
