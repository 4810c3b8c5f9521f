"""The BDR's home screen: every target account, filtered and sorted in the database."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from accounts.models import ABM_STAGES
from accounts.queries import AccountFilter
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY
from ui.context import AppContext
from ui.models.account_table import ID_ROLE, AccountTableModel
from ui.theme import icon
from ui.widgets.common import EmptyState, PageHeader, label

FILTER_DELAY_MS = 250


class AccountsPage(QWidget):
    openAccount = Signal(int)  # account id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.header = PageHeader("Accounts", "Your ABM target accounts")
        self.all_accounts_button = self.header.add_action("Show all accounts", "cancel", lambda: self.show_list(None))
        self.all_accounts_button.hide()

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search accounts by name or domain…")
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.industry = self._combo("All industries", [(t.label, t.key) for t in ctx.taxonomy.terms[INDUSTRY]])
        self.tier = self._combo("All tiers", [(f"Tier {t}", t) for t in (1, 2, 3)])
        self.stage = self._combo("All stages", [(ctx.taxonomy.label(ABM_STAGE, s), s) for s in ABM_STAGES])
        self.owner = self._combo("All owners", [("My accounts", ctx.user.id)])
        self.count = label("", "Muted")

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.search, 3)
        for w in (self.industry, self.tier, self.stage, self.owner):
            bar.addWidget(w, 1)
        bar.addWidget(self.count)

        self.model = AccountTableModel(ctx.workspace, ctx.taxonomy, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        for col, width in enumerate((260, 210, 200, 70, 130, 140, 95)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)

        self.empty = EmptyState(
            "accounts", "No target accounts yet",
            "Accounts are the companies your team is working. Load the demo workspace to look around "
            "(bdr-desk --demo), or import a list of companies from a CSV or XLSX file.",
        )
        self.no_match = EmptyState("filter", "No accounts match these filters",
                                   "Try a shorter search or clear the filters.")
        self.no_match.add_button("Clear filters", self.clear_filters, primary=True)
        self.stack = QStackedWidget()
        for w in (self.table, self.empty, self.no_match):
            self.stack.addWidget(w)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)

        self._debounce = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.industry, self.tier, self.stage, self.owner):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.model.totalChanged.connect(self._show_count)
        self.model.rowsInserted.connect(lambda *_: self._show_count(self.model.total))
        self._show_count(self.model.total)

    @staticmethod
    def _combo(everything: str, items: list[tuple[str, object]]) -> QComboBox:
        c = QComboBox()
        c.addItem(everything, None)
        for text, value in items:
            c.addItem(text, value)
        return c

    def current_filter(self) -> AccountFilter:
        def pick(combo: QComboBox) -> tuple:
            value = combo.currentData()
            return () if value is None else (value,)
        return AccountFilter(text=self.search.text(), industries=pick(self.industry), tiers=pick(self.tier),
                             stages=pick(self.stage), owner_ids=pick(self.owner),
                             list_id=self.model.account_filter.list_id)

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    def show_list(self, list_id: int | None, name: str = "") -> None:
        """Show the members of a target list (static or dynamic)."""
        flt = self.current_filter()
        self.model.set_filter(AccountFilter(flt.text, flt.industries, flt.tiers, flt.stages, flt.owner_ids, list_id))
        self.header.subtitle.setText(f"Target list: {name}" if list_id else "Your ABM target accounts")
        self.all_accounts_button.setVisible(list_id is not None)

    def clear_filters(self) -> None:
        for combo in (self.industry, self.tier, self.stage, self.owner):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.show_list(None)

    def refresh(self) -> None:
        self.model.refresh()

    def _show_count(self, total: int) -> None:
        loaded = self.model.rowCount()
        self.count.setText(f"{total:,} accounts" if loaded >= total else f"{loaded:,} of {total:,} loaded")
        if total:
            self.stack.setCurrentWidget(self.table)
        elif self.model.account_filter.is_empty:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.no_match)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openAccount.emit(int(self.model.data(index, ID_ROLE)))

    def selected_ids(self) -> list[int]:
        return [int(self.model.data(i, ID_ROLE)) for i in self.table.selectionModel().selectedRows()]
