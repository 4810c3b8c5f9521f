"""One dashboard refresh: every BDR KPI, the funnel and the breakdowns for a :class:`KpiFilter`, in a dozen
aggregate queries (no loop over records in Python). Period metrics come with the previous period's value,
counted in the same scan."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import Account, Opportunity, TargetList
from bdr_desk.kpi.breakdowns import (
    BdrRow,
    ContentInfluence,
    SourceRow,
    by_bdr,
    by_source,
    content_influence,
    funnel_counts,
    money,
    ratio,
)
from bdr_desk.kpi.filters import KpiFilter, Period
from bdr_desk.kpi.funnel import FunnelRow, build_funnel, diagnosis, funnel_json, weakest_json, weakest_step
from bdr_desk.kpi.scope import (
    Scope,
    between,
    closed_in,
    count_if,
    is_open,
    on_enterprise_account,
    opened_in,
    sum_if,
)
from bdr_desk.taxonomy import FUNNEL_STAGE, SEGMENT_LABELS, TaxonomyTerm
from bdr_desk.users import User

ACCOUNT_KEYS = ("target_accounts", "tier1_accounts", "no_touch_accounts", "key_contact_accounts",
                "key_contact_identification_rate", "open_opportunities", "pipeline_amount")
PERIOD_KEYS = ("meetings_booked", "meetings_held", "first_meetings", "first_meetings_held", "opportunities_created",
               "qualified_opportunities", "pipeline_created", "closed_won", "closed_lost", "won_amount",
               "win_rate", "avg_deal_size", "avg_enterprise_deal_size")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


@dataclass(frozen=True)
class AccountMetrics:
    """The book of accounts as of the filter's day."""

    accounts_in_scope: int
    target_accounts: int  # not won or lost
    tier1_accounts: int
    no_touch_accounts: int  # target accounts with no activity in the last N days
    key_contact_accounts: int  # target accounts whose required committee roles are all held
    open_opportunities: int
    pipeline_amount: Decimal  # open opportunities' amounts

    @property
    def key_contact_identification_rate(self) -> float | None:
        return ratio(self.key_contact_accounts, self.target_accounts)


@dataclass(frozen=True)
class PeriodMetrics:
    """Flows within one period."""

    meetings_booked: int
    meetings_held: int
    first_meetings: int  # accounts whose first meeting was set in the period
    first_meetings_held: int  # accounts whose first meeting was held in the period
    opportunities_created: int
    qualified_opportunities: int  # qualified, opened in the period
    pipeline_created: Decimal  # amount of the opportunities opened in the period
    closed_won: int
    closed_lost: int
    won_amount: Decimal
    won_with_amount: int
    enterprise_won: int  # won with an amount, on enterprise accounts
    enterprise_won_amount: Decimal

    @property
    def win_rate(self) -> float | None:
        return ratio(self.closed_won, self.closed_won + self.closed_lost)

    @property
    def avg_deal_size(self) -> Decimal | None:
        return money(self.won_amount / self.won_with_amount) if self.won_with_amount else None

    @property
    def avg_enterprise_deal_size(self) -> Decimal | None:
        return money(self.enterprise_won_amount / self.enterprise_won) if self.enterprise_won else None


@dataclass(frozen=True)
class KpiReport:
    filter: KpiFilter
    workspace_accounts: int  # every account, whatever the filter (for the empty state)
    accounts: AccountMetrics
    current: PeriodMetrics
    previous: PeriodMetrics | None
    funnel: list[FunnelRow]
    by_source: list[SourceRow]
    by_bdr: list[BdrRow]
    content: ContentInfluence
    currency: str | None  # the one currency of the opportunities in scope; None when mixed or none
    owner_name: str | None = None
    list_name: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        return self.filter.period

    @property
    def previous_period(self) -> Period | None:
        return self.filter.previous

    @property
    def weakest_step(self) -> tuple[FunnelRow, FunnelRow] | None:
        return weakest_step(self.funnel)

    @property
    def diagnosis(self) -> str:
        return diagnosis(self.funnel)

    def value(self, key: str) -> Any:
        """A card's value by its JSON key (account metrics or this period's)."""
        return getattr(self.accounts if key in ACCOUNT_KEYS else self.current, key)

    def previous_value(self, key: str) -> Any:
        return None if self.previous is None or key not in PERIOD_KEYS else getattr(self.previous, key)

    def as_json(self) -> dict[str, Any]:
        f = self.filter
        out: dict[str, Any] = {
            "as_of": f.today.isoformat(),
            "period": f.period.as_json(),
            "previous_period": None if f.previous is None else f.previous.as_json(),
            "filters": {
                "owner": None if f.owner_id is None else {"id": f.owner_id, "name": self.owner_name},
                "list": None if f.list_id is None else {"id": f.list_id, "name": self.list_name},
                "segment": f.segment, "source": f.source, "no_touch_days": f.no_touch_days,
            },
            "workspace_accounts": self.workspace_accounts,
            "accounts_in_scope": self.accounts.accounts_in_scope,
            "currency": self.currency,
        }
        for key in ACCOUNT_KEYS + PERIOD_KEYS:
            out[key] = _plain(self.value(key))
        out["previous"] = None if self.previous is None else {k: _plain(self.previous_value(k)) for k in PERIOD_KEYS}
        out["funnel"] = funnel_json(self.funnel)
        out["weakest_step"] = weakest_json(self.funnel)
        out["diagnosis"] = self.diagnosis
        out["by_source"] = [{
            "source": s.source, "label": s.label, "leads": s.leads, "funnel": funnel_json(s.funnel),
            "weakest_step": weakest_json(s.funnel), "lead_to_won": _plain(s.lead_to_won),
            "opportunities": s.opportunities, "pipeline": float(s.pipeline), "closed_won": s.closed_won,
            "closed_lost": s.closed_lost, "won_amount": float(s.won_amount), "win_rate": _plain(s.win_rate),
        } for s in self.by_source]
        out["by_bdr"] = [r.as_json() for r in self.by_bdr]
        out["content_influence"] = [r.as_json() for r in self.content.items]
        out["content_influenced_opportunities"] = self.content.opportunities
        out["content_influenced_amount"] = float(self.content.amount)
        out["opportunities_in_period_amount"] = float(self.content.of_amount)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return round(value, 4)
    return value


def funnel_labels(session: Session) -> dict[str, str]:
    """The funnel stages' labels from the taxonomy (marketing may rename them)."""
    return dict(session.execute(select(TaxonomyTerm.key, TaxonomyTerm.label)
                                .where(TaxonomyTerm.vocabulary == FUNNEL_STAGE)).all())


def account_metrics(session: Session, scope: Scope) -> AccountMetrics:
    per_account, identified, free = scope.key_contacts()
    target = scope.target()
    n, targets, tier1, no_touch, key_free = session.execute(scope.account_where(select(
        func.count(Account.id), count_if(target), count_if(target & (Account.tier == 1)),
        count_if(scope.no_touch()), count_if(target & free)))).one()
    # accounts with key contacts: from the (fewer) accounts that have any, joined on the primary key
    key = session.scalar(scope.account_where(
        select(func.count()).select_from(per_account).join(Account, Account.id == per_account.c.account_id)
        .where(target, identified, ~free))) or 0
    open_n, pipeline = session.execute(scope.opportunities(
        select(count_if(is_open()), sum_if(is_open(), Opportunity.amount)))).one()
    return AccountMetrics(int(n), int(targets), int(tier1), int(no_touch), int(key_free) + int(key), int(open_n),
                          money(pipeline))


def _opportunity_measures(period: Period | None) -> list[Any]:
    opened, won, lost = opened_in(period), closed_in(period, "closed_won"), closed_in(period, "closed_lost")
    amount = Opportunity.amount
    won_amt = won & amount.is_not(None)
    enterprise = won_amt & on_enterprise_account()
    return [count_if(opened), count_if(opened & Opportunity.qualified.is_(True)), sum_if(opened, amount),
            count_if(won), count_if(lost), sum_if(won, amount), count_if(won_amt), count_if(enterprise),
            sum_if(enterprise, amount)]


def period_metrics(session: Session, scope: Scope, booked: tuple[int, int], held: tuple[int, int]
                   ) -> tuple[PeriodMetrics, PeriodMetrics | None]:
    cur, prev = scope.period, scope.previous
    firsts = scope.first_meetings()
    first = session.execute(select(
        count_if(between(firsts.c.first_booked, cur)), count_if(between(firsts.c.first_held, cur)),
        count_if(between(firsts.c.first_booked, prev)), count_if(between(firsts.c.first_held, prev)),
    ).select_from(firsts)).one()
    measures = _opportunity_measures(cur) + (_opportunity_measures(prev) if prev else [])
    opp = session.execute(scope.opportunities(select(*measures))).one()

    def build(i: int, offset: int) -> PeriodMetrics:
        o = opp[offset:offset + 9]
        return PeriodMetrics(booked[i], held[i], int(first[2 * i]), int(first[2 * i + 1]), int(o[0]), int(o[1]),
                             money(o[2]), int(o[3]), int(o[4]), money(o[5]), int(o[6]), int(o[7]), money(o[8]))

    return build(0, 0), (build(1, 9) if prev else None)


def kpi_report(session: Session, flt: KpiFilter) -> KpiReport:
    """Every number of the dashboard for ``flt``."""
    scope = Scope(session, flt)
    labels = funnel_labels(session)
    bdrs, totals = by_bdr(session, scope)
    current, previous = period_metrics(session, scope, (totals.meetings_booked, totals.previous_booked),
                                       (totals.meetings_held, totals.previous_held))
    counts = funnel_counts(session, scope)
    at_rank: dict[int, int] = {}
    for per_source in counts.values():
        for rank, n in per_source.items():
            at_rank[rank] = at_rank.get(rank, 0) + n
    currencies = list(session.scalars(scope.opportunities(select(Opportunity.currency).distinct()).limit(2)))
    return KpiReport(
        filter=flt,
        workspace_accounts=session.scalar(select(func.count(Account.id))) or 0,
        accounts=account_metrics(session, scope),
        current=current, previous=previous,
        funnel=build_funnel(at_rank, labels),
        by_source=by_source(session, scope, counts, labels),
        by_bdr=bdrs,
        content=content_influence(session, scope),
        currency=currencies[0] if len(currencies) == 1 else None,
        owner_name=session.scalar(select(User.name).where(User.id == flt.owner_id)) if flt.owner_id else None,
        list_name=session.scalar(select(TargetList.name).where(TargetList.id == flt.list_id)) if flt.list_id else None,
        labels={"segment": SEGMENT_LABELS.get(flt.segment or "", "")},
    )


def currency_symbol(code: str | None) -> str:
    return CURRENCY_SYMBOLS.get(code or "", "")
