"""The form for adding one ICP rule: its kind, the kind's parameters (taxonomy pickers), label and points."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QWidget,
)

from accounts.models.account import ABM_STAGES
from accounts.models.research import SIGNAL_KINDS
from accounts.scoring_rules import KIND_LABELS, KINDS
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SEGMENT_LABELS, SEGMENTS, SIZE_BAND
from ui.context import AppContext
from ui.theme import icon
from ui.widgets.common import label

CHOICE_KINDS = ("industry", "segment", "size_band", "abm_stage", "signal")
TEXT_KINDS = {"hq_country": ("countries", "US, GB, DE"), "hq_region": ("regions", "California, Bavaria"),
              "technology": ("names", "HubSpot, Salesforce")}


class RuleForm(QWidget):
    """A small form for one new rule: kind, its parameters (taxonomy choices, ranges or a list), points."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = QComboBox()
        for k in KINDS:
            self.kind.addItem(KIND_LABELS[k], k)
        self.choices = QListWidget()
        self.choices.setMinimumHeight(150)
        self.choices.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.choices.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.text = QLineEdit()
        self.min_edit, self.max_edit = QLineEdit(), QLineEdit()
        self.min_edit.setPlaceholderText("no minimum")
        self.max_edit.setPlaceholderText("no maximum")
        self.span = span = QHBoxLayout()
        span.addWidget(self.min_edit)
        span.addWidget(label("to", "Muted"))
        span.addWidget(self.max_edit)
        self.days = QSpinBox()
        self.days.setRange(1, 3650)
        self.days.setValue(90)
        self.days.setSuffix(" days")
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("described automatically")
        self.points = QSpinBox()
        self.points.setRange(-100, 100)
        self.points.setValue(10)
        self.points.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.PlusMinus)
        self.add_button = QPushButton(icon("plus"), "Add rule")
        self.form = QFormLayout(self)
        self.form.setContentsMargins(12, 12, 12, 12)
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Values", self.choices)
        self.form.addRow("Contains", self.text)
        self.form.addRow("Range", span)
        self.form.addRow("Within", self.days)
        self.form.addRow("Label", self.label_edit)
        self.form.addRow("Points", self.points)
        self.form.addRow("", self.add_button)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _options(self, kind: str) -> list[tuple[str, str]]:
        tax = self.ctx.taxonomy
        if kind == "industry":
            return [(t.key, t.label) for t in tax.terms.get(INDUSTRY, [])]
        if kind == "segment":
            return [(k, SEGMENT_LABELS[k]) for k in SEGMENTS]
        if kind == "size_band":
            return [(t.key, t.label) for t in tax.terms.get(SIZE_BAND, [])]
        if kind == "abm_stage":
            return [(k, tax.label(ABM_STAGE, k)) for k in ABM_STAGES]
        return [(k, k.replace("_", " ").capitalize()) for k in SIGNAL_KINDS]

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.choices.clear()
        if kind in CHOICE_KINDS:
            for key, text in self._options(kind):
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.choices.addItem(item)
        self.text.clear()
        if kind == "industry":
            self.text.setPlaceholderText("optional: sub-industry contains…")
        elif kind in TEXT_KINDS:
            self.text.setPlaceholderText(TEXT_KINDS[kind][1] + " (comma-separated)")
        self.form.setRowVisible(self.choices, kind in CHOICE_KINDS)
        self.form.setRowVisible(self.text, kind == "industry" or kind in TEXT_KINDS)
        self.form.setRowVisible(self.span, kind in ("employees", "revenue"))
        self.form.setRowVisible(self.days, kind == "signal")
        self.min_edit.setPlaceholderText("min $" if kind == "revenue" else "min employees")
        self.max_edit.setPlaceholderText("max $ (none)" if kind == "revenue" else "max (none)")

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def check(self, *keys: str) -> None:
        for i in range(self.choices.count()):
            item = self.choices.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in keys:
                item.setCheckState(Qt.CheckState.Checked)

    def rule(self) -> dict[str, Any]:
        kind = self.current_kind()
        params: dict[str, Any] = {}
        if kind in CHOICE_KINDS:
            checked = [self.choices.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.choices.count())
                       if self.choices.item(i).checkState() == Qt.CheckState.Checked]
            params = {"kinds": checked, "days": self.days.value()} if kind == "signal" else \
                {{"industry": "industries", "segment": "segments", "size_band": "bands",
                  "abm_stage": "stages"}[kind]: checked}
            if kind == "industry":
                params["sub_industry_contains"] = self.text.text().strip() or None
        elif kind in TEXT_KINDS:
            params = {TEXT_KINDS[kind][0]: self.text.text()}
        else:
            params = {"min": self.min_edit.text().strip() or None, "max": self.max_edit.text().strip() or None}
        return {"id": kind, "label": self.label_edit.text().strip(), "kind": kind, "params": params,
                "points": self.points.value()}
