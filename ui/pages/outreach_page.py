"""Today's outreach: open tasks due today and overdue, this week's touches, and the recent activity log.

A BDR sees their own tasks; marketing and managers see the team's.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from accounts.outreach import (
    ActivityRow,
    OutreachCounts,
    TaskRow,
    outreach_counts,
    recent_activity,
    tasks_due,
)
from ui.context import AppContext
from ui.models.sortable_records import ID_ROLE, ROW_ROLE, SortableRecordModel
from ui.widgets.common import Card, EmptyState, PageHeader, label
from ui.widgets.tables import make_table

OVERDUE_COLOR = "#dc2626"
TYPE_LABELS = {"call": "Call", "email": "Email", "linkedin": "LinkedIn", "meeting": "Meeting", "note": "Note",
               "task": "Task", "event": "Event"}
EMPTY_TEXT = (
    "Tasks land here when a sequence step comes due or when you log a call or email with a follow-up date. "
    "Overdue tasks stay at the top, in red, until they are done."
)


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone()


def _due_text(task: TaskRow, today: dt.date) -> str:
    due = _local(task.due_at)
    time = "" if (due.hour, due.minute) == (0, 0) else due.strftime(" %H:%M")
    if not task.overdue:
        return "Today" + time
    days = (today - due.date()).days
    return f"{due.strftime('%a %d %b')} · {days} day{'s' if days != 1 else ''} late"


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
            "Your tasks for today and what you logged recently" if self.mine_only
            else "The team's tasks for today and recent activity",
        )

        self.due_card = Card("Due today", hint="Open tasks due at any time today")
        self.overdue_card = Card("Overdue", hint="Open tasks that were due before today")
        self.touches_card = Card("Touches this week",
                                 hint="Calls, emails, LinkedIn messages and meetings logged since Monday")
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for card in (self.due_card, self.overdue_card, self.touches_card):
            cards.addWidget(card, 1)

        self._today = dt.date.today()
        self.tasks_model = SortableRecordModel([
            ("Due", lambda t: _due_text(t, self._today), lambda t: t.due_at),
            ("Type", lambda t: TYPE_LABELS.get(t.type, t.type)),
            ("Subject", lambda t: t.subject),
            ("Account", lambda t: t.account_name),
            ("Contact", lambda t: t.contact_name),
            ("Owner", lambda t: t.owner),
        ], parent=self, foreground=lambda t: OVERDUE_COLOR if t.overdue else None)
        self.tasks = make_table(self.tasks_model, (190, 90, 280, 200, 160, 130), stretch=2)
        self.tasks.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.tasks.setColumnHidden(5, self.mine_only)
        self.tasks.doubleClicked.connect(self._open_index)
        self.tasks_empty = EmptyState("outreach", "Nothing due today", EMPTY_TEXT)
        self.tasks_stack = QStackedWidget()
        self.tasks_stack.addWidget(self.tasks)
        self.tasks_stack.addWidget(self.tasks_empty)

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
        split.addWidget(self._section(self.tasks_title, self.tasks_count, self.tasks_stack))
        split.addWidget(self._section(self.recent_title, self.recent_count, self.recent_stack))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([360, 240])

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addLayout(cards)
        lay.addWidget(split, 1)
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
            recent = recent_activity(s, user_id)
        self.show_data(counts, tasks, recent)

    def show_data(self, counts: OutreachCounts, tasks: list[TaskRow], recent: list[ActivityRow]) -> None:
        self.due_card.set_value(f"{counts.due_today:,}")
        self.overdue_card.set_value(f"{counts.overdue:,}")
        self.overdue_card.value.setStyleSheet(f"color: {OVERDUE_COLOR};" if counts.overdue else "")
        self.touches_card.set_value(f"{counts.touches_this_week:,}")
        self.tasks_model.set_rows(tasks)
        self.recent_model.set_rows(recent)
        open_total = counts.due_today + counts.overdue
        shown = f"showing the first {len(tasks):,}" if len(tasks) < open_total else ""
        self.tasks_count.setText(
            shown or (f"{open_total:,} open task{'s' if open_total != 1 else ''}" if open_total else "")
        )
        self.recent_count.setText(f"last {len(recent):,}" if recent else "")
        self.tasks_stack.setCurrentWidget(self.tasks if tasks else self.tasks_empty)
        self.recent_stack.setCurrentWidget(self.recent if recent else self.recent_empty)

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        row = index.model().data(index, ROW_ROLE)
        if row is not None and index.model().data(index, ID_ROLE) is not None:
            self.openAccount.emit(int(row.account_id))
