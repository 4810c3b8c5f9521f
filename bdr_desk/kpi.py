"""The shared KPI dashboard: BDR outcome metrics and the lead → closed-won funnel, counted in SQL.

Everything here is a handful of aggregate queries over indexed columns; nothing loops over rows in Python.
The owner filter means *the accounts a user owns*: account metrics, meetings, opportunities and the funnel
(contacts) all follow the account's owner, so a BDR sees the book of accounts they work.

Definitions (a simple first version; the primer's BDR KPI set):

- target accounts: accounts whose ABM stage is not ``won`` or ``lost``;
- tier-1 accounts: target accounts with tier 1;
- no touch in 30 days: target accounts whose ``last_activity_at`` is empty or older than 30 days;
- key contact identification rate: share of target accounts whose required committee roles (the segment's
  template, see :mod:`accounts.committees`) are all held by current contacts;
- meetings booked: ``meeting`` activities in the period; first meetings: accounts whose first meeting
  ever falls in the period;
- qualified opportunities: qualified opportunities opened in the period (``opened_on``, or when missing the
  day the record was created);
- open opportunities and pipeline: opportunities not closed, and the sum of their amounts;
- win rate: closed won / (closed won + closed lost), over all closed opportunities;
- funnel: contacts by lifecycle stage, each stage counting the contacts that reached *at least* that stage
  (a closed-lost contact reached the opportunity stage).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from accounts.models import Account, Activity, Contact, Opportunity
from accounts.queries import AccountFilter
from accounts.stakeholders import key_contact_identification_rate
from bdr_desk.taxonomy import FUNNEL_STAGE, TaxonomyTerm
from bdr_desk.users import User

FUNNEL_STAGES = ("lead", "mql", "sal", "sql", "opportunity", "closed_won")
# lifecycle stages past the end of the funnel that still count as having reached a stage
_REACHED_ALSO = {"opportunity": ("closed_lost",)}
CLOSED_ACCOUNT_STAGES = ("won", "lost")
CLOSED_OPPORTUNITY_STAGES = ("closed_won", "closed_lost")
NO_TOUCH_DAYS = 30
PERIODS = (30, 90, 180)


@dataclass(frozen=True)
class FunnelRow:
    stage: str
    label: str
    count: int
    conversion_from_previous: float | None  # None for the first stage or after an empty stage


@dataclass(frozen=True)
class KpiSnapshot:
    today: dt.date
    period_days: int
    owner_id: int | None
    total_accounts: int  # every account in the workspace, whatever its stage or owner
    target_accounts: int
    tier1_accounts: int
    no_touch_accounts: int
    key_contact_accounts: int
    key_contact_identification_rate: float | None  # None without target accounts
    meetings_booked: int
    first_meetings: int
    qualified_opportunities: int
    open_opportunities: int
    pipeline_amount: Decimal
    closed_won: int
    closed_lost: int
    win_rate: float | None  # None until an opportunity has closed
    funnel: list[FunnelRow] = field(default_factory=list)

    @property
    def weakest_step(self) -> tuple[FunnelRow, FunnelRow] | None:
        """The (previous, stage) pair with the lowest stage-to-stage conversion, or None."""
        pairs = [(a, b) for a, b in zip(self.funnel, self.funnel[1:], strict=False)
                 if b.conversion_from_previous is not None]
        return min(pairs, key=lambda p: p[1].conversion_from_previous or 0.0) if pairs else None

    def as_json(self) -> dict[str, Any]:
        weakest = self.weakest_step
        return {
            "today": self.today.isoformat(),
            "period_days": self.period_days,
            "owner_id": self.owner_id,
            "total_accounts": self.total_accounts,
            "target_accounts": self.target_accounts,
            "tier1_accounts": self.tier1_accounts,
            "no_touch_accounts": self.no_touch_accounts,
            "key_contact_accounts": self.key_contact_accounts,
            "key_contact_identification_rate": _round(self.key_contact_identification_rate),
            "meetings_booked": self.meetings_booked,
            "first_meetings": self.first_meetings,
            "qualified_opportunities": self.qualified_opportunities,
            "open_opportunities": self.open_opportunities,
            "pipeline_amount": float(self.pipeline_amount),
            "closed_won": self.closed_won,
            "closed_lost": self.closed_lost,
            "win_rate": _round(self.win_rate),
            "funnel": [
                {"stage": r.stage, "label": r.label, "count": r.count,
                 "conversion_from_previous": _round(r.conversion_from_previous)}
                for r in self.funnel
            ],
            "weakest_step": None if weakest is None else {
                "from": weakest[0].stage, "to": weakest[1].stage,
                "conversion": _round(weakest[1].conversion_from_previous),
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _owned(stmt: Select[Any], owner_id: int | None, account_id_col: Any) -> Select[Any]:
    """Restrict ``stmt`` to rows whose account is owned by ``owner_id`` (no-op for everyone)."""
    if owner_id is None:
        return stmt
    return stmt.where(account_id_col.in_(select(Account.id).where(Account.owner_id == owner_id)))


def kpi_snapshot(session: Session, *, today: dt.date | None = None, owner_id: int | None = None,
                 period_days: int = 90) -> KpiSnapshot:
    if period_days <= 0:
        raise ValueError("period_days must be positive")
    today = today or dt.datetime.now(dt.UTC).date()
    period_start = _day_start(today - dt.timedelta(days=period_days))
    period_end = _day_start(today + dt.timedelta(days=1))  # the period includes today
    stale_before = _day_start(today - dt.timedelta(days=NO_TOUCH_DAYS))

    # ---- accounts: one pass with conditional counts ----
    is_target = Account.abm_stage.not_in(CLOSED_ACCOUNT_STAGES)

    def count_if(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    acc = select(
        func.count(Account.id),
        count_if(is_target),
        count_if(and_(is_target, Account.tier == 1)),
        count_if(and_(is_target, or_(Account.last_activity_at.is_(None), Account.last_activity_at < stale_before))),
    )
    if owner_id is not None:
        acc = acc.where(Account.owner_id == owner_id)
    owned_total, target, tier1, no_touch = session.execute(acc).one()
    # the primer's KPI, as the stakeholder maps define it: every required committee role of the segment held
    kcir = key_contact_identification_rate(session, AccountFilter(owner_ids=(owner_id,)) if owner_id else None)
    total_accounts = owned_total if owner_id is None else session.scalar(select(func.count(Account.id)))

    # ---- meetings ----
    is_meeting = Activity.type == "meeting"
    meetings = session.scalar(_owned(
        select(func.count(Activity.id)).where(
            is_meeting, Activity.occurred_at >= period_start, Activity.occurred_at < period_end),
        owner_id, Activity.account_id)) or 0
    first_meeting = _owned(
        select(Activity.account_id, func.min(Activity.occurred_at).label("first_at")).where(is_meeting),
        owner_id, Activity.account_id,
    ).group_by(Activity.account_id).subquery()
    first_meetings = session.scalar(
        select(func.count()).select_from(first_meeting)
        .where(first_meeting.c.first_at >= period_start, first_meeting.c.first_at < period_end)
    ) or 0

    # ---- opportunities: one pass ----
    is_open = Opportunity.stage.not_in(CLOSED_OPPORTUNITY_STAGES)
    opened_in_period = or_(
        and_(Opportunity.opened_on >= period_start.date(), Opportunity.opened_on <= today),
        and_(Opportunity.opened_on.is_(None), Opportunity.created_at >= period_start,
             Opportunity.created_at < period_end),
    )
    opp = _owned(select(
        count_if(and_(Opportunity.qualified.is_(True), opened_in_period)),
        count_if(is_open),
        func.coalesce(func.sum(case((is_open, Opportunity.amount), else_=None)), 0),
        count_if(Opportunity.stage == "closed_won"),
        count_if(Opportunity.stage == "closed_lost"),
    ), owner_id, Opportunity.account_id)
    qualified, open_opps, pipeline, won, lost = session.execute(opp).one()

    return KpiSnapshot(
        today=today, period_days=period_days, owner_id=owner_id,
        total_accounts=int(total_accounts or 0),
        target_accounts=int(target), tier1_accounts=int(tier1), no_touch_accounts=int(no_touch),
        key_contact_accounts=kcir.identified,
        key_contact_identification_rate=_ratio(kcir.identified, kcir.accounts),
        meetings_booked=int(meetings), first_meetings=int(first_meetings),
        qualified_opportunities=int(qualified), open_opportunities=int(open_opps),
        pipeline_amount=Decimal(pipeline or 0).quantize(Decimal("0.01")),
        closed_won=int(won), closed_lost=int(lost), win_rate=_ratio(int(won), int(won) + int(lost)),
        funnel=funnel(session, owner_id=owner_id),
    )


def funnel(session: Session, *, owner_id: int | None = None) -> list[FunnelRow]:
    """Contacts that reached at least each stage, in funnel order, with stage-to-stage conversion."""
    stmt = _owned(
        select(Contact.lifecycle_stage, func.count(Contact.id)).where(Contact.lifecycle_stage.is_not(None)),
        owner_id, Contact.account_id,
    ).group_by(Contact.lifecycle_stage)
    at_stage = {stage: int(n) for stage, n in session.execute(stmt)}  # one row per stage, not per contact
    labels = {key: label for key, label in session.execute(
        select(TaxonomyTerm.key, TaxonomyTerm.label).where(TaxonomyTerm.vocabulary == FUNNEL_STAGE))}
    rows: list[FunnelRow] = []
    reached = 0
    for stage in reversed(FUNNEL_STAGES):  # cumulative from the later stages
        reached += at_stage.get(stage, 0) + sum(at_stage.get(s, 0) for s in _REACHED_ALSO.get(stage, ()))
        rows.append(FunnelRow(stage, labels.get(stage, stage), reached, None))
    rows.reverse()
    return [
        r if i == 0 else FunnelRow(r.stage, r.label, r.count, _ratio(r.count, rows[i - 1].count))
        for i, r in enumerate(rows)
    ]


@dataclass(frozen=True)
class Owner:
    id: int
    name: str


def owners(session: Session) -> list[Owner]:
    """The workspace users, for an owner filter."""
    return [Owner(i, n) for i, n in session.execute(select(User.id, User.name).order_by(User.name, User.id))]
