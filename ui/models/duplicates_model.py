"""The duplicate-review list: candidate pairs of accounts (names and domains, score, why), best first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from accounts.dedupe import DuplicateCandidate
from ui.models.record_table import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
PAIR_ROLE = Qt.ItemDataRole.UserRole + 20
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)



def _side(name: str, domain: str | None) -> str:
    return f"{name}\n{domain or 'no domain'}"


class DuplicatePairsModel(RowsTableModel):
    HEADERS = ("Account A", "Account B", "Score", "Why")

    def set_pairs(self, pairs: Sequence[DuplicateCandidate]) -> None:
        self.set_rows(pairs)

    def pair(self, row: int) -> DuplicateCandidate:
        return self._rows[row]

    def pairs(self) -> list[DuplicateCandidate]:
        return list(self._rows)

    def row_of(self, a_id: int, b_id: int) -> int:
        want = {a_id, b_id}
        return next((i for i, p in enumerate(self._rows) if {p.a_id, p.b_id} == want), -1)

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def account_merged(self, keep_id: int, merged_id: int, name: str, domain: str | None) -> None:
        """After a merge: drop every pair that involved the merged account, rename the kept one elsewhere."""
        for row in reversed(range(len(self._rows))):
            p = self._rows[row]
            if merged_id in (p.a_id, p.b_id):
                self.remove_row(row)
        for row, p in enumerate(self._rows):
            if keep_id in (p.a_id, p.b_id):
                self._rows[row] = replace(p, a_name=name, a_domain=domain) if p.a_id == keep_id \
                    else replace(p, b_name=name, b_domain=domain)
                self.dataChanged.emit(self.index(row, 0), self.index(row, 1))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p, col = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return _side(p.a_name, p.a_domain)
            if col == 1:
                return _side(p.b_name, p.b_domain)
            if col == 2:
                return f"{p.score:.0f}"
            if col == 3:
                return p.reason[:1].upper() + p.reason[1:]
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QColor("#15803d" if p.score >= 95 else "#b45309")
        if role == PAIR_ROLE:
            return p
        return None
