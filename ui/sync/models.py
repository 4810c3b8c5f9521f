"""Table models of the Sync page: run counts per object type, the dry-run preview (one row per field), the
conflict queue and the editable field mapping. Rows are plain data; nothing here touches the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from bdr_desk.crm.conflicts import ConflictRow
from bdr_desk.crm.journal import ObjectCounts, PlannedChange
from bdr_desk.crm.mapping import LOCAL_FIELDS, OBJECT_DIRECTIONS, RULES, FieldMap
from bdr_desk.crm.status import SYSTEM_LABELS
from ui.models.record_table import RecordTableModel, RowsTableModel

Index = QModelIndex | QPersistentModelIndex

OBJECT_LABELS = {"account": "Accounts", "contact": "Contacts", "activity": "Activities",
                 "opportunity": "Opportunities"}
DIRECTION_CHOICES = {"both": "Two-way", "push": "Push to CRM", "pull": "Pull from CRM", "none": "Don't sync"}
RULE_CHOICES = {"crm_wins": "CRM wins", "local_wins": "Local wins", "crm_unless_blank": "CRM unless blank",
                "latest_wins": "Latest wins", "ask": "Ask (conflict queue)", "dont_sync": "Don't sync"}
OPERATION_LABELS = {"create": "Create", "update": "Update", "delete": "Delete", "archive": "Archive",
                    "link": "Link", "conflict": "Conflict"}
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


# ---- run results ----------------------------------------------------------------------------------------------

COUNT_COLUMNS = ("created", "updated", "deleted", "archived", "conflicts", "errors", "skipped", "api_calls")


class CountsModel(RowsTableModel):
    """One row per (direction, object type) of a run: what was created, updated, … and the API calls it took
    (object types a direction did not touch at all are left out)."""

    HEADERS = ("Object", "Direction", "Created", "Updated", "Deleted", "Archived", "Conflicts", "Errors",
               "Skipped", "API calls")

    def set_counts(self, push: dict[str, ObjectCounts], pull: dict[str, ObjectCounts]) -> None:
        rows = [(obj, side, counts) for side, data in (("Pull", pull), ("Push", push))
                for obj, counts in data.items() if any(counts.as_json().values())]
        order = list(OBJECT_LABELS)
        rows.sort(key=lambda r: (order.index(r[0]) if r[0] in order else 99, r[1]))
        self.set_rows(rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        obj, side, counts = self.row_at(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return OBJECT_LABELS.get(obj, obj)
            if col == 1:
                return side
            return f"{getattr(counts, COUNT_COLUMNS[col - 2]):,}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and col == 7 and counts.errors:
            return QColor("#b91c1c")
        return None


@dataclass(frozen=True)
class PreviewLine:
    direction: str
    object_type: str
    operation: str
    label: str
    field: str
    old: Any
    new: Any


def preview_lines(preview: Sequence[PlannedChange]) -> list[PreviewLine]:
    """A dry run's plan, field by field (a change without fields is one line)."""
    lines = []
    for p in preview:
        labels = LOCAL_FIELDS.get(p.object_type, {})
        items = list(p.fields.items()) or [("", [None, None])]
        for name, pair in items:
            old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
            field_label = labels[name].label if name in labels else name
            lines.append(PreviewLine(p.direction, p.object_type, p.operation, p.label, field_label, old, new))
    return lines


class PreviewModel(RecordTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            ("Direction", lambda r: "To the CRM" if r.direction == "push" else "To this workspace"),
            ("Object", lambda r: OBJECT_LABELS.get(r.object_type, r.object_type)),
            ("Action", lambda r: OPERATION_LABELS.get(r.operation, r.operation)),
            ("Record", lambda r: r.label),
            ("Field", lambda r: r.field),
            ("Now", lambda r: show(r.old) if r.field else ""),
            ("Would become", lambda r: show(r.new) if r.field else ""),
        ], parent=parent)


# ---- conflicts ------------------------------------------------------------------------------------------------

class ConflictsModel(RecordTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            ("CRM", lambda r: SYSTEM_LABELS.get(r.system, r.system)),
            ("Object", lambda r: OBJECT_LABELS.get(r.object_type, r.object_type)),
            ("Record", lambda r: r.record_label),
            ("Field", lambda r: r.field_label),
            ("Local value", lambda r: show(r.local_value)),
            ("CRM value", lambda r: show(r.remote_value)),
        ], parent=parent)

    def conflict(self, row: int) -> ConflictRow:
        return self.row_at(row)


# ---- field mapping --------------------------------------------------------------------------------------------

def remote_text(remote: str | dict[str, str]) -> str:
    if isinstance(remote, dict):
        return ", ".join(f"{kind}: {name}" for kind, name in remote.items() if name)
    return remote


class MappingModel(RowsTableModel):
    """The fields of one object type (``FieldMap`` rows), edited in place: CRM property (text), direction and
    rule (combo boxes: :meth:`choices`). Per-kind properties (activities) are shown, not edited."""

    HEADERS = ("Our field", "CRM property", "Direction", "Rule")
    PROPERTY, DIRECTION, RULE = 1, 2, 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.object_type = "account"
        self.dirty = False

    def set_fields(self, object_type: str, fields: Sequence[FieldMap]) -> None:
        self.object_type = object_type
        self.dirty = False
        self.set_rows(fields)

    def fields(self) -> tuple[FieldMap, ...]:
        return tuple(self._rows)

    def choices(self, index: Index) -> list[tuple[str, str]]:
        """(key, label) pairs a combo editor offers for ``index``; [] for text cells."""
        if index.column() == self.DIRECTION:
            allowed = OBJECT_DIRECTIONS.get(self.object_type, tuple(DIRECTION_CHOICES))
            return [(k, v) for k, v in DIRECTION_CHOICES.items() if k in allowed]
        if index.column() == self.RULE:
            return [(k, RULE_CHOICES[k]) for k in RULES]
        return []

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not self.valid(index) or index.column() == 0:
            return flags
        if index.column() == self.PROPERTY and isinstance(self.row_at(index.row()).remote, dict):
            return flags
        return flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        fm: FieldMap = self.row_at(index.row())
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                lf = LOCAL_FIELDS.get(self.object_type, {}).get(fm.local)
                return lf.label if lf else fm.local
            if col == self.PROPERTY:
                return remote_text(fm.remote)
            if col == self.DIRECTION:
                return DIRECTION_CHOICES.get(fm.direction, fm.direction)
            return RULE_CHOICES.get(fm.rule, fm.rule)
        if role == Qt.ItemDataRole.EditRole:
            return (fm.local, remote_text(fm.remote), fm.direction, fm.rule)[col]
        if role == Qt.ItemDataRole.ForegroundRole and (fm.direction == "none" or fm.rule == "dont_sync"):
            return QColor("#6b7280")
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        fm: FieldMap = self.row_at(index.row())
        value = str(value).strip()
        col = index.column()
        if col == self.PROPERTY:
            new = replace(fm, remote=value)
        elif col == self.DIRECTION:
            if value not in DIRECTION_CHOICES:
                return False
            # the mapping store's conventions: "none" goes with dont_sync, and back to a deciding rule
            rule = "dont_sync" if value == "none" else ("latest_wins" if fm.rule == "dont_sync" else fm.rule)
            new = replace(fm, direction=value, rule=rule)
        else:
            if value not in RULE_CHOICES:
                return False
            direction = "none" if value == "dont_sync" else fm.direction
            if value != "dont_sync" and fm.direction == "none":
                direction = OBJECT_DIRECTIONS.get(self.object_type, ("both",))[0]
            new = replace(fm, rule=value, direction=direction)
        if new == fm:
            return True
        self._rows[index.row()] = new
        self.dirty = True
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.columnCount() - 1))
        return True
