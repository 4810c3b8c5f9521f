"""The account workspace: one account's firmographics (editable, with optimistic locking), its buying
committee, messaging, website research, its recent activity and its place in the account hierarchy."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.account_detail import (
    AccountDetail,
    AccountEditError,
    AccountNotFound,
    load_account_detail,
    update_account,
)
from accounts.hierarchy import family
from accounts.history import timeline
from accounts.models import ABM_STAGES
from accounts.queries import find_accounts
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SEGMENT_LABELS, SIZE_BAND
from bdr_desk.users import User
from ui import dialogs
from ui.account_content_panel import AccountContentPanel
from ui.account_tabs import HierarchyTab, with_empty
from ui.context import AppContext
from ui.messaging.messaging_tab import MessagingPanel
from ui.models.hierarchy_tree import HierarchyTreeModel
from ui.models.record_table import RecordTableModel
from ui.models.timeline import TimelineModel
from ui.plans.plan_panel import PlanPanel
from ui.research.panel import ResearchPanel
from ui.stakeholders_panel import StakeholdersPanel
from ui.theme import app_icon, icon
from ui.widgets import pickers
from ui.widgets.common import Card, label
from ui.widgets.score_explanation import ScoreExplanation
from ui.widgets.tables import make_table

TEXT_FIELDS = ("name", "website", "sub_industry", "employees", "annual_revenue", "hq_country", "hq_region", "hq_city")


class AccountWindow(QWidget):
    saved = Signal(int)  # account id
    openAccount = Signal(int)  # another account of the family, double-clicked in the hierarchy tree

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("AccountWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.ctx = ctx
        self.account_id = account_id
        self.detail: AccountDetail | None = None
        self._loaded: dict[str, object] = {}
        self._parent_id: int | None = None
        self._parent_name: str | None = None
        self.setWindowIcon(app_icon())
        self.resize(1180, 760)  # ten tabs fit without scroll arrows

        self.title = label("", "PageTitle")
        self.subtitle = label("", "PageSubtitle")
        self.badges = QHBoxLayout()
        head = QVBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.subtitle)
        head.addLayout(self.badges)
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save changes")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        self.reload_button = QPushButton("Reload")
        self.reload_button.clicked.connect(self.load)
        top = QHBoxLayout()
        top.addLayout(head, 1)
        self.plan_button = QPushButton(icon("template"), "Account plan")
        self.plan_button.setToolTip("Export this account's plan, snapshot it, see what changed since")
        self.plan_button.clicked.connect(lambda: self.tabs.setCurrentWidget(self.plan_panel))
        top.addWidget(self.plan_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)

        self.cards = {k: Card(c) for k, c in (("contacts", "Stakeholders"), ("icp", "ICP score"),
                                                 ("opps", "Open opportunities"), ("pipeline", "Pipeline"))}
        cards = QHBoxLayout()
        for c in self.cards.values():
            cards.addWidget(c)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._overview_tab(), icon("accounts"), "Overview")
        self.stakeholders = StakeholdersPanel(ctx, account_id)
        self.stakeholders.changed.connect(self._stakeholders_changed)
        self.contacts_model = self.stakeholders.model  # the committee as a table (ContactsModel)
        self.contacts_view = self.stakeholders.table
        self.tabs.addTab(self.stakeholders, icon("person"), "Stakeholders")
        self.content_panel = AccountContentPanel(ctx, account_id)  # recommendations load when the tab opens
        self.tabs.addTab(self.content_panel, icon("content"), "Content")
        self.messaging = MessagingPanel(ctx, account_id)  # pain hypotheses, the message map, drafting
        self.tabs.addTab(self.messaging, icon("bulb"), "Messaging")
        self.research = ResearchPanel(ctx, account_id)  # website research; loads when the tab opens
        self.research.accountChanged.connect(self._changed_elsewhere)
        self.research.contactsChanged.connect(lambda: (self.stakeholders.load(), self._stakeholders_changed()))
        self.research.editWebsite.connect(lambda: (self.tabs.setCurrentIndex(0), self.fields["website"].setFocus()))
        self.tabs.addTab(self.research, icon("globe"), "Research")
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.quick_log)
        self._stakeholders_loaded = True  # the panel loads itself; reloads go through load()
        self.activity_model = RecordTableModel([
            ("When", lambda a: a.occurred_at.strftime("%Y-%m-%d %H:%M")), ("Type", lambda a: a.type),
            ("Outcome", lambda a: a.outcome), ("Contact", lambda a: a.contact), ("Subject", lambda a: a.subject),
        ], parent=self)
        self.activity_view = make_table(self.activity_model, (130, 80, 120, 160), sortable=False)
        self.tabs.addTab(with_empty(self.activity_view, "calendar", "No activity yet",
                                    "Calls, emails and meetings logged for this account appear here, "
                                    "newest first."), icon("calendar"), "Activity")
        self.timeline_model = TimelineModel(parent=self)
        self.timeline_view = make_table(self.timeline_model, (140, 150, 420, 220), stretch=2, sortable=False)
        self.tabs.addTab(with_empty(self.timeline_view, "calendar", "Nothing has happened yet",
                                    "Every change to this account (edits, imports, bulk actions, rescoring) "
                                    "and every logged activity appears here, newest first."),
                         icon("lists"), "Timeline")
        self.children_model = RecordTableModel([("Child account", lambda c: c[1])], parent=self)
        self.hierarchy_model = HierarchyTreeModel(self)
        self.plan_panel = PlanPanel(ctx, account_id)  # export, snapshots and the diff; loads when shown
        self.tabs.addTab(self.plan_panel, icon("template"), "Plan")
        self.hierarchy = HierarchyTab(self.hierarchy_model, account_id)
        self.hierarchy.openAccount.connect(self.openAccount)
        self.tree, self.tree_stack, self.single = self.hierarchy.tree, self.hierarchy.stack, self.hierarchy.single
        self.parent_label, self.hierarchy_note = self.hierarchy.parent_label, self.hierarchy.note
        self.tabs.addTab(self.hierarchy, icon("link"), "Hierarchy")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(14)
        lay.addLayout(top)
        lay.addLayout(cards)
        lay.addWidget(self.tabs, 1)
        self.load()

    # ---- layout pieces ----
    def _overview_tab(self) -> QWidget:
        self.fields: dict[str, QLineEdit] = {k: QLineEdit() for k in TEXT_FIELDS}
        self.fields["employees"].setPlaceholderText("e.g. 1,200")
        self.fields["hq_country"].setPlaceholderText("ISO code, e.g. DE")
        self.fields["hq_country"].setMaxLength(2)
        tax = self.ctx.taxonomy
        self.industry = QComboBox()
        self.industry.addItem("—", None)
        for t in tax.terms[INDUSTRY]:
            self.industry.addItem(t.label, t.key)
        self.tier = QComboBox()
        self.tier.addItem("No tier", None)
        for t in (1, 2, 3):
            self.tier.addItem(f"Tier {t}", t)
        self.stage = QComboBox()
        for s in ABM_STAGES:
            self.stage.addItem(tax.label(ABM_STAGE, s), s)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Notes about this account: priorities, context, next steps…")
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setHorizontalSpacing(12)
            form.setVerticalSpacing(8)
        left.addRow("Name", self.fields["name"])
        left.addRow("Website", self.fields["website"])
        self.domain = label("", "Muted")
        left.addRow("Domain", self.domain)
        left.addRow("Industry", self.industry)
        left.addRow("Sub-industry", self.fields["sub_industry"])
        left.addRow("Employees", self.fields["employees"])
        left.addRow("Annual revenue", self.fields["annual_revenue"])
        self.tier_note = label("", "Muted")
        tier_row = QHBoxLayout()
        tier_row.setSpacing(8)
        tier_row.addWidget(self.tier, 1)
        tier_row.addWidget(self.tier_note)
        right.addRow("Tier", tier_row)
        right.addRow("ABM stage", self.stage)
        self.owner = QComboBox()
        self.owner.addItem("Unassigned", None)
        with self.ctx.workspace.session() as session:
            for uid, uname in session.execute(select(User.id, User.name).order_by(User.name)):
                self.owner.addItem(uname, uid)
        right.addRow("Owner", self.owner)
        right.addRow("HQ country", self.fields["hq_country"])
        right.addRow("HQ region", self.fields["hq_region"])
        right.addRow("HQ city", self.fields["hq_city"])
        self.segment = label("", "Muted")
        right.addRow("Segment", self.segment)
        self.parent_name = label("", "")
        self.parent_name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.parent_change = QPushButton("Change…")
        self.parent_change.setToolTip("Choose the parent account (the hierarchy above this account)")
        self.parent_change.clicked.connect(self.choose_parent)
        self.parent_clear = QPushButton(icon("cancel"), "")
        self.parent_clear.setFixedWidth(36)
        self.parent_clear.setToolTip("Remove the parent account")
        self.parent_clear.clicked.connect(lambda: self.set_parent(None, None))
        parent_row = QHBoxLayout()
        parent_row.setSpacing(6)
        parent_row.addWidget(self.parent_name, 1)
        parent_row.addWidget(self.parent_change)
        parent_row.addWidget(self.parent_clear)
        left.addRow("Parent account", parent_row)

        # why this ICP score: each rule that fired and its points
        self.icp_area = QVBoxLayout()
        self.icp_area.setSpacing(4)
        self.icp_widget = ScoreExplanation()
        self.icp_area.addWidget(self.icp_widget)
        w = QWidget()
        grid = QGridLayout(w)
        grid.setContentsMargins(16, 16, 16, 16)
        grid.setHorizontalSpacing(32)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setRowMinimumHeight(1, 8)
        grid.addWidget(label("Notes", "SectionTitle"), 2, 0)
        grid.addWidget(label("Why this ICP score", "SectionTitle"), 2, 1)
        grid.addWidget(self.notes, 3, 0)
        grid.addLayout(self.icp_area, 3, 1, Qt.AlignmentFlag.AlignTop)
        grid.setRowStretch(3, 1)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        return w

    # ---- parent account ----
    def choose_parent(self) -> None:
        ws = self.ctx.workspace

        def search(text: str) -> list:
            with ws.session() as s:
                return find_accounts(s, text, exclude=(self.account_id,))

        choice = pickers.pick_account(self, "Parent account", "Choose the account this one belongs to "
                                      "(its parent company or group).", search)
        if choice is not None:
            self.set_parent(choice.id, choice.name)

    def set_parent(self, parent_id: int | None, name: str | None) -> None:
        """A pending change of parent (saved with the other changes)."""
        self._parent_id, self._parent_name = parent_id, name
        self.parent_name.setText(name or "None")
        self.parent_clear.setEnabled(parent_id is not None)

    # ---- data ----
    def load(self) -> None:
        try:
            with self.ctx.workspace.session() as s:
                d = load_account_detail(s, self.account_id)
                entries = timeline(s, self.account_id)
                fam = family(s, self.account_id)
        except AccountNotFound as exc:
            dialogs.show_error(self, "Account not found", str(exc))
            self.close()
            return
        self.detail = d
        tax = self.ctx.taxonomy
        self.setWindowTitle(f"{d.name} — BDR Desk")
        self.title.setText(d.name)
        where = ", ".join(p for p in (d.hq_city, d.hq_country) if p)
        self.subtitle.setText(" · ".join(p for p in (d.domain, tax.label(INDUSTRY, d.industry), where) if p))
        while self.badges.count():
            item = self.badges.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for text in (d.tier_label,
                     tax.label(ABM_STAGE, d.abm_stage), SEGMENT_LABELS.get(d.segment or "", "")):
            if text:
                b = label(text, "Badge")
                self.badges.addWidget(b)
        self.badges.addStretch(1)
        values = {k: getattr(d, k) for k in TEXT_FIELDS}
        if d.employees is not None:
            values["employees"] = f"{d.employees:,}"
        if d.annual_revenue is not None:
            values["annual_revenue"] = f"{d.annual_revenue:,.0f}" if d.annual_revenue == int(d.annual_revenue) \
                else f"{d.annual_revenue:,.2f}"
        for k, edit in self.fields.items():
            v = values[k]
            edit.setText("" if v is None else str(v))
        self.domain.setText(d.domain or "no domain yet — set the website")
        self.industry.setCurrentIndex(max(0, self.industry.findData(d.industry)))
        self.tier.setCurrentIndex(max(0, self.tier.findData(d.tier)))
        self.stage.setCurrentIndex(max(0, self.stage.findData(d.abm_stage)))
        self.owner.setCurrentIndex(max(0, self.owner.findData(d.owner_id)))
        band = tax.label(SIZE_BAND, d.size_band)
        self.segment.setText(" · ".join(p for p in (SEGMENT_LABELS.get(d.segment or "", ""), band) if p) or "—")
        self.notes.setPlainText(d.notes or "")
        self.cards["contacts"].set_value(str(len(d.contacts)))
        self.cards["icp"].set_value("—" if d.icp_score is None else str(d.icp_score))
        self.cards["opps"].set_value(str(d.open_opportunities))
        self.cards["pipeline"].set_value(f"${d.pipeline_amount:,.0f}")
        if not self._stakeholders_loaded:
            self.stakeholders.load()
        self._stakeholders_loaded = False
        self.activity_model.set_rows(d.activities)
        self.children_model.set_rows(d.children)
        self.parent_label.setText(f"Parent account: {d.parent_name}" if d.parent_name else "No parent account")
        self.tier_note.setText(d.tier_label.partition(" (")[2].rstrip(")") if d.tier else "")
        self.set_parent(d.parent_id, d.parent_name)
        self._show_icp(d)
        self.timeline_model.set_entries(entries)
        self.hierarchy_model.set_family(fam)
        self.tree.expandAll()
        self.tree.setCurrentIndex(self.hierarchy_model.index_of(self.account_id))
        single = fam is None or fam.size <= 1
        self.tree_stack.setCurrentIndex(1 if single else 0)
        notes = []
        if fam is not None and fam.cycle:
            notes.append("The parent chain loops back on itself; fix the parent of one of these accounts.")
        if fam is not None and fam.truncated:
            notes.append("The hierarchy is deeper or larger than can be shown; only part of it is listed.")
        if not single:
            notes.append("Figures include the accounts below each one. Double-click an account to open it.")
        self.hierarchy_note.setText(" ".join(notes))
        self._loaded = self.form_values()

    def quick_log(self) -> None:
        """Ctrl+L: log a touch with one of this account's contacts; the window shows what it changed."""
        from ui.messaging.quick_log import open_quick_log

        if open_quick_log(self.ctx, self, account_id=self.account_id).summary is None:
            return
        self._changed_elsewhere()
        self.messaging.load()

    def _changed_elsewhere(self) -> None:
        """Another tab or dialog wrote to the account: reload, or with unsaved edits in the form refresh around
        them (their save then reports the conflict)."""
        if self.changes():
            self._stakeholders_changed()
        else:
            self.load()

    def _stakeholders_changed(self) -> None:
        """A contact was added, edited or moved on the chart: refresh the counts and the timeline (not the form,
        which may hold unsaved edits)."""
        smap = self.stakeholders.smap
        if smap is not None:
            self.cards["contacts"].set_value(str(len(smap.contacts)))
        with self.ctx.workspace.session() as s:
            self.timeline_model.set_entries(timeline(s, self.account_id))

    def form_values(self) -> dict[str, object]:
        values: dict[str, object] = {k: (e.text().strip() or None) for k, e in self.fields.items()}
        values.update(industry=self.industry.currentData(), tier=self.tier.currentData(),
                      abm_stage=self.stage.currentData(), notes=self.notes.toPlainText().strip() or None,
                      parent_id=self._parent_id, owner_id=self.owner.currentData())
        return values

    def _show_icp(self, d: AccountDetail) -> None:
        rows = [{"label": text, "points": pts} for text, pts in d.icp_explanation]
        self.icp_widget.set_explanation(d.icp_score, rows, d.tier, d.suggested_tier, d.tier_is_manual)

    def changes(self) -> dict[str, object]:
        """The fields the user changed since the account was loaded."""
        return {k: v for k, v in self.form_values().items() if v != self._loaded.get(k)}

    def save(self) -> None:
        if self.detail is None:
            return
        changes = self.changes()
        if not changes:
            return
        try:
            with self.ctx.workspace.session() as s:
                update_account(s, self.account_id, self.detail.version, changes, user_id=self.ctx.user.id)
        except AccountEditError as exc:
            dialogs.show_error(self, "Could not save the account", str(exc))
            return
        self.load()
        self.saved.emit(self.account_id)
