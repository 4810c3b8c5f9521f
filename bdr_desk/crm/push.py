"""Push: drain the outbox to the CRM in batches of ``connector.batch_limit`` records.

Per batch: plan (``push_plan``: reads only), send (archive, create, update, associate — no database
transaction open meanwhile), then record what the CRM confirmed in one transaction: references with their new
merge base, outbox rows processed. A record the CRM rejected keeps its rows pending with the attempt counted
and the reason kept; the next run retries it. A process killed between the CRM's answer and that commit leaves
the rows pending: the next run finds the records by natural key (e-mail, domain) and links them instead of
creating them again. Records without a natural key (activities, contacts without e-mail, accounts without
domain) can be sent twice in that one window.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import Activity, Contact
from bdr_desk.crm import conflicts, outbox, records
from bdr_desk.crm.connector import ConnectorError, ItemResult
from bdr_desk.crm.context import SyncContext, remote_archived
from bdr_desk.crm.mapping import LOCAL_FIELDS
from bdr_desk.crm.models import ExternalRef
from bdr_desk.crm.outbox import PendingRecord
from bdr_desk.crm.push_plan import RecordPlan, find_existing, plan_batch
from bdr_desk.crm.refs import RefIndex

PUSH_TYPES = ("account", "contact", "activity")
PARENTS = {"activity": (("contact_id", "contact"), ("account_id", "account")), "contact": (("account_id", "account"),)}


def _chunks(items: list[PendingRecord], size: int) -> Iterator[list[PendingRecord]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start:start + size]


def _missing_parents(ctx: SyncContext, session: Session, pending: dict[str, list[PendingRecord]]) -> dict[str, set[int]]:
    """Accounts and contacts that pending children point at but that are neither linked nor queued (activities
    first: the contacts they bring may bring their accounts)."""
    extra: dict[str, set[int]] = {}
    child_ids = {t: [r.local_id for r in pending.get(t, []) if r.upsert] for t in PARENTS}
    for child in ("activity", "contact"):
        pushed = {fm.local for fm in ctx.mapping.pushed(child)}
        model = Activity if child == "activity" else Contact
        ids = child_ids[child]
        for column, parent in PARENTS[child]:
            if column not in pushed or not ids:
                continue
            queued = {r.local_id for r in pending.get(parent, [])} | extra.get(parent, set())
            referenced: set[int] = set()
            for start in range(0, len(ids), 500):
                referenced.update(session.scalars(select(getattr(model, column)).where(
                    model.id.in_(ids[start:start + 500]), getattr(model, column).is_not(None))))
            candidates = sorted(referenced - queued)
            linked: set[int] = set()
            for start in range(0, len(candidates), 500):
                linked.update(session.scalars(select(ExternalRef.local_id).where(
                    ExternalRef.system == ctx.system, ExternalRef.object_type == parent,
                    ExternalRef.local_id.in_(candidates[start:start + 500]))))
            missing = set(candidates) - linked
            if missing:
                extra.setdefault(parent, set()).update(missing)
                if parent == "contact":
                    child_ids["contact"] = child_ids["contact"] + sorted(missing)
    return extra


def prepare(ctx: SyncContext, first_push: bool) -> dict[str, list[PendingRecord]]:
    """The pending records per object type. The first push to a CRM also sends every record not linked yet;
    any push also sends the parents (account, contact) a pending record needs. A dry run only lists them."""
    types = tuple(t for t in PUSH_TYPES if ctx.mapping.object(t) is not None)
    with ctx.session() as s:
        pending = {t: outbox.pending(s, ctx.system, t) for t in PUSH_TYPES}
        extra: dict[str, set[int]] = {}
        if first_push:
            for t, ids in outbox.unsynced(s, ctx.system, tuple(x for x in types if x != "activity")).items():
                extra.setdefault(t, set()).update(ids)
        for t, ids in _missing_parents(ctx, s, pending).items():
            extra.setdefault(t, set()).update(ids)
        queued = {(t, r.local_id) for t, recs in pending.items() for r in recs}
        extra = {t: {i for i in ids if (t, i) not in queued} for t, ids in extra.items()}
        if ctx.dry_run:
            for t, ids in extra.items():
                pending[t] = [PendingRecord(t, i, upsert=True, create=True, fields=None) for i in sorted(ids)] + pending[t]
            return pending
        for t, ids in extra.items():
            for i in sorted(ids):
                outbox.record(s, t, i, "create")
    if not any(extra.values()):
        return pending
    with ctx.session() as s:
        return {t: outbox.pending(s, ctx.system, t) for t in PUSH_TYPES}


# ---- sending ------------------------------------------------------------------------------------------------

def _results(ctx: SyncContext, plans: list[RecordPlan], got: list[ItemResult] | ConnectorError, what: str
             ) -> list[tuple[RecordPlan, ItemResult]]:
    """Pair each plan with its result; a whole failed call fails every plan of it."""
    if isinstance(got, ConnectorError):
        for p in plans:
            p.fail(got.kind, f"{what} failed: {got}")
        return []
    by_index = {r.index: r for r in got}
    pairs = []
    for i, p in enumerate(plans):
        r = by_index.get(i)
        if r is None:
            p.fail("server", f"{what}: the CRM gave no result for this record")
        else:
            pairs.append((p, r))
    return pairs


def send(ctx: SyncContext, object_type: str, plans: list[RecordPlan]) -> None:
    conn = ctx.conn
    deletes = [p for p in plans if p.delete_ext]
    if deletes:
        for p, r in _results(ctx, deletes, ctx.call(conn.delete, object_type, [p.delete_ext for p in deletes]),
                             "archiving"):
            if r.ok or r.error_kind == "not_found":
                p.deleted = True
            else:
                p.fail(r.error_kind or "server", f"archiving failed: {r.error}")
    creates = [p for p in plans if p.op == "create" and (not p.delete_ext or p.deleted)]
    duplicates: list[RecordPlan] = []
    if creates:
        got = ctx.call(conn.create, object_type, [p.props for p in creates])
        if isinstance(got, ConnectorError) and got.kind == "duplicate":
            duplicates, got = creates, []
        for p, r in _results(ctx, creates, got, "creating"):
            if r.ok and not r.external_id:
                p.fail("server", "creating: the CRM confirmed without an id")
            elif r.ok:
                p.sent, p.external_id, p.remote_at = True, r.external_id, r.updated_at
            elif r.error_kind == "duplicate":
                duplicates.append(p)
            else:
                p.fail(r.error_kind or "server", f"creating failed: {r.error}")
    if duplicates:  # someone made them meanwhile: link and merge instead
        with ctx.session() as s:
            find_existing(ctx, object_type, RefIndex(s, ctx.system, dry_run=True), duplicates)
        for p in duplicates:
            if p.op == "create":
                p.fail("duplicate", "the CRM says it exists, but no record with that key was found")
    updates = [p for p in plans if p.op == "update" and p.props]
    if updates:
        got = ctx.call(conn.update, object_type, [(p.external_id, p.props) for p in updates])
        for p, r in _results(ctx, updates, got, "updating"):
            if r.ok:
                p.sent, p.remote_at = True, r.updated_at or (p.remote.updated_at if p.remote else None)
            elif r.error_kind == "not_found":
                p.op = "gone"
            else:
                p.fail(r.error_kind or "server", f"updating failed: {r.error}")
    _associate(ctx, object_type, plans)


def _assoc_failed(p: RecordPlan, object_type: str, target_type: str, target_id: str, kind: str, why: str) -> None:
    p.error_kind, p.reason = kind, f"associating it with {target_type} {target_id} failed: {why}"
    for f, lf in LOCAL_FIELDS[object_type].items():
        if lf.ref == target_type:
            p.base.pop(f, None)  # not confirmed: the next run sends it again


def _associate(ctx: SyncContext, object_type: str, plans: list[RecordPlan]) -> None:
    """Associations the connector does not write inline: batched (``associate_many``) when it can."""
    wanted: dict[str, list[tuple[RecordPlan, str]]] = {}
    for p in plans:
        if p.op == "update" and not p.props:
            p.sent = True
        if p.sent and p.external_id:
            for target_type, target_id in p.assoc:
                wanted.setdefault(target_type, []).append((p, target_id))
    many = getattr(ctx.conn, "associate_many", None)
    for target_type, items in wanted.items():
        if many is None:
            for p, target_id in items:
                got = ctx.call(ctx.conn.associate, object_type, p.external_id, target_type, target_id)
                if isinstance(got, ConnectorError):
                    _assoc_failed(p, object_type, target_type, target_id, got.kind, str(got))
            continue
        got = ctx.call(many, object_type, target_type, [(p.external_id, t) for p, t in items])
        by_index = {} if isinstance(got, ConnectorError) else {r.index: r for r in got}
        for i, (p, target_id) in enumerate(items):
            r = by_index.get(i)
            if isinstance(got, ConnectorError):
                _assoc_failed(p, object_type, target_type, target_id, got.kind, str(got))
            elif r is None or not r.ok:
                _assoc_failed(p, object_type, target_type, target_id, (r.error_kind if r else None) or "server",
                              (r.error if r else None) or "no result")


# ---- recording --------------------------------------------------------------------------------------------

def commit(ctx: SyncContext, session: Session, object_type: str, plans: list[RecordPlan]) -> None:
    refs = ctx.refs(session)
    refs.prefetch_local(object_type, [p.rec.local_id for p in plans])
    refs.prefetch_external(object_type, [p.external_id for p in plans if p.external_id])
    objs = records.load(session, object_type, [p.rec.local_id for p in plans if p.local or p.op == "gone"])
    existing = conflicts.open_conflicts(session, ctx.system, object_type,
                                        [p.rec.local_id for p in plans if p.conflicts])
    push_counts, pull_counts = ctx.result.counts("push", object_type), ctx.result.counts("pull", object_type)
    done: list[int] = []
    for p in plans:
        local_id = p.rec.local_id
        if p.unlink and (p.deleted or not p.delete_ext or ctx.dry_run):
            ref = refs.for_local(object_type, local_id)
            if ref is not None:
                refs.unlink(ref)
            push_counts.archived += 1 if p.delete_ext else 0
            ctx.plan("push", object_type, "archive" if p.delete_ext else "unlink", p.label, local_id=local_id,
                     external_id=p.delete_ext)
        if p.op in ("fail", "defer"):
            ctx.result.error("push", object_type, p.error_kind or "server", f"{p.label}: {p.reason}",
                             local_id=local_id, external_id=p.external_id)
            if not ctx.dry_run:
                outbox.mark_failed(session, p.rec.row_ids, f"{p.error_kind}: {p.reason}")
            continue
        if p.op in ("skip", "delete"):
            push_counts.skipped += p.op == "skip"
        elif p.op == "gone":
            ref = refs.for_local(object_type, local_id)
            if ref is not None:
                remote_archived(ctx, session, refs, "push", object_type, ref, objs.get(local_id))
        elif p.op == "create":
            if ctx.dry_run:
                refs.plan_link(object_type, local_id, refs.placeholder())
            else:
                refs.link(object_type, local_id, p.external_id or "", updated_at=p.remote_at, values=p.base)
            push_counts.created += 1
            ctx.plan("push", object_type, "create", p.label, local_id=local_id, fields=p.preview)
        else:
            ref = refs.for_local(object_type, local_id)
            if p.found is not None:
                ref = refs.link(object_type, local_id, p.external_id or "", updated_at=p.found.updated_at, values={})
                ctx.plan("push", object_type, "link", p.label, local_id=local_id, external_id=p.external_id)
            if p.local and local_id in objs and not ctx.dry_run:
                for f, why in records.apply(session, objs[local_id], object_type, p.local, refs,
                                            taxonomy=ctx.taxonomy, system=ctx.system).items():
                    ctx.result.warn(f"{p.label}: {f} not taken from the CRM: {why}")
                    p.base.pop(f, None)
            if p.local:
                pull_counts.updated += 1
                ctx.plan("pull", object_type, "update", p.label, local_id=local_id,
                         fields={f: [p.view.get(f), v] for f, v in p.local.items()})
            for f, mine, theirs in p.conflicts:
                new = ctx.dry_run or conflicts.raise_conflict(
                    session, existing, run_id=ctx.run_id, system=ctx.system, object_type=object_type,
                    local_id=local_id, field=f, local=mine, remote=theirs)
                push_counts.conflicts += int(new)
                ctx.plan("push", object_type, "conflict", p.label, local_id=local_id, fields={f: [mine, theirs]})
            if ref is not None:
                refs.touch(ref, updated_at=p.remote_at, values=p.base)
            if p.op == "update":
                push_counts.updated += 1
                ctx.plan("push", object_type, "update", p.label, local_id=local_id, external_id=p.external_id,
                         fields=p.preview)
            else:
                push_counts.skipped += 1
        if p.error_kind and not ctx.dry_run:  # sent, but an association failed: retry next run
            ctx.result.error("push", object_type, p.error_kind, f"{p.label}: {p.reason}", local_id=local_id,
                             external_id=p.external_id)
            outbox.mark_failed(session, p.rec.row_ids, f"{p.error_kind}: {p.reason}")
            continue
        done += p.rec.row_ids
    if not ctx.dry_run:
        outbox.mark_done(session, ctx.system, done, ctx.systems)


def _batch(ctx: SyncContext, object_type: str, batch: list[PendingRecord]) -> None:
    with ctx.session() as s:
        refs = RefIndex(s, ctx.system, dry_run=True, planned=ctx.planned_refs)  # planning never writes
        plans = plan_batch(ctx, s, refs, object_type, batch)
        if ctx.dry_run:
            commit(ctx, s, object_type, plans)
            return
    send(ctx, object_type, plans)
    with ctx.session() as s:
        commit(ctx, s, object_type, plans)


def push(ctx: SyncContext, *, first_push: bool = False) -> None:
    pending = prepare(ctx, first_push)
    total = sum(len(v) for v in pending.values())
    done = 0
    for object_type in PUSH_TYPES:
        recs = pending.get(object_type) or []
        if not recs:
            continue
        if ctx.mapping.object(object_type) is None:  # not synced: nothing will ever take these rows
            if not ctx.dry_run:
                with ctx.session() as s:
                    outbox.mark_done(s, ctx.system, [i for r in recs for i in r.row_ids], ctx.systems)
            ctx.result.counts("push", object_type).skipped += len(recs)
            done += len(recs)
            continue
        for batch in _chunks(recs, ctx.conn.batch_limit(object_type)):
            ctx.cancel.raise_if_cancelled()
            with ctx.calls("push", object_type):
                _batch(ctx, object_type, batch)
            done += len(batch)
            ctx.progress(done, total, f"Pushing {object_type}s")
