"""Usage of library items (the BDR attached it, copied its link, exported it in a plan) and what the usage says:
most used, never used, stale."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content_library.items import ContentError
from content_library.models import ContentItem, ContentUsage

USAGE_KINDS = ("attached", "copied_link", "exported", "shared", "viewed", "presented")


def record_usage(session: Session, item_id: int, kind: str, *, account_id: int | None = None,
                 contact_id: int | None = None, message_id: int | None = None,
                 user_id: int | None = None) -> ContentUsage:
    if kind not in USAGE_KINDS:
        raise ContentError(f"usage kind {kind!r} is not one of {', '.join(USAGE_KINDS)}")
    if session.get(ContentItem, item_id) is None:
        raise ContentError(f"content item {item_id} does not exist")
    usage = ContentUsage(item_id=item_id, kind=kind, account_id=account_id, contact_id=contact_id,
                         message_id=message_id, user_id=user_id)
    session.add(usage)
    session.flush()
    return usage


@dataclass(frozen=True)
class ItemUse:
    id: int
    title: str
    type: str
    uses: int
    accounts: int
    last_used_at: dt.datetime | None
    review_by: dt.date | None


@dataclass(frozen=True)
class LibraryInsights:
    most_used: list[ItemUse]
    never_used: list[ItemUse]  # published, not used since the window started
    stale: list[ItemUse]  # published and past review-by
    published: int
    uses_in_window: int


def library_insights(session: Session, *, days: int = 90, today: dt.date | None = None,
                     limit: int = 10) -> LibraryInsights:
    """What marketing looks at: the pieces the field sends, the ones it ignores, and the ones gone stale."""
    today = today or dt.date.today()
    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(), dt.UTC)
    usage = (
        select(ContentUsage.item_id.label("item_id"), func.count(ContentUsage.id).label("uses"),
               func.count(func.distinct(ContentUsage.account_id)).label("accounts"),
               func.max(ContentUsage.used_at).label("last_used"))
        .where(ContentUsage.used_at >= since).group_by(ContentUsage.item_id).subquery()
    )
    cols = (ContentItem.id, ContentItem.title, ContentItem.type, func.coalesce(usage.c.uses, 0),
            func.coalesce(usage.c.accounts, 0), usage.c.last_used, ContentItem.review_by)
    base = select(*cols).outerjoin(usage, usage.c.item_id == ContentItem.id).where(
        ContentItem.status == "published")

    def rows(stmt) -> list[ItemUse]:  # noqa: ANN001
        return [ItemUse(i, t, k, int(u), int(a), lu, rb) for i, t, k, u, a, lu, rb in session.execute(stmt)]

    most = rows(base.where(usage.c.uses > 0).order_by(usage.c.uses.desc(), ContentItem.title).limit(limit))
    never = rows(base.where(usage.c.uses.is_(None)).order_by(ContentItem.published_at, ContentItem.title))
    stale = rows(base.where(ContentItem.review_by < today).order_by(ContentItem.review_by))
    published = session.scalar(select(func.count()).where(ContentItem.status == "published")) or 0
    uses = session.scalar(select(func.count(ContentUsage.id)).where(ContentUsage.used_at >= since)) or 0
    return LibraryInsights(most, never, stale, int(published), int(uses))
