"""What the research tab shows (:func:`research_view`): plain frozen dataclasses, each fact with its source
and a stale flag, that the GUI and the CLI show as they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import AccountTechnology, ResearchPage, Signal
from accounts.models.research import ResearchPerson
from accounts.research.apply import ACCOUNT_FIELDS
from accounts.research.lookup import last_run, require_account
from accounts.research.staleness import is_stale, stale_days
from bdr_desk.db import utcnow


@dataclass(frozen=True)
class PageRow:
    id: int
    url: str
    fetched_at: dt.datetime
    status: int | None
    title: str | None
    error: str | None
    has_html: bool
    stale: bool


@dataclass(frozen=True)
class CompanyFactRow:
    field: str
    value: Any
    source_url: str | None
    captured_at: dt.datetime | None
    confidence: float | None
    stale: bool
    account_field: str | None  # where "apply" would write it; None when accounts have no such field
    current_value: Any  # the account's value now


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    title: str | None
    seniority: str | None
    function: str | None
    buying_role: str | None
    source_url: str
    captured_at: dt.datetime
    confidence: int | None
    status: str
    contact_id: int | None
    stale: bool


@dataclass(frozen=True)
class TechnologyRow:
    name: str
    category: str | None
    evidence: str | None
    source_url: str | None
    detected_at: dt.datetime
    stale: bool


@dataclass(frozen=True)
class SignalRow:
    id: int
    kind: str
    title: str
    occurred_on: dt.date | None
    source_url: str | None
    detected_at: dt.datetime
    confidence: int | None
    stale: bool


@dataclass(frozen=True)
class RunRow:
    id: int
    kind: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    pages: int
    pages_failed: int
    error: str | None


@dataclass(frozen=True)
class ResearchView:
    account_id: int
    account_version: int
    stale_days: int
    last_run: RunRow | None
    pages: list[PageRow]
    company: list[CompanyFactRow]
    social: dict[str, str]
    people: list[PersonRow]
    technologies: list[TechnologyRow]
    signals: list[SignalRow]


def _as_dt(text: Any) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def research_view(session: Session, account_id: int, days: int | None = None,
                  now: dt.datetime | None = None) -> ResearchView:
    """Everything the research tab shows for one account, each fact with its source and a stale flag."""
    acc = require_account(session, account_id)
    days = days or stale_days(session)
    now = now or utcnow()
    run = last_run(session, account_id, status=None)
    done = last_run(session, account_id)
    pages = [PageRow(r.id, r.url, r.fetched_at, r.status_code, r.title, r.error, r.has_html,
                     is_stale(r.fetched_at, days, now))
             for r in session.execute(select(ResearchPage.id, ResearchPage.url, ResearchPage.fetched_at,
                                             ResearchPage.status_code, ResearchPage.title, ResearchPage.error,
                                             ResearchPage.html_zlib.is_not(None).label("has_html"))
                                      .where(ResearchPage.account_id == account_id).order_by(ResearchPage.id))]
    company: list[CompanyFactRow] = []
    social: dict[str, str] = {}
    if done is not None and done.company:
        sources = done.company.get("sources") or {}
        for name, src in sources.items():
            captured = _as_dt(src.get("captured_at"))
            target = ACCOUNT_FIELDS.get(name)
            company.append(CompanyFactRow(name, src.get("value"), src.get("source_url"), captured,
                                          src.get("confidence"), is_stale(captured, days, now), target,
                                          getattr(acc, target) if target else None))
        social = {k: str(v) for k, v in (done.company.get("social") or {}).items()}
    people = [PersonRow(r.id, r.name, r.title, r.seniority, r.function, r.buying_role, r.source_url, r.captured_at,
                        r.confidence, r.status, r.contact_id, is_stale(r.captured_at, days, now))
              for r in session.scalars(select(ResearchPerson).where(ResearchPerson.account_id == account_id)
                                       .order_by(ResearchPerson.status, ResearchPerson.name))]
    techs = [TechnologyRow(r.name, r.category, r.evidence, r.source_url, r.detected_at,
                           is_stale(r.detected_at, days, now))
             for r in session.scalars(select(AccountTechnology).where(AccountTechnology.account_id == account_id)
                                      .order_by(AccountTechnology.category, AccountTechnology.name))]
    signals = [SignalRow(r.id, r.kind, r.title, r.occurred_on, r.source_url, r.detected_at, r.confidence,
                         is_stale(r.detected_at, days, now))
               for r in session.scalars(select(Signal).where(Signal.account_id == account_id)
                                        .order_by(Signal.occurred_on.desc().nulls_last(), Signal.id.desc()))]
    last = RunRow(run.id, run.kind, run.started_at, run.finished_at, run.status, run.pages, run.pages_failed,
                  run.error) if run else None
    return ResearchView(account_id, acc.version, days, last, pages, company, social, people, techs, signals)
