"""Item models of the messaging views: the pain hypotheses table, the message map and the Today list (both
two-level trees: a group row and its items)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from accounts.sequences import DueStep
from ui.messaging.common import (
    BADGE_ROLE,
    OVERDUE_COLOR,
    STATUS_LABELS,
    TYPE_ICONS,
    TYPE_LABELS,
    channel_label,
)
from ui.messaging.data import HypothesisRow, MapBranchRow, MapLineRow
from ui.models.record_table import Index, RowsTableModel
from ui.theme import icon

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_ROLE = Qt.ItemDataRole.UserRole + 3
_DISPLAY, _TIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
MUTED = "#94a3b8"


def _bold() -> QFont:
    f = QFont()
    f.setWeight(QFont.Weight.DemiBold)
    return f


class HypothesesModel(RowsTableModel):
    STATUS, PAIN, STATEMENT, EVIDENCE, CONFIDENCE, PERSONA, MESSAGES = range(7)
    HEADERS = ("Status", "Pain", "Hypothesis", "Evidence", "Confidence", "Persona", "Messages")

    def row_of(self, hypothesis_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == hypothesis_id), -1)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not self.valid(index):
            return None
        h: HypothesisRow = self._rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return h.id
        if role == ROW_ROLE:
            return h
        if role == BADGE_ROLE and col == self.STATUS:
            return h.status
        if role in (_DISPLAY, _TIP):
            values = {self.STATUS: STATUS_LABELS.get(h.status, h.status), self.PAIN: h.pain_label,
                      self.STATEMENT: h.statement, self.EVIDENCE: h.evidence_text,
                      self.CONFIDENCE: "" if h.confidence is None else f"{h.confidence}%",
                      self.PERSONA: h.persona_label, self.MESSAGES: str(h.messages) if h.messages else ""}
            text = values[col]
            if role == _TIP and col == self.STATUS and h.status != "untested":
                return f"{text}: {h.status_note or 'see the linked conversation'}"
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.CONFIDENCE, self.MESSAGES):
            return _CENTER
        if role == Qt.ItemDataRole.ForegroundRole and h.status == "rejected" and col != self.STATUS:
            return QColor(MUTED)
        return None


class TwoLevelModel(QAbstractItemModel):
    """Groups at the top, their items beneath. An item's ``internalId`` is its group's row + 1 (0 for groups),
    so no Python object is kept in an index."""

    HEADERS: Sequence[str] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[Any, list[Any]]] = []

    def set_groups(self, groups: Sequence[tuple[Any, Sequence[Any]]]) -> None:
        self.beginResetModel()
        self._groups = [(g, list(items)) for g, items in groups]
        self.endResetModel()

    def groups(self) -> list[tuple[Any, list[Any]]]:
        return list(self._groups)

    def item(self, index: Index) -> tuple[Any, Any]:
        """(group, item) — item None for a group row (an item may be None too: check ``internalId``)."""
        if not index.isValid():
            return None, None
        if index.internalId() == 0:
            return self._groups[index.row()][0], None
        group, items = self._groups[index.internalId() - 1]
        return group, items[index.row()]

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        group, item = self.item(index)
        if index.internalId() == 0:
            return self.group_data(group, index.column(), role)
        return self.item_data(item, group, index.column(), role)

    def group_data(self, group: Any, column: int, role: int) -> Any:
        raise NotImplementedError

    def item_data(self, item: Any, group: Any, column: int, role: int) -> Any:
        raise NotImplementedError


class MessageMapModel(TwoLevelModel):
    """Each hypothesis, then its persona angles: the collateral chosen and the sequence step carrying it."""

    ANGLE, COLLATERAL, STEP, MESSAGES = range(4)
    HEADERS = ("Hypothesis → persona angle", "Collateral", "Sequence step", "Messages")
    EMPTY = "No persona angle yet — add a map line"

    def set_branches(self, branches: Sequence[MapBranchRow]) -> None:
        self.set_groups([(b, b.lines or [None]) for b in branches])

    def index_of_entry(self, entry_id: int) -> QModelIndex:
        for g, (_b, lines) in enumerate(self._groups):
            for r, line in enumerate(lines):
                if line is not None and line.id == entry_id:
                    return self.index(r, 0, self.index(g, 0))
        return QModelIndex()

    def group_data(self, b: MapBranchRow, column: int, role: int) -> Any:
        h = b.hypothesis
        if role == KIND_ROLE:
            return "hypothesis"
        if role == ID_ROLE:
            return h.id
        if role == ROW_ROLE:
            return b
        if role in (_DISPLAY, _TIP):
            if column == self.ANGLE:
                text = f"{h.pain_label}: {h.statement}"
                if role == _TIP:
                    return "\n".join(p for p in (text, h.persona_label and f"Persona: {h.persona_label}",
                                                  f"Status: {STATUS_LABELS.get(h.status, h.status)}") if p)
                return text
            if column == self.MESSAGES:
                n = b.messages
                return f"{n} message{'s' if n != 1 else ''}" if n else "none yet"
            return ""
        if role == Qt.ItemDataRole.FontRole and column == self.ANGLE:
            return _bold()
        if role == Qt.ItemDataRole.DecorationRole and column == self.ANGLE:
            return icon("bulb", {"confirmed": "#15803d", "rejected": "#b91c1c"}.get(h.status, "#4b5563"))
        if role == Qt.ItemDataRole.ForegroundRole and (h.status == "rejected" or
                                                       (column == self.MESSAGES and not b.messages)):
            return QColor(MUTED)
        return None

    def item_data(self, line: MapLineRow | None, b: MapBranchRow, column: int, role: int) -> Any:
        if line is None:
            if role == KIND_ROLE:
                return "empty"
            if role == _DISPLAY and column == self.ANGLE:
                return self.EMPTY
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(MUTED)
            if role == Qt.ItemDataRole.FontRole:
                f = QFont()
                f.setItalic(True)
                return f
            return None
        if role == KIND_ROLE:
            return "line"
        if role == ID_ROLE:
            return line.id
        if role == ROW_ROLE:
            return line
        if role in (_DISPLAY, _TIP):
            angle = f"{line.persona_label}: {line.angle}" if line.persona_label else line.angle
            values = {self.ANGLE: angle,
                      self.COLLATERAL: "\n".join(t for _i, t in line.collateral),
                      self.STEP: line.step_label or "", self.MESSAGES: ""}
            text = values[column]
            if role == _TIP and column == self.COLLATERAL and line.collateral:
                return "\n".join(t for _i, t in line.collateral)
            if role == _DISPLAY and not text and column in (self.COLLATERAL, self.STEP):
                return "—"
            return text
        if role == Qt.ItemDataRole.DecorationRole and column == self.COLLATERAL and line.collateral:
            return icon("content")
        if role == Qt.ItemDataRole.DecorationRole and column == self.STEP and line.step_id:
            return icon("sequence")
        return None


@dataclass(frozen=True)
class TodayItem:
    """One row of the Today list: a due sequence step or an open task."""

    kind: str  # step, task
    id: int  # enrolment id for a step, activity id for a task
    due: dt.date
    overdue: bool
    channel: str  # step channel or task type
    contact_id: int | None
    contact: str | None
    account_id: int
    account: str
    what: str
    detail: str = ""
    step: DueStep | None = None


class TodayModel(TwoLevelModel):
    DUE, TYPE, CONTACT, ACCOUNT, WHAT = range(5)
    HEADERS = ("Due", "Type", "Contact", "Account", "What to do")
    GROUP_TITLES = {"overdue": "Overdue", "today": "Due today"}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()

    def set_items(self, items: Sequence[TodayItem], today: dt.date) -> None:
        self.today = today
        groups = [(key, [i for i in items if i.overdue == (key == "overdue")]) for key in ("overdue", "today")]
        self.set_groups([(k, sorted(rows, key=lambda i: (i.due, i.kind != "step", i.account.casefold())))
                         for k, rows in groups if rows])

    def items(self) -> list[TodayItem]:
        return [i for _g, rows in self._groups for i in rows]

    def index_of(self, kind: str, item_id: int) -> QModelIndex:
        for g, (_k, rows) in enumerate(self._groups):
            for r, it in enumerate(rows):
                if (it.kind, it.id) == (kind, item_id):
                    return self.index(r, 0, self.index(g, 0))
        return QModelIndex()

    def due_text(self, item: TodayItem) -> str:
        if not item.overdue:
            return "Today"
        days = (self.today - item.due).days
        return f"{days} day{'s' if days != 1 else ''} late"

    def group_data(self, key: str, column: int, role: int) -> Any:
        rows = next(rows for k, rows in self._groups if k == key)
        if role == KIND_ROLE:
            return "group"
        if role == _DISPLAY and column == 0:
            return f"{self.GROUP_TITLES[key]} · {len(rows)}"
        if role == Qt.ItemDataRole.FontRole and column == 0:
            return _bold()
        if role == Qt.ItemDataRole.ForegroundRole and key == "overdue":
            return QColor(OVERDUE_COLOR)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icon("clock", OVERDUE_COLOR if key == "overdue" else "#1d4ed8")
        return None

    def item_data(self, it: TodayItem, key: str, column: int, role: int) -> Any:
        if role == KIND_ROLE:
            return it.kind
        if role == ID_ROLE:
            return it.id
        if role == ROW_ROLE:
            return it
        if role in (_DISPLAY, _TIP):
            kind = channel_label(it.channel) if it.kind == "step" else TYPE_LABELS.get(it.channel, it.channel)
            kind = kind if it.kind == "step" or it.channel == "task" else f"{kind} task"
            values = {self.DUE: self.due_text(it), self.TYPE: kind,
                      self.CONTACT: it.contact or "", self.ACCOUNT: it.account, self.WHAT: it.what}
            if role == _TIP and column == self.WHAT and it.detail:
                return f"{it.what}\n{it.detail}"
            if role == _TIP and column == self.DUE:
                return f"Due {it.due:%A %d %B %Y}"
            return values[column]
        if role == Qt.ItemDataRole.DecorationRole and column == self.TYPE:
            return icon(TYPE_ICONS.get(it.channel, "check"))
        if role == Qt.ItemDataRole.ForegroundRole and column == self.DUE and it.overdue:
            return QColor(OVERDUE_COLOR)
        return None


class CheckableChoiceModel(RowsTableModel):
    """Choices (id, label, detail) with a check box each: the collateral of a map line."""

    HEADERS = ("Item",)

    def __init__(self, parent: Any = None, icon_name: str = "content") -> None:
        super().__init__(parent)
        self._checked: list[int] = []  # in the order they were ticked
        self._icon = icon_name

    def set_rows(self, rows: Sequence[Any], checked: Sequence[int] = ()) -> None:
        known = {r.id for r in rows}
        self._checked = [i for i in checked if i in known]
        super().set_rows(rows)

    def checked_ids(self) -> list[int]:
        return list(self._checked)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.isValid() else flags

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not self.valid(index):
            return None
        c = self._rows[index.row()]
        if role == _DISPLAY:
            return f"{c.label}  ·  {c.detail}" if c.detail else c.label
        if role == _TIP:
            return c.label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if c.id in self._checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(self._icon)
        if role == ID_ROLE:
            return c.id
        if role == ROW_ROLE:
            return c
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not self.valid(index) or role != Qt.ItemDataRole.CheckStateRole:
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        cid = self._rows[index.row()].id
        if on and cid not in self._checked:
            self._checked.append(cid)
        elif not on and cid in self._checked:
            self._checked.remove(cid)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True
