"""Which local record is which CRM record (``external_refs``), cached for one batch or page.

A reference also keeps the 3-way merge base: ``synced_values`` maps each synced field to its canonical value
at the last sync (association fields to the *external* id of the associated record). Reserved entries start
with ``__``: ``__archived__`` marks a record archived in the CRM under the ``mark`` delete policy.

In a dry run nothing is written: links made by planned creates live only in this cache, under placeholder
ids, so a later planned contact can name its planned company.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdr_desk.crm.models import ExternalRef
from bdr_desk.db import utcnow

ARCHIVED = "__archived__"


class RefIndex:
    def __init__(self, session: Session, system: str, *, dry_run: bool = False,
                 planned: dict[tuple[str, int], str] | None = None) -> None:
        self.session, self.system, self.dry_run = session, system, dry_run
        self.planned = planned if planned is not None else {}  # dry run: (object type, local id) → placeholder
        self._by_local: dict[tuple[str, int], ExternalRef | None] = {}
        self._by_ext: dict[tuple[str, str], ExternalRef | None] = {}

    # ---- lookups --------------------------------------------------------------------------------------------

    def _remember(self, ref: ExternalRef) -> None:
        self._by_local[(ref.object_type, ref.local_id)] = ref
        self._by_ext[(ref.object_type, ref.external_id)] = ref

    def prefetch_local(self, object_type: str, local_ids: Iterable[int]) -> None:
        wanted = [i for i in set(local_ids) if (object_type, i) not in self._by_local]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for ref in self.session.scalars(select(ExternalRef).where(
                    ExternalRef.system == self.system, ExternalRef.object_type == object_type,
                    ExternalRef.local_id.in_(chunk))):
                self._remember(ref)
            for i in chunk:
                if (object_type, i) not in self._by_local and (object_type, i) in self.planned:
                    self.plan_link(object_type, i, self.planned[(object_type, i)])
                self._by_local.setdefault((object_type, i), None)

    def prefetch_external(self, object_type: str, external_ids: Iterable[str]) -> None:
        wanted = [i for i in set(external_ids) if (object_type, i) not in self._by_ext]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for ref in self.session.scalars(select(ExternalRef).where(
                    ExternalRef.system == self.system, ExternalRef.object_type == object_type,
                    ExternalRef.external_id.in_(chunk))):
                self._remember(ref)
            for i in chunk:
                self._by_ext.setdefault((object_type, i), None)

    def for_local(self, object_type: str, local_id: int) -> ExternalRef | None:
        if (object_type, local_id) not in self._by_local:
            self.prefetch_local(object_type, [local_id])
        return self._by_local[(object_type, local_id)]

    def for_external(self, object_type: str, external_id: str) -> ExternalRef | None:
        if (object_type, external_id) not in self._by_ext:
            self.prefetch_external(object_type, [external_id])
        return self._by_ext[(object_type, external_id)]

    def external_id(self, object_type: str, local_id: int | None) -> str | None:
        if local_id is None:
            return None
        ref = self.for_local(object_type, local_id)
        return ref.external_id if ref is not None else None

    def local_id(self, object_type: str, external_id: str | None) -> int | None:
        if not external_id:
            return None
        ref = self.for_external(object_type, str(external_id))
        return ref.local_id if ref is not None else None

    # ---- changes --------------------------------------------------------------------------------------------

    def placeholder(self) -> str:
        """An external id for a record a dry run would create."""
        return f"(new {len(self.planned) + 1})"

    def link(self, object_type: str, local_id: int, external_id: str, *, updated_at: dt.datetime | None = None,
             values: dict[str, Any] | None = None) -> ExternalRef:
        """Reference ``local_id`` ↔ ``external_id`` (replacing a stale reference of either)."""
        for stale in (self.for_local(object_type, local_id), self.for_external(object_type, external_id)):
            if stale is not None and (stale.local_id, stale.external_id) != (local_id, external_id):
                self.unlink(stale)
        ref = self.for_local(object_type, local_id)
        if ref is None:
            ref = ExternalRef(system=self.system, object_type=object_type, local_id=local_id,
                              external_id=external_id)
            if not self.dry_run:
                self.session.add(ref)  # flushed with the batch (a clash fails the batch; the next run re-links)
        self.touch(ref, updated_at=updated_at, values=values)
        self._remember(ref)
        return ref

    def touch(self, ref: ExternalRef, *, updated_at: dt.datetime | None = None,
              values: dict[str, Any] | None = None, replace: bool = False) -> None:
        """Record a sync of ``ref``: the CRM's timestamp and the new base values (merged into the old base)."""
        if self.dry_run:
            return
        if updated_at is not None:
            ref.remote_updated_at = updated_at
        ref.last_synced_at = utcnow()
        if values is not None:
            ref.synced_values = dict(values) if replace else {**(ref.synced_values or {}), **values}

    def unlink(self, ref: ExternalRef) -> None:
        self._by_local[(ref.object_type, ref.local_id)] = None
        self._by_ext[(ref.object_type, ref.external_id)] = None
        if not self.dry_run and ref in self.session:
            self.session.delete(ref)
            self.session.flush()

    def plan_link(self, object_type: str, local_id: int, external_id: str) -> None:
        """Dry run: remember a link a real run would make, without writing it."""
        ref = ExternalRef(system=self.system, object_type=object_type, local_id=local_id, external_id=external_id,
                          synced_values={})
        self.planned[(object_type, local_id)] = external_id
        self._remember(ref)


def base_of(ref: ExternalRef | None) -> dict[str, Any] | None:
    """The merge base, or None when the record was linked but never synced field by field."""
    if ref is None or ref.synced_values is None:
        return None
    return {k: v for k, v in ref.synced_values.items() if not k.startswith("__")}


def is_archived(ref: ExternalRef | None) -> bool:
    return bool(ref is not None and (ref.synced_values or {}).get(ARCHIVED))
