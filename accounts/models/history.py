"""What happened to an account: the change log behind the account timeline, duplicate decisions, and the
technologies detected on its website (written by research, read by ICP scoring)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, utcnow

EVENT_KINDS = ("created", "updated", "imported", "merged", "scored", "tier_changed", "stage_changed",
               "owner_changed", "list_added", "list_removed", "note")


class AccountEvent(Base):
    """One entry of the account timeline: a field change, an import, a merge, a rescoring…"""

    __tablename__ = "account_events"
    __table_args__ = (Index("ix_account_events_account_occurred", "account_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual, import, crm, scoring, merge
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(500))


class DuplicateDismissal(Base):
    """"Not a duplicate": a pair the user reviewed and kept apart (smaller id first)."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (UniqueConstraint("account_a_id", "account_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_a_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    account_b_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    dismissed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AccountTechnology(Base):
    """A technology seen on the account's website (tag manager, CRM, chat…), with its evidence."""

    __tablename__ = "account_technologies"
    __table_args__ = (UniqueConstraint("account_id", "name"), Index("ix_account_technologies_name", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(64))
    evidence: Mapped[str | None] = mapped_column(String(500))
    source_url: Mapped[str | None] = mapped_column(String(2048))
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
