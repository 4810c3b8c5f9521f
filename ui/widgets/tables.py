"""The one way BDR Desk sets up a read-only table view."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def make_table(model: QAbstractItemModel, widths: tuple[int, ...] = (), stretch: int = -1,
               sortable: bool = True) -> QTableView:
    """A read-only, row-selecting table; column ``stretch`` (default: the last) takes the spare width."""
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(sortable)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(30)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch >= 0:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(stretch < 0)
    for col, width in enumerate(widths):
        view.setColumnWidth(col, width)
    return view
