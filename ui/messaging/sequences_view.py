"""Sequences (Outreach › Sequences): the cadences, the steps of the selected one, and who is enrolled — with
enrol, pause, resume and remove. New and changed sequences open the sequence editor."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from accounts.sequences import pause, remove, resume
from ui import dialogs
from ui.context import AppContext
from ui.messaging import common, data
from ui.messaging.common import (
    BADGE_ROLE,
    FAILED,
    STATUS_LABELS,
    STYLE,
    BadgeDelegate,
    WrapDelegate,
    attempt,
    channel_label,
)
from ui.models.record_table import RecordTableModel
from ui.models.sortable_records import ROW_ROLE, SortableRecordModel
from ui.theme import icon
from ui.widgets.common import EmptyState, label
from ui.widgets.tables import make_table


class EnrollmentsModel(SortableRecordModel):
    """Enrolments with the status column painted as a badge."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, ANN201
        if role == BADGE_ROLE and index.isValid() and index.column() == 2 and index.row() < self.rowCount():
            return self.row_at(index.row()).status
        return super().data(index, role)


def _button(text: str, icon_name: str, slot, tip: str = "") -> QPushButton:  # noqa: ANN001
    b = QPushButton(icon(icon_name), text)
    b.setToolTip(tip)
    b.clicked.connect(slot)
    return b


class SequencesView(QWidget):
    changed = Signal()  # enrolments or sequences were written (the Today list may have moved)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setStyleSheet(STYLE)
        self._sequences: list[data.SequenceRow] = []
        self.list_model = SortableRecordModel([
            ("Sequence", lambda q: q.name), ("Steps", lambda q: len(q.steps)), ("Active", lambda q: q.active),
            ("Paused", lambda q: q.paused)], parent=self, align_right=(1, 2, 3))
        self.list = make_table(self.list_model, (230, 56, 60, 64), stretch=0, sortable=False)
        self.list.setMinimumWidth(380)
        self.list.setWordWrap(True)
        self.list.setItemDelegateForColumn(0, WrapDelegate(self.list, max_lines=2))
        self.list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.new_button = QPushButton(icon("plus", "#ffffff"), "New sequence")
        self.new_button.setObjectName("Primary")
        self.new_button.clicked.connect(lambda: self.edit_sequence(new=True))
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.list, 1)
        ll.addWidget(self.new_button)

        self.title = label("", "SectionTitle")
        self.description = label("", "Muted", wrap=True)
        self.edit_button = _button("Edit sequence…", "edit", lambda: self.edit_sequence(new=False))
        self.steps_model = RecordTableModel([
            ("Step", lambda st: st.position), ("Day", lambda st: st.day_offset),
            ("Channel", lambda st: channel_label(st.channel)), ("Template", lambda st: st.template or "—"),
            ("Instruction", lambda st: st.instruction or "")], parent=self)
        self.steps = make_table(self.steps_model, (50, 50, 110, 240), sortable=False)
        self.steps.setMaximumHeight(230)
        self.enrol_button = _button("Enrol contacts…", "person", self.enrol, "Add contacts to this sequence")
        self.pause_button = _button("Pause", "pause", self.pause_selected, "Hold this contact's steps back")
        self.resume_button = _button("Resume", "play", self.resume_selected, "Continue from the next business day")
        self.remove_button = _button("Remove", "trash", self.remove_selected, "Take the contact out of the sequence")
        self.show_done = QCheckBox("Show finished and removed")
        self.show_done.toggled.connect(lambda *_: self._show_enrollments())
        self.enrol_model = EnrollmentsModel([
            ("Contact", lambda e: e.contact), ("Account", lambda e: e.account),
            ("Status", lambda e: STATUS_LABELS.get(e.status, e.status)),
            ("Step", lambda e: f"{e.step} of {e.steps}", lambda e: e.step),
            ("Next due", lambda e: e.next_due.strftime("%a %d %b") if e.next_due else "", lambda e: e.next_due),
            ("Note", lambda e: e.paused_reason or "")], parent=self)
        self.enrolments = make_table(self.enrol_model, (170, 190, 100, 70, 120), stretch=5)
        self.enrolments.setItemDelegateForColumn(2, BadgeDelegate(self.enrolments))
        self.enrolments.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.enrol_count = label("", "Muted")
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.edit_button)
        ebar = QHBoxLayout()
        ebar.setSpacing(8)
        ebar.addWidget(label("Enrolled", "SectionTitle"))
        ebar.addWidget(self.enrol_count)
        ebar.addStretch(1)
        ebar.addWidget(self.show_done)
        for b in (self.pause_button, self.resume_button, self.remove_button, self.enrol_button):
            ebar.addWidget(b)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        dl.setSpacing(8)
        dl.addLayout(head)
        dl.addWidget(self.description)
        dl.addWidget(self.steps)
        dl.addSpacing(6)
        dl.addLayout(ebar)
        dl.addWidget(self.enrolments, 1)
        self.empty = EmptyState("sequence", "No sequences yet",
                                "A sequence is a cadence of emails, calls and LinkedIn touches spread over business "
                                "days. Build one, enrol stakeholders, and each step shows up in Today when due.")
        self.empty.add_button("New sequence", lambda: self.edit_sequence(new=True), primary=True)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(detail)
        split.setSizes([400, 800])
        self.stack = QStackedWidget()
        self.stack.addWidget(split)
        self.stack.addWidget(self.empty)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 10, 0, 0)
        lay.addWidget(self.stack)
        self.refresh()

    # ---- data ----
    def refresh(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else (self.selected_sequence().id if self.selected_sequence()
                                                         else None)
        with self.ctx.workspace.session() as s:
            self._sequences = data.sequence_rows(s)
        self.list_model.set_rows(self._sequences)
        self.stack.setCurrentIndex(0 if self._sequences else 1)
        row = self.list_model.row_of(keep) if keep is not None else -1
        if self._sequences:
            self.list.selectRow(max(row, 0))
        self._show_selected()

    def selected_sequence(self) -> data.SequenceRow | None:
        rows = self.list.selectionModel().selectedRows() if self.list.selectionModel() else []
        return self.list_model.data(rows[0], ROW_ROLE) if rows else None

    def selected_enrollment(self) -> data.EnrollmentRow | None:
        rows = self.enrolments.selectionModel().selectedRows()
        return self.enrol_model.data(rows[0], ROW_ROLE) if rows else None

    def _show_selected(self) -> None:
        q = self.selected_sequence()
        self.title.setText(q.name if q else "")
        self.description.setText(q.description or "" if q else "")
        self.description.setVisible(bool(q and q.description))
        self.steps_model.set_rows(q.steps if q else [])
        self.edit_button.setEnabled(q is not None)
        self._show_enrollments()

    def _show_enrollments(self) -> None:
        q = self.selected_sequence()
        rows: list[data.EnrollmentRow] = []
        if q is not None:
            with self.ctx.workspace.session() as s:
                rows = data.enrollment_rows(s, q.id, include_done=self.show_done.isChecked())
        self.enrol_model.set_rows(rows)
        self.enrol_count.setText(f"{q.active} active · {q.paused} paused" if q else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        e = self.selected_enrollment()
        self.enrol_button.setEnabled(self.selected_sequence() is not None)
        self.pause_button.setEnabled(e is not None and e.status == "active")
        self.resume_button.setEnabled(e is not None and e.status == "paused")
        self.remove_button.setEnabled(e is not None and e.status in ("active", "paused"))

    def _written(self, select_enrollment: int | None = None) -> None:
        self.refresh()
        if select_enrollment is not None and (row := self.enrol_model.row_of(select_enrollment)) >= 0:
            self.enrolments.selectRow(row)
        self.changed.emit()

    # ---- actions ----
    def edit_sequence(self, new: bool) -> None:
        from ui.messaging.sequence_editor import SequenceEditorDialog

        dlg = SequenceEditorDialog(self.ctx, None if new else self.selected_sequence(), parent=self)
        if common.run_dialog(dlg) and dlg.sequence_id is not None:
            self.refresh(dlg.sequence_id)
            self.changed.emit()

    def enrol(self, account_id: int | None = None) -> None:
        from ui.messaging.enroll_dialog import EnrollDialog

        q = self.selected_sequence()
        if q is None:
            return
        dlg = EnrollDialog(self.ctx, q, account_id=account_id, parent=self)
        if common.run_dialog(dlg) and dlg.enrolled is not None:
            self._written()

    def pause_selected(self) -> None:
        e = self.selected_enrollment()
        if e is not None and attempt(self.ctx, self, "Could not pause", lambda s: pause(s, e.id)) is not FAILED:
            self._written(e.id)

    def resume_selected(self) -> None:
        e = self.selected_enrollment()
        today = dt.date.today()
        if e is not None and attempt(self.ctx, self, "Could not resume",
                                     lambda s: resume(s, e.id, today)) is not FAILED:
            self._written(e.id)

    def remove_selected(self) -> None:
        e = self.selected_enrollment()
        if e is None or not dialogs.ask(self, "Remove from sequence",
                                        f"Take {e.contact} out of this sequence? Their remaining steps are dropped."):
            return
        if attempt(self.ctx, self, "Could not remove", lambda s: remove(s, e.id)) is not FAILED:
            self._written(e.id)
