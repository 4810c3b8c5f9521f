"""An in-memory CRM implementing the ``Connector`` protocol, for engine tests (no HTTP, nothing patched).

Server-assigned ids, ``updated_at`` advancing one second per write, batch limits enforced, search paging,
archives with their time, associations, and fault injection: whole calls failing, single records rejected,
responses lost after the CRM applied the write, and a hook that runs after a write was applied (to simulate a
process killed before its local commit).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from accounts.domains import normalize_domain
from bdr_desk.crm.connector import ChangePage, ConnectorError, ItemResult, RemoteField, RemoteRecord

KEYS = {"hubspot": {"account": "domain", "contact": "email"},
        "salesforce": {"account": "Website", "contact": "Email"}}
PREFIX = {"account": "A", "contact": "C", "activity": "T", "opportunity": "O"}


@dataclass
class MemRecord:
    id: str
    object_type: str
    props: dict[str, Any]
    updated_at: dt.datetime
    archived_at: dt.datetime | None = None
    associations: dict[str, list[str]] = field(default_factory=dict)


class Crash(Exception):
    """Raised by the after-write hook: the process 'dies' after the CRM applied the write."""


class MemoryCRM:
    def __init__(self, system: str = "hubspot", *, limit: int | None = None, page_size: int = 50,
                 inline_associations: bool | None = None, unique_contacts: bool = True,
                 associate_many: bool = True, seed: int = 0) -> None:
        self.system = system
        self.api_calls = 0
        self.limit = limit or (200 if system == "salesforce" else 100)
        self.page_size = page_size
        self.inline_associations = system == "salesforce" if inline_associations is None else inline_associations
        self.unique_contacts = unique_contacts
        if not associate_many:
            self.associate_many = None  # type: ignore[assignment]
        self.keys = KEYS[system]
        self.store: dict[str, dict[str, MemRecord]] = {t: {} for t in PREFIX}
        self.clock = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        self.log: list[tuple[str, str, int]] = []
        # fault injection
        self.rng = random.Random(seed)
        self.call_fault_rate = 0.0  # a whole call fails before anything is applied
        self.item_fault_rate = 0.0  # a single input is rejected
        self.lost_fault_rate = 0.0  # the call is applied, then its answer is lost (network)
        self.lost_types: set[str] = {"account", "contact"}  # where lost answers may happen (natural keys)
        self.reject: Callable[[str, str, dict[str, Any]], str | None] | None = None  # (type, op, props) → kind
        self.fail_next: list[ConnectorError] = []  # raised by the next calls, in order
        self.after_write: Callable[[str, str, list[ItemResult]], None] | None = None

    # ---- helpers for tests -----------------------------------------------------------------------------

    def tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=1)
        return self.clock

    def add(self, object_type: str, associations: dict[str, list[str]] | None = None, **props: Any) -> str:
        """A record someone created in the CRM."""
        rid = f"{PREFIX[object_type]}{len(self.store[object_type]) + 1}"
        self.store[object_type][rid] = MemRecord(rid, object_type, dict(props), self.tick(),
                                                 associations=dict(associations or {}))
        return rid

    def edit(self, object_type: str, rid: str, **props: Any) -> None:
        rec = self.store[object_type][rid]
        rec.props.update(props)
        rec.updated_at = self.tick()

    def archive(self, object_type: str, rid: str) -> None:
        rec = self.store[object_type][rid]
        rec.archived_at = rec.updated_at = self.tick()

    def live(self, object_type: str) -> list[MemRecord]:
        return [r for r in self.store[object_type].values() if r.archived_at is None]

    def by_key(self, object_type: str, value: str) -> list[MemRecord]:
        key = self.keys[object_type]
        return [r for r in self.live(object_type) if self._norm(key, r.props.get(key)) == self._norm(key, value)]

    # ---- internals -------------------------------------------------------------------------------------

    @staticmethod
    def _norm(key: str, value: Any) -> str:
        text = str(value or "").strip().lower()
        return (normalize_domain(text) or text) if key.lower() in ("domain", "website") else text

    def _call(self, method: str, object_type: str, n: int, *, write: bool = False) -> None:
        self.api_calls += 1
        self.log.append((method, object_type, n))
        if self.fail_next:
            raise self.fail_next.pop(0)
        if n > self.limit:
            raise ConnectorError("validation", f"{method} {object_type}: {n} inputs, at most {self.limit}")
        if self.call_fault_rate and self.rng.random() < self.call_fault_rate:
            raise ConnectorError(self.rng.choice(["server", "rate_limit", "network"]), f"{method}: injected failure")

    def _lost(self, method: str, object_type: str, results: list[ItemResult]) -> list[ItemResult]:
        if self.after_write is not None:
            self.after_write(method, object_type, results)
        if (self.lost_fault_rate and object_type in self.lost_types and any(r.ok for r in results)
                and self.rng.random() < self.lost_fault_rate):
            raise ConnectorError("network", f"{method} {object_type}: connection dropped (applied)")
        return results

    def _item_fault(self, object_type: str, op: str, props: dict[str, Any]) -> str | None:
        if self.reject is not None and (kind := self.reject(object_type, op, props)):
            return kind
        if self.item_fault_rate and self.rng.random() < self.item_fault_rate:
            return self.rng.choice(["server", "validation"])
        return None

    def _split(self, props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        clean, assoc = {}, {}
        for k, v in props.items():
            if k.startswith("@") and k != "@kind":
                if not self.inline_associations:
                    raise ValueError(f"pseudo-property {k} sent to a connector that does not take it")
                if v is not None:
                    assoc[k[1:]] = [str(v)]
            elif k == "@kind" and not self.inline_associations:
                raise ValueError("@kind sent to a connector that does not take it")
            else:
                clean[k] = v
        return clean, assoc

    def _remote(self, rec: MemRecord, properties: Sequence[str]) -> RemoteRecord:
        wanted = set(properties) | {"@kind"}
        return RemoteRecord(rec.id, {k: v for k, v in rec.props.items() if k in wanted}, rec.updated_at,
                            {k: list(v) for k, v in rec.associations.items()}, rec.archived_at is not None)

    # ---- the Connector protocol ----------------------------------------------------------------------------

    def batch_limit(self, object_type: str) -> int:
        return self.limit

    def test_connection(self) -> str:
        self.api_calls += 1
        return f"memory {self.system}"

    def fields(self, object_type: str) -> list[RemoteField]:
        self.api_calls += 1
        names = sorted({k for r in self.store[object_type].values() for k in r.props})
        return [RemoteField(n, n, "string") for n in names]

    def create(self, object_type: str, records: Sequence[dict[str, Any]]) -> list[ItemResult]:
        self._call("create", object_type, len(records), write=True)
        out = []
        key = self.keys.get(object_type)
        taken = {self._norm(key, r.props.get(key)): r for r in self.live(object_type)} if key else {}
        for i, props in enumerate(records):
            try:
                clean, assoc = self._split(props)
            except ValueError as exc:
                out.append(ItemResult(i, error_kind="validation", error=str(exc)))
                continue
            if kind := self._item_fault(object_type, "create", clean):
                out.append(ItemResult(i, error_kind=kind, error=f"create: injected {kind}"))
                continue
            if object_type == "contact" and self.unique_contacts and key and clean.get(key):
                if same := taken.get(self._norm(key, clean[key])):
                    out.append(ItemResult(i, external_id=same.id, error_kind="duplicate",
                                          error=f"Contact already exists. Existing ID: {same.id}"))
                    continue
            rid = f"{PREFIX[object_type]}{len(self.store[object_type]) + 1}"
            rec = MemRecord(rid, object_type, clean, self.tick(), associations=assoc)
            self.store[object_type][rid] = rec
            if key:
                taken.setdefault(self._norm(key, clean.get(key)), rec)
            out.append(ItemResult(i, external_id=rid, updated_at=rec.updated_at))
        return self._lost("create", object_type, out)

    def update(self, object_type: str, records: Sequence[tuple[str, dict[str, Any]]]) -> list[ItemResult]:
        self._call("update", object_type, len(records), write=True)
        out = []
        for i, (rid, props) in enumerate(records):
            rec = self.store[object_type].get(rid)
            if rec is None or rec.archived_at is not None:
                out.append(ItemResult(i, error_kind="not_found", error=f"{rid} not found"))
                continue
            try:
                clean, assoc = self._split(props)
            except ValueError as exc:
                out.append(ItemResult(i, error_kind="validation", error=str(exc)))
                continue
            if kind := self._item_fault(object_type, "update", clean):
                out.append(ItemResult(i, error_kind=kind, error=f"update: injected {kind}"))
                continue
            clean.pop("@kind", None)
            rec.props.update(clean)
            rec.associations.update(assoc)
            rec.updated_at = self.tick()
            out.append(ItemResult(i, external_id=rid, updated_at=rec.updated_at))
        return self._lost("update", object_type, out)

    def delete(self, object_type: str, external_ids: Sequence[str]) -> list[ItemResult]:
        self._call("delete", object_type, len(external_ids), write=True)
        out = []
        for i, rid in enumerate(external_ids):
            rec = self.store[object_type].get(rid)
            if rec is None or rec.archived_at is not None:
                out.append(ItemResult(i, error_kind="not_found", error=f"{rid} not found"))
                continue
            rec.archived_at = rec.updated_at = self.tick()
            out.append(ItemResult(i, external_id=rid))
        return self._lost("delete", object_type, out)

    def read(self, object_type: str, external_ids: Sequence[str], properties: Sequence[str]) -> list[RemoteRecord]:
        self._call("read", object_type, len(external_ids))
        return [self._remote(r, properties) for i in external_ids
                if (r := self.store[object_type].get(i)) is not None and r.archived_at is None]

    def find(self, object_type: str, key_property: str, values: Sequence[str],
             properties: Sequence[str]) -> dict[str, RemoteRecord]:
        self._call("find", object_type, len(values))
        wanted = {self._norm(key_property, v): v for v in values if v}
        out: dict[str, RemoteRecord] = {}
        for rec in self.live(object_type):
            original = wanted.get(self._norm(key_property, rec.props.get(key_property)))
            if original is not None and original not in out:
                out[original] = self._remote(rec, [*properties, key_property])
        return out

    def changed_since(self, object_type: str, since: dt.datetime | None, properties: Sequence[str],
                      cursor: str | None = None) -> ChangePage:
        self._call("changed_since", object_type, 0)
        rows = sorted((r for r in self.live(object_type) if since is None or r.updated_at >= since),
                      key=lambda r: (r.updated_at, r.id))
        start = int(cursor or 0)
        page = rows[start:start + self.page_size]
        nxt = start + self.page_size
        return ChangePage([self._remote(r, properties) for r in page], str(nxt) if nxt < len(rows) else None)

    def deleted_since(self, object_type: str, since: dt.datetime) -> list[str]:
        self._call("deleted_since", object_type, 0)
        return [r.id for r in self.store[object_type].values() if r.archived_at is not None and r.archived_at >= since]

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self._call("associate", from_type, 1, write=True)
        rec = self.store[from_type].get(from_id)
        if rec is None:
            raise ConnectorError("not_found", f"{from_id} not found")
        rec.associations[to_type] = [to_id]

    def associate_many(self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]]) -> list[ItemResult]:
        self._call("associate_many", from_type, len(pairs), write=True)
        out = []
        for i, (from_id, to_id) in enumerate(pairs):
            rec = self.store[from_type].get(from_id)
            if rec is None:
                out.append(ItemResult(i, error_kind="not_found", error=f"{from_id} not found"))
                continue
            rec.associations[to_type] = [to_id]
            out.append(ItemResult(i, external_id=from_id))
        return out
