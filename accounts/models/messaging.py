"""Pain hypotheses, the message map built on them, message templates and the messages drafted from them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, TimestampMixin, VersionedMixin, utcnow

HYPOTHESIS_STATUSES = ("untested", "confirmed", "rejected")
CHANNELS = ("email", "call", "linkedin", "event")
CHANNEL_LABELS = {"email": "Email", "call": "Call script", "linkedin": "LinkedIn note", "event": "Event invite"}
MESSAGE_STATUSES = ("draft", "sent", "discarded")


class PainHypothesis(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "pain_hypotheses"
    __table_args__ = (
        CheckConstraint("confidence IS NULL OR confidence BETWEEN 0 AND 100", name="confidence"),
        CheckConstraint("status IN ('untested', 'confirmed', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    pain: Mapped[str] = mapped_column(String(64))
    hypothesis: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id", ondelete="SET NULL"))
    confidence: Mapped[int | None] = mapped_column(SmallInteger)
    persona: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="untested", server_default="untested")
    status_note: Mapped[str | None] = mapped_column(Text)
    status_activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MessageMapEntry(TimestampMixin, Base):
    """One line of an account's message map: the hypothesis it tests → the angle for a persona → the
    sequence step that carries it. The collateral chosen for the line lives with the content library
    (``content_library.models.MapCollateral``), which may know about accounts; accounts never know content."""

    __tablename__ = "message_map_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    hypothesis_id: Mapped[int] = mapped_column(ForeignKey("pain_hypotheses.id", ondelete="CASCADE"), index=True)
    persona: Mapped[str | None] = mapped_column(String(64))
    angle: Mapped[str] = mapped_column(Text)  # the value proposition for that persona
    sequence_step_id: Mapped[int | None] = mapped_column(ForeignKey("sequence_steps.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class MessageTemplate(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    persona: Mapped[str | None] = mapped_column(String(64))
    industry: Mapped[str | None] = mapped_column(String(64))
    pain: Mapped[str | None] = mapped_column(String(64))
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Message(TimestampMixin, Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("message_templates.id", ondelete="SET NULL"))
    hypothesis_id: Mapped[int | None] = mapped_column(ForeignKey("pain_hypotheses.id", ondelete="SET NULL"))
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    drafted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
