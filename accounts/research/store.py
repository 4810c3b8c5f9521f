"""Research kept per account: pages (with the raw HTML, compressed, so research can be re-read offline), runs,
technologies, signals and stakeholder candidates — and the two ways the user applies them: company fields
onto the account (field by field, through the account's history) and people into the stakeholder map.

Writers take a Session and flush; the caller commits (one unit of work). Readers return plain dataclasses
(:func:`research_view`) that the GUI and the CLI show as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from accounts.account_detail import AccountEditError, update_account
from accounts.models import Account, AccountTechnology, Contact, ResearchPage, Signal
from accounts.models.research import SIGNAL_KINDS, ResearchPerson, ResearchRun
from accounts.research.facts import (
    PageFacts,
    PageInfo,
    PersonFact,
    ResearchResult,
    SignalFact,
    TechHit,
)
from accounts.seniority import classify_title
from accounts.settings import int_setting, set_int_setting
from bdr_desk.db import utcnow

DEFAULT_STALE_DAYS = 30
STALE_SETTING = "research.stale_days"
MAX_STORED_HTML = 2_000_000  # raw bytes; larger bodies were capped while fetching already
MAX_LINKS_STORED = 300
COOKIE_VALUE = ""  # cookie values are not kept (names are what technology rules look at)


class ResearchError(ValueError):
    """A research step that cannot go on; one line naming the account, page or field."""


# ---- staleness -----------------------------------------------------------------------------------------------

def stale_days(session: Session) -> int:
    """After how many days research facts count as stale (workspace setting, default 30)."""
    return int_setting(session, STALE_SETTING, DEFAULT_STALE_DAYS)


def set_stale_days(session: Session, days: int) -> None:
    set_int_setting(session, STALE_SETTING, days, label="research stale days", error=ResearchError)


def is_stale(captured_at: dt.datetime | None, days: int = DEFAULT_STALE_DAYS, now: dt.datetime | None = None) -> bool:
    """A fact (or page) captured more than ``days`` ago — or never — is stale."""
    if captured_at is None:
        return True
    if captured_at.tzinfo is None:
        captured_at = captured_at.replace(tzinfo=dt.UTC)
    return captured_at < (now or utcnow()) - dt.timedelta(days=days)


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


def compress_html(body: bytes) -> bytes:
    return zlib.compress(body[:MAX_STORED_HTML], 6)


def decompress_html(blob: bytes | None) -> bytes | None:
    if not blob:
        return None
    try:
        d = zlib.decompressobj()
        out = d.decompress(blob, MAX_STORED_HTML + 1)
        return out[:MAX_STORED_HTML]
    except zlib.error:
        return None


def name_key(name: str) -> str:
    """A person's name folded for matching: case, accents, punctuation and titles ignored."""
    s = unicodedata.normalize("NFKD", name.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("ß", "ss")
    words = re.findall(r"[a-z0-9]+", s)
    words = [w for w in words if w not in _HONORIFICS]
    return " ".join(words)[:200]


_HONORIFICS = frozenset(("dr", "prof", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "herr", "frau", "mme",
                         "mlle", "m", "sr", "sra", "dott", "ing", "dipl", "mag", "phd", "mba", "jr"))
_PARTICLES = frozenset(("van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "la", "le", "ter",
                        "ten", "zu", "dos", "das", "bin", "al", "el"))


def split_name(name: str) -> tuple[str | None, str | None]:
    """(first name, last name): honorifics dropped, particles (``van der``, ``de la``) kept with the last name."""
    words = [w for w in name.replace(",", " ").split() if w.strip(".").casefold() not in _HONORIFICS]
    if not words:
        return None, None
    if len(words) == 1:
        return words[0][:120], None
    i = len(words) - 1
    while i > 1 and words[i - 1].casefold() in _PARTICLES:
        i -= 1
    return " ".join(words[:i])[:120], " ".join(words[i:])[:120]


# ---- saving a run --------------------------------------------------------------------------------------------

def _clip(text: str | None, n: int) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text[: n - 1] + "…" if len(text) > n else text or None


def _pct(confidence: float | None) -> int | None:
    return None if confidence is None else max(0, min(100, round(confidence * 100)))


def _require_account(session: Session, account_id: int) -> Account:
    acc = session.get(Account, account_id)
    if acc is None:
        raise ResearchError(f"account {account_id} does not exist")
    return acc


def last_run(session: Session, account_id: int, *, status: str | None = "done") -> ResearchRun | None:
    stmt = select(ResearchRun).where(ResearchRun.account_id == account_id)
    if status:
        stmt = stmt.where(ResearchRun.status == status)
    return session.scalars(stmt.order_by(ResearchRun.started_at.desc(), ResearchRun.id.desc()).limit(1)).first()


def save_research(session: Session, account_id: int, result: ResearchResult, pages: Sequence[PageCapture], *,
                  kind: str = "crawl", start_url: str | None = None, started_at: dt.datetime | None = None,
                  error: str | None = None, emit_changes: bool | None = None,
                  now: dt.datetime | None = None) -> SaveSummary:
    """Store one research run for ``account_id``: pages (raw HTML compressed), technologies (upserted, with
    "Added X"/"Removed Y" signals against the previous run), signals (once per kind and title) and
    stakeholder candidates. A run with no readable page is stored as failed and changes nothing else.

    ``emit_changes`` (default: not for a re-extraction) decides whether technology differences become
    signals — re-reading stored pages with newer rules is not news about the company."""
    _require_account(session, account_id)
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


def _existing_contact(session: Session, account_id: int, person: PersonFact | ResearchPerson) -> int | None:
    """A contact of the account who is this person: same e-mail, or the same folded name."""
    if person.email:
        found = session.scalar(select(Contact.id).where(Contact.account_id == account_id,
                                                        func.lower(Contact.email) == person.email.strip().lower()))
        if found is not None:
            return found
    key = name_key(person.name)
    for cid, first, last in session.execute(select(Contact.id, Contact.first_name, Contact.last_name)
                                            .where(Contact.account_id == account_id)):
        if key and name_key(" ".join(p for p in (first, last) if p)) == key:
            return cid
    return None


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
            contact = _existing_contact(session, account_id, p)
            if contact is not None:  # already in the stakeholder map
                row.status, row.contact_id = "accepted", contact
    session.flush()


# ---- re-reading stored pages ---------------------------------------------------------------------------------

@dataclass
class StoredPage:
    id: int
    url: str
    fetched_at: dt.datetime
    status: int | None
    title: str | None
    error: str | None
    body: bytes | None
    encoding: str | None
    headers: dict[str, str]
    cookies: dict[str, str]


def stored_pages(session: Session, account_id: int, *, with_html: bool = True) -> list[StoredPage]:
    cols = [ResearchPage.id, ResearchPage.url, ResearchPage.fetched_at, ResearchPage.status_code,
            ResearchPage.title, ResearchPage.error, ResearchPage.encoding, ResearchPage.http_meta]
    if with_html:
        cols.append(ResearchPage.html_zlib)
    out = []
    for row in session.execute(select(*cols).where(ResearchPage.account_id == account_id).order_by(ResearchPage.id)):
        meta = row.http_meta or {}
        out.append(StoredPage(row.id, row.url, row.fetched_at, row.status_code, row.title, row.error,
                              decompress_html(row.html_zlib) if with_html else None, row.encoding,
                              dict(meta.get("headers") or {}), dict(meta.get("cookies") or {})))
    return out


def stale_page_urls(session: Session, account_id: int, days: int | None = None,
                    now: dt.datetime | None = None) -> list[str]:
    """Stored pages a refresh fetches again: fetched more than ``days`` ago, or never read successfully."""
    days = days or stale_days(session)
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    return list(session.scalars(select(ResearchPage.url).where(
        ResearchPage.account_id == account_id,
        (ResearchPage.fetched_at < cutoff) | ResearchPage.html_zlib.is_(None)).order_by(ResearchPage.id)))


def reread(page: StoredPage) -> tuple[PageFacts, PageInfo]:
    """Extract a stored page again, offline, with the current extractors."""
    from accounts.research.extract import extract_page
    from accounts.research.fetch import decode_html

    html = decode_html(page.body or b"", page.encoding)[0]
    facts = extract_page(html, page.url, headers=page.headers, cookies=page.cookies, captured_at=page.fetched_at)
    return facts, PageInfo(url=page.url, status=page.status, title=facts.title or page.title, error=page.error,
                           fetched_at=page.fetched_at)


def reextract(session: Session, account_id: int, now: dt.datetime | None = None) -> tuple[ResearchResult, SaveSummary]:
    """Re-read every stored page of the account offline with the current extractors and store the result
    (a run of kind ``reextract``; technology differences are not reported as news)."""
    from accounts.research.extract import combine

    _require_account(session, account_id)
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


# ---- applying research ---------------------------------------------------------------------------------------

# research company field → account field
ACCOUNT_FIELDS = {"name": "name", "description": "description", "website": "website", "city": "hq_city",
                  "region": "hq_region", "country": "hq_country", "employees": "employees",
                  "industry_hint": "industry"}
_COUNTRIES = {
    "united states": "US", "united states of america": "US", "usa": "US", "u s a": "US", "us": "US",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "espana": "ES", "italy": "IT",
    "italia": "IT", "netherlands": "NL", "the netherlands": "NL", "nederland": "NL", "belgium": "BE",
    "belgique": "BE", "belgie": "BE", "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT",
    "osterreich": "AT", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO", "denmark": "DK",
    "danmark": "DK", "finland": "FI", "suomi": "FI", "ireland": "IE", "portugal": "PT", "poland": "PL",
    "polska": "PL", "czech republic": "CZ", "czechia": "CZ", "canada": "CA", "mexico": "MX", "brazil": "BR",
    "brasil": "BR", "argentina": "AR", "australia": "AU", "new zealand": "NZ", "japan": "JP", "china": "CN",
    "india": "IN", "singapore": "SG", "israel": "IL", "south africa": "ZA", "luxembourg": "LU",
    "united arab emirates": "AE", "uae": "AE", "south korea": "KR", "korea": "KR", "hong kong": "HK",
}


def _country_code(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    folded = " ".join(re.findall(r"[a-z]+", unicodedata.normalize("NFKD", text.casefold())
                                 .encode("ascii", "ignore").decode()))
    code = _COUNTRIES.get(folded)
    if code is None:
        raise AccountEditError(f"country {text!r}: type the two-letter ISO code instead")
    return code


def _employees(value: Any) -> Any:
    if isinstance(value, int) or value is None:
        return value
    m = re.search(r"\d[\d,.\s]*", str(value))
    if m is None:
        raise AccountEditError(f"employees: no number in {str(value)[:80]!r}")
    digits = re.sub(r"[^\d]", "", m.group(0))
    return int(digits) if digits else value


def apply_company_fields(session: Session, account_id: int, values: dict[str, Any], expected_version: int,
                         user_id: int | None = None) -> Account:
    """Apply research company facts to the account (``{field: value}``; research names such as ``city`` or
    account names such as ``hq_city``), through :func:`accounts.account_detail.update_account`: optimistic
    locking, validation, and one timeline event per changed field."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        target = ACCOUNT_FIELDS.get(name, name if name in ACCOUNT_FIELDS.values() else None)
        if target is None:
            raise AccountEditError(f"{name.replace('_', ' ')}: accounts have no such field to apply it to")
        if target == "hq_country":
            value = _country_code(value)
        elif target == "employees":
            value = _employees(value)
        elif isinstance(value, str):
            value = value.strip()
            limit = {"name": 300, "hq_city": 120, "hq_region": 120, "website": 2048}.get(target)
            if limit and len(value) > limit:
                value = value[:limit].rstrip()
        changes[target] = value
    if not changes:
        raise AccountEditError("no company field to apply")
    return update_account(session, account_id, expected_version, changes, user_id=user_id)


@dataclass
class AcceptResult:
    created: list[int] = field(default_factory=list)  # new contact ids
    linked: list[int] = field(default_factory=list)  # candidates that were contacts already
    skipped: list[str] = field(default_factory=list)  # one line each


def accept_people(session: Session, account_id: int, candidate_ids: Sequence[int],
                  user_id: int | None = None) -> AcceptResult:
    """Turn stakeholder candidates into contacts of the account (source "research", the suggested buying
    role). A candidate accepted before, or who matches a contact by e-mail or name, creates nothing."""
    from accounts.stakeholders import StakeholderError, save_contact

    _require_account(session, account_id)
    out = AcceptResult()
    rows = session.scalars(select(ResearchPerson).where(ResearchPerson.id.in_(list(candidate_ids)))).all()
    found = {r.id: r for r in rows}
    for cid in candidate_ids:
        row = found.get(cid)
        if row is None or row.account_id != account_id:
            out.skipped.append(f"candidate {cid} is not a person researched for account {account_id}")
            continue
        if row.status == "accepted" and row.contact_id is not None:
            out.skipped.append(f"{row.name} is already a contact")
            continue
        existing = _existing_contact(session, account_id, row)
        if existing is not None:
            row.status, row.contact_id = "accepted", existing
            out.linked.append(row.id)
            continue
        first, last = split_name(row.name)
        values: dict[str, Any] = {"first_name": first, "last_name": last, "title": row.title, "source": "research",
                                  "buying_role": row.buying_role, "linkedin_url": row.linkedin_url,
                                  "notes": f"Found by web research on {row.source_url}"}
        if row.email:
            values["email"] = row.email
        try:
            with session.begin_nested():
                card = save_contact(session, account_id, values, user_id=user_id)
        except StakeholderError as exc:
            if "email" not in values:
                out.skipped.append(str(exc))
                continue
            values.pop("email")  # a bad or taken e-mail must not lose the person
            with session.begin_nested():
                card = save_contact(session, account_id, values, user_id=user_id)
        row.status, row.contact_id = "accepted", card.id
        out.created.append(card.id)
    session.flush()
    return out


def dismiss_people(session: Session, account_id: int, candidate_ids: Sequence[int]) -> int:
    rows = session.scalars(select(ResearchPerson).where(ResearchPerson.id.in_(list(candidate_ids)),
                                                        ResearchPerson.account_id == account_id,
                                                        ResearchPerson.status == "candidate")).all()
    for r in rows:
        r.status = "dismissed"
    session.flush()
    return len(rows)


# ---- what the research tab shows -----------------------------------------------------------------------------

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
    acc = _require_account(session, account_id)
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
