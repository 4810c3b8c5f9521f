"""Settings › Buying committees: which roles each segment's committee requires and how much each weighs in
coverage, and after how many quiet days a stakeholder map counts as stale. Managers and marketing edit it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from accounts.models import BUYING_ROLES
from accounts.stakeholders import (
    StakeholderError,
    committee_template,
    save_committee_template,
    set_stale_days,
    stale_days,
)
from bdr_desk.taxonomy import BUYING_ROLE, SEGMENT_LABELS, SEGMENTS
from ui import dialogs
from ui.context import AppContext
from ui.theme import icon
from ui.widgets.common import label

EDITORS = ("marketing", "manager")


class CommitteeSettings(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.segment = QComboBox()
        for seg in SEGMENTS:
            self.segment.addItem(SEGMENT_LABELS[seg], seg)
        self.segment.setCurrentIndex(SEGMENTS.index("enterprise"))
        self.required: dict[str, QCheckBox] = {}
        self.weight: dict[str, QSpinBox] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.addWidget(label("Buying role", "SectionTitle"), 0, 0)
        grid.addWidget(label("Required", "SectionTitle"), 0, 1)
        grid.addWidget(label("Weight", "SectionTitle"), 0, 2)
        for i, role in enumerate(BUYING_ROLES, start=1):
            grid.addWidget(label(ctx.taxonomy.label(BUYING_ROLE, role)), i, 0)
            self.required[role] = QCheckBox()
            self.weight[role] = QSpinBox(minimum=0, maximum=10)
            self.weight[role].setFixedWidth(90)
            grid.addWidget(self.required[role], i, 1)
            grid.addWidget(self.weight[role], i, 2)
        grid.setColumnMinimumWidth(0, 200)
        grid.setColumnStretch(3, 1)
        self.stale = QSpinBox(minimum=1, maximum=3650, suffix=" days")
        self.stale.setFixedWidth(120)
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save committee")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        self.note = label("", "Muted", wrap=True)
        top = QHBoxLayout()
        top.addWidget(label("Segment"))
        top.addWidget(self.segment)
        top.addStretch(1)
        stale_row = QHBoxLayout()
        stale_row.addWidget(label("A stakeholder map is stale after"))
        stale_row.addWidget(self.stale)
        stale_row.addWidget(label("without activity or research", "Muted"))
        stale_row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 18)
        lay.setSpacing(12)
        lay.addWidget(label("Coverage is the weight of the required roles held by current contacts, divided by the "
                            "weight of all required roles; the key contact identification rate counts the accounts "
                            "whose required roles are all held.", "Muted", wrap=True))
        lay.addLayout(top)
        lay.addLayout(grid)
        lay.addLayout(stale_row)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.note, 1)
        lay.addLayout(row)
        lay.addStretch(1)
        self.segment.currentIndexChanged.connect(self.load)
        self.load()

    @property
    def editable(self) -> bool:
        return self.ctx.user.role in EDITORS

    def load(self) -> None:
        with self.ctx.workspace.session() as s:
            roles = {r["role"]: r for r in committee_template(s, self.segment.currentData())}
            days = stale_days(s)
        for role in BUYING_ROLES:
            entry = roles.get(role, {})
            self.required[role].setChecked(bool(entry.get("required")))
            self.weight[role].setValue(int(entry.get("weight", 0) or 0))
        self.stale.setValue(days)
        for w in (*self.required.values(), *self.weight.values(), self.stale, self.save_button):
            w.setEnabled(self.editable)
        self.note.setText("" if self.editable else "Managers and marketing set the buying committees.")

    def roles(self) -> list[dict[str, object]]:
        return [{"role": r, "required": self.required[r].isChecked(), "weight": self.weight[r].value()}
                for r in BUYING_ROLES if self.required[r].isChecked() or self.weight[r].value() > 0]

    def save(self) -> None:
        try:
            with self.ctx.workspace.session() as s:
                save_committee_template(s, self.segment.currentData(), self.roles())
                set_stale_days(s, self.stale.value())
        except StakeholderError as exc:
            dialogs.show_error(self, "Cannot save the committee", str(exc))
            return
        self.note.setText(f"Saved the {self.segment.currentText()} committee. Coverage updates everywhere.")
