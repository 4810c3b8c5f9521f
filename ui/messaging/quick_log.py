"""Quick log (Ctrl+L): find the contact, pick the type (Alt+1…6) and the outcome, add a note, Ctrl+Enter — and
see what changed: the contact's coverage, the account's ABM stage, the enrolments paused at the account."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from accounts.activities import DEFAULT_OUTCOME, OUTCOMES, log_activity, outcome_label
from ui.context import AppContext
from ui.messaging import data
from ui.messaging.common import FAILED, STYLE, TYPE_ICONS, TYPE_LABELS, attempt
from ui.messaging.contact_search import ContactSearch
from ui.messaging.forms import select, text_box
from ui.theme import app_icon, icon
from ui.widgets.common import label

TYPES = ("call", "email", "linkedin", "meeting", "event", "note")


class QuickLogDialog(QDialog):
    logged = Signal(object)  # data.LogSummary

    def __init__(self, ctx: AppContext, *, account_id: int | None = None, contact_id: int | None = None,
                 kind: str = "call", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.account_id = ctx, account_id
        self.summary: data.LogSummary | None = None
        self.setWindowTitle("Log an activity")
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE)
        self.resize(640, 600)
        ws = ctx.workspace

        def search(text: str) -> list[data.ContactChoice]:
            with ws.session() as s:
                return data.search_contacts(s, text, limit=30)

        self.contacts = ContactSearch(self, placeholder="Who? Type a name, email, title or account…")
        self.contacts.list.setMinimumHeight(150)
        if account_id is not None:
            with ws.session() as s:
                self.contacts.set_fixed(data.account_contacts(s, account_id))
        else:
            self.contacts.set_search(search)
        if contact_id is not None and not self.contacts.select(contact_id):
            with ws.session() as s:
                found = data.contact_choice(s, contact_id)
            if found:
                self.contacts.model.set_rows([found])
                self.contacts.select(contact_id)
        self.contacts.currentChanged.connect(lambda *_: self._update())
        self.contacts.chosen.connect(lambda *_: self.outcome.setFocus() if self.outcome.isVisible()
                                     else self.note.setFocus())

        types = QHBoxLayout()
        types.setSpacing(6)
        self.type_group = QButtonGroup(self)
        self.type_buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(TYPES, start=1):
            b = QPushButton(icon(TYPE_ICONS[key]), TYPE_LABELS[key], objectName="TypeButton")
            b.setCheckable(True)
            b.setToolTip(f"{TYPE_LABELS[key]} (Alt+{i})")
            self.type_group.addButton(b, i)
            self.type_buttons[key] = b
            types.addWidget(b)
            QShortcut(QKeySequence(f"Alt+{i}"), self, activated=lambda k=key: self.set_kind(k))
        types.addStretch(1)
        self.type_group.idClicked.connect(lambda i: self.set_kind(TYPES[i - 1]))
        self.outcome = QComboBox()
        self.outcome.setMinimumContentsLength(20)
        self.note = text_box("", "What happened? (optional)", 80)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setVerticalSpacing(10)
        self.form.addRow("Contact", self.contacts)
        self.form.addRow("Type", types)
        self.form.addRow("Outcome", self.outcome)
        self.form.addRow("Note", self.note)

        self.result_panel = QFrame(objectName="ResultPanel")
        self.result_title = label("", "ResultTitle", wrap=True)
        self.result_lines = label("", "ResultLine", wrap=True)
        rl = QVBoxLayout(self.result_panel)
        rl.setContentsMargins(12, 8, 12, 8)
        rl.setSpacing(4)
        rl.addWidget(self.result_title)
        rl.addWidget(self.result_lines)
        self.result_panel.hide()
        self.reason = label("", "Hint", wrap=True)
        self.log_button = QPushButton(icon("log", "#ffffff"), "Log it")
        self.log_button.setObjectName("Primary")
        self.log_button.setToolTip("Log the activity (Ctrl+Enter)")
        self.log_button.clicked.connect(self.log)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.log_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(12)
        head = QHBoxLayout()
        head.addWidget(label("Log an activity", "SectionTitle"))
        head.addStretch(1)
        head.addWidget(label("↑↓ pick · Alt+1…6 type · Ctrl+Enter log", "Hint"))
        lay.addLayout(head)
        lay.addLayout(self.form, 1)
        lay.addWidget(self.result_panel)
        lay.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.log)
        self.set_kind(kind if kind in TYPES else "call")
        for b in self.findChildren(QPushButton):  # Enter picks the contact; only Ctrl+Enter logs
            b.setAutoDefault(False)
        self.contacts.box.setFocus()

    def kind(self) -> str:
        return next(k for k, b in self.type_buttons.items() if b.isChecked())

    def set_kind(self, kind: str) -> None:
        self.type_buttons[kind].setChecked(True)
        self.outcome.clear()
        for o in OUTCOMES.get(kind, ()):
            self.outcome.addItem(outcome_label(o), o)
        select(self.outcome, DEFAULT_OUTCOME.get(kind))
        has = bool(OUTCOMES.get(kind))
        self.outcome.setVisible(has)
        self.form.labelForField(self.outcome).setVisible(has)
        self._update()

    def set_outcome(self, outcome: str) -> bool:
        return select(self.outcome, outcome)

    def _update(self) -> None:
        contact = self.contacts.current()
        ok = contact is not None or (self.account_id is not None and self.kind() == "note")
        self.log_button.setEnabled(ok)
        self.reason.setText("" if ok else "Choose the contact first.")

    def log(self) -> None:
        contact = self.contacts.current()
        if not self.log_button.isEnabled():
            return
        kind = self.kind()
        outcome = self.outcome.currentData() if OUTCOMES.get(kind) else None
        note = self.note.toPlainText().strip() or None

        def work(s: Any) -> data.LogSummary:
            logged = log_activity(s, kind=kind, contact_id=contact.id if contact else None,
                                  account_id=None if contact else self.account_id, outcome=outcome, note=note,
                                  user_id=self.ctx.user.id)
            return data.summarize(s, logged)

        summary = attempt(self.ctx, self, "Could not log the activity", work)
        if summary is FAILED:
            return
        self.summary = summary
        self.result_title.setText(summary.title)
        self.result_lines.setText("\n".join(f"• {line}" for line in summary.lines))
        self.result_panel.show()
        self.note.clear()
        self.log_button.setText("Log another")
        self.logged.emit(summary)


def open_quick_log(ctx: AppContext, parent: QWidget | None, **kwargs: Any) -> QuickLogDialog:
    """Show the quick-log dialog (modal); returns it so the caller can read what was logged."""
    from ui.messaging import common

    dlg = QuickLogDialog(ctx, parent=parent, **kwargs)
    common.run_dialog(dlg)
    return dlg

