"""Collateral items with their facets and version history, how they are used, and what the field asks for."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bdr_desk.db import Base, TimestampMixin, VersionedMixin, utcnow

CONTENT_TYPES = ("case_study", "whitepaper", "deck", "one_pager", "battlecard", "video", "webinar",
                 "blog_post", "email_snippet")
CONTENT_STATUSES = ("draft", "published", "archived")
# facet vocabularies: taxonomy vocabularies plus free "competitor" names
FACETS = ("industry", "size_band", "pain", "persona", "funnel_stage", "competitor")
REQUEST_STATUSES = ("open", "in_progress", "fulfilled", "declined")


class ContentItem(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "content_items"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status"),
        Index("ix_content_items_status_type", "status", "type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    # attached file: stored by content hash in the workspace data folder; the database keeps metadata
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    file_name: Mapped[str | None] = mapped_column(String(500))
    mime_type: Mapped[str | None] = mapped_column(String(200))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    extract_error: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column()
    review_by: Mapped[dt.date | None] = mapped_column()

    facets: Mapped[list[ContentFacet]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True
    )


class ContentFacet(Base):
    __tablename__ = "content_facets"
    __table_args__ = (Index("ix_content_facets_vocabulary_term", "vocabulary", "term"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(32), primary_key=True)
    term: Mapped[str] = mapped_column(String(120), primary_key=True)

    item: Mapped[ContentItem] = relationship(back_populates="facets")


class ContentVersion(Base):
    """A snapshot of an item each time it is edited (version history)."""

    __tablename__ = "content_versions"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))


class ContentUsage(Base):
    __tablename__ = "content_usage"
    __table_args__ = (Index("ix_content_usage_item_used", "item_id", "used_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="shared")  # shared, attached, viewed, presented
    used_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MapCollateral(Base):
    """The collateral chosen for one line of an account's message map (``accounts`` MessageMapEntry)."""

    __tablename__ = "message_map_collateral"

    entry_id: Mapped[int] = mapped_column(ForeignKey("message_map_entries.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ContentRequest(TimestampMixin, Base):
    """The field asking marketing for something the library lacks: the content-gap loop."""

    __tablename__ = "content_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(String(64))
    size_band: Mapped[str | None] = mapped_column(String(32))
    pain: Mapped[str | None] = mapped_column(String(64))
    persona: Mapped[str | None] = mapped_column(String(64))
    query: Mapped[str | None] = mapped_column(String(1000))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open", index=True)
    fulfilled_item_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id", ondelete="SET NULL"))


class SearchLogEntry(Base):
    """A library search that found nothing or little, with the facets it was filtered by: demand marketing
    cannot see anywhere else (one half of the gap report)."""

    __tablename__ = "content_search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(1000))
    result_count: Mapped[int] = mapped_column(Integer)
    industry: Mapped[str | None] = mapped_column(String(64))
    size_band: Mapped[str | None] = mapped_column(String(32))
    pain: Mapped[str | None] = mapped_column(String(64))
    persona: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str | None] = mapped_column(String(32))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    searched_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
