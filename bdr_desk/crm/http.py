"""The HTTP layer every CRM connector shares: one ``requests.Session``, token buckets that keep under the
CRM's published budget, bounded retries, and failures turned into one-line :class:`ConnectorError`s.

    http = CrmHttp("https://api.hubapi.com", header_fn("Bearer", secret), label="HubSpot",
                   bucket=TokenBucket.for_budget(190, 10), buckets={"search": TokenBucket.for_budget(4, 1)})
    status, body = http.request("POST", "/crm/v3/objects/contacts/search", json=query, bucket_name="search")

Rules:

* Every HTTP attempt (retries included) is counted in :attr:`CrmHttp.api_calls`.
* 429: wait ``Retry-After`` (seconds or an HTTP date; the bucket is paused so nothing else goes out
  meanwhile), then retry; a wait longer than ``max_retry_after`` is not slept but raised as ``rate_limit``
  with ``retry_after`` set. 423 (HubSpot "locked") and 503 likewise — the server did nothing.
* 5xx, timeouts and dropped connections: exponential backoff with jitter, at most ``max_retries`` times — but
  only for *idempotent* requests (GET/PUT/DELETE by default; a POST that reads, searches, updates or archives
  says ``idempotent=True``). A create that may or may not have happened (read timeout, connection dropped
  mid-request, 500/502/504) is never blindly re-sent: it raises :class:`CrmHttpError` with
  ``ambiguous=True`` and the connector reconciles (looks the records up before trying again). Failures before
  the request left (connection refused, connect timeout) are always safe to retry.
* 2xx returns ``(status, parsed JSON or None)``; anything else raises :class:`CrmHttpError` (a
  :class:`ConnectorError`) whose kind follows the status (401/403 auth, 404 not_found, 409 duplicate,
  429 rate_limit, other 4xx validation, 5xx server) and whose message is one line naming the method and path
  (the URL for network failures) and the server's own message — never a header, never the token.
* The credential comes from ``auth_header_fn()`` on every attempt (so a refreshed token is picked up); an
  optional ``refresh_auth()`` is called once on a 401 and the request repeated if it returns True. The
  header values are scrubbed from any message, and log records carry method, path, status and timing only.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.auth import AuthBase

from accounts.research.ratecontrol import backoff_delay, interruptible_sleep, parse_retry_after
from bdr_desk.crm.connector import ConnectorError
from bdr_desk.crm.ratelimit import TokenBucket
from bdr_desk.jobs import CancelToken

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "BDR-Desk/0.1 (+https://github.com/bdr-desk; CRM sync)"
RETRY_STATUSES = frozenset({423, 429, 500, 502, 503, 504, 520, 521, 522, 524})
UNREACHABLE = frozenset({"connection refused", "cannot resolve the host name"})
UNREACHABLE_RETRIES = 2
NOT_PROCESSED = frozenset({423, 429, 503})  # the server refused before doing anything: always safe to retry
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
MAX_MESSAGE = 240


class CrmHttpError(ConnectorError):
    """A failed HTTP call. ``status`` is None for network failures; ``payload`` is the parsed error body (for
    a connector to read per-item details, e.g. HubSpot's "Existing ID"); ``ambiguous`` means the request may
    have been carried out although no answer arrived."""

    def __init__(self, kind: str, message: str, *, status: int | None = None, payload: Any = None,
                 retry_after: float | None = None, ambiguous: bool = False) -> None:
        super().__init__(kind, message, retry_after=retry_after)
        self.status = status
        self.payload = payload
        self.ambiguous = ambiguous


def kind_for_status(status: int) -> str:
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status == 409:
        return "duplicate"
    if status == 429:
        return "rate_limit"
    if 300 <= status < 400:
        return "config"  # a redirect: the base URL is wrong
    if status >= 500:
        return "server"
    return "validation"


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def server_message(payload: Any) -> str:
    """The human part of an error body: HubSpot ``{"message": ...}``, Salesforce ``[{"message", "errorCode"}]``,
    OAuth ``{"error_description": ...}``."""
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        first = payload[0]
        code = first.get("errorCode") or first.get("category")
        msg = first.get("message") or ""
        return f"{code}: {msg}" if code and msg else str(msg or code or "")
    if isinstance(payload, dict):
        for key in ("message", "error_description", "error"):
            if payload.get(key):
                return str(payload[key])
    if isinstance(payload, str):
        return payload
    return ""


class _HeaderAuth(AuthBase):
    """Sets the credential header on each prepared request (instead of session headers, so nothing keeps
    it, and so ``requests`` never swaps in ~/.netrc credentials)."""

    def __init__(self, header_fn: Callable[[], Mapping[str, str]]) -> None:
        self._header_fn = header_fn

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers.update(self._header_fn())
        return r

    def __repr__(self) -> str:
        return "_HeaderAuth(***)"


def _network_failure(exc: requests.RequestException, timeout: tuple[float, float]) -> tuple[str, bool, bool]:
    """``(description, before_send, retryable)`` for a requests exception."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"timed out connecting after {timeout[0]:g} s", True, True
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed (certificate or protocol)", True, False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no response within {timeout[1]:g} s", False, True
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return "invalid URL", True, False
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return "cannot resolve the host name", True, True
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            return "connection refused", True, True
        return "connection dropped before the response", False, True
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "response cut off", False, True
    return type(exc).__name__, False, False


class CrmHttp:
    def __init__(self, base_url: str, auth_header_fn: Callable[[], Mapping[str, str]], *,
                 bucket: TokenBucket, buckets: Mapping[str, TokenBucket] | None = None,
                 timeout: tuple[float, float] = (5, 30), max_retries: int = 5,
                 user_agent: str = DEFAULT_USER_AGENT, label: str = "CRM",
                 refresh_auth: Callable[[], bool] | None = None, max_retry_after: float = 60.0,
                 backoff_base: float = 0.5, backoff_cap: float = 8.0,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
                 cancel: CancelToken | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConnectorError("config", f"{label} base URL must be an http(s) URL, not {one_line(base_url, 80)!r}")
        self.base_url = base_url.rstrip("/")
        self.label = label
        self.bucket = bucket
        self.buckets = dict(buckets or {})
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.max_retries = max(0, int(max_retries))
        self.max_retry_after = max_retry_after
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.cancel = cancel
        self._auth_header_fn = auth_header_fn
        self._auth = _HeaderAuth(auth_header_fn)
        self._refresh_auth = refresh_auth
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._count_lock = threading.Lock()
        self._api_calls = 0
        self.retries = 0  # attempts that were repeated (for the journal and the bench)
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})

    # ---- public ------------------------------------------------------------------------------------------

    @property
    def api_calls(self) -> int:
        return self._api_calls

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            # Only the configured origin ever sees the credential (e.g. a Salesforce nextRecordsUrl).
            if not path.startswith(self.base_url + "/"):
                raise ConnectorError("config", f"{self.label}: refusing to send credentials to another host")
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, json: Any = None, params: Mapping[str, Any] | None = None,
                bucket_name: str | None = None, *, idempotent: bool | None = None) -> tuple[int, Any]:
        method = method.upper()
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.url(path)
        where = f"{self.label} {method} {urlsplit(url).path}"
        named = self.buckets.get(bucket_name) if bucket_name else None
        if bucket_name and named is None:
            raise ConnectorError("config", f"{where}: unknown rate bucket {bucket_name!r}")
        attempt = 0
        refreshed = False
        while True:
            self._wait_for_tokens(named)
            with self._count_lock:
                self._api_calls += 1
            started = time.perf_counter()
            failure: tuple[str, bool, bool] | None = None
            try:
                resp = self.session.request(method, url, json=json, params=params, auth=self._auth,
                                            timeout=self.timeout, allow_redirects=False)
            except requests.RequestException as exc:
                failure = _network_failure(exc, self.timeout)
                del exc  # the exception holds the prepared request, headers and all: keep none of it
            if failure is not None:
                what, before_send, retryable = failure
                log.debug("%s -> %s (attempt %d)", where, what, attempt + 1)
                # nothing listening or no such host rarely heals within seconds: retry twice, not max_retries
                limit = min(self.max_retries, UNREACHABLE_RETRIES) if what in UNREACHABLE else self.max_retries
                if retryable and (safe or before_send) and attempt < limit:
                    self._backoff(where, attempt, what)
                    attempt += 1
                    continue
                raise CrmHttpError("network", self._scrub(f"{self.label} {method} {url.split('?')[0]}: {what}"),
                                   ambiguous=not safe and not before_send)
            elapsed = time.perf_counter() - started
            status = resp.status_code
            log.debug("%s -> %d in %.3f s (attempt %d)", where, status, elapsed, attempt + 1)
            if 200 <= status < 300:
                return status, self._parse_ok(resp, where)
            payload = self._parse_error(resp)
            if status == 401 and self._refresh_auth is not None and not refreshed:
                refreshed = True
                if self._refresh_auth():
                    continue
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            if status in RETRY_STATUSES and (safe or status in NOT_PROCESSED) and attempt < self.max_retries:
                if status == 429:
                    wait = retry_after if retry_after is not None else self._jittered(attempt)
                    if wait > self.max_retry_after:
                        raise self._error(where, status, resp, payload, retry_after=wait)
                    log.info("%s: 429, waiting %.1f s as asked", where, wait)
                    self.bucket.pause(wait)
                    if named is not None:
                        named.pause(wait)
                    self.retries += 1
                else:
                    floor = 2.0 if status == 423 else 0.0
                    self._backoff(where, attempt, f"HTTP {status}", at_least=max(floor, retry_after or 0.0))
                attempt += 1
                continue
            raise self._error(where, status, resp, payload, retry_after=retry_after,
                              ambiguous=status >= 500 and not safe and status not in NOT_PROCESSED)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> CrmHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CrmHttp({self.label}, {self.base_url!r}, api_calls={self._api_calls})"

    # ---- internals ---------------------------------------------------------------------------------------

    def _pause(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.cancel is not None and self._sleep is time.sleep:
            interruptible_sleep(seconds, self.cancel)
        else:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            self._sleep(seconds)

    def _wait_for_tokens(self, named: TokenBucket | None) -> None:
        wait = self.bucket.reserve()
        if named is not None:
            wait = max(wait, named.reserve())
        self._pause(wait)

    def _jittered(self, attempt: int) -> float:
        return backoff_delay(attempt + 1, self.backoff_base, self.backoff_cap) * (0.5 + self._rng.random() / 2)

    def _backoff(self, where: str, attempt: int, what: str, at_least: float = 0.0) -> None:
        wait = max(at_least, self._jittered(attempt))
        log.info("%s: %s, retry %d of %d in %.1f s", where, what, attempt + 1, self.max_retries, wait)
        self.retries += 1
        self._pause(wait)

    def _parse_ok(self, resp: requests.Response, where: str) -> Any:
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise CrmHttpError("server", f"{where}: HTTP {resp.status_code} with a body that is not JSON",
                               status=resp.status_code) from None

    @staticmethod
    def _parse_error(resp: requests.Response) -> Any:
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return resp.text[:MAX_MESSAGE]

    def _error(self, where: str, status: int, resp: requests.Response, payload: Any, *,
               retry_after: float | None = None, ambiguous: bool = False) -> CrmHttpError:
        detail = server_message(payload)
        text = f"{where}: HTTP {status} {resp.reason or ''}".rstrip()
        if status in (401, 403):
            text += " (check the credentials and their scopes)"
        if detail:
            text += f" — {detail}"
        return CrmHttpError(kind_for_status(status), self._scrub(one_line(text)), status=status,
                            payload=payload, retry_after=retry_after, ambiguous=ambiguous)

    def _scrub(self, text: str) -> str:
        """Belt and braces: no credential value may reach a message, even if a server echoed it."""
        try:
            values = list(self._auth_header_fn().values())
        except Exception:  # noqa: BLE001 - a failing header builder must not hide the real error
            return text
        for value in values:
            for part in {value, *str(value).split()}:
                if len(part) >= 8:
                    text = text.replace(part, "***")
        return text

