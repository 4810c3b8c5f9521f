"""The account timeline (changes and activities, newest first) as a read-only table model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon

from accounts.history import TimelineEntry
from ui.theme import icon

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("When", "What", "Details", "By")

# kind → (label, icon, colour)
KINDS: dict[str, tuple[str, str, str]] = {
    "created": ("Created", "plus", "#1d4ed8"),
    "updated": ("Edited", "save", "#475569"),
    "imported": ("Imported", "import", "#0369a1"),
    "merged": ("Merged", "link", "#b45309"),
    "scored": ("Rescored", "dashboard", "#7c3aed"),
    "tier_changed": ("Tier changed", "accounts", "#1d4ed8"),
    "stage_changed": ("Stage changed", "filter", "#0891b2"),
    "owner_changed": ("Owner changed", "person", "#c2410c"),
    "list_added": ("Added to list", "lists", "#15803d"),
    "list_removed": ("Removed from list", "cancel", "#b91c1c"),
    "note": ("Note", "content", "#475569"),
}
ACTIVITY = ("Activity", "calendar", "#15803d")
ACTIVITY_ICONS = {"call": "outreach", "email": "outreach", "linkedin": "person", "meeting": "calendar",
                  "note": "content", "task": "calendar", "event": "calendar"}
SOURCES = {"manual": "edit", "import": "import", "crm": "CRM sync", "scoring": "ICP scoring", "merge": "merge",
           "bulk": "bulk action"}


def kind_info(kind: str) -> tuple[str, str, str]:
    if kind.startswith("activity:"):
        kind_type = kind.split(":", 1)[1]
        return kind_type.capitalize() if kind_type != "linkedin" else "LinkedIn", \
            ACTIVITY_ICONS.get(kind_type, "calendar"), ACTIVITY[2]
    return KINDS.get(kind, (kind.replace("_", " ").capitalize(), "settings", "#475569"))


def when_text(at: dt.datetime, now: dt.datetime | None = None) -> str:
    local = at.astimezone()
    now = (now or dt.datetime.now(dt.UTC)).astimezone()
    if local.date() == now.date():
        return f"Today {local:%H:%M}"
    if (now.date() - local.date()).days == 1:
        return f"Yesterday {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


class TimelineModel(QAbstractTableModel):
    def __init__(self, entries: Sequence[TimelineEntry] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(entries)
        self._icons: dict[str, QIcon] = {}

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> TimelineEntry:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _icon(self, kind: str) -> QIcon:
        _label, name, colour = kind_info(kind)
        key = f"{name}:{colour}"
        if key not in self._icons:
            self._icons[key] = icon(name, colour)
        return self._icons[key]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        e = self._rows[index.row()]
        col = index.column()
        is_activity = e.kind.startswith("activity:")
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return when_text(e.at)
            if col == 1:
                return kind_info(e.kind)[0]
            if col == 2:
                return e.summary
            if is_activity:  # who = the contact, source = the outcome
                return " · ".join(p for p in (e.who, e.source) if p)
            return " · ".join(p for p in (e.who, SOURCES.get(e.source or "", e.source)) if p)
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return self._icon(e.kind)
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QColor("#64748b")
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return e.at.astimezone().strftime("%A %d %B %Y, %H:%M")
            if col == 2:
                return e.summary
        return None
