"""Planning a push batch: for each pending record, what the CRM should receive, field by field.

Planning reads only (the local records, their references, and from the CRM: a natural-key lookup for records
not linked yet, and the current values of linked records unless this run already pulled every CRM change).
A dry run stops here and shows the plan; a real run sends it (``bdr_desk.crm.push``) and then records what
the CRM confirmed, in one short transaction — no database transaction is open during network calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bdr_desk.crm import conflicts, merge, records
from bdr_desk.crm.connector import ConnectorError, RemoteRecord
from bdr_desk.crm.context import SyncContext, remote_value
from bdr_desk.crm.mapping import KIND_KEY, LOCAL_FIELDS, NATURAL_KEYS, FieldMap, Unmapped
from bdr_desk.crm.outbox import PendingRecord
from bdr_desk.crm.refs import RefIndex, base_of, is_archived
from bdr_desk.crm.values import ValueProblem, canonical


@dataclass
class RecordPlan:
    rec: PendingRecord
    label: str = ""
    op: str = "noop"  # create, update, noop, delete, skip, defer, fail, gone
    external_id: str | None = None
    delete_ext: str | None = None  # archive this CRM record first (a local delete)
    unlink: bool = False  # forget the old reference (a local delete)
    found: RemoteRecord | None = None  # linked by natural key in this run
    remote: RemoteRecord | None = None  # the CRM's current values (None: it still has the base)
    base0: dict[str, Any] | None = None  # the merge base before this run
    view: dict[str, Any] = field(default_factory=dict)  # local canonical values of the pushed fields
    kind: str | None = None  # the CRM object an activity becomes
    local_at: dt.datetime | None = None
    blocked: set[str] = field(default_factory=set)  # fields with an open conflict
    props: dict[str, Any] = field(default_factory=dict)  # what the CRM receives
    assoc: list[tuple[str, str]] = field(default_factory=list)  # (object type, external id) to associate after
    base: dict[str, Any] = field(default_factory=dict)  # the new merge base once the CRM confirmed
    local: dict[str, Any] = field(default_factory=dict)  # CRM values to write locally (the CRM won a field)
    conflicts: list[tuple[str, Any, Any]] = field(default_factory=list)
    preview: dict[str, list[Any]] = field(default_factory=dict)
    error_kind: str | None = None
    reason: str | None = None
    remote_at: dt.datetime | None = None
    sent: bool = False
    deleted: bool = False

    def fail(self, kind: str, reason: str) -> None:
        self.op, self.error_kind, self.reason = "fail", kind, reason


def properties(ctx: SyncContext, object_type: str) -> list[str]:
    """Every CRM property the pushed fields of ``object_type`` use (associations excluded)."""
    names = {n for fm in ctx.mapping.pushed(object_type) for n in fm.remote_names() if not n.startswith("@")}
    return sorted(names)


def _activity_kind(ctx: SyncContext, p: RecordPlan) -> str | None:
    fm = next((f for f in ctx.mapping.pushed("activity") if f.remote == KIND_KEY), None)
    if fm is None:
        p.fail("config", "activity.type is not mapped to @kind")
        return None
    try:
        return str(ctx.translator.out("activity", fm, p.view.get("type")))
    except Unmapped as exc:
        p.fail("mapping", str(exc))
        return None


def _put(ctx: SyncContext, object_type: str, p: RecordPlan, fm: FieldMap, value: Any) -> bool:
    """Put one local value into the CRM payload; False (and a journal line) for an unmapped picklist value."""
    name, hint = fm.remote_for(p.kind)
    if name is None or name == KIND_KEY:
        return False
    try:
        out = ctx.translator.out(object_type, fm, value, hint)
    except Unmapped as exc:
        ctx.result.warn(f"{object_type}.{fm.local}: {exc}; not sent")
        return False
    if name.startswith("@") and not getattr(ctx.conn, "inline_associations", False):
        if out is not None:
            p.assoc.append((LOCAL_FIELDS[object_type][fm.local].ref or "", str(out)))
        return True
    p.props[name] = out
    return True


def plan_create(ctx: SyncContext, object_type: str, p: RecordPlan) -> None:
    p.op = "create"
    for fm in ctx.mapping.pushed(object_type):
        if p.view.get(fm.local) is None:
            if fm.remote_for(p.kind)[0]:
                p.base[fm.local] = None
            continue
        if _put(ctx, object_type, p, fm, p.view[fm.local]):
            p.base[fm.local] = p.view[fm.local]
            p.preview[fm.local] = [None, p.view[fm.local]]
    obj = ctx.mapping.object(object_type)
    for scope in ("*", p.kind or ""):
        for name, value in ((obj.defaults if obj else {}).get(scope) or {}).items():
            if p.props.get(name) in (None, ""):
                p.props[name] = value
    if p.kind and getattr(ctx.conn, "inline_associations", False):
        p.props[KIND_KEY] = p.kind


def plan_fields(ctx: SyncContext, object_type: str, p: RecordPlan) -> None:
    """The 3-way merge of a linked record: what to send, what to take, what conflicts."""
    p.props, p.assoc, p.base, p.local, p.conflicts, p.preview = {}, [], {}, {}, [], {}
    fields = ctx.mapping.pushed(object_type)
    everything = p.rec.create or p.rec.fields is None or p.base0 is None or p.found is not None
    base0 = p.base0 or {}
    remote_at = p.remote.updated_at if p.remote is not None else None
    for fm in fields:
        if not (everything or fm.local in (p.rec.fields or ())) or fm.local in p.blocked:
            continue
        if fm.remote_for(p.kind)[0] in (None, KIND_KEY):
            continue
        local = p.view.get(fm.local)
        raw = remote_value(p.remote, fm, p.kind) if p.remote is not None else None
        d = merge.decide(ctx.translator, object_type, fm, local=local, base=base0.get(fm.local),
                         has_base=fm.local in base0, remote_raw=raw, remote_is_base=p.remote is None,
                         local_at=p.local_at, remote_at=remote_at)
        if d.action == "push" and _put(ctx, object_type, p, fm, d.value):
            p.base[fm.local] = d.value
            p.preview[fm.local] = [base0.get(fm.local) if p.remote is None else raw, d.value]
        elif d.action == "pull":
            p.local[fm.local], p.base[fm.local] = d.value, d.value
        elif d.action == "base":
            p.base[fm.local] = d.value
        elif d.action == "conflict":
            p.conflicts.append((fm.local, local, d.remote))
        elif d.action == "skip":
            ctx.result.warn(f"{object_type}.{fm.local}: {d.reason}; left as it is")
    p.op = "update" if p.props or p.assoc else "noop"
    if p.op == "update" and p.kind and getattr(ctx.conn, "inline_associations", False):
        p.props[KIND_KEY] = p.kind


def _keyed(ctx: SyncContext, object_type: str, found: dict[str, RemoteRecord]) -> dict[Any, RemoteRecord]:
    """CRM records found by natural key, indexed by the canonical key (``WWW.Acme.com`` → ``acme.com``)."""
    kind = LOCAL_FIELDS[object_type][NATURAL_KEYS[object_type]].kind
    out: dict[Any, RemoteRecord] = {}
    obj = ctx.mapping.object(object_type)
    for key, rec in found.items():
        for raw in (key, rec.properties.get(obj.key or "") if obj else None):
            try:
                value = canonical(kind, raw)
            except ValueProblem:
                continue
            if value is not None:
                out.setdefault(value, rec)
    return out


def find_existing(ctx: SyncContext, object_type: str, refs: RefIndex, plans: list[RecordPlan]) -> None:
    """Idempotency: before creating, look the records up by natural key (a crashed run's creates, records
    someone made in the CRM). Found ones are linked and merged instead of created."""
    key_field = NATURAL_KEYS[object_type]
    obj = ctx.mapping.object(object_type)
    key_fm = obj.field(key_field) if obj else None
    if obj is None or not obj.key or key_fm is None:
        for p in plans:
            plan_create(ctx, object_type, p)
        return
    values = [ctx.translator.out(object_type, key_fm, p.view[key_field]) for p in plans]
    wanted = sorted({str(v) for v in values if v is not None}, key=str)
    got = ctx.call(ctx.conn.find, object_type, obj.key, wanted, properties(ctx, object_type))
    if isinstance(got, ConnectorError):
        for p in plans:
            p.fail(got.kind, f"looking it up by {key_field} failed: {got}")
        return
    index = _keyed(ctx, object_type, got)
    for p in plans:
        rec = index.get(p.view[key_field])
        if rec is None:
            plan_create(ctx, object_type, p)
            continue
        other = refs.for_external(object_type, rec.external_id)
        if other is not None and other.local_id != p.rec.local_id:
            p.fail("duplicate", f"{key_field} {p.view[key_field]} is the CRM record {rec.external_id}, already "
                                f"linked to local {object_type} #{other.local_id}")
            continue
        p.found = p.remote = rec
        p.external_id = rec.external_id
        plan_fields(ctx, object_type, p)


def read_current(ctx: SyncContext, object_type: str, plans: list[RecordPlan]) -> None:
    """The CRM's current values of linked records (one batch read)."""
    got = ctx.call(ctx.conn.read, object_type, [p.external_id for p in plans], properties(ctx, object_type))
    if isinstance(got, ConnectorError):
        for p in plans:
            p.fail(got.kind, f"reading it from the CRM failed: {got}")
        return
    by_id = {r.external_id: r for r in got}
    for p in plans:
        rec = by_id.get(p.external_id or "")
        if rec is None or rec.archived:
            p.op = "gone"
            continue
        p.remote = rec
        plan_fields(ctx, object_type, p)


def plan_batch(ctx: SyncContext, session: Session, refs: RefIndex, object_type: str,
               batch: list[PendingRecord]) -> list[RecordPlan]:
    fields = ctx.mapping.pushed(object_type)
    refs.prefetch_local(object_type, [r.local_id for r in batch])
    objs = records.load(session, object_type, [r.local_id for r in batch if r.upsert])
    for fm in fields:
        lf = LOCAL_FIELDS[object_type][fm.local]
        if lf.kind == "ref":
            refs.prefetch_local(lf.ref or "", [getattr(o, fm.local) for o in objs.values()])
    blocked = conflicts.open_conflicts(session, ctx.system, object_type, [r.local_id for r in batch])
    plans, to_find, to_read = [], [], []
    rejects = set(getattr(ctx.conn, "rejects_duplicates", ()) or ())
    for rec in batch:
        p = RecordPlan(rec, label=rec.key or f"{object_type} {rec.local_id}")
        plans.append(p)
        ref = refs.for_local(object_type, rec.local_id)
        if rec.delete and ref is not None:
            if ctx.mapping.local_deletes == "archive" and not is_archived(ref):
                p.delete_ext = ref.external_id
            p.unlink, ref = True, None
        if not rec.upsert:
            p.op = "delete" if p.unlink else "skip"
            p.reason = None if p.unlink else "never reached the CRM"
            continue
        obj = objs.get(rec.local_id)
        if obj is None:
            p.op, p.reason = "skip", "deleted here before it was pushed"
            continue
        p.label, p.local_at = records.label(obj, object_type), records.changed_at(obj)
        if is_archived(ref):
            p.op, p.reason = "skip", f"archived in {ctx.system}; not pushed"
            continue
        p.view = records.view(obj, object_type, fields, refs)
        waiting = [v for v in p.view.values() if isinstance(v, records.Unlinked)]
        if waiting:
            p.op, p.error_kind = "defer", "dependency"
            p.reason = f"its {waiting[0].object_type} #{waiting[0].local_id} is not in the CRM yet"
            continue
        if object_type == "activity":
            p.kind = _activity_kind(ctx, p)
            if p.kind is None:
                continue
        p.blocked = {f for (local_id, f) in blocked if local_id == rec.local_id}
        if ref is not None:
            p.external_id, p.base0 = ref.external_id, base_of(ref)
            if ctx.pulled and p.base0 is not None:
                plan_fields(ctx, object_type, p)
            else:
                to_read.append(p)
        elif object_type in NATURAL_KEYS and p.view.get(NATURAL_KEYS[object_type]) and object_type not in rejects:
            to_find.append(p)
        else:
            plan_create(ctx, object_type, p)
    if to_find:
        find_existing(ctx, object_type, refs, to_find)
    if to_read:
        read_current(ctx, object_type, to_read)
    return plans
