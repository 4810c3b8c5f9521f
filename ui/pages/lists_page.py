"""Target lists: the static lists and saved filters an ABM program works from, with live account counts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from accounts.target_lists import ListError, TargetListRow, create_list, delete_list, list_target_lists
from ui import dialogs
from ui.context import AppContext
from ui.models.sortable_records import ID_ROLE, SortableRecordModel
from ui.theme import icon
from ui.widgets.common import EmptyState, PageHeader, label
from ui.widgets.tables import make_table


def run_dialog(dialog: QDialog) -> int:
    """The seam for modal dialogs of this page (tests replace it)."""
    return dialog.exec()

KIND_LABELS = {"static": "Static", "dynamic": "Dynamic"}
EMPTY_TEXT = (
    "A target list groups the accounts an ABM program works. A static list is a fixed set of accounts: "
    "select accounts on the Accounts page and save them as a list, or import a list of companies from a "
    "CSV or XLSX file. A dynamic list is a saved filter (industry, tier, stage, owner) whose members stay "
    "current as accounts change."
)


def _date(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value else ""


class ListsPage(QWidget):
    openList = Signal(int, str)  # list id, list name

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.header = PageHeader("Target lists", "The account lists your ABM programs work from")
        self.count = label("", "Muted")
        self.header.actions.addWidget(self.count)
        self.new_button = self.header.add_action("New list…", "plus", self.new_list, primary=True)

        self.model = SortableRecordModel([
            ("List", lambda r: r.name),
            ("Kind", lambda r: KIND_LABELS.get(r.kind, r.kind)),
            ("Accounts", lambda r: f"{r.account_count:,}", lambda r: r.account_count),
            ("Owner", lambda r: r.owner),
            ("Updated", lambda r: _date(r.updated_at), lambda r: r.updated_at),
        ], parent=self, align_right={2})
        self.table = make_table(self.model, (260, 90, 90, 150, 100), stretch=0)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

        self.detail = self._detail_pane()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([700, 360])
        self.content = split

        self.empty = EmptyState("lists", "No target lists yet", EMPTY_TEXT)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.empty)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addWidget(self.stack, 1)
        self.refresh()

    def _detail_pane(self) -> QFrame:
        pane = QFrame(objectName="Card")
        pane.setMinimumWidth(300)
        self.detail_name = label("", "SectionTitle", wrap=True)
        self.detail_kind = label("", "Badge")
        self.detail_count = label("", "Muted", wrap=True)
        self.detail_description = label("", wrap=True)
        self.detail_kcir = label("", "Muted", wrap=True)
        self.detail_criteria_title = label("Saved filter", "Muted")
        self.detail_criteria = label("", wrap=True)
        self.detail_criteria.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(icon("accounts", "#ffffff"), "Open in Accounts")
        self.open_button.setObjectName("Primary")
        self.open_button.clicked.connect(self.open_current)
        kind_row = QHBoxLayout()
        kind_row.setSpacing(8)
        kind_row.addWidget(self.detail_kind, 0, Qt.AlignmentFlag.AlignTop)
        kind_row.addWidget(self.detail_count, 1)
        self.open_button.setMinimumWidth(self.open_button.sizeHint().width())
        self.export_button = QPushButton(icon("import"), "Export…")
        self.export_button.setToolTip("Export this list to CSV or Excel, in HubSpot or Salesforce columns")
        self.export_button.clicked.connect(self.export_current)
        self.plans_button = QPushButton(icon("template"), "Export plans…")
        self.plans_button.setToolTip("Export the account plan of every account in this list (PDF, Word, "
                                     "Markdown or HTML), into a folder or one combined PDF")
        self.plans_button.clicked.connect(self.export_plans)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        self.delete_button = QPushButton("Delete list")
        self.delete_button.clicked.connect(self.delete_current)
        buttons.addWidget(self.delete_button)
        exports = QHBoxLayout()  # a row of its own: the detail pane is narrow
        exports.setSpacing(8)
        exports.addWidget(self.export_button)
        exports.addWidget(self.plans_button)
        exports.addStretch(1)
        self.research_button = QPushButton(icon("globe"), "Research all accounts…")
        self.research_button.setToolTip("Research the website of every account in this list, one at a time, in "
                                        "the background (resumable)")
        self.research_button.clicked.connect(self.research_all)
        research = QHBoxLayout()
        research.addWidget(self.research_button)
        research.addStretch(1)
        lay = QVBoxLayout(pane)
        lay.setContentsMargins(18, 16, 18, 16)
        lay.setSpacing(10)
        lay.addWidget(self.detail_name)
        lay.addLayout(kind_row)
        lay.addWidget(self.detail_description)
        lay.addWidget(self.detail_kcir)
        lay.addSpacing(4)
        lay.addWidget(self.detail_criteria_title)
        lay.addWidget(self.detail_criteria)
        lay.addSpacing(8)
        lay.addLayout(buttons)
        lay.addLayout(exports)
        lay.addLayout(research)
        lay.addStretch(1)
        return pane

    # ---- data ----
    def refresh(self) -> None:
        selected = self.current_list()
        with self.ctx.workspace.session() as s:
            rows = list_target_lists(s, self.ctx.taxonomy)
        self.model.set_rows(rows)
        n = len(rows)
        self.count.setText(f"{n:,} list{'s' if n != 1 else ''}" if n else "")
        self.stack.setCurrentWidget(self.content if rows else self.empty)
        row = self.model.row_of(selected.id) if selected else -1
        if rows:
            self.table.selectRow(max(row, 0))
        self._show_selected()

    def current_list(self) -> TargetListRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _show_selected(self, *_: object) -> None:
        row = self.current_list()
        self.open_button.setEnabled(row is not None)
        self.export_button.setEnabled(row is not None)
        self.plans_button.setEnabled(row is not None and row.account_count > 0)
        self.research_button.setEnabled(row is not None and row.account_count > 0)
        self.delete_button.setEnabled(row is not None)
        if row is None:
            for w in (self.detail_name, self.detail_kind, self.detail_count, self.detail_description,
                      self.detail_criteria, self.detail_kcir):
                w.setText("")
            self.detail_kind.hide()
            self.detail_criteria_title.hide()
            self.detail_name.setText("Select a list to see what it holds")
            return
        self.detail_name.setText(row.name)
        self.detail_kind.setText(KIND_LABELS.get(row.kind, row.kind))
        self.detail_kind.show()
        accounts = f"{row.account_count:,} account{'s' if row.account_count != 1 else ''}"
        owner = f" · owned by {row.owner}" if row.owner else ""
        self.detail_count.setText(accounts + owner)
        self.detail_description.setText(row.description or "No description.")
        self.detail_kcir.setText(self._kcir_text(row.id))
        self.detail_criteria_title.show()
        if row.is_dynamic:
            self.detail_criteria_title.setText("Saved filter — members update as accounts change")
            self.detail_criteria.setText(row.criteria)
        else:
            self.detail_criteria_title.setText("Static list")
            self.detail_criteria.setText("Accounts were added by hand or by import; the list changes only "
                                         "when someone adds or removes accounts.")

    # ---- actions ----
    def open_current(self) -> None:
        row = self.current_list()
        if row is not None:
            self.openList.emit(row.id, row.name)

    def _kcir_text(self, list_id: int) -> str:
        from accounts.queries import AccountFilter
        from accounts.stakeholders import key_contact_identification_rate

        with self.ctx.workspace.session() as s:
            k = key_contact_identification_rate(s, AccountFilter(list_id=list_id))
        if not k.accounts:
            return "Key contact identification rate: no open target accounts in this list"
        return (f"Key contact identification rate: {k.rate:.0%} — {k.identified:,} of {k.accounts:,} accounts "
                "have every required buying role identified")

    def new_list(self) -> None:
        from ui.widgets.new_list_dialog import NewListDialog

        dlg = NewListDialog(self.ctx, self)
        if run_dialog(dlg) != QDialog.DialogCode.Accepted:
            return
        try:
            with self.ctx.workspace.session() as s:
                new_id = create_list(s, owner_id=self.ctx.user.id, **dlg.values()).id
        except ListError as exc:
            dialogs.show_error(self, "Cannot create the list", str(exc))
            return
        self.refresh()
        self.table.selectRow(max(self.model.row_of(new_id), 0))

    def delete_current(self) -> None:
        row = self.current_list()
        if row is None or not dialogs.ask(self, "Delete list", f"Delete the list {row.name!r}? Its accounts stay."):
            return
        with self.ctx.workspace.session() as s:
            delete_list(s, row.id)
        self.refresh()

    def export_current(self) -> None:
        from accounts.queries import AccountFilter
        from ui.export_dialog import export_accounts_dialog

        row = self.current_list()
        if row is not None:
            export_accounts_dialog(self, self.ctx, AccountFilter(list_id=row.id), list_id=row.id)

    def export_plans(self) -> None:
        from ui.plans.list_export import PlanListExportDialog

        row = self.current_list()
        if row is not None:
            dlg = PlanListExportDialog(self.ctx, row.id, row.name, row.account_count, self)
            run_dialog(dlg)
            if dlg.handle is None:
                dlg.deleteLater()
            else:  # closed while cancelling: go once the job has stopped
                dlg.handle.done.connect(dlg.deleteLater)

    def research_all(self) -> None:
        from ui.research.queue_dialog import ResearchQueueDialog

        row = self.current_list()
        if row is not None:
            dlg = ResearchQueueDialog(self.ctx, row.id, row.name, self)
            run_dialog(dlg)  # the research goes on in the background after the dialog closes
            dlg.deleteLater()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            row = self.model.row_at(index.row())
            self.openList.emit(int(self.model.data(index, ID_ROLE)), row.name)
