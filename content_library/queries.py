"""Browsing the content library: text search over title and summary, facet filters, usage counted in SQL.

Text matching is a plain case-insensitive ``LIKE`` for now (full-text search on FTS5 / tsvector replaces it
later); facet filters go through ``content_facets``; "times used" is a grouped subquery over
``content_usage``. Returns plain frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from bdr_desk.users import User
from content_library.models import ContentFacet, ContentItem, ContentUsage

RESULT_LIMIT = 500
FACET_ORDER = ("industry", "size_band", "pain", "persona", "funnel_stage", "competitor")
TYPE_LABELS = {
    "case_study": "Case study", "whitepaper": "Whitepaper", "deck": "Deck", "one_pager": "One-pager",
    "battlecard": "Battlecard", "video": "Video", "webinar": "Webinar", "blog_post": "Blog post",
    "email_snippet": "Email snippet",
}
STATUS_LABELS = {"draft": "Draft", "published": "Published", "archived": "Archived"}


@dataclass(frozen=True)
class ContentFilter:
    text: str = ""
    type: str | None = None
    status: str | None = None
    industry: str | None = None
    pain: str | None = None
    persona: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not any((self.type, self.status, self.industry, self.pain, self.persona))


@dataclass(frozen=True)
class ContentRow:
    id: int
    title: str
    type: str
    status: str
    industries: tuple[str, ...]  # taxonomy keys
    updated_at: dt.datetime | None
    review_by: dt.date | None
    times_used: int


@dataclass(frozen=True)
class ContentDetail:
    id: int
    title: str
    type: str
    status: str
    summary: str | None
    url: str | None
    file_name: str | None
    owner: str | None
    published_at: dt.datetime | None
    updated_at: dt.datetime | None
    review_by: dt.date | None
    times_used: int
    facets: tuple[tuple[str, str], ...]  # (vocabulary, term), in FACET_ORDER then term

    def is_stale(self, today: dt.date) -> bool:
        return is_stale(self.review_by, today)


def is_stale(review_by: dt.date | None, today: dt.date) -> bool:
    """Past its review-by date: marketing should check it is still accurate before the field sends it."""
    return review_by is not None and review_by < today


def _usage_counts():
    return (
        select(ContentUsage.item_id.label("item_id"), func.count(ContentUsage.id).label("uses"))
        .group_by(ContentUsage.item_id)
        .subquery("usage_counts")
    )


def _where(stmt: Select, flt: ContentFilter) -> Select:
    text = flt.text.strip()
    if text:
        stmt = stmt.where(or_(ContentItem.title.icontains(text, autoescape=True),
                              ContentItem.summary.icontains(text, autoescape=True)))
    if flt.type:
        stmt = stmt.where(ContentItem.type == flt.type)
    if flt.status:
        stmt = stmt.where(ContentItem.status == flt.status)
    for vocabulary, term in (("industry", flt.industry), ("pain", flt.pain), ("persona", flt.persona)):
        if term:
            stmt = stmt.where(ContentItem.id.in_(
                select(ContentFacet.item_id).where(ContentFacet.vocabulary == vocabulary, ContentFacet.term == term)
            ))
    return stmt


def count_content(session: Session, flt: ContentFilter | None = None) -> int:
    return session.scalar(_where(select(func.count(ContentItem.id)), flt or ContentFilter())) or 0


def search_content(session: Session, flt: ContentFilter | None = None, limit: int = RESULT_LIMIT) -> list[ContentRow]:
    """Items matching ``flt``, most recently updated first, with their industries and usage count."""
    usage = _usage_counts()
    stmt = (
        select(ContentItem.id, ContentItem.title, ContentItem.type, ContentItem.status, ContentItem.updated_at,
               ContentItem.review_by, func.coalesce(usage.c.uses, 0))
        .outerjoin(usage, usage.c.item_id == ContentItem.id)
        .order_by(ContentItem.updated_at.desc(), ContentItem.id.desc())
        .limit(limit)
    )
    rows = session.execute(_where(stmt, flt or ContentFilter())).all()
    industries: dict[int, list[str]] = {}
    if rows:
        for item_id, term in session.execute(
            select(ContentFacet.item_id, ContentFacet.term)
            .where(ContentFacet.vocabulary == "industry", ContentFacet.item_id.in_([r[0] for r in rows]))
            .order_by(ContentFacet.item_id, ContentFacet.term)
        ):
            industries.setdefault(item_id, []).append(term)
    return [
        ContentRow(item_id, title, kind, status, tuple(industries.get(item_id, ())), updated_at, review_by,
                   int(uses))
        for item_id, title, kind, status, updated_at, review_by, uses in rows
    ]


def content_detail(session: Session, item_id: int) -> ContentDetail | None:
    usage = _usage_counts()
    row = session.execute(
        select(ContentItem, User.name, func.coalesce(usage.c.uses, 0))
        .outerjoin(User, User.id == ContentItem.owner_id)
        .outerjoin(usage, usage.c.item_id == ContentItem.id)
        .where(ContentItem.id == item_id)
    ).first()
    if row is None:
        return None
    item, owner, uses = row
    facets = [(v, t) for v, t in session.execute(
        select(ContentFacet.vocabulary, ContentFacet.term).where(ContentFacet.item_id == item_id)
    )]
    order = {v: i for i, v in enumerate(FACET_ORDER)}
    facets.sort(key=lambda f: (order.get(f[0], len(order)), f[0], f[1]))
    return ContentDetail(
        id=item.id, title=item.title, type=item.type, status=item.status, summary=item.summary, url=item.url,
        file_name=item.file_name, owner=owner, published_at=item.published_at, updated_at=item.updated_at,
        review_by=item.review_by, times_used=int(uses), facets=tuple(facets),
    )
