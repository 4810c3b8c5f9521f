"""Extraction from fetched pages, one module per concern (company, structured data, people, technologies,
signals), all Qt-free and network-free.

Entry points (the crawler and the CLI use only these):

- ``extract_page(html, url, *, headers=None, cookies=None, captured_at=None) -> PageFacts``
- ``combine(pages: list[PageFacts], infos: list[PageInfo]) -> ResearchResult``: merged company facts (best
  value per field), people de-duplicated by name, technologies by name, signals by (kind, text).

Modules: :mod:`.text` (parsing, main text, links), :mod:`.structured` (JSON-LD, microdata, OpenGraph),
:mod:`.company` + :mod:`.social`, :mod:`.roles` + :mod:`.people`, :mod:`.tech` (rules in
``resources/research/technologies.json``),
:mod:`.dates` + :mod:`.signals`. Every concern fails alone: an exception in one yields nothing for that concern
(logged at debug level) and never aborts the page.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TypeVar

from accounts.research.facts import (
    CompanyFacts,
    Fact,
    PageFacts,
    PageInfo,
    PersonFact,
    ResearchResult,
    SignalFact,
    TechHit,
)

__all__ = ["extract_page", "combine"]

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 200_000
T = TypeVar("T")


def _safe(what: str, url: str, fn: Callable[[], T], default: T) -> T:
    try:
        return fn()
    except Exception:  # noqa: BLE001 - one concern failing never aborts the page
        log.debug("research extraction: %s failed on %s", what, url, exc_info=True)
        return default


def extract_page(html: str, url: str, *, headers: Mapping[str, str] | None = None,
                 cookies: Mapping[str, str] | None = None, captured_at: dt.datetime | None = None) -> PageFacts:
    """Facts of one fetched page (``html`` already decoded). Never raises for bad input."""
    # imported here: the parser stack (bs4, lxml) stays out of the start-up of commands that never extract
    from accounts.research.extract import company, people, signals, structured, tech, text

    at = captured_at or dt.datetime.now(dt.UTC)
    doc = _safe("parsing", url, lambda: text.parse(html if isinstance(html, str) else "", url), None)
    if doc is None:
        return PageFacts(url=url)
    data = _safe("structured data", url, lambda: structured.read(doc), structured.Structured())
    facts = _safe("company", url, lambda: company.extract_company(doc, data, at), CompanyFacts())
    return PageFacts(
        url=url,
        title=doc.title,
        text=_safe("main text", url, lambda: doc.main_text[:MAX_TEXT_CHARS], ""),
        company=facts,
        people=_safe("people", url, lambda: people.extract_people(doc, data, at, facts.value("name") or _label(url)),
                     []),
        technologies=_safe("technologies", url, lambda: tech.detect(doc, at, headers, cookies), []),
        signals=_safe("signals", url, lambda: signals.extract_signals(doc, data, at, facts.value("name")), []),
        links=list(doc.links),
    )


def _label(url: str) -> str | None:
    """The site's name as its domain spells it ("acme" for www.acme.co.uk): cut from titles like "CFO of Acme"."""
    from accounts.domains import normalize_domain

    domain = normalize_domain(url)
    return domain.split(".")[0] if domain else None


def _better(new: Fact, cur: Fact | None) -> bool:
    return cur is None or new.confidence > cur.confidence


def _person_key(name: str) -> str:
    words = re.sub(r"[^\w\s-]", " ", name.casefold()).split()
    words = [w for w in words if len(w) > 1]
    return f"{words[0]} {words[-1]}" if len(words) >= 2 else " ".join(words)


def _merge_hiring(items: list[SignalFact]) -> SignalFact:
    """One hiring signal for the whole site: the role titles of every careers page, counted once."""
    from accounts.research.extract.signals import FUNCTIONS, job_function

    titles: list[str] = []
    seen: set[str] = set()
    for s in items:
        for t in s.detail.get("titles") or []:
            k = re.sub(r"\W+", " ", str(t).casefold()).strip()
            if k not in seen:
                seen.add(k)
                titles.append(str(t))
    best = max(items, key=lambda s: (len(s.detail.get("titles") or []), s.confidence))
    if len(items) == 1 or not titles:
        return best
    counts: dict[str, int] = {}
    for t in titles:
        fn = job_function(t)
        counts[fn] = counts.get(fn, 0) + 1
    by_fn = {fn: counts[fn] for fn in FUNCTIONS if fn in counts}
    summary = ", ".join(f"{n} {fn.replace('_', ' ')}" for fn, n in by_fn.items())
    text = f"{len(titles)} open role{'s' if len(titles) != 1 else ''} ({summary}): " + "; ".join(titles[:8])
    detail = dict(best.detail, roles=by_fn, open_roles=len(titles), titles=titles[:50],
                  pages=sorted({s.source_url for s in items}))
    return SignalFact("hiring", best.date, text[:500], best.source_url, best.captured_at,
                      max(s.confidence for s in items), detail)


def combine(pages: list[PageFacts], infos: list[PageInfo]) -> ResearchResult:
    """Merge the facts of a site's pages: the most confident value per company field (the first page wins a tie,
    so the home page when it was fetched first), one person per name (a title beats none, then confidence; a
    missing e-mail/LinkedIn is filled from the others), one technology per name (best evidence), one signal per
    (kind, text) and one hiring signal for the site; signals newest first (undated last)."""
    result = ResearchResult()
    company = result.company
    for page in pages:
        for k, f in page.company.fields.items():
            if _better(f, company.fields.get(k)):
                company.fields[k] = f
        for k, f in page.company.social.items():
            if _better(f, company.social.get(k)):
                company.social[k] = f
    people: dict[str, PersonFact] = {}
    for page in pages:
        for p in page.people:
            key = _person_key(p.name)
            cur = people.get(key)
            if cur is None:
                people[key] = p
                continue
            best = p if (p.title is not None, p.confidence) > (cur.title is not None, cur.confidence) else cur
            other = cur if best is p else p
            if (best.email is None and other.email) or (best.linkedin_url is None and other.linkedin_url):
                best = replace(best, email=best.email or other.email,
                               linkedin_url=best.linkedin_url or other.linkedin_url)
            people[key] = best
    result.people = list(people.values())
    techs: dict[str, TechHit] = {}
    for page in pages:
        for t in page.technologies:
            cur = techs.get(t.name.casefold())
            if cur is None or t.confidence > cur.confidence:
                techs[t.name.casefold()] = t
    result.technologies = sorted(techs.values(), key=lambda t: (t.category, t.name.casefold()))
    signals: dict[tuple[str, str], SignalFact] = {}
    hiring: list[SignalFact] = []
    for page in pages:
        for s in page.signals:
            if s.kind == "hiring":
                hiring.append(s)
                continue
            key = (s.kind, re.sub(r"\W+", " ", s.text.casefold()).strip())
            cur = signals.get(key)
            if cur is None or (cur.date is None and s.date is not None) or s.confidence > cur.confidence:
                signals[key] = s
    merged = list(signals.values()) + ([_merge_hiring(hiring)] if hiring else [])
    merged.sort(key=lambda s: (s.date is None, -(s.date.toordinal() if s.date else 0)))
    result.signals = merged
    result.pages = list(infos) if infos else [PageInfo(url=p.url, status=None, title=p.title) for p in pages]
    return result
