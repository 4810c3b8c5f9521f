"""Research kept per account: pages (with the raw HTML, compressed, so research can be re-read offline), runs,
technologies, signals and stakeholder candidates — and the two ways the user applies them: company fields
onto the account (field by field, through the account's history) and people into the stakeholder map.

Writers take a Session and flush; the caller commits (one unit of work). Readers return plain dataclasses
(:func:`research_view`) that the GUI and the CLI show as they are.

Kept here: saving a run (:func:`save_research`) and re-reading stored pages (:func:`reextract`). The rest
lives in :mod:`~accounts.research.lookup`, :mod:`~accounts.research.staleness`,
:mod:`~accounts.research.people`, :mod:`~accounts.research.stored_pages`, :mod:`~accounts.research.apply`
and :mod:`~accounts.research.view`, and is importable from here as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from accounts.models import AccountTechnology, ResearchPage, Signal
from accounts.models.research import SIGNAL_KINDS, ResearchPerson, ResearchRun
from accounts.research.apply import (
    ACCOUNT_FIELDS,
    AcceptResult,
    accept_people,
    apply_company_fields,
    country_code,
    dismiss_people,
    employees,
)
from accounts.research.facts import (
    PageFacts,
    PageInfo,
    PersonFact,
    ResearchResult,
    SignalFact,
    TechHit,
)
from accounts.research.lookup import ResearchError, last_run, require_account
from accounts.research.people import existing_contact, name_key, split_name
from accounts.research.staleness import (
    DEFAULT_STALE_DAYS,
    STALE_SETTING,
    is_stale,
    set_stale_days,
    stale_days,
    stale_page_urls,
)
from accounts.research.stored_pages import (
    MAX_STORED_HTML,
    StoredPage,
    compress_html,
    decompress_html,
    reread,
    stored_pages,
)
from accounts.research.view import (
    CompanyFactRow,
    PageRow,
    PersonRow,
    ResearchView,
    RunRow,
    SignalRow,
    TechnologyRow,
    research_view,
)
from accounts.seniority import classify_title
from bdr_desk.db import utcnow

__all__ = [
    "ACCOUNT_FIELDS", "COOKIE_VALUE", "DEFAULT_STALE_DAYS", "MAX_LINKS_STORED", "MAX_STORED_HTML",
    "STALE_SETTING", "AcceptResult", "CompanyFactRow", "PageCapture", "PageRow", "PersonRow", "ResearchError",
    "ResearchView", "RunRow", "SaveSummary", "SignalRow", "StoredPage", "TechnologyRow", "accept_people",
    "apply_company_fields", "compress_html", "country_code", "decompress_html", "dismiss_people", "employees",
    "existing_contact", "is_stale", "last_run", "name_key", "page_facts_json", "reextract", "require_account",
    "reread", "research_view", "save_research", "set_stale_days", "split_name", "stale_days",
    "stale_page_urls", "stored_pages",
]

MAX_LINKS_STORED = 300
COOKIE_VALUE = ""  # cookie values are not kept (names are what technology rules look at)


# ---- what a run hands over -----------------------------------------------------------------------------------

@dataclass
class PageCapture:
    """One page as :func:`save_research` stores it. ``body`` None with ``reread`` True: the page was re-read
    from storage (its HTML and fetch time stay); ``body`` None otherwise: the fetch failed or was skipped."""

    url: str
    fetched_at: dt.datetime
    status: int | None
    title: str | None = None
    text: str | None = None
    body: bytes | None = None
    encoding: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    facts: PageFacts | None = None
    reread: bool = False

    @classmethod
    def from_fetched(cls, page: Any, facts: PageFacts | None) -> PageCapture:
        """From an :class:`accounts.research.fetch.FetchedPage` and what extraction made of it."""
        return cls(url=page.final_url, fetched_at=page.fetched_at, status=page.status,
                   title=facts.title if facts else None, text=facts.text if facts else None, body=page.body,
                   encoding=page.encoding, content_type=page.content_type, headers=dict(page.headers),
                   cookies=dict(page.cookies), error=page.error, facts=facts)


@dataclass
class SaveSummary:
    run_id: int
    status: str
    pages_stored: int = 0
    pages_failed: int = 0
    technologies: int = 0
    technologies_added: list[str] = field(default_factory=list)
    technologies_removed: list[str] = field(default_factory=list)
    signals_added: int = 0
    people_new: int = 0
    people_updated: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "status": self.status, "pages_stored": self.pages_stored,
                "pages_failed": self.pages_failed, "technologies": self.technologies,
                "technologies_added": self.technologies_added, "technologies_removed": self.technologies_removed,
                "signals_added": self.signals_added, "people_new": self.people_new,
                "people_updated": self.people_updated}


def page_facts_json(pf: PageFacts) -> dict[str, Any]:
    return {"title": pf.title, "company": pf.company.as_json(), "people": [p.as_json() for p in pf.people],
            "technologies": [t.as_json() for t in pf.technologies], "signals": [s.as_json() for s in pf.signals],
            "links": [[u, a] for u, a in pf.links[:MAX_LINKS_STORED]]}



# ---- saving a run --------------------------------------------------------------------------------------------

def _clip(text: str | None, n: int) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text[: n - 1] + "…" if len(text) > n else text or None


def _pct(confidence: float | None) -> int | None:
    return None if confidence is None else max(0, min(100, round(confidence * 100)))



def save_research(session: Session, account_id: int, result: ResearchResult, pages: Sequence[PageCapture], *,
                  kind: str = "crawl", start_url: str | None = None, started_at: dt.datetime | None = None,
                  error: str | None = None, emit_changes: bool | None = None,
                  now: dt.datetime | None = None) -> SaveSummary:
    """Store one research run for ``account_id``: pages (raw HTML compressed), technologies (upserted, with
    "Added X"/"Removed Y" signals against the previous run), signals (once per kind and title) and
    stakeholder candidates. A run with no readable page is stored as failed and changes nothing else.

    ``emit_changes`` (default: not for a re-extraction) decides whether technology differences become
    signals — re-reading stored pages with newer rules is not news about the company."""
    require_account(session, account_id)
    now = now or utcnow()
    emit = kind != "reextract" if emit_changes is None else emit_changes
    ok_pages = [p for p in pages if p.body is not None or p.reread]
    status = "done" if ok_pages else "failed"
    if status == "failed" and error is None:
        error = next((p.error for p in pages if p.error), "no page could be read")
    previous = last_run(session, account_id)
    summary = SaveSummary(run_id=0, status=status)
    page_ids = _save_pages(session, account_id, pages, summary)
    run = ResearchRun(account_id=account_id, kind=kind, start_url=_clip(start_url, 2048), started_at=started_at or now,
                      finished_at=now, status=status, pages=len(ok_pages), pages_failed=summary.pages_failed,
                      error=_clip(error, 500))
    if status == "done":
        names = _save_technologies(session, account_id, result.technologies, previous, emit, page_ids, summary, now)
        run.technologies = names
        run.company = result.company.as_json()
        _save_signals(session, account_id, result.signals, page_ids, summary, now)
        _save_people(session, account_id, result.people, summary)
    session.add(run)
    session.flush()
    summary.run_id = run.id
    return summary


def _save_pages(session: Session, account_id: int, pages: Sequence[PageCapture], summary: SaveSummary) -> dict[str, int]:
    urls = [p.url[:2048] for p in pages]
    existing = {r.url: r for r in session.scalars(select(ResearchPage).where(
        ResearchPage.account_id == account_id, ResearchPage.url.in_(urls)))} if urls else {}
    for cap in pages:
        url = cap.url[:2048]
        row = existing.get(url)
        if row is None:
            row = ResearchPage(account_id=account_id, url=url, fetched_at=cap.fetched_at)
            session.add(row)
            existing[url] = row
        facts = page_facts_json(cap.facts) if cap.facts is not None else None
        if cap.reread:  # re-read offline: new facts, same HTML and fetch time
            row.title, row.text, row.facts = _clip(cap.title, 500), cap.text, facts
            summary.pages_stored += 1
            continue
        if cap.body is None:  # failed or skipped: keep what an earlier fetch stored, note the problem
            summary.pages_failed += 1
            row.error = _clip(cap.error, 500)
            if row.html_zlib is None:
                row.fetched_at, row.status_code = cap.fetched_at, cap.status
                row.content_type = _clip(cap.content_type, 200)
            continue
        body = cap.body[:MAX_STORED_HTML]
        row.fetched_at, row.status_code = cap.fetched_at, cap.status
        row.title, row.text, row.facts = _clip(cap.title, 500), cap.text, facts
        row.html_zlib, row.html_sha256 = compress_html(body), hashlib.sha256(body).hexdigest()
        row.encoding, row.content_type = _clip(cap.encoding, 40), _clip(cap.content_type, 200)
        row.http_meta = {"headers": dict(list(cap.headers.items())[:60]),
                         "cookies": {name[:100]: COOKIE_VALUE for name in list(cap.cookies)[:50]}}
        row.error = _clip(cap.error, 500)  # e.g. "truncated at 2,000,000 bytes"
        summary.pages_stored += 1
    session.flush()
    return {url: row.id for url, row in existing.items()}


def _save_technologies(session: Session, account_id: int, hits: Sequence[TechHit], previous: ResearchRun | None,
                       emit: bool, page_ids: dict[str, int], summary: SaveSummary, now: dt.datetime) -> list[str]:
    current: dict[str, TechHit] = {}
    for hit in hits:
        key = hit.name.strip().casefold()
        if key and (key not in current or hit.confidence > current[key].confidence):
            current[key] = hit
    rows = {r.name.casefold(): r for r in session.scalars(
        select(AccountTechnology).where(AccountTechnology.account_id == account_id))}
    for key, hit in current.items():
        row = rows.get(key)
        if row is None:
            row = AccountTechnology(account_id=account_id, name=hit.name.strip()[:120])
            session.add(row)
        row.category = _clip(hit.category, 64)
        row.evidence = _clip(hit.evidence, 500)
        row.source_url = _clip(hit.source_url, 2048)
        row.detected_at = hit.captured_at
    summary.technologies = len(current)
    if previous is not None and previous.technologies is not None:
        before = {str(n).casefold(): str(n) for n in previous.technologies}
        added = [current[k] for k in current if k not in before]
        removed = [before[k] for k in before if k not in current]
        if removed:  # research said so last time and no longer does
            session.execute(delete(AccountTechnology).where(
                AccountTechnology.account_id == account_id,
                func.lower(AccountTechnology.name).in_([n.casefold() for n in removed])))
        summary.technologies_added = sorted(h.name for h in added)
        summary.technologies_removed = sorted(removed)
        if emit:
            changes = [(f"Added {h.name}", h.evidence, h.source_url, _pct(h.confidence)) for h in added]
            changes += [(f"Removed {n}", f"{n} was seen on the previous research run and is not seen any more",
                         None, 60) for n in removed]
            for title, detail, source, conf in changes:
                if _signal_exists(session, account_id, "technology_change", title, now.date()):
                    continue
                session.add(Signal(account_id=account_id, kind="technology_change", title=title[:500],
                                   detail=detail, source_url=_clip(source, 2048), occurred_on=now.date(),
                                   detected_at=now, confidence=conf,
                                   page_id=page_ids.get(source or "")))
                summary.signals_added += 1
    session.flush()
    return sorted((h.name.strip() for h in current.values()), key=str.casefold)


def _signal_exists(session: Session, account_id: int, kind: str, title: str, on: dt.date | None = None) -> bool:
    stmt = select(Signal.id).where(Signal.account_id == account_id, Signal.kind == kind, Signal.title == title[:500])
    if on is not None:
        stmt = stmt.where(Signal.occurred_on == on)
    return session.scalar(stmt.limit(1)) is not None


def _save_signals(session: Session, account_id: int, signals: Sequence[SignalFact], page_ids: dict[str, int],
                  summary: SaveSummary, now: dt.datetime) -> None:
    seen: set[tuple[str, str]] = set()
    for sig in signals:
        kind = sig.kind if sig.kind in SIGNAL_KINDS else "news"
        title = (_clip(sig.text, 500) or kind).strip()
        if (kind, title) in seen or _signal_exists(session, account_id, kind, title):
            continue
        seen.add((kind, title))
        detail = {"text": sig.text} if len(sig.text) > 500 else {}
        detail.update(sig.detail or {})
        session.add(Signal(account_id=account_id, kind=kind, title=title,
                           detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
                           source_url=_clip(sig.source_url, 2048), occurred_on=sig.date,
                           detected_at=sig.captured_at or now, confidence=_pct(sig.confidence),
                           page_id=page_ids.get(sig.source_url)))
        summary.signals_added += 1
    session.flush()


def _save_people(session: Session, account_id: int, people: Sequence[PersonFact], summary: SaveSummary) -> None:
    rows = {r.name_key: r for r in session.scalars(
        select(ResearchPerson).where(ResearchPerson.account_id == account_id))}
    for p in people:
        key = name_key(p.name)
        if not key:
            continue
        info = classify_title(p.title)
        row = rows.get(key)
        if row is None:
            row = ResearchPerson(account_id=account_id, name=p.name.strip()[:200], name_key=key, status="candidate",
                                 source_url=p.source_url[:2048], captured_at=p.captured_at)
            session.add(row)
            rows[key] = row
            summary.people_new += 1
        else:
            summary.people_updated += 1
        row.title = _clip(p.title, 300) or row.title
        if p.email:
            row.email = p.email.strip()[:320]
        row.linkedin_url = _clip(p.linkedin_url, 2048) or row.linkedin_url
        row.source_url, row.captured_at = p.source_url[:2048], p.captured_at
        row.evidence, row.confidence = _clip(p.evidence, 500), _pct(p.confidence)
        if row.title:
            row.seniority, row.function, row.buying_role = info.seniority, info.function, info.suggested_role
        if row.status == "candidate" and row.contact_id is None:
            contact = existing_contact(session, account_id, p)
            if contact is not None:  # already in the stakeholder map
                row.status, row.contact_id = "accepted", contact
    session.flush()


# ---- re-extracting stored pages ------------------------------------------------------------------------------

def reextract(session: Session, account_id: int, now: dt.datetime | None = None) -> tuple[ResearchResult, SaveSummary]:
    """Re-read every stored page of the account offline with the current extractors and store the result
    (a run of kind ``reextract``; technology differences are not reported as news)."""
    from accounts.research.extract import combine

    require_account(session, account_id)
    pages = [p for p in stored_pages(session, account_id) if p.body is not None]
    if not pages:
        raise ResearchError(f"account {account_id} has no stored pages to re-read; research it first")
    facts: list[PageFacts] = []
    infos: list[PageInfo] = []
    caps: list[PageCapture] = []
    for page in pages:
        pf, info = reread(page)
        facts.append(pf)
        infos.append(info)
        caps.append(PageCapture(url=page.url, fetched_at=page.fetched_at, status=page.status, title=pf.title,
                                text=pf.text, facts=pf, reread=True))
    result = combine(facts, infos)
    return result, save_research(session, account_id, result, caps, kind="reextract", now=now)
