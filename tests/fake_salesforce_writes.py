"""The fake Salesforce's write resources: single-record GET/PATCH/DELETE and sObject Collections
(POST/PATCH/DELETE ``/composite/sobjects``) with per-record validation, duplicate rules and ``allOrNone``
(mixed into the request handler).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from tests.fake_salesforce_http import Abort
from tests.fake_salesforce_schema import (
    EMAIL_PATTERN,
    NUMBER_TYPES,
    REQUIRED,
    SCHEMA,
    TEXT_TYPES,
    TYPE_BY_PREFIX,
    fields_of,
    is_valid_id,
    parse_sf_datetime,
)

if TYPE_CHECKING:
    from tests.fake_salesforce import FakeSalesforce

MAX_COLLECTION = 200


def _typed(sobject: str, values: dict[str, Any]) -> dict[str, Any]:
    """Values as stored: canonical field names, dates and datetimes parsed."""
    schema = fields_of(sobject)
    out: dict[str, Any] = {}
    for k, v in values.items():
        f = schema[k.lower()]
        if isinstance(v, str) and f.type == "datetime":
            v = parse_sf_datetime(v)
        elif isinstance(v, str) and f.type == "date":
            v = dt.date.fromisoformat(v)
        out[f.name] = v
    return out


class WriteRoutes:
    """Single records and collections; ``_single``'s GET uses ``QueryRoutes._out``."""

    server_fake: FakeSalesforce

    def _single(self, method: str, base: str, sobject: str, record_id: str, body: str) -> tuple[int, Any]:
        fake = self.server_fake
        if not is_valid_id(record_id):
            raise Abort(400, "MALFORMED_ID", f"{sobject} ID: id value of incorrect type: {record_id}")
        rec = fake.records[sobject].get(record_id)
        if rec is None:
            if record_id in fake.deleted[sobject]:
                raise Abort(404, "ENTITY_IS_DELETED", "entity is deleted")
            raise Abort(404, "NOT_FOUND", "The requested resource does not exist")
        if method == "GET":
            return 200, self._out(base, sobject, rec, None)
        if method == "PATCH":
            values = self._json(body)
            if not isinstance(values, dict):
                raise Abort(400, "JSON_PARSER_ERROR", "Expected a JSON object")
            err = self._validate(sobject, values, create=False, stamp=None, current=rec)
            if err:
                raise Abort(400, err["statusCode"], err["message"])
            rec.update(_typed(sobject, values))
            fake._touch(rec, fake._stamp())
            return 204, None
        if method == "DELETE":
            fake._delete(sobject, record_id, fake._stamp())
            return 204, None
        raise Abort(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed")

    # -- collections

    @staticmethod
    def _json(body: str) -> Any:
        try:
            return json.loads(body or "null")
        except ValueError as e:
            raise Abort(400, "JSON_PARSER_ERROR", f"Unexpected character at [line:1, column:{1}]") from e

    def _collections(self, method: str, base: str, qs: dict[str, list[str]], body: str) -> tuple[int, Any]:
        if method == "DELETE":
            ids = [i for i in ",".join(qs.get("ids", [])).split(",") if i]
            all_or_none = (qs.get("allOrNone") or ["false"])[0].lower() == "true"
            if not ids:
                raise Abort(400, "MISSING_ARGUMENT", "ids parameter is required")
            if len(ids) > MAX_COLLECTION:
                raise Abort(400, "EXCEEDED_ID_LIMIT", f"Exceeded max limit of {MAX_COLLECTION} ids")
            return 200, self._apply(ids, all_or_none, self._delete_one)
        if method not in ("POST", "PATCH"):
            raise Abort(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed")
        payload = self._json(body)
        if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
            raise Abort(400, "JSON_PARSER_ERROR", "Expected an object with a records list")
        records = payload["records"]
        if len(records) > MAX_COLLECTION:
            raise Abort(400, "EXCEEDED_ID_LIMIT", f"Exceeded max limit of {MAX_COLLECTION} records")
        for r in records:
            self._check_types(r)
        one = self._create_one if method == "POST" else self._update_one
        return 200, self._apply(records, bool(payload.get("allOrNone")), one)

    def _check_types(self, r: Any) -> None:
        if not isinstance(r, dict) or "type" not in (r.get("attributes") or {}):
            raise Abort(400, "JSON_PARSER_ERROR", "Each record needs an attributes map with a type")
        sobject = next((s for s in SCHEMA if s.lower() == str(r["attributes"]["type"]).lower()), None)
        if sobject is None:
            raise Abort(400, "INVALID_TYPE", f"sObject type '{r['attributes']['type']}' is not supported.")
        schema = fields_of(sobject)
        for k, v in r.items():
            f = schema.get(k.lower())
            if f is None or v is None:
                continue
            bad = (f.type in NUMBER_TYPES and (isinstance(v, bool) or not isinstance(v, int | float))) or \
                  (f.type == "boolean" and not isinstance(v, bool)) or \
                  (f.type not in NUMBER_TYPES and f.type != "boolean" and not isinstance(v, str))
            if not bad and f.type in ("date", "datetime"):
                try:
                    dt.date.fromisoformat(v) if f.type == "date" else parse_sf_datetime(v)
                except ValueError:
                    bad = True
            if bad:
                raise Abort(400, "JSON_PARSER_ERROR", f"Cannot deserialize value of type for field {f.name}")

    def _apply(self, items: list[Any], all_or_none: bool, one: Any) -> list[dict[str, Any]]:
        fake = self.server_fake
        stamp = fake.clock.now()
        saved = copy.deepcopy((fake.records, fake.deleted)) if all_or_none else None
        ctx: dict[str, Any] = {}
        results = [one(item, stamp, ctx) for item in items]
        if any(not r["success"] for r in results):
            if all_or_none:
                fake.records, fake.deleted = saved  # type: ignore[misc]
                rolled_back = self._fail("ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because "
                                         "not all records were valid and the request was using AllOrNone")
                return [r if not r["success"] else rolled_back for r in results]
        if any(r["success"] for r in results):
            fake.clock.advance(1)
        return results

    @staticmethod
    def _fail(code: str, message: str, fields: list[str] | None = None, rid: str | None = None,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
        err = {"statusCode": code, "message": message, "fields": fields or []}
        err.update(extra or {})
        return {"id": rid, "success": False, "errors": [err]}

    def _validate(self, sobject: str, values: dict[str, Any], *, create: bool, stamp: Any,
                  current: dict[str, Any] | None, ctx: dict[str, Any] | None = None) -> dict[str, Any] | None:
        fake = self.server_fake
        schema = fields_of(sobject)
        for k, v in values.items():
            f = schema.get(k.lower())
            if f is None:
                return {"statusCode": "INVALID_FIELD", "message": f"No such column '{k}' on sobject of type "
                                                                  f"{sobject}", "fields": [k]}
            if f.name == "Id" or (create and not f.createable) or (not create and not f.updateable):
                return {"statusCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
                        "message": f"Unable to create/update fields: {f.name}. Please check the security "
                                   "settings of this field and verify that it is read/write for your profile "
                                   "or permission set.", "fields": [f.name]}
            if isinstance(v, str) and f.type in TEXT_TYPES and f.type != "picklist" and len(v) > f.length:
                return {"statusCode": "STRING_TOO_LONG",
                        "message": f"{f.label}: data value too large: {v[:20]}... (max length={f.length})",
                        "fields": [f.name]}
            if f.type == "email" and v and not EMAIL_PATTERN.match(v):
                return {"statusCode": "INVALID_EMAIL_ADDRESS", "fields": [f.name],
                        "message": f"{f.label}: invalid email address: {v}"}
            if f.type == "picklist" and f.restricted and v not in f.picklist:
                return {"statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        "message": f"{f.label}: bad value for restricted picklist field: {v}",
                        "fields": [f.name]}
            if f.type == "reference" and v:
                targets = (f.reference_to or "").split(",")
                target = TYPE_BY_PREFIX.get(v[:3]) if is_valid_id(v) else None
                if target not in targets or (target in fake.records and v not in fake.records[target]):
                    return {"statusCode": "INVALID_CROSS_REFERENCE_KEY",
                            "message": f"invalid cross reference id: {v}", "fields": [f.name]}
        merged = {**(current or {}), **{schema[k.lower()].name: v for k, v in values.items()}}
        for req in REQUIRED[sobject]:
            if (create or req.lower() in {k.lower() for k in values}) and merged.get(req) in (None, ""):
                return {"statusCode": "REQUIRED_FIELD_MISSING", "fields": [req],
                        "message": f"Required fields are missing: [{req}]"}
        if sobject == "Contact" and fake.contact_email_rule and merged.get("Email"):
            email = str(merged["Email"]).lower()
            own = current["Id"] if current else None
            dup = next((r["Id"] for r in fake.records["Contact"].values()
                        if r["Id"] != own and str(r.get("Email") or "").lower() == email), None)
            if dup is not None:
                return {"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?",
                        "fields": [],
                        "duplicateResult": {
                            "allowSave": False, "duplicateRule": "Standard_Contact_Duplicate_Rule",
                            "duplicateRuleEntityType": "Contact", "errorMessage": "Use one of these records?",
                            "matchResults": [{"entityType": "Contact", "matchEngine": "ExactMatchEngine",
                                              "rule": "Standard_Contact_Match_Rule_v1_1", "size": 1,
                                              "success": True, "errors": [],
                                              "matchRecords": [{"matchConfidence": 100.0, "fieldDiffs": [],
                                                                "additionalInformation": [],
                                                                "record": {"attributes": {"type": "Contact"},
                                                                           "Id": dup}}]}]}}
        return None

    def _create_one(self, r: dict[str, Any], stamp: dt.datetime, ctx: dict[str, Any]) -> dict[str, Any]:
        fake = self.server_fake
        sobject = next(s for s in SCHEMA if s.lower() == str(r["attributes"]["type"]).lower())
        values = {k: v for k, v in r.items() if k != "attributes"}
        if any(k.lower() == "id" for k in values):
            return self._fail("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        err = self._validate(sobject, values, create=True, stamp=stamp, current=None, ctx=ctx)
        if err:
            return {"id": None, "success": False, "errors": [err]}
        rec = fake._new_record(sobject, _typed(sobject, values), stamp)
        fake.records[sobject][rec["Id"]] = rec
        return {"id": rec["Id"], "success": True, "errors": []}

    def _update_one(self, r: dict[str, Any], stamp: dt.datetime, ctx: dict[str, Any]) -> dict[str, Any]:
        fake = self.server_fake
        rid = r.get("id") or r.get("Id")
        if not rid:
            return self._fail("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        if not is_valid_id(str(rid)):
            return self._fail("MALFORMED_ID", f"malformed id {rid}", ["Id"])
        sobject, rec, deleted = fake.find_record(str(rid))
        if deleted:
            return self._fail("ENTITY_IS_DELETED", "entity is deleted", [], str(rid))
        if rec is None or sobject is None or sobject.lower() != str(r["attributes"]["type"]).lower():
            return self._fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [], str(rid))
        values = {k: v for k, v in r.items() if k not in ("attributes", "id", "Id")}
        err = self._validate(sobject, values, create=False, stamp=stamp, current=rec, ctx=ctx)
        if err:
            return {"id": rid, "success": False, "errors": [err]}
        rec.update(_typed(sobject, values))
        fake._touch(rec, stamp)
        return {"id": rid, "success": True, "errors": []}

    def _delete_one(self, rid: str, stamp: dt.datetime, ctx: dict[str, Any]) -> dict[str, Any]:
        fake = self.server_fake
        if not is_valid_id(rid):
            return self._fail("MALFORMED_ID", f"malformed id {rid}", [], rid)
        sobject, rec, deleted = fake.find_record(rid)
        if deleted:
            return self._fail("ENTITY_IS_DELETED", "entity is deleted", [], rid)
        if rec is None or sobject is None:
            return self._fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [], rid)
        fake._delete(sobject, rid, stamp)
        return {"id": rid, "success": True, "errors": []}

