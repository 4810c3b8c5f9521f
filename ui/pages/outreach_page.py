"""Outreach: Today (sequence steps and open tasks due today and overdue, this week's touches, the recent
activity log), the Sequences and the message Templates.

A BDR sees their own work; marketing and managers see the team's.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from accounts.outreach import (
    ActivityRow,
    OutreachCounts,
    TaskRow,
    outreach_counts,
    recent_activity,
    tasks_due,
)
from accounts.sequences import DueStep, due_steps
from ui.context import AppContext
from ui.messaging.sequences_view import SequencesView
from ui.messaging.templates_view import TemplatesView
from ui.messaging.today_view import EMPTY_TEXT, TodayView
from ui.models.sortable_records import ID_ROLE, ROW_ROLE, SortableRecordModel
from ui.theme import icon
from ui.widgets.common import Card, PageHeader, label
from ui.widgets.tables import make_table

OVERDUE_COLOR = "#dc2626"
TYPE_LABELS = {"call": "Call", "email": "Email", "linkedin": "LinkedIn", "meeting": "Meeting", "note": "Note",
               "task": "Task", "event": "Event"}
__all__ = ["EMPTY_TEXT", "OVERDUE_COLOR", "OutreachPage"]


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone()


def _when_text(value: dt.datetime, today: dt.date) -> str:
    local = _local(value)
    if local.date() == today:
        return local.strftime("Today %H:%M")
    if local.date() == today - dt.timedelta(days=1):
        return local.strftime("Yesterday %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


class OutreachPage(QWidget):
    openAccount = Signal(int)  # account id, on double-click of a task or an activity

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mine_only = ctx.user.role == "bdr"
        self.header = PageHeader(
            "Outreach",
            "Your steps and tasks for today, your sequences and templates" if self.mine_only
            else "The team's steps and tasks for today, sequences and templates",
        )
        self.log_button = self.header.add_action("Log activity", "log", self.quick_log, primary=True)
        self.log_button.setToolTip("Log a call, email, meeting or note (Ctrl+L)")

        self.due_card = Card("Due today", hint="Sequence steps and open tasks due today")
        self.overdue_card = Card("Overdue", hint="Sequence steps and open tasks that were due before today")
        self.touches_card = Card("Touches this week",
                                 hint="Calls, emails, LinkedIn messages and meetings logged since Monday")
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for card in (self.due_card, self.overdue_card, self.touches_card):
            cards.addWidget(card, 1)

        self._today = dt.date.today()
        # Today: due sequence steps and open tasks, grouped overdue / today (ui.messaging.today_view)
        self.today = TodayView(ctx)
        self.today.openAccount.connect(self.openAccount)
        self.today.changed.connect(self.refresh)
        self.tasks, self.tasks_model = self.today.tree, self.today.model
        self.tasks_stack, self.tasks_empty = self.today.stack, self.today.empty
        self.tasks_empty.add_button("Open sequences", lambda: self.tabs.setCurrentWidget(self.sequences))
        self.tasks_empty.add_button("Log activity", self.quick_log)

        self.recent_model = SortableRecordModel([
            ("When", lambda a: _when_text(a.occurred_at, self._today), lambda a: a.occurred_at),
            ("Type", lambda a: TYPE_LABELS.get(a.type, a.type)),
            ("Outcome", lambda a: (a.outcome or "").replace("_", " ")),
            ("Subject", lambda a: a.subject),
            ("Account", lambda a: a.account_name),
            ("Contact", lambda a: a.contact_name),
            ("By", lambda a: a.owner),
        ], parent=self)
        self.recent = make_table(self.recent_model, (150, 90, 120, 260, 200, 160, 120), stretch=3)
        self.recent.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.recent.setColumnHidden(6, self.mine_only)
        self.recent.doubleClicked.connect(self._open_index)
        self.recent_empty = label("No calls, emails or meetings logged yet. What you log on an account "
                                  "appears here, newest first.", "Muted", wrap=True)
        self.recent_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recent_stack = QStackedWidget()
        self.recent_stack.addWidget(self.recent)
        self.recent_stack.addWidget(self.recent_empty)

        self.tasks_title = label("Today", "SectionTitle")
        self.tasks_count = label("", "Muted")
        self.recent_title = label("Recent activity", "SectionTitle")
        self.recent_count = label("", "Muted")
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self._section(self.tasks_title, self.tasks_count, self.today))
        split.addWidget(self._section(self.recent_title, self.recent_count, self.recent_stack))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([440, 200])

        self.sequences = SequencesView(ctx)
        self.sequences.changed.connect(self.refresh)
        self.templates = TemplatesView(ctx)
        today_tab = QWidget()
        tl = QVBoxLayout(today_tab)
        tl.setContentsMargins(12, 10, 12, 8)
        tl.setSpacing(12)
        tl.addLayout(cards)
        tl.addWidget(split, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(today_tab, icon("outreach"), "Today")
        self.tabs.addTab(self._padded(self.sequences), icon("sequence"), "Sequences")
        self.tabs.addTab(self._padded(self.templates), icon("template"), "Templates")
        self.tabs.currentChanged.connect(lambda *_: self.refresh())

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addWidget(self.tabs, 1)
        self.refresh()

    @staticmethod
    def _padded(body: QWidget) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(12, 2, 12, 12)
        lay.addWidget(body)
        return w

    def quick_log(self) -> None:
        from ui.messaging.quick_log import open_quick_log

        dlg = open_quick_log(self.ctx, self)
        if dlg.summary is not None:
            self.refresh()

    @staticmethod
    def _section(title: QWidget, count: QWidget, body: QWidget) -> QWidget:
        w = QWidget()
        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(title)
        head.addWidget(count)
        head.addStretch(1)
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(8)
        lay.addLayout(head)
        lay.addWidget(body, 1)
        return w

    def refresh(self) -> None:
        now = dt.datetime.now().astimezone()
        self._today = now.date()
        user_id = self.ctx.user.id if self.mine_only else None
        with self.ctx.workspace.session() as s:
            counts = outreach_counts(s, now, user_id)
            tasks = tasks_due(s, now, user_id)
            steps = due_steps(s, now, user_id=user_id)
            recent = recent_activity(s, user_id)
        self.show_data(counts, tasks, recent, steps)
        view = {1: self.sequences, 2: self.templates}.get(self.tabs.currentIndex())
        if view is not None:
            view.refresh()

    def show_data(self, counts: OutreachCounts, tasks: list[TaskRow], recent: list[ActivityRow],
                  steps: list[DueStep] = ()) -> None:  # type: ignore[assignment]
        late_steps = sum(d.overdue for d in steps)
        overdue = counts.overdue + late_steps
        self.due_card.set_value(f"{counts.due_today + len(steps) - late_steps:,}")
        self.overdue_card.set_value(f"{overdue:,}")
        self.overdue_card.value.setStyleSheet(f"color: {OVERDUE_COLOR};" if overdue else "")
        self.touches_card.set_value(f"{counts.touches_this_week:,}")
        self.today.show_items(list(steps), tasks, self._today)
        self.recent_model.set_rows(recent)
        open_total = counts.due_today + counts.overdue
        shown = f"showing the first {len(tasks):,} tasks" if len(tasks) < open_total else ""
        n = len(steps)
        parts = [p for p in (n and f"{n:,} sequence step{'s' if n != 1 else ''}",
                             open_total and f"{open_total:,} open task{'s' if open_total != 1 else ''}") if p]
        self.tasks_count.setText(shown or " · ".join(parts))
        self.recent_count.setText(f"last {len(recent):,}" if recent else "")
        self.recent_stack.setCurrentWidget(self.recent if recent else self.recent_empty)

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        row = index.model().data(index, ROW_ROLE)
        if row is not None and index.model().data(index, ID_ROLE) is not None:
            self.openAccount.emit(int(row.account_id))
