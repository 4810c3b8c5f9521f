"""Salesforce writes: sObject Collections create / update / delete, at most 200 records per call with
``allOrNone=false``, one :class:`~bdr_desk.crm.connector.ItemResult` per input, and association updates.

A create whose answer was lost (timeout, dropped connection, 5xx) is reconciled, never blindly re-sent: SOQL is
consistent at once, so records created since just before the call with exactly the values sent are taken as
done, and only the others are created again.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
from collections.abc import Sequence
from typing import Any

from bdr_desk.crm.connector import ConnectorError, ItemResult
from bdr_desk.crm.http import CrmHttpError, one_line
from bdr_desk.crm.mapping import KIND_KEY
from bdr_desk.crm.salesforce_schema import ACTIVITY_KINDS, ASSOCIATIONS, RECORD_ERROR_KINDS, kind_of
from bdr_desk.crm.salesforce_soql import FIELD_NAME, is_id, parse_datetime, soql_datetime

log = logging.getLogger("bdr_desk.crm.salesforce")  # the connector's logger, whichever module logs

BATCH_LIMIT = 200  # sObject Collections: at most 200 records per call
RECONCILE_MARGIN = dt.timedelta(minutes=5)  # clock skew allowed when looking for records a lost call created
# for an update or a delete, these name the record itself: it is not there
_MISSING_RECORD = {"INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID", "INVALID_ID_FIELD", "ENTITY_IS_DELETED"}


class SalesforceWrites:
    """Mixed into :class:`~bdr_desk.crm.salesforce.SalesforceConnector`; uses its ``_sobject``, ``_request``,
    ``_query_all``, ``_base`` and ``_clock``."""

    def create(self, object_type: str, records: Sequence[dict[str, Any]]) -> list[ItemResult]:
        sobject = self._sobject(object_type, write=True)
        items = []
        for i, rec in enumerate(records):
            kind, values = self._outgoing(object_type, sobject, rec)
            items.append((i, {"attributes": {"type": kind}, **values}))
        return self._write("create", items, len(records))

    def update(self, object_type: str, records: Sequence[tuple[str, dict[str, Any]]]) -> list[ItemResult]:
        sobject = self._sobject(object_type, write=True)
        results: list[ItemResult | None] = [None] * len(records)
        items = []
        for i, (rid, rec) in enumerate(records):
            if not is_id(rid):
                results[i] = _not_an_id(i, rid)
                continue
            kind, values = self._outgoing(object_type, kind_of(rid, sobject), rec, kind_from_record=False)
            if not values:  # nothing to change: Salesforce would still bump the record's modstamp
                results[i] = ItemResult(i, external_id=rid)
                continue
            items.append((i, {"attributes": {"type": kind}, "id": rid, **values}))
        return self._write("update", items, len(records), results)

    def delete(self, object_type: str, external_ids: Sequence[str]) -> list[ItemResult]:
        self._sobject(object_type, write=True)
        results: list[ItemResult | None] = [None] * len(external_ids)
        items = []
        for i, rid in enumerate(external_ids):
            if is_id(rid):
                items.append((i, rid))
            else:
                results[i] = _not_an_id(i, rid)
        return self._write("delete", items, len(external_ids), results)

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        fieldname = ASSOCIATIONS.get((from_type, to_type))
        if fieldname is None:
            raise ConnectorError("config", f"Salesforce cannot associate {from_type} with {to_type}")
        if not is_id(from_id) or not is_id(to_id):
            raise ConnectorError("not_found", f"Salesforce associate {from_type} → {to_type}: not record ids")
        sobject = kind_of(from_id, self._sobject(from_type))
        self._request("PATCH", f"{self._base}/sobjects/{sobject}/{from_id}", json={fieldname: to_id},
                      idempotent=True)

    def _outgoing(self, object_type: str, sobject: str, rec: dict[str, Any], *,
                  kind_from_record: bool = True) -> tuple[str, dict[str, Any]]:
        """(sObject type, JSON-ready field values): on create ``@kind`` chooses Task or Event (an existing
        record's kind is in its id), ``@account`` / ``@contact`` become the lookup field."""
        kind = sobject
        if object_type == "activity" and kind_from_record:
            kind = str(rec.get(KIND_KEY) or sobject)
            if kind not in ACTIVITY_KINDS:
                kind = sobject
        values: dict[str, Any] = {}
        for name, value in rec.items():
            if name == KIND_KEY:
                continue
            if name.startswith("@"):
                target = name[1:]
                fieldname = ASSOCIATIONS.get((object_type, target))
                if fieldname is None:
                    continue
                values[fieldname] = value
                continue
            if name in ("attributes", "Id", "id"):
                continue
            values[name] = _jsonable(value)
        return kind, values

    def _write(self, op: str, items: list[tuple[int, Any]], total: int,
               results: list[ItemResult | None] | None = None) -> list[ItemResult]:
        """Send ``items`` ((input index, payload)) 200 at a time. A call that fails as a whole before any
        input succeeded raises; after that, the inputs not done carry its error, so nothing done is lost."""
        results = results if results is not None else [None] * total
        try:
            for start in range(0, len(items), BATCH_LIMIT):
                self._send(op, items[start:start + BATCH_LIMIT], results, rounds=2)
        except ConnectorError as exc:
            if not any(r is not None and r.ok for r in results):
                raise
            for i, r in enumerate(results):
                if r is None:
                    results[i] = ItemResult(i, error_kind=exc.kind, error=f"{exc} (not sent)")
        return [r if r is not None else ItemResult(i, error_kind="server", error="no result")
                for i, r in enumerate(results)]

    def _send(self, op: str, chunk: list[tuple[int, Any]], results: list[ItemResult | None],
              rounds: int) -> None:
        path = f"{self._base}/composite/sobjects"
        started = self._clock()
        try:
            if op == "delete":
                body = self._request("DELETE", path, params={"ids": ",".join(rid for _, rid in chunk),
                                                             "allOrNone": "false"})
            else:
                body = self._request("POST" if op == "create" else "PATCH", path, idempotent=op == "update",
                                     json={"allOrNone": False, "records": [rec for _, rec in chunk]})
        except CrmHttpError as exc:
            if exc.ambiguous and op == "create":
                self._reconcile(chunk, results, exc, started, rounds)
                return
            raise
        if not isinstance(body, list) or len(body) != len(chunk):
            raise ConnectorError("server", f"Salesforce {op}: expected {len(chunk)} results, got "
                                           f"{len(body) if isinstance(body, list) else type(body).__name__}")
        for (i, _), res in zip(chunk, body, strict=True):
            results[i] = _item_result(i, res if isinstance(res, dict) else {}, op)

    def _reconcile(self, chunk: list[tuple[int, dict[str, Any]]], results: list[ItemResult | None],
                   exc: CrmHttpError, started: dt.datetime, rounds: int) -> None:
        """A create call got no answer: SOQL is consistent at once, so look for records created since just
        before the call with exactly the values sent; create again only those not there."""
        unknown = f"{exc} — outcome unknown, the record may have been created"
        by_kind: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for i, rec in chunk:
            by_kind.setdefault(rec["attributes"]["type"], []).append((i, rec))
        missing: list[tuple[int, dict[str, Any]]] = []
        # a record already given to another input (an identical one, earlier in this call) is not taken twice
        taken = {r.external_id for r in results if r is not None and r.ok and r.external_id}
        for kind, group in by_kind.items():
            names = sorted({k for _, rec in group for k in rec
                            if k not in ("attributes", "Id") and FIELD_NAME.match(k)})
            after = soql_datetime(started - RECONCILE_MARGIN)
            soql = f"SELECT {', '.join(['Id', *names])} FROM {kind} WHERE CreatedDate >= {after} " \
                   "ORDER BY CreatedDate, Id"
            try:
                candidates = list(self._query_all(soql))
            except ConnectorError:
                for i, _ in group:
                    results[i] = ItemResult(i, error_kind=exc.kind, error=unknown)
                continue
            for i, rec in group:
                match = next((c for c in candidates if c.get("Id") not in taken and _same_values(rec, c)),
                             None)
                if match is not None:
                    taken.add(str(match["Id"]))
                    results[i] = ItemResult(i, external_id=str(match["Id"]))
                else:
                    missing.append((i, rec))
        if missing and rounds > 0:
            log.info("Salesforce create: %d of %d records not there after a failed call; creating them again",
                     len(missing), len(chunk))
            self._send("create", missing, results, rounds - 1)
        else:
            for i, _ in missing:
                results[i] = ItemResult(i, error_kind=exc.kind, error=unknown)


def _not_an_id(index: int, value: Any) -> ItemResult:
    return ItemResult(index, error_kind="not_found", error=f"not a Salesforce record id: {str(value)[:40]!r}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _item_result(index: int, res: dict[str, Any], op: str) -> ItemResult:
    rid = res.get("id")
    if res.get("success"):
        return ItemResult(index, external_id=str(rid) if rid else None)
    errors = [e for e in res.get("errors") or [] if isinstance(e, dict)]
    code = str(errors[0].get("statusCode") or "UNKNOWN") if errors else "UNKNOWN"
    if op == "delete" and code == "ENTITY_IS_DELETED":
        return ItemResult(index, external_id=str(rid) if rid else None)  # already gone: the goal is reached
    kind = "not_found" if op != "create" and code in _MISSING_RECORD else \
        RECORD_ERROR_KINDS.get(code, "validation")
    parts = []
    for e in errors or [{"statusCode": code, "message": "no details"}]:
        text = f"{e.get('statusCode')}: {e.get('message') or ''}".strip()
        if e.get("fields"):
            text += f" ({', '.join(map(str, e['fields']))})"
        parts.append(text)
    existing = _duplicate_id(errors[0]) if kind == "duplicate" and errors else None
    message = "; ".join(parts) + (f" — existing record {existing}" if existing else "")
    return ItemResult(index, external_id=existing, error_kind=kind, error=one_line(message))


def _duplicate_id(error: dict[str, Any]) -> str | None:
    """The id of the record a duplicate rule matched, when Salesforce says (``duplicateResult``)."""
    dup = error.get("duplicateResult") or {}
    for match in dup.get("matchResults") or []:
        for rec in match.get("matchRecords") or []:
            rid = (rec.get("record") or {}).get("Id")
            if rid:
                return str(rid)
    return None


def _same_values(sent: dict[str, Any], found: dict[str, Any]) -> bool:
    lower = {k.lower(): v for k, v in found.items()}
    for k, v in sent.items():
        if k == "attributes":
            continue
        have = lower.get(k.lower())
        if v is None or v == "":
            if have not in (None, ""):
                return False
        elif isinstance(v, bool) or have is None:
            if have != v:
                return False
        elif isinstance(v, int | float) and not isinstance(have, bool):
            try:
                if float(have) != float(v):
                    return False
            except (TypeError, ValueError):
                return False
        elif isinstance(v, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", v):
            if parse_datetime(v) != parse_datetime(str(have)):
                return False
        elif str(v).strip().lower() != str(have).strip().lower():
            return False
    return True

