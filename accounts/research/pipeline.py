"""Research as jobs: crawl a site, extract every page, combine, and (for an account) store the run.

``research_site`` needs no database (the CLI without ``--account``); ``research_account`` opens its own
sessions around the network work — a short one to read the account, none while fetching, one to store —
so a long crawl never holds the SQLite writer lock. Both take ``progress`` and a ``CancelToken``
(:mod:`bdr_desk.jobs`); a cancelled research stores nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests

from accounts.research.facts import PageFacts, PageInfo, ResearchResult
from accounts.research.fetch import CrawlOptions, FetchedPage, crawl, decode_html, fetch_pages
from accounts.research.store import (
    PageCapture,
    ResearchError,
    SaveSummary,
    reread,
    save_research,
    stale_page_urls,
    stored_pages,
)
from bdr_desk.db import Workspace, utcnow
from bdr_desk.jobs import CancelToken, Job, ProgressFn, no_progress


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text[:300]


def extract_fetched(page: FetchedPage) -> PageFacts | None:
    """What extraction makes of a fetched page (None when it has no HTML). An extractor failure becomes the
    page's error instead of ending the research."""
    if not page.ok:
        return None
    from accounts.research.extract import extract_page

    try:
        return extract_page(page.html(), page.final_url, headers=page.headers, cookies=page.cookies,
                            captured_at=page.fetched_at)
    except Exception as exc:  # noqa: BLE001 - one odd page must not lose the other seven
        page.error = f"{page.final_url}: could not be read ({one_line(exc)[:200]})"
        return None


@dataclass
class SiteResearch:
    start_url: str
    result: ResearchResult
    pages: list[FetchedPage]
    facts: dict[int, PageFacts] = field(default_factory=dict)  # index in ``pages`` → facts
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return any(p.ok for p in self.pages)

    def captures(self) -> list[PageCapture]:
        return [PageCapture.from_fetched(p, self.facts.get(i)) for i, p in enumerate(self.pages)]

    def first_error(self) -> str | None:
        return next((p.error for p in self.pages if p.error and not p.ok), None)


def _combine(facts: list[PageFacts], infos: list[PageInfo]) -> ResearchResult:
    from accounts.research.extract import combine

    return combine(facts, infos)


def research_site(start: str, options: CrawlOptions | None = None, *, progress: ProgressFn = no_progress,
                  cancel: CancelToken | None = None, http: requests.Session | None = None) -> SiteResearch:
    """Crawl ``start`` (a domain or URL) and extract what its pages say. ``ValueError`` for a start that is
    not an http(s) address; otherwise every problem is a page error in the result."""
    t0 = time.monotonic()
    pages: list[FetchedPage] = []
    facts: dict[int, PageFacts] = {}

    def on_page(page: FetchedPage) -> None:
        pf = extract_fetched(page)
        if pf is not None:
            facts[len(pages)] = pf
        pages.append(page)

    crawled = crawl(start, options, progress=progress, cancel=cancel, http=http, on_page=on_page)
    result = _combine([facts[i] for i in sorted(facts)], [p.info(facts[i].title if i in facts else None)
                                                          for i, p in enumerate(pages)])
    return SiteResearch(crawled.start_url, result, pages, facts, time.monotonic() - t0)


def research_html(body: bytes, url: str, *, content_type: str | None = None) -> ResearchResult:
    """Extract a saved page without any network: the charset is detected as for a fetched page."""
    from accounts.research.extract import extract_page

    html, _codec = decode_html(body, None, content_type)
    pf = extract_page(html, url, headers={}, cookies={}, captured_at=utcnow())
    return _combine([pf], [PageInfo(url=url, status=None, title=pf.title, fetched_at=None)])


@dataclass
class AccountResearch:
    account_id: int
    kind: str
    result: ResearchResult
    summary: SaveSummary
    pages_fetched: int = 0  # over the network this time
    pages_reread: int = 0  # from storage (fresh pages of a refresh)

    def as_json(self) -> dict[str, Any]:
        out = self.result.as_json()
        out["stored"] = {"account_id": self.account_id, "kind": self.kind, "pages_fetched": self.pages_fetched,
                         "pages_reread": self.pages_reread, **self.summary.as_json()}
        return out


def research_account(ws: Workspace, account_id: int, *, options: CrawlOptions | None = None,
                     start: str | None = None, refresh: bool = False, stale_days: int | None = None,
                     progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                     http: requests.Session | None = None) -> AccountResearch:
    """Research one account and store the run. ``start`` defaults to the account's website or domain.
    ``refresh`` fetches only the stored pages older than ``stale_days`` (and those never read) and re-reads
    the others offline; with nothing stored yet it is a full crawl. A run where no page could be read is
    stored as failed (the summary says so) and changes nothing else."""
    from accounts.models import Account

    started = utcnow()
    with ws.session() as s:
        acc = s.get(Account, account_id)
        if acc is None:
            raise ResearchError(f"account {account_id} does not exist")
        start = start or acc.website or acc.domain
        if not start:
            raise ResearchError(f"{acc.name} has no website or domain to research")
        stale = stale_page_urls(s, account_id, stale_days) if refresh else []
        fresh = [p for p in stored_pages(s, account_id) if p.url not in set(stale) and p.body is not None] \
            if refresh else []
    refreshing = refresh and bool(stale or fresh)
    facts: list[PageFacts] = []
    infos: list[PageInfo] = []
    caps: list[PageCapture] = []
    for page in fresh:
        pf, info = reread(page)
        facts.append(pf)
        infos.append(info)
        caps.append(PageCapture(url=page.url, fetched_at=page.fetched_at, status=page.status, title=pf.title,
                                text=pf.text, facts=pf, reread=True))
    if refreshing:
        fetched = fetch_pages(stale, options, progress=progress, cancel=cancel, http=http)
        for page in fetched:
            pf = extract_fetched(page)
            if pf is not None:
                facts.append(pf)
            infos.append(page.info(pf.title if pf else None))
            caps.append(PageCapture.from_fetched(page, pf))
        error = next((p.error for p in fetched if p.error and not p.ok), None) if not fresh else None
    else:
        site = research_site(start, options, progress=progress, cancel=cancel, http=http)
        fetched = site.pages
        facts = [site.facts[i] for i in sorted(site.facts)]
        infos = [p.info(site.facts[i].title if i in site.facts else None) for i, p in enumerate(fetched)]
        caps = site.captures()
        error = site.first_error() if not site.ok else None
    result = _combine(facts, infos)
    kind = "refresh" if refreshing else "crawl"
    if cancel is not None:
        cancel.raise_if_cancelled()
    with ws.session() as s:
        summary = save_research(s, account_id, result, caps, kind=kind, start_url=start, started_at=started,
                                error=error)
    return AccountResearch(account_id, kind, result, summary, pages_fetched=sum(1 for p in fetched if p.ok),
                           pages_reread=len(fresh))


def research_job(ws: Workspace, account_id: int, **kwargs: Any) -> Job[AccountResearch]:
    """A job for the GUI's runner or :func:`bdr_desk.jobs.run_inline`."""
    def job(progress: ProgressFn, cancel: CancelToken) -> AccountResearch:
        return research_account(ws, account_id, progress=progress, cancel=cancel, **kwargs)

    return job
