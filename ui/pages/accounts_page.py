"""The BDR's home screen: every target account, filtered and sorted in the database.

Filters (a search box, everyday filters, "More filters", chips), a column chooser, multi-column sort
(click a header to sort, Shift+click to add a sort key), saved views (personal or shared), and bulk actions on
the selected rows (add to list, set tier / owner / stage) that run as jobs off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
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
from sqlalchemy import select

from accounts import bulk
from accounts.models import ABM_STAGES, TargetList
from accounts.queries import AccountFilter, AccountSort
from accounts.views import ViewError, ViewInfo, delete_view, list_views, save_view, view_state
from bdr_desk.taxonomy import ABM_STAGE
from bdr_desk.users import User
from ui import dialogs
from ui.context import AppContext
from ui.models.account_table import COLUMNS, DEFAULT_COLUMNS, ID_ROLE, AccountTableModel, describe_sort
from ui.theme import icon
from ui.widgets import pickers
from ui.widgets.column_chooser import ColumnChooser
from ui.widgets.common import EmptyState, PageHeader, label
from ui.widgets.filter_bar import FILTER_DELAY_MS, FilterBar

__all__ = ["FILTER_DELAY_MS", "AccountsPage"]

COLUMN_WIDTHS = {"name": 230, "domain": 180, "industry": 160, "tier": 70, "stage": 125, "owner": 130,
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


class AccountsPage(QWidget):
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
    def _tool(self, text: str, icon_name: str, slot: Callable[[], None] | None = None) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setIcon(icon(icon_name))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        if slot is None:
            b.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        else:
            b.clicked.connect(slot)
        return b

    def _tier_menu(self, parent: QWidget | None = None) -> QMenu:
        m = QMenu(parent or self)
        for t in (1, 2, 3):
            m.addAction(f"Tier {t}", lambda t=t: self.bulk_set("tier", t))
        m.addSeparator()
        m.addAction("No tier", lambda: self.bulk_set("tier", None))
        return m

    def _stage_menu(self, parent: QWidget | None = None) -> QMenu:
        m = QMenu(parent or self)
        for s in ABM_STAGES:
            m.addAction(self.ctx.taxonomy.label(ABM_STAGE, s), lambda s=s: self.bulk_set("abm_stage", s))
        return m

    def _fill_owner_menu(self, m: QMenu) -> None:
        m.clear()
        with self.ctx.workspace.session() as s:
            users = s.execute(select(User.id, User.name).order_by(User.name)).all()
        m.addAction("Me", lambda: self.bulk_set("owner_id", self.ctx.user.id))
        m.addSeparator()
        for uid, name in users:
            if uid != self.ctx.user.id:
                m.addAction(name, lambda uid=uid: self.bulk_set("owner_id", uid))
        m.addSeparator()
        m.addAction("Unassigned", lambda: self.bulk_set("owner_id", None))

    # ---- filter ----
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
    def reload_views(self, select_id: int | None = None) -> None:
        with self.ctx.workspace.session() as s:
            self._views = list_views(s, self.ctx.user.id)
        self.views.blockSignals(True)
        self.views.clear()
        self.views.addItem("All accounts (default)", None)
        mine = [v for v in self._views if v.mine]
        shared = [v for v in self._views if not v.mine]
        if mine:
            self.views.insertSeparator(self.views.count())
        for v in mine:
            self.views.addItem(icon("person"), v.label, v.id)
        if shared:
            self.views.insertSeparator(self.views.count())
        for v in shared:
            self.views.addItem(icon("accounts"), v.label, v.id)
        i = self.views.findData(select_id) if select_id is not None else 0
        self.views.setCurrentIndex(max(0, i))
        self.views.blockSignals(False)
        self._update_view_buttons()

    def current_view(self) -> ViewInfo | None:
        vid = self.views.currentData()
        return next((v for v in self._views if v.id == vid), None)

    def _update_view_buttons(self) -> None:
        v = self.current_view()
        self.delete_view_button.setEnabled(v is not None and v.mine)

    def _view_chosen(self, _index: int) -> None:
        v = self.current_view()
        if v is None:
            self.apply_view(None)
        else:
            self.apply_view(v)
        self._update_view_buttons()

    def apply_view(self, view: ViewInfo | None) -> None:
        """Show a saved view's filter, sort order and columns (None: the default view)."""
        if view is None:
            flt, sort, cols = AccountFilter(), AccountSort(), list(DEFAULT_COLUMNS)
        else:
            flt, sort, cols = view.account_filter, view.sort, view.columns or list(DEFAULT_COLUMNS)
        self.filters.reload_choices()
        self.filters.set_filter(flt, emit=False)
        self.columns.set_visible(cols)
        self.model.set_sort(sort)
        self.model.set_filter(self.current_filter())
        self._show_list_header(None, "")

    def current_state(self) -> dict[str, Any]:
        return view_state(self.current_filter(), self.model.account_sort, self.columns.visible_keys())

    def save_current_view(self) -> None:
        v = self.current_view()
        answer = pickers.ask_view(self, v.name if v and v.mine else "", v.shared if v and v.mine else False)
        if answer is None:
            return
        name, shared = answer
        overwrite = False
        existing = next((x for x in self._views if x.mine and x.name.casefold() == name.casefold()), None)
        if existing is not None:
            if not dialogs.ask(self, "Replace view", f"You already have a view named “{existing.name}”. Replace it "
                               "with the current filters, sort order and columns?"):
                return
            overwrite = True
        try:
            with self.ctx.workspace.session() as s:
                saved = save_view(s, self.ctx.user.id, name, self.current_state(), shared=shared, overwrite=overwrite)
        except ViewError as exc:
            dialogs.show_error(self, "Could not save the view", str(exc))
            return
        self.reload_views(select_id=saved.id)

    def delete_current_view(self) -> None:
        v = self.current_view()
        if v is None or not v.mine:
            return
        if not dialogs.ask(self, "Delete view", f"Delete the saved view “{v.name}”? The accounts are not affected."):
            return
        try:
            with self.ctx.workspace.session() as s:
                delete_view(s, v.id, self.ctx.user.id)
        except ViewError as exc:
            dialogs.show_error(self, "Could not delete the view", str(exc))
            return
        self.reload_views()

    # ---- selection and bulk actions ----
    def selected_ids(self) -> list[int]:
        return [int(self.model.data(i, ID_ROLE)) for i in self.table.selectionModel().selectedRows()]

    def _selection_changed(self, *_: Any) -> None:
        n = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
        self.selection_label.setText(f"{n:,} selected")
        self.bulk_bar.setVisible(n > 0)

    def _context_menu(self, pos: QPoint) -> None:
        if not self.selected_ids():
            return
        self.context_menu().popup(self.table.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        m = QMenu(self)
        ids = self.selected_ids()
        if len(ids) == 1:
            m.addAction(icon("accounts"), "Open account", lambda: self.openAccount.emit(ids[0]))
            m.addSeparator()
        m.addAction(icon("lists"), "Add to list…", self.bulk_add_to_list)
        tier = m.addMenu(icon("accounts"), "Set tier")
        for a in self._tier_menu(m).actions():
            tier.addAction(a)
        owner = m.addMenu(icon("person"), "Set owner")
        self._fill_owner_menu(owner)
        stage = m.addMenu(icon("filter"), "Set stage")
        for a in self._stage_menu(m).actions():
            stage.addAction(a)
        return m

    def bulk_set(self, field: str, value: Any) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        ws, user_id = self.ctx.workspace, self.ctx.user.id

        def job(progress: Any, token: Any) -> bulk.BulkResult:
            def report(done: int, total: int, message: str) -> None:
                token.raise_if_cancelled()
                progress(done, total, message)
            with ws.session() as s:
                return bulk.set_field(s, ids, field, value, user_id, progress=report)

        label_ = bulk.FIELD_LABELS[field]
        self.ctx.jobs.start(f"Set {label_} on {len(ids):,} accounts", job, on_success=self._bulk_done,
                            parent_widget=self)

    def bulk_add_to_list(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        with self.ctx.workspace.session() as s:
            names = list(s.scalars(select(TargetList.name).where(TargetList.kind == "static")
                                   .order_by(TargetList.name)))
        name = pickers.choose_list(self, names, len(ids))
        if not name:
            return
        ws, user_id = self.ctx.workspace, self.ctx.user.id

        def job(progress: Any, token: Any) -> bulk.BulkResult:
            def report(done: int, total: int, message: str) -> None:
                token.raise_if_cancelled()
                progress(done, total, message)
            with ws.session() as s:
                return bulk.add_to_list(s, ids, name, user_id, progress=report)

        self.ctx.jobs.start(f"Add {len(ids):,} accounts to {name}", job, on_success=self._bulk_done,
                            on_failure=lambda msg, _tb: dialogs.show_error(self, "Could not add to the list", msg),
                            parent_widget=self)

    def _bulk_done(self, result: object) -> None:
        selected = set(self.selected_ids())
        if isinstance(result, bulk.BulkResult) and result.list_created:
            self.filters.reload_choices()
        self.model.refresh()
        self._reselect(selected)
        self.bulkFinished.emit(result)

    def _reselect(self, ids: set[int]) -> None:
        sel = self.table.selectionModel()
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id in ids:
                sel.select(self.model.index(row, 0), sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    # ---- other people's dialogs (guarded: they may not be installed yet) ----
    def open_icp_rules(self) -> None:
        try:
            from ui.scoring_dialog import IcpRulesDialog
        except ImportError as exc:
            dialogs.show_error(self, "ICP rules unavailable", f"The ICP rules editor could not be loaded: {exc}")
            return
        IcpRulesDialog(self.ctx, self).exec()
        self.refresh()

    def open_import(self) -> None:
        try:
            from ui.import_wizard import ImportWizard
        except ImportError as exc:
            dialogs.show_error(self, "Import unavailable", f"The import wizard could not be loaded: {exc}")
            return
        ImportWizard(self.ctx, self).exec()
        self.filters.reload_choices()
        self.refresh()

    def open_export(self) -> None:
        try:
            from ui.export_dialog import export_accounts_dialog
        except ImportError as exc:
            dialogs.show_error(self, "Export unavailable", f"The export dialog could not be loaded: {exc}")
            return
        export_accounts_dialog(self, self.ctx, self.current_filter())

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
