"""Create a target list: static (accounts added later by selection or import) or dynamic (a saved filter)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.models import ABM_STAGES
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY
from bdr_desk.users import User
from ui.context import AppContext
from ui.theme import app_icon
from ui.widgets.common import label


def _combo(anything: str, items: list[tuple[str, object]]) -> QComboBox:
    c = QComboBox()
    c.addItem(anything, None)
    for text, value in items:
        c.addItem(text, value)
    return c


class NewListDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New target list")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(480)
        tax = ctx.taxonomy
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Q2 Fintech Tier 1")
        self.description = QLineEdit()
        self.description.setPlaceholderText("What the list is for (optional)")
        self.static = QRadioButton("Static — I add accounts by selection or import")
        self.dynamic = QRadioButton("Dynamic — every account matching these criteria, always current")
        group = QButtonGroup(self)
        group.addButton(self.static)
        group.addButton(self.dynamic)
        self.static.setChecked(True)
        with ctx.workspace.session() as s:
            users = list(s.execute(select(User.id, User.name).order_by(User.name)))
        self.industry = _combo("Any industry", [(t.label, t.key) for t in tax.terms[INDUSTRY]])
        self.tier = _combo("Any tier", [(f"Tier {t}", t) for t in (1, 2, 3)])
        self.stage = _combo("Any stage", [(tax.label(ABM_STAGE, s), s) for s in ABM_STAGES])
        self.owner = _combo("Any owner", [(name, uid) for uid, name in users])
        self.criteria = QWidget()
        crit = QFormLayout(self.criteria)
        crit.setContentsMargins(24, 0, 0, 0)
        for text, w in (("Industry", self.industry), ("Tier", self.tier), ("ABM stage", self.stage),
                        ("Owner", self.owner)):
            crit.addRow(text, w)
        self.criteria.setEnabled(False)
        self.dynamic.toggled.connect(self.criteria.setEnabled)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create list")
        ok.setObjectName("Primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 14)
        lay.setSpacing(10)
        lay.addLayout(form)
        lay.addWidget(label("Kind", "SectionTitle"))
        lay.addWidget(self.static)
        lay.addWidget(self.dynamic)
        lay.addWidget(self.criteria)
        lay.addWidget(self.buttons)
        self.name.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        ok.setEnabled(False)

    def saved_filter(self) -> dict[str, list[object]]:
        pairs = (("industry", self.industry), ("tier", self.tier), ("stage", self.stage), ("owner_id", self.owner))
        return {key: [combo.currentData()] for key, combo in pairs if combo.currentData() is not None}

    def values(self) -> dict[str, object]:
        dynamic = self.dynamic.isChecked()
        return {"name": self.name.text(), "description": self.description.text(),
                "kind": "dynamic" if dynamic else "static", "saved_filter": self.saved_filter() if dynamic else None}
