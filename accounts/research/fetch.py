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
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3

from accounts.research import links as L
from accounts.research.facts import PageInfo
from accounts.research.ratecontrol import HostThrottle, backoff_delay, interruptible_sleep, parse_retry_after
from bdr_desk.jobs import CancelToken, ProgressFn, no_progress

CHUNK = 16_384
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
HTML_TYPES = frozenset(("text/html", "application/xhtml+xml"))
SNIFF_TYPES = frozenset(("", "text/plain", "application/octet-stream", "binary/octet-stream", "unknown/unknown"))
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


# ---- charsets ------------------------------------------------------------------------------------------------

# labels browsers treat as another encoding (WHATWG Encoding Standard)
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "x-user-defined": "cp1252",
            "iso-8859-9": "cp1254", "tis-620": "cp874", "x-sjis": "shift_jis", "gb2312": "gb18030",
            "gbk": "gb18030", "ks_c_5601-1987": "euc_kr", "unicode-1-1-utf-8": "utf-8", "utf8": "utf-8"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.I)


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label, or None for an unknown label (``charset=foo`` is ignored)."""
    if not label:
        return None
    name = _ALIASES.get(label.strip().strip("\"'").lower(), label.strip().strip("\"'").lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_candidates(body: bytes, content_type: str | None) -> list[str]:
    """Where the encoding may come from, in order: byte-order mark, HTTP header, ``<meta charset>``, then
    UTF-8 and Windows-1252 as the fallbacks. Unknown labels are dropped."""
    out: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            out.append(name)
            break
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    for label in (header.group(1) if header else None, meta.group(1).decode("ascii", "replace") if meta else None):
        codec = codec_for(label)
        if codec and codec.startswith("utf-16") and not out:
            codec = "utf-8"  # a UTF-16 label without a BOM is a lie for an ASCII-compatible page
        if codec and codec not in out:
            out.append(codec)
    for fallback in ("utf-8", "cp1252"):
        if fallback not in out:
            out.append(fallback)
    return out


def decode_html(body: bytes, hint: str | None = None, content_type: str | None = None) -> tuple[str, str]:
    """(text, codec): the first candidate that decodes the bytes cleanly (``hint`` first, e.g. the stored
    encoding), else the first candidate with replacement characters. Never raises."""
    candidates = charset_candidates(body, content_type)
    hinted = codec_for(hint)
    if hinted:
        candidates = [hinted] + [c for c in candidates if c != hinted]
    for codec in candidates:
        try:
            return body.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(candidates[0], errors="replace"), candidates[0]


# ---- content types -------------------------------------------------------------------------------------------

def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def sniff_body(head: bytes) -> str | None:
    """What the first bytes say the body is: "pdf", "image", "html", or None."""
    h = head.lstrip()[:1024]
    if h.startswith(b"%PDF"):
        return "pdf"
    if h.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF", b"BM")) or h[4:12] in (
            b"ftypavif", b"ftypheic"):
        return "image"
    for bom, _name in _BOMS:
        if h.startswith(bom):
            return "html" if bom == codecs.BOM_UTF8 else None
    low = h.lower()
    if low.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")) or b"<html" in low:
        return "html"
    return None


def _skip_reason(mime: str, sniffed: str | None) -> str | None:
    """Why a body is not read as HTML (None: it is HTML)."""
    if sniffed == "pdf" or mime == "application/pdf":
        return f"a PDF document ({mime or 'no content type'}), not read"
    if sniffed == "image" or mime.startswith("image/"):
        return f"an image ({mime or 'no content type'}), not read"
    if mime in HTML_TYPES:
        return None
    if mime in SNIFF_TYPES and sniffed == "html":
        return None
    if mime in SNIFF_TYPES and sniffed is None:
        return f"not an HTML page ({mime or 'no content type'}), not read"
    return f"not an HTML page ({mime}), not read"


# ---- errors --------------------------------------------------------------------------------------------------

class _Deadline(Exception):
    pass


class _Retryable(Exception):
    """A timeout or a dropped connection: worth another attempt if time is left."""


def _network_reason(exc: Exception, timeout: float) -> str:
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate or handshake error"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema |
                  requests.exceptions.MissingSchema):
        return "not a valid web address"
    if "refused" in text:
        return "connection refused"
    if any(s in text for s in ("name or service", "getaddrinfo", "nodename", "name resolution", "no address")):
        return "host not found"
    if isinstance(exc, urllib3.exceptions.DecodeError | requests.exceptions.ContentDecodingError):
        return "the compressed body could not be decoded"
    if isinstance(exc, urllib3.exceptions.ProtocolError | requests.exceptions.ChunkedEncodingError):
        return "the connection broke off mid-answer"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return exc.__class__.__name__


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


class Fetcher:
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
            raise _Deadline()
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
            mime = _mime(resp.headers.get("content-type"))
            if not robots and mime not in HTML_TYPES and mime not in SNIFF_TYPES:
                ex.skip = _skip_reason(mime, None)  # decided by the header alone: the body is never read
                return ex
            ex.body, ex.truncated = self._read_body(resp, deadline, max_bytes)
            if not robots:
                ex.skip = _skip_reason(mime, sniff_body(ex.body[:2048]))
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
                    raise _Deadline() from exc
                raise _Retryable(_network_reason(exc, self.options.read_timeout)) from exc
            except urllib3.exceptions.ProtocolError as exc:
                raise _Retryable(_network_reason(exc, self.options.read_timeout)) from exc
            if not chunk:
                return bytes(buf), False
            buf += chunk
            if len(buf) > limit:
                del buf[limit:]
                return bytes(buf), True
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()

    # -- robots.txt ---------------------------------------------------------------------------------------

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
        except (requests.RequestException, urllib3.exceptions.HTTPError, _Deadline, _Retryable, ValueError):
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
                except (requests.Timeout, _Retryable) as exc:
                    reason = str(exc) if isinstance(exc, _Retryable) else _network_reason(exc, opts.read_timeout)
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
        except _Deadline:
            page.error = f"{current}: gave up after {opts.page_timeout:g} s (the time bound for one page)"
            page.body = None
            return page
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            page.error = f"{current}: {_network_reason(exc, opts.connect_timeout)}"
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


# ---- the crawl -----------------------------------------------------------------------------------------------

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
