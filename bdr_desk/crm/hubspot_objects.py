"""HubSpot object types and values: which endpoint an object type goes to (``account`` → companies, ``contact``
→ contacts, ``opportunity`` → deals, ``activity`` → notes / tasks / calls / meetings), the routing of activities
by ``@kind`` or property prefix, external ids (``calls:123``), property and timestamp conversions, error
categories, and HubSpot objects turned into :class:`~bdr_desk.crm.connector.RemoteRecord` with their company
associations.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Sequence
from typing import Any

from bdr_desk.crm.connector import ConnectorError, RemoteRecord
from bdr_desk.crm.http import CrmHttp, one_line

BATCH_LIMIT = 100
ASSOC_READ_LIMIT = 1000

OBJECTS = {"account": "companies", "contact": "contacts", "opportunity": "deals", "activity": "notes"}
ACTIVITY_TYPES = ("notes", "tasks", "calls", "meetings")
ACTIVITY_PREFIXES = (("hs_task_", "tasks"), ("hs_call_", "calls"), ("hs_meeting_", "meetings"),
                     ("hs_note_", "notes"))
PUSH_TYPES = frozenset({"account", "contact", "activity"})
PULL_TYPES = frozenset({"account", "contact", "opportunity"})
NATURAL_KEYS = {"contacts": "email", "companies": "domain"}
ASSOCIATED_COMPANIES = frozenset({"contacts", "deals"})  # records pulled with their company ids
FIELD_TYPES = {"string": "string", "number": "number", "date": "date", "datetime": "datetime",
               "enumeration": "enumeration", "bool": "bool", "phone_number": "string"}
ERROR_CATEGORIES = {"CONFLICT": "duplicate", "OBJECT_NOT_FOUND": "not_found", "VALIDATION_ERROR": "validation",
                    "RATE_LIMITS": "rate_limit", "INVALID_AUTHENTICATION": "auth", "MISSING_SCOPES": "auth",
                    "INVALID_EMAIL": "validation", "PROPERTY_DOESNT_EXIST": "validation",
                    "INVALID_OPTION": "validation", "READ_ONLY_VALUE": "validation"}
EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)", re.IGNORECASE)


def modified_property(hs_type: str) -> str:
    return "lastmodifieddate" if hs_type == "contacts" else "hs_lastmodifieddate"


def parse_time(value: Any) -> dt.datetime | None:
    """HubSpot timestamps: ISO 8601 (``2024-05-01T10:00:00.123Z``) or epoch milliseconds."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if text.isdigit():
            return dt.datetime.fromtimestamp(int(text) / 1000, dt.UTC)
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def to_ms(when: dt.datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # naive means UTC here, as SQLite hands timestamps back
    return int(when.timestamp() * 1000)


def property_value(value: Any) -> Any:
    """A value as HubSpot takes it: None clears the property, dates as ISO, decimals as text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value



def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def kind_of(error: dict[str, Any]) -> str:
    category = str(error.get("category") or "")
    sub = str(error.get("subCategory") or "")
    if "NOT_FOUND" in sub.upper():
        return "not_found"
    return ERROR_CATEGORIES.get(category, "validation")


def existing_id(message: str) -> str | None:
    match = EXISTING_ID.search(message or "")
    return match.group(1) if match else None



class HubSpotObjects:
    """Object types, ids and records; mixed into :class:`~bdr_desk.crm.hubspot.HubSpotConnector` (uses its
    ``http``)."""

    http: CrmHttp

    @staticmethod
    def _hs_type(object_type: str) -> str:
        try:
            return OBJECTS[object_type]
        except KeyError:
            raise ConnectorError("config", f"HubSpot: unknown object type {object_type!r}") from None

    def _require(self, object_type: str, allowed: frozenset[str], verb: str) -> None:
        self._hs_type(object_type)
        if object_type not in allowed:
            raise ConnectorError("config", f"HubSpot {OBJECTS[object_type]} are not {verb} by BDR Desk")

    @staticmethod
    def _activity_type(props: dict[str, Any]) -> str:
        kind = props.get("@kind")
        if kind in ACTIVITY_TYPES:
            return str(kind)
        for prefix, hs in ACTIVITY_PREFIXES:
            if any(str(k).startswith(prefix) for k in props):
                return hs
        return "notes"

    def _split_id(self, object_type: str, external_id: str) -> tuple[str, str]:
        hs = self._hs_type(object_type)
        text = str(external_id)
        if object_type == "activity" and ":" in text:
            kind, _, rid = text.partition(":")
            if kind not in ACTIVITY_TYPES:
                raise ConnectorError("config", f"HubSpot: not an activity id: {one_line(text, 40)!r}")
            return kind, rid
        return hs, text

    @staticmethod
    def _ext_id(hs: str, rid: str) -> str:
        return f"{hs}:{rid}" if hs in ("tasks", "calls", "meetings") else str(rid)

    @staticmethod
    def _norm(key_property: str, value: Any) -> str:
        text = "" if value is None else str(value).strip()
        return text.lower() if key_property in ("email", "domain") else text

    @staticmethod
    def _clean(props: dict[str, Any]) -> dict[str, Any]:
        """HubSpot values; ``@``-names are the engine's pseudo-fields (``@kind``, ``@account``), never sent."""
        return {str(k): property_value(v) for k, v in props.items() if not str(k).startswith("@")}

    @staticmethod
    def _props(hs: str, properties: Sequence[str]) -> list[str]:
        return list(dict.fromkeys([*properties, modified_property(hs)]))

    # ---- records -------------------------------------------------------------------------------------------

    def _records(self, hs: str, objs: list[dict[str, Any]],
                 inline: bool = False) -> list[RemoteRecord]:
        assoc: dict[str, list[str]] | None = None
        if hs in ASSOCIATED_COMPANIES:
            if inline:
                assoc = {str(o["id"]): [str(a["id"]) for a in
                                        ((o.get("associations") or {}).get("companies") or {}).get("results", [])]
                         for o in objs}
            else:
                assoc = self._company_ids(hs, [str(o["id"]) for o in objs])
        out = []
        for obj in objs:
            rid = str(obj["id"])
            props = dict(obj.get("properties") or {})
            associations = {"account": list(dict.fromkeys(assoc.get(rid, [])))} if assoc is not None else {}
            out.append(RemoteRecord(
                external_id=self._ext_id(hs, rid), properties=props,
                updated_at=parse_time(obj.get("updatedAt")) or parse_time(props.get(modified_property(hs))),
                associations=associations, archived=bool(obj.get("archived"))))
        return out

    def _company_ids(self, hs: str, ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in chunks(list(dict.fromkeys(ids)), ASSOC_READ_LIMIT):
            if not chunk:
                continue
            _, body = self.http.request("POST", f"/crm/v4/associations/{hs}/companies/batch/read",
                                        idempotent=True, json={"inputs": [{"id": rid} for rid in chunk]})
            for row in (body or {}).get("results", []):
                fid = str((row.get("from") or {}).get("id"))
                out.setdefault(fid, []).extend(str(t.get("toObjectId")) for t in row.get("to") or [])
        return out
