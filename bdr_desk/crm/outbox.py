"""The outbox: every local create, update and delete of a synced record (account, contact, activity) becomes a
``sync_outbox`` row in the same transaction as the change, so nothing is lost when the app is closed, offline,
or the CRM fails. Push drains it (``bdr_desk.crm.push``); a row is processed only after the CRM confirmed.

Which writes are captured (listeners on every ``Session``, installed when ``bdr_desk.crm`` is imported —
``bdr_desk.schema`` imports it, so the CLI, the GUI, the demo and Alembic all have it; ``install()`` is
idempotent):

* the ORM unit of work (``session.add`` / attribute changes / ``session.delete``) — the app's edits, logging an
  activity, imports of changed accounts, merges (the kept record);
* DML statements run through ``Session.execute`` on the synced tables: Core or ORM-enabled ``insert()`` (the
  bulk import of new accounts), ``update()`` (bulk tier/owner/stage changes, contacts moved) and ``delete()``
  (merge, contact removal). Updates and deletes are captured by selecting the rows the statement's WHERE
  matches just before it runs; inserts by the id high-water mark (ids above it at commit time are new).

Not captured: raw SQL (``text()``, ``exec_driver_sql``) and writes on a bare ``Connection``; rows the database
removes or changes itself (``ON DELETE CASCADE`` contacts of a deleted account, ``SET NULL`` foreign keys).
Only fields some mapping can sync (``mapping.LOCAL_FIELDS``) count: rescoring or a ``last_touch_at`` bump
writes no outbox row.

Changes are collected per transaction (several edits of one record coalesce into one row: an update after a
create stays a create, a create then delete in one transaction leaves nothing) and written with one
executemany in ``before_commit`` — a rollback leaves no row. Rows are append-only across transactions (never
merged into a row a running push may have read); push merges all pending rows of a record into one CRM call.

Writes made by the sync itself run inside :func:`capture_off` and are not echoed back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, event, func, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from accounts.models import Account, Activity, Contact
from bdr_desk.crm.mapping import LOCAL_FIELDS, NATURAL_KEYS
from bdr_desk.crm.models import SyncOutbox
from bdr_desk.db import utcnow

CLASSES: dict[type, str] = {Account: "account", Contact: "contact", Activity: "activity"}
TABLES: dict[str, str] = {"accounts": "account", "contacts": "contact", "activities": "activity"}
MODELS: dict[str, type] = {v: k for k, v in CLASSES.items()}
CAPTURED: dict[str, frozenset[str]] = {
    t: frozenset(n for n, f in LOCAL_FIELDS[t].items() if not f.virtual) for t in TABLES.values()
}
_OFF = "bdr_desk.crm.capture_off"
_PENDING = "bdr_desk.crm.pending"
_MARKS = "bdr_desk.crm.insert_marks"


@dataclass
class _Change:
    operation: str  # create, update, delete
    fields: set[str] | None = None  # None: every field (a create)
    key: str | None = None  # natural key of a deleted record
    deleted_first: bool = False  # a delete of the same id precedes this create (SQLite reuses the top rowid)


@contextmanager
def capture_off(session: Session) -> Iterator[Session]:
    """Writes inside this block are the sync's own (pulled from the CRM): they are not queued for push. The
    block's pending ORM changes are flushed on the way out, while capture is still off (a commit after the
    block would otherwise flush them with capture on)."""
    session.info[_OFF] = session.info.get(_OFF, 0) + 1
    try:
        yield session
        session.flush()
    finally:
        session.info[_OFF] -= 1


def capturing(session: Session) -> bool:
    return not session.info.get(_OFF)


def record(session: Session, object_type: str, local_id: int, operation: str,
           fields: set[str] | None = None, key: str | None = None) -> None:
    """Queue one change in this transaction (written at commit). The listeners call it; the engine calls it
    directly for values it wants pushed back (a ``local_wins`` field, a resolved conflict)."""
    pending: dict[tuple[str, int], _Change] = session.info.setdefault(_PENDING, {})
    ident = (object_type, local_id)
    old = pending.get(ident)
    if old is None:
        pending[ident] = _Change(operation, set(fields) if fields is not None else None, key)
    elif operation == "delete":
        if old.operation == "create" and not old.deleted_first:
            del pending[ident]  # created and deleted in one transaction: the CRM never needs to know
        else:
            pending[ident] = _Change("delete", None, key or old.key)
    elif operation == "create":
        pending[ident] = _Change("create", None, old.key, deleted_first=old.operation == "delete")
    elif old.operation == "update" and old.fields is not None:
        old.fields |= set(fields or ())
    elif old.operation == "delete":  # an update of a re-used id after its delete: the new record is a create
        pending[ident] = _Change("create", None, old.key, deleted_first=True)


# ---- the ORM unit of work -----------------------------------------------------------------------------------

def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_OFF):
        return
    for obj in session.new:
        object_type = CLASSES.get(type(obj))
        if object_type is not None:
            record(session, object_type, obj.id, "create")
    for obj in session.dirty:
        object_type = CLASSES.get(type(obj))
        if object_type is None:
            continue
        state = inspect(obj)
        candidates = CAPTURED[object_type].intersection(state.committed_state)
        changed = {name for name in candidates if state.attrs[name].history.has_changes()}
        if changed:
            record(session, object_type, obj.id, "update", changed)
    for obj in session.deleted:
        object_type = CLASSES.get(type(obj))
        if object_type is not None:
            key_field = NATURAL_KEYS.get(object_type)
            record(session, object_type, obj.id, "delete", key=getattr(obj, key_field) if key_field else None)


# ---- DML statements through Session.execute -----------------------------------------------------------------

def _value_names(stmt: Any, params: Any) -> set[str]:
    names: set[str] = set()
    for source in (getattr(stmt, "_values", None) or {}, dict(getattr(stmt, "_ordered_values", None) or ())):
        names.update(getattr(k, "key", None) or str(k) for k in source)
    if isinstance(params, dict):
        names.update(params)
    elif isinstance(params, list | tuple) and params and isinstance(params[0], dict):
        names.update(params[0])
    return names


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    session = state.session
    if session.info.get(_OFF):
        return
    table = getattr(state.statement, "table", None)
    object_type = TABLES.get(getattr(table, "name", ""))
    if object_type is None:
        return
    table = inspect(MODELS[object_type]).local_table
    if state.is_insert:
        marks: dict[str, int] = session.info.setdefault(_MARKS, {})
        if object_type not in marks:
            marks[object_type] = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        return
    params = state.parameters
    many = isinstance(params, list | tuple) and len(params) > 1
    if state.is_update:
        fields = CAPTURED[object_type] & _value_names(state.statement, params)
        if not fields:
            return
    key_field = NATURAL_KEYS.get(object_type)
    where = state.statement.whereclause
    rows: list[tuple[int, Any]] = []
    if where is None and params and isinstance((params if many else [params])[0], dict) and "id" in (
            params if many else [params])[0]:
        rows = [(p["id"], None) for p in (params if many else [params])]  # ORM bulk update by primary key
    else:
        query = select(table.c.id, table.c[key_field] if key_field else table.c.id)
        if where is not None:
            query = query.where(where)
        for p in (params if many else [params or {}]):
            rows += [tuple(r) for r in session.execute(query, p or {}).all()]
    for local_id, key in rows:
        if state.is_update:
            record(session, object_type, local_id, "update", set(fields))
        else:
            record(session, object_type, local_id, "delete", key=key if key_field else None)


# ---- writing ------------------------------------------------------------------------------------------------

def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.get(_MARKS) or session.info.get(_PENDING) or session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush runs after this hook: capture it now
    marks: dict[str, int] = session.info.pop(_MARKS, {})
    for object_type, mark in marks.items():
        table = inspect(MODELS[object_type]).local_table
        for (local_id,) in session.execute(select(table.c.id).where(table.c.id > mark)):
            record(session, object_type, local_id, "create")
    pending: dict[tuple[str, int], _Change] = session.info.pop(_PENDING, {})
    if not pending:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for (object_type, local_id), change in pending.items():
        base = {"object_type": object_type, "local_id": local_id, "created_at": now, "attempts": 0}
        if change.deleted_first:
            rows.append({**base, "operation": "delete", "changed_fields": {"key": change.key}})
        if change.operation == "delete":
            rows.append({**base, "operation": "delete", "changed_fields": {"key": change.key}})
        elif change.operation == "update":
            rows.append({**base, "operation": "update", "changed_fields": {"fields": sorted(change.fields or ())}})
        else:
            rows.append({**base, "operation": "create", "changed_fields": None})
    session.execute(SyncOutbox.__table__.insert(), rows)


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)


_installed = False


def install() -> None:
    """Listen on every Session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_transaction_end", _forget)
    _installed = True


def uninstall() -> None:
    """Stop listening (benchmarks measuring the capture's cost)."""
    global _installed
    if not _installed:
        return
    event.remove(Session, "after_flush", _after_flush)
    event.remove(Session, "do_orm_execute", _on_execute)
    event.remove(Session, "before_commit", _before_commit)
    event.remove(Session, "after_transaction_end", _forget)
    _installed = False


# ---- reading (push) -----------------------------------------------------------------------------------------

@dataclass
class PendingRecord:
    """Every pending outbox row of one record, merged."""

    object_type: str
    local_id: int
    row_ids: list[int] = field(default_factory=list)
    upsert: bool = False  # create or update after the last delete
    create: bool = False
    fields: set[str] | None = field(default_factory=set)  # None: all fields
    delete: bool = False  # a delete to propagate first (alone, or before a re-used id's create)
    key: str | None = None
    attempts: int = 0
    last_error: str | None = None


def _done_by(changed: dict[str, Any] | None) -> list[str]:
    return list((changed or {}).get("done") or [])


def pending(session: Session, system: str, object_type: str) -> list[PendingRecord]:
    """The records of ``object_type`` waiting to be pushed to ``system``, oldest first, rows merged."""
    rows = session.execute(
        select(SyncOutbox.id, SyncOutbox.local_id, SyncOutbox.operation, SyncOutbox.changed_fields,
               SyncOutbox.attempts, SyncOutbox.last_error)
        .where(SyncOutbox.processed_at.is_(None), SyncOutbox.object_type == object_type)
        .order_by(SyncOutbox.id)
    ).all()
    records: dict[int, PendingRecord] = {}
    for row_id, local_id, operation, changed, attempts, last_error in rows:
        if system in _done_by(changed):
            continue
        rec = records.setdefault(local_id, PendingRecord(object_type, local_id))
        rec.row_ids.append(row_id)
        rec.attempts = max(rec.attempts, attempts or 0)
        rec.last_error = last_error or rec.last_error
        if operation == "delete":
            rec.delete, rec.upsert, rec.create, rec.fields = True, False, False, set()
            rec.key = (changed or {}).get("key") or rec.key
        elif operation == "create" or rec.fields is None:
            rec.upsert, rec.create, rec.fields = True, True, None
        else:
            rec.upsert = True
            rec.fields.update((changed or {}).get("fields") or ())
    return list(records.values())


def mark_done(session: Session, system: str, row_ids: list[int], systems: set[str]) -> None:
    """The CRM confirmed these rows for ``system``. A row is processed when every system in use has it."""
    if not row_ids:
        return
    now = utcnow()
    if systems <= {system}:
        for start in range(0, len(row_ids), 500):
            session.execute(update(SyncOutbox).where(SyncOutbox.id.in_(row_ids[start:start + 500]))
                            .values(processed_at=now, last_error=None).execution_options(synchronize_session=False))
        return
    for row in session.scalars(select(SyncOutbox).where(SyncOutbox.id.in_(row_ids))):
        done = sorted(set(_done_by(row.changed_fields)) | {system})
        row.changed_fields = {**(row.changed_fields or {}), "done": done}
        row.last_error = None
        if systems <= set(done):
            row.processed_at = now


def mark_failed(session: Session, row_ids: list[int], error: str) -> None:
    """A failed attempt: counted, the reason kept; the rows stay pending for the next run."""
    for start in range(0, len(row_ids), 500):
        session.execute(update(SyncOutbox).where(SyncOutbox.id.in_(row_ids[start:start + 500]))
                        .values(attempts=SyncOutbox.attempts + 1, last_error=error[:1000])
                        .execution_options(synchronize_session=False))


def unsynced(session: Session, system: str, object_types: tuple[str, ...] = ("account", "contact")
             ) -> dict[str, list[int]]:
    """Local records with no reference in ``system`` and nothing pending: the first push to a CRM sends them
    (and records written by a path the outbox does not capture)."""
    from bdr_desk.crm.models import ExternalRef

    found: dict[str, list[int]] = {}
    for object_type in object_types:
        table: Table = inspect(MODELS[object_type]).local_table
        linked = select(ExternalRef.local_id).where(ExternalRef.system == system,
                                                    ExternalRef.object_type == object_type)
        queued = select(SyncOutbox.local_id).where(SyncOutbox.processed_at.is_(None),
                                                   SyncOutbox.object_type == object_type)
        found[object_type] = list(session.scalars(
            select(table.c.id).where(table.c.id.not_in(linked), table.c.id.not_in(queued)).order_by(table.c.id)))
    return found


def enqueue_unsynced(session: Session, system: str, object_types: tuple[str, ...] = ("account", "contact")) -> int:
    """Queue a create for every record :func:`unsynced` finds. Returns how many."""
    n = 0
    for object_type, ids in unsynced(session, system, object_types).items():
        for local_id in ids:
            record(session, object_type, local_id, "create")
        n += len(ids)
    return n


def pending_ids(session: Session, object_type: str, local_ids: list[int] | None = None) -> set[int]:
    """Records of ``object_type`` with changes not pushed yet (the GUI's "out of sync" badge)."""
    stmt = select(SyncOutbox.local_id).where(SyncOutbox.processed_at.is_(None),
                                             SyncOutbox.object_type == object_type).distinct()
    if local_ids is not None:
        stmt = stmt.where(SyncOutbox.local_id.in_(local_ids))
    return set(session.scalars(stmt))
