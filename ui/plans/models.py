"""Item models of the account-plan GUI: a plan template's sections (checkable, reorderable by drag or by
Up/Down), the snapshots of one account, and the lines of a plan diff with an icon for each kind of change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from accounts.models import ABM_STAGES
from bdr_desk.export.plan_data import SECTION_TITLES, SECTIONS
from bdr_desk.export.snapshots import PlanDiff
from ui.models.record_table import RecordTableModel
from ui.theme import icon

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
GOOD, BAD, NEUTRAL, INFO = "#059669", "#dc2626", "#64748b", "#1d4ed8"


class SectionListModel(QAbstractListModel):
    """Every plan section, the chosen ones checked, in the template's order (unchosen ones after them).

    ``editable`` makes the check boxes and the order changeable (a custom template); ``numbered`` shows only
    the chosen sections, numbered (the read-only preview of what a plan will contain)."""

    def __init__(self, parent: Any = None, *, editable: bool = False, numbered: bool = False) -> None:
        super().__init__(parent)
        self.editable, self.numbered = editable, numbered
        self._rows: list[list[Any]] = []  # [key, checked]
        self.set_sections(SECTIONS)

    def set_sections(self, chosen: Iterable[str], editable: bool | None = None,
                     numbered: bool | None = None) -> None:
        chosen = [s for s in dict.fromkeys(chosen) if s in SECTION_TITLES]
        self.beginResetModel()
        if editable is not None:
            self.editable = editable
        if numbered is not None:
            self.numbered = numbered
        rest = [] if self.numbered else [s for s in SECTIONS if s not in chosen]
        self._rows = [[s, True] for s in chosen] + [[s, False] for s in rest]
        self.endResetModel()

    def sections(self) -> tuple[str, ...]:
        """The checked sections, in order."""
        return tuple(key for key, checked in self._rows if checked)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column() != 0:
            return None
        key, checked = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row() + 1}.  {SECTION_TITLES[key]}" if self.numbered else SECTION_TITLES[key]
        if role == Qt.ItemDataRole.CheckStateRole and not self.numbered:
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == KEY_ROLE:
            return key
        if role == Qt.ItemDataRole.ToolTipRole and self.editable:
            return "Tick to include; drag (or use Up/Down) to change the order"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.editable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not (self.editable and index.isValid() and role == Qt.ItemDataRole.CheckStateRole):
            return False
        state = value.value if isinstance(value, Qt.CheckState) else int(value)
        self._rows[index.row()][1] = state == Qt.CheckState.Checked.value
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def moveRows(self, source_parent: Index, source_row: int, count: int,  # noqa: N802
                 dest_parent: Index, dest_child: int) -> bool:
        """Move rows within the list (QListView's internal drag and drop calls this)."""
        n = len(self._rows)
        if (not self.editable or source_parent.isValid() or dest_parent.isValid() or count < 1
                or source_row < 0 or source_row + count > n or not 0 <= dest_child <= n
                or source_row <= dest_child <= source_row + count):
            return False
        self.beginMoveRows(QModelIndex(), source_row, source_row + count - 1, QModelIndex(), dest_child)
        moving = self._rows[source_row:source_row + count]
        del self._rows[source_row:source_row + count]
        at = dest_child - count if dest_child > source_row else dest_child
        self._rows[at:at] = moving
        self.endMoveRows()
        return True

    def move(self, row: int, delta: int) -> int:
        """Move one row up (-1) or down (+1); its new row, or the old one when it cannot move."""
        target = row + delta
        if not 0 <= target < len(self._rows):
            return row
        ok = self.moveRows(QModelIndex(), row, 1, QModelIndex(), target + 1 if delta > 0 else target)
        return target if ok else row


@dataclass(frozen=True)
class SnapshotRow:
    id: int
    label: str
    taken_at: dt.datetime
    by: str | None
    data: dict[str, Any]


def _when(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().strftime("%d %b %Y %H:%M").lstrip("0")


def snapshots_model(parent: Any = None) -> RecordTableModel:
    return RecordTableModel([("Snapshot", lambda r: r.label), ("Taken", lambda r: _when(r.taken_at)),
                             ("By", lambda r: r.by or "—")], parent=parent)


# ---- the diff, line by line ----

def _direction(old: Any, new: Any, higher_is_better: bool = True) -> str:
    if old is None or new is None:
        return "info"
    better = new > old if higher_is_better else new < old
    return "up" if better else "down"


def _stage_rank(stage: Any) -> int:
    return ABM_STAGES.index(stage) if stage in ABM_STAGES[:6] else -1  # lost/nurture are not "ahead"


def diff_rows(d: PlanDiff) -> list[tuple[str, str]]:
    """``(kind, text)`` per line of :meth:`PlanDiff.lines`, in its order. Kinds: up, down (a move for the
    better or worse), joined, left, role, signal, confirmed, rejected, hypothesis, info."""
    kinds: list[str] = []
    if d.tier:
        kinds.append(_direction(d.tier[0] or 4, d.tier[1] or 4, higher_is_better=False))
    if d.stage:
        kinds.append(_direction(_stage_rank(d.stage[0]), _stage_rank(d.stage[1])))
    if d.icp_score:
        kinds.append(_direction(*d.icp_score))
    if d.coverage:
        kinds.append(_direction(*d.coverage))
    kinds += ["joined"] * len(d.joined) + ["left"] * len(d.left) + ["role"] * len(d.role_changes)
    kinds += ["signal"] * len(d.new_signals)
    kinds += ["confirmed" if h.startswith("Hypothesis confirmed") else
              "rejected" if h.startswith("Hypothesis rejected") else "hypothesis" for h in d.hypotheses]
    if d.pipeline:
        kinds.append(_direction(*d.pipeline))
    lines = d.lines()
    if len(kinds) != len(lines):  # PlanDiff grew a kind of change this view does not know: show it plainly
        kinds = ["info"] * len(lines)
    return list(zip(kinds, lines, strict=True))


KIND_ICONS = {"up": ("chevron-up", GOOD), "down": ("chevron-down", BAD), "joined": ("person", GOOD),
              "left": ("x-circle", BAD), "role": ("person", NEUTRAL), "signal": ("insights", INFO),
              "confirmed": ("check-circle", GOOD), "rejected": ("x-circle", BAD), "hypothesis": ("bulb", INFO),
              "info": ("edit", NEUTRAL)}


def kind_icon(kind: str) -> QIcon:
    name, color = KIND_ICONS.get(kind, KIND_ICONS["info"])
    return icon(name, color)


class DiffModel(QAbstractListModel):
    """The lines of a plan diff, each with an icon for its kind (see :func:`diff_rows`)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str]] = []

    def set_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def lines(self) -> list[str]:
        return [text for _, text in self._rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column() != 0:
            return None
        kind, text = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if role == Qt.ItemDataRole.DecorationRole:
            return kind_icon(kind)
        if role == KIND_ROLE:
            return kind
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
