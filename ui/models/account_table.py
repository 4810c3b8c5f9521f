"""The accounts table: a lazy-fetching model over ``accounts.queries``.

Filtering, sorting and counting happen in SQL; rows arrive a page at a time as the view scrolls
(``canFetchMore``/``fetchMore``), so a 100,000-account workspace never loads whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from accounts.queries import AccountFilter, AccountRow, AccountSort, SortKey, count_accounts, page_accounts
from bdr_desk.db import Workspace
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SEGMENT_LABELS, SIZE_BAND, Taxonomy
from ui.theme import TIER_COLORS

Index = QModelIndex | QPersistentModelIndex
# (sort key = column key, header). The first eight keep their positions: callers sort by column number.
COLUMNS: list[tuple[str, str]] = [
    ("name", "Account"), ("domain", "Domain"), ("industry", "Industry"), ("tier", "Tier"),
    ("stage", "ABM stage"), ("owner", "Owner"), ("icp_score", "ICP score"), ("employees", "Employees"),
    ("sub_industry", "Sub-industry"), ("segment", "Segment"), ("size_band", "Size band"),
    ("hq_country", "HQ country"), ("hq_city", "City"), ("last_activity_at", "Last activity"),
    ("updated_at", "Updated"),
]
COLUMN_KEYS = [k for k, _ in COLUMNS]
COLUMN_TITLES = dict(COLUMNS)
DEFAULT_COLUMNS = ("name", "domain", "industry", "tier", "stage", "owner", "icp_score", "employees",
                   "last_activity_at")
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ARROWS = {False: "↑", True: "↓"}
NUMERIC = ("icp_score", "employees")


def describe_sort(sort: AccountSort) -> str:
    """``Owner ↑, then ICP score ↓``."""
    return ", then ".join(f"{COLUMN_TITLES.get(k.key, k.key)} {SORT_ARROWS[k.descending]}" for k in sort.keys)


class AccountTableModel(QAbstractTableModel):
    totalChanged = Signal(int)
    sortChanged = Signal(object)  # AccountSort

    PAGE_SIZE = 200

    def __init__(self, workspace: Workspace, taxonomy: Taxonomy, parent: Any = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.taxonomy = taxonomy
        self._filter = AccountFilter()
        self._sort = AccountSort()
        self._rows: list[AccountRow] = []
        self._total = 0
        self._notifying = False
        self.refresh()

    # ---- state ----
    @property
    def total(self) -> int:
        return self._total

    @property
    def account_filter(self) -> AccountFilter:
        return self._filter

    def set_filter(self, flt: AccountFilter) -> None:
        if flt != self._filter:
            self._filter = flt
            self.refresh()

    @property
    def account_sort(self) -> AccountSort:
        return self._sort

    def set_sort(self, sort: AccountSort) -> None:
        if sort != self._sort:
            self._sort = sort
            self.refresh()
            self.sortChanged.emit(sort)

    def sort_by_column(self, column: int, add: bool = False) -> None:
        """A header click: sort by the column (again: reverse it); with ``add`` (Shift+click) the column becomes
        the next sort key, or, if it is already one, that key reverses."""
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][0]
        current = {k.key: k.descending for k in self._sort.keys}
        if add:
            self.set_sort(self._sort.with_key(key, not current[key] if key in current else False))
        else:
            primary = self._sort.keys[0]
            desc = not primary.descending if primary.key == key else key in ("icp_score", "updated_at",
                                                                              "last_activity_at")
            self.set_sort(AccountSort(key, desc))

    def sort_position(self, column: int) -> tuple[int, SortKey] | None:
        """(1-based position, key) when the column is one of the sort keys."""
        key = COLUMNS[column][0] if 0 <= column < len(COLUMNS) else None
        for i, k in enumerate(self._sort.keys, 1):
            if k.key == key:
                return i, k
        return None

    def row_at(self, row: int) -> AccountRow:
        return self._rows[row]

    def row_for_id(self, account_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == account_id), None)

    def refresh(self) -> None:
        with self.workspace.session() as s:
            total = count_accounts(s, self._filter)
            rows = page_accounts(s, self._filter, self._sort, 0, self.PAGE_SIZE)
        with self._notifying_change():
            self.beginResetModel()
            self._total, self._rows = total, rows
            self.endResetModel()
        self.totalChanged.emit(self._total)

    @contextmanager
    def _notifying_change(self) -> Iterator[None]:
        """Views and testers react to change notifications by asking for more rows; that must wait until the
        change is complete, or rows would be inserted inside another change's notification."""
        self._notifying = True
        try:
            yield
        finally:
            self._notifying = False

    # ---- Qt model API ----
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and not self._notifying and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or self._notifying:
            return
        with self.workspace.session() as s:
            more = page_accounts(s, self._filter, self._sort, len(self._rows), self.PAGE_SIZE)
        if not more:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        with self._notifying_change():
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.set_sort(AccountSort(COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder))

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                pos = self.sort_position(section) if len(self._sort.keys) > 1 else None
                if pos and pos[0] > 1:  # the primary key has the header's own arrow; later keys are numbered
                    return f"{COLUMNS[section][1]} {SORT_ARROWS[pos[1].descending]}{pos[0]}"
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole:
                return (f"Sorted by {describe_sort(self._sort)}\n"
                        "Click to sort by this column · Shift+click to add it as another sort key")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(COLUMNS):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and key == "name":
            seg = SEGMENT_LABELS.get(row.segment or "", "")
            return f"{row.name}\n{row.domain or 'no domain'}{' · ' + seg if seg else ''}"
        if role == Qt.ItemDataRole.ToolTipRole and key == "tier" and row.tier:
            return "Manual tier (set by a person, kept when rescoring)" if row.tier_is_manual \
                else "Tier suggested by the ICP score"
        if role == Qt.ItemDataRole.ToolTipRole and key in ("last_activity_at", "updated_at"):
            value = getattr(row, key)
            return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else None
        if role == Qt.ItemDataRole.ForegroundRole and key == "tier" and row.tier:
            return QColor(TIER_COLORS[row.tier])
        if role == Qt.ItemDataRole.ForegroundRole and key == "last_activity_at" and row.last_activity_at is None:
            return QColor("#94a3b8")
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("icp_score", "employees", "tier"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if key != "tier" \
                else int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, row: AccountRow, key: str) -> str:
        match key:
            case "industry":
                return self.taxonomy.label(INDUSTRY, row.industry)
            case "stage":
                return self.taxonomy.label(ABM_STAGE, row.stage)
            case "tier":
                return (f"Tier {row.tier}" + (" ✎" if row.tier_is_manual else "")) if row.tier else "—"
            case "segment":
                return SEGMENT_LABELS.get(row.segment or "", row.segment or "")
            case "size_band":
                return self.taxonomy.label(SIZE_BAND, row.size_band) if row.size_band else ""
            case "last_activity_at":
                return _ago(row.last_activity_at) if row.last_activity_at else "never"
            case "updated_at":
                return row.updated_at.astimezone().strftime("%Y-%m-%d") if row.updated_at else ""
            case "employees":
                return f"{row.employees:,}" if row.employees is not None else ""
            case "icp_score":
                return "" if row.icp_score is None else str(row.icp_score)
            case _:
                value = getattr(row, key)
                return "" if value is None else str(value)


def _ago(when: dt.datetime) -> str:
    """``today``, ``3 days ago``, ``5 weeks ago``, or the date for anything older than a year."""
    now = dt.datetime.now(dt.UTC)
    days = (now - when).days
    if days < 0:
        return when.astimezone().strftime("%Y-%m-%d")
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 70:
        return f"{days // 7} weeks ago"
    if days < 365:
        return f"{days // 30} months ago"
    return when.astimezone().strftime("%Y-%m-%d")
