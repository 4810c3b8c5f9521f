"""Pull: ask the CRM only for records changed since the last successful cursor, page by page, and merge them.

Each page is applied in one transaction together with the cursor that points past it, so a killed run resumes
at the next page and never skips one. For every CRM record: a known reference → the 3-way merge per field
(``merge.decide``); no reference → dedupe by natural key (e-mail, domain) and link, or create the local record
(a contact's or deal's company is fetched first when it is not here yet). Fields the merge gives to our side
(``local_wins``, a blank under ``crm_unless_blank``) are queued for push; undecidable ones go to the conflict
queue with both values and nothing is overwritten. Writes are the sync's own: no outbox echo.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdr_desk.crm import conflicts, merge, outbox, records, state
from bdr_desk.crm.connector import ConnectorError, RemoteRecord
from bdr_desk.crm.context import SyncContext, remote_archived, remote_value
from bdr_desk.crm.mapping import LOCAL_FIELDS, NATURAL_KEYS, FieldMap, Unmapped
from bdr_desk.crm.models import ExternalRef
from bdr_desk.crm.refs import ARCHIVED, RefIndex, base_of
from bdr_desk.crm.values import ValueProblem

PULL_TYPES = ("account", "contact", "opportunity")


def properties(ctx: SyncContext, object_type: str) -> list[str]:
    obj = ctx.mapping.object(object_type)
    names = {n for fm in ctx.mapping.pulled(object_type) for n in fm.remote_names() if not n.startswith("@")}
    if obj is not None and obj.key:
        names.add(obj.key)
    return sorted(names)


def _incoming(ctx: SyncContext, object_type: str, fields: list[FieldMap], rec: RemoteRecord) -> dict[str, Any]:
    """A new CRM record's pulled fields in local form; unreadable or unmapped values are left out (noted)."""
    values: dict[str, Any] = {}
    for fm in fields:
        try:
            values[fm.local] = ctx.translator.into(object_type, fm, remote_value(rec, fm))
        except (Unmapped, ValueProblem) as exc:
            ctx.result.warn(f"{object_type}.{fm.local}: {exc}; left blank")
    return values


def _key(ctx: SyncContext, object_type: str, rec: RemoteRecord) -> Any:
    field = NATURAL_KEYS.get(object_type)
    obj = ctx.mapping.object(object_type)
    fm = obj.field(field) if obj and field else None
    if fm is None:
        return None
    try:
        return ctx.translator.into(object_type, fm, remote_value(rec, fm))
    except (Unmapped, ValueProblem):
        return None


def _fetch_parents(ctx: SyncContext, session: Session, refs: RefIndex, object_type: str, fields: list[FieldMap],
                   recs: list[RemoteRecord]) -> None:
    """Companies that pulled contacts or deals belong to, but that are not here yet: read and apply them first."""
    wanted: set[str] = set()
    for fm in fields:
        if LOCAL_FIELDS[object_type][fm.local].ref == "account":
            wanted |= {str(v) for r in recs if (v := remote_value(r, fm)) not in (None, "")}
    refs.prefetch_external("account", wanted)
    missing = sorted(w for w in wanted if refs.local_id("account", w) is None
                     and ("account", w) not in ctx.planned_local)
    account_fields = ctx.mapping.pulled("account")
    if not missing or not account_fields:
        return
    got = ctx.call(ctx.conn.read, "account", missing, properties(ctx, "account"))
    if isinstance(got, ConnectorError):
        ctx.result.warn(f"reading the companies of pulled {object_type}s failed: {got}")
        return
    apply_page(ctx, session, "account", account_fields, list(got))


def _resolve_parent(ctx: SyncContext, session: Session, refs: RefIndex, object_type: str, values: dict[str, Any],
                    rec: RemoteRecord) -> str | None:
    """Make sure a new contact or deal has its company; the reason when it cannot."""
    if object_type not in ("contact", "opportunity"):
        return None
    ext = values.get("account_id")
    if ext is not None and (refs.local_id("account", ext) is not None or ("account", ext) in ctx.planned_local):
        return None
    if object_type == "contact" and values.get("email"):  # no CRM company: the one whose domain the e-mail has
        from accounts.domains import normalize_domain

        local = records.find_by_key(session, "account", [normalize_domain(values["email"]) or ""])
        if local:
            values["account_id"] = None
            values["_account_local"] = next(iter(local.values()))
            return None
    return f"its company {ext} could not be found" if ext else "it has no company in the CRM"


def _create(ctx: SyncContext, session: Session, refs: RefIndex, object_type: str, fields: list[FieldMap],
            rec: RemoteRecord) -> None:
    counts = ctx.result.counts("pull", object_type)
    values = _incoming(ctx, object_type, fields, rec)
    why = _resolve_parent(ctx, session, refs, object_type, values, rec)
    label = str(values.get("name") or values.get("email") or rec.external_id)
    if why:
        ctx.result.error("pull", object_type, "dependency", f"{label}: not created here: {why}",
                         external_id=rec.external_id)
        return
    counts.created += 1
    ctx.plan("pull", object_type, "create", label, external_id=rec.external_id,
             fields={k: [None, v] for k, v in values.items() if v is not None and not k.startswith("_")})
    if ctx.dry_run:
        ctx.planned_local[(object_type, rec.external_id)] = -len(ctx.planned_local) - 1
        return
    account_local = values.pop("_account_local", None)
    if account_local is None:
        obj, skipped = records.create(session, object_type, values, refs, taxonomy=ctx.taxonomy, system=ctx.system)
    else:  # filed under the account of its e-mail domain: tell the CRM about that company too
        obj, skipped = _create_under(session, object_type, values, account_local, refs, ctx)
        outbox.record(session, object_type, obj.id, "update", {"account_id"})
    for f, reason in skipped.items():
        ctx.result.warn(f"{label}: {f} not taken from the CRM: {reason}")
        values.pop(f, None)
    refs.link(object_type, obj.id, rec.external_id, updated_at=rec.updated_at, values=values)


def _create_under(session: Session, object_type: str, values: dict[str, Any], account_id: int, refs: RefIndex,
                  ctx: SyncContext) -> tuple[Any, dict[str, str]]:
    """A contact whose CRM record has no company, filed under the local account of its e-mail domain."""
    model = records.MODELS[object_type]
    obj = model(source="crm", account_id=account_id)
    skipped = records.apply(session, obj, object_type, {k: v for k, v in values.items() if k != "account_id"},
                            refs, taxonomy=ctx.taxonomy, system=ctx.system)
    session.add(obj)
    session.flush()
    return obj, skipped


def _merge(ctx: SyncContext, session: Session, refs: RefIndex, object_type: str, fields: list[FieldMap],
           rec: RemoteRecord, ref: Any, obj: Any, blocked: dict[tuple[int, str], Any]) -> None:
    counts = ctx.result.counts("pull", object_type)
    base0 = base_of(ref)
    label = records.label(obj, object_type)
    local_at = records.changed_at(obj)
    take: dict[str, Any] = {}
    base: dict[str, Any] = {}
    push_back: set[str] = set()
    preview: dict[str, list[Any]] = {}
    for fm in fields:
        if (obj.id, fm.local) in blocked:
            continue
        raw = remote_value(rec, fm)
        local = records.value_of(obj, object_type, fm.local, refs)
        has_base = base0 is not None and fm.local in base0
        d = merge.decide(ctx.translator, object_type, fm, local=local, base=(base0 or {}).get(fm.local),
                         has_base=has_base, remote_raw=raw, local_at=local_at,
                         remote_at=rec.updated_at or (ref.remote_updated_at if ref is not None else None))
        if d.action == "pull":
            take[fm.local] = base[fm.local] = d.value
            preview[fm.local] = [local, d.value]
        elif d.action == "base":
            base[fm.local] = d.value
        elif d.action == "push":
            push_back.add(fm.local)
            try:
                base[fm.local] = ctx.translator.into(object_type, fm, raw)
            except (Unmapped, ValueProblem):
                pass
        elif d.action == "conflict":
            ctx.plan("pull", object_type, "conflict", label, local_id=obj.id, fields={fm.local: [local, d.remote]})
            counts.conflicts += int(ctx.dry_run or conflicts.raise_conflict(
                session, blocked, run_id=ctx.run_id, system=ctx.system, object_type=object_type, local_id=obj.id,
                field=fm.local, local=local, remote=d.remote))
        elif d.action in ("skip", "defer"):
            ctx.result.warn(f"{object_type}.{fm.local}: {d.reason}; left as it is")
    if take:
        counts.updated += 1
        ctx.plan("pull", object_type, "update", label, local_id=obj.id, external_id=rec.external_id, fields=preview)
    else:
        counts.skipped += 1
    if ctx.dry_run:
        return
    if take:
        for f, reason in records.apply(session, obj, object_type, take, refs, taxonomy=ctx.taxonomy,
                                       system=ctx.system).items():
            ctx.result.warn(f"{label}: {f} not taken from the CRM: {reason}")
            base.pop(f, None)
    if push_back and object_type != "opportunity":
        outbox.record(session, object_type, obj.id, "update", push_back)
    if ref.synced_values and ref.synced_values.get(ARCHIVED):  # back from the CRM's recycle bin
        ref.synced_values = {k: v for k, v in ref.synced_values.items() if k != ARCHIVED}
    refs.touch(ref, updated_at=rec.updated_at, values=base)


def apply_page(ctx: SyncContext, session: Session, object_type: str, fields: list[FieldMap],
               recs: list[RemoteRecord]) -> None:
    refs = ctx.refs(session)
    refs.prefetch_external(object_type, [r.external_id for r in recs])
    if object_type in ("contact", "opportunity"):
        _fetch_parents(ctx, session, refs, object_type, fields, [r for r in recs if not r.archived])
    linked = {r.external_id: refs.for_external(object_type, r.external_id) for r in recs}
    keys = {r.external_id: _key(ctx, object_type, r) for r in recs if linked[r.external_id] is None}
    by_key = records.find_by_key(session, object_type, [k for k in keys.values() if k])
    local_ids = [ref.local_id for ref in linked.values() if ref is not None] + list(by_key.values())
    objs = records.load(session, object_type, local_ids)
    blocked = conflicts.open_conflicts(session, ctx.system, object_type, local_ids)
    counts = ctx.result.counts("pull", object_type)
    for rec in recs:
        ref = linked[rec.external_id]
        if rec.archived:
            if ref is not None:
                remote_archived(ctx, session, refs, "pull", object_type, ref, objs.get(ref.local_id))
            continue
        if ref is None:
            local_id = by_key.get(keys.get(rec.external_id))
            if local_id is None or local_id not in objs:
                _create(ctx, session, refs, object_type, fields, rec)
                continue
            other = refs.for_local(object_type, local_id)
            if other is not None and other.external_id != rec.external_id:
                counts.skipped += 1
                ctx.result.warn(f"{records.label(objs[local_id], object_type)}: the CRM has it twice "
                                f"({other.external_id} and {rec.external_id}); only {other.external_id} is synced")
                continue
            ctx.plan("pull", object_type, "link", records.label(objs[local_id], object_type), local_id=local_id,
                     external_id=rec.external_id)
            if ctx.dry_run:
                refs.plan_link(object_type, local_id, rec.external_id)
                ref = refs.for_local(object_type, local_id)
                ref.synced_values = None
            else:
                ref = refs.link(object_type, local_id, rec.external_id, updated_at=None)
                ref.synced_values = None
        elif (ref.remote_updated_at is not None and rec.updated_at is not None
              and ref.remote_updated_at == rec.updated_at and ref.synced_values is not None):
            counts.skipped += 1  # unchanged since we last synced it (our own push coming back)
            continue
        obj = objs.get(ref.local_id)
        if obj is None:
            counts.skipped += 1  # deleted here; the outbox archives it in the CRM
            continue
        _merge(ctx, session, refs, object_type, fields, rec, ref, obj, blocked)


def _archived(ctx: SyncContext, object_type: str, gone: list[str]) -> None:
    with ctx.session() as s:
        refs = ctx.refs(s)
        refs.prefetch_external(object_type, gone)
        found = [r for i in gone if (r := refs.for_external(object_type, i)) is not None]
        objs = records.load(s, object_type, [r.local_id for r in found])
        for ref in found:
            if not (ref.synced_values or {}).get(ARCHIVED):
                remote_archived(ctx, s, refs, "pull", object_type, ref, objs.get(ref.local_id))


def _full_compare(ctx: SyncContext, object_type: str) -> list[str] | ConnectorError:
    """The CRM can no longer list deletions that far back: every linked record missing from a full listing
    was deleted there."""
    seen: set[str] = set()
    token: str | None = None
    while True:
        got = ctx.call(ctx.conn.changed_since, object_type, None, properties(ctx, object_type)[:1], token)
        if isinstance(got, ConnectorError):
            return got
        seen.update(r.external_id for r in got.records if not r.archived)
        if not got.cursor:
            break
        token = got.cursor
    with ctx.session() as s:
        linked = s.scalars(select(ExternalRef.external_id).where(
            ExternalRef.system == ctx.system, ExternalRef.object_type == object_type)).all()
    return [i for i in linked if i not in seen]


def _pull_type(ctx: SyncContext, object_type: str, fields: list[FieldMap]) -> None:
    with ctx.session() as s:
        cursor = state.load_cursor(s, ctx.system, object_type)
    since, token, restarted, pages = cursor.since, cursor.page, False, 0
    props = properties(ctx, object_type)
    listed: set[str] | None = set() if since is None and token is None else None  # a full listing
    while True:
        ctx.cancel.raise_if_cancelled()
        got = ctx.call(ctx.conn.changed_since, object_type, since, props, token)
        if isinstance(got, ConnectorError):
            if token and not restarted:  # a stale paging token: start this object type over (idempotent)
                token, restarted = None, True
                listed = set() if since is None else None
                continue
            ctx.pull_incomplete = True
            ctx.result.error("pull", object_type, got.kind, f"reading changes failed: {got}")
            return
        with ctx.session() as s:
            apply_page(ctx, s, object_type, fields, list(got.records))
            for r in got.records:
                cursor.seen(r.updated_at)
                if listed is not None and not r.archived:
                    listed.add(r.external_id)
            cursor.page = got.cursor
            if not ctx.dry_run:
                state.save_cursor(s, ctx.system, object_type, cursor)
        pages += 1
        ctx.progress(pages, 0, f"Pulling {object_type}s (page {pages})")
        if not got.cursor:
            break
        token = got.cursor
    if listed is not None:  # everything was listed: a linked record missing from it was deleted there
        with ctx.session() as s:
            linked = s.scalars(select(ExternalRef.external_id).where(
                ExternalRef.system == ctx.system, ExternalRef.object_type == object_type)).all()
        _archived(ctx, object_type, [i for i in linked if i not in listed and ("(new" not in i)])
    elif since is not None:
        gone = ctx.call(ctx.conn.deleted_since, object_type, since)
        if isinstance(gone, ConnectorError) and (getattr(gone, "needs_full_compare", False)
                                                 or type(gone).__name__ == "DeletedWindowError"):
            gone = _full_compare(ctx, object_type)
        if isinstance(gone, ConnectorError):
            ctx.pull_incomplete = True
            ctx.result.error("pull", object_type, gone.kind, f"reading deletions failed: {gone}")
            return  # the cursor stays: the next run reads these changes and deletions again
        _archived(ctx, object_type, gone)
    with ctx.session() as s:
        cursor.since, cursor.page = cursor.high or since, None
        if not ctx.dry_run:
            state.save_cursor(s, ctx.system, object_type, cursor)


def pull(ctx: SyncContext) -> None:
    for object_type in PULL_TYPES:
        fields = ctx.mapping.pulled(object_type)
        if not fields:
            continue
        with ctx.calls("pull", object_type):
            _pull_type(ctx, object_type, fields)
