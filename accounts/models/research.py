"""Web research: fetched pages (raw HTML kept compressed for offline re-reading), the trigger signals found in
them, research runs, stakeholder candidates waiting for the user's decision, and the research queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bdr_desk.db import Base, utcnow

SIGNAL_KINDS = ("funding", "hiring", "leadership_change", "expansion", "product_launch", "partnership",
                "acquisition", "news", "technology_change", "event")


class ResearchPage(Base):
    __tablename__ = "research_pages"
    __table_args__ = (UniqueConstraint("account_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str | None] = mapped_column(Text)
    html_sha256: Mapped[str | None] = mapped_column(String(64))
    facts: Mapped[dict[str, Any] | None] = mapped_column()
    # the raw HTML bytes as fetched, zlib-compressed (capped), and the charset they were read with
    html_zlib: Mapped[bytes | None] = mapped_column(LargeBinary)
    encoding: Mapped[str | None] = mapped_column(String(40))
    content_type: Mapped[str | None] = mapped_column(String(200))
    # response headers and cookie names, for technology detection when the page is re-read offline
    http_meta: Mapped[dict[str, Any] | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(500))  # the last fetch's one-line problem, if any


class Signal(Base):
    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("research_pages.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2048))
    occurred_on: Mapped[dt.date | None] = mapped_column()
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confidence: Mapped[int | None] = mapped_column(SmallInteger)


RUN_KINDS = ("crawl", "refresh", "reextract")
RUN_STATUSES = ("done", "failed")


class ResearchRun(Base):
    """One research of an account: when, how many pages, and what it concluded (company facts, the
    technologies seen — the next run compares against them for "Added X" / "Removed Y")."""

    __tablename__ = "research_runs"
    __table_args__ = (Index("ix_research_runs_account_started", "account_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="crawl")
    start_url: Mapped[str | None] = mapped_column(String(2048))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="done")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    pages_failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    technologies: Mapped[list[Any] | None] = mapped_column()
    company: Mapped[dict[str, Any] | None] = mapped_column()


PERSON_STATUSES = ("candidate", "accepted", "dismissed")


class ResearchPerson(Base):
    """A person research found on the account's website: a stakeholder candidate the user may accept into the
    stakeholder map (with the seniority, function and buying role the title suggests)."""

    __tablename__ = "research_people"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),
                      CheckConstraint("status IN ('candidate', 'accepted', 'dismissed')", name="status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    linkedin_url: Mapped[str | None] = mapped_column(String(2048))
    source_url: Mapped[str] = mapped_column(String(2048))
    evidence: Mapped[str | None] = mapped_column(String(500))
    confidence: Mapped[int | None] = mapped_column(SmallInteger)  # 0-100
    captured_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    seniority: Mapped[str | None] = mapped_column(String(32))
    function: Mapped[str | None] = mapped_column(String(64))
    buying_role: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="candidate", server_default="candidate")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))


QUEUE_STATUSES = ("queued", "running", "done", "failed")


class ResearchQueueItem(Base):
    """An account waiting for (or done with) background research; one row per account. A row left
    ``running`` by a crash goes back to ``queued`` when the queue starts again."""

    __tablename__ = "research_queue"
    __table_args__ = (Index("ix_research_queue_status_id", "status", "id"),
                      CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    enqueued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(String(500))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("research_runs.id", ondelete="SET NULL"))
