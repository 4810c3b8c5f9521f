"""Contacts: the people of an account's buying committee (keyed by lower-cased email when present)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bdr_desk.db import Base, TimestampMixin, VersionedMixin

if TYPE_CHECKING:
    from accounts.models.account import Account

BUYING_ROLES = (
    "economic_buyer", "decision_maker", "champion", "influencer", "technical_evaluator",
    "user", "procurement", "blocker", "gatekeeper",
)
SENTIMENTS = ("champion", "supporter", "neutral", "skeptic", "detractor", "unknown")
COVERAGE_STATUSES = ("identified", "contacted", "engaged", "meeting_held")
CONTACT_SOURCES = ("import", "research", "crm", "manual", "demo")


class Contact(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (CheckConstraint("influence IS NULL OR influence BETWEEN 1 AND 5", name="influence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(300))
    seniority: Mapped[str | None] = mapped_column(String(32))
    function: Mapped[str | None] = mapped_column(String(64))
    persona: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    linkedin_url: Mapped[str | None] = mapped_column(String(2048))
    buying_role: Mapped[str | None] = mapped_column(String(32), index=True)
    reports_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    influence: Mapped[int | None] = mapped_column(SmallInteger)
    sentiment: Mapped[str] = mapped_column(String(16), default="unknown", server_default="unknown")
    coverage_status: Mapped[str] = mapped_column(String(16), default="identified", server_default="identified")
    lifecycle_stage: Mapped[str | None] = mapped_column(String(32), index=True)
    lead_source: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
    left_company: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    last_touch_at: Mapped[dt.datetime | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)

    account: Mapped[Account] = relationship(back_populates="contacts")
    reports_to: Mapped[Contact | None] = relationship(remote_side=[id])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.email or "")
