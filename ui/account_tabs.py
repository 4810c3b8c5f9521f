"""Pieces of the account window's tabs, kept out of ``ui.account_window``: a table with its empty state, and
the Hierarchy tab (the account's family as a tree)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStackedWidget,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.models.hierarchy_tree import ID_ROLE as TREE_ID_ROLE
from ui.models.hierarchy_tree import HierarchyTreeModel
from ui.widgets.common import EmptyState, label


def with_empty(view: QTableView, icon_name: str, title: str, text: str) -> QWidget:
    """``view``, or an empty state in its place while its model has no rows."""
    stack = QStackedWidget()
    stack.addWidget(view)
    stack.addWidget(EmptyState(icon_name, title, text))
    view.model().modelReset.connect(lambda: stack.setCurrentIndex(0 if view.model().rowCount() else 1))
    return stack


class HierarchyTab(QWidget):
    """The parent line, the family tree (figures rolled up), and a note; double-clicking another account of the
    family asks to open it."""

    openAccount = Signal(int)

    def __init__(self, model: HierarchyTreeModel, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.account_id = model, account_id
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(8)
        self.parent_label = label("", "")
        self.note = label("", "Muted", wrap=True)
        self.tree = QTreeView()
        self.tree.setModel(model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeView::item { padding: 5px 2px; }")
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.doubleClicked.connect(self._open_node)
        self.tree.activated.connect(self._open_node)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, model.columnCount()):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.tree.setColumnWidth(col, 100 if col < 4 else 120)
        self.single = EmptyState("link", "No parent or child accounts",
                                 "Set a parent account on the Overview tab to place this account in a "
                                 "group; its subsidiaries appear here with their contacts, activity and pipeline.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.single)
        lay.addWidget(self.parent_label)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.note)

    def _open_node(self, index: QModelIndex) -> None:
        account_id = self.model.data(index.siblingAtColumn(0), TREE_ID_ROLE)
        if account_id is not None and int(account_id) != self.account_id:
            self.openAccount.emit(int(account_id))
