"""The fake HubSpot's write endpoints: ``POST /crm/v3/objects/{type}/batch/create|update|archive`` (with 207
multi-status when every input carries an ``objectWriteTraceId``; ``batch/read`` is handed to
``fake_hubspot_search``) and the v4 associations (``PUT`` one, batch associate, batch read).
"""

from __future__ import annotations

from typing import Any

from tests.fake_hubspot_http import ApiError
from tests.fake_hubspot_schema import SINGULAR, iso
from tests.fake_hubspot_store import Store


class WriteRoutes(Store):
    """Batch writes and associations (mixed into :class:`~tests.fake_hubspot.FakeHubSpot`); ``_batch`` uses
    ``_batch_read`` from ``SearchRoutes``."""

    batch_limit: int
    multi_status: bool
    same_ts_per_batch: bool

    def _batch(self, name: str, op: str, *, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        hs = self._type(name)
        inputs = self._inputs(body, self.batch_limit)
        started = iso(self._stamp_peek())
        if op == "archive":
            ms = self._stamp()
            for inp in inputs:
                obj = self._live(hs, str(inp.get("id")))
                if obj is not None:
                    self._archive(hs, obj, ms)
            return 204, None
        if op == "read":
            return self._batch_read(hs, inputs, body, query, started)
        traces = [inp.get("objectWriteTraceId") for inp in inputs]
        multi = self.multi_status and all(traces)
        ids = [str(inp.get("id")) for inp in inputs] if op == "update" else []
        if op == "update" and len(set(ids)) != len(ids):
            raise ApiError(400, "VALIDATION_ERROR", "Duplicate IDs found in batch input")
        pending: dict[str, str] = {}
        planned: list[tuple[Any, dict[str, Any] | None]] = []
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        batch_ms = self._stamp() if self.same_ts_per_batch else None
        for n, inp in enumerate(inputs):
            props = inp.get("properties") if isinstance(inp, dict) else None
            target = None
            ctx: dict[str, Any] = {}
            if op == "update":
                target = self._live(hs, str(inp.get("id")))
                ctx = {"ids": [str(inp.get("id"))]}
                err = ApiError(404, "OBJECT_NOT_FOUND", f"Object not found. objectId are usually numeric: "
                                                        f"{inp.get('id')}") if target is None else \
                    self._validate(hs, props, op, target["id"], pending)
            else:
                err = self._validate(hs, props, op, None, pending)
            if err is None:
                if multi:  # carried out at once, so a later input sees it (e.g. the same email twice)
                    results.append(self._apply(hs, op, inp, target, batch_ms))
                else:
                    planned.append((inp, target))
                    email = (props or {}).get("email") if hs == "contacts" else None
                    if email:
                        pending[str(email).strip().lower()] = target["id"] if target else "(earlier in this batch)"
                continue
            if not multi:
                raise err
            ctx["objectWriteTraceId"] = [str(traces[n])]
            errors.append({"status": "error", "category": err.category, "message": err.message, "context": ctx,
                           **({"subCategory": err.extra["subCategory"]} if "subCategory" in err.extra else {})})
        results.extend(self._apply(hs, op, inp, target, batch_ms) for inp, target in planned)
        status = 207 if errors else (201 if op == "create" else 200)
        out: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                               "completedAt": iso(self._stamp_peek())}
        if errors:
            out.update({"numErrors": len(errors), "errors": errors})
        return status, out

    def _apply(self, hs: str, op: str, inp: dict[str, Any], target: dict[str, Any] | None,
               batch_ms: int | None) -> dict[str, Any]:
        ms = batch_ms if batch_ms is not None else self._stamp()
        if op == "create":
            obj = self._create(hs, inp.get("properties") or {}, ms)
        else:
            assert target is not None
            obj = target
            self._update(hs, obj, inp.get("properties") or {}, ms)
        return self._out(hs, obj, None, everything=True, trace=inp.get("objectWriteTraceId"))

    def _put_assoc(self, from_name: str, fid: str, to_name: str, tid: str, *, query: Any,
                   body: Any) -> tuple[int, Any]:
        from_hs, to_hs = self._type(from_name), self._type(to_name)
        for hs, rid in ((from_hs, fid), (to_hs, tid)):
            if self._live(hs, rid) is None:
                raise ApiError(404, "OBJECT_NOT_FOUND", f"{SINGULAR[hs].upper()}={rid} is not valid")
        type_id = self._associate(from_hs, fid, to_hs, tid)
        return 200, {"status": "COMPLETE", "results": [{"from": {"id": fid}, "to": {"id": tid}, "associationSpec": {
            "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}}]}

    def _batch_assoc(self, from_name: str, to_name: str, *, query: Any, body: Any) -> tuple[int, Any]:
        from_hs, to_hs = self._type(from_name), self._type(to_name)
        results, errors = [], []
        for inp in self._inputs(body, 2000):
            fid, tid = str((inp.get("from") or {}).get("id")), str((inp.get("to") or {}).get("id"))
            bad = [(k, v) for k, hs, v in (("fromObjectId", from_hs, fid), ("toObjectId", to_hs, tid))
                   if self._live(hs, v) is None]
            if bad:
                errors.append({"status": "error", "category": "VALIDATION_ERROR",
                               "message": f"{bad[0][0]} {bad[0][1]} is not valid", "context": {bad[0][0]: [bad[0][1]]}})
                continue
            type_id = self._associate(from_hs, fid, to_hs, tid)
            results.append({"from": {"id": fid}, "to": {"id": tid}, "associationSpec": {
                "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}})
        out: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if errors:
            out.update({"numErrors": len(errors), "errors": errors})
        return (207 if errors else 200), out

    def _read_assoc(self, from_name: str, to_name: str, *, query: Any, body: Any) -> tuple[int, Any]:
        from_hs, to_hs = self._type(from_name), self._type(to_name)
        results, errors = [], []
        for inp in self._inputs(body, 1000):
            fid = str(inp.get("id"))
            targets = {t: k for t, k in self.assocs.get((from_hs, fid, to_hs), {}).items()
                       if self._live(to_hs, t) is not None}
            if not targets:
                errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                               "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                               "message": f"No {SINGULAR[to_hs]} is associated with {SINGULAR[from_hs]} {fid}.",
                               "context": {"fromObjectId": [fid]}})
                continue
            results.append({"from": {"id": fid}, "to": [
                {"toObjectId": int(t), "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": k,
                                                             "label": None}]} for t, k in targets.items()]})
        out: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if errors:
            out.update({"numErrors": len(errors), "errors": errors})
        return (207 if errors else 200), out
