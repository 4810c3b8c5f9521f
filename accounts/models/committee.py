"""Buying-committee configuration and the lines between stakeholders that the org chart draws."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, utcnow

RELATIONSHIP_KINDS = ("influence", "conflict")


class CommitteeTemplate(Base):
    """Which buying roles a segment's committee needs, and how much each weighs in coverage."""

    __tablename__ = "committee_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment: Mapped[str] = mapped_column(String(16), unique=True)  # smb, mid_market, enterprise
    roles: Mapped[list[Any]] = mapped_column()  # [{"role": "economic_buyer", "required": true, "weight": 3}]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ContactRelationship(Base):
    """A dotted line on the org chart: who influences whom, or who is in conflict with whom."""

    __tablename__ = "contact_relationships"
    __table_args__ = (
        UniqueConstraint("from_contact_id", "to_contact_id", "kind"),
        CheckConstraint("kind IN ('influence', 'conflict')", name="kind"),
        CheckConstraint("from_contact_id <> to_contact_id", name="not_self"),
        Index("ix_contact_relationships_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    from_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    to_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WorkspaceSetting(Base):
    """Workspace-wide settings everyone shares (e.g. after how many quiet days a stakeholder map is stale)."""

    __tablename__ = "workspace_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
