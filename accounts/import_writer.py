"""The writing half of an import: new accounts in bulk, changed ones through the ORM (so the timeline records
each field), list membership, CRM references and the import journal — all inside the import's transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update

from accounts.history import FIELD_LABELS as HISTORY_LABELS
from accounts.models import Account, AccountEvent, ImportRun
from bdr_desk.db import utcnow

CHUNK = 2_000
VALUE_FIELDS = ("name", "domain", "website", "industry", "sub_industry", "employees", "annual_revenue",
                "hq_country", "hq_region", "hq_city", "tier", "abm_stage", "owner_id", "description",
                "size_band", "segment", "parent_id")


def table_sha(table: Any) -> str:
    """A fingerprint of the rows, so the journal can tell the same file imported twice."""
    h = hashlib.sha256()
    for row in table.rows:
        h.update("\x1f".join(row).encode("utf-8", "surrogatepass") + b"\x1e")
    return h.hexdigest()


class ImportWriter:
    """Mixed into the importer; uses its state (``s``, ``state``, ``new``, ``dirty``, ``touched``, …)."""

    s: Any
    state: dict[int, dict[str, Any]]
    new: list[int]
    dirty: dict[int, set[str]]
    touched: list[int]
    new_refs: list[tuple[str, str, int]]
    ext_of: dict[tuple[str, int], str]
    table: Any
    mapping: dict[str, str]
    options: Any
    result: Any
    cancel: Any

    def _write(self) -> None:
        s, now, uid = self.s, utcnow(), self.options.user_id
        real: dict[int, int] = {}
        for start in range(0, len(self.new), CHUNK):
            self.cancel.raise_if_cancelled()
            chunk = self.new[start:start + CHUNK]
            rows = [{**{f: self.state[tmp][f] for f in VALUE_FIELDS if f != "parent_id"},
                     "parent_id": self.state[tmp]["parent_id"] if (self.state[tmp]["parent_id"] or 0) > 0 else None,
                     "created_at": now, "updated_at": now, "version": 1} for tmp in chunk]
            ids = self._insert_accounts(rows)
            real.update(zip(chunk, ids, strict=True))
        fix_parents = [{"_id": real[tmp], "_parent": real[p]} for tmp in self.new
                       if (p := self.state[tmp]["parent_id"]) is not None and p < 0]
        if fix_parents:
            tbl = Account.__table__
            s.execute(update(tbl).where(tbl.c.id == bindparam("_id")).values(parent_id=bindparam("_parent")),
                      fix_parents)
        events = [{"account_id": real[tmp], "occurred_at": now, "user_id": uid, "kind": "imported",
                   "source": "import", "summary": f"Imported from {self.table.source}"[:500]} for tmp in self.new]
        for start in range(0, len(events), CHUNK):
            s.execute(insert(AccountEvent), events[start:start + CHUNK])
        self._update_existing(real)
        ids = list(dict.fromkeys(real.get(t, t) for t in self.touched))
        if self.options.list_name:
            self._add_to_list(ids)
        refs, seen = [], set(self.ext_of)
        for system, external_id, tmp in self.new_refs:
            local = real.get(tmp, tmp)
            if (system, local) not in seen:  # one ref per account and system: the first row's id wins
                seen.add((system, local))
                refs.append({"system": system, "object_type": "account", "local_id": local,
                             "external_id": external_id})
        if refs:
            s.execute(text("INSERT INTO external_refs (system, object_type, local_id, external_id) "
                           "VALUES (:system, :object_type, :local_id, :external_id)"), refs)
        for p in self.result.planned:
            if p.account_id is not None and p.account_id < 0:
                p.account_id = None if self.options.dry_run else real[p.account_id]
        if not self.options.dry_run:
            res = self.result
            run = ImportRun(file_name=str(self.table.source)[:500], file_sha256=table_sha(self.table), dry_run=False,
                            status="ok", mapping=self.mapping, finished_at=utcnow(), user_id=uid,
                            counts={k: v for k, v in res.as_json().items() if isinstance(v, int)},
                            errors=[e.as_json() for e in res.errors[:1000]])
            s.add(run)
            s.flush()
            res.import_run_id = run.id

    def _insert_accounts(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` and return their ids in order. On SQLite a plain executemany (RETURNING with
        ordering is slow there): the transaction holds the write lock from its first insert, so the new rowids
        are the highest ``len(rows)`` ids, in insertion order."""
        if self.s.get_bind().dialect.name != "sqlite":
            return list(self.s.scalars(insert(Account).returning(Account.id, sort_by_parameter_order=True), rows))
        self.s.execute(insert(Account.__table__), rows)
        ids = self.s.scalars(select(Account.id).order_by(Account.id.desc()).limit(len(rows))).all()
        return sorted(ids)

    def _update_existing(self, real: dict[int, int]) -> None:
        from accounts.history import record_changes, snapshot

        ids = sorted(self.dirty)
        ids = [i for i in ids if i > 0]
        for start in range(0, len(ids), 500):
            self.cancel.raise_if_cancelled()
            chunk = ids[start:start + 500]
            for acc in self.s.scalars(select(Account).where(Account.id.in_(chunk))):
                before = snapshot(acc, tuple(f for f in HISTORY_LABELS if hasattr(acc, f)))
                for f in self.dirty[acc.id]:
                    val = self.state[acc.id][f]
                    setattr(acc, f, real.get(val, val) if f == "parent_id" and val is not None else val)
                record_changes(self.s, acc, before, user_id=self.options.user_id, source="import")
            self.s.flush()

    def _add_to_list(self, ids: list[int]) -> None:
        from accounts.bulk import BulkError, add_to_list

        try:
            add_to_list(self.s, ids, self.options.list_name.strip(), self.options.user_id, source="import")
        except BulkError as exc:
            self.result.warnings.append(f"{exc}; the accounts were imported but not added to the list")


def run_import(target: Any, table: Any, mapping: dict[str, Any], options: Any, progress: Any, cancel: Any, *,
               validate: Any, importer: Any, object_type: str) -> Any:
    """The shared front of the account and contact imports: check the mapping, then run ``importer(session,
    table, mapping, options, progress, cancel).run()`` in the import's one transaction."""
    from accounts.import_results import ImportMappingError
    from bdr_desk.jobs import CancelToken

    cancel = cancel or CancelToken()
    problems = validate(table.headers, mapping)
    if problems:
        raise ImportMappingError("; ".join(problems))
    return run_in_transaction(
        target, lambda session: importer(session, table, mapping, options, progress, cancel).run(),
        dry_run=options.dry_run, object_type=object_type, table=table, mapping=mapping, user_id=options.user_id)


def run_in_transaction(target: Any, run: Any, *, dry_run: bool, object_type: str, table: Any,
                       mapping: dict[str, Any], user_id: int | None) -> Any:
    """The one transaction of an import: ``run(session)`` inside a SAVEPOINT of the caller's Session, or in a
    Session of its own from a Workspace (committed on success). A dry run rolls back. A failed or cancelled
    import leaves the database as it was and is journaled (``ImportRun``) unless it was a dry run."""
    from sqlalchemy.orm import Session

    from bdr_desk.jobs import JobCancelled

    if isinstance(target, Session):
        nested = target.begin_nested()
        try:
            result = run(target)
        except BaseException:
            nested.rollback()
            raise
        (nested.rollback if dry_run else nested.commit)()
        return result
    session = target.sessions()
    try:
        result = run(session)
        (session.rollback if dry_run else session.commit)()
        return result
    except BaseException as exc:
        session.rollback()
        if not dry_run:
            status = "cancelled" if isinstance(exc, JobCancelled | KeyboardInterrupt) else "failed"
            try:
                session.add(ImportRun(object_type=object_type, file_name=str(table.source)[:500], status=status,
                                      mapping=mapping, dry_run=False, finished_at=utcnow(), user_id=user_id,
                                      message=None if status == "cancelled" else f"{type(exc).__name__}: {exc}"[:2000]))
                session.commit()
            except Exception:  # noqa: BLE001 - the journal must not hide the original error
                session.rollback()
        raise
    finally:
        session.close()
