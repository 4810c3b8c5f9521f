"""One page, politely and within bounds (:class:`Fetcher`): redirects followed by hand (http and https only,
at most ``max_redirects``), at most ``max_bytes`` of body read in small chunks, a total time bound per page
(redirects, retries and their waits included; the socket timeout shrinks to what is left), the host's delay,
and retries with exponential backoff on 429, 5xx and timeouts, honouring ``Retry-After`` within the time
bound.

A page never raises: it ends as a :class:`FetchedPage` whose ``error`` is one line naming the URL.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3

from accounts.research import links as L
from accounts.research.charset import decode_html
from accounts.research.content_type import HTML_TYPES, SNIFF_TYPES, mime_type, skip_reason, sniff_body
from accounts.research.fetch_errors import Deadline, Retryable, network_reason
from accounts.research.fetch_types import CrawlOptions, FetchedPage
from accounts.research.ratecontrol import HostThrottle, backoff_delay, interruptible_sleep, parse_retry_after
from accounts.research.robots import RobotsMixin
from bdr_desk.jobs import CancelToken

CHUNK = 16_384
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
MAX_HEADERS_KEPT = 60


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("bdr-desk")
    except Exception:  # noqa: BLE001 - running from a source tree that is not installed
        return "0"


def user_agent(contact: str | None = None) -> str:
    """``BDR-Desk/<version> (+account research; contact …)``: who is asking, and how to reach them."""
    who = f"contact {contact}" if contact else "contact: the BDR Desk user named in their workspace"
    return f"BDR-Desk/{_version()} (+account research; {who})"


@dataclass
class _Exchange:
    """One HTTP request and what came back."""

    status: int
    reason: str
    headers: dict[str, str]
    cookies: dict[str, str]
    location: str | None = None
    body: bytes | None = None
    truncated: bool = False
    skip: str | None = None


class Fetcher(RobotsMixin):
    """Fetches pages under :class:`CrawlOptions`; owns one ``requests.Session``, the robots.txt cache and the
    per-host throttle. Use as a context manager (or call :meth:`close`)."""

    def __init__(self, options: CrawlOptions | None = None, *, cancel: CancelToken | None = None,
                 http: requests.Session | None = None, throttle: HostThrottle | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.options = options = options or CrawlOptions()
        self.cancel = cancel
        self.clock = clock
        self.user_agent = user_agent(options.contact)
        self._own_http = http is None
        self.http = http or requests.Session()
        self.http.headers.update({"User-Agent": self.user_agent,
                                  "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                                  "Accept-Language": "en;q=0.9,*;q=0.5"})
        self.throttle = throttle or HostThrottle(options.delay)
        self._robots: dict[str, RobotFileParser | bool] = {}  # host key → parser, True (allow all), False
        self.requests_made = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    # -- one request --------------------------------------------------------------------------------------

    def _left(self, deadline: float) -> float:
        left = deadline - self.clock()
        if left <= 0:
            raise Deadline()
        return left

    def _exchange(self, url: str, deadline: float, max_bytes: int, *, robots: bool = False) -> _Exchange:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        left = self._left(deadline)
        timeout = (min(self.options.connect_timeout, left), min(self.options.read_timeout, left))
        self.requests_made += 1
        with self.http.get(url, stream=True, allow_redirects=False, timeout=timeout) as resp:
            headers = {k.lower(): v[:500] for k, v in list(resp.headers.items())[:MAX_HEADERS_KEPT]}
            cookies = {c.name: (c.value or "")[:200] for c in list(resp.cookies)[:50]}
            ex = _Exchange(resp.status_code, resp.reason or "", headers, cookies)
            if resp.is_redirect:
                ex.location = resp.headers.get("location", "")
                return ex
            if resp.status_code >= 400 or resp.status_code == 204:
                return ex
            mime = mime_type(resp.headers.get("content-type"))
            if not robots and mime not in HTML_TYPES and mime not in SNIFF_TYPES:
                ex.skip = skip_reason(mime, None)  # decided by the header alone: the body is never read
                return ex
            ex.body, ex.truncated = self._read_body(resp, deadline, max_bytes)
            if not robots:
                ex.skip = skip_reason(mime, sniff_body(ex.body[:2048]))
                if ex.skip:
                    ex.body = None
            return ex

    def _read_body(self, resp: requests.Response, deadline: float, limit: int) -> tuple[bytes, bool]:
        """Read at most ``limit`` bytes, a chunk at a time, never past ``deadline`` (the socket timeout is
        shrunk to the time left before every read, so a slow drip cannot hold the page)."""
        raw = resp.raw
        conn = getattr(raw, "connection", None)
        sock = getattr(conn, "sock", None)
        buf = bytearray()
        while True:
            left = self._left(deadline)
            if sock is not None:
                try:
                    sock.settimeout(max(0.01, min(self.options.read_timeout, left)))
                except OSError:
                    sock = None
            try:
                chunk = raw.read1(min(CHUNK, limit - len(buf) + 1), decode_content=True)
            except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
                if self.clock() >= deadline:
                    raise Deadline() from exc
                raise Retryable(network_reason(exc, self.options.read_timeout)) from exc
            except urllib3.exceptions.ProtocolError as exc:
                raise Retryable(network_reason(exc, self.options.read_timeout)) from exc
            if not chunk:
                return bytes(buf), False
            buf += chunk
            if len(buf) > limit:
                del buf[limit:]
                return bytes(buf), True
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()

    # -- one page -----------------------------------------------------------------------------------------

    def fetch(self, url: str, *, site: str | None = None) -> FetchedPage:
        """GET one page: robots.txt, the host's delay, redirects (staying on ``site`` when given), retries.
        Never raises (except ``JobCancelled``); failures are a page with ``error`` naming the URL."""
        opts = self.options
        now = dt.datetime.now(dt.UTC)
        t0 = self.clock()
        page = FetchedPage(url=url, final_url=url, status=None, fetched_at=now)
        current, hops, attempt, deadline = url, 0, 0, None
        try:
            while True:
                if self.cancel is not None:
                    self.cancel.raise_if_cancelled()
                if not self.allowed(current):
                    page.final_url, page.skipped, page.robots_blocked = current, True, True
                    page.error = f"{current}: disallowed by robots.txt"
                    return page
                if deadline is None:  # the page's clock starts once the host's turn has come
                    self.throttle.wait(L.host_key(current), self.cancel)
                    deadline = self.clock() + opts.page_timeout
                else:
                    self._left(deadline)
                    self.throttle.wait(L.host_key(current), self.cancel)
                attempt += 1
                page.attempts += 1
                try:
                    ex = self._exchange(current, deadline, opts.max_bytes)
                except (requests.Timeout, Retryable) as exc:
                    reason = str(exc) if isinstance(exc, Retryable) else network_reason(exc, opts.read_timeout)
                    if attempt > opts.retries or not self._pause(attempt, None, deadline):
                        page.error = f"{current}: {reason}" + (f" ({attempt} attempts)" if attempt > 1 else "")
                        return page
                    continue
                page.status, page.final_url = ex.status, current
                page.headers, page.cookies = ex.headers, ex.cookies
                page.content_type = ex.headers.get("content-type")
                if ex.location is not None:
                    target = self._redirect_target(current, ex.location)
                    if isinstance(target, _Refusal):
                        page.error, page.skipped = target.message, target.skipped
                        return page
                    hops += 1
                    if hops > opts.max_redirects:
                        page.error = f"{url}: more than {opts.max_redirects} redirects (last to {target[:200]})"
                        return page
                    if site is not None and L.site_of(target) != site:
                        page.error, page.skipped = f"{url}: redirects to another site ({target[:200]}); not followed", True
                        return page
                    current, attempt = target, 0
                    continue
                if ex.status in RETRY_STATUSES and attempt <= opts.retries:
                    wait = parse_retry_after(ex.headers.get("retry-after"))
                    if self._pause(attempt, wait, deadline):
                        continue
                if ex.status >= 400:
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    asked = ex.headers.get("retry-after")
                    more = f"; asked to retry after {asked[:40]}" if asked and ex.status in RETRY_STATUSES else ""
                    page.error = f"{current}: HTTP {ex.status} {ex.reason}".rstrip() + tries + more
                    return page
                if ex.skip:
                    page.error, page.skipped = f"{current}: skipped, {ex.skip}", True
                    return page
                if ex.body is None:
                    page.error = f"{current}: HTTP {ex.status} with no page"
                    return page
                page.body = ex.body
                page.encoding = decode_html(ex.body, None, page.content_type)[1]
                if ex.truncated:
                    page.truncated = True
                    page.error = f"{current}: larger than {opts.max_bytes:,} bytes; only the first {opts.max_bytes:,} were read"
                return page
        except Deadline:
            page.error = f"{current}: gave up after {opts.page_timeout:g} s (the time bound for one page)"
            page.body = None
            return page
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            page.error = f"{current}: {network_reason(exc, opts.connect_timeout)}"
            return page
        finally:
            page.elapsed = self.clock() - t0

    def _pause(self, attempt: int, retry_after: float | None, deadline: float) -> bool:
        """Wait before retry ``attempt``+1 (``Retry-After`` when the server said, else backoff); False when
        the wait would not fit in the page's time bound or exceeds ``max_retry_after``."""
        opts = self.options
        wait = retry_after if retry_after is not None else backoff_delay(attempt, opts.backoff, opts.max_retry_after)
        if wait > opts.max_retry_after or self.clock() + wait >= deadline:
            return False
        interruptible_sleep(wait, self.cancel)
        return True

    def _redirect_target(self, current: str, location: str) -> str | _Refusal:
        try:
            target = urljoin(current, location.strip())
            parts = urlsplit(target)
        except ValueError:
            return _Refusal(f"{current}: redirect to an invalid address ({location[:200]})", False)
        if parts.scheme.lower() not in ("http", "https"):
            return _Refusal(f"{current}: redirect to {target[:200]} refused (only http and https are followed)",
                            False)
        if not parts.hostname:
            return _Refusal(f"{current}: redirect to an invalid address ({location[:200]})", False)
        return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


@dataclass(frozen=True)
class _Refusal:
    message: str
    skipped: bool
