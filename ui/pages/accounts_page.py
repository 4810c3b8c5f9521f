"""The BDR's home screen: every target account, filtered and sorted in the database.

Filters (a search box, everyday filters, "More filters", chips), a column chooser, multi-column sort
(click a header to sort, Shift+click to add a sort key), saved views (personal or shared), and bulk actions on
the selected rows (add to list, set tier / owner / stage) that run as jobs off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from accounts.queries import AccountFilter, AccountSort
from accounts.views import ViewInfo
from ui.context import AppContext
from ui.models.account_table import COLUMNS, DEFAULT_COLUMNS, ID_ROLE, AccountTableModel, describe_sort
from ui.pages.accounts_bulk import BulkActionsMixin
from ui.pages.accounts_views import SavedViewsMixin
from ui.theme import icon
from ui.widgets.column_chooser import ColumnChooser
from ui.widgets.common import EmptyState, PageHeader, label
from ui.widgets.filter_bar import FILTER_DELAY_MS, FilterBar

__all__ = ["FILTER_DELAY_MS", "AccountsPage"]

COLUMN_WIDTHS = {"name": 230, "domain": 180, "industry": 160, "tier": 90, "stage": 125, "owner": 130,
                 "icp_score": 112, "employees": 95, "sub_industry": 160, "segment": 110, "size_band": 120,
                 "hq_country": 100, "hq_city": 130, "last_activity_at": 120, "updated_at": 110}

_STYLE = """
#BulkBar { background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 8px; }
#BulkBar QLabel#BulkCount { font-weight: 600; color: #1e3a8a; }
#BulkBar QToolButton, #ViewsRow QToolButton {
    background: #ffffff; border: 1px solid #cbd5e1; border-radius: 6px; padding: 4px 10px;
}
#BulkBar QToolButton:hover, #ViewsRow QToolButton:hover { background: #f1f5f9; }
#BulkBar QToolButton::menu-indicator, #ViewsRow QToolButton::menu-indicator { image: none; width: 0; }
"""


def choose_import_kind(parent: QWidget) -> str:
    """Accounts or contacts? The seam tests replace; a small menu under the Import button."""
    from PySide6.QtGui import QCursor
    from PySide6.QtWidgets import QMenu

    menu = QMenu(parent)
    accounts = menu.addAction("Accounts — companies from a CSV or Excel file")
    contacts = menu.addAction("Contacts — people, matched to their accounts")
    chosen = menu.exec(QCursor.pos())
    return "contacts" if chosen is contacts else "accounts" if chosen is accounts else ""


class AccountsPage(SavedViewsMixin, BulkActionsMixin, QWidget):
    openAccount = Signal(int)  # account id
    bulkFinished = Signal(object)  # accounts.bulk.BulkResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.ctx = ctx
        self._views: list[ViewInfo] = []
        self._list_name = ""
        self.header = PageHeader("Accounts", "Your ABM target accounts")
        self.all_accounts_button = self.header.add_action("Show all accounts", "cancel", lambda: self.show_list(None))
        self.all_accounts_button.hide()
        self.icp_button = self.header.add_action("ICP rules…", "dashboard", self.open_icp_rules)
        self.import_button = self.header.add_action("Import…", "import", self.open_import)
        self.export_button = self.header.add_action("Export…", "save", self.open_export)
        self.duplicates_button = self.header.add_action("Duplicates…", "filter", self.open_duplicates)

        # ---- views row: saved views, sort keys, columns, count ----
        self.views = QComboBox()
        self.views.setMinimumContentsLength(22)
        self.views.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.views.setToolTip("Saved views: filters, sort order and columns under a name")
        self.save_view_button = QToolButton()
        self.save_view_button.setText("Save view…")
        self.save_view_button.setIcon(icon("save"))
        self.save_view_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.save_view_button.clicked.connect(self.save_current_view)
        self.delete_view_button = QToolButton()
        self.delete_view_button.setIcon(icon("cancel"))
        self.delete_view_button.setToolTip("Delete this saved view")
        self.delete_view_button.clicked.connect(self.delete_current_view)
        self.sort_label = label("", "Muted")
        self.count = label("", "Muted")

        self.filters = FilterBar(ctx)
        # the everyday widgets under their old names (tests and other pages use them)
        self.search, self.industry, self.tier, self.stage, self.owner = (
            self.filters.search, self.filters.industry, self.filters.tier, self.filters.stage, self.filters.owner)

        # ---- table ----
        self.model = AccountTableModel(ctx.workspace, ctx.taxonomy, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)  # header clicks are ours: click sorts, Shift+click adds a key
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        hh.setSectionsClickable(True)
        hh.setSortIndicatorShown(True)
        hh.setHighlightSections(False)
        hh.sectionClicked.connect(self._header_clicked)
        for col, (key, _title) in enumerate(COLUMNS):
            self.table.setColumnWidth(col, COLUMN_WIDTHS.get(key, 120))
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.columns = ColumnChooser(self.table, COLUMNS, DEFAULT_COLUMNS, required=("name",), parent=self)
        self.columns_button = self.columns.button()

        views_row = QWidget()
        views_row.setObjectName("ViewsRow")
        vr = QHBoxLayout(views_row)
        vr.setContentsMargins(0, 0, 0, 0)
        vr.setSpacing(8)
        vr.addWidget(label("View", "Muted"))
        vr.addWidget(self.views)
        vr.addWidget(self.save_view_button)
        vr.addWidget(self.delete_view_button)
        vr.addStretch(1)
        vr.addWidget(self.sort_label)
        vr.addSpacing(12)
        vr.addWidget(self.count)
        vr.addSpacing(4)
        vr.addWidget(self.columns_button)

        # ---- bulk bar ----
        self.bulk_bar = QFrame()
        self.bulk_bar.setObjectName("BulkBar")
        bb = QHBoxLayout(self.bulk_bar)
        bb.setContentsMargins(12, 6, 12, 6)
        bb.setSpacing(8)
        self.selection_label = QLabel("")
        self.selection_label.setObjectName("BulkCount")
        self.add_to_list_button = self._tool("Add to list…", "lists", self.bulk_add_to_list)
        self.set_tier_button = self._tool("Set tier", "accounts")
        self.set_owner_button = self._tool("Set owner", "person")
        self.set_stage_button = self._tool("Set stage", "filter")
        self.set_tier_button.setMenu(self._tier_menu())
        self.set_owner_button.setMenu(QMenu(self))
        self.set_owner_button.menu().aboutToShow.connect(lambda: self._fill_owner_menu(self.set_owner_button.menu()))
        self.set_stage_button.setMenu(self._stage_menu())
        clear_sel = QPushButton("Clear selection")
        clear_sel.setFlat(True)
        clear_sel.clicked.connect(lambda: self.table.clearSelection())
        bb.addWidget(self.selection_label)
        bb.addSpacing(8)
        for b in (self.add_to_list_button, self.set_tier_button, self.set_owner_button, self.set_stage_button):
            bb.addWidget(b)
        bb.addStretch(1)
        bb.addWidget(clear_sel)
        self.bulk_bar.setVisible(False)

        self.empty = EmptyState(
            "accounts", "No target accounts yet",
            "Accounts are the companies your team is working. Load the demo workspace to look around "
            "(bdr-desk --demo), or import a list of companies from a CSV or XLSX file.",
        )
        self.empty.add_button("Import accounts…", self.open_import, primary=True)
        self.no_match = EmptyState("filter", "No accounts match these filters",
                                   "Try a shorter search or clear the filters.")
        self.no_match.add_button("Clear filters", self.clear_filters, primary=True)
        self.stack = QStackedWidget()
        for w in (self.table, self.empty, self.no_match):
            self.stack.addWidget(w)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(10)
        lay.addWidget(self.header)
        lay.addSpacing(4)
        lay.addWidget(views_row)
        lay.addWidget(self.filters)
        lay.addWidget(self.bulk_bar)
        lay.addWidget(self.stack, 1)

        self.filters.changed.connect(self.apply_filter)
        self.views.activated.connect(self._view_chosen)
        self.model.totalChanged.connect(self._show_count)
        self.model.rowsInserted.connect(lambda *_: self._show_count(self.model.total))
        self.model.sortChanged.connect(lambda _s: self._show_sort())
        self.model.modelReset.connect(self._selection_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.reload_views()
        self._show_sort()
        self._show_count(self.model.total)

    # ---- small builders ----
    def current_filter(self) -> AccountFilter:
        return self.filters.current_filter()

    def apply_filter(self) -> None:
        self.filters.flush()
        flt = self.current_filter()
        self.model.set_filter(flt)
        if flt.list_id is None and self._list_name:
            self._show_list_header(None, "")

    def show_list(self, list_id: int | None, name: str = "") -> None:
        """Show the members of a target list (static or dynamic)."""
        from dataclasses import replace

        self.filters.reload_choices()
        self.filters.set_filter(replace(self.current_filter(), list_id=list_id), emit=False)
        self.model.set_filter(self.current_filter())
        self._show_list_header(list_id, name)

    def _show_list_header(self, list_id: int | None, name: str) -> None:
        self._list_name = name if list_id is not None else ""
        self.header.subtitle.setText(f"Target list: {name}" if list_id is not None else "Your ABM target accounts")
        self.all_accounts_button.setVisible(list_id is not None)

    def clear_filters(self) -> None:
        self.filters.clear(emit=False)
        self.show_list(None)

    def refresh(self) -> None:
        self.model.refresh()

    # ---- sort ----
    def _header_clicked(self, column: int) -> None:
        shift = bool(QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.model.sort_by_column(column, add=shift)

    def set_sort(self, sort: AccountSort) -> None:
        self.model.set_sort(sort)

    def _show_sort(self) -> None:
        sort = self.model.account_sort
        primary = sort.keys[0]
        col = next(i for i, (k, _t) in enumerate(COLUMNS) if k == primary.key)
        hh = self.table.horizontalHeader()
        hh.blockSignals(True)
        hh.setSortIndicator(col, Qt.SortOrder.DescendingOrder if primary.descending else Qt.SortOrder.AscendingOrder)
        hh.blockSignals(False)
        self.sort_label.setText(f"Sorted by {describe_sort(sort)}")
        self.sort_label.setToolTip("Click a column header to sort by it; Shift+click adds it as another sort key")

    # ---- saved views ----
    def open_icp_rules(self) -> None:
        from ui.scoring_dialog import IcpRulesDialog

        IcpRulesDialog(self.ctx, self).exec()
        self.refresh()

    def open_import(self) -> None:
        from ui.import_kinds import ACCOUNTS, CONTACTS
        from ui.import_wizard import ImportWizard

        choice = choose_import_kind(self)
        if not choice:
            return
        ImportWizard(self.ctx, self, kind={"accounts": ACCOUNTS, "contacts": CONTACTS}[choice]).exec()
        self.filters.reload_choices()
        self.refresh()

    def open_duplicates(self) -> None:
        from ui.duplicates_dialog import DuplicatesDialog

        DuplicatesDialog(self.ctx, self).exec()
        self.refresh()

    def open_export(self) -> None:
        from ui.export_dialog import export_accounts_dialog

        export_accounts_dialog(self, self.ctx, self.current_filter(), self.model.account_sort)

    # ---- count, empty states, opening ----
    def _show_count(self, total: int) -> None:
        loaded = self.model.rowCount()
        noun = "account" if total == 1 else "accounts"
        self.count.setText(f"{total:,} {noun}" if loaded >= total else f"{loaded:,} of {total:,} loaded")
        if total:
            self.stack.setCurrentWidget(self.table)
        elif self.model.account_filter.is_empty:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.no_match)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openAccount.emit(int(self.model.data(index, ID_ROLE)))
