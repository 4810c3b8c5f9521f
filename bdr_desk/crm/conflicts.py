"""The conflict queue: a field changed on both sides since the last sync under a rule that cannot decide.
Nothing is overwritten while a conflict is open; :func:`resolve` applies the chosen value and queues the push
that brings the CRM in line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdr_desk.crm import outbox, records
from bdr_desk.crm.mapping import LOCAL_FIELDS
from bdr_desk.crm.models import ExternalRef, SyncConflict
from bdr_desk.crm.refs import RefIndex
from bdr_desk.crm.values import ValueProblem, as_text, from_text
from bdr_desk.db import utcnow

RESOLUTIONS = ("local", "remote", "manual")


class ConflictError(ValueError):
    """A resolution that cannot be applied (unknown conflict, bad value, record gone)."""


@dataclass(frozen=True)
class ConflictRow:
    id: int
    system: str
    object_type: str
    local_id: int
    field: str
    field_label: str
    local_value: str | None
    remote_value: str | None
    record_label: str


def open_conflicts(session: Session, system: str, object_type: str, local_ids: list[int]) -> dict[tuple[int, str],
                                                                                                    SyncConflict]:
    """Open conflicts of these records, by (local id, field)."""
    found: dict[tuple[int, str], SyncConflict] = {}
    for start in range(0, len(local_ids), 500):
        for c in session.scalars(select(SyncConflict).where(
                SyncConflict.system == system, SyncConflict.object_type == object_type,
                SyncConflict.local_id.in_(local_ids[start:start + 500]), SyncConflict.resolved_at.is_(None))):
            found[(c.local_id, c.field)] = c
    return found


def raise_conflict(session: Session, existing: dict[tuple[int, str], SyncConflict], *, run_id: int | None,
                   system: str, object_type: str, local_id: int, field: str, local: Any, remote: Any) -> bool:
    """Open (or refresh) the conflict of one field. Returns True when it is new."""
    current = existing.get((local_id, field))
    if current is not None:
        current.local_value, current.remote_value = as_text(local), as_text(remote)
        current.run_id = run_id or current.run_id
        return False
    row = SyncConflict(run_id=run_id, system=system, object_type=object_type, local_id=local_id, field=field,
                       local_value=as_text(local), remote_value=as_text(remote))
    session.add(row)
    existing[(local_id, field)] = row
    return True


def list_conflicts(session: Session, system: str | None = None, limit: int = 1000) -> list[ConflictRow]:
    """The open conflicts, oldest first, with the record's name (for the conflict queue)."""
    stmt = select(SyncConflict).where(SyncConflict.resolved_at.is_(None))
    if system:
        stmt = stmt.where(SyncConflict.system == system)
    rows = list(session.scalars(stmt.order_by(SyncConflict.detected_at, SyncConflict.id).limit(limit)))
    objs: dict[tuple[str, int], Any] = {}
    for object_type in {r.object_type for r in rows}:
        found = records.load(session, object_type, [r.local_id for r in rows if r.object_type == object_type])
        objs.update(((object_type, k), v) for k, v in found.items())
    out = []
    for r in rows:
        obj = objs.get((r.object_type, r.local_id))
        lf = LOCAL_FIELDS.get(r.object_type, {}).get(r.field)
        out.append(ConflictRow(r.id, r.system, r.object_type, r.local_id, r.field, lf.label if lf else r.field,
                               r.local_value, r.remote_value,
                               records.label(obj, r.object_type) if obj is not None else f"(deleted #{r.local_id})"))
    return out


def resolve(session: Session, conflict_id: int, choice: str, value: Any = None) -> SyncConflict:
    """Settle one conflict: keep the ``local`` value, take the ``remote`` one, or a ``manual`` value. The chosen
    value is written locally (a sync write, not echoed) and, unless the CRM already has it, queued for push; the
    merge base becomes the CRM's current value so the next run sees only our side as changed."""
    if choice not in RESOLUTIONS:
        raise ConflictError(f"resolution must be one of {', '.join(RESOLUTIONS)}, not {choice!r}")
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None:
        raise ConflictError(f"no conflict with id {conflict_id}")
    if conflict.resolved_at is not None:
        raise ConflictError(f"conflict {conflict_id} was already resolved ({conflict.resolution})")
    lf = LOCAL_FIELDS.get(conflict.object_type, {}).get(conflict.field)
    if lf is None:
        raise ConflictError(f"{conflict.object_type}.{conflict.field} is not a synced field")
    obj = records.load(session, conflict.object_type, [conflict.local_id]).get(conflict.local_id)
    if obj is None:
        raise ConflictError(f"{conflict.object_type} {conflict.local_id} no longer exists")
    try:
        remote = from_text(lf.kind, conflict.remote_value)
        chosen = {"local": lambda: from_text(lf.kind, conflict.local_value), "remote": lambda: remote,
                  "manual": lambda: from_text(lf.kind, value if value is None else str(value))}[choice]()
    except ValueProblem as exc:
        raise ConflictError(f"{lf.label}: {exc}") from None
    ref = session.scalar(select(ExternalRef).where(
        ExternalRef.system == conflict.system, ExternalRef.object_type == conflict.object_type,
        ExternalRef.local_id == conflict.local_id))
    refs = RefIndex(session, conflict.system)
    with outbox.capture_off(session):
        skipped = records.apply(session, obj, conflict.object_type, {conflict.field: chosen}, refs,
                                system=conflict.system)
    if skipped:
        raise ConflictError(f"{lf.label}: {skipped[conflict.field]}")
    if ref is not None:
        ref.synced_values = {**(ref.synced_values or {}), conflict.field: remote}
    if chosen != remote:
        outbox.record(session, conflict.object_type, conflict.local_id, "update", {conflict.field})
    conflict.resolved_at, conflict.resolution = utcnow(), choice
    session.flush()
    return conflict
