"""The account window's Content tab: published library items ranked for this account (industry, size band, the
pains of its open hypotheses, a persona, its research), each with the reason it was picked. Copying a link or
attaching an item records a use for this account; "Request content" asks marketing for what is missing,
prefilled with the account's segment and pains."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.models import Account
from bdr_desk.taxonomy import PERSONA
from content_library.items import ContentError
from content_library.recommend import Recommendation, account_profile, recommend
from content_library.requests import RequestDraft
from content_library.usage import record_usage
from ui import dialogs
from ui.context import AppContext
from ui.pages.content import common
from ui.pages.content.cards import Card, CardListModel, make_card_list
from ui.pages.content.common import type_label
from ui.pages.content.notice import Notice
from ui.pages.content.request_dialog import RequestDialog
from ui.theme import icon
from ui.widgets.common import EmptyState, label

LIMIT = 25
STALE_REASON = "stale"


def _reasons_html(r: Recommendation) -> str:
    parts = []
    for reason in r.reasons:
        color = "#b45309" if reason.startswith(STALE_REASON) else "#047857"
        parts.append(f"<span style='color:{color}'>{escape(reason)}</span>")
    return "<span style='color:#334155; font-weight:600'>Why:</span> " + " · ".join(parts)


def _card(r: Recommendation) -> Card:
    used = f"Used here {r.used_for_account}×" if r.used_for_account else "Not used for this account yet"
    return Card(r.title, ((type_label(r.type), "type"),), used, _reasons_html(r))


class AccountContentPanel(QWidget):
    used = Signal(int)  # item id, after a use was recorded

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AccountContent")
        self.ctx = ctx
        self.account_id = account_id
        self.loaded = False
        self.model = CardListModel(_card, self)
        self.view = make_card_list(self.model, html_lines=2)
        self.view.doubleClicked.connect(lambda *_: self.open_selected())
        self.persona = QComboBox()
        self.persona.addItem("Any persona", None)
        for t in ctx.taxonomy.terms.get(PERSONA, []):
            self.persona.addItem(t.label, t.key)
        self.persona.currentIndexChanged.connect(lambda *_: self.load())
        self.request_button = QPushButton(icon("request"), "Request content…")
        self.request_button.clicked.connect(self.request_content)
        self.copy_button = QPushButton(icon("copy"), "Copy link")
        self.copy_button.clicked.connect(self.copy_selected)
        self.attach_button = QPushButton(icon("content"), "Attach")
        self.attach_button.setToolTip("Record that you sent this item to the account (attached to a message)")
        self.attach_button.clicked.connect(self.attach_selected)
        self.open_button = QPushButton(icon("open"), "Open")
        self.open_button.clicked.connect(self.open_selected)
        self.summary = label("", "Muted", wrap=True)
        self.notice = Notice()
        self.empty = EmptyState("content", "Nothing in the library fits this account yet",
                                "No published item matches its industry, company size, the pains of its open "
                                "hypotheses or its research. Ask marketing for what you need: your request goes "
                                "into their gap report.")
        self.empty.add_button("Request content…", self.request_content, primary=True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(label("Recommended content", "SectionTitle"))
        top.addStretch(1)
        top.addWidget(label("For", "Muted"))
        top.addWidget(self.persona)
        top.addWidget(self.request_button)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(self.summary, 1)
        for b in (self.open_button, self.copy_button, self.attach_button):
            actions.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(10)
        lay.addLayout(top)
        lay.addLayout(actions)
        lay.addWidget(self.notice)
        lay.addWidget(self.stack, 1)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self.loaded:  # recommendations run a search: only when the tab is first opened
            self.load()

    def load(self, keep: int | None = None) -> None:
        self.loaded = True
        keep = keep if keep is not None else self.selected_id()
        try:
            with self.ctx.workspace.session() as s:
                rows = recommend(s, self.account_id, persona=self.persona.currentData(), limit=LIMIT)
        except ContentError as exc:
            rows = []
            self.notice.show_message(str(exc), "warning")
        self.model.set_rows(rows)
        self.stack.setCurrentWidget(self.view if rows else self.empty)
        self.summary.setText(f"{len(rows)} item{'s' if len(rows) != 1 else ''}, best fit first. Copying a link "
                             "or attaching an item counts as a use for this account." if rows else "")
        row = self.model.row_of(keep) if keep is not None else -1
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(max(row, 0)))
        self._update_buttons()

    def selected_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.row_at(index.row()).id if index.isValid() else None

    def _update_buttons(self) -> None:
        index = self.view.currentIndex()
        rec = self.model.row_at(index.row()) if index.isValid() else None
        for b in (self.copy_button, self.attach_button, self.open_button):
            b.setEnabled(rec is not None)

    # ---- actions ----
    def copy_selected(self) -> None:
        item_id = self.selected_id()
        if item_id is None:
            return
        link = common.copy_link(self.ctx, item_id, account_id=self.account_id)
        if link is None:
            self.notice.show_message("This item has no link or file to copy yet.", "warning")
            return
        self.load(keep=item_id)
        self.notice.show_message(f"Link copied: {link}", "success")
        self.used.emit(item_id)

    def attach_selected(self) -> None:
        item_id = self.selected_id()
        if item_id is None:
            return
        with self.ctx.workspace.session() as s:
            record_usage(s, item_id, "attached", account_id=self.account_id, user_id=self.ctx.user.id)
        self.load(keep=item_id)
        title = self.model.row_at(self.model.row_of(item_id)).title if self.model.row_of(item_id) >= 0 else "Item"
        self.notice.show_message(f"Recorded “{title}” as sent to this account.", "success")
        self.used.emit(item_id)

    def open_selected(self) -> None:
        item_id = self.selected_id()
        if item_id is not None and not common.open_item(self.ctx, item_id):
            dialogs.show_info(self, "Nothing to open", "This item has no link or file yet.")

    def request_draft(self) -> tuple[RequestDraft, str | None]:
        """The request prefilled with the account's industry, size band, first open pain and persona."""
        with self.ctx.workspace.session() as s:
            profile = account_profile(s, self.account_id)
            name = s.scalar(select(Account.name).where(Account.id == self.account_id))
        persona = self.persona.currentData() or (profile.personas[0] if profile.personas else None)
        return RequestDraft(title="", industry=profile.industry, size_band=profile.size_band,
                            pain=profile.pains[0] if profile.pains else None, persona=persona,
                            account_id=self.account_id), name

    def request_content(self) -> None:
        draft, name = self.request_draft()
        dlg = RequestDialog(self.ctx, draft, account_name=name, parent=self)
        if common.run_dialog(dlg) == QDialog.DialogCode.Accepted and dlg.request_id is not None:
            self.notice.show_message("Request sent to marketing.", "success")
