"""An account's family (from the top-most ancestor down) as a tree model with roll-ups per node."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from accounts.hierarchy import Family, HierarchyNode

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Account", "Contacts", "Activities", "Open opps", "Pipeline")
ID_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_BG = QColor("#dbeafe")


class HierarchyTreeModel(QAbstractItemModel):
    """Nodes are addressed by their position in a flat list (``internalId``), so no Python object has to
    outlive Qt's pointer."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._nodes: list[HierarchyNode] = []
        self._parent: list[int] = []  # flat index of each node's parent (-1 for the root)
        self._row: list[int] = []  # row of each node under its parent
        self._children: list[list[int]] = []
        self._current: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_family(self, family: Family | None) -> None:
        self.beginResetModel()
        self._nodes, self._parent, self._row, self._children = [], [], [], []
        self._current = family.current_id if family else None
        if family is not None:
            self._add(family.root, -1, 0)
        self.endResetModel()

    def _add(self, node: HierarchyNode, parent: int, row: int) -> int:
        i = len(self._nodes)
        self._nodes.append(node)
        self._parent.append(parent)
        self._row.append(row)
        self._children.append([])
        for r, child in enumerate(node.children):
            self._children[i].append(self._add(child, i, r))
        return i

    def node(self, index: Index) -> HierarchyNode | None:
        return self._nodes[index.internalId()] if index.isValid() else None

    def index_of(self, account_id: int) -> QModelIndex:
        for i, n in enumerate(self._nodes):
            if n.id == account_id:
                return self.createIndex(self._row[i], 0, i)
        return QModelIndex()

    # ---- Qt model API ----
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row == 0 and self._nodes else QModelIndex()
        if parent.column() != 0:
            return QModelIndex()
        kids = self._children[parent.internalId()]
        return self.createIndex(row, column, kids[row]) if row < len(kids) else QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        p = self._parent[index.internalId()]
        return QModelIndex() if p < 0 else self.createIndex(self._row[p], 0, p)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return 1 if self._nodes else 0
        if parent.column() != 0:
            return 0
        return len(self._children[parent.internalId()])

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section:
                return "This account and every account below it"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.internalId() >= len(self._nodes):
            return None
        n = self._nodes[index.internalId()]
        col = index.column()
        current = n.id == self._current
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return n.name + ("  (this account)" if current else "")
            return (str(n.total_contacts), str(n.total_activities), str(n.total_open_opportunities),
                    f"${n.total_pipeline:,.0f}")[col - 1]
        if role == ID_ROLE:
            return n.id
        if role == Qt.ItemDataRole.FontRole and current:
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole and current:
            return QBrush(CURRENT_BG)
        if role == Qt.ItemDataRole.TextAlignmentRole and col:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return f"{n.name}\n{n.domain or 'no domain'}" + (f" · Tier {n.tier}" if n.tier else "") + \
                    "\nDouble-click to open"
            own = (n.contacts, n.activities, n.open_opportunities, f"${n.pipeline:,.0f}")[col - 1]
            return f"{own} on this account itself; the figure includes the accounts below it"
        return None
