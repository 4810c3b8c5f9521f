"""The SQL of a :class:`~bdr_desk.kpi.filters.KpiFilter`: which accounts, contacts, activities and
opportunities count, and the predicates every metric is made of.

The report (:mod:`bdr_desk.kpi.report`) counts with these predicates and the drill-down
(:mod:`bdr_desk.kpi.drill`) lists the rows matching the very same predicates, so a number and the records
behind it cannot drift apart.

Scope rules:

- owner, target list (static members or a dynamic list's saved filter) and segment narrow the *accounts*;
  contacts, activities and opportunities follow their account;
- the lead source narrows contacts and opportunities to those of that source, and the accounts (with their
  activities) to those with at least one contact or opportunity from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from accounts.activities import ENGAGING
from accounts.committees import DEFAULT_SEGMENT
from accounts.models import Account, Activity, CommitteeTemplate, Contact, Opportunity
from accounts.queries import (  # the accounts page's filter SQL, reused as is
    AccountFilter,
    apply_filter,
    resolve,
)
from bdr_desk.kpi.filters import UNKNOWN_SOURCE, KpiFilter, Period

CLOSED_ACCOUNT_STAGES = ("won", "lost")
CLOSED_OPPORTUNITY_STAGES = ("closed_won", "closed_lost")
FUNNEL_STAGES = ("lead", "mql", "sal", "sql", "opportunity", "closed_won")
# how far a lifecycle stage got: a closed-lost contact reached the opportunity stage
STAGE_RANK = {"lead": 1, "mql": 2, "sal": 3, "sql": 4, "opportunity": 5, "closed_lost": 5, "closed_won": 6}
TOUCH_TYPES = ("call", "email", "linkedin")


def source_key(column: Any) -> ColumnElement[str]:
    """SQL: the normalized lead source of ``column`` (lower-cased, trimmed; empty or NULL → ``unknown``)."""
    return func.coalesce(func.nullif(func.lower(func.trim(column)), ""), UNKNOWN_SOURCE)


def stage_rank(column: Any) -> ColumnElement[int]:
    """SQL: the funnel rank of a lifecycle stage (0 for none or a stage outside the funnel)."""
    return case(STAGE_RANK, value=column, else_=0)


def count_if(cond: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def sum_if(cond: Any, value: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((cond, value), else_=None)), 0)


def _day(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def between(column: Any, period: Period | None) -> ColumnElement[bool]:
    """SQL: a timestamp column falls on one of the period's days (UTC); over all time, it is set at all.
    ``None`` (no period to compare with): never."""
    if period is None:
        return false()
    conds = []
    if period.start is not None:
        conds.append(column >= _day(period.start))
    if period.end is not None:
        conds.append(column < _day(period.end + dt.timedelta(days=1)))
    return and_(*conds) if conds else column.is_not(None)


def between_dates(column: Any, period: Period | None) -> ColumnElement[bool]:
    """SQL: a date column falls within the period."""
    if period is None:
        return false()
    conds = []
    if period.start is not None:
        conds.append(column >= period.start)
    if period.end is not None:
        conds.append(column <= period.end)
    return and_(*conds) if conds else column.is_not(None)


# ---- activities ----------------------------------------------------------------------------------------------

def is_touch(kind: str | None = None) -> ColumnElement[bool]:
    """A completed call, email or LinkedIn touch (``kind``: just that channel)."""
    types = (kind,) if kind else TOUCH_TYPES
    return and_(Activity.type.in_(types), Activity.completed.is_(True))


def is_connect() -> ColumnElement[bool]:
    """A two-way conversation: a call that connected, a reply, an accepted connection, an event attended."""
    return and_(Activity.completed.is_(True),
                or_(*(and_(Activity.type == t, Activity.outcome == o) for t, o in sorted(ENGAGING))))


def is_booking() -> ColumnElement[bool]:
    """A meeting booked: a call/email/LinkedIn outcome "meeting booked", or a meeting logged as booked."""
    return or_(Activity.outcome == "meeting_booked", and_(Activity.type == "meeting", Activity.outcome == "booked"))


def is_held() -> ColumnElement[bool]:
    """A meeting held (a meeting logged without an outcome counts as held)."""
    return and_(Activity.type == "meeting", or_(Activity.outcome == "held", Activity.outcome.is_(None)))


def is_meeting_related() -> ColumnElement[bool]:
    """Anything that shows a meeting was set: a booking, or a meeting of any outcome (a no-show was booked)."""
    return or_(Activity.outcome == "meeting_booked", Activity.type == "meeting")


# ---- opportunities -------------------------------------------------------------------------------------------

def opened_in(period: Period | None) -> ColumnElement[bool]:
    """An opportunity opened in the period (``opened_on``, or the day it was created when that is empty)."""
    if period is not None and period.start is None and period.end is None:
        return true()
    return or_(and_(Opportunity.opened_on.is_not(None), between_dates(Opportunity.opened_on, period)),
               and_(Opportunity.opened_on.is_(None), between(Opportunity.created_at, period)))


def closed_in(period: Period | None, stage: str | None = None) -> ColumnElement[bool]:
    """A closed (won or lost, or just ``stage``) opportunity whose close falls in the period: ``closed_at``,
    else ``close_date``. Over all time every closed opportunity counts, dated or not."""
    stages = (stage,) if stage else CLOSED_OPPORTUNITY_STAGES
    is_closed = Opportunity.stage.in_(stages)
    if period is not None and period.start is None and period.end is None:
        return is_closed
    return and_(is_closed, or_(
        and_(Opportunity.closed_at.is_not(None), between(Opportunity.closed_at, period)),
        and_(Opportunity.closed_at.is_(None), Opportunity.close_date.is_not(None),
             between_dates(Opportunity.close_date, period))))


def is_open() -> ColumnElement[bool]:
    return Opportunity.stage.not_in(CLOSED_OPPORTUNITY_STAGES)


def on_enterprise_account() -> ColumnElement[bool]:
    return Opportunity.account_id.in_(
        select(Account.id).where(Account.segment == "enterprise").correlate(None))


def opportunity_owner() -> ColumnElement[int]:
    """Who an opportunity counts for: its owner, else its account's owner (0: nobody)."""
    owner = select(Account.owner_id).where(Account.id == Opportunity.account_id).scalar_subquery()
    return func.coalesce(Opportunity.owner_id, owner, 0)


# ---- the scope -----------------------------------------------------------------------------------------------

class Scope:
    """One filter as SQL. Built once per report (it reads a dynamic list's saved filter)."""

    def __init__(self, session: Session, flt: KpiFilter) -> None:
        self.flt = flt
        self.period = flt.period
        self.previous = flt.previous
        self._accounts = resolve(session, AccountFilter(owner_ids=(flt.owner_id,) if flt.owner_id else (),
                                                        list_id=flt.list_id))
        self._session = session
        self._identified: ColumnElement[bool] | None = None
        self._free: ColumnElement[bool] = false()
        self._per_account: Any = None

    # accounts
    def account_where(self, stmt: Select[Any], with_source: bool = True) -> Select[Any]:
        """``stmt`` (which selects from ``accounts``) narrowed to the accounts in scope."""
        stmt = apply_filter(stmt, self._accounts)
        if self.flt.segment is not None:
            stmt = stmt.where(Account.segment == self.flt.segment)
        if with_source and self.flt.source is not None:
            src = self.flt.source
            stmt = stmt.where(or_(
                exists().where(Contact.account_id == Account.id, source_key(Contact.lead_source) == src),
                exists().where(Opportunity.account_id == Account.id, source_key(Opportunity.lead_source) == src)))
        return stmt

    def _restricted(self, with_source: bool) -> bool:
        f = self.flt
        return any(v is not None for v in (f.owner_id, f.list_id, f.segment)) or (with_source and f.source is not None)

    def on_accounts(self, stmt: Select[Any], account_id: Any, with_source: bool = True) -> Select[Any]:
        """``stmt`` narrowed to rows whose ``account_id`` is an account in scope (no-op when nothing narrows)."""
        if not self._restricted(with_source):
            return stmt
        # correlate(None): never tied to an ``accounts`` the outer statement may join
        return stmt.where(account_id.in_(self.account_where(select(Account.id), with_source).correlate(None)))

    def target(self) -> ColumnElement[bool]:
        return Account.abm_stage.not_in(CLOSED_ACCOUNT_STAGES)

    def no_touch(self) -> ColumnElement[bool]:
        cutoff = _day(self.flt.today - dt.timedelta(days=self.flt.no_touch_days))
        return and_(self.target(), or_(Account.last_activity_at.is_(None), Account.last_activity_at < cutoff))

    # contacts, activities, opportunities
    def contacts(self, stmt: Select[Any]) -> Select[Any]:
        stmt = self.on_accounts(stmt, Contact.account_id, with_source=False)
        if self.flt.source is not None:
            stmt = stmt.where(source_key(Contact.lead_source) == self.flt.source)
        return stmt

    def activities(self, stmt: Select[Any]) -> Select[Any]:
        return self.on_accounts(stmt, Activity.account_id)

    def opportunities(self, stmt: Select[Any]) -> Select[Any]:
        stmt = self.on_accounts(stmt, Opportunity.account_id, with_source=False)
        if self.flt.source is not None:
            stmt = stmt.where(source_key(Opportunity.lead_source) == self.flt.source)
        return stmt

    # the funnel cohort: contacts created in the period
    def cohort(self) -> ColumnElement[bool]:
        return and_(between(Contact.created_at, self.period), stage_rank(Contact.lifecycle_stage) > 0)

    # first meetings: one row per account in scope with its first meeting set and first meeting held, ever
    def first_meetings(self) -> Any:
        stmt = select(
            Activity.account_id.label("account_id"),
            func.min(Activity.occurred_at).label("first_booked"),
            func.min(case((is_held(), Activity.occurred_at))).label("first_held"),
        ).where(is_meeting_related())
        return self.activities(stmt).group_by(Activity.account_id).subquery("firsts")

    # key contacts: every required committee role of the account's segment held by a current contact
    def key_contacts(self) -> tuple[Any, ColumnElement[bool], ColumnElement[bool]]:
        """``(per_account, identified, free)``: a subquery of key-role flags per account (join it on
        ``accounts``), the SQL condition that an account's required roles (its segment's committee template)
        are all held, and the condition that its segment's template requires no role at all (such accounts
        are identified even without a contact, so an inner join would miss them)."""
        if self._identified is not None:
            return self._per_account, self._identified, self._free
        templates = {seg: [dict(r) for r in roles or []] for seg, roles in
                     self._session.execute(select(CommitteeTemplate.segment, CommitteeTemplate.roles))}
        required = {seg: sorted({r["role"] for r in roles if r.get("required")}) for seg, roles in templates.items()}
        roles = sorted(set().union(*required.values())) if required else []
        col = {r: f"r{i}" for i, r in enumerate(roles)}
        per_account = select(Contact.account_id.label("account_id"), *(
            func.max(case((Contact.buying_role == r, 1), else_=0)).label(col[r]) for r in roles)
        ).where(Contact.left_company.is_(False), Contact.buying_role.in_(roles) if roles else false()) \
            .group_by(Contact.account_id).subquery("key_roles")
        seg = case((Account.segment.in_(list(templates)), Account.segment), else_=DEFAULT_SEGMENT)
        default = required.get(DEFAULT_SEGMENT, [])
        cases, free = [], []
        for value in sorted(set(templates) | {DEFAULT_SEGMENT}):
            need = required.get(value, default)
            cases.append(and_(seg == value, *(func.coalesce(per_account.c[col[r]], 0) == 1 for r in need)))
            if not need:
                free.append(value)
        self._per_account, self._identified = per_account, or_(*cases)
        self._free = seg.in_(free) if free else false()
        return per_account, self._identified, self._free
