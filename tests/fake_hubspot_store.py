"""The fake HubSpot's records: ids and timestamps, create / update / archive, the email index (contacts are
unique by email), associations, property validation and the JSON shape of an object (mixed into
:class:`~tests.fake_hubspot.FakeHubSpot`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from tests.fake_hubspot_http import ApiError
from tests.fake_hubspot_schema import (
    ALIASES,
    ASSOC_TYPE_IDS,
    DEFAULT_PROPERTIES,
    ENGAGEMENTS,
    iso,
    modified_property,
    to_ms,
)


class Store:
    """The state the endpoints share; the attributes are set by ``FakeHubSpot.__init__``."""

    clock: Callable[[], float]
    objects: dict[str, dict[str, dict[str, Any]]]
    properties: dict[str, list[dict[str, Any]]]
    assocs: dict[tuple[str, str, str], dict[str, int]]
    item_fault: Callable[[str, str, dict[str, Any]], tuple[str, str] | None] | None
    _emails: dict[str, str]
    _ids: itertools.count[int]
    _last_ms: int

    def _stamp(self) -> int:
        ms = max(int(self.clock() * 1000), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def _type(self, name: str) -> str:
        try:
            return ALIASES[name.lower()]
        except KeyError:
            raise ApiError(400, "VALIDATION_ERROR", f"Unable to infer object type from: {name}") from None

    def _prop_defs(self, hs: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.properties[hs]}

    def _create(self, hs: str, props: dict[str, Any], ms: int) -> dict[str, Any]:
        rid = str(next(self._ids))
        obj = {"id": rid, "properties": {}, "createdAt": iso(ms), "updatedAt": iso(ms), "archived": False,
               "archivedAt": None}
        for k, v in props.items():
            text = self._text(k, v)
            if text is not None:
                obj["properties"][k] = text
        obj["properties"].update({"hs_object_id": rid, "createdate": iso(ms), modified_property(hs): iso(ms)})
        self._derive(hs, obj)
        self.objects[hs][rid] = obj
        self._index_email(hs, obj, None)
        return obj

    def _index_email(self, hs: str, obj: dict[str, Any], old: str | None) -> None:
        """The live contacts by email (HubSpot's uniqueness rule), kept as records change."""
        if hs != "contacts":
            return
        if old and self._emails.get(old) == obj["id"]:
            del self._emails[old]
            other = next((o["id"] for o in self.objects[hs].values()  # rare: a duplicate seeded directly
                          if not o["archived"] and o["properties"].get("email") == old and o is not obj), None)
            if other is not None:
                self._emails[old] = other
        email = obj["properties"].get("email")
        if email and not obj["archived"]:
            self._emails.setdefault(email, obj["id"])

    def _update(self, hs: str, obj: dict[str, Any], props: dict[str, Any], ms: int) -> bool:
        old_email = obj["properties"].get("email")
        changed = False
        for k, v in props.items():
            text = self._text(k, v)
            if obj["properties"].get(k) != text:
                changed = True
                if text is None:
                    obj["properties"].pop(k, None)
                else:
                    obj["properties"][k] = text
        if changed:
            obj["updatedAt"] = iso(ms)
            obj["properties"][modified_property(hs)] = iso(ms)
            self._derive(hs, obj)
            self._index_email(hs, obj, old_email)
        return changed

    @staticmethod
    def _derive(hs: str, obj: dict[str, Any]) -> None:
        """Calculated properties: a deal's closed / won flags follow its stage."""
        if hs == "deals":
            stage = obj["properties"].get("dealstage")
            obj["properties"]["hs_is_closed"] = "true" if stage in ("closedwon", "closedlost") else "false"
            obj["properties"]["hs_is_closed_won"] = "true" if stage == "closedwon" else "false"

    def _archive(self, hs: str, obj: dict[str, Any], ms: int) -> None:
        if not obj["archived"]:
            obj["archived"] = True
            obj["archivedAt"] = iso(ms)
            obj["updatedAt"] = iso(ms)
            self._index_email(hs, obj, obj["properties"].get("email"))

    @staticmethod
    def _text(name: str, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        text = str(value)
        return text.lower() if name == "email" else text

    def _associate(self, from_hs: str, fid: str, to_hs: str, tid: str) -> int:
        type_id = ASSOC_TYPE_IDS.get((from_hs, to_hs), 1)
        self.assocs.setdefault((from_hs, fid, to_hs), {})[tid] = type_id
        self.assocs.setdefault((to_hs, tid, from_hs), {})[fid] = ASSOC_TYPE_IDS.get((to_hs, from_hs), 1)
        return type_id

    def _live(self, hs: str, rid: str) -> dict[str, Any] | None:
        obj = self.objects[hs].get(str(rid))
        return obj if obj is not None and not obj["archived"] else None

    def _email_owner(self, email: str, pending: dict[str, str]) -> str | None:
        email = email.strip().lower()
        return pending.get(email) or self._emails.get(email)

    def _validate(self, hs: str, props: Any, op: str, current: str | None,
                  pending: dict[str, str]) -> ApiError | None:
        if not isinstance(props, dict):
            return ApiError(400, "VALIDATION_ERROR", "properties must be an object")
        defs = self._prop_defs(hs)
        for name, value in props.items():
            spec = defs.get(name)
            if spec is None:
                return ApiError(400, "VALIDATION_ERROR", f'Property "{name}" does not exist',
                                subCategory="PROPERTY_DOESNT_EXIST")
            if spec["modificationMetadata"]["readOnlyValue"]:
                return ApiError(400, "VALIDATION_ERROR", f'"{name}" is a read only property; its value cannot be set',
                                subCategory="READ_ONLY_VALUE")
            text = self._text(name, value)
            if text is None:
                continue
            if spec["type"] == "enumeration" and spec["options"] and text not in {o["value"] for o in spec["options"]}:
                return ApiError(400, "VALIDATION_ERROR", f"Property values were not valid: {text!r} was not one of "
                                f"the allowed options for {name}", subCategory="INVALID_OPTION")
            if spec["type"] == "number":
                try:
                    float(text)
                except ValueError:
                    return ApiError(400, "VALIDATION_ERROR",
                                    f"Property values were not valid: {text!r} is not a number for {name}")
            if spec["type"] in ("date", "datetime") and to_ms(text) is None:
                return ApiError(400, "VALIDATION_ERROR", f"Property values were not valid: {text!r} is not a "
                                f"date for {name}")
            if name == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
                return ApiError(400, "VALIDATION_ERROR", f"Property values were not valid: invalid email {text!r}",
                                subCategory="INVALID_EMAIL")
        if hs in ENGAGEMENTS and op == "create" and not props.get("hs_timestamp"):
            return ApiError(400, "VALIDATION_ERROR", "Property values were not valid: hs_timestamp is required")
        if hs == "contacts" and props.get("email"):
            owner = self._email_owner(str(props["email"]), pending)
            if owner is not None and owner != current:
                return ApiError(409, "CONFLICT", f"Contact already exists. Existing ID: {owner}")
        if self.item_fault is not None:
            hit = self.item_fault(hs, op, props)
            if hit is not None:
                return ApiError(400, hit[0], hit[1])
        return None

    def _out(self, hs: str, obj: dict[str, Any], wanted: list[str] | None, *, everything: bool = False,
             trace: str | None = None) -> dict[str, Any]:
        if everything:
            props = dict(obj["properties"])
        else:
            names = list(dict.fromkeys([*(wanted or DEFAULT_PROPERTIES[hs]), "hs_object_id", "createdate",
                                        modified_property(hs)]))
            props = {n: obj["properties"].get(n) for n in names}
        out = {"id": obj["id"], "properties": props, "createdAt": obj["createdAt"], "updatedAt": obj["updatedAt"],
               "archived": obj["archived"]}
        if obj["archived"]:
            out["archivedAt"] = obj["archivedAt"]
        if trace is not None:
            out["objectWriteTraceId"] = trace
        return out

    def _stamp_peek(self) -> int:
        return max(int(self.clock() * 1000), self._last_ms)

    def _inputs(self, body: Any, limit: int) -> list[Any]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not inputs:
            raise ApiError(400, "VALIDATION_ERROR", "Invalid input JSON: inputs must be a non-empty list")
        if len(inputs) > limit:
            raise ApiError(400, "VALIDATION_ERROR", f"Batch input limit exceeded: {len(inputs)} inputs, at most "
                                                    f"{limit} are allowed", subCategory="BATCH_LIMIT_EXCEEDED")
        return inputs
