"""The fake Salesforce's read resources: SOQL queries with paged results and query locators, describe and
getDeleted (mixed into the request handler).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from tests.fake_salesforce_http import Abort
from tests.fake_salesforce_schema import (
    PREFIXES,
    REQUIRED,
    SCHEMA,
    F,
    json_dt,
    parse_sf_datetime,
    sf_datetime,
)
from tests.fake_salesforce_soql import SoqlError, evaluate, parse_soql, sort_key

if TYPE_CHECKING:
    from tests.fake_salesforce import FakeSalesforce

MAX_SOQL = 100_000


class QueryRoutes:
    """``GET /query``, ``/query/{locator}-{offset}``, ``/sobjects/{type}/describe`` and ``…/deleted/``."""

    server_fake: FakeSalesforce

    def _out(self, base: str, sobject: str, rec: dict[str, Any], fields: list[F] | None) -> dict[str, Any]:
        url = f"{base}/sobjects/{sobject}/{rec['Id']}"
        out: dict[str, Any] = {"attributes": {"type": sobject, "url": url}}
        for f in fields if fields is not None else SCHEMA[sobject]:
            out[f.name] = json_dt(rec.get(f.name))
        return out

    def _query(self, base: str, soql: str, size: int) -> dict[str, Any]:
        if len(soql) > MAX_SOQL:
            raise SoqlError("MALFORMED_QUERY", "Query is too long")
        q = parse_soql(soql)
        fake = self.server_fake
        rows = [r for r in fake.records[q.sobject].values() if q.where is None or evaluate(q.where, r)]
        for f, desc in reversed(q.order):
            rows.sort(key=lambda r, f=f: sort_key(f, r), reverse=desc)
        if q.limit is not None:
            rows = rows[:q.limit]
        snapshot = [self._out(base, q.sobject, r, q.fields) for r in rows]
        locator = "0r8Dn" + "".join(fake._rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefgh0123456789", k=13))
        fake._cursors[locator] = (snapshot, base)
        return self._page(base, locator, 0, size)

    def _query_more(self, base: str, locator: str, offset: int, size: int) -> dict[str, Any]:
        if locator not in self.server_fake._cursors:
            raise Abort(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(base, locator, offset, size)

    def _page(self, base: str, locator: str, offset: int, size: int) -> dict[str, Any]:
        rows, _ = self.server_fake._cursors[locator]
        chunk = rows[offset:offset + size]
        done = offset + size >= len(rows)
        out: dict[str, Any] = {"totalSize": len(rows), "done": done, "records": chunk}
        if not done:  # a locator stays valid (two days in Salesforce): a page may be read again
            out["nextRecordsUrl"] = f"{base}/query/{locator}-{offset + size}"
        return out

    def _describe(self, sobject: str, base: str) -> dict[str, Any]:
        return {"name": sobject, "label": sobject, "keyPrefix": PREFIXES[sobject], "createable": True,
                "updateable": True, "deletable": True, "queryable": True,
                "urls": {"describe": f"{base}/sobjects/{sobject}/describe"},
                "fields": [{"name": f.name, "label": f.label or f.name, "type": f.type, "length": f.length,
                            "createable": f.createable, "updateable": f.updateable,
                            "nillable": f.name not in REQUIRED[sobject] and f.type != "boolean",
                            "restrictedPicklist": f.restricted,
                            "referenceTo": [f.reference_to] if f.reference_to else [],
                            "picklistValues": [{"active": True, "defaultValue": v == f.default, "label": v,
                                                "validFor": None, "value": v} for v in f.picklist]}
                           for f in SCHEMA[sobject]]}

    def _get_deleted(self, sobject: str, qs: dict[str, list[str]]) -> dict[str, Any]:
        fake = self.server_fake
        try:
            start = parse_sf_datetime(qs["start"][0]).replace(second=0, microsecond=0)
            end = parse_sf_datetime(qs["end"][0]).replace(second=0, microsecond=0)
        except (KeyError, ValueError) as e:
            raise Abort(400, "INVALID_REPLICATION_DATE", "start and end must be dateTime values") from e
        now = fake.clock.now()
        if end - start <= dt.timedelta(minutes=1):
            raise Abort(400, "INVALID_REPLICATION_DATE",
                         "startDate must chronologically precede endDate by more than one minute")
        if start < now - dt.timedelta(days=30):
            raise Abort(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
        purged = fake.earliest_deleted.get(sobject)
        if purged is not None and start < purged:
            raise Abort(400, "INVALID_REPLICATION_DATE", "the delete log was purged after startDate; "
                                                          "replicate the whole table")
        earliest = max(purged or now, now - dt.timedelta(days=15)) if purged else now - dt.timedelta(days=15)
        covered = min(end, now.replace(second=0, microsecond=0))
        deleted = sorted(((i, d) for i, d in fake.deleted[sobject].items()
                          if start <= d < covered and d >= earliest), key=lambda x: (x[1], x[0]))
        return {"deletedRecords": [{"id": i, "deletedDate": sf_datetime(d)} for i, d in deleted],
                "earliestDateAvailable": sf_datetime(earliest), "latestDateCovered": sf_datetime(covered)}
