"""What a fetch is asked to respect (:class:`CrawlOptions`, every one a bound) and what it hands back
(:class:`FetchedPage`, :class:`CrawlResult`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from accounts.research.charset import decode_html
from accounts.research.facts import PageInfo


@dataclass(frozen=True)
class CrawlOptions:
    max_pages: int = 8
    max_bytes: int = 2_000_000
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    page_timeout: float = 20.0  # one page, all in: redirects, retries, waits
    max_redirects: int = 5
    retries: int = 2  # after the first attempt
    backoff: float = 1.0  # first retry wait; doubles
    max_retry_after: float = 30.0
    delay: float = 1.0  # between two requests to one host
    obey_robots: bool = True
    robots_max_bytes: int = 500_000
    max_crawl_delay: float = 10.0
    min_score: float = 0.5  # links that promise less are not fetched
    contact: str | None = None  # an e-mail or URL for the User-Agent

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError("max pages must be at least 1")
        if self.max_bytes < 1024:
            raise ValueError("the byte cap per page must be at least 1 KB")
        if min(self.connect_timeout, self.read_timeout, self.page_timeout) <= 0:
            raise ValueError("timeouts must be positive")
        if self.delay < 0 or self.retries < 0 or self.max_redirects < 0:
            raise ValueError("delay, retries and redirects cannot be negative")


@dataclass
class FetchedPage:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int | None
    fetched_at: dt.datetime
    content_type: str | None = None
    body: bytes | None = None  # the raw HTML bytes (capped); None when not fetched or not HTML
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # one line naming the URL; with a body, a note (e.g. truncated)
    skipped: bool = False  # left alone on purpose: robots.txt, not HTML, another site
    robots_blocked: bool = False
    truncated: bool = False
    attempts: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.body is not None

    def html(self) -> str:
        return decode_html(self.body or b"", self.encoding)[0]

    def info(self, title: str | None = None) -> PageInfo:
        return PageInfo(url=self.final_url, status=self.status, title=title, error=self.error,
                        fetched_at=self.fetched_at)


@dataclass
class CrawlResult:
    start_url: str
    site: str | None
    pages: list[FetchedPage]
    elapsed: float

    @property
    def fetched(self) -> list[FetchedPage]:
        return [p for p in self.pages if p.ok]
