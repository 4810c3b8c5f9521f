"""Asking marketing for content the library lacks: what kind of piece, for which segment and pain, and the
question the buyer actually asked. Opened from the library's "nothing found" state and from an account
(prefilled with its industry, size band and pains)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA, SIZE_BAND
from content_library.items import ContentError
from content_library.models import CONTENT_TYPES
from content_library.requests import RequestDraft, file_request
from ui.context import AppContext
from ui.pages.content.common import VOCAB_TITLES, term_options, type_label
from ui.pages.content.item_dialog import field_grid
from ui.widgets.common import label

SEGMENT = (INDUSTRY, SIZE_BAND, PAIN, PERSONA)


class RequestDialog(QDialog):
    """``request_id`` holds the new request's id once it is filed."""

    def __init__(self, ctx: AppContext, prefill: RequestDraft | None = None, account_name: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        draft = prefill or RequestDraft(title="")
        self.account_id = draft.account_id
        self.query = draft.query
        self.request_id: int | None = None
        self.setWindowTitle("Request content")
        self.setMinimumWidth(560)

        intro = ("Tell marketing what you need. Requests land in their gap report next to the searches that "
                 "found nothing, so the most-asked-for pieces get made first.")
        self.title = QLineEdit(draft.title)
        self.title.setPlaceholderText("e.g. “Case study for a fintech CFO worried about audits”")
        self.title.setMaxLength(500)
        self.type = QComboBox()
        self.type.addItem("Any type", None)
        for t in CONTENT_TYPES:
            self.type.addItem(type_label(t), t)
        if draft.type:
            self.type.setCurrentIndex(max(0, self.type.findData(draft.type)))
        self.segment: dict[str, QComboBox] = {}
        for vocabulary in SEGMENT:
            combo = QComboBox()
            combo.addItem("Any", None)
            for key, text in term_options(ctx, vocabulary):
                combo.addItem(text, key)
            value = getattr(draft, vocabulary)
            if value:
                combo.setCurrentIndex(max(0, combo.findData(value)))
            self.segment[vocabulary] = combo
        self.competitor = QLineEdit(draft.competitor or "")
        self.competitor.setPlaceholderText("Who the buyer is comparing us with, if anyone")
        self.question = QPlainTextEdit(draft.buyer_question or "")
        self.question.setPlaceholderText("In the buyer's words, e.g. “Who else like us has passed an audit with "
                                         "this?”")
        self.question.setFixedHeight(64)
        self.details = QPlainTextEdit(draft.description or "")
        self.details.setPlaceholderText("Anything else: the deal, the deadline, what you have tried")
        self.details.setFixedHeight(64)
        self.error = label("", "ErrorNote", wrap=True)
        self.error.hide()

        grid = field_grid([(VOCAB_TITLES[v], self.segment[v]) for v in SEGMENT])
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow("What you need", self.title)
        form.addRow("Type", self.type)
        form.addRow("For", grid)
        form.addRow("Competitor", self.competitor)
        form.addRow("Buyer's question", self.question)
        form.addRow("Details", self.details)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Send request")
        self.ok.setObjectName("Primary")
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        self.title.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.ok.setEnabled(bool(draft.title.strip()))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(22, 18, 22, 16)
        lay.setSpacing(12)
        lay.addWidget(label(intro, "Muted", wrap=True))
        if account_name:
            lay.addWidget(label(f"For the account <b>{escape(account_name)}</b>", "", wrap=True))
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)

    def draft(self) -> RequestDraft:
        return RequestDraft(
            title=self.title.text(), type=self.type.currentData(), competitor=self.competitor.text().strip() or None,
            buyer_question=self.question.toPlainText().strip() or None,
            description=self.details.toPlainText().strip() or None, query=self.query, account_id=self.account_id,
            **{v: self.segment[v].currentData() for v in SEGMENT},
        )

    def send(self) -> None:
        try:
            with self.ctx.workspace.session() as s:
                self.request_id = file_request(s, self.draft(), user_id=self.ctx.user.id).id
        except ContentError as exc:
            message = str(exc)
            self.error.setText(message[:1].upper() + message[1:] + ".")
            self.error.show()
            return
        self.accept()
