"""Add or edit a pain hypothesis (pain and persona from the taxonomy, evidence from the account's research
signals or a note, confidence), and confirm or reject one naming the conversation that decided it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QSpinBox, QWidget

from accounts.hypotheses import HypothesisDraft, save_hypothesis, set_status
from bdr_desk.taxonomy import PAIN, PERSONA
from ui.context import AppContext
from ui.messaging import data
from ui.messaging.common import FAILED, attempt
from ui.messaging.forms import FormDialog, choice_combo, term_combo, text_box
from ui.widgets.common import label

NOT_SET = -1


class HypothesisDialog(FormDialog):
    def __init__(self, ctx: AppContext, account_id: int, row: data.HypothesisRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, "Edit hypothesis" if row else "New pain hypothesis",
                         "What pain do we believe this account feels, why do we think so, and who feels it? "
                         "Test it in conversations and confirm or reject it.")
        self.ctx, self.account_id, self.row = ctx, account_id, row
        self.hypothesis_id: int | None = row.id if row else None
        with ctx.workspace.session() as s:
            signals = data.signal_choices(s, account_id)
        tax = ctx.taxonomy
        self.pain = term_combo(tax, PAIN, None, row.pain if row else None)
        self.statement = text_box(row.statement if row else "",
                                  "What we believe, e.g. “Month-end close takes 8+ days because reconciliations "
                                  "are done by hand in spreadsheets”", 86)
        self.signal = choice_combo(signals, "No research signal" if signals else "No research signals yet",
                                   row.evidence_signal_id if row else None)
        self.signal.setEnabled(bool(signals))
        self.evidence = text_box(row.evidence or "" if row else "",
                                 "Why we think so: a page, a quote from a call, a job posting…", 64)
        self.confidence = QSpinBox(minimum=NOT_SET, maximum=100, singleStep=5, suffix=" %")
        self.confidence.setSpecialValueText("Not set")
        self.confidence.setValue(row.confidence if row and row.confidence is not None else NOT_SET)
        self.confidence.setFixedWidth(120)
        self.persona = term_combo(tax, PERSONA, "Any persona", row.persona if row else None)
        self.form.addRow("Pain", self.pain)
        self.form.addRow("Hypothesis", self.statement)
        self.form.addRow("Evidence", self.signal)
        self.form.addRow("", self.evidence)
        self.form.addRow("Confidence", self.confidence)
        self.form.addRow("Target persona", self.persona)
        self.finish()
        self.statement.textChanged.connect(self._update)
        self._update()
        self.statement.setFocus()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.statement.toPlainText().strip()) and self.pain.currentData() is not None)

    def draft(self) -> HypothesisDraft:
        conf = self.confidence.value()
        return HypothesisDraft(pain=self.pain.currentData(), hypothesis=self.statement.toPlainText().strip(),
                               evidence=self.evidence.toPlainText().strip() or None,
                               evidence_signal_id=self.signal.currentData(),
                               confidence=None if conf == NOT_SET else conf, persona=self.persona.currentData())

    def submit(self) -> None:
        draft = self.draft()

        def work(s: Any) -> int:
            return save_hypothesis(s, self.account_id, draft, hypothesis_id=self.hypothesis_id,
                                   user_id=self.ctx.user.id,
                                   expected_version=self.row.version if self.row else None).id

        result = attempt(self.ctx, self, "Could not save the hypothesis", work)
        if result is not FAILED:
            self.hypothesis_id = result
            self.accept()


class StatusDialog(FormDialog):
    """Confirm or reject: pick the logged conversation that decided it, or describe it in a note."""

    def __init__(self, ctx: AppContext, account_id: int, row: data.HypothesisRow, status: str,
                 parent: QWidget | None = None) -> None:
        verb = "Confirm" if status == "confirmed" else "Reject"
        super().__init__(parent, f"{verb} hypothesis", "", verb)
        self.ctx, self.row, self.status = ctx, row, status
        with ctx.workspace.session() as s:
            acts = data.activity_choices(s, account_id)
        quote = label(f"{row.pain_label}: {row.statement}", "", wrap=True)
        quote.setStyleSheet("background: #f8fafc; border-left: 3px solid #cbd5e1; padding: 6px 10px;")
        self.lay.insertWidget(2, quote)
        self.lay.insertWidget(3, label("Which conversation " + ("confirmed" if status == "confirmed" else "rejected")
                                       + " it? Pick the logged activity, write a note, or both.", "Muted", wrap=True))
        self.activity = choice_combo(acts, "No logged activity" if acts else "No activity logged for this account",
                                     row.status_activity_id)
        self.activity.setEnabled(bool(acts))
        self.note = text_box(row.status_note or "" if row.status == status else "",
                             "e.g. “On the discovery call the CFO said close takes 9 days and the auditors flagged "
                             "missing review evidence”", 90)
        self.form.addRow("Conversation", self.activity)
        self.form.addRow("Note", self.note)
        self.finish()
        self.activity.currentIndexChanged.connect(self._update)
        self.note.textChanged.connect(self._update)
        self._update()
        self.note.setFocus()

    def _update(self) -> None:
        self.ok.setEnabled(self.activity.currentData() is not None or bool(self.note.toPlainText().strip()))

    def submit(self) -> None:
        note, act = self.note.toPlainText().strip() or None, self.activity.currentData()
        result = attempt(self.ctx, self, "Could not change the hypothesis",
                         lambda s: set_status(s, self.row.id, self.status, note=note, activity_id=act).id)
        if result is not FAILED:
            self.accept()
