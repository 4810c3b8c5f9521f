"""Tables of the CRM sync: which local record is which CRM record, what is waiting to be pushed,
what conflicted, and the journal of every run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, utcnow

SYSTEMS = ("hubspot", "salesforce")


class ExternalRef(Base):
    __tablename__ = "external_refs"
    __table_args__ = (
        UniqueConstraint("system", "object_type", "local_id"),
        UniqueConstraint("system", "object_type", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32))  # account, contact, activity, opportunity
    local_id: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(String(64))
    remote_updated_at: Mapped[dt.datetime | None] = mapped_column()
    last_synced_at: Mapped[dt.datetime | None] = mapped_column()
    synced_values: Mapped[dict[str, Any] | None] = mapped_column()  # field values at last sync (3-way merge base)


class SyncOutbox(Base):
    """Every local change waiting to be pushed, written in the same transaction as the change."""

    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_pending", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(32))
    local_id: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(8))  # create, update, delete
    changed_fields: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[dt.datetime | None] = mapped_column()


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))  # push, pull, both
    dry_run: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, ok, partial, failed, cancelled
    counts: Mapped[dict[str, Any] | None] = mapped_column()
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[str | None] = mapped_column(String(64))
    errors: Mapped[list[Any] | None] = mapped_column()


class SyncConflict(Base):
    __tablename__ = "sync_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    system: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32))
    local_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    local_value: Mapped[str | None] = mapped_column(Text)
    remote_value: Mapped[str | None] = mapped_column(Text)
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(16))  # local, remote, manual
