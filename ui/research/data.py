"""What the Research tab reads in one short unit of work: the stored research of one account
(:func:`accounts.research.store.research_view`), the address research would start from, and when each
technology was first seen (the earliest research run that listed it). Plain data; no Qt."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from accounts.account_detail import AccountEditError
from accounts.models import Account
from accounts.models.research import ResearchRun
from accounts.research import apply, store
from accounts.research.store import ResearchView, research_view
from bdr_desk.db import Workspace


@dataclass(frozen=True)
class TabData:
    view: ResearchView
    account_name: str
    start: str | None  # the website (or domain) research starts from; None: nothing to research
    first_seen: dict[str, dt.datetime] = field(default_factory=dict)  # technology name, folded → first run

    @property
    def researched(self) -> bool:
        return self.view.last_run is not None or bool(self.view.pages)

    @property
    def stale_pages(self) -> int:
        return sum(1 for p in self.view.pages if p.stale or not p.has_html)

    @property
    def stored_pages(self) -> int:
        return sum(1 for p in self.view.pages if p.has_html)


def load(ws: Workspace, account_id: int) -> TabData:
    with ws.session() as s:
        acc = s.get(Account, account_id)
        if acc is None:
            raise store.ResearchError(f"account {account_id} does not exist")
        view = research_view(s, account_id)
        first: dict[str, dt.datetime] = {}
        for started, names in s.execute(select(ResearchRun.started_at, ResearchRun.technologies)
                                        .where(ResearchRun.account_id == account_id, ResearchRun.status == "done")
                                        .order_by(ResearchRun.started_at, ResearchRun.id)):
            for name in names or ():
                first.setdefault(str(name).casefold(), started)
        return TabData(view, acc.name, acc.website or acc.domain, first)


def comparable(account_field: str | None, value: Any) -> Any:
    """A value folded the way the account would store it, to tell "same", "new" and "differs" apart: country
    names become ISO codes, "about 1,200 staff" becomes 1200, web addresses lose scheme, www and slash."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if account_field == "hq_country":
            return apply.country_code(value)  # the one rule apply_company_fields uses
        if account_field == "employees":
            return apply.employees(value)
    except AccountEditError:
        pass
    text = " ".join(str(value).split()).casefold()
    if account_field == "website":
        text = re.sub(r"^[a-z]+://", "", text).removeprefix("www.").rstrip("/")
    if account_field == "industry":
        text = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", text)).strip("_")
    return text


def fact_state(account_field: str | None, found: Any, current: Any) -> str:
    """``info`` (no account field takes it), ``same``, ``new`` (the account has no value) or ``differs``."""
    if account_field is None:
        return "info"
    have = comparable(account_field, current)
    if have is None:
        return "new"
    return "same" if have == comparable(account_field, found) else "differs"


def display(value: Any, name: str | None = None) -> str:
    """A fact's value as one line of text (employees with thousands separators, a founding year without)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return str(value) if name == "founded" else f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {display(v)}" for k, v in value.items())
    return " ".join(str(value).split())
