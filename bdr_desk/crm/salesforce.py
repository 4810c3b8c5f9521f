"""Salesforce connector: REST API (sObject Collections, SOQL, getDeleted, describe, limits).

Plain ``requests`` through :mod:`bdr_desk.crm.http` (one session, the token bucket, retries on
429/5xx/timeouts, call counting, the token kept out of messages and logs) rather than simple-salesforce: that
library owns its session and its error handling, which would bypass our budget and our call counter.

Object types: ``account`` → Account, ``contact`` → Contact (``AccountId`` is the company association),
``activity`` → Task or Event (``@kind``; pushed only), ``opportunity`` → Opportunity (pulled only).
Records are dicts of Salesforce field API names; ``@account``/``@contact`` are written inline as AccountId /
WhatId / WhoId.

* Writes: sObject Collections, at most 200 records per call, ``allOrNone=false``; every input gets its own
  :class:`ItemResult`. A create whose answer was lost (timeout, dropped connection, 5xx) is reconciled, never
  blindly re-sent: SOQL is consistent at once, so records created since just before the call with exactly the
  values sent are taken as done, and only the others are created again.
* Reads: SOQL ``WHERE Id IN (...)`` in chunks; ``find`` by any text field (``Website`` by registrable domain);
  ``changed_since`` on ``SystemModstamp`` with ``nextRecordsUrl`` as the cursor; ``deleted_since`` with
  getDeleted, which Salesforce answers for the last 15 days only (:class:`DeletedWindowError` beyond).

Identifiers are never trusted: field names must look like API names, record ids like 15/18-character ids, and
every string literal in SOQL is escaped (quotes, backslashes, control characters; ``%``/``_`` in LIKE).

This module holds the connector class and its reads; the rest is in ``salesforce_soql`` (SOQL literals and
identifier checks), ``salesforce_schema`` (object types, associations, field types, error codes, records),
``salesforce_auth`` (credentials, login, session renewal) and ``salesforce_writes`` (create / update / delete,
lost-answer recovery). Every name importable from here before the split still is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from accounts.domains import normalize_domain
from bdr_desk.crm import credentials
from bdr_desk.crm.connector import ChangePage, ConnectorError, RemoteField, RemoteRecord
from bdr_desk.crm.http import CrmHttp, CrmHttpError, server_message
from bdr_desk.crm.ratelimit import TokenBucket
from bdr_desk.crm.salesforce_auth import DEFAULT_LOGIN_URL, SalesforceAuth
from bdr_desk.crm.salesforce_schema import (
    ACTIVITY_KINDS,
    ASSOCIATIONS,
    FIELD_TYPES,
    RECORD_ERROR_KINDS,
    SOBJECTS,
    SYSTEM,
    WRITABLE,
    error_code,
    kind_of,
    remote_record,
    select_fields,
)
from bdr_desk.crm.salesforce_soql import (
    IDS_PER_QUERY,
    SOQL_BUDGET,
    field_name,
    is_id,
    parse_datetime,
    soql_chunks,
    soql_datetime,
    soql_like_contains,
    soql_string,
)
from bdr_desk.crm.salesforce_writes import BATCH_LIMIT, RECONCILE_MARGIN, SalesforceWrites

__all__ = [  # the connector, and every public name this module had before the split
    "ACTIVITY_KINDS", "API_VERSION", "ASSOCIATIONS", "BATCH_LIMIT", "BUDGET", "DEFAULT_LOGIN_URL",
    "DELETED_OVERLAP", "DELETED_WINDOW", "IDS_PER_QUERY", "RECONCILE_MARGIN", "SOBJECTS", "SOQL_BUDGET", "SYSTEM",
    "WRITABLE", "DeletedWindowError", "SalesforceConnector", "parse_datetime", "soql_datetime",
    "soql_like_contains", "soql_string",
]

API_VERSION = "59.0"
# Salesforce publishes a daily allowance, not a rate; stay polite: at most ~24 requests in any second
BUDGET = (25, 1.0)
# Salesforce keeps getDeleted() results for 15 days (less if the recycle bin was purged)
DELETED_WINDOW = dt.timedelta(days=15)
# getDeleted() works to the minute and covers only completed minutes; look back a little further than asked so
# deletions in the minutes around the previous call are not missed (deleting twice is harmless)
DELETED_OVERLAP = dt.timedelta(minutes=5)


class DeletedWindowError(ConnectorError):
    """Deletions since ``since`` are no longer all available (Salesforce keeps them 15 days, or less after a
    recycle-bin purge): compare a full pull with the local records instead."""

    def __init__(self, message: str) -> None:
        super().__init__("validation", message)


class SalesforceConnector(SalesforceAuth, SalesforceWrites):
    """The :class:`~bdr_desk.crm.connector.Connector` for Salesforce.

    Credentials: ``instance_url``/``access_token`` as given, else ``BDR_DESK_SALESFORCE_INSTANCE_URL`` /
    ``BDR_DESK_SALESFORCE_ACCESS_TOKEN`` or the keyring (``salesforce:instance_url``,
    ``salesforce:access_token``). Without an access token a connected app logs in at
    ``{login_url}/services/oauth2/token``: the username-password flow when ``username`` and ``password`` are
    known, else client credentials (keys ``client_id``, ``client_secret``, ``username``, ``password``,
    ``login_url`` — same sources). A session that expires mid-run is renewed once that way; a bare access
    token cannot be, and a 401 is reported as ``auth``.
    """

    system = "salesforce"
    inline_associations = True  # ``@account``/``@contact`` become AccountId / WhatId / WhoId in the record

    def __init__(self, instance_url: str | None = None, access_token: str | None = None, *,
                 api_version: str = API_VERSION, login_url: str | None = None, client_id: str | None = None,
                 client_secret: str | None = None, username: str | None = None, password: str | None = None,
                 bucket: TokenBucket | None = None, clock: Callable[[], dt.datetime] | None = None,
                 environ: Mapping[str, str] | None = None, **http_options: Any) -> None:
        if not re.fullmatch(r"\d{2,3}\.\d", str(api_version).lstrip("v")):
            raise ConnectorError("config", f"not a Salesforce API version: {str(api_version)[:20]!r}")
        self.api_version = str(api_version).lstrip("v")
        self._environ = environ
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._http_options = http_options
        self._bucket = bucket or TokenBucket.for_budget(*BUDGET)
        explicit = {"client_id": client_id, "client_secret": client_secret, "username": username,
                    "password": password, "login_url": login_url}
        self._oauth_explicit = {k: v for k, v in explicit.items() if v}
        self._instance_url = (instance_url or "").strip() or None
        self._token: credentials.Secret | None = credentials.Secret(access_token) if access_token else None
        self._http: CrmHttp | None = None
        self._oauth_calls = 0
        self._describe: dict[str, dict[str, Any]] = {}
        self.deleted_covered_until: dict[str, dt.datetime] = {}  # object type → latestDateCovered seen

    # ---- protocol basics -------------------------------------------------------------------------------

    @property
    def api_calls(self) -> int:
        return (self._http.api_calls if self._http is not None else 0) + self._oauth_calls

    def batch_limit(self, object_type: str) -> int:
        return BATCH_LIMIT

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> SalesforceConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SalesforceConnector({self._instance_url or '(instance from credentials)'!r}, " \
               f"api v{self.api_version}, api_calls={self.api_calls})"

    @property
    def _base(self) -> str:
        return f"/services/data/v{self.api_version}"

    def _request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                 idempotent: bool | None = None) -> Any:
        """One API call; Salesforce's error codes refine the kind the HTTP layer guessed from the status."""
        try:
            return self.http.request(method, path, json=json, params=params, idempotent=idempotent)[1]
        except CrmHttpError as exc:
            code = error_code(exc.payload)
            if code == "REQUEST_LIMIT_EXCEEDED":
                raise CrmHttpError("rate_limit", f"Salesforce {method} {urlsplit(path).path}: API request "
                                   "limit reached (REQUEST_LIMIT_EXCEEDED) — try again later",
                                   status=exc.status, payload=exc.payload,
                                   retry_after=exc.retry_after) from None
            kind = RECORD_ERROR_KINDS.get(code or "", exc.kind)
            if exc.status == 401:
                kind = "auth"
            if kind != exc.kind:
                raise CrmHttpError(kind, str(exc), status=exc.status, payload=exc.payload,
                                   retry_after=exc.retry_after, ambiguous=exc.ambiguous) from None
            raise

    def _sobject(self, object_type: str, *, write: bool = False) -> str:
        sobject = SOBJECTS.get(object_type)
        if sobject is None:
            raise ConnectorError("config", f"Salesforce: unknown object type {object_type!r}")
        if write and object_type not in WRITABLE:
            raise ConnectorError("config", f"Salesforce {object_type} records are pulled only, never written")
        return sobject

    def test_connection(self) -> str:
        body = self._request("GET", f"{self._base}/limits") or {}
        daily = body.get("DailyApiRequests") or {}
        host = urlsplit(self.http.base_url).netloc
        if isinstance(daily, dict) and "Max" in daily:
            left, most = int(daily.get("Remaining", 0)), int(daily["Max"])
            return f"Salesforce org at {host} (API v{self.api_version}): {left:,} of {most:,} daily API " \
                   "requests left"
        return f"Salesforce org at {host} (API v{self.api_version})"

    def fields(self, object_type: str) -> list[RemoteField]:
        sobject = self._sobject(object_type)
        out: dict[str, RemoteField] = {}
        for kind in ACTIVITY_KINDS if object_type == "activity" else (sobject,):
            for f in self._describe_fields(kind):
                name = str(f.get("name") or "")
                if not name or f.get("deprecatedAndHidden") or name in out:
                    continue
                options = tuple(str(p["value"]) for p in f.get("picklistValues") or []
                                if p.get("active", True) and p.get("value") is not None)
                label = str(f.get("label") or name) + ("" if kind == sobject else f" ({kind})")
                out[name] = RemoteField(name, label, FIELD_TYPES.get(str(f.get("type")), "string"), options,
                                        read_only=not (f.get("createable") or f.get("updateable")))
        return list(out.values())

    def _describe_fields(self, sobject: str) -> list[dict[str, Any]]:
        if sobject not in self._describe:
            self._describe[sobject] = self._request("GET", f"{self._base}/sobjects/{sobject}/describe") or {}
        return list(self._describe[sobject].get("fields") or [])

    # ---- reads -----------------------------------------------------------------------------------------

    def _query_page(self, soql: str | None = None, cursor: str | None = None) -> dict[str, Any]:
        if cursor is not None:
            if not re.fullmatch(r"/services/data/v\d+\.\d/query(All)?/[A-Za-z0-9]+-\d+", cursor):
                raise ConnectorError("config", f"not a Salesforce query cursor: {cursor[:80]!r}")
            try:
                body = self._request("GET", cursor)
            except CrmHttpError as exc:
                if error_code(exc.payload) == "INVALID_QUERY_LOCATOR":
                    raise ConnectorError("validation", "Salesforce query cursor expired "
                                         "(INVALID_QUERY_LOCATOR): start the pull again from the last saved "
                                         "time") from None
                raise
        else:
            body = self._request("GET", f"{self._base}/query", params={"q": soql})
        return body if isinstance(body, dict) else {}

    def _query_all(self, soql: str) -> Iterable[dict[str, Any]]:
        page = self._query_page(soql)
        while True:
            yield from page.get("records") or []
            nxt = page.get("nextRecordsUrl")
            if page.get("done", True) or not nxt:
                return
            page = self._query_page(cursor=str(nxt))

    def read(self, object_type: str, external_ids: Sequence[str],
             properties: Sequence[str]) -> list[RemoteRecord]:
        sobject = self._sobject(object_type)
        wanted = list(dict.fromkeys(i for i in external_ids if is_id(i)))
        found: dict[str, RemoteRecord] = {}
        kinds = ACTIVITY_KINDS if object_type == "activity" else (sobject,)
        for kind in kinds:
            ids = [i for i in wanted if kind_of(i, sobject) == kind]
            select = ", ".join(select_fields(object_type, kind, properties))
            for start in range(0, len(ids), IDS_PER_QUERY):
                chunk = ", ".join(soql_string(i) for i in ids[start:start + IDS_PER_QUERY])
                for raw in self._query_all(f"SELECT {select} FROM {kind} WHERE Id IN ({chunk})"):
                    rec = remote_record(object_type, raw, properties)
                    found[rec.external_id] = found[rec.external_id[:15]] = rec
        out = []
        for i in wanted:
            rec = found.get(i) or found.get(i[:15])
            if rec is not None:
                out.append(rec)
        return out

    def find(self, object_type: str, key_property: str, values: Sequence[str],
             properties: Sequence[str]) -> dict[str, RemoteRecord]:
        """Records whose ``key_property`` equals one of ``values`` (case-insensitively, as SOQL compares).
        ``Website`` is matched by registrable domain: ``acme.com`` finds ``https://www.acme.com/``."""
        sobject = self._sobject(object_type)
        field_name(key_property)
        by_domain = key_property.lower() == "website"
        wanted: dict[str, list[str]] = {}
        for v in values:
            if v is None or not str(v).strip():
                continue
            key = normalize_domain(str(v)) if by_domain else str(v).strip().lower()
            if key:
                wanted.setdefault(key, []).append(str(v))
        select = select_fields(object_type, sobject, [*properties, key_property])
        head = f"SELECT {', '.join(select)} FROM {sobject} WHERE "
        tail = " ORDER BY CreatedDate, Id"
        out: dict[str, RemoteRecord] = {}
        for chunk in soql_chunks(list(wanted), SOQL_BUDGET - len(head) - len(tail), by_domain):
            if by_domain:
                where = " OR ".join(f"{key_property} LIKE {soql_like_contains(d)}" for d in chunk)
            else:
                where = f"{key_property} IN ({', '.join(soql_string(v) for v in chunk)})"
            for raw in self._query_all(head + where + tail):
                value = raw.get(next((k for k in raw if k.lower() == key_property.lower()), key_property))
                key = normalize_domain(str(value)) if by_domain and value else \
                    str(value or "").strip().lower()
                for original in wanted.get(key or "", []):
                    out.setdefault(original, remote_record(object_type, raw, properties))
        return out

    def changed_since(self, object_type: str, since: dt.datetime | None, properties: Sequence[str],
                      cursor: str | None = None) -> ChangePage:
        """Records with ``SystemModstamp > since`` (all of them when ``since`` is None), oldest first, one
        query page at a time; the cursor is Salesforce's ``nextRecordsUrl`` (valid for two days)."""
        sobject = self._sobject(object_type)
        if object_type == "activity":
            raise ConnectorError("config", "Salesforce activities are pushed only; nothing to pull")
        if cursor:
            page = self._query_page(cursor=cursor)
        else:
            where = f" WHERE SystemModstamp > {soql_datetime(since)}" if since is not None else ""
            select = ", ".join(select_fields(object_type, sobject, properties))
            page = self._query_page(f"SELECT {select} FROM {sobject}{where} ORDER BY SystemModstamp, Id")
        records = [remote_record(object_type, raw, properties) for raw in page.get("records") or []]
        nxt = page.get("nextRecordsUrl")
        return ChangePage(records, str(nxt) if nxt and not page.get("done", True) else None)

    def deleted_since(self, object_type: str, since: dt.datetime) -> list[str]:
        """Ids deleted since ``since`` (getDeleted). Salesforce answers to the minute and for the last 15
        days only: a ``since`` further back, or a purged delete log, raises :class:`DeletedWindowError` — the
        engine then compares a full pull instead. Pass the time the previous check *started*; the window is
        widened by a few minutes (getDeleted covers completed minutes only), so an id may come twice."""
        sobject = self._sobject(object_type)
        now = self._clock().astimezone(dt.UTC).replace(second=0, microsecond=0)
        since = (since if since.tzinfo else since.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        oldest = now - DELETED_WINDOW + dt.timedelta(minutes=1)
        if since < oldest:
            raise DeletedWindowError(f"Salesforce keeps deleted {sobject} records for {DELETED_WINDOW.days} "
                                     f"days only; the last check was {since:%Y-%m-%d %H:%M} UTC — a full "
                                     "comparison is needed")
        # start a little earlier (never outside the window) and at least two minutes before the end
        start = max(oldest, min(since.replace(second=0, microsecond=0) - DELETED_OVERLAP,
                                now - dt.timedelta(minutes=2)))
        ids: list[str] = []
        for kind in ACTIVITY_KINDS if object_type == "activity" else (sobject,):
            try:
                body = self._request("GET", f"{self._base}/sobjects/{kind}/deleted/",
                                     params={"start": _iso(start), "end": _iso(now)}) or {}
            except CrmHttpError as exc:
                if error_code(exc.payload) == "INVALID_REPLICATION_DATE":
                    raise DeletedWindowError(f"Salesforce cannot list {kind} deletions since "
                                             f"{start:%Y-%m-%d %H:%M} UTC ({server_message(exc.payload)}) — "
                                             "a full comparison is needed") from None
                raise
            earliest = parse_datetime(body.get("earliestDateAvailable"))
            if earliest is not None and earliest > since:
                raise DeletedWindowError(f"Salesforce purged {kind} deletions before "
                                         f"{earliest:%Y-%m-%d %H:%M} UTC — a full comparison is needed")
            covered = parse_datetime(body.get("latestDateCovered"))
            if covered is not None:
                self.deleted_covered_until[object_type] = covered
            ids.extend(str(d["id"]) for d in body.get("deletedRecords") or [] if d.get("id"))
        return list(dict.fromkeys(ids))


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")

