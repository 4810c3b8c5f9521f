"""Build or change a sequence: its name and description, and its steps — business-day offset, channel, the
template the step sends (filtered by channel) and the instruction for the BDR."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QWidget

from accounts.models.messaging import CHANNEL_LABELS
from accounts.sequences import StepDraft, save_sequence
from ui.context import AppContext
from ui.messaging import data
from ui.messaging.common import CHANNEL_ICONS, FAILED, attempt, channel_label
from ui.messaging.forms import FormDialog, select, text_box
from ui.models.record_table import RecordTableModel
from ui.theme import icon
from ui.widgets.common import label
from ui.widgets.tables import make_table


@dataclass(frozen=True)
class StepEdit:
    day_offset: int
    channel: str
    template_id: int | None = None
    template: str | None = None
    instruction: str | None = None


class SequenceEditorDialog(FormDialog):
    def __init__(self, ctx: AppContext, sequence: data.SequenceRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, "Edit sequence" if sequence else "New sequence",
                         "A cadence of touches across channels. Day offsets count business days from enrolment "
                         "(Settings › Business days); each step sends a template or tells you what to do.",
                         "Save sequence")
        self.ctx, self.sequence = ctx, sequence
        self.sequence_id: int | None = sequence.id if sequence else None
        self.setMinimumWidth(780)
        with ctx.workspace.session() as s:
            self.templates = data.template_rows(s, user_id=ctx.user.id)
        self.steps: list[StepEdit] = [StepEdit(st.day_offset, st.channel, st.template_id, st.template,
                                               st.instruction) for st in (sequence.steps if sequence else ())]
        self.name = QLineEdit(sequence.name if sequence else "")
        self.name.setPlaceholderText("e.g. “Finance leader — 6 touches in 3 weeks”")
        self.description = text_box(sequence.description or "" if sequence else "", "Who it is for and why", 52)
        self.model = RecordTableModel([
            ("#", lambda r: r[0]), ("Day", lambda r: r[1].day_offset),
            ("Channel", lambda r: channel_label(r[1].channel)), ("Template", lambda r: r[1].template or "—"),
            ("Instruction", lambda r: r[1].instruction or "")],
            parent=self)
        self.table = make_table(self.model, (40, 60, 120, 240), sortable=False)
        self.table.setMinimumHeight(170)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_step())
        self.add_button = QPushButton(icon("plus"), "Add step")
        self.add_button.clicked.connect(self.add_step)
        self.remove_button = QPushButton(icon("trash"), "Remove step")
        self.remove_button.clicked.connect(self.remove_step)
        tools = QHBoxLayout()
        tools.addWidget(label("STEPS", "FormCaption"))
        tools.addStretch(1)
        tools.addWidget(self.add_button)
        tools.addWidget(self.remove_button)

        self.day = QSpinBox(minimum=0, maximum=365, prefix="Day ")
        self.day.setFixedWidth(110)
        self.channel = QComboBox()
        for key, text in CHANNEL_LABELS.items():
            self.channel.addItem(icon(CHANNEL_ICONS[key]), text, key)
        self.template = QComboBox()
        self.template.setMinimumContentsLength(26)
        self.instruction = QLineEdit()
        self.instruction.setPlaceholderText("What to do, e.g. “Reference the podcast quote; ask for 20 minutes”")
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.day)
        row.addWidget(self.channel)
        row.addWidget(self.template, 1)
        self.form.addRow("Name", self.name)
        self.form.addRow("Description", self.description)
        self.form.addRow(tools)
        self.form.addRow(self.table)
        self.form.addRow("Selected step", row)
        self.form.addRow("Instruction", self.instruction)
        self.finish()
        self.day.valueChanged.connect(self._edit_step)
        self.channel.currentIndexChanged.connect(lambda *_: (self._fill_templates(None), self._edit_step()))
        self.template.currentIndexChanged.connect(self._edit_step)
        self.instruction.textEdited.connect(self._edit_step)
        self.name.textChanged.connect(self._update)
        self._reload(0 if self.steps else -1)

    # ---- steps ----
    def _reload(self, current: int) -> None:
        self.model.set_rows(list(enumerate(self.steps, start=1)))
        if 0 <= current < len(self.steps):
            self.table.selectionModel().setCurrentIndex(
                self.model.index(current, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._show_step()
        self._update()

    def current_row(self) -> int:
        ix = self.table.currentIndex()
        return ix.row() if ix.isValid() else -1

    def _fill_templates(self, keep: int | None) -> None:
        channel = self.channel.currentData()
        self.template.blockSignals(True)
        self.template.clear()
        self.template.addItem("No template (instruction only)", None)
        for t in self.templates:
            if t.channel == channel:
                self.template.addItem(icon("template"), t.name, t.id)
        select(self.template, keep)
        self.template.blockSignals(False)

    def _show_step(self) -> None:
        row = self.current_row()
        has = 0 <= row < len(self.steps)
        for w in (self.day, self.channel, self.template, self.instruction, self.remove_button):
            w.setEnabled(has)
        if not has:
            return
        st = self.steps[row]
        for w in (self.day, self.channel, self.instruction):
            w.blockSignals(True)
        self.day.setValue(st.day_offset)
        select(self.channel, st.channel)
        if self.instruction.text().strip() != (st.instruction or ""):
            self.instruction.setText(st.instruction or "")
        for w in (self.day, self.channel, self.instruction):
            w.blockSignals(False)
        self._fill_templates(st.template_id)

    def _edit_step(self) -> None:
        row = self.current_row()
        if not 0 <= row < len(self.steps):
            return
        tid = self.template.currentData()
        name = next((t.name for t in self.templates if t.id == tid), None)
        self.steps[row] = replace(self.steps[row], day_offset=self.day.value(), channel=self.channel.currentData(),
                                  template_id=tid, template=name, instruction=self.instruction.text().strip() or None)
        self.model.set_rows(list(enumerate(self.steps, start=1)))
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def add_step(self, channel: str = "email", day: int | None = None, template_id: int | None = None,
                 instruction: str | None = None) -> None:
        last = self.steps[-1].day_offset if self.steps else -2
        name = next((t.name for t in self.templates if t.id == template_id), None)
        self.steps.append(StepEdit(last + 2 if day is None else day, channel, template_id, name, instruction))
        self._reload(len(self.steps) - 1)

    def remove_step(self) -> None:
        row = self.current_row()
        if 0 <= row < len(self.steps):
            del self.steps[row]
            self._reload(min(row, len(self.steps) - 1))

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.name.text().strip()) and bool(self.steps))

    def submit(self) -> None:
        drafts = [StepDraft(st.day_offset, st.channel, st.template_id, st.instruction) for st in self.steps]
        name, desc = self.name.text(), self.description.toPlainText().strip() or None

        def work(s: Any) -> int:
            return save_sequence(s, name, drafts, description=desc, owner_id=self.ctx.user.id,
                                 sequence_id=self.sequence_id).id

        result = attempt(self.ctx, self, "Could not save the sequence", work)
        if result is not FAILED:
            self.sequence_id = result
            self.accept()
