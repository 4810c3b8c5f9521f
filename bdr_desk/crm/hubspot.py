"""HubSpot CRM v3 (objects, search, properties) and v4 (associations) behind the :class:`Connector` seam.

Object types: ``account`` → companies, ``contact`` → contacts, ``opportunity`` → deals (pulled only),
``activity`` → notes, or tasks / calls / meetings when the record says so (``"@kind": "calls"``) or its
properties are ``hs_task_*`` / ``hs_call_*`` / ``hs_meeting_*`` (pushed only; ``@``-names are never sent). A note's external id is its HubSpot id; the other
engagements' ids carry their type (``calls:123``) so update, delete and associate know where to go.

Calls and budgets (``bdr_desk.crm.http`` does the waiting, retrying and counting):

* Writes go in batches of at most 100 inputs (``/crm/v3/objects/{type}/batch/create|update|archive``), each
  input tagged with an ``objectWriteTraceId`` so HubSpot answers 207 multi-status and every input gets its own
  :class:`ItemResult`. A batch rejected as a whole (400/409 without per-input errors) is split in halves until
  the bad inputs are isolated; when both halves fail with the same message the error is taken as common to
  all and not split further. A create whose outcome is unknown (timeout, dropped connection, 5xx) is never
  blindly re-sent: contacts are looked up by email and companies by domain first, and only those not found are
  created again; inputs without such a key are reported as ``network``/``server`` errors "outcome unknown".
* ``find`` by contact email uses batch read with ``idProperty=email`` (strongly consistent, the general
  budget); any other key uses search with an ``IN`` filter of at most 100 values.
* ``changed_since`` pages with search on the last-modified property (``lastmodifieddate`` for contacts,
  ``hs_lastmodifieddate`` otherwise), sorted ascending. Each page restarts from the last timestamp seen
  (keyset paging) rather than walking ``after`` offsets, so a record that changes during the scan cannot push
  another one out of view, and HubSpot's 10,000-results-per-query cap never bites. ``after`` is used only to
  step over records that share one timestamp. A first pull (``since=None``) lists the objects instead
  (``GET /crm/v3/objects/{type}``, id order, no cap, the general budget rather than search's few per second).
  Cursor for the next incremental pull: after a search pull, the newest ``updated_at`` seen; after a first
  pull by listing, the time the listing *started* (a record changed meanwhile behind the listing's position
  is older than the newest one listed). Either way keep a safety overlap of a few minutes: HubSpot's search
  index trails writes by seconds. Records may then come twice; they never go missing.
* Contacts and deals come with their company associations (``associations={"account": [ids]}``), read with
  the v4 batch endpoint (1,000 ids per call) or inline when listing.
* ``deleted_since`` lists archived records (``archived=true``) and keeps those archived since the given
  time: HubSpot has no filter on ``archivedAt`` and keeps archived records for 90 days only.

Budgets: 190 requests per 10 s for private apps (``TokenBucket.for_budget(190, 10)``, i.e. at most ~180 in
any 10 s window) and search at most 4 per second on top of that.

This module holds the connector class (construction, the seam's small calls, ``read``); the rest is in
``hubspot_objects`` (object types and endpoints, activity routing, ids, values, records), ``hubspot_search``
(``find``, ``changed_since``, ``deleted_since``) and ``hubspot_writes`` (create / update / delete with 207
mapping, bisection, lost-answer recovery; ``associate_many``). Every name importable from here before the split
still is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from bdr_desk.crm import credentials
from bdr_desk.crm.connector import ConnectorError, RemoteField, RemoteRecord
from bdr_desk.crm.http import CrmHttp, one_line
from bdr_desk.crm.hubspot_objects import (
    ACTIVITY_PREFIXES,
    ACTIVITY_TYPES,
    ASSOC_READ_LIMIT,
    ASSOCIATED_COMPANIES,
    BATCH_LIMIT,
    ERROR_CATEGORIES,
    EXISTING_ID,
    FIELD_TYPES,
    NATURAL_KEYS,
    OBJECTS,
    PULL_TYPES,
    PUSH_TYPES,
    chunks,
    modified_property,
    parse_time,
    property_value,
    to_ms,
)
from bdr_desk.crm.hubspot_search import LIST_PAGE, SEARCH_CAP, SEARCH_IN_LIMIT, SEARCH_PAGE, HubSpotSearch
from bdr_desk.crm.hubspot_writes import ASSOC_WRITE_LIMIT, HubSpotWrites, log
from bdr_desk.crm.ratelimit import TokenBucket

__all__ = [  # the connector, and every public name this module had before the split
    "ACTIVITY_PREFIXES", "ACTIVITY_TYPES", "ASSOCIATED_COMPANIES", "ASSOC_READ_LIMIT", "ASSOC_WRITE_LIMIT",
    "BATCH_LIMIT", "BUDGET", "DEFAULT_BASE_URL", "ERROR_CATEGORIES", "EXISTING_ID", "FIELD_TYPES", "LIST_PAGE",
    "NATURAL_KEYS", "OBJECTS", "PULL_TYPES", "PUSH_TYPES", "SEARCH_BUDGET", "SEARCH_CAP", "SEARCH_IN_LIMIT",
    "SEARCH_PAGE", "HubSpotConnector", "log", "modified_property", "parse_time", "property_value", "to_ms",
]

DEFAULT_BASE_URL = "https://api.hubapi.com"
BUDGET = (190, 10.0)
SEARCH_BUDGET = (4, 1.0)


class HubSpotConnector(HubSpotSearch, HubSpotWrites):
    system = "hubspot"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, *,
                 timeout: tuple[float, float] = (5, 30), max_retries: int = 5,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 budget: tuple[float, float] = BUDGET, search_budget: tuple[float, float] = SEARCH_BUDGET,
                 settle_seconds: float = 3.0, http: CrmHttp | None = None) -> None:
        """``token=None`` reads it from ``BDR_DESK_HUBSPOT_TOKEN`` or the OS keyring (ConnectorError
        "config" when there is none). ``settle_seconds`` is how long to let HubSpot's search index catch up
        before looking up companies whose create timed out."""
        secret = credentials.Secret(token if token is not None else credentials.get_token("hubspot"))
        if not secret:
            raise ConnectorError("config", "no HubSpot token: the token given is empty")
        self.base_url = base_url.rstrip("/")
        self._sleep = sleep
        self.settle_seconds = settle_seconds
        self.http = http or CrmHttp(
            self.base_url, credentials.header_fn("Bearer", secret), label="HubSpot",
            bucket=TokenBucket.for_budget(*budget, clock=clock, sleep=sleep),
            buckets={"search": TokenBucket.for_budget(*search_budget, burst=1, clock=clock, sleep=sleep)},
            timeout=timeout, max_retries=max_retries, sleep=sleep)
        self._ties: dict[str, tuple[int, set[str]]] = {}  # per type: ids already delivered at one timestamp

    # ---- the seam ------------------------------------------------------------------------------------------

    @property
    def api_calls(self) -> int:
        return self.http.api_calls

    def batch_limit(self, object_type: str) -> int:
        self._hs_type(object_type)
        return BATCH_LIMIT

    def test_connection(self) -> str:
        _, body = self.http.request("GET", "/account-info/v3/details")
        body = body or {}
        details = ", ".join(str(body[k]) for k in ("accountType", "uiDomain", "companyCurrency", "timeZone")
                            if body.get(k))
        return one_line(f"HubSpot portal {body.get('portalId', '?')}" + (f" ({details})" if details else ""))

    def fields(self, object_type: str) -> list[RemoteField]:
        types = ACTIVITY_TYPES if object_type == "activity" else (self._hs_type(object_type),)
        out: list[RemoteField] = []
        seen: set[str] = set()
        for hs in types:
            _, body = self.http.request("GET", f"/crm/v3/properties/{hs}", params={"archived": "false"})
            for prop in (body or {}).get("results", []):
                name = prop.get("name")
                if not name or name in seen or prop.get("hidden"):
                    continue
                seen.add(name)
                meta = prop.get("modificationMetadata") or {}
                options = tuple(str(o.get("value")) for o in prop.get("options") or []
                                if not o.get("hidden") and o.get("value") is not None)
                out.append(RemoteField(
                    name=name, label=prop.get("label") or name,
                    type=FIELD_TYPES.get(str(prop.get("type")), "string"), options=options,
                    read_only=bool(meta.get("readOnlyValue") or prop.get("calculated"))))
        return out

    def read(self, object_type: str, external_ids: Sequence[str], properties: Sequence[str]) -> list[RemoteRecord]:
        by_type: dict[str, dict[str, None]] = {}  # ordered sets
        for external_id in external_ids:
            hs, rid = self._split_id(object_type, external_id)
            by_type.setdefault(hs, {})[rid] = None
        found: dict[tuple[str, str], RemoteRecord] = {}
        for hs, ids in by_type.items():
            objs: list[dict[str, Any]] = []
            for chunk in chunks(list(ids), BATCH_LIMIT):
                _, body = self.http.request("POST", f"/crm/v3/objects/{hs}/batch/read", idempotent=True, json={
                    "inputs": [{"id": rid} for rid in chunk], "properties": self._props(hs, properties)})
                objs.extend((body or {}).get("results", []))
            for rec in self._records(hs, objs):
                found[(hs, rec.external_id)] = rec
        out = []
        for external_id in external_ids:
            hs, rid = self._split_id(object_type, external_id)
            rec = found.get((hs, self._ext_id(hs, rid)))
            if rec is not None:
                out.append(rec)
        return out

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        from_hs, fid = self._split_id(from_type, from_id)
        to_hs, tid = self._split_id(to_type, to_id)
        self.http.request("PUT", f"/crm/v4/objects/{from_hs}/{fid}/associations/default/{to_hs}/{tid}")

    # ---- beyond the seam -----------------------------------------------------------------------------------

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HubSpotConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HubSpotConnector({self.base_url!r}, api_calls={self.api_calls})"
