"""The composer: draft an account-specific message for one contact from a template, the hypothesis it tests and
the collateral it carries, with a live preview that flags every unfilled merge field.

Copy, Open in mail client and Save draft stay disabled, with the reason shown, while a field has no value or
the template has an error. Opened for a due sequence step it also marks the step done (or, for a call, logs
the call with its outcome) and schedules the next one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from accounts.activities import OUTCOMES, complete_step, outcome_label
from accounts.messaging import Rendered, draft_message
from accounts.models import Contact
from accounts.models.messaging import CHANNEL_LABELS
from accounts.sequences import DueStep
from accounts.template_sandbox import TemplateError
from content_library.collateral import attach_to_message
from ui import dialogs
from ui.context import AppContext
from ui.messaging import data
from ui.messaging.common import CHANNEL_ICONS, FAILED, STYLE, attempt, mailto_url, message_text
from ui.messaging.preview import READY, MessagePreview, placeholders
from ui.theme import app_icon, icon
from ui.widgets.common import label

CALL_OUTCOMES = ("connected", "voicemail", "no_answer", "wrong_person")


class ComposerDialog(QDialog):
    saved = Signal(int)  # message id
    stepDone = Signal(object)  # data.LogSummary, after Mark done / Log call

    def __init__(self, ctx: AppContext, *, account_id: int | None = None, contact_id: int | None = None,
                 template_id: int | None = None, hypothesis_id: int | None = None, content_id: int | None = None,
                 channel: str | None = None, step: DueStep | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.step = ctx, step
        self.saved_message_id: int | None = None
        self.summary: data.LogSummary | None = None
        self._dirty = True
        if step is not None:
            account_id, contact_id = step.account_id, step.contact_id
            template_id, channel = step.template_id or template_id, step.channel
        with ctx.workspace.session() as s:
            if account_id is None and contact_id is not None:
                found = data.contact_choice(s, contact_id)
                account_id = found.account_id if found else None
            self.account_id = account_id
            self.contacts = data.account_contacts(s, account_id) if account_id else []
            self.templates = data.template_rows(s, user_id=ctx.user.id)
            if template_id is not None and all(t.id != template_id for t in self.templates):
                # a sequence step may use someone else's personal template: offer it here too
                self.templates += [t for t in data.template_rows(s) if t.id == template_id]
            self.hypotheses = data.hypothesis_choices(s, account_id) if account_id else []
            self.content = data.content_choices(s)
            account = self.contacts[0].account if self.contacts else ""
        self.setWindowTitle("Draft a message" + (f" — {account}" if account else ""))
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE)
        self.resize(1040, 680)

        self.contact = QComboBox()
        for c in self.contacts:
            self.contact.addItem(icon("person"), c.label + (f" — {c.title}" if c.title else ""), c.id)
        self.email_note = label("", "Hint")
        self.channel = QComboBox()
        for key, text in CHANNEL_LABELS.items():
            self.channel.addItem(icon(CHANNEL_ICONS[key]), text, key)
        self.template = QComboBox()
        self.template.setMinimumContentsLength(24)
        self.hypothesis = QComboBox()
        self.hypothesis.addItem("No hypothesis", None)
        for h in self.hypotheses:
            self.hypothesis.addItem(icon("bulb"), h.label, h.id)
        self.item = QComboBox()
        self.item.addItem("No attachment", None)
        for c in self.content:
            self.item.addItem(icon("content"), f"{c.label}  ·  {c.detail}", c.id)
        for combo in (self.hypothesis, self.item, self.contact):
            combo.setMinimumContentsLength(24)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.personalise = QCheckBox("Edit the text before sending")
        self.personalise.setToolTip("Change the rendered text by hand; your edits are kept until you untick this")

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(10)
        form.addRow("To", self.contact)
        form.addRow("", self.email_note)
        form.addRow("Channel", self.channel)
        form.addRow("Template", self.template)
        form.addRow("Tests hypothesis", self.hypothesis)
        self.hyp_note = label("", "Hint", wrap=True)
        self.hyp_note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        form.addRow("", self.hyp_note)
        form.addRow("Attach content", self.item)
        left = QVBoxLayout()
        left.setSpacing(10)
        if step is not None:
            left.addWidget(self._step_box(step))
        left.addLayout(form)
        left.addWidget(self.personalise)
        left.addStretch(1)

        self.preview = MessagePreview()
        self.edit_subject = QLineEdit()
        self.edit_subject.setPlaceholderText("Subject")
        self.edit_body = QPlainTextEdit()
        edit = QWidget()
        el = QVBoxLayout(edit)
        el.setContentsMargins(0, 0, 0, 0)
        el.addWidget(label("YOUR TEXT", "PreviewCaption"))
        el.addWidget(self.edit_subject)
        el.addWidget(self.edit_body, 1)
        self.right = QStackedWidget()
        self.right.addWidget(self.preview)
        self.right.addWidget(edit)

        self.reason = label("", "Reason", wrap=True)
        self.copy_button = QPushButton(icon("copy"), "Copy")
        self.copy_button.setToolTip("Copy the subject and body to the clipboard (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy)
        self.mail_button = QPushButton(icon("mail"), "Open in mail client")
        self.mail_button.setToolTip("Open a new e-mail to the contact with this subject and body (Ctrl+Shift+M)")
        self.mail_button.clicked.connect(self.open_mail)
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save draft")
        self.save_button.setObjectName("Primary")
        self.save_button.setToolTip("Store the message on the account, linked to its hypothesis, and record the "
                                    "attached content as used (Ctrl+S)")
        self.save_button.clicked.connect(self.save_draft)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.mail_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        body = QHBoxLayout()
        body.setSpacing(20)
        body.addLayout(left, 0)
        body.addWidget(self.right, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(14)
        lay.addLayout(body, 1)
        if step is not None:
            bar = QFrame(objectName="StepBar")
            bar.setLayout(self._step_actions(step))
            lay.addWidget(bar)
        lay.addLayout(buttons)
        for keys, slot in (("Ctrl+S", self.save_draft), ("Ctrl+Shift+C", self.copy),
                           ("Ctrl+Shift+M", self.open_mail)):
            QShortcut(QKeySequence(keys), self, activated=slot)

        for b in self.findChildren(QPushButton):  # Enter never sends or saves by accident
            b.setAutoDefault(False)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.render_now)
        self._select(self.contact, contact_id)
        self._select(self.channel, channel or next((t.channel for t in self.templates if t.id == template_id),
                                                   "email"))
        self._fill_templates(template_id)
        self._select(self.hypothesis, hypothesis_id)
        self._select(self.item, content_id)
        self.channel.currentIndexChanged.connect(lambda *_: (self._fill_templates(None), self.schedule()))
        for combo in (self.contact, self.template, self.hypothesis, self.item):
            combo.currentIndexChanged.connect(self.schedule)
        self.personalise.toggled.connect(self._toggle_edit)
        self.edit_subject.textChanged.connect(self._update_actions)
        self.edit_body.textChanged.connect(self._update_actions)
        self.render_now()

    # ---- layout pieces ----
    def _step_box(self, step: DueStep) -> QWidget:
        box = QWidget(objectName="PreviewFrame")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.addWidget(label(f"{step.sequence} · step {step.step} of {step.steps}", "SectionTitle"))
        due = f"overdue since {step.due:%a %d %b}" if step.overdue else "due today"
        lay.addWidget(label(f"{CHANNEL_LABELS.get(step.channel, step.channel)} · {due}", "Muted"))
        if step.instruction:
            lay.addWidget(label(step.instruction, "", wrap=True))
        return box

    def _step_actions(self, step: DueStep) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(8)
        self.outcome_buttons: dict[str, QPushButton] = {}
        if step.channel == "call":
            row.addWidget(label("Log the call:", "SectionTitle"))
            for outcome in CALL_OUTCOMES:
                b = QPushButton(outcome_label(outcome), objectName="OutcomeButton")
                b.clicked.connect(lambda _=False, o=outcome: self.mark_done(o))
                self.outcome_buttons[outcome] = b
                row.addWidget(b)
            row.addStretch(1)
            self.done_button = None
        else:
            row.addWidget(label("Sent it? Mark the step done to log it and schedule the next step.", "Muted"))
            row.addStretch(1)
            self.done_button = QPushButton(icon("check"), "Mark done")
            self.done_button.setToolTip("Log this step as done and schedule the next one (Ctrl+D)")
            self.done_button.clicked.connect(lambda: self.mark_done(None))
            QShortcut(QKeySequence("Ctrl+D"), self, activated=lambda: self.mark_done(None))
            row.addWidget(self.done_button)
        return row

    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        if value is not None and (i := combo.findData(value)) >= 0:
            combo.setCurrentIndex(i)

    def _fill_templates(self, keep: int | None) -> None:
        keep = keep if keep is not None else self.template.currentData()
        channel = self.channel.currentData()
        self.template.blockSignals(True)
        self.template.clear()
        rows = [t for t in self.templates if t.channel == channel]
        for t in rows:
            self.template.addItem(icon("template"), t.name + (" — shared" if t.shared else " — mine"), t.id)
        if not rows:
            self.template.addItem(f"No {CHANNEL_LABELS.get(channel, channel).lower()} templates yet", None)
        self._select(self.template, keep)
        self.template.blockSignals(False)

    # ---- state ----
    def contact_id(self) -> int | None:
        return self.contact.currentData()

    def template_row(self) -> data.TemplateRow | None:
        tid = self.template.currentData()
        return next((t for t in self.templates if t.id == tid), None)

    def schedule(self) -> None:
        self._dirty = True
        self._debounce.start()

    def render_now(self) -> None:
        self._debounce.stop()
        tpl = self.template_row()
        chosen = next((c for c in self.contacts if c.id == self.contact_id()), None)
        hyp = next((h for h in self.hypotheses if h.id == self.hypothesis.currentData()), None)
        self.hyp_note.setText(f"{hyp.label.partition(' — ')[2]} ({hyp.detail})" if hyp else
                              "Pick the hypothesis this message tests: the map counts it.")
        self.email_note.setText((chosen.email or "no email address") if chosen else "")
        self.preview.set_target(f"for {chosen.name}" if chosen else "")
        if tpl is None:
            self.preview.clear("Choose a template to see the message for this contact." if self.contacts else
                               "This account has no stakeholders yet: add a contact first.")
        else:
            try:
                with self.ctx.workspace.session() as s:
                    rendered = data.render_message(
                        s, tpl.subject, tpl.body, contact_id=self.contact_id(), account_id=self.account_id,
                        hypothesis_id=self.hypothesis.currentData(), content_id=self.item.currentData(),
                        sender_id=self.ctx.user.id)
                self.preview.show_rendered(rendered)
            except TemplateError as exc:
                self.preview.show_error(str(exc))
        self._update_actions()

    def _toggle_edit(self, on: bool) -> None:
        if on:
            self.edit_subject.setText(self.preview.plain_subject())
            self.edit_body.setPlainText(self.preview.plain_body())
        self.right.setCurrentIndex(1 if on else 0)
        self._dirty = True
        self._update_actions()

    def current(self) -> Rendered | None:
        """The message as it would be sent: the preview, or the hand-edited text (its placeholders are missing)."""
        if self.personalise.isChecked():
            subject, body = self.edit_subject.text().strip(), self.edit_body.toPlainText()
            return Rendered(subject, body, placeholders(subject + "\n" + body))
        return self.preview.rendered

    def blocked_reason(self) -> str:
        if self.contact_id() is None:
            return "Choose who the message is for."
        r = self.current()
        if r is None:
            return "Fix the template error first." if self.preview.state == "error" else "Choose a template."
        if r.missing:
            return "Can't send yet — fill: " + ", ".join(r.missing)
        if not r.body.strip():
            return "The message is empty."
        return ""

    def _update_actions(self) -> None:
        reason = self.blocked_reason()
        ready = not reason
        chosen = next((c for c in self.contacts if c.id == self.contact_id()), None)
        has_email = bool(chosen and chosen.email)
        mailable = self.channel.currentData() in ("email", "event")
        self.copy_button.setEnabled(ready)
        self.mail_button.setEnabled(ready and has_email and mailable)
        self.save_button.setEnabled(ready and self._dirty)
        if ready and not has_email and self.channel.currentData() == "email":
            reason = f"{chosen.name if chosen else 'The contact'} has no email address: copy the text instead."
        elif ready and not self._dirty:
            reason = "Draft saved."
        self.reason.setText(reason)
        self.reason.setObjectName("Reason" if not ready or not has_email else "Hint")
        self.reason.style().unpolish(self.reason)
        self.reason.style().polish(self.reason)

    # ---- actions ----
    def copy(self) -> None:
        r = self.current()
        if self.blocked_reason() or r is None:
            return
        dialogs.copy_text(message_text(r.subject, r.body))
        self.reason.setText("Copied to the clipboard.")

    def open_mail(self) -> None:
        r = self.current()
        chosen = next((c for c in self.contacts if c.id == self.contact_id()), None)
        if self.blocked_reason() or r is None or chosen is None or not chosen.email:
            return
        if not dialogs.open_url(mailto_url(chosen.email, r.subject, r.body)):
            dialogs.show_error(self, "No mail client", "No e-mail program opened the message. Copy the text and "
                               "paste it into your mail instead.")

    def save_draft(self) -> None:
        r, tpl, cid = self.current(), self.template_row(), self.contact_id()
        if self.blocked_reason() or r is None or cid is None or not self._dirty:
            return
        item_id = self.item.currentData()

        def work(s: Any) -> int:
            msg = draft_message(s, contact=s.get(Contact, cid), rendered=r, channel=self.channel.currentData(),
                                template_id=tpl.id if tpl else None, hypothesis_id=self.hypothesis.currentData(),
                                enrollment_id=self.step.enrollment_id if self.step else None,
                                user_id=self.ctx.user.id)
            if item_id is not None:
                attach_to_message(s, msg.id, [item_id], user_id=self.ctx.user.id)
            return msg.id

        mid = attempt(self.ctx, self, "Could not save the draft", work)
        if mid is FAILED:
            return
        self.saved_message_id, self._dirty = mid, False
        self._update_actions()
        self.saved.emit(mid)

    def mark_done(self, outcome: str | None) -> None:
        """Log the step (a call with its outcome) and schedule the next one; the dialog then closes."""
        if self.step is None:
            return
        if outcome is not None and outcome not in OUTCOMES.get(self.step.channel, ()):
            return
        r = self.current()
        subject = (r.subject if r and r.ready else None) or f"{self.step.sequence} · step {self.step.step}"

        def work(s: Any) -> data.LogSummary:
            logged = complete_step(s, self.step.enrollment_id, outcome=outcome, subject=subject,  # type: ignore[union-attr]
                                   user_id=self.ctx.user.id)
            return data.summarize(s, logged)

        summary = attempt(self.ctx, self, "Could not complete the step", work)
        if summary is FAILED:
            return
        self.summary = summary
        self.stepDone.emit(summary)
        self.accept()

    def is_ready(self) -> bool:
        return self.preview.state == READY and not self.blocked_reason()
