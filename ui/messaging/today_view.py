"""Today: the sequence steps due today and overdue across all enrolments, together with the open tasks, grouped
overdue / today. Enter opens the step's message in the composer (copy, mail client, Mark done); a call step is
logged with its outcome in one click; a task opens its account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from accounts.activities import complete_step, outcome_label
from accounts.outreach import TaskRow
from accounts.sequences import DueStep
from ui.context import AppContext
from ui.messaging import common, data
from ui.messaging.common import FAILED, STYLE, attempt, channel_label
from ui.messaging.composer import CALL_OUTCOMES
from ui.messaging.models import KIND_ROLE, ROW_ROLE, TodayItem, TodayModel
from ui.theme import icon
from ui.widgets.common import EmptyState, label

EMPTY_TEXT = ("Sequence steps land here on the business day they are due, with your open tasks (a follow-up "
              "date when you log a call or an email). Enrol stakeholders in a sequence on the Sequences tab, or "
              "log a call with Ctrl+L. Overdue work stays at the top, in red, until it is done.")


def step_item(d: DueStep) -> TodayItem:
    what = f"{d.template or channel_label(d.channel)} — {d.sequence}, step {d.step} of {d.steps}"
    return TodayItem("step", d.enrollment_id, d.due, d.overdue, d.channel, d.contact_id, d.contact, d.account_id,
                     d.account, what, d.instruction or "", d)


def task_item(t: TaskRow) -> TodayItem:
    return TodayItem("task", t.id, t.due_at.astimezone().date(), t.overdue, t.type, None, t.contact_name,
                     t.account_id, t.account_name, t.subject or "Follow up", f"Owner: {t.owner}" if t.owner else "")


class TodayView(QWidget):
    openAccount = Signal(int)
    changed = Signal()  # a step was completed: counts and the recent activity moved

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setStyleSheet(STYLE)
        self.last_summary: data.LogSummary | None = None
        self.model = TodayModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setStyleSheet("QTreeView::item { padding: 5px 2px; }")
        self.tree.doubleClicked.connect(self.open_index)
        self.tree.activated.connect(self.open_index)
        self.tree.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        hh = self.tree.header()
        hh.setStretchLastSection(True)
        for col, width in enumerate((170, 130, 180, 210)):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(col, width)

        self.open_button = QPushButton(icon("send", "#ffffff"), "Open message")
        self.open_button.setObjectName("Primary")
        self.open_button.setToolTip("Open the step's message for this contact (Enter)")
        self.open_button.clicked.connect(self.open_selected)
        self.done_button = QPushButton(icon("check"), "Mark done")
        self.done_button.setToolTip("Log the step as done and schedule the next one (Ctrl+D)")
        self.done_button.clicked.connect(lambda: self.complete_selected(None))
        self.call_button = QToolButton()
        self.call_button.setText("Log call")
        self.call_button.setIcon(icon("phone"))
        self.call_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.call_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.call_button.setStyleSheet("QToolButton { padding: 5px 24px 5px 10px; border: 1px solid #cbd5e1; "
                                       "border-radius: 6px; background: #ffffff; } QToolButton:disabled "
                                       "{ color: #94a3b8; } QToolButton::menu-indicator { subcontrol-origin: "
                                       "padding; subcontrol-position: center right; right: 8px; }")
        menu = QMenu(self.call_button)
        for outcome in CALL_OUTCOMES:
            menu.addAction(outcome_label(outcome), lambda o=outcome: self.complete_selected(o))
        self.call_button.setMenu(menu)
        self.account_button = QPushButton(icon("accounts"), "Open account")
        self.account_button.clicked.connect(self.open_account)
        self.hint = label("", "Muted")
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.hint, 1)
        for b in (self.account_button, self.call_button, self.done_button, self.open_button):
            bar.addWidget(b)
        self.result_panel = QFrame(objectName="ResultPanel")
        self.result_text = label("", "ResultLine", wrap=True)
        rl = QHBoxLayout(self.result_panel)
        rl.setContentsMargins(12, 8, 12, 8)
        rl.addWidget(self.result_text, 1)
        close = QToolButton()
        close.setIcon(icon("cancel"))
        close.setAutoRaise(True)
        close.clicked.connect(self.result_panel.hide)
        rl.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.result_panel.hide()

        self.empty = EmptyState("outreach", "Nothing due today", EMPTY_TEXT)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addLayout(bar)
        lay.addWidget(self.result_panel)
        lay.addWidget(self.stack, 1)
        QShortcut(QKeySequence("Ctrl+D"), self, activated=lambda: self.complete_selected(None),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_buttons()

    # ---- data ----
    def show_items(self, steps: list[DueStep], tasks: list[TaskRow], today: dt.date) -> None:
        keep = self.selected()
        self.model.set_items([*map(step_item, steps), *map(task_item, tasks)], today)
        self.tree.expandAll()
        self.stack.setCurrentWidget(self.tree if self.model.rowCount() else self.empty)
        ix = self.model.index_of(keep.kind, keep.id) if keep else QModelIndex()
        if not ix.isValid() and self.model.rowCount():  # the first due step, else the first task
            first = next((it for it in self.model.items() if it.kind == "step"), self.model.items()[0])
            ix = self.model.index_of(first.kind, first.id)
        if ix.isValid():
            self.tree.selectionModel().setCurrentIndex(
                ix, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_buttons()

    def selected(self) -> TodayItem | None:
        rows = self.tree.selectionModel().selectedRows()
        if not rows or rows[0].data(KIND_ROLE) not in ("step", "task"):
            return None
        return self.model.data(rows[0], ROW_ROLE)

    def _update_buttons(self) -> None:
        it = self.selected()
        step = it is not None and it.kind == "step"
        self.open_button.setEnabled(step)
        self.done_button.setEnabled(step and it.channel != "call")  # type: ignore[union-attr]
        self.call_button.setEnabled(step and it.channel == "call")  # type: ignore[union-attr]
        self.account_button.setEnabled(it is not None)
        if it is None:
            self.hint.setText("")
        elif it.kind == "task":
            self.hint.setText("A task: open the account to work on it.")
        else:
            self.hint.setText(it.detail or f"{channel_label(it.channel)} for {it.contact}")

    # ---- actions ----
    def open_index(self, index: QModelIndex) -> None:
        kind = index.data(KIND_ROLE) if index.isValid() else None
        if kind == "step":
            self.open_selected()
        elif kind == "task":
            self.open_account()

    def open_account(self) -> None:
        it = self.selected()
        if it is not None:
            self.openAccount.emit(it.account_id)

    def open_selected(self) -> None:
        """The step's message, rendered for its contact, in the composer (prefilled template and contact)."""
        from ui.messaging.composer import ComposerDialog

        it = self.selected()
        if it is None or it.step is None:
            return
        dlg = ComposerDialog(self.ctx, step=it.step, parent=self)
        dlg.stepDone.connect(self._done)
        common.run_dialog(dlg)

    def complete_selected(self, outcome: str | None) -> None:
        it = self.selected()
        if it is None or it.step is None or (outcome is None) != (it.channel != "call"):
            return

        def work(s: Any) -> data.LogSummary:
            return data.summarize(s, complete_step(s, it.id, outcome=outcome, user_id=self.ctx.user.id,
                                                   subject=f"{it.step.sequence} · step {it.step.step}"))

        summary = attempt(self.ctx, self, "Could not complete the step", work)
        if summary is not FAILED:
            self._done(summary)

    def _done(self, summary: data.LogSummary) -> None:
        self.last_summary = summary
        self.result_text.setText(f"<b>{summary.title}.</b> " + " · ".join(summary.lines))
        self.result_panel.show()
        self.changed.emit()
