"""The dashboard's breakdowns, each one grouped query over the scope: the funnel by lead source, activity
against outcome per BDR, and content influence (opportunities on accounts where an item was used).

Python only combines the aggregated rows (sources × stages, users, items), never the records themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session

from accounts.models import Activity, Contact, Opportunity
from bdr_desk.kpi.filters import UNKNOWN_SOURCE, source_label
from bdr_desk.kpi.funnel import FunnelRow, build_funnel, weakest_step
from bdr_desk.kpi.scope import (
    Scope,
    between,
    closed_in,
    count_if,
    is_booking,
    is_connect,
    is_held,
    is_touch,
    opened_in,
    opportunity_owner,
    source_key,
    stage_rank,
    sum_if,
)
from bdr_desk.users import User
from content_library.models import ContentItem, ContentUsage

UNASSIGNED = 0  # the key of the "nobody" row in per-BDR breakdowns


def money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


# ---- funnel by source ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRow:
    source: str
    label: str
    funnel: list[FunnelRow]
    opportunities: int  # opportunities of this source opened in the period
    pipeline: Decimal  # their amount
    closed_won: int  # won in the period
    closed_lost: int
    won_amount: Decimal

    @property
    def leads(self) -> int:
        return self.funnel[0].count if self.funnel else 0

    @property
    def lead_to_won(self) -> float | None:
        return ratio(self.funnel[-1].count, self.leads) if self.funnel else None

    @property
    def win_rate(self) -> float | None:
        return ratio(self.closed_won, self.closed_won + self.closed_lost)

    @property
    def weakest(self) -> tuple[FunnelRow, FunnelRow] | None:
        return weakest_step(self.funnel)


def funnel_counts(session: Session, scope: Scope) -> dict[str, dict[int, int]]:
    """Contacts of the cohort per (lead source, furthest stage rank): one GROUP BY."""
    src, rank = source_key(Contact.lead_source), stage_rank(Contact.lifecycle_stage)
    stmt = scope.contacts(select(src, rank, func.count(Contact.id)).where(scope.cohort())).group_by(src, rank)
    out: dict[str, dict[int, int]] = {}
    for source, r, n in session.execute(stmt):
        out.setdefault(source, {})[int(r)] = int(n)
    return out


def by_source(session: Session, scope: Scope, counts: dict[str, dict[int, int]],
              labels: dict[str, str]) -> list[SourceRow]:
    src = source_key(Opportunity.lead_source)
    won, lost = closed_in(scope.period, "closed_won"), closed_in(scope.period, "closed_lost")
    opened = opened_in(scope.period)
    stmt = scope.opportunities(select(
        src, count_if(opened), sum_if(opened, Opportunity.amount), count_if(won), count_if(lost),
        sum_if(won, Opportunity.amount)).group_by(src))
    opps = {row[0]: row[1:] for row in session.execute(stmt)}
    rows = []
    for key in set(counts) | set(opps):
        n, pipe, w, lo, won_amount = opps.get(key, (0, 0, 0, 0, 0))
        if not (n or w or lo or counts.get(key)):
            continue
        rows.append(SourceRow(key, source_label(key), build_funnel(counts.get(key, {}), labels), int(n),
                              money(pipe), int(w), int(lo), money(won_amount)))
    rows.sort(key=lambda r: (r.source == UNKNOWN_SOURCE, -r.leads, -r.opportunities, r.label.lower()))
    return rows


# ---- activity vs outcome per BDR -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BdrRow:
    user_id: int  # UNASSIGNED for activities nobody logged / opportunities nobody owns
    name: str
    calls: int
    emails: int
    linkedin: int
    connects: int
    meetings_booked: int
    meetings_held: int
    opportunities: int  # opened in the period
    qualified_opportunities: int
    pipeline: Decimal  # amount of the opportunities opened in the period
    closed_won: int
    won_amount: Decimal

    @property
    def touches(self) -> int:
        return self.calls + self.emails + self.linkedin

    @property
    def connect_rate(self) -> float | None:
        return ratio(self.connects, self.touches)

    @property
    def touches_per_meeting(self) -> float | None:
        return ratio(self.touches, self.meetings_booked)

    def as_json(self) -> dict[str, Any]:
        return {"user_id": self.user_id or None, "name": self.name, "calls": self.calls, "emails": self.emails,
                "linkedin": self.linkedin, "touches": self.touches, "connects": self.connects,
                "connect_rate": _round(self.connect_rate), "meetings_booked": self.meetings_booked,
                "meetings_held": self.meetings_held, "opportunities": self.opportunities,
                "qualified_opportunities": self.qualified_opportunities, "pipeline": float(self.pipeline),
                "closed_won": self.closed_won, "won_amount": float(self.won_amount),
                "touches_per_meeting": None if self.touches_per_meeting is None else round(self.touches_per_meeting, 2)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def activity_user() -> Any:
    return func.coalesce(Activity.user_id, UNASSIGNED)


@dataclass(frozen=True)
class ActivityTotals:
    meetings_booked: int
    meetings_held: int
    previous_booked: int
    previous_held: int


def by_bdr(session: Session, scope: Scope) -> tuple[list[BdrRow], ActivityTotals]:
    """Activities in the period per user who logged them, opportunities per owner (or account owner)."""
    cur, prev = scope.period, scope.previous
    in_cur, in_prev = between(Activity.occurred_at, cur), between(Activity.occurred_at, prev)
    who = activity_user()
    acts = scope.activities(select(
        who, count_if(in_cur & is_touch("call")), count_if(in_cur & is_touch("email")),
        count_if(in_cur & is_touch("linkedin")), count_if(in_cur & is_connect()),
        count_if(in_cur & is_booking()), count_if(in_cur & is_held()),
        count_if(in_prev & is_booking()), count_if(in_prev & is_held()),
    ).where(or_(in_cur, in_prev))).group_by(who)
    per_user: dict[int, list[Any]] = {int(r[0]): [int(v) for v in r[1:]] for r in session.execute(acts)}
    owner = opportunity_owner()
    opened, won = opened_in(cur), closed_in(cur, "closed_won")
    opps_stmt = scope.opportunities(select(
        owner, count_if(opened), count_if(opened & Opportunity.qualified.is_(True)),
        sum_if(opened, Opportunity.amount), count_if(won), sum_if(won, Opportunity.amount),
    )).group_by(owner)
    per_owner = {int(r[0]): r[1:] for r in session.execute(opps_stmt)}
    names = dict(session.execute(select(User.id, User.name)).all())
    rows = []
    for uid in set(per_user) | set(per_owner):
        a = per_user.get(uid, [0] * 8)
        o = per_owner.get(uid, (0, 0, 0, 0, 0))
        if not any(a[:6]) and not any(o):
            continue
        rows.append(BdrRow(uid, names.get(uid, "Unassigned") if uid else "Unassigned", *a[:6],
                           int(o[0]), int(o[1]), money(o[2]), int(o[3]), money(o[4])))
    rows.sort(key=lambda r: (r.user_id == UNASSIGNED, r.name.lower(), r.user_id))
    totals = ActivityTotals(*(sum(a[i] for a in per_user.values()) for i in (4, 5, 6, 7)))
    return rows, totals


# ---- content influence ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContentRow:
    item_id: int
    title: str
    type: str
    accounts: int  # accounts with an influenced opportunity
    opportunities: int
    pipeline: Decimal
    closed_won: int
    won_amount: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "title": self.title, "type": self.type, "accounts": self.accounts,
                "opportunities": self.opportunities, "pipeline": float(self.pipeline),
                "closed_won": self.closed_won, "won_amount": float(self.won_amount)}


def influence_pairs(scope: Scope) -> Any:
    """(item, opportunity) pairs: opportunities in scope opened in the period on an account where the item was
    used before the opportunity closed (any time, while it is open)."""
    stmt = select(ContentUsage.item_id.label("item_id"), Opportunity.id.label("opportunity_id")).join(
        Opportunity, Opportunity.account_id == ContentUsage.account_id,
    ).where(opened_in(scope.period),
            or_(Opportunity.closed_at.is_(None), ContentUsage.used_at <= Opportunity.closed_at))
    return scope.opportunities(stmt).distinct().subquery("influence")


@dataclass(frozen=True)
class ContentInfluence:
    items: list[ContentRow]
    opportunities: int  # distinct opportunities influenced by any item
    amount: Decimal
    of_opportunities: int  # every opportunity opened in the period, in scope
    of_amount: Decimal


def content_influence(session: Session, scope: Scope) -> ContentInfluence:
    pairs = influence_pairs(scope)
    won = Opportunity.stage == "closed_won"
    stmt = select(
        pairs.c.item_id, ContentItem.title, ContentItem.type, func.count(distinct(Opportunity.account_id)),
        func.count(Opportunity.id), sum_if(Opportunity.amount.is_not(None), Opportunity.amount), count_if(won),
        sum_if(won, Opportunity.amount),
    ).select_from(pairs).join(Opportunity, Opportunity.id == pairs.c.opportunity_id) \
        .join(ContentItem, ContentItem.id == pairs.c.item_id).group_by(pairs.c.item_id, ContentItem.title,
                                                                      ContentItem.type)
    items = [ContentRow(int(i), t, ty, int(a), int(n), money(p), int(w), money(wa))
             for i, t, ty, a, n, p, w, wa in session.execute(stmt)]
    items.sort(key=lambda r: (-r.pipeline, -r.opportunities, r.title.lower()))
    influenced = select(pairs.c.opportunity_id.label("id")).distinct().subquery()
    n, amount = session.execute(select(func.count(Opportunity.id), sum_if(Opportunity.amount.is_not(None),
                                                                          Opportunity.amount))
                                .join(influenced, influenced.c.id == Opportunity.id)).one()
    opened = opened_in(scope.period)
    total, total_amount = session.execute(scope.opportunities(
        select(func.count(Opportunity.id), sum_if(Opportunity.amount.is_not(None), Opportunity.amount))
        .where(opened))).one()
    return ContentInfluence(items, int(n), money(amount), int(total), money(total_amount))
