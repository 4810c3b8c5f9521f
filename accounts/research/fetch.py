"""Polite, bounded fetching of a company's website: one page (:meth:`Fetcher.fetch`) or a small same-site crawl
(:func:`crawl`, home first, then the most promising links — see :mod:`accounts.research.links`).

The rules, every one of them a bound:

* one ``requests.Session`` with a clear User-Agent; connect and read timeouts, and a total time bound per
  page (redirects, retries and their waits included; the socket timeout shrinks to what is left, so a slow
  drip ends on time);
* at most ``max_bytes`` of body per page, read in small chunks and then stopped (memory stays bounded);
* http and https only; redirects followed by hand, at most ``max_redirects``, one to another scheme refused;
* robots.txt honoured (fetched once per host through the same limits; unreachable → allowed, 401/403 →
  everything disallowed, ``Crawl-delay`` respected up to a cap);
* a per-host delay between requests; retries with exponential backoff on 429, 5xx and timeouts, honouring
  ``Retry-After`` within the page's time bound;
* the charset from the HTTP header, a byte-order mark or ``<meta charset>``, else UTF-8, else Windows-1252;
* anything that is not HTML (PDF, images …) is recorded as skipped with the reason, never parsed.

A page never raises: it ends as a :class:`FetchedPage` whose ``error`` is one line naming the URL.

Where each part lives: the options and results in :mod:`accounts.research.fetch_types`, one page in
:mod:`accounts.research.page_fetch`, robots.txt in :mod:`accounts.research.robots`, charsets in
:mod:`accounts.research.charset`, content types in :mod:`accounts.research.content_type`, failures in
:mod:`accounts.research.fetch_errors`. Everything is importable from here as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

from accounts.research import links as L
from accounts.research.charset import charset_candidates, codec_for, decode_html
from accounts.research.content_type import HTML_TYPES, SNIFF_TYPES, sniff_body
from accounts.research.fetch_types import CrawlOptions, CrawlResult, FetchedPage
from accounts.research.page_fetch import CHUNK, MAX_HEADERS_KEPT, RETRY_STATUSES, Fetcher, user_agent
from bdr_desk.jobs import CancelToken, ProgressFn, no_progress

__all__ = ["CHUNK", "HTML_TYPES", "MAX_HEADERS_KEPT", "RETRY_STATUSES", "SNIFF_TYPES", "CrawlOptions",
           "CrawlResult", "FetchedPage", "Fetcher", "charset_candidates", "codec_for", "crawl", "decode_html",
           "fetch_pages", "sniff_body", "user_agent"]


@dataclass
class _Candidate:
    url: str
    anchor: str
    category: str | None
    score: float
    order: int


def crawl(start: str, options: CrawlOptions | None = None, *, progress: ProgressFn = no_progress,
          cancel: CancelToken | None = None, http: requests.Session | None = None,
          on_page: Callable[[FetchedPage], None] | None = None) -> CrawlResult:
    """A bounded same-site crawl from a domain or URL: the home page first (and the URL itself when it has a
    path), then the most promising links by anchor text and path, one category at a time before seconds.

    ``start`` that is not an http(s) address raises ``ValueError`` (one line); everything else ends as pages.
    A bare domain is tried over https first, then http when https cannot connect.
    """
    options = options or CrawlOptions()
    first = L.start_url(start)
    explicit_scheme = "://" in start
    parts = urlsplit(first)
    home = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    forced = [home] + ([first] if L.dedupe_key(first) != L.dedupe_key(home) else [])
    t0 = time.monotonic()
    site = L.site_of(home)
    pages: list[FetchedPage] = []
    seen: set[str] = set()
    frontier: dict[str, _Candidate] = {}
    taken: dict[str | None, int] = {}
    order = 0
    budget = options.max_pages
    tries = 0
    with Fetcher(options, cancel=cancel, http=http) as fetcher:
        while budget > 0 and tries < options.max_pages * 4:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if forced:
                url, category = forced.pop(0), "home"
            else:
                best = _pick(frontier, taken, options.min_score)
                if best is None:
                    break
                url, category = best.url, best.category
                del frontier[L.dedupe_key(url)]
            key = L.dedupe_key(url)
            if key in seen:
                continue
            seen.add(key)
            tries += 1
            progress(len(pages), options.max_pages, f"Fetching {url}")
            page = fetcher.fetch(url, site=None if not pages else site)
            if (not pages and not page.ok and page.status is None and not page.skipped and not explicit_scheme
                    and url.startswith("https://")):
                http_home = "http://" + url[len("https://"):]  # a bare domain without https: try plain http
                retry = fetcher.fetch(http_home, site=None)
                if retry.ok or retry.status is not None:
                    page = retry
            seen.add(L.dedupe_key(page.final_url))
            if not pages and page.ok:
                site = L.site_of(page.final_url) or site  # the home page may move to the brand's new domain
            pages.append(page)
            if not page.robots_blocked:
                budget -= 1
                taken[category] = taken.get(category, 0) + 1
            if on_page is not None:
                on_page(page)
            if page.ok and site:
                for link in L.same_site_links(L.extract_links(page.html(), page.final_url), site):
                    k = L.dedupe_key(link.url)
                    if k in seen:
                        continue
                    cat, score = L.score_link(link.url, link.anchor)
                    old = frontier.get(k)
                    if old is None or score > old.score:
                        frontier[k] = _Candidate(link.url, link.anchor, cat, score, old.order if old else order)
                        order += 1
    progress(len(pages), len(pages), "Crawl finished")
    return CrawlResult(start_url=first, site=site, pages=pages, elapsed=time.monotonic() - t0)


def _pick(frontier: dict[str, _Candidate], taken: dict[str | None, int], min_score: float) -> _Candidate | None:
    """The most promising candidate; a category already fetched counts less each time (an about page, a team
    page and the careers page before a second news item)."""
    best, best_value = None, 0.0
    for c in frontier.values():
        if c.score < min_score:
            continue
        value = c.score - 4.0 * taken.get(c.category, 0)
        if best is None or value > best_value or (value == best_value and c.order < best.order):
            best, best_value = c, value
    return best


def fetch_pages(urls: list[str], options: CrawlOptions | None = None, *, progress: ProgressFn = no_progress,
                cancel: CancelToken | None = None, http: requests.Session | None = None,
                on_page: Callable[[FetchedPage], None] | None = None) -> list[FetchedPage]:
    """Fetch exactly these pages (a refresh of stored pages), under the same rules; no link is followed."""
    options = options or CrawlOptions()
    out: list[FetchedPage] = []
    with Fetcher(options, cancel=cancel, http=http) as fetcher:
        for i, url in enumerate(urls):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(i, len(urls), f"Fetching {url}")
            page = fetcher.fetch(url, site=L.site_of(url))
            out.append(page)
            if on_page is not None:
                on_page(page)
    progress(len(urls), len(urls), "Refresh finished")
    return out
