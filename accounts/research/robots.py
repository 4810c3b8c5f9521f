"""robots.txt, honoured: fetched once per host through the fetcher's own limits; unreachable → allowed,
401/403 → everything disallowed, ``Crawl-delay`` respected up to a cap."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3

from accounts.research import links as L
from accounts.research.fetch_errors import Deadline, Retryable
from accounts.research.fetch_types import CrawlOptions
from accounts.research.ratecontrol import HostThrottle
from bdr_desk.jobs import CancelToken

if TYPE_CHECKING:
    from accounts.research.page_fetch import _Exchange


class RobotsMixin:
    """The robots.txt part of :class:`accounts.research.page_fetch.Fetcher` (its cache is ``_robots``)."""

    options: CrawlOptions
    user_agent: str
    throttle: HostThrottle
    clock: Callable[[], float]
    cancel: CancelToken | None
    _robots: dict[str, RobotFileParser | bool]

    if TYPE_CHECKING:
        def _exchange(self, url: str, deadline: float, max_bytes: int, *,
                      robots: bool = False) -> _Exchange: ...

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s host lets this user agent fetch it (fetched once per host)."""
        if not self.options.obey_robots:
            return True
        key = L.host_key(url)
        if key not in self._robots:
            self._robots[key] = self._load_robots(key)
        rules = self._robots[key]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(self.user_agent, url)

    def _load_robots(self, key: str) -> RobotFileParser | bool:
        """True: no usable robots.txt (missing, unreachable, server error) — everything allowed.
        False: 401/403 — everything disallowed (RFC 9309 and urllib.robotparser agree)."""
        url = key + "/robots.txt"
        deadline = self.clock() + min(self.options.page_timeout, 10.0)
        try:
            for _ in range(self.options.max_redirects + 1):
                self.throttle.wait(L.host_key(url), self.cancel)
                ex = self._exchange(url, deadline, self.options.robots_max_bytes, robots=True)
                if ex.location is not None:
                    url = urljoin(url, ex.location)
                    if urlsplit(url).scheme.lower() not in ("http", "https"):
                        return True
                    continue
                break
            else:
                return True
        except (requests.RequestException, urllib3.exceptions.HTTPError, Deadline, Retryable, ValueError):
            return True
        if ex.status in (401, 403):
            return False
        if ex.status >= 400 or ex.body is None:
            return True
        parser = RobotFileParser(url)
        parser.parse(ex.body.decode("utf-8", errors="replace").splitlines())
        parser.modified()  # can_fetch() answers "no" until the parser is marked as read
        delay = parser.crawl_delay(self.user_agent)
        if delay:
            self.throttle.set_delay(key, min(float(delay), self.options.max_crawl_delay))
        return parser
