"""The fake HubSpot's read endpoints: ``batch/read`` (by id or ``idProperty=email``), search (filter groups,
sorts, paging by offset up to the result cap), listing by id (with inline associations) and single-object GET.
"""

from __future__ import annotations

from typing import Any

from tests.fake_hubspot_http import ApiError
from tests.fake_hubspot_schema import SINGULAR, iso, to_ms
from tests.fake_hubspot_store import Store


class SearchRoutes(Store):
    """Reads and search (mixed into :class:`~tests.fake_hubspot.FakeHubSpot`)."""

    search_cap: int

    def _batch_read(self, hs: str, inputs: list[Any], body: dict[str, Any], query: dict[str, list[str]],
                    started: str) -> tuple[int, Any]:
        id_prop = body.get("idProperty") or "hs_object_id"
        if id_prop not in ("hs_object_id", "email") or (id_prop == "email" and hs != "contacts"):
            raise ApiError(400, "VALIDATION_ERROR", f"{id_prop} is not a unique property of {hs}")
        archived = (query.get("archived") or ["false"])[0] == "true"
        wanted = body.get("properties") or None
        results, missing = [], []
        for inp in inputs:
            key = str(inp.get("id"))
            if id_prop == "email":
                owner = self._email_owner(key, {})
                obj = self.objects[hs].get(owner) if owner else None
            else:
                obj = self.objects[hs].get(key)
            if obj is None or obj["archived"] != archived:
                missing.append(key)
            else:
                results.append(self._out(hs, obj, wanted))
        out: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                               "completedAt": iso(self._stamp_peek())}
        if missing:
            out.update({"numErrors": 1, "errors": [{
                "status": "error", "category": "OBJECT_NOT_FOUND",
                "message": f"Could not get some {hs.upper()} objects, they may be deleted or not exist. "
                           "Check that ids are valid.", "context": {"ids": missing}}]})
        return (207 if missing else 200), out

    def _value(self, hs: str, obj: dict[str, Any], name: str) -> Any:
        if name == "hs_object_id":
            return int(obj["id"])
        raw = obj["properties"].get(name)
        if raw is None:
            return None
        spec = self._prop_defs(hs).get(name, {})
        if spec.get("type") in ("date", "datetime"):
            return to_ms(raw)
        if spec.get("type") == "number":
            try:
                return float(raw)
            except ValueError:
                return None
        return str(raw).lower()

    def _coerce(self, hs: str, name: str, raw: Any) -> Any:
        spec = self._prop_defs(hs).get(name, {})
        if name == "hs_object_id" or spec.get("type") == "number":
            return float(raw)
        if spec.get("type") in ("date", "datetime"):
            ms = to_ms(raw)
            if ms is None:
                raise ApiError(400, "VALIDATION_ERROR", f"{raw!r} is not a date for {name}")
            return ms
        return str(raw).lower()

    def _matches(self, hs: str, obj: dict[str, Any], flt: dict[str, Any]) -> bool:
        name, op = flt.get("propertyName"), str(flt.get("operator") or "EQ").upper()
        if name not in self._prop_defs(hs):
            raise ApiError(400, "VALIDATION_ERROR", f"There was a problem with the request: Unable to find "
                                                    f"property {name}")
        have = self._value(hs, obj, name)
        if op == "HAS_PROPERTY":
            return have is not None
        if op == "NOT_HAS_PROPERTY":
            return have is None
        if op in ("IN", "NOT_IN"):
            values = flt.get("values") or []
            if len(values) > 100:
                raise ApiError(400, "VALIDATION_ERROR", "Too many values in an IN filter (at most 100)")
            hit = have is not None and have in {self._coerce(hs, name, v) for v in values}
            return hit if op == "IN" else not hit
        if op == "BETWEEN":
            low, high = self._coerce(hs, name, flt.get("value")), self._coerce(hs, name, flt.get("highValue"))
            return have is not None and low <= have <= high
        want = self._coerce(hs, name, flt.get("value"))
        if op == "EQ":
            return have == want
        if op == "NEQ":
            return have != want
        if have is None:
            return False
        return {"GT": have > want, "GTE": have >= want, "LT": have < want, "LTE": have <= want}.get(op, False)

    def _search(self, name: str, *, query: Any, body: Any) -> tuple[int, Any]:
        hs = self._type(name)
        body = body if isinstance(body, dict) else {}
        groups = body.get("filterGroups") or []
        if len(groups) > 5 or any(len(g.get("filters") or []) > 6 for g in groups) or \
                sum(len(g.get("filters") or []) for g in groups) > 18:
            raise ApiError(400, "VALIDATION_ERROR", "Too many filters: at most 5 filterGroups, 6 filters per "
                                                    "group and 18 filters in all")
        limit = int(body.get("limit") or 10)
        if not 1 <= limit <= 200:
            raise ApiError(400, "VALIDATION_ERROR", "limit must be between 1 and 200")
        offset = int(body.get("after") or 0)
        if offset >= self.search_cap:
            raise ApiError(400, "VALIDATION_ERROR", f"Search results are limited to {self.search_cap} per "
                                                    "query; refine the filters instead of paging further")
        rows = [o for o in self.objects[hs].values() if not o["archived"] and
                (not groups or any(all(self._matches(hs, o, f) for f in g.get("filters") or []) for g in groups))]
        rows.sort(key=lambda o: int(o["id"]))
        for sort in reversed(body.get("sorts") or []):
            prop = sort.get("propertyName") if isinstance(sort, dict) else str(sort).lstrip("-")
            desc = (sort.get("direction") == "DESCENDING") if isinstance(sort, dict) else str(sort).startswith("-")
            present = [o for o in rows if self._value(hs, o, prop) is not None]
            absent = [o for o in rows if self._value(hs, o, prop) is None]
            present.sort(key=lambda o, p=prop: self._value(hs, o, p), reverse=desc)
            rows = present + absent
        end = min(offset + limit, len(rows), self.search_cap)
        page = rows[offset:end]
        out: dict[str, Any] = {"total": len(rows), "results": [self._out(hs, o, body.get("properties")) for o in page]}
        if end < min(len(rows), self.search_cap):
            out["paging"] = {"next": {"after": str(end), "link": f"?after={end}"}}
        return 200, out

    def _list(self, name: str, *, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        hs = self._type(name)
        limit = int((query.get("limit") or ["10"])[0])
        if not 1 <= limit <= 100:
            raise ApiError(400, "VALIDATION_ERROR", "limit must be between 1 and 100")
        after = int((query.get("after") or ["0"])[0] or 0)
        archived = (query.get("archived") or ["false"])[0] == "true"
        wanted = [p for v in query.get("properties", []) for p in v.split(",") if p] or None
        assoc_types = [self._type(a) for v in query.get("associations", []) for a in v.split(",") if a]
        rows = sorted((o for o in self.objects[hs].values() if o["archived"] == archived and int(o["id"]) > after),
                      key=lambda o: int(o["id"]))
        page = rows[:limit]
        results = []
        for obj in page:
            out = self._out(hs, obj, wanted)
            if assoc_types:
                out["associations"] = {
                    to: {"results": [{"id": tid, "type": f"{SINGULAR[hs]}_to_{SINGULAR[to]}"}
                                     for tid in self.assocs.get((hs, obj["id"], to), {})
                                     if self._live(to, tid) is not None]}
                    for to in assoc_types}
            results.append(out)
        out_body: dict[str, Any] = {"results": results}
        if len(rows) > limit:
            out_body["paging"] = {"next": {"after": page[-1]["id"], "link": f"?after={page[-1]['id']}"}}
        return 200, out_body

    def _get_one(self, name: str, rid: str, *, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        hs = self._type(name)
        obj = self._live(hs, rid)
        if obj is None:
            raise ApiError(404, "OBJECT_NOT_FOUND", f"resource not found: {rid}")
        wanted = [p for v in query.get("properties", []) for p in v.split(",") if p] or None
        return 200, self._out(hs, obj, wanted)
