"""HubSpot writes: batch create / update / archive (at most 100 inputs per call, ``objectWriteTraceId`` on
each so HubSpot answers 207 multi-status and every input gets its own :class:`ItemResult`), bisection of a
batch rejected as a whole, recovery of creates whose answer was lost (look up by email / domain, create only
what is missing), and batch associations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from bdr_desk.crm.connector import ConnectorError, ItemResult, RemoteRecord
from bdr_desk.crm.http import CrmHttpError, one_line
from bdr_desk.crm.hubspot_objects import (
    BATCH_LIMIT,
    NATURAL_KEYS,
    OBJECTS,
    PUSH_TYPES,
    HubSpotObjects,
    chunks,
    existing_id,
    kind_of,
    parse_time,
)

log = logging.getLogger("bdr_desk.crm.hubspot")  # the connector's logger, whichever module logs

ASSOC_WRITE_LIMIT = 100


class HubSpotWrites(HubSpotObjects):
    """Mixed into :class:`~bdr_desk.crm.hubspot.HubSpotConnector`; uses its ``find``, ``_sleep`` and
    ``settle_seconds``."""

    _sleep: Callable[[float], None]
    settle_seconds: float
    find: Callable[[str, str, Sequence[str], Sequence[str]], dict[str, RemoteRecord]]

    def create(self, object_type: str, records: Sequence[dict[str, Any]]) -> list[ItemResult]:
        self._require(object_type, PUSH_TYPES, "pushed")
        results: list[ItemResult | None] = [None] * len(records)
        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for i, props in enumerate(records):
            hs = self._activity_type(props) if object_type == "activity" else OBJECTS[object_type]
            groups.setdefault(hs, []).append((i, {"properties": self._clean(props)}))
        self._run(groups, "create", results)
        return self._finish(results)

    def update(self, object_type: str, records: Sequence[tuple[str, dict[str, Any]]]) -> list[ItemResult]:
        self._require(object_type, PUSH_TYPES, "pushed")
        results: list[ItemResult | None] = [None] * len(records)
        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for i, (external_id, props) in enumerate(records):
            hs, rid = self._split_id(object_type, external_id)
            groups.setdefault(hs, []).append((i, {"id": rid, "properties": self._clean(props)}))
        self._run(groups, "update", results)
        return self._finish(results)

    def delete(self, object_type: str, external_ids: Sequence[str]) -> list[ItemResult]:
        self._require(object_type, PUSH_TYPES, "pushed")
        results: list[ItemResult | None] = [None] * len(external_ids)
        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for i, external_id in enumerate(external_ids):
            hs, rid = self._split_id(object_type, external_id)
            groups.setdefault(hs, []).append((i, {"id": rid}))
        self._run(groups, "archive", results)
        return self._finish(results)

    def associate_many(self, from_type: str, to_type: str,
                       pairs: Sequence[tuple[str, str]]) -> list[ItemResult]:
        """Default (unlabelled) associations in batches of 100 — one call instead of one per pair. One
        :class:`ItemResult` per pair (``external_id`` is the ``from`` id)."""
        results: list[ItemResult | None] = [None] * len(pairs)
        groups: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
        for i, (from_id, to_id) in enumerate(pairs):
            from_hs, fid = self._split_id(from_type, from_id)
            to_hs, tid = self._split_id(to_type, to_id)
            groups.setdefault((from_hs, to_hs), []).append((i, fid, tid))
        try:
            for (from_hs, to_hs), items in groups.items():
                for chunk in chunks(items, ASSOC_WRITE_LIMIT):
                    _, body = self.http.request(
                        "POST", f"/crm/v4/associations/{from_hs}/{to_hs}/batch/associate/default",
                        idempotent=True, json={"inputs": [{"from": {"id": f}, "to": {"id": t}} for _, f, t in chunk]})
                    self._map_associations(chunk, body or {}, results, pairs)
        except ConnectorError as exc:
            if not any(r is not None and r.ok for r in results):
                raise
            self._fill(results, exc)
        return self._finish(results)

    # ---- writing -------------------------------------------------------------------------------------------

    def _run(self, groups: dict[str, list[tuple[int, dict[str, Any]]]], op: str,
             results: list[ItemResult | None]) -> None:
        """Send every group in batches; a failure of a whole call after some inputs succeeded is recorded on
        the inputs not done yet, otherwise raised."""
        try:
            for hs, items in groups.items():
                chunk: list[tuple[int, dict[str, Any]]] = []
                ids: set[str] = set()
                for item in items:
                    rid = item[1].get("id")
                    if len(chunk) == BATCH_LIMIT or (rid is not None and rid in ids):  # no id twice per batch
                        self._write(hs, op, chunk, results)
                        chunk, ids = [], set()
                    chunk.append(item)
                    if rid is not None:
                        ids.add(rid)
                if chunk:
                    self._write(hs, op, chunk, results)
        except ConnectorError as exc:
            if not any(r is not None and r.ok for r in results):
                raise
            self._fill(results, exc)

    def _write(self, hs: str, op: str, chunk: list[tuple[int, dict[str, Any]]],
               results: list[ItemResult | None], rounds: int = 2) -> None:
        exc = self._send(hs, op, chunk, results, rounds)
        if exc is not None:
            self._isolate(hs, op, chunk, results, exc, rounds)

    def _send(self, hs: str, op: str, chunk: list[tuple[int, dict[str, Any]]],
              results: list[ItemResult | None], rounds: int) -> CrmHttpError | None:
        """One batch call. Returns the error when the whole batch was refused because of its inputs (for the
        caller to isolate them); raises when the call failed for any other reason."""
        if op == "archive":
            inputs = [inp for _, inp in chunk]
        else:
            inputs = [{**inp, "objectWriteTraceId": str(i)} for i, inp in chunk]
        try:
            _, body = self.http.request("POST", f"/crm/v3/objects/{hs}/batch/{op}", json={"inputs": inputs},
                                        idempotent=op != "create")
        except CrmHttpError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.kind in ("validation", "duplicate",
                                                                                   "not_found"):
                return exc
            if exc.ambiguous and op == "create":
                self._reconcile(hs, chunk, results, exc, rounds)
                return None
            raise
        if op == "archive":
            for i, inp in chunk:
                results[i] = ItemResult(i, external_id=self._ext_id(hs, inp["id"]))
        else:
            self._map_batch(hs, op, chunk, body or {}, results)
        return None

    def _isolate(self, hs: str, op: str, chunk: list[tuple[int, dict[str, Any]]],
                 results: list[ItemResult | None], exc: CrmHttpError, rounds: int) -> None:
        """A whole batch was refused: split it in halves until the inputs at fault are found. When both
        halves are refused with the very same message, the fault is common to all of them: stop splitting."""
        if len(chunk) == 1:
            i = chunk[0][0]
            results[i] = ItemResult(i, external_id=existing_id(str(exc)) if exc.kind == "duplicate" else None,
                                    error_kind=exc.kind, error=str(exc))
            return
        mid = len(chunk) // 2
        halves = (chunk[:mid], chunk[mid:])
        errors = [self._send(hs, op, half, results, rounds) for half in halves]
        common = errors[0] is not None and errors[1] is not None and str(errors[0]) == str(errors[1])
        for half, err in zip(halves, errors, strict=True):
            if err is None:
                continue
            if common:
                for i, _ in half:
                    results[i] = ItemResult(i, error_kind=err.kind, error=str(err))
            else:
                self._isolate(hs, op, half, results, err, rounds)

    def _reconcile(self, hs: str, chunk: list[tuple[int, dict[str, Any]]], results: list[ItemResult | None],
                   exc: CrmHttpError, rounds: int) -> None:
        """A create may or may not have happened: find what exists by natural key, create the rest."""
        key = NATURAL_KEYS.get(hs)
        unknown = f"{exc} — outcome unknown, the record may have been created"
        keyed = [(i, inp) for i, inp in chunk if key and str(inp["properties"].get(key) or "").strip()]
        keyed_idx = {i for i, _ in keyed}
        for i, _ in chunk:
            if i not in keyed_idx:
                results[i] = ItemResult(i, error_kind=exc.kind, error=unknown)
        if not keyed:
            return
        assert key is not None
        try:
            if hs != "contacts":
                self._sleep(self.settle_seconds)  # search is eventually consistent
            found = self.find({"contacts": "contact", "companies": "account"}[hs], key,
                              [str(inp["properties"][key]) for _, inp in keyed], [key])
        except ConnectorError:
            for i, _ in keyed:
                results[i] = ItemResult(i, error_kind=exc.kind, error=unknown)
            return
        missing = []
        claimed: set[str] = set()
        for i, inp in keyed:
            rec = found.get(str(inp["properties"][key]))
            if rec is None:
                missing.append((i, inp))
            elif rec.external_id in claimed:  # the same key twice in one batch: only the first one is it
                results[i] = ItemResult(i, external_id=rec.external_id, error_kind="duplicate",
                                        error=f"HubSpot create {hs}: {key} already used by record {rec.external_id}")
            else:
                claimed.add(rec.external_id)
                results[i] = ItemResult(i, external_id=rec.external_id, updated_at=rec.updated_at)
        if not missing:
            return
        if rounds > 0:
            log.info("HubSpot create %s: %d of %d not there after a failed call; creating them again",
                     hs, len(missing), len(chunk))
            self._write(hs, "create", missing, results, rounds - 1)
        else:
            for i, _ in missing:
                results[i] = ItemResult(i, error_kind=exc.kind, error=f"{exc} — not created")

    def _map_batch(self, hs: str, op: str, chunk: list[tuple[int, dict[str, Any]]], body: dict[str, Any],
                   results: list[ItemResult | None]) -> None:
        by_trace = {str(i): i for i, _ in chunk}
        by_id: dict[str, list[int]] = {}
        for i, inp in chunk:
            if "id" in inp:
                by_id.setdefault(str(inp["id"]), []).append(i)
        done: set[int] = set()
        rows = body.get("results") or []
        for row in rows:
            rid = str(row.get("id"))
            trace = row.get("objectWriteTraceId")
            targets = [by_trace[str(trace)]] if str(trace) in by_trace else by_id.get(rid, [])
            for i in targets:
                results[i] = ItemResult(i, external_id=self._ext_id(hs, rid), updated_at=parse_time(row.get("updatedAt")))
                done.add(i)
        if op == "create" and not done and rows and len(rows) == len(chunk) and not body.get("errors"):
            for (i, _), row in zip(chunk, rows, strict=True):  # no trace ids echoed: same order
                results[i] = ItemResult(i, external_id=self._ext_id(hs, str(row.get("id"))),
                                        updated_at=parse_time(row.get("updatedAt")))
                done.add(i)
        for err in body.get("errors") or []:
            ctx = err.get("context") or {}
            targets = [by_trace[str(t)] for t in ctx.get("objectWriteTraceId") or [] if str(t) in by_trace]
            for rid in ctx.get("ids") or ctx.get("id") or []:
                targets.extend(by_id.get(str(rid), []))
            kind = kind_of(err)
            message = one_line(f"HubSpot {op} {hs}: {err.get('message') or err.get('category') or 'error'}")
            for i in targets:
                if i in done:
                    continue
                results[i] = ItemResult(i, external_id=existing_id(message) if kind == "duplicate" else None,
                                        error_kind=kind, error=message)
                done.add(i)
        for i, _ in chunk:
            if i not in done:
                results[i] = ItemResult(i, error_kind="server", error=f"HubSpot {op} {hs}: no result for this input")

    def _map_associations(self, chunk: list[tuple[int, str, str]], body: dict[str, Any],
                          results: list[ItemResult | None], pairs: Sequence[tuple[str, str]]) -> None:
        by_pair = {(f, t): i for i, f, t in chunk}
        for row in body.get("results") or []:
            key = (str((row.get("from") or {}).get("id")), str((row.get("to") or {}).get("id")))
            if key in by_pair:
                i = by_pair[key]
                results[i] = ItemResult(i, external_id=pairs[i][0])
        for err in body.get("errors") or []:
            ctx = err.get("context") or {}
            bad = {str(v) for key in ("fromObjectId", "toObjectId", "ids") for v in ctx.get(key) or []}
            for i, f, t in chunk:
                if results[i] is None and (f in bad or t in bad):
                    results[i] = ItemResult(i, error_kind=kind_of(err),
                                            error=one_line(f"HubSpot associate: {err.get('message') or 'error'}"))
        for i, _, _ in chunk:
            if results[i] is None:
                results[i] = ItemResult(i, external_id=pairs[i][0])  # 200 without echo: done

    @staticmethod
    def _fill(results: list[ItemResult | None], exc: ConnectorError) -> None:
        for i, r in enumerate(results):
            if r is None:
                results[i] = ItemResult(i, error_kind=exc.kind, error=str(exc))

    @staticmethod
    def _finish(results: list[ItemResult | None]) -> list[ItemResult]:
        return [r if r is not None else ItemResult(i, error_kind="server", error="HubSpot: not attempted")
                for i, r in enumerate(results)]
