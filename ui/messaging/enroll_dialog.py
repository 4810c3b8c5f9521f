"""Enrol contacts in a sequence: tick the account's stakeholders or find people at any account, see the
warnings before anything is written (already enrolled, no email address, left the company), then enrol the
clean ones — or everyone, with "Enrol anyway"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from accounts.sequences import EnrollResult, check_enrollment, enroll
from ui.context import AppContext
from ui.messaging import data
from ui.messaging.common import DOMAIN_ERRORS, FAILED, attempt
from ui.messaging.contact_search import ContactListModel, ContactSearch
from ui.messaging.forms import FormDialog
from ui.models.record_table import RecordTableModel
from ui.theme import icon
from ui.widgets.common import label
from ui.widgets.tables import make_table

WARNING_LABELS = {"already_in_sequence": "Already in this sequence", "in_other_sequence": "In another sequence",
                  "missing_email": "No email address", "left_company": "Left the company"}


class EnrollDialog(FormDialog):
    def __init__(self, ctx: AppContext, sequence: data.SequenceRow, *, account_id: int | None = None,
                 contact_ids: Sequence[int] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent, f"Enrol contacts in “{sequence.name}”",
                         f"{len(sequence.steps)} steps over {sequence.steps[-1].day_offset if sequence.steps else 0} "
                         "business days. Warned contacts are held back unless you enrol them anyway.", "Enrol")
        self.ctx, self.sequence = ctx, sequence
        self.enrolled: EnrollResult | None = None
        self.check: EnrollResult | None = None
        self.setMinimumSize(760, 600)
        ws = ctx.workspace
        with ws.session() as s:
            start = data.account_contacts(s, account_id) if account_id else []
            start += [c for c in (data.contact_choice(s, i) for i in contact_ids) if c and c.id not in
                      {x.id for x in start}]
        self.chosen = ContactListModel(self, checkable=True)
        self.chosen.set_rows(start, [c.id for c in start if c.id in set(contact_ids)] if contact_ids else
                             [c.id for c in start if not c.left_company])
        self.list = make_table(self.chosen, stretch=0, sortable=False)
        self.list.horizontalHeader().hide()
        self.list.setMinimumHeight(150)

        def search(text: str) -> list[data.ContactChoice]:
            with ws.session() as s:
                return data.search_contacts(s, text, limit=20)

        self.finder = ContactSearch(self, placeholder="Add people from any account: type a name, title or account…",
                                    search=search, hide_empty=True)
        self.finder.list.setMaximumHeight(110)
        self.finder.chosen.connect(self.add_contact)
        add = QPushButton(icon("plus"), "Add")
        add.clicked.connect(lambda: self.add_contact(self.finder.current()))
        finder = QHBoxLayout()
        finder.addWidget(self.finder, 1)
        finder.addWidget(add, 0, Qt.AlignmentFlag.AlignTop)
        self.warnings_model = RecordTableModel([("Contact", lambda w: w.contact),
                                                ("Warning", lambda w: WARNING_LABELS.get(w.kind, w.kind)),
                                                ("Detail", lambda w: w.message)], parent=self)
        self.warnings = make_table(self.warnings_model, (170, 190), sortable=False)
        self.warnings.setMinimumHeight(110)
        self.summary = label("", "Muted", wrap=True)
        self.form.addRow(label("CONTACTS", "FormCaption"))
        self.form.addRow(self.list)
        self.form.addRow(finder)
        self.form.addRow(label("BEFORE YOU ENROL", "FormCaption"))
        self.form.addRow(self.summary)
        self.form.addRow(self.warnings)
        self.anyway = self.buttons.addButton("Enrol anyway", self.buttons.ButtonRole.ActionRole)
        self.anyway.setIcon(icon("warning"))
        self.anyway.setToolTip("Enrol the warned contacts too (not those already in this sequence)")
        self.anyway.clicked.connect(lambda: self.submit(include_warned=True))
        self.finish()
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.recheck)
        self.chosen.dataChanged.connect(lambda *_: self._debounce.start())
        self.chosen.rowsInserted.connect(lambda *_: self._debounce.start())
        self.finder.refresh()
        self.recheck()

    def add_contact(self, contact: data.ContactChoice | None) -> None:
        if contact is not None:
            self.chosen.add_rows([contact])

    def recheck(self) -> None:
        """What enrolling the ticked contacts would do; nothing is written."""
        self._debounce.stop()
        ids = self.chosen.checked_ids()
        try:
            with self.ctx.workspace.session() as s:
                self.check = check_enrollment(s, self.sequence.id, ids) if ids else EnrollResult()
        except DOMAIN_ERRORS as exc:
            self.check = None
            self.summary.setText(str(exc))
            return
        res = self.check
        rows = [*res.skipped, *res.warnings]
        self.warnings_model.set_rows(rows)
        warned = {w.contact_id for w in res.warnings}
        clean = len(res.enrolled)
        if not ids:
            text = "Tick the contacts to enrol."
        elif not rows:
            text = f"All {clean} contact{'s' if clean != 1 else ''} can be enrolled — no warnings."
        else:
            parts = [f"{clean} ready to enrol", warned and f"{len(warned)} with warnings",
                     res.skipped and f"{len(res.skipped)} already in this sequence"]
            text = "; ".join(p for p in parts if p) + "."
        self.summary.setText(text)
        self.warnings.setVisible(bool(rows))
        self.ok.setText(f"Enrol {clean}" if clean else "Enrol")
        self.ok.setEnabled(clean > 0)
        self.anyway.setVisible(bool(warned))
        self.anyway.setText(f"Enrol anyway ({clean + len(warned)})")

    def submit(self, include_warned: bool = False) -> None:
        ids = self.chosen.checked_ids()
        if not ids:
            return

        def work(s: Any) -> EnrollResult:
            return enroll(s, self.sequence.id, ids, today=dt.date.today(), user_id=self.ctx.user.id,
                          include_warned=include_warned)

        result = attempt(self.ctx, self, "Could not enrol", work)
        if result is not FAILED:
            self.enrolled = result
            self.accept()
