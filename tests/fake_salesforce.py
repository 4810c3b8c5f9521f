"""A stateful fake of the Salesforce REST API, served over real HTTP on 127.0.0.1 (one per test).

It follows the documented behaviour closely enough to catch the mistakes a connector makes:

- ``Authorization: Bearer <token>`` on every ``/services/data`` call, else 401 ``INVALID_SESSION_ID``;
  ``/services/oauth2/token`` (password and client-credentials grants) hands out sessions.
- 18-character ids assigned by the server (key prefix + case-safe checksum suffix); ``CreatedDate``,
  ``LastModifiedDate`` and ``SystemModstamp`` from a controllable clock that advances one second per write
  request (every record of one request shares a stamp, as in one transaction).
- sObject Collections: POST/PATCH/DELETE ``/composite/sobjects`` with at most 200 records (more → 400
  ``EXCEEDED_ID_LIMIT``), ``allOrNone`` honoured, one result ``{id, success, errors}`` per record, in order;
  per-record ``REQUIRED_FIELD_MISSING``, ``INVALID_FIELD``, ``STRING_TOO_LONG``, ``INVALID_EMAIL_ADDRESS``,
  ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``, ``ENTITY_IS_DELETED``, ``INVALID_CROSS_REFERENCE_KEY``,
  ``MALFORMED_ID`` and ``DUPLICATES_DETECTED`` (a second Contact with the same e-mail, case-insensitively);
  a JSON value of the wrong type fails the whole request (400 ``JSON_PARSER_ERROR``). Deleting an Account
  deletes its Contacts, Opportunities and Tasks, as Salesforce does.
- SOQL over ``GET /query?q=``: a real tokenizer and parser for the subset the connector needs (SELECT fields
  FROM object [WHERE …AND/OR/NOT, =, !=, <, >, IN, NOT IN, LIKE…] [ORDER BY …] [LIMIT n]); string literals
  with SOQL escapes (an unknown escape or an unterminated string → 400 ``MALFORMED_QUERY``), datetime
  literals unquoted (a quoted one → 400 ``INVALID_FIELD``), malformed ids → 400, unknown fields → 400,
  case-insensitive text comparison, queries over 100,000 characters or URLs over 16,384 bytes refused. Results
  are paged (``page_size``, default 50) with ``nextRecordsUrl`` query locators (expirable →
  ``INVALID_QUERY_LOCATOR``).
- ``getDeleted`` (``/sobjects/{type}/deleted/?start=&end=``): minute granularity (seconds ignored), start at
  least a minute before end, a start more than 30 days back or before a purge
  (:meth:`FakeSalesforce.purge_deleted`) → 400 ``INVALID_REPLICATION_DATE``; ``earliestDateAvailable``
  (15 days back) and ``latestDateCovered`` (never past the current minute).
- ``describe`` with picklist values, ``/sobjects``, ``/limits``, single-record GET/PATCH.
- API budget: a daily allowance (403 ``REQUEST_LIMIT_EXCEEDED`` when spent, ``Sforce-Limit-Info`` on every
  response) and an optional burst limit (429 ``REQUEST_LIMIT_EXCEEDED`` with ``Retry-After``).
- Fault injection from a seeded RNG: 500/503, 429, timeouts (the reply comes late) and dropped connections,
  before the request is processed or — the ambiguous case — after it was.
- A request log (:attr:`FakeSalesforce.log`) to count calls and to grep for the token.

This module holds the org (:class:`FakeSalesforce`: records, ids, clock, lifecycle, test helpers) and the
fixture; the schema, the SOQL parser, the HTTP plumbing and the query / write resources are in
``fake_salesforce_schema``, ``_soql``, ``_http``, ``_query`` and ``_writes``. Every name the tests imported from
here still imports from here.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import random
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_plus

import pytest

from tests.fake_salesforce_http import MAX_URL, Faults, HandlerBase, LoggedRequest
from tests.fake_salesforce_query import MAX_SOQL, QueryRoutes
from tests.fake_salesforce_schema import (
    INDUSTRIES,
    LEAD_SOURCES,
    NUMBER_TYPES,
    OWNER_ID,
    PREFIXES,
    REQUIRED,
    SCHEMA,
    STAGES,
    TEXT_TYPES,
    TYPE_BY_PREFIX,
    UTC,
    F,
    checksum,
    fields_of,
    is_valid_id,
    parse_sf_datetime,
    sf_datetime,
)
from tests.fake_salesforce_soql import Literal, Query, SoqlError, evaluate, like, parse_soql, tokenize
from tests.fake_salesforce_writes import MAX_COLLECTION, WriteRoutes

__all__ = [  # the fake and fixture, and every public name this module had before the split
    "INDUSTRIES", "LEAD_SOURCES", "MAX_COLLECTION", "MAX_SOQL", "MAX_URL", "NUMBER_TYPES", "OWNER_ID", "PREFIXES",
    "REQUIRED", "SCHEMA", "STAGES", "TEXT_TYPES", "TYPE_BY_PREFIX", "UTC", "F", "FakeClock", "FakeSalesforce",
    "Faults", "Literal", "LoggedRequest", "Query", "SoqlError", "evaluate", "fake_salesforce", "fields_of",
    "is_valid_id", "like", "parse_soql", "parse_sf_datetime", "sf_datetime", "tokenize",
]


class FakeClock:
    """Server time. Starts at the real time (so 15-day windows make sense), moves only when told to."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = (start or dt.datetime.now(UTC)).replace(microsecond=0)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0, **kw: float) -> dt.datetime:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds, **kw)
            return self._now


class FakeSalesforce:
    def __init__(self, *, token: str = "00DFAKE0000000!AQ8AQSeCreT.t0ken-Val_ue", page_size: int = 50,
                 daily_limit: int = 15_000, burst: tuple[int, float] | None = None, seed: int = 0,
                 client_id: str = "fake-client-id", client_secret: str = "fake-client-secret",
                 username: str = "bdr@example.com", password: str = "pw-and-security-token") -> None:
        self.tokens = {token}
        self.token = token
        self.page_size = page_size
        self.daily_limit = daily_limit
        self.burst = burst  # (calls, per seconds) → 429 with Retry-After when exceeded
        self.clock = FakeClock()
        self.faults = Faults()
        self.oauth = {"client_id": client_id, "client_secret": client_secret, "username": username,
                      "password": password}
        self.records: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in SCHEMA}
        self.deleted: dict[str, dict[str, dt.datetime]] = {s: {} for s in SCHEMA}
        self.earliest_deleted: dict[str, dt.datetime] = {}
        self.contact_email_rule = True
        self.log: list[LoggedRequest] = []
        self.api_used = 0
        self._burst_times: list[float] = []
        self._rng = random.Random(seed)
        self._seq = itertools.count(self._rng.randrange(62 ** 6, 62 ** 7))
        self._cursors: dict[str, tuple[list[dict[str, Any]], str]] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeSalesforce:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-salesforce", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeSalesforce:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test helpers (the "other user" editing the org)

    def calls(self, method: str | None = None, contains: str = "") -> list[LoggedRequest]:
        """Logged API calls (not OAuth), optionally by method and a substring of the decoded URL."""
        with self._lock:
            return [r for r in self.log if r.path.startswith("/services/data")
                    and (method is None or r.method == method) and contains in unquote_plus(r.url)]

    def log_text(self, *, include_auth_header: bool = False) -> str:
        """Everything the client sent, for grepping; the Authorization header only when asked."""
        with self._lock:
            return "\n".join(
                f"{r.method} {r.url}\n" + "".join(f"{k}: {v}\n" for k, v in r.headers.items()
                                                if include_auth_header or k.lower() != "authorization")
                + r.body for r in self.log)

    def insert(self, sobject: str, **values: Any) -> str:
        with self._lock:
            stamp = self._stamp()
            rec = self._new_record(sobject, values, stamp)
            self.records[sobject][rec["Id"]] = rec
            return rec["Id"]

    def modify(self, sobject: str, record_id: str, **values: Any) -> None:
        with self._lock:
            rec = self.records[sobject][record_id]
            rec.update(values)
            self._touch(rec, self._stamp())

    def remove(self, sobject: str, record_id: str) -> None:
        with self._lock:
            self._delete(sobject, record_id, self._stamp())

    def get(self, sobject: str, record_id: str) -> dict[str, Any] | None:
        with self._lock:
            rec = self.records[sobject].get(record_id)
            return copy.deepcopy(rec) if rec else None

    def all(self, sobject: str) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(r) for r in self.records[sobject].values()]

    def purge_deleted(self, sobject: str, before: dt.datetime) -> None:
        """The delete log lost entries older than ``before`` (``earliestDateAvailable`` moves up)."""
        with self._lock:
            self.earliest_deleted[sobject] = before
            self.deleted[sobject] = {k: v for k, v in self.deleted[sobject].items() if v >= before}

    def expire_session(self) -> str:
        """Invalidate every session; returns a fresh valid token."""
        with self._lock:
            self.token = "00DFAKE0000000!" + "".join(self._rng.choices("ABCDEFGHJKabcdefgh0123456789", k=40))
            self.tokens = {self.token}
            return self.token

    def expire_cursors(self) -> None:
        with self._lock:
            self._cursors.clear()

    # -- internals

    def _stamp(self) -> dt.datetime:
        now = self.clock.now()
        self.clock.advance(1)
        return now

    def _new_id(self, sobject: str) -> str:
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        n, body = next(self._seq), ""
        for _ in range(9):
            n, r = divmod(n, 62)
            body = alphabet[r] + body
        return checksum(PREFIXES[sobject] + "Dn" + "0" + body[-9:])

    def _new_record(self, sobject: str, values: dict[str, Any], stamp: dt.datetime) -> dict[str, Any]:
        rec: dict[str, Any] = {f.name: f.default for f in SCHEMA[sobject]}
        rec.update(values)
        rec.update(Id=self._new_id(sobject), IsDeleted=False, CreatedDate=stamp,
                   OwnerId=rec.get("OwnerId") or OWNER_ID)
        self._touch(rec, stamp)
        return rec

    @staticmethod
    def _touch(rec: dict[str, Any], stamp: dt.datetime) -> None:
        rec["LastModifiedDate"] = rec["SystemModstamp"] = stamp
        if "StageName" in rec and "IsClosed" in rec:
            rec["IsClosed"] = str(rec.get("StageName") or "").startswith("Closed")
            rec["IsWon"] = rec.get("StageName") == "Closed Won"

    def _delete(self, sobject: str, record_id: str, stamp: dt.datetime) -> None:
        self.records[sobject].pop(record_id)
        self.deleted[sobject][record_id] = stamp
        if sobject == "Account":  # cascade, as Salesforce does for an account's contacts, deals, activities
            for child, ref in (("Contact", "AccountId"), ("Opportunity", "AccountId"), ("Task", "WhatId"),
                               ("Event", "WhatId")):
                for cid in [i for i, r in self.records[child].items() if r.get(ref) == record_id]:
                    self._delete(child, cid, stamp)

    def find_record(self, record_id: str) -> tuple[str | None, dict[str, Any] | None, bool]:
        """(sobject, record, deleted) for an id of any type."""
        sobject = TYPE_BY_PREFIX.get(record_id[:3])
        if sobject is None or sobject not in self.records:
            return None, None, False
        rec = self.records[sobject].get(record_id)
        return sobject, rec, rec is None and record_id in self.deleted[sobject]


class _Handler(HandlerBase, QueryRoutes, WriteRoutes):
    """The request handler: plumbing and routing, the read resources, the write resources."""

    server_fake: FakeSalesforce


@pytest.fixture
def fake_salesforce() -> Iterator[FakeSalesforce]:
    """A started fake on a free loopback port; stopped after the test."""
    with FakeSalesforce() as fake:
        yield fake
