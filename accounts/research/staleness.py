"""When research counts as stale: the workspace setting (:func:`stale_days`), the test for one fact or page
(:func:`is_stale`) and the stored pages a refresh fetches again (:func:`stale_page_urls`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import ResearchPage
from accounts.research.lookup import ResearchError
from accounts.settings import int_setting, set_int_setting
from bdr_desk.db import utcnow

DEFAULT_STALE_DAYS = 30
STALE_SETTING = "research.stale_days"


def stale_days(session: Session) -> int:
    """After how many days research facts count as stale (workspace setting, default 30)."""
    return int_setting(session, STALE_SETTING, DEFAULT_STALE_DAYS)


def set_stale_days(session: Session, days: int) -> None:
    set_int_setting(session, STALE_SETTING, days, label="research stale days", error=ResearchError)


def is_stale(captured_at: dt.datetime | None, days: int = DEFAULT_STALE_DAYS, now: dt.datetime | None = None) -> bool:
    """A fact (or page) captured more than ``days`` ago — or never — is stale."""
    if captured_at is None:
        return True
    if captured_at.tzinfo is None:
        captured_at = captured_at.replace(tzinfo=dt.UTC)
    return captured_at < (now or utcnow()) - dt.timedelta(days=days)


def stale_page_urls(session: Session, account_id: int, days: int | None = None,
                    now: dt.datetime | None = None) -> list[str]:
    """Stored pages a refresh fetches again: fetched more than ``days`` ago, or never read successfully."""
    days = days or stale_days(session)
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    return list(session.scalars(select(ResearchPage.url).where(
        ResearchPage.account_id == account_id,
        (ResearchPage.fetched_at < cutoff) | ResearchPage.html_zlib.is_(None)).order_by(ResearchPage.id)))

