"""Accounts (keyed by normalized registrable domain) and target lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bdr_desk.db import Base, TimestampMixin, VersionedMixin, utcnow

if TYPE_CHECKING:
    from accounts.models.contact import Contact

ABM_STAGES = ("target", "researching", "engaged", "meeting_booked", "opportunity", "won", "lost", "nurture")


class Account(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("tier IS NULL OR tier BETWEEN 1 AND 3", name="tier"),
        CheckConstraint("icp_score IS NULL OR icp_score BETWEEN 0 AND 100", name="icp_score"),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees"),
        Index("ix_accounts_name_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # natural key: normalized registrable domain ("acme.co.uk"); unique when present
    domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    website: Mapped[str | None] = mapped_column(String(2048))
    industry: Mapped[str | None] = mapped_column(String(64), index=True)
    sub_industry: Mapped[str | None] = mapped_column(String(120))
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    hq_country: Mapped[str | None] = mapped_column(String(2))
    hq_region: Mapped[str | None] = mapped_column(String(120))
    hq_city: Mapped[str | None] = mapped_column(String(120))
    size_band: Mapped[str | None] = mapped_column(String(32))
    segment: Mapped[str | None] = mapped_column(String(16), index=True)
    tier: Mapped[int | None] = mapped_column(SmallInteger, index=True)
    tier_is_manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    icp_score: Mapped[int | None] = mapped_column(SmallInteger, index=True)
    # why: [{"rule": id, "label": "...", "points": n}], and which rule-set version produced it
    icp_explanation: Mapped[list[Any] | None] = mapped_column()
    icp_version: Mapped[int | None] = mapped_column(Integer)
    suggested_tier: Mapped[int | None] = mapped_column(SmallInteger)
    abm_stage: Mapped[str] = mapped_column(String(32), default="target", server_default="target", index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    parent: Mapped[Account | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Account]] = relationship(back_populates="parent")
    contacts: Mapped[list[Contact]] = relationship(back_populates="account", passive_deletes=True)


class TargetList(TimestampMixin, Base):
    """An ABM list: static (explicit members) or dynamic (a saved filter evaluated in SQL)."""

    __tablename__ = "target_lists"
    __table_args__ = (CheckConstraint("kind IN ('static', 'dynamic')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="static", server_default="static")
    description: Mapped[str | None] = mapped_column(Text)
    filter: Mapped[dict[str, Any] | None] = mapped_column()
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    members: Mapped[list[TargetListMember]] = relationship(
        back_populates="target_list", cascade="all, delete-orphan", passive_deletes=True
    )


class TargetListMember(Base):
    __tablename__ = "target_list_members"

    list_id: Mapped[int] = mapped_column(ForeignKey("target_lists.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    target_list: Mapped[TargetList] = relationship(back_populates="members")
    account: Mapped[Account] = relationship()
