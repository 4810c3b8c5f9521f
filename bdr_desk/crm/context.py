"""What push and pull share during one run: the workspace, the connector, the mapping and its translator, the
result being filled in, the dry-run switch, progress and cancel; plus the handling of a record the CRM has
archived (pull sees it archived, push finds it gone), which both directions apply the same way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bdr_desk.crm import outbox, records
from bdr_desk.crm.connector import Connector, ConnectorError, RemoteRecord
from bdr_desk.crm.journal import PlannedChange, SyncResult
from bdr_desk.crm.mapping import FieldMap, SyncMapping, Translator
from bdr_desk.crm.models import ExternalRef
from bdr_desk.crm.refs import ARCHIVED, RefIndex
from bdr_desk.db import Workspace
from bdr_desk.jobs import CancelToken, ProgressFn
from bdr_desk.taxonomy import Taxonomy

FATAL_KINDS = ("auth", "config")  # no point in trying the next batch
MAX_FAILED_CALLS = 3  # whole calls failing in a row (after the HTTP layer's own retries) stop the run


class SyncAborted(Exception):
    """The run cannot go on (bad credentials, CRM unreachable); the message is one safe line."""


@dataclass
class SyncContext:
    workspace: Workspace
    conn: Connector
    mapping: SyncMapping
    translator: Translator
    taxonomy: Taxonomy
    result: SyncResult
    progress: ProgressFn
    cancel: CancelToken
    dry_run: bool = False
    run_id: int | None = None
    systems: set[str] = field(default_factory=set)  # outbox consumers
    pulled: bool = False  # this run pulled every CRM change before pushing
    pull_incomplete: bool = False  # some CRM changes could not be read
    failed_calls: int = 0
    planned_refs: dict[tuple[str, int], str] = field(default_factory=dict)  # dry run: links creates would make
    planned_local: dict[tuple[str, str], int] = field(default_factory=dict)  # dry run: local records pull makes
    _planned: dict[tuple[Any, ...], PlannedChange] = field(default_factory=dict)

    @property
    def system(self) -> str:
        return self.mapping.system

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work whose writes are the sync's own. A dry run's session is always rolled back."""
        if self.dry_run:
            session = self.workspace.sessions()
            try:
                with outbox.capture_off(session):
                    yield session
            finally:
                session.rollback()
                session.close()
            return
        with self.workspace.session() as session, outbox.capture_off(session):
            yield session

    def refs(self, session: Session) -> RefIndex:
        return RefIndex(session, self.system, dry_run=self.dry_run, planned=self.planned_refs)

    @contextmanager
    def calls(self, direction: str, object_type: str) -> Iterator[None]:
        """Attribute the connector's API calls made inside the block to one object type."""
        before = self.conn.api_calls
        try:
            yield
        finally:
            self.result.counts(direction, object_type).api_calls += self.conn.api_calls - before

    def call(self, fn: Any, *args: Any) -> Any:
        """One connector call; a failure of the whole call is returned (not raised) unless it is fatal."""
        try:
            value = fn(*args)
        except ConnectorError as exc:
            if exc.kind in FATAL_KINDS:
                raise SyncAborted(f"{exc.kind}: {exc}") from exc
            self.failed_calls += 1
            if self.failed_calls >= MAX_FAILED_CALLS:
                raise SyncAborted(f"{self.failed_calls} calls in a row failed; last: {exc.kind}: {exc}") from exc
            return exc
        self.failed_calls = 0
        return value

    def plan(self, direction: str, object_type: str, operation: str, label: str, *, local_id: int | None = None,
             external_id: str | None = None, fields: dict[str, list[Any]] | None = None) -> None:
        """Add (or extend) a preview line; only a dry run keeps a preview."""
        if not self.dry_run:
            return
        key = (direction, object_type, local_id if local_id is not None else external_id)
        line = self._planned.get(key)
        if line is None or line.operation != operation:
            line = PlannedChange(direction, object_type, operation, label, local_id, external_id, {})
            self._planned[key] = line
            self.result.preview.append(line)
        line.fields.update(fields or {})


def remote_value(record: RemoteRecord, fm: FieldMap, kind: str | None = None) -> Any:
    """A field's value in a CRM record; ``@x`` names come from the record's associations."""
    name, _ = fm.remote_for(kind)
    if name is None:
        return None
    if name.startswith("@"):
        ids = record.associations.get(name[1:]) or []
        return ids[0] if ids else record.properties.get(name)
    return record.properties.get(name)


def remote_archived(ctx: SyncContext, session: Session, refs: RefIndex, direction: str, object_type: str,
                    ref: ExternalRef, obj: Any | None) -> None:
    """Apply the mapping's policy for a record archived in the CRM: ``keep`` the local record and forget the
    link, ``delete`` it, or ``mark`` the link archived (push then leaves the record alone)."""
    from accounts.history import record_event

    policy = ctx.mapping.remote_deletes
    label = records.label(obj, object_type) if obj is not None else f"{object_type} {ref.local_id}"
    system = records.SYSTEM_LABELS.get(ctx.system, ctx.system)
    counts = ctx.result.counts(direction, object_type)
    if obj is None or policy == "keep":
        ctx.plan(direction, object_type, "unlink", label, local_id=ref.local_id, external_id=ref.external_id)
        refs.unlink(ref)
        counts.archived += 1
    elif policy == "delete":
        ctx.plan(direction, object_type, "delete", label, local_id=ref.local_id, external_id=ref.external_id)
        account_id = records.account_of(obj, object_type)
        if not ctx.dry_run:
            if object_type != "account" and account_id is not None:
                record_event(session, account_id, "updated", f"{label} deleted: it was deleted in {system}",
                             source="crm")
            refs.unlink(ref)
            records.remove(session, obj)
        counts.deleted += 1
    else:
        ctx.plan(direction, object_type, "archive", label, local_id=ref.local_id, external_id=ref.external_id)
        if not ctx.dry_run:
            ref.synced_values = {**(ref.synced_values or {}), ARCHIVED: True}
            account_id = records.account_of(obj, object_type)
            if account_id is not None:
                record_event(session, account_id, "updated", f"{label} was archived in {system}", source="crm")
        counts.archived += 1
