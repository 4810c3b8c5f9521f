"""Dated copies of an account plan ("Snapshot this plan", e.g. once a quarter) to compare later."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, utcnow


class PlanSnapshot(Base):
    __tablename__ = "plan_snapshots"
    __table_args__ = (Index("ix_plan_snapshots_account_taken", "account_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(120))  # "2026-Q4" by default
    taken_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column()  # the plan's comparable facts, see bdr_desk.export.snapshots
