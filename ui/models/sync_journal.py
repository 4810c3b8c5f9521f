"""The sync journal: SyncRun rows (plain ``SyncRunRow`` dataclasses) as a read-only table, numbers
right-aligned and failed runs in red."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ui.models.record_table import Column, RecordTableModel

Index = QModelIndex | QPersistentModelIndex
STATUS_COLORS = {"failed": "#b91c1c", "partial": "#b45309", "running": "#1d4ed8"}


class SyncJournalModel(RecordTableModel):
    def __init__(self, columns: Sequence[Column], numeric: Sequence[str] = (), status_column: str = "",
                 parent: Any = None) -> None:
        super().__init__(columns, (), parent)
        headers = [c[0] for c in columns]
        self._numeric = {headers.index(h) for h in numeric}
        self._status = headers.index(status_column) if status_column else -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.rowCount() or index.column() >= self.columnCount():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if index.column() in self._numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self._status:
            color = STATUS_COLORS.get(getattr(self.row_at(index.row()), "status", ""))
            return QColor(color) if color else None
        return super().data(index, role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.TextAlignmentRole and orientation == Qt.Orientation.Horizontal:
            horizontal = Qt.AlignmentFlag.AlignRight if section in self._numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return super().headerData(section, orientation, role)
