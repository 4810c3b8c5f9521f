"""What happened with an account (calls, emails, meetings, notes) and the opportunities it produced."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, TimestampMixin, VersionedMixin, utcnow

ACTIVITY_TYPES = ("call", "email", "linkedin", "meeting", "note", "task", "event")
OPPORTUNITY_STAGES = ("discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_account_occurred", "account_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str | None] = mapped_column(String(16))  # outbound / inbound
    outcome: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_at: Mapped[dt.datetime | None] = mapped_column()
    completed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id", ondelete="SET NULL"))
    step_position: Mapped[int | None] = mapped_column()  # the sequence step this touch completed
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Opportunity(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    primary_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(32), default="discovery", server_default="discovery")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    lead_source: Mapped[str | None] = mapped_column(String(64))
    qualified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    opened_on: Mapped[dt.date | None] = mapped_column()
    close_date: Mapped[dt.date | None] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    @property
    def is_closed(self) -> bool:
        return self.stage in ("closed_won", "closed_lost")
