"""Create or edit one stakeholder of an account, and a small contact picker.

Seniority and function are read from the title (``accounts.seniority.classify_title``) while "Auto" is chosen;
picking a seniority overrides it. The reports-to picker lists only this account's people (never the contact
itself). Saves go through ``accounts.stakeholders.save_contact`` with the loaded version, so someone else's newer
edit is reported (through ``ui.dialogs.show_error``) instead of being overwritten.

``open_contact_dialog`` and ``pick_contact`` are the seams tests replace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.seniority import SENIORITIES, classify_title
from accounts.stakeholders import ContactCard, StakeholderError, save_contact
from bdr_desk.taxonomy import BUYING_ROLE
from bdr_desk.users import User
from ui import dialogs
from ui.context import AppContext
from ui.models.contacts_model import COVERAGE_LABELS, SENTIMENT_LABELS, SOURCE_LABELS

SENIORITY_LABELS = {"c_level": "C-level", "vp": "VP", "director": "Director", "manager": "Manager",
                    "individual_contributor": "Individual contributor"}
FUNCTION_LABELS = {"executive": "Executive", "finance": "Finance", "it": "IT", "engineering": "Engineering",
                   "security": "Security", "operations": "Operations", "sales": "Sales", "marketing": "Marketing",
                   "hr": "HR", "procurement": "Procurement", "legal": "Legal", "data": "Data",
                   "customer_success": "Customer success", "revops": "RevOps"}


def _combo(items: Sequence[tuple[str, Any]]) -> QComboBox:
    c = QComboBox()
    for text, data in items:
        c.addItem(text, data)
    return c


def _select(combo: QComboBox, data: Any) -> None:
    i = combo.findData(data)
    combo.setCurrentIndex(max(0, i))


class ContactDialog(QDialog):
    """``card`` None creates a contact; ``contacts`` are the account's people as (id, name) for reports-to."""

    def __init__(self, ctx: AppContext, account_id: int, card: ContactCard | None = None,
                 contacts: Sequence[tuple[int, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.account_id, self.card = ctx, account_id, card
        self.saved: ContactCard | None = None
        self.setWindowTitle(f"Edit {card.name}" if card else "Add a stakeholder")
        self.setMinimumWidth(720)
        tax = ctx.taxonomy

        self.first_name, self.last_name = QLineEdit(), QLineEdit()
        self.first_name.setPlaceholderText("First name")
        self.last_name.setPlaceholderText("Last name")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("e.g. VP Finance")
        self.seniority = _combo([("Auto (from the title)", None)]
                                + [(SENIORITY_LABELS.get(s, s), s) for s in SENIORITIES])
        self.function = _combo([("Auto (from the title)", None)]
                               + [(label, key) for key, label in FUNCTION_LABELS.items()])
        self.derived = QLabel()
        self.derived.setObjectName("Muted")
        self.email, self.phone, self.linkedin = QLineEdit(), QLineEdit(), QLineEdit()
        self.email.setPlaceholderText("name@company.com")
        self.phone.setPlaceholderText("+1 555 0100")
        self.linkedin.setPlaceholderText("https://www.linkedin.com/in/…")
        self.buying_role = _combo([("Not set", None)] + [(t.label, t.key) for t in tax.terms.get(BUYING_ROLE, [])])
        self.role_hint = QLabel()
        self.role_hint.setObjectName("Muted")
        self.influence = _combo([("Not rated", None)] + [(f"{'●' * i}{'○' * (5 - i)}  {i}", i) for i in range(1, 6)])
        self.sentiment = _combo([(label, key) for key, label in SENTIMENT_LABELS.items()])
        self.coverage = _combo([(label, key) for key, label in COVERAGE_LABELS.items()])
        self.owner = _combo([("Unassigned", None)])
        with ctx.workspace.session() as s:
            for uid, uname in s.execute(select(User.id, User.name).order_by(User.name)):
                self.owner.addItem(uname, uid)
        own_id = card.id if card else None
        self.reports_to = _combo([("Nobody (top of the chart)", None)]
                                 + [(name, cid) for cid, name in contacts if cid != own_id])
        self.reports_to.setToolTip("Only people at this account can be chosen")
        self.source = _combo([(label, key) for key, label in SOURCE_LABELS.items()])
        self.left_company = QCheckBox("Left the company")
        self.left_company.setToolTip("Kept on the map, greyed out; no longer counts towards committee coverage")
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("What matters to this person, how they feel about us, next step…")
        self.notes.setFixedHeight(80)

        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setHorizontalSpacing(10)
            form.setVerticalSpacing(8)
        names = QHBoxLayout()
        names.setSpacing(6)
        names.addWidget(self.first_name)
        names.addWidget(self.last_name)
        left.addRow("Name", names)
        left.addRow("Title", self.title_edit)
        left.addRow("Seniority", self.seniority)
        left.addRow("Function", self.function)
        left.addRow("", self.derived)
        left.addRow("Email", self.email)
        left.addRow("Phone", self.phone)
        left.addRow("LinkedIn", self.linkedin)
        right.addRow("Buying role", self.buying_role)
        right.addRow("", self.role_hint)
        right.addRow("Influence", self.influence)
        right.addRow("Sentiment", self.sentiment)
        right.addRow("Coverage", self.coverage)
        right.addRow("Reports to", self.reports_to)
        right.addRow("Owner", self.owner)
        right.addRow("Source", self.source)
        right.addRow("", self.left_company)
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.addWidget(QLabel("Notes"), 1, 0, 1, 2)
        grid.addWidget(self.notes, 2, 0, 1, 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.ok.setText("Save contact" if card else "Add contact")
        self.ok.setObjectName("Primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(12)
        lay.addLayout(grid)
        lay.addWidget(self.buttons)

        if card is not None:
            self._fill(card)
        else:
            _select(self.source, "manual")
            _select(self.owner, ctx.user.id)
        for w in (self.first_name, self.last_name, self.email):
            w.textChanged.connect(self._update)
        self.title_edit.textChanged.connect(self._title_changed)
        self.seniority.currentIndexChanged.connect(self._title_changed)
        self.function.currentIndexChanged.connect(self._title_changed)
        self._title_changed()
        self._update()

    def _fill(self, c: ContactCard) -> None:
        self.first_name.setText(c.first_name or "")
        self.last_name.setText(c.last_name or "")
        if not (c.first_name or c.last_name) and c.name:
            self.first_name.setText(c.name)
        self.title_edit.setText(c.title or "")
        auto = classify_title(c.title)
        # a stored value that differs from what the title says is an override
        _select(self.seniority, c.seniority if c.seniority and c.seniority != auto.seniority else None)
        _select(self.function, c.function if c.function and c.function != auto.function else None)
        self.email.setText(c.email or "")
        self.phone.setText(c.phone or "")
        self.linkedin.setText(c.linkedin_url or "")
        _select(self.buying_role, c.buying_role)
        _select(self.influence, c.influence)
        _select(self.sentiment, c.sentiment or "unknown")
        _select(self.coverage, c.coverage_status or "identified")
        _select(self.reports_to, c.reports_to_id)
        _select(self.owner, c.owner_id)
        _select(self.source, c.source or "manual")
        self.left_company.setChecked(bool(c.left_company))
        self.notes.setPlainText(c.notes or "")

    def _title_changed(self, *_: Any) -> None:
        info = classify_title(self.title_edit.text())
        seniority = self.seniority_value()
        function = self.function_value()
        parts = [SENIORITY_LABELS.get(seniority, seniority)] if seniority else ["No title yet"]
        if function:
            parts.append(FUNCTION_LABELS.get(function, function))
        overridden = self.seniority.currentData() is not None or self.function.currentData() is not None
        self.derived.setText(" · ".join(parts) + ("  (override)" if overridden else "  (from the title)"))
        suggested = info.suggested_role
        self.role_hint.setText(
            f"The title suggests: {self.ctx.taxonomy.label(BUYING_ROLE, suggested)}" if suggested else "")

    def seniority_value(self) -> str | None:
        if self.seniority.currentData():
            return self.seniority.currentData()
        return classify_title(self.title_edit.text()).seniority if self.title_edit.text().strip() else None

    def function_value(self) -> str | None:
        return self.function.currentData() or classify_title(self.title_edit.text()).function

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.first_name.text().strip() or self.last_name.text().strip()
                                or self.email.text().strip()))

    def values(self) -> dict[str, Any]:
        def text(w: QLineEdit) -> str | None:
            return w.text().strip() or None

        values: dict[str, Any] = {
            "first_name": text(self.first_name), "last_name": text(self.last_name), "title": text(self.title_edit),
            "email": text(self.email), "phone": text(self.phone), "linkedin_url": text(self.linkedin),
            "buying_role": self.buying_role.currentData(), "influence": self.influence.currentData(),
            "sentiment": self.sentiment.currentData(), "coverage_status": self.coverage.currentData(),
            "reports_to_id": self.reports_to.currentData(), "owner_id": self.owner.currentData(),
            "source": self.source.currentData(), "left_company": self.left_company.isChecked(),
            "notes": self.notes.toPlainText().strip() or None,
        }
        # "Auto": leave seniority/function out when the title changes (save_contact derives them, and the
        # persona, from the new title); otherwise send what the title says, which also clears an old override
        title_changed = self.card is None or values["title"] != (self.card.title or None)
        for key, combo, value in (("seniority", self.seniority, self.seniority_value()),
                                  ("function", self.function, self.function_value())):
            if combo.currentData() is not None or not title_changed:
                values[key] = value
        return values

    def save(self) -> bool:
        """Write the contact; on a bad value or a newer edit by someone else, say so and stay open."""
        try:
            with self.ctx.workspace.session() as s:
                self.saved = save_contact(s, self.account_id, self.values(),
                                          contact_id=self.card.id if self.card else None,
                                          expected_version=self.card.version if self.card else None,
                                          user_id=self.ctx.user.id)
        except (StakeholderError, ValueError) as exc:
            dialogs.show_error(self, "Could not save the contact", str(exc))
            return False
        return True

    def accept(self) -> None:
        if self.save():
            super().accept()


def open_contact_dialog(parent: QWidget | None, ctx: AppContext, account_id: int, card: ContactCard | None = None,
                        contacts: Sequence[tuple[int, str]] = ()) -> ContactCard | None:
    """The saved contact, or None when cancelled."""
    dlg = ContactDialog(ctx, account_id, card, contacts, parent)
    return dlg.saved if dlg.exec() == QDialog.DialogCode.Accepted else None


class ContactPickerDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, prompt: str, choices: Sequence[tuple[int, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(10)
        text = QLabel(prompt)
        text.setWordWrap(True)
        self.query = QLineEdit()
        self.query.setPlaceholderText("Filter people…")
        self.query.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setMinimumHeight(240)
        for cid, label in choices:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, cid)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda *_: self.accept())
        self.query.textChanged.connect(self._filter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Choose")
        ok.setObjectName("Primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for w in (text, self.query, self.list, buttons):
            lay.addWidget(w)

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hidden = bool(needle) and needle not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        self.list.setCurrentItem(first)

    def choice(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None or item.isHidden() else int(item.data(Qt.ItemDataRole.UserRole))


def pick_contact(parent: QWidget | None, title: str, prompt: str, choices: Sequence[tuple[int, str]]) -> int | None:
    """A contact id from ``choices`` ((id, label) pairs), or None when cancelled."""
    if not choices:
        dialogs.show_info(parent, title, "There is nobody to choose at this account yet.")
        return None
    dlg = ContactPickerDialog(parent, title, prompt, choices)
    return dlg.choice() if dlg.exec() == QDialog.DialogCode.Accepted else None
