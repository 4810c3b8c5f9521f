"""Table models over a list of plain rows (frozen dataclasses, dicts): the one place for the row-list
plumbing every small table shares (counts, headers, flags, reset), and a column-accessor model on top."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[Any], Any]]


class RowsTableModel(QAbstractTableModel):
    """Rows in a Python list, headers in ``HEADERS`` (or :meth:`header_labels`); subclasses add ``data``."""

    HEADERS: Sequence[str] = ()

    def __init__(self, parent: Any = None, rows: Sequence[Any] = ()) -> None:
        super().__init__(parent)
        self._rows = list(rows)

    def header_labels(self) -> Sequence[str]:
        return self.HEADERS

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def rows(self) -> list[Any]:
        return list(self._rows)

    def valid(self, index: Index) -> bool:
        return index.isValid() and 0 <= index.row() < len(self._rows) \
            and 0 <= index.column() < len(self.header_labels())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.header_labels())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        labels = self.header_labels()
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(labels):
            return labels[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RecordTableModel(RowsTableModel):
    """Read-only columns given as (header, accessor) pairs."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Any] = (), parent: Any = None) -> None:
        super().__init__(parent, rows)
        self._columns = list(columns)

    def header_labels(self) -> Sequence[str]:
        return [header for header, _ in self._columns]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._columns[index.column()][1](self._rows[index.row()])
            return "" if value is None else str(value)
        return None
