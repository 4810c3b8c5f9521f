"""HubSpot lookups and change feeds: ``find`` (batch read by email, else search with ``IN`` filters),
``changed_since`` (keyset paging by last-modified time over search, or listing on a first pull) and
``deleted_since`` (listing archived records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bdr_desk.crm.connector import ChangePage, ConnectorError, RemoteRecord
from bdr_desk.crm.http import one_line
from bdr_desk.crm.hubspot_objects import (
    ASSOCIATED_COMPANIES,
    BATCH_LIMIT,
    PULL_TYPES,
    HubSpotObjects,
    chunks,
    modified_property,
    parse_time,
    to_ms,
)

SEARCH_PAGE = 200  # HubSpot search returns at most 200 per page …
SEARCH_CAP = 10_000  # … and at most 10,000 results per query
SEARCH_IN_LIMIT = 100
LIST_PAGE = 100


class HubSpotSearch(HubSpotObjects):
    """Mixed into :class:`~bdr_desk.crm.hubspot.HubSpotConnector`; keeps its state in the connector's
    ``_ties``."""

    _ties: dict[str, tuple[int, set[str]]]

    def find(self, object_type: str, key_property: str, values: Sequence[str],
             properties: Sequence[str]) -> dict[str, RemoteRecord]:
        hs = self._hs_type(object_type)
        wanted: dict[str, list[str]] = {}  # normalised value -> the values asked for
        for value in values:
            if value is None or not str(value).strip():
                continue
            wanted.setdefault(self._norm(key_property, value), []).append(value)
        if not wanted:
            return {}
        props = self._props(hs, [*properties, key_property])
        keys = list(wanted)
        objs: list[dict[str, Any]] = []
        if hs == "contacts" and key_property == "email":
            for chunk in chunks(keys, BATCH_LIMIT):
                _, body = self.http.request("POST", f"/crm/v3/objects/{hs}/batch/read", idempotent=True, json={
                    "inputs": [{"id": v} for v in chunk], "idProperty": "email", "properties": props})
                objs.extend((body or {}).get("results", []))
        else:
            for chunk in chunks(keys, SEARCH_IN_LIMIT):
                objs.extend(self._search_all(hs, {
                    "filterGroups": [{"filters": [{"propertyName": key_property, "operator": "IN",
                                                   "values": list(chunk)}]}],
                    "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}],
                    "properties": props}))
        out: dict[str, RemoteRecord] = {}
        for rec in self._records(hs, objs):
            norm = self._norm(key_property, rec.properties.get(key_property))
            for value in wanted.get(norm, []):
                out.setdefault(value, rec)  # the oldest record wins when HubSpot holds duplicates
        return out

    def changed_since(self, object_type: str, since: dt.datetime | None, properties: Sequence[str],
                      cursor: str | None = None) -> ChangePage:
        hs = self._hs_type(object_type)
        self._require(object_type, PULL_TYPES, "pulled")
        if (cursor or "").startswith("L:") or (cursor is None and since is None):
            return self._list_page(hs, properties, (cursor or "L:")[2:] or None)
        if cursor:
            try:
                _, ts_text, skip_text = cursor.split(":")
                ts, skip = int(ts_text), int(skip_text)
            except ValueError:
                raise ConnectorError("config", f"HubSpot: not a change cursor: {one_line(cursor, 40)!r}") from None
        else:
            assert since is not None
            ts, skip = to_ms(since), 0
        return self._search_page(hs, properties, ts, skip)

    def deleted_since(self, object_type: str, since: dt.datetime) -> list[str]:
        hs = self._hs_type(object_type)
        self._require(object_type, PULL_TYPES, "pulled")
        since_ms = to_ms(since)
        out: list[str] = []
        after: str | None = None
        while True:
            params: dict[str, Any] = {"archived": "true", "limit": LIST_PAGE, "properties": "hs_object_id"}
            if after:
                params["after"] = after
            _, body = self.http.request("GET", f"/crm/v3/objects/{hs}", params=params)
            body = body or {}
            for obj in body.get("results", []):
                when = parse_time(obj.get("archivedAt"))
                if when is not None and to_ms(when) >= since_ms:
                    out.append(self._ext_id(hs, str(obj["id"])))
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return out


    # ---- pulling -------------------------------------------------------------------------------------------

    def _search_all(self, hs: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        objs: list[dict[str, Any]] = []
        after = 0
        while True:
            body = self._search(hs, {**query, "limit": SEARCH_PAGE, **({"after": str(after)} if after else {})})
            objs.extend(body.get("results", []))
            nxt = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not nxt or not body.get("results"):
                return objs
            after = int(nxt)
            if after >= SEARCH_CAP:
                raise ConnectorError("validation", f"HubSpot search on {hs}: more than {SEARCH_CAP:,} matches")

    def _search(self, hs: str, query: dict[str, Any]) -> dict[str, Any]:
        _, body = self.http.request("POST", f"/crm/v3/objects/{hs}/search", json=query, bucket_name="search",
                                    idempotent=True)
        return body or {}

    def _list_page(self, hs: str, properties: Sequence[str], after: str | None) -> ChangePage:
        params: dict[str, Any] = {"limit": LIST_PAGE, "archived": "false",
                                  "properties": ",".join(self._props(hs, properties))}
        if hs in ASSOCIATED_COMPANIES:
            params["associations"] = "companies"
        if after:
            params["after"] = after
        _, body = self.http.request("GET", f"/crm/v3/objects/{hs}", params=params)
        body = body or {}
        nxt = ((body.get("paging") or {}).get("next") or {}).get("after")
        return ChangePage(self._records(hs, body.get("results", []), inline=True), f"L:{nxt}" if nxt else None)

    def _search_page(self, hs: str, properties: Sequence[str], ts: int, skip: int) -> ChangePage:
        mod = modified_property(hs)
        tie_ts, seen = self._ties.get(hs, (None, None))
        # Re-read the records at ``ts`` we already have and drop them (robust against reordering) while
        # they are few; step over them with ``after`` when many share one timestamp (or after a restart).
        use_filter = tie_ts == ts and seen is not None and len(seen) < SEARCH_PAGE // 2
        after = 0 if use_filter else skip
        if after >= SEARCH_CAP:
            raise ConnectorError("server", f"HubSpot {hs}: more than {SEARCH_CAP:,} records share the "
                                           f"modification time {ts} ms; they cannot be paged by search")
        query: dict[str, Any] = {
            "filterGroups": [{"filters": [{"propertyName": mod, "operator": "GTE", "value": str(ts)}]}],
            "sorts": [{"propertyName": mod, "direction": "ASCENDING"}],
            "properties": self._props(hs, properties), "limit": SEARCH_PAGE}
        if after:
            query["after"] = str(after)
        body = self._search(hs, query)
        objs = body.get("results", [])
        if not objs:
            self._ties.pop(hs, None)
            return ChangePage([], None)
        more = bool(((body.get("paging") or {}).get("next") or {}).get("after"))

        def stamp(obj: dict[str, Any]) -> int:
            when = parse_time((obj.get("properties") or {}).get(mod)) or parse_time(obj.get("updatedAt"))
            return to_ms(when) if when else ts

        last = stamp(objs[-1])
        at_last = {str(o["id"]) for o in objs if stamp(o) == last}
        if use_filter:
            assert seen is not None
            fresh = [o for o in objs if not (stamp(o) == ts and str(o["id"]) in seen)]
            next_skip = len(at_last | (seen if last == ts else set()))
        else:
            fresh = objs
            next_skip = skip + len(objs) if last == ts else len(at_last)
        ties = at_last | (seen if (last == ts and seen) else set())
        self._ties[hs] = (last, ties)
        if not more:
            self._ties.pop(hs, None)
        return ChangePage(self._records(hs, fresh), f"S:{last}:{next_skip}" if more else None)
