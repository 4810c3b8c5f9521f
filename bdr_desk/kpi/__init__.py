"""The shared KPI dashboard: BDR outcome metrics, the lead → closed-won funnel and its breakdowns, counted in
SQL, each number with the records behind it.

``kpi_report(session, KpiFilter.of("2026-Q4", owner_id=…))`` computes everything the dashboard and
``bdr-desk kpi`` show; ``drill(session, flt, metric, key)`` lists the records behind one number.

Definitions (the primer's BDR KPI set; the filter's rules are in :mod:`bdr_desk.kpi.scope`):

As of the filter's day (``today``), over the accounts in scope:

- target accounts: ABM stage neither ``won`` nor ``lost``; tier-1 accounts: target accounts in tier 1;
- no touch in N days (default 30): target accounts whose last activity is empty or older than N days;
- key contact identification rate: share of target accounts whose required committee roles (the segment's
  template, :mod:`accounts.committees`) are all held by current contacts;
- open opportunities and open pipeline: opportunities not closed, and the sum of their amounts.

Within the period (and the previous period, for the deltas):

- meetings booked: a call, email or LinkedIn touch with the outcome "meeting booked", or a meeting logged as
  booked; meetings held: meetings with the outcome "held" (or none);
- first meetings (booked / held): accounts whose first meeting ever was set / held in the period (set: the
  first booking or meeting of any outcome);
- opportunities created, qualified opportunities and pipeline created: opportunities opened in the period
  (``opened_on``, else the day they were created), the qualified ones, and their amount;
- closed won / lost, won amount, win rate (won ÷ (won + lost)), average deal size and average enterprise deal
  size (won deals on enterprise accounts): opportunities closed in the period (``closed_at``, else
  ``close_date``);
- funnel: contacts created in the period (the cohort), each stage counting the contacts that reached *at
  least* that stage (a closed-lost contact reached the opportunity stage), with stage-to-stage conversion; by
  lead source the same funnel per contact source, plus the opportunities of that source;
- activity vs outcome per BDR: calls, emails, LinkedIn touches, connects (two-way conversations) and meetings
  per user who logged them; opportunities per owner (else the account's owner);
- content influence: opportunities opened in the period on accounts where an item was used before the
  opportunity closed, per item (count and amount).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdr_desk.kpi.breakdowns import UNASSIGNED, BdrRow, ContentRow, SourceRow
from bdr_desk.kpi.drill import METRICS, Drill, drill, drill_ids
from bdr_desk.kpi.filters import (
    NO_TOUCH_DAYS,
    FilterOptions,
    KpiFilter,
    KpiFilterError,
    Period,
    filter_options,
    parse_period,
    resolve_filter,
)
from bdr_desk.kpi.funnel import FunnelRow
from bdr_desk.kpi.report import KpiReport, kpi_report
from bdr_desk.kpi.scope import FUNNEL_STAGES
from bdr_desk.users import User

__all__ = [
    "FUNNEL_STAGES", "METRICS", "NO_TOUCH_DAYS", "UNASSIGNED", "BdrRow", "ContentRow", "Drill", "FilterOptions",
    "FunnelRow", "KpiFilter", "KpiFilterError", "KpiReport", "Owner", "Period", "SourceRow", "drill",
    "drill_ids", "filter_options", "kpi_report", "owners", "parse_period", "resolve_filter",
]


@dataclass(frozen=True)
class Owner:
    id: int
    name: str


def owners(session: Session) -> list[Owner]:
    """The workspace users, for an owner filter."""
    return [Owner(i, n) for i, n in session.execute(select(User.id, User.name).order_by(User.name, User.id))]
