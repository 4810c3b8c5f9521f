"""A :class:`RecordTableModel` that can sort, colour and align, for bounded lists of plain dataclasses
(target lists, a search page of content, today's tasks).

Columns are ``(header, accessor)`` or ``(header, accessor, sort_key)``; without a sort key a column sorts
by its accessor's value (text case-insensitively). Empty values always sort last. Sorting reorders the
rows already loaded and keeps selections (persistent indexes) on the same records.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ui.models.record_table import Index, RecordTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class SortableRecordModel(RecordTableModel):
    def __init__(
        self, columns: Sequence[tuple[Any, ...]], rows: Sequence[Any] = (), parent: Any = None, *,
        align_right: Collection[int] = (), foreground: Callable[[Any], str | None] | None = None,
    ) -> None:
        super().__init__([(c[0], c[1]) for c in columns], (), parent)
        self._sort_keys: list[Callable[[Any], Any]] = [c[2] if len(c) > 2 else c[1] for c in columns]
        self._align_right = frozenset(align_right)
        self._foreground = foreground
        self._sort_column = -1
        self._descending = False
        self.set_rows(rows)

    # ---- sorting ----
    def _key(self, column: int) -> Callable[[Any], Any]:
        get = self._sort_keys[column]

        def key(row: Any) -> Any:
            value = get(row)
            return value.casefold() if isinstance(value, str) else value
        return key

    def _order(self, rows: list[Any]) -> list[int]:
        """Row positions in the current sort order (stable; empty values last either way)."""
        if self._sort_column < 0:
            return list(range(len(rows)))
        key = self._key(self._sort_column)
        keys = [key(r) for r in rows]
        present = [i for i, k in enumerate(keys) if k is not None and k != ""]
        missing = [i for i, k in enumerate(keys) if k is None or k == ""]
        try:
            present.sort(key=keys.__getitem__, reverse=self._descending)
        except TypeError:  # mixed types in one column: fall back to their text
            present.sort(key=lambda i: str(keys[i]), reverse=self._descending)
        return present + missing

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < self.columnCount():
            return
        self._sort_column, self._descending = column, order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        order_ = self._order(self._rows)
        new_row = {old: new for new, old in enumerate(order_)}
        self._rows = [self._rows[i] for i in order_]
        old = self.persistentIndexList()
        self.changePersistentIndexList(old, [self.index(new_row[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()

    def set_rows(self, rows: Sequence[Any]) -> None:
        rows = list(rows)
        super().set_rows([rows[i] for i in self._order(rows)])

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_of(self, record_id: Any) -> int:
        """The row showing the record with this ``id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if getattr(r, "id", None) == record_id), -1)

    # ---- extra roles ----
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self._foreground(row) if self._foreground else None
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if index.column() in self._align_right else None
        if role == ID_ROLE:
            return getattr(row, "id", None)
        if role == ROW_ROLE:
            return row
        return super().data(index, role)
