"""Form dialogs of the messaging GUI: a titled dialog with a form and OK/Cancel, and the combo boxes they use
(taxonomy terms, plain choices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.taxonomy import Taxonomy
from ui.messaging.common import STYLE
from ui.messaging.data import Choice
from ui.theme import app_icon
from ui.widgets.common import label


class FormDialog(QDialog):
    """Title, one line of context, a form, and the OK/Cancel row (OK is the primary button)."""

    def __init__(self, parent: QWidget | None, title: str, subtitle: str = "", ok_text: str = "Save") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(560)
        self.heading = label(title, "SectionTitle")
        self.subtitle = label(subtitle, "Muted", wrap=True)
        self.subtitle.setVisible(bool(subtitle))
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(10)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.ok.setObjectName("Primary")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(22, 18, 22, 16)
        self.lay.setSpacing(10)
        self.lay.addWidget(self.heading)
        self.lay.addWidget(self.subtitle)
        self.lay.addSpacing(4)
        self.lay.addLayout(self.form)

    def finish(self) -> None:
        self.lay.addSpacing(6)
        self.lay.addWidget(self.buttons)

    def submit(self) -> None:
        """Write, then accept; subclasses override (and stay open when the write fails)."""
        self.accept()


def term_combo(tax: Taxonomy, vocabulary: str, empty: str | None, current: str | None = None) -> QComboBox:
    combo = QComboBox()
    if empty is not None:
        combo.addItem(empty, None)
    for t in tax.terms.get(vocabulary, []):
        combo.addItem(t.label, t.key)
    select(combo, current)
    return combo


def choice_combo(choices: Sequence[Choice], empty: str | None, current: int | None = None) -> QComboBox:
    combo = QComboBox()
    if empty is not None:
        combo.addItem(empty, None)
    for c in choices:
        combo.addItem(c.label + (f"  ·  {c.detail}" if c.detail else ""), c.id)
        combo.setItemData(combo.count() - 1, c.label + (f"\n{c.detail}" if c.detail else ""),
                          Qt.ItemDataRole.ToolTipRole)
    combo.setMinimumContentsLength(30)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    select(combo, current)
    return combo


def select(combo: QComboBox, value: Any) -> bool:
    i = combo.findData(value) if value is not None else -1
    if i >= 0:
        combo.setCurrentIndex(i)
    return i >= 0


def text_box(text: str = "", placeholder: str = "", height: int = 80) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box
