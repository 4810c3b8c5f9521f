"""Add or edit a line of the message map: the hypothesis it serves, the persona, the angle (value proposition
for that persona), the sequence step that carries it, and the collateral chosen from published content."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from accounts.hypotheses import save_map_entry
from bdr_desk.taxonomy import PERSONA
from content_library.collateral import set_map_collateral
from ui.context import AppContext
from ui.messaging import data
from ui.messaging.common import FAILED, attempt
from ui.messaging.forms import FormDialog, choice_combo, term_combo, text_box
from ui.messaging.models import CheckableChoiceModel
from ui.theme import icon
from ui.widgets.common import label
from ui.widgets.tables import make_table


class MapLineDialog(FormDialog):
    def __init__(self, ctx: AppContext, account_id: int, *, line: data.MapLineRow | None = None,
                 hypothesis_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Edit message map line" if line else "Add to the message map",
                         "Turn a hypothesis into an angle for one persona, choose the collateral that backs it up "
                         "and the sequence step that carries it.")
        self.ctx, self.line = ctx, line
        self.entry_id: int | None = line.id if line else None
        with ctx.workspace.session() as s:
            hyps = data.hypothesis_choices(s, account_id, include_rejected=True)
            steps = data.step_choices(s)
            content = data.content_choices(s)
        self.hypothesis = choice_combo(hyps, None, line.hypothesis_id if line else hypothesis_id)
        self.persona = term_combo(ctx.taxonomy, PERSONA, "The hypothesis's persona", line.persona if line else None)
        self.angle = text_box(line.angle if line else "", "The value proposition for this persona, e.g. “Close in "
                              "4 days, with the audit evidence built as you go”", 80)
        self.step = choice_combo(steps, "No sequence step" if steps else "No sequences yet",
                                 line.step_id if line else None)
        chosen = [i for i, _t in line.collateral] if line else []
        content.sort(key=lambda c: c.id not in chosen)  # the chosen ones first, then by title
        self.collateral = CheckableChoiceModel(self)
        self.collateral.set_rows(content, chosen)
        self.collateral.dataChanged.connect(lambda *_: self._count())
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.collateral)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter published content…")
        self.filter.setClearButtonEnabled(True)
        self.filter.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.items = make_table(self.proxy, stretch=0, sortable=False)
        self.items.horizontalHeader().hide()
        self.items.setMinimumHeight(170)
        self.chosen_count = label("", "Hint")
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.chosen_count)
        bl.addLayout(top)
        bl.addWidget(self.items, 1)
        if not content:
            bl.addWidget(label("No published content yet: marketing publishes items in the Content Library.",
                               "Hint", wrap=True))
        self.form.addRow("Hypothesis", self.hypothesis)
        self.form.addRow("Persona", self.persona)
        self.form.addRow("Angle", self.angle)
        self.form.addRow("Collateral", box)
        self.form.addRow("Sequence step", self.step)
        self.finish()
        self.setMinimumWidth(660)
        self._count()
        self.angle.textChanged.connect(self._update)
        self._update()
        self.angle.setFocus()

    def _count(self) -> None:
        n = len(self.collateral.checked_ids())
        self.chosen_count.setText(f"{n} chosen" if n else "none chosen")

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.angle.toPlainText().strip()) and self.hypothesis.currentData() is not None)

    def submit(self) -> None:
        hyp, angle = self.hypothesis.currentData(), self.angle.toPlainText().strip()
        persona, step, items = self.persona.currentData(), self.step.currentData(), self.collateral.checked_ids()

        def work(s: Any) -> int:
            entry = save_map_entry(s, hyp, angle, persona=persona, sequence_step_id=step, entry_id=self.entry_id)
            set_map_collateral(s, entry.id, items)
            return entry.id

        result = attempt(self.ctx, self, "Could not save the map line", work)
        if result is not FAILED:
            self.entry_id = result
            self.accept()
