"""Per-workspace configuration that users edit: ICP rule-set versions, saved table views, import journal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, utcnow


class IcpRuleSet(Base):
    """One version of the ICP scoring rules. Changing the rules adds a version; restoring re-activates one."""

    __tablename__ = "icp_rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    rules: Mapped[list[Any]] = mapped_column()  # [{"id", "label", "kind", "params", "points"}]
    tier_thresholds: Mapped[dict[str, Any]] = mapped_column()  # {"1": 75, "2": 50} → tier 3 below
    note: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SavedView(Base):
    """A named accounts-table view: filter, sort keys and visible columns (JSON), personal or shared."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    state: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ImportRun(Base):
    """The journal of imports: what file, what mapping, what came of it."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(32), default="account")
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, ok, failed, cancelled
    mapping: Mapped[dict[str, Any] | None] = mapped_column()
    counts: Mapped[dict[str, Any] | None] = mapped_column()
    errors: Mapped[list[Any] | None] = mapped_column()
    message: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
