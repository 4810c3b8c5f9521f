"""The BDR's day: open tasks due today or overdue, the recent activity log, and this week's touch count.

"Today" is the caller's local calendar day: pass ``now`` as an aware datetime in the user's time zone
(``datetime.now().astimezone()``). Overdue means due before today began; due today means due at any
time today. Timestamps are stored in UTC and come back aware (``bdr_desk.db.UTCDateTime``) on both engines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from accounts.models import Account, Activity, Contact
from bdr_desk.users import User

TASK_LIMIT = 500
RECENT_LIMIT = 100
TOUCH_TYPES = ("call", "email", "linkedin", "meeting")  # what counts as touching an account


@dataclass(frozen=True)
class Day:
    """The local calendar day containing ``now``, as UTC bounds, plus the start of its (Monday) week."""

    start: dt.datetime
    end: dt.datetime  # exclusive: the start of tomorrow
    week_start: dt.datetime

    @classmethod
    def of(cls, now: dt.datetime) -> Day:
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime (datetime.now().astimezone())")
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        monday = midnight - dt.timedelta(days=midnight.weekday())
        return cls(midnight.astimezone(dt.UTC), (midnight + dt.timedelta(days=1)).astimezone(dt.UTC),
                   monday.astimezone(dt.UTC))


@dataclass(frozen=True)
class TaskRow:
    id: int
    due_at: dt.datetime
    overdue: bool
    type: str
    subject: str | None
    account_id: int
    account_name: str
    contact_name: str | None
    owner: str | None


@dataclass(frozen=True)
class ActivityRow:
    id: int
    occurred_at: dt.datetime
    type: str
    direction: str | None
    outcome: str | None
    subject: str | None
    account_id: int
    account_name: str
    contact_name: str | None
    owner: str | None


@dataclass(frozen=True)
class OutreachCounts:
    due_today: int
    overdue: int
    touches_this_week: int


def _person(first: str | None, last: str | None, email: str | None) -> str | None:
    return " ".join(p for p in (first, last) if p) or email or None


def _mine(stmt: Select, user_id: int | None) -> Select:
    return stmt if user_id is None else stmt.where(Activity.user_id == user_id)


def _open_tasks_until(end: dt.datetime) -> tuple:
    return Activity.completed.is_(False), Activity.due_at.is_not(None), Activity.due_at < end


def tasks_due(session: Session, now: dt.datetime, user_id: int | None = None,
              limit: int = TASK_LIMIT) -> list[TaskRow]:
    """Open tasks due today or earlier, oldest due first; ``user_id`` restricts to one person's tasks."""
    day = Day.of(now)
    stmt = (
        select(Activity.id, Activity.due_at, Activity.type, Activity.subject, Account.id, Account.name,
               Contact.first_name, Contact.last_name, Contact.email, User.name)
        .join(Account, Account.id == Activity.account_id)
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .outerjoin(User, User.id == Activity.user_id)
        .where(*_open_tasks_until(day.end))
        .order_by(Activity.due_at, Activity.id)
        .limit(limit)
    )
    rows = []
    for aid, due, kind, subject, acc_id, acc_name, first, last, email, owner in session.execute(_mine(stmt, user_id)):
        rows.append(TaskRow(aid, due, due < day.start, kind, subject, acc_id, acc_name,
                            _person(first, last, email), owner))
    return rows


def recent_activity(session: Session, user_id: int | None = None, limit: int = RECENT_LIMIT) -> list[ActivityRow]:
    """The last ``limit`` completed activities, newest first."""
    stmt = (
        select(Activity.id, Activity.occurred_at, Activity.type, Activity.direction, Activity.outcome,
               Activity.subject, Account.id, Account.name, Contact.first_name, Contact.last_name, Contact.email,
               User.name)
        .join(Account, Account.id == Activity.account_id)
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .outerjoin(User, User.id == Activity.user_id)
        .where(Activity.completed.is_(True))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return [
        ActivityRow(aid, at, kind, direction, outcome, subject, acc_id, acc_name,
                    _person(first, last, email), owner)
        for aid, at, kind, direction, outcome, subject, acc_id, acc_name, first, last, email, owner
        in session.execute(_mine(stmt, user_id))
    ]


def outreach_counts(session: Session, now: dt.datetime, user_id: int | None = None) -> OutreachCounts:
    """Due today, overdue and this week's completed touches, counted in SQL."""
    day = Day.of(now)
    overdue = func.coalesce(func.sum(case((Activity.due_at < day.start, 1), else_=0)), 0)
    today = func.coalesce(func.sum(case((Activity.due_at >= day.start, 1), else_=0)), 0)
    due_today, late = session.execute(
        _mine(select(today, overdue).where(*_open_tasks_until(day.end)), user_id)
    ).one()
    touches = session.scalar(_mine(
        select(func.count(Activity.id)).where(
            Activity.completed.is_(True), Activity.type.in_(TOUCH_TYPES),
            Activity.occurred_at >= day.week_start, Activity.occurred_at < day.end,
        ), user_id,
    )) or 0
    return OutreachCounts(int(due_today), int(late), int(touches))
