"""A stateful fake of the HubSpot CRM API on 127.0.0.1, for tests and benches: real sockets, real HTTP.

What it follows (HubSpot's documented behaviour, simplified):

* ``Authorization: Bearer <token>`` on every call, else 401 ``INVALID_AUTHENTICATION``.
* Objects ``companies``, ``contacts``, ``deals``, ``notes``, ``tasks``, ``calls``, ``meetings`` (singular names and
  ``0-1``-style ids accepted). Ids are assigned by the server; ``createdAt``/``updatedAt`` and the last-modified
  property (``lastmodifieddate`` for contacts, ``hs_lastmodifieddate`` otherwise) come from a controllable clock
  and strictly advance with every write (or are shared by a whole batch with ``same_ts_per_batch``). All
  property values are stored and returned as strings; ``""`` clears a property. A write that changes nothing
  leaves the timestamps alone.
* ``POST /crm/v3/objects/{type}/batch/create|update|read|archive``: at most ``batch_limit`` (100) inputs, else
  400. Unknown properties, values outside an enumeration's options, bad numbers/emails, read-only properties
  and an engagement without ``hs_timestamp`` are 400 ``VALIDATION_ERROR``; a contact email already in use
  (case-insensitive, also within one batch) is 409 ``CONFLICT`` "Contact already exists. Existing ID: N". When
  every input carries an ``objectWriteTraceId`` (and ``multi_status`` is on) partial failures answer 207 with
  ``results`` and per-input ``errors`` whose ``context.objectWriteTraceId`` names the input; otherwise the first
  failure rejects the whole batch and nothing is written. Unknown ids: ``OBJECT_NOT_FOUND`` with
  ``context.ids`` (207). ``batch/read`` takes ``idProperty`` (``email`` for contacts). Archive answers 204.
* ``POST /crm/v3/objects/{type}/search``: ``filterGroups`` (OR of ANDs; at most 5 groups, 6 filters per group, 18
  in all) with EQ, NEQ, IN, NOT_IN (at most 100 values), GT, GTE, LT, LTE, BETWEEN, HAS_PROPERTY,
  NOT_HAS_PROPERTY — strings case-insensitive, dates as epoch ms or ISO; ``sorts``; ``limit`` ≤ 200; paging by
  ``after`` (an offset) up to ``search_cap`` (10,000) results per query, ``after`` at or past it is 400.
* ``GET /crm/v3/objects/{type}`` lists by id (``limit`` ≤ 100, ``after``, ``archived``, ``properties``,
  ``associations``); ``GET /crm/v3/properties/{type}``; ``GET /account-info/v3/details``.
* Associations v4: ``PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}``,
  ``POST /crm/v4/associations/{from}/{to}/batch/associate/default`` (≤ 2,000 inputs) and ``…/batch/read``
  (≤ 1,000 ids; 207 ``NO_ASSOCIATIONS_FOUND`` for ids without any).
* Rate limits: a rolling window per category, by default 190 requests / 10 s in all and 5 / s for search;
  beyond it 429 with ``Retry-After`` (whole seconds) and the request is not carried out.
* Faults: :meth:`FakeHubSpot.fail_next` forces the next responses (429, 5xx, ``"timeout"`` — the server hangs
  past the client's read timeout —, ``"drop"`` — the connection is closed without an answer), before or after
  the request is carried out; :meth:`FakeHubSpot.inject_faults` does the same at random, seeded, at a rate;
  ``item_fault`` fails chosen inputs of a batch (207 partial failures).
* :attr:`FakeHubSpot.requests` logs every request (method, path, query, body, status) — never the
  ``Authorization`` header — for counting calls and grepping for the token.

This module holds the fake (:class:`FakeHubSpot`: life cycle, test helpers, faults, rate limits, routing), the
clock and the fixture; the schema, the HTTP handler, the record store and the endpoints are in
``fake_hubspot_schema``, ``_http``, ``_store``, ``_writes`` and ``_search``. Every name the tests imported from
here still imports from here.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from tests.fake_hubspot_http import ApiError, Fault, HandlerBase, LoggedRequest
from tests.fake_hubspot_schema import (
    ALIASES,
    ASSOC_TYPE_IDS,
    CURRENCIES,
    DEAL_STAGES,
    DEFAULT_PROPERTIES,
    ENGAGEMENTS,
    INDUSTRIES,
    LIFECYCLE,
    PROPERTIES,
    SINGULAR,
    SOURCES,
    TOKEN,
    iso,
    modified_property,
    to_ms,
)
from tests.fake_hubspot_search import SearchRoutes
from tests.fake_hubspot_writes import WriteRoutes

__all__ = [  # the fake and fixture, and every public name this module had before the split
    "ALIASES", "ASSOC_TYPE_IDS", "CURRENCIES", "DEAL_STAGES", "DEFAULT_PROPERTIES", "ENGAGEMENTS", "INDUSTRIES",
    "LIFECYCLE", "PROPERTIES", "SINGULAR", "SOURCES", "TOKEN", "ApiError", "FakeClock", "FakeHubSpot", "Fault",
    "LoggedRequest", "fake_hubspot", "iso", "modified_property", "to_ms",
]


class FakeClock:
    """A clock that only moves when told to (``sleep`` moves it at once): pass ``clock``/``sleep`` to the
    connector and the fake, and a burst of a thousand rate-limited calls runs without waiting."""

    def __init__(self, start: float = 1_735_689_600.0) -> None:  # 2025-01-01T00:00:00Z
        self._now = start
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    time = __call__

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class FakeHubSpot(WriteRoutes, SearchRoutes):
    def __init__(self, token: str = TOKEN, *, clock: Callable[[], float] | None = None,
                 rate_limit: tuple[int, float] | None = (190, 10.0),
                 search_rate_limit: tuple[int, float] | None = (5, 1.0), batch_limit: int = 100,
                 search_cap: int = 10_000, multi_status: bool = True, same_ts_per_batch: bool = False,
                 hang_seconds: float = 1.0, portal_id: int = 24_681_357) -> None:
        self.token = token
        self.clock = clock or time.time
        self.rate_limit = rate_limit
        self.search_rate_limit = search_rate_limit
        self.batch_limit = batch_limit
        self.search_cap = search_cap
        self.multi_status = multi_status
        self.same_ts_per_batch = same_ts_per_batch
        self.hang_seconds = hang_seconds
        self.portal_id = portal_id
        self.objects: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in PROPERTIES}
        self.properties = {t: list(props) for t, props in PROPERTIES.items()}
        self._emails: dict[str, str] = {}  # live contacts by email
        self.assocs: dict[tuple[str, str, str], dict[str, int]] = {}  # (from type, from id, to type) -> {to id: type id}
        self.requests: list[LoggedRequest] = []
        self.bugs: list[str] = []  # tracebacks of errors inside the fake (tests assert there are none)
        self.item_fault: Callable[[str, str, dict[str, Any]], tuple[str, str] | None] | None = None
        self._ids = itertools.count(1001)
        self._last_ms = 0
        self._windows: dict[str, deque[float]] = {"all": deque(), "search": deque()}
        self._forced: deque[Fault] = deque()
        self._random: tuple[float, random.Random, tuple[Any, ...], str] | None = None
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- life cycle ----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-hubspot", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeHubSpot:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- for tests: look, seed, change, break --------------------------------------------------------------

    def calls(self, path_contains: str = "", method: str | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.requests if path_contains in r.path and (method is None or r.method == method))

    def statuses(self) -> list[int | None]:
        with self.lock:
            return [r.status for r in self.requests]

    def live(self, hs_type: str) -> list[dict[str, Any]]:
        with self.lock:
            return [o for o in self.objects[ALIASES[hs_type]].values() if not o["archived"]]

    def get(self, hs_type: str, rid: str) -> dict[str, Any] | None:
        return self.objects[ALIASES[hs_type]].get(str(rid))

    def add(self, hs_type: str, properties: dict[str, Any]) -> str:
        """Create a record directly (as if made in HubSpot's UI); returns its id."""
        with self.lock:
            return self._create(ALIASES[hs_type], properties, self._stamp())["id"]

    def touch(self, hs_type: str, rid: str, properties: dict[str, Any]) -> None:
        """Change a record directly (a remote edit)."""
        with self.lock:
            hs = ALIASES[hs_type]
            self._update(hs, self.objects[hs][str(rid)], properties, self._stamp())

    def remove(self, hs_type: str, rid: str) -> None:
        """Archive a record directly (a remote delete)."""
        with self.lock:
            hs = ALIASES[hs_type]
            self._archive(hs, self.objects[hs][str(rid)], self._stamp())

    def link(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        with self.lock:
            self._associate(ALIASES[from_type], str(from_id), ALIASES[to_type], str(to_id))

    def associations(self, from_type: str, from_id: str, to_type: str) -> list[str]:
        with self.lock:
            return sorted(self.assocs.get((ALIASES[from_type], str(from_id), ALIASES[to_type]), {}), key=int)

    def fail_next(self, kind: str | int, times: int = 1, *, phase: str = "before", retry_after: int = 1,
                  path: str | None = None) -> None:
        with self.lock:
            self._forced.extend(Fault(kind, phase, retry_after, path) for _ in range(times))

    def inject_faults(self, rate: float, *, seed: int = 0,
                      kinds: tuple[Any, ...] = (429, 500, 502, 503, "timeout", "drop"), phase: str = "before") -> None:
        """Fail ``rate`` of the requests at random (seeded); ``phase`` "before", "after" or "mixed"."""
        with self.lock:
            self._random = (rate, random.Random(seed), kinds, phase) if rate > 0 else None

    # ---- the request path ----------------------------------------------------------------------------------

    def _pick_fault(self, path: str) -> Fault | None:
        with self.lock:
            for n, fault in enumerate(self._forced):
                if fault.path is None or fault.path in path:
                    del self._forced[n]
                    return fault
            if self._random is not None:
                rate, rng, kinds, phase = self._random
                if rng.random() < rate:
                    kind = rng.choice(kinds)
                    if phase == "mixed":
                        phase = rng.choice(("before", "after"))
                    if kind in (429, 503):
                        phase = "before"
                    return Fault(kind, phase, retry_after=1)
        return None

    def _rate_check(self, path: str) -> None:
        now = self.clock()
        checks = [("all", self.rate_limit, "TEN_SECONDLY_ROLLING")]
        if path.endswith("/search"):
            checks.append(("search", self.search_rate_limit, "SECONDLY"))
        with self.lock:
            for name, limit, policy in checks:
                if limit is None:
                    continue
                window = self._windows[name]
                while window and window[0] <= now - limit[1]:
                    window.popleft()
                if len(window) >= limit[0]:
                    wait = max(1, math.ceil(window[0] + limit[1] - now))
                    raise ApiError(429, "RATE_LIMITS", "You have reached your secondly limit.",
                                   errorType="RATE_LIMIT", policyName=policy, retry_after=wait)
            for name, limit, _ in checks:
                if limit is not None:
                    self._windows[name].append(now)

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        routes: list[tuple[str, str, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/account-info/v3/details", self._account),
            ("GET", r"/crm/v3/properties/([^/]+)", self._properties),
            ("POST", r"/crm/v3/objects/([^/]+)/batch/(create|update|read|archive)", self._batch),
            ("POST", r"/crm/v3/objects/([^/]+)/search", self._search),
            ("GET", r"/crm/v3/objects/([^/]+)", self._list),
            ("GET", r"/crm/v3/objects/([^/]+)/(\d+)", self._get_one),
            ("PUT", r"/crm/v4/objects/([^/]+)/(\d+)/associations/default/([^/]+)/(\d+)", self._put_assoc),
            ("POST", r"/crm/v4/associations/([^/]+)/([^/]+)/batch/associate/default", self._batch_assoc),
            ("POST", r"/crm/v4/associations/([^/]+)/([^/]+)/batch/read", self._read_assoc),
        ]
        for verb, pattern, fn in routes:
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                with self.lock:
                    return fn(*match.groups(), query=query, body=body)
        raise ApiError(404, "OBJECT_NOT_FOUND", f"No route for {method} {path}")

    # ---- endpoints -----------------------------------------------------------------------------------------

    def _account(self, *, query: Any, body: Any) -> tuple[int, Any]:
        return 200, {"portalId": self.portal_id, "accountType": "STANDARD", "timeZone": "US/Eastern",
                     "companyCurrency": "USD", "additionalCurrencies": [], "utcOffset": "-05:00",
                     "utcOffsetMilliseconds": -18_000_000, "uiDomain": "app.hubspot.com",
                     "dataHostingLocation": "na1"}

    def _properties(self, name: str, *, query: Any, body: Any) -> tuple[int, Any]:
        return 200, {"results": self.properties[self._type(name)]}


class _Handler(HandlerBase):
    fake: FakeHubSpot


@pytest.fixture
def fake_hubspot():
    """A fresh fake on a free 127.0.0.1 port (real clock; see ``FakeClock`` for a fast one)."""
    with FakeHubSpot() as fake:
        yield fake
