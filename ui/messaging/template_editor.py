"""The template editor: name, channel, subject, body and persona/industry/pain tags; a merge-field picker that
inserts ``{{ account.name }}`` and friends where the cursor is; a live preview for a chosen contact that flags
unfilled fields; syntax errors and sandbox refusals shown with line and column (the line is marked in the
editor). A template that does not render cleanly is never saved. Only marketing and managers share
templates; BDRs keep personal ones and can duplicate a shared one to adapt it."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from accounts.messaging import save_template
from accounts.models.messaging import CHANNEL_LABELS
from accounts.template_sandbox import TemplateError
from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA
from ui import dialogs
from ui.context import AppContext
from ui.messaging import common, data
from ui.messaging.common import CHANNEL_ICONS, CURATORS, FAILED, STYLE, attempt
from ui.messaging.contact_search import ContactSearch
from ui.messaging.forms import select, term_combo
from ui.messaging.preview import ERROR, MessagePreview
from ui.theme import app_icon, icon
from ui.widgets.common import label

MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    "Account": ("account.name", "account.domain", "account.website", "account.industry_label",
                "account.size_label", "account.employees", "account.city", "account.country", "account.description"),
    "Contact": ("contact.first_name | default(\"there\")", "contact.first_name", "contact.last_name",
                "contact.full_name", "contact.title", "contact.email", "contact.persona_label"),
    "Owner / sender": ("sender.name", "sender.first_name", "sender.email", "owner.name", "owner.email"),
    "Hypothesis": ("hypothesis.pain", "hypothesis.hypothesis", "hypothesis.persona", "hypothesis.evidence"),
    "Content": ("content.title", "content.url", "content.type", "content.summary"),
    "Research": ("research.latest_signal.title", "research.latest_signal.date", "research.technologies"),
    "Other": ("today",),
}
SUBJECT_HINTS = {"email": "Subject line, e.g. Month-end close at {{ account.name }}",
                 "call": "A title for the talk track (optional)", "linkedin": "Optional: LinkedIn notes have no subject",
                 "event": "Invitation subject, e.g. Join us at {{ account.city | default(\"our\") }} roundtable"}
ERROR_AT = re.compile(r"^(subject|body)\b.*?line (\d+), column (\d+)")


class JinjaHighlighter(QSyntaxHighlighter):
    RULES = ((re.compile(r"\{\{.*?\}\}"), "#1d4ed8", True), (re.compile(r"\{%.*?%\}"), "#7c3aed", True),
             (re.compile(r"\{#.*?#\}"), "#94a3b8", False))

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        for pattern, color, bold in self.RULES:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(color))
            fmt.setBackground(QColor("#eff6ff" if bold else "#f8fafc"))
            if bold:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)


class ContactPickerDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preview for…")
        self.resize(520, 420)
        ws = ctx.workspace

        def search(text: str) -> list[data.ContactChoice]:
            with ws.session() as s:
                return data.search_contacts(s, text)

        self.search = ContactSearch(self, search=search)
        self.search.chosen.connect(lambda *_: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(label("Render the template for this contact:", "Muted"))
        lay.addWidget(self.search, 1)
        lay.addWidget(buttons)
        self.search.refresh()


class TemplateEditorDialog(QDialog):
    def __init__(self, ctx: AppContext, template: data.TemplateRow | None = None, *,
                 preview_contact_id: int | None = None, copy: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.template = ctx, template
        self.template_id: int | None = template.id if template and not copy else None
        self.saved_id: int | None = None
        curator = ctx.user.role in CURATORS
        editable = template is None or copy or curator or (template.owner_id == ctx.user.id and not template.shared)
        self.read_only = not editable
        self.setWindowTitle(("Template — " + template.name) if template and not copy else "New template")
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE)
        self.resize(1120, 720)
        tax = ctx.taxonomy
        self.name = QLineEdit((template.name + " (copy)" if copy else template.name) if template else "")
        self.name.setPlaceholderText("e.g. “Cold opener — month-end close”")
        self.channel = QComboBox()
        for key, text in CHANNEL_LABELS.items():
            self.channel.addItem(icon(CHANNEL_ICONS[key]), text, key)
        select(self.channel, template.channel if template else "email")
        self.subject = QLineEdit(template.subject or "" if template else "")
        self.subject.setPlaceholderText("Subject line, e.g. Month-end close at {{ account.name }}")
        self.persona = term_combo(tax, PERSONA, "Any persona", template.persona if template else None)
        self.industry = term_combo(tax, INDUSTRY, "Any industry", template.industry if template else None)
        self.pain = term_combo(tax, PAIN, "Any pain", template.pain if template else None)
        self.shared = QCheckBox("Shared with the team")
        self.shared.setChecked(bool(template and template.shared and not copy) or (template is None and curator))
        self.shared.setEnabled(curator)
        self.shared.setToolTip("Marketing and managers curate shared templates" if curator else
                               "Only marketing and managers share templates; yours stay personal")
        self.body = QPlainTextEdit(template.body if template else "")
        self.body.setPlaceholderText("Hi {{ contact.first_name | default(\"there\") }},\n\n…")
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(10)
        self.body.setFont(mono)
        self.highlighter = JinjaHighlighter(self.body.document())
        self.insert_button = QToolButton()
        self.insert_button.setText("Insert merge field")
        self.insert_button.setIcon(icon("braces"))
        self.insert_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.insert_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.insert_button.setMenu(self._fields_menu())
        self.insert_button.setStyleSheet(
            "QToolButton { padding: 5px 26px 5px 10px; border: 1px solid #cbd5e1; border-radius: 6px; "
            "background: #ffffff; } QToolButton::menu-indicator { subcontrol-origin: padding; "
            "subcontrol-position: center right; right: 8px; }")
        self._target: QLineEdit | QPlainTextEdit = self.body
        for w in (self.subject, self.body):
            w.installEventFilter(self)

        tags = QHBoxLayout()
        tags.setSpacing(8)
        for w in (self.persona, self.industry, self.pain):
            tags.addWidget(w, 1)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(10)
        form.addRow("Name", self.name)
        form.addRow("Channel", self.channel)
        form.addRow("Subject", self.subject)
        form.addRow("Tags", tags)
        form.addRow("", self.shared)
        body_head = QHBoxLayout()
        body_head.addWidget(label("BODY", "FormCaption"))
        body_head.addStretch(1)
        body_head.addWidget(self.insert_button)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addLayout(form)
        left.addLayout(body_head)
        left.addWidget(self.body, 1)
        left.addWidget(label("Merge fields: {{ contact.first_name }}; a fallback for missing values: "
                             "{{ contact.first_name | default(\"there\") }}; conditions: {% if hypothesis %}…"
                             "{% endif %}", "Hint", wrap=True))

        self.preview = MessagePreview(caption="LIVE PREVIEW")
        self.preview_for = QPushButton(icon("person"), "Choose a contact…")
        self.preview_for.setToolTip("Render the template for another contact")
        self.preview_for.clicked.connect(self.choose_contact)
        right = QVBoxLayout()
        right.setSpacing(8)
        pf = QHBoxLayout()
        pf.addWidget(label("Preview for", "Muted"))
        pf.addWidget(self.preview_for, 1)
        right.addLayout(pf)
        right.addWidget(self.preview, 1)

        self.reason = label("", "Reason", wrap=True)
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save template")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        self.duplicate_button = QPushButton(icon("copy"), "Duplicate as mine")
        self.duplicate_button.clicked.connect(self.duplicate)
        self.duplicate_button.setVisible(self.read_only)
        self.save_button.setVisible(not self.read_only)
        cancel = QPushButton("Close" if self.read_only else "Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.duplicate_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        cols = QHBoxLayout()
        cols.setSpacing(20)
        cols.addLayout(left, 11)
        cols.addLayout(right, 10)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(12)
        lay.addLayout(cols, 1)
        lay.addLayout(buttons)
        if self.read_only:
            for w in (self.name, self.subject):
                w.setReadOnly(True)
            self.body.setReadOnly(True)
            for w in (self.channel, self.persona, self.industry, self.pain):
                w.setEnabled(False)
            self.insert_button.setEnabled(False)
            self.reason.setText("A shared template: marketing curates it. Duplicate it to adapt it as yours.")

        self.contact: data.ContactChoice | None = None
        self.sample: tuple[int | None, int | None] = (None, None)  # hypothesis, content item used in the preview
        for b in self.findChildren(QPushButton):  # Enter in a field never saves by accident
            b.setAutoDefault(False)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.render_now)
        for sig in (self.name.textChanged, self.subject.textChanged, self.body.textChanged):
            sig.connect(self.schedule)
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self.set_contact(preview_contact_id)
        self._channel_changed()

    # ---- editing helpers ----
    def _fields_menu(self) -> QMenu:
        menu = QMenu(self)
        for group, fields in MERGE_FIELDS.items():
            sub = menu.addMenu(group)
            for f in fields:
                sub.addAction(f, lambda f=f: self.insert_field(f))
        return menu

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusIn and obj in (self.subject, self.body):
            self._target = obj  # type: ignore[assignment]
        return super().eventFilter(obj, event)

    def insert_field(self, path: str) -> None:
        """Insert ``{{ path }}`` at the cursor of the subject or the body (whichever had focus last)."""
        text = "{{ " + path + " }}"
        if self._target is self.subject:
            self.subject.insert(text)
            self.subject.setFocus()
        else:
            self.body.insertPlainText(text)
            self.body.setFocus()

    def _channel_changed(self) -> None:
        self.subject.setPlaceholderText(SUBJECT_HINTS.get(self.channel.currentData(), ""))
        self.schedule()

    def subject_text(self) -> str | None:
        return self.subject.text().strip() or None

    # ---- preview ----
    def choose_contact(self) -> None:
        dlg = ContactPickerDialog(self.ctx, self)
        if common.run_dialog(dlg) and (c := dlg.search.current()) is not None:
            self.set_contact(c.id)

    def set_contact(self, contact_id: int | None) -> None:
        with self.ctx.workspace.session() as s:
            if contact_id is None:
                first = data.search_contacts(s, "", limit=1)
                contact_id = first[0].id if first else None
            self.contact = data.contact_choice(s, contact_id) if contact_id else None
            hyps = data.hypothesis_choices(s, self.contact.account_id) if self.contact else []
            content = data.content_choices(s)
        self.sample = (hyps[0].id if hyps else None, content[0].id if content else None)
        self.preview_for.setText(f"{self.contact.name} · {self.contact.account}" if self.contact
                                 else "No contacts in this workspace yet")
        self.preview.set_target("with the account's top hypothesis and a sample content item" if self.contact
                                else "no contact: every field without a fallback is flagged")
        self.render_now()

    def schedule(self) -> None:
        self._debounce.start()

    def render_now(self) -> None:
        self._debounce.stop()
        self._mark_error_line(None)
        body = self.body.toPlainText()
        if not body.strip():
            self.preview.clear("Write the body to see the message.")
        else:
            try:
                with self.ctx.workspace.session() as s:
                    rendered = data.render_message(
                        s, self.subject_text(), body, contact_id=self.contact.id if self.contact else None,
                        hypothesis_id=self.sample[0], content_id=self.sample[1], sender_id=self.ctx.user.id)
                self.preview.show_rendered(rendered, hint="Give each a | default(...) fallback, or make sure "
                                           "the contact, hypothesis or content has a value before sending.")
            except TemplateError as exc:
                self.preview.show_error(str(exc))
                self._mark_error_line(str(exc))
        self._update()

    def error_position(self) -> tuple[str, int, int] | None:
        """(subject|body, line, column) of the current template error, when it names them."""
        if self.preview.state != ERROR or self.preview.status.text.text() is None:
            return None
        m = ERROR_AT.match(self.preview.status.text.text())
        return (m.group(1), int(m.group(2)), int(m.group(3))) if m else None

    def _mark_error_line(self, message: str | None) -> None:
        m = ERROR_AT.match(message or "")
        if not m or m.group(1) != "body":
            self.body.setExtraSelections([])
            return
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor("#fee2e2"))
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        block = self.body.document().findBlockByNumber(int(m.group(2)) - 1)
        sel.cursor = QTextCursor(block)
        self.body.setExtraSelections([sel])

    def _update(self) -> None:
        if self.read_only:
            return
        reason = ""
        if not self.name.text().strip():
            reason = "Give the template a name."
        elif not self.body.toPlainText().strip():
            reason = "Write the body."
        elif self.preview.state == ERROR:
            reason = "Fix the error before saving."
        self.save_button.setEnabled(not reason)
        self.reason.setText(reason)

    # ---- saving ----
    def save(self) -> None:
        if self.read_only:
            return
        self.render_now()  # the newest text, checked in the sandbox: an error refuses the save
        if self.preview.state == ERROR:
            dialogs.show_error(self, "The template cannot be saved", self.preview.status.text.text())
            return
        if not self.save_button.isEnabled():
            return
        values: dict[str, Any] = dict(
            name=self.name.text(), body=self.body.toPlainText(), channel=self.channel.currentData(),
            subject=self.subject_text(), persona=self.persona.currentData(), industry=self.industry.currentData(),
            pain=self.pain.currentData(), shared=self.shared.isChecked() and self.ctx.user.role in CURATORS)
        keep_owner = self.template.owner_id if self.template and self.template_id else self.ctx.user.id
        expected = self.template.version if self.template and self.template_id else None
        result = attempt(self.ctx, self, "Could not save the template",
                         lambda s: save_template(s, **values, owner_id=keep_owner, template_id=self.template_id,
                                                 expected_version=expected).id)
        if result is FAILED:
            return
        self.saved_id = result
        self.accept()

    def duplicate(self) -> None:
        """Open an editable personal copy in place of this read-only shared template."""
        if self.template is None:
            return
        copy = TemplateEditorDialog(self.ctx, self.template, copy=True,
                                    preview_contact_id=self.contact.id if self.contact else None,
                                    parent=self.parentWidget())
        if common.run_dialog(copy):
            self.saved_id = copy.saved_id
            self.accept()
