"""The records behind a number: ``drill(session, flt, "first_meetings")`` lists the accounts counted by the
"first meetings" card, ``drill(session, flt, "funnel", "sql")`` the contacts of the funnel's SQL bar.

Every metric is a SELECT of record ids built from the same predicates the report counts with
(:mod:`bdr_desk.kpi.scope`), so a drill-down always has exactly as many records as its number says.
Breakdown rows drill with a key (a stage, a user id, a content item id); a lead-source row drills with the
filter narrowed to that source (``flt.with_(source=...)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from accounts.models import Account, Activity, Contact, Opportunity
from bdr_desk.kpi.breakdowns import activity_user, influence_pairs
from bdr_desk.kpi.filters import KpiFilter, KpiFilterError, source_label
from bdr_desk.kpi.funnel import STAGE_LABELS
from bdr_desk.kpi.scope import (
    FUNNEL_STAGES,
    STAGE_RANK,
    Scope,
    between,
    closed_in,
    is_booking,
    is_connect,
    is_held,
    is_open,
    is_touch,
    on_enterprise_account,
    opened_in,
    opportunity_owner,
    source_key,
    stage_rank,
)
from bdr_desk.users import User
from content_library.models import ContentItem

DRILL_LIMIT = 1000


@dataclass(frozen=True)
class AccountRecord:
    id: int
    name: str
    domain: str | None
    tier: int | None
    segment: str | None
    stage: str
    owner: str | None
    last_activity_at: dt.datetime | None
    detail: str | None = None  # what the metric saw: the first meeting's day, "Gaps"…

    @property
    def account_id(self) -> int:
        return self.id

    @property
    def account(self) -> str:
        return self.name


@dataclass(frozen=True)
class ContactRecord:
    id: int
    name: str
    title: str | None
    account_id: int
    account: str
    stage: str | None
    source: str
    created_at: dt.datetime | None


@dataclass(frozen=True)
class ActivityRecord:
    id: int
    occurred_at: dt.datetime
    type: str
    outcome: str | None
    subject: str | None
    account_id: int
    account: str
    user: str | None


@dataclass(frozen=True)
class OpportunityRecord:
    id: int
    name: str
    account_id: int
    account: str
    stage: str
    amount: Decimal | None
    currency: str
    source: str
    qualified: bool
    opened_on: dt.date | None
    closed_on: dt.date | None
    owner: str | None


Record = AccountRecord | ContactRecord | ActivityRecord | OpportunityRecord


@dataclass(frozen=True)
class Drill:
    metric: str
    key: Any
    kind: str  # accounts, contacts, activities or opportunities
    title: str
    total: int
    rows: list[Any]  # the first ``limit`` records, in the kind's order
    amount: Decimal | None = None  # opportunities: the sum of every record's amount (not just the rows')
    detail: str = ""  # accounts: what the rows' ``detail`` holds ("First meeting set"…)

    def as_json(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            if isinstance(v, dt.date | dt.datetime):
                return v.isoformat()
            return float(v) if isinstance(v, Decimal) else v
        return {"metric": self.metric, "key": self.key, "kind": self.kind, "title": self.title,
                "total": self.total, "amount": plain(self.amount),
                "rows": [{k: plain(v) for k, v in asdict(r).items()} for r in self.rows]}


@dataclass(frozen=True)
class Metric:
    kind: str
    title: str
    ids: Callable[[Scope, Any], Select[Any]]  # SELECT id [, detail] of the records behind the number
    keyed: bool = False
    detail: str = ""


# ---- the metrics -----------------------------------------------------------------------------------------------

def _accounts(where: Callable[[Scope], Any]) -> Callable[[Scope, Any], Select[Any]]:
    return lambda s, _k: s.account_where(select(Account.id).where(where(s)))


def _key_contacts(s: Scope, _k: Any, all_targets: bool = False) -> Select[Any]:
    per_account, identified, _free = s.key_contacts()
    detail = case((identified, literal("Identified")), else_=literal("Roles missing"))
    stmt = select(Account.id, detail).select_from(Account).outerjoin(
        per_account, per_account.c.account_id == Account.id).where(s.target())
    return s.account_where(stmt if all_targets else stmt.where(identified))


def _first(column: str) -> Callable[[Scope, Any], Select[Any]]:
    def ids(s: Scope, _k: Any) -> Select[Any]:
        f = s.first_meetings()
        return select(f.c.account_id, f.c[column]).where(between(f.c[column], s.period))
    return ids


def _activities(where: Callable[[Scope], Any], by_user: bool = False) -> Callable[[Scope, Any], Select[Any]]:
    def ids(s: Scope, key: Any) -> Select[Any]:
        stmt = select(Activity.id).where(between(Activity.occurred_at, s.period), where(s))
        if by_user:
            stmt = stmt.where(activity_user() == int(key))
        return s.activities(stmt)
    return ids


def _opportunities(where: Callable[[Scope], Any], by_user: bool = False) -> Callable[[Scope, Any], Select[Any]]:
    def ids(s: Scope, key: Any) -> Select[Any]:
        stmt = select(Opportunity.id).where(where(s))
        if by_user:
            stmt = stmt.where(opportunity_owner() == int(key))
        return s.opportunities(stmt)
    return ids


def _funnel(s: Scope, key: Any) -> Select[Any]:
    if key not in FUNNEL_STAGES:
        raise KpiFilterError(f"unknown funnel stage {key!r}; use {', '.join(FUNNEL_STAGES)}")
    return s.contacts(select(Contact.id).where(s.cohort(), stage_rank(Contact.lifecycle_stage) >= STAGE_RANK[key]))


def _content(s: Scope, key: Any) -> Select[Any]:
    pairs = influence_pairs(s)
    stmt = select(pairs.c.opportunity_id).distinct()
    return stmt.where(pairs.c.item_id == int(key)) if key is not None else stmt


def _won_with_amount(s: Scope) -> Any:
    return and_(closed_in(s.period, "closed_won"), Opportunity.amount.is_not(None))


METRICS: dict[str, Metric] = {
    "target_accounts": Metric("accounts", "Target accounts", _accounts(lambda s: s.target())),
    "tier1_accounts": Metric("accounts", "Tier-1 target accounts", _accounts(lambda s: s.target() & (Account.tier == 1))),
    "no_touch_accounts": Metric("accounts", "Target accounts with no touch", _accounts(lambda s: s.no_touch())),
    "key_contact_accounts": Metric("accounts", "Target accounts with every key contact identified", _key_contacts,
                                   detail="Key contacts"),
    "key_contact_identification_rate": Metric(
        "accounts", "Key contact identification, by target account",
        lambda s, k: _key_contacts(s, k, all_targets=True), detail="Key contacts"),
    "first_meetings": Metric("accounts", "Accounts with a first meeting set", _first("first_booked"),
                             detail="First meeting set"),
    "first_meetings_held": Metric("accounts", "Accounts with a first meeting held", _first("first_held"),
                                  detail="First meeting held"),
    "meetings_booked": Metric("activities", "Meetings booked", _activities(lambda s: is_booking())),
    "meetings_held": Metric("activities", "Meetings held", _activities(lambda s: is_held())),
    "opportunities_created": Metric("opportunities", "Opportunities created",
                                    _opportunities(lambda s: opened_in(s.period))),
    "qualified_opportunities": Metric("opportunities", "Qualified opportunities created", _opportunities(
        lambda s: opened_in(s.period) & Opportunity.qualified.is_(True))),
    "pipeline_created": Metric("opportunities", "Pipeline created", _opportunities(lambda s: opened_in(s.period))),
    "open_opportunities": Metric("opportunities", "Open opportunities", _opportunities(lambda s: is_open())),
    "pipeline_amount": Metric("opportunities", "Open pipeline", _opportunities(lambda s: is_open())),
    "closed_won": Metric("opportunities", "Closed won", _opportunities(lambda s: closed_in(s.period, "closed_won"))),
    "won_amount": Metric("opportunities", "Closed won", _opportunities(lambda s: closed_in(s.period, "closed_won"))),
    "closed_lost": Metric("opportunities", "Closed lost", _opportunities(lambda s: closed_in(s.period, "closed_lost"))),
    "win_rate": Metric("opportunities", "Closed won and lost", _opportunities(lambda s: closed_in(s.period))),
    "avg_deal_size": Metric("opportunities", "Won deals", _opportunities(_won_with_amount)),
    "avg_enterprise_deal_size": Metric("opportunities", "Won enterprise deals", _opportunities(
        lambda s: _won_with_amount(s) & on_enterprise_account())),
    "funnel": Metric("contacts", "Contacts", _funnel, keyed=True),
    "bdr_calls": Metric("activities", "Calls", _activities(lambda s: is_touch("call"), True), keyed=True),
    "bdr_emails": Metric("activities", "Emails", _activities(lambda s: is_touch("email"), True), keyed=True),
    "bdr_linkedin": Metric("activities", "LinkedIn touches", _activities(lambda s: is_touch("linkedin"), True),
                           keyed=True),
    "bdr_touches": Metric("activities", "Touches", _activities(lambda s: is_touch(), True), keyed=True),
    "bdr_connects": Metric("activities", "Connects", _activities(lambda s: is_connect(), True), keyed=True),
    "bdr_meetings_booked": Metric("activities", "Meetings booked", _activities(lambda s: is_booking(), True),
                                  keyed=True),
    "bdr_meetings_held": Metric("activities", "Meetings held", _activities(lambda s: is_held(), True), keyed=True),
    "bdr_opportunities": Metric("opportunities", "Opportunities created",
                                _opportunities(lambda s: opened_in(s.period), True), keyed=True),
    "bdr_qualified": Metric("opportunities", "Qualified opportunities created", _opportunities(
        lambda s: opened_in(s.period) & Opportunity.qualified.is_(True), True), keyed=True),
    "bdr_won": Metric("opportunities", "Closed won", _opportunities(
        lambda s: closed_in(s.period, "closed_won"), True), keyed=True),
    "content_influence": Metric("opportunities", "Opportunities influenced by", _content, keyed=True),
    "content_influenced": Metric("opportunities", "Opportunities influenced by content", _content),
}


def _metric(metric: str, key: Any) -> Metric:
    spec = METRICS.get(metric)
    if spec is None:
        raise KpiFilterError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    if spec.keyed and key is None:
        raise KpiFilterError(f"{metric} needs a key (a funnel stage, a user id or a content item id)")
    return spec


def drill_ids(session: Session, flt: KpiFilter, metric: str, key: Any = None) -> list[int]:
    """Every record id behind ``metric`` (sorted): as many as the number counts."""
    stmt = _metric(metric, key).ids(Scope(session, flt), key).subquery()
    return sorted(int(i) for i in session.scalars(select(stmt.c[0])))


def drill(session: Session, flt: KpiFilter, metric: str, key: Any = None, *, limit: int | None = DRILL_LIMIT,
          offset: int = 0) -> Drill:
    """The records behind ``metric`` (first ``limit`` of them, in a sensible order) and how many there are."""
    spec = _metric(metric, key)
    ids = spec.ids(Scope(session, flt), key).subquery("drill")
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    amount = None
    if spec.kind == "opportunities":
        amount = Decimal(session.scalar(select(func.coalesce(func.sum(Opportunity.amount), 0))
                                        .join(ids, ids.c[0] == Opportunity.id)) or 0).quantize(Decimal("0.01"))
    rows = LOADERS[spec.kind](session, ids, limit, offset)
    return Drill(metric, key, spec.kind, _title(session, spec, metric, key), int(total), rows, amount, spec.detail)


def _title(session: Session, spec: Metric, metric: str, key: Any) -> str:
    if metric == "funnel":
        return f"Contacts that reached {STAGE_LABELS[key]}"
    if metric.startswith("bdr_"):
        name = session.scalar(select(User.name).where(User.id == int(key))) if int(key) else "Unassigned"
        return f"{spec.title} · {name or 'Unknown user'}"
    if metric == "content_influence":
        return f"{spec.title} “{session.scalar(select(ContentItem.title).where(ContentItem.id == int(key)))}”"
    return spec.title


# ---- loading rows ----------------------------------------------------------------------------------------------

def _page(stmt: Select[Any], limit: int | None, offset: int) -> Select[Any]:
    return stmt.offset(offset).limit(limit) if limit is not None else stmt.offset(offset)


def _load_accounts(session: Session, ids: Any, limit: int | None, offset: int) -> list[AccountRecord]:
    detail = ids.c[1] if len(ids.c) > 1 else literal(None)
    stmt = select(Account.id, Account.name, Account.domain, Account.tier, Account.segment, Account.abm_stage,
                  User.name, Account.last_activity_at, detail) \
        .join(ids, ids.c[0] == Account.id).outerjoin(User, User.id == Account.owner_id) \
        .order_by(Account.name, Account.id)
    out = []
    for row in session.execute(_page(stmt, limit, offset)):
        d = row[-1]
        text = d.strftime("%d %b %Y") if isinstance(d, dt.datetime) else d
        out.append(AccountRecord(*row[:-1], detail=text))
    return out


def _load_contacts(session: Session, ids: Any, limit: int | None, offset: int) -> list[ContactRecord]:
    name = func.trim(func.coalesce(Contact.first_name, "") + " " + func.coalesce(Contact.last_name, ""))
    stmt = select(Contact.id, name, Contact.title, Contact.account_id, Account.name, Contact.lifecycle_stage,
                  source_key(Contact.lead_source), Contact.created_at, Contact.email) \
        .join(ids, ids.c[0] == Contact.id).join(Account, Account.id == Contact.account_id) \
        .order_by(Account.name, Contact.last_name, Contact.first_name, Contact.id)
    return [ContactRecord(i, n or (email or f"Contact {i}"), t, a, an, st, source_label(src), c)
            for i, n, t, a, an, st, src, c, email in session.execute(_page(stmt, limit, offset))]


def _load_activities(session: Session, ids: Any, limit: int | None, offset: int) -> list[ActivityRecord]:
    stmt = select(Activity.id, Activity.occurred_at, Activity.type, Activity.outcome, Activity.subject,
                  Activity.account_id, Account.name, User.name) \
        .join(ids, ids.c[0] == Activity.id).join(Account, Account.id == Activity.account_id) \
        .outerjoin(User, User.id == Activity.user_id).order_by(Activity.occurred_at.desc(), Activity.id.desc())
    return [ActivityRecord(*row) for row in session.execute(_page(stmt, limit, offset))]


def _load_opportunities(session: Session, ids: Any, limit: int | None, offset: int) -> list[OpportunityRecord]:
    owner, account_owner = aliased(User), aliased(User)
    stmt = select(Opportunity.id, Opportunity.name, Opportunity.account_id, Account.name, Opportunity.stage,
                  Opportunity.amount, Opportunity.currency, source_key(Opportunity.lead_source),
                  Opportunity.qualified, Opportunity.opened_on, Opportunity.closed_at, Opportunity.close_date,
                  func.coalesce(owner.name, account_owner.name)) \
        .join(ids, ids.c[0] == Opportunity.id).join(Account, Account.id == Opportunity.account_id) \
        .outerjoin(owner, owner.id == Opportunity.owner_id) \
        .outerjoin(account_owner, account_owner.id == Account.owner_id) \
        .order_by(Opportunity.amount.desc().nulls_last(), Opportunity.name, Opportunity.id)
    out = []
    for (i, n, a, an, st, amt, cur, src, q, opened, closed_at, close_date, o) in session.execute(
            _page(stmt, limit, offset)):
        out.append(OpportunityRecord(i, n, a, an, st, amt, cur, source_label(src), bool(q), opened,
                                     closed_at.date() if closed_at else close_date, o))
    return out


LOADERS: dict[str, Callable[[Session, Any, int | None, int], list[Any]]] = {
    "accounts": _load_accounts, "contacts": _load_contacts, "activities": _load_activities,
    "opportunities": _load_opportunities,
}
