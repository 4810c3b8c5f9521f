"""Web research: fetched pages (kept for offline re-reading) and the trigger signals found in them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, SmallInteger, String, Text, UniqueConstraint
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
