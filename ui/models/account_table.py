"""The accounts table: a lazy-fetching model over ``accounts.queries``.

Filtering, sorting and counting happen in SQL; rows arrive a page at a time as the view scrolls
(``canFetchMore``/``fetchMore``), so a 100,000-account workspace never loads whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from accounts.queries import AccountFilter, AccountRow, AccountSort, count_accounts, page_accounts
from bdr_desk.db import Workspace
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SEGMENT_LABELS, Taxonomy
from ui.theme import TIER_COLORS

Index = QModelIndex | QPersistentModelIndex
COLUMNS: list[tuple[str, str]] = [
    ("name", "Account"), ("domain", "Domain"), ("industry", "Industry"), ("tier", "Tier"),
    ("stage", "ABM stage"), ("owner", "Owner"), ("icp_score", "ICP score"), ("employees", "Employees"),
]
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class AccountTableModel(QAbstractTableModel):
    totalChanged = Signal(int)

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

    def row_at(self, row: int) -> AccountRow:
        return self._rows[row]

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
        new = AccountSort(COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)
        if new != self._sort:
            self._sort = new
            self.refresh()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
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
        if role == Qt.ItemDataRole.ForegroundRole and key == "tier" and row.tier:
            return QColor(TIER_COLORS[row.tier])
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
                return f"Tier {row.tier}" if row.tier else "—"
            case "employees":
                return f"{row.employees:,}" if row.employees is not None else ""
            case "icp_score":
                return "" if row.icp_score is None else str(row.icp_score)
            case _:
                value = getattr(row, key)
                return "" if value is None else str(value)
