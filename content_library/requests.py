"""The field asking marketing for content the library lacks, and the searches that found nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import Account
from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA, SIZE_BAND, Taxonomy
from bdr_desk.users import User
from content_library.items import ContentError, normalize_type
from content_library.models import REQUEST_STATUSES, ContentItem, ContentRequest, SearchLogEntry
from content_library.search import SearchRequest, SearchResults

WEAK_RESULTS = 3  # fewer hits than this (or only "any word" matches) is a weak search worth logging


@dataclass
class RequestDraft:
    title: str
    description: str | None = None
    type: str | None = None  # the kind of piece wanted (case study, deck …)
    industry: str | None = None
    size_band: str | None = None
    pain: str | None = None
    persona: str | None = None
    competitor: str | None = None
    buyer_question: str | None = None
    query: str | None = None
    account_id: int | None = None


@dataclass(frozen=True)
class RequestRow:
    id: int
    title: str
    description: str | None
    industry: str | None
    size_band: str | None
    pain: str | None
    persona: str | None
    account: str | None
    requested_by: str | None
    status: str
    created_at: dt.datetime | None
    fulfilled_item: str | None


def file_request(session: Session, draft: RequestDraft, *, user_id: int | None = None) -> ContentRequest:
    """A BDR's request ("need a case study: fintech, enterprise, pain: compliance, persona: CFO")."""
    title = " ".join((draft.title or "").split())
    if not title:
        raise ContentError("title: say what you need, e.g. “Case study for a fintech CFO worried about audits”")
    tax = Taxonomy.load(session)
    facets = {}
    for vocabulary, value in ((INDUSTRY, draft.industry), (SIZE_BAND, draft.size_band), (PAIN, draft.pain),
                              (PERSONA, draft.persona)):
        key = tax.resolve(vocabulary, value) if value else None
        if value and key is None:
            raise ContentError(f"{vocabulary} {value!r} is not in the taxonomy")
        facets[vocabulary] = key
    if draft.account_id is not None and session.get(Account, draft.account_id) is None:
        raise ContentError(f"account {draft.account_id} does not exist")
    lines = [draft.description or ""]
    if draft.type:
        lines.append(f"Type wanted: {normalize_type(draft.type).replace('_', ' ')}")
    if draft.buyer_question:
        lines.append(f"Question the buyer asked: {draft.buyer_question.strip()}")
    if draft.competitor:
        lines.append(f"Competitor: {draft.competitor.strip()}")
    request = ContentRequest(
        title=title[:500], description="\n".join(x for x in lines if x.strip()) or None, query=draft.query,
        account_id=draft.account_id, requested_by_id=user_id, **facets,
    )
    session.add(request)
    session.flush()
    return request


def set_request_status(session: Session, request_id: int, status: str, *,
                       fulfilled_item_id: int | None = None) -> ContentRequest:
    if status not in REQUEST_STATUSES:
        raise ContentError(f"status {status!r} is not one of {', '.join(REQUEST_STATUSES)}")
    request = session.get(ContentRequest, request_id)
    if request is None:
        raise ContentError(f"content request {request_id} does not exist")
    if fulfilled_item_id is not None and session.get(ContentItem, fulfilled_item_id) is None:
        raise ContentError(f"content item {fulfilled_item_id} does not exist")
    request.status = status
    request.fulfilled_item_id = fulfilled_item_id if status == "fulfilled" else None
    return request


def list_requests(session: Session, *, status: str | None = "open") -> list[RequestRow]:
    stmt = (
        select(ContentRequest, Account.name, User.name, ContentItem.title)
        .outerjoin(Account, Account.id == ContentRequest.account_id)
        .outerjoin(User, User.id == ContentRequest.requested_by_id)
        .outerjoin(ContentItem, ContentItem.id == ContentRequest.fulfilled_item_id)
        .order_by(ContentRequest.created_at.desc(), ContentRequest.id.desc())
    )
    if status:
        stmt = stmt.where(ContentRequest.status == status)
    return [RequestRow(r.id, r.title, r.description, r.industry, r.size_band, r.pain, r.persona, acc, who,
                       r.status, r.created_at, item) for r, acc, who, item in session.execute(stmt)]


def log_search(session: Session, req: SearchRequest, results: SearchResults, *, user_id: int | None = None,
               account_id: int | None = None) -> SearchLogEntry | None:
    """Log a text search that found nothing or little, with its facet filters; other searches are not kept."""
    if results.match == "browse" or (results.total >= WEAK_RESULTS and results.match == "all"):
        return None

    def one(vocabulary: str) -> str | None:
        terms = req.facets.get(vocabulary) or ()
        return terms[0] if len(terms) == 1 else None

    entry = SearchLogEntry(
        query=req.text.strip()[:1000], result_count=results.total if results.match == "all" else 0,
        industry=one(INDUSTRY), size_band=one(SIZE_BAND), pain=one(PAIN), persona=one(PERSONA),
        type=req.types[0] if len(req.types) == 1 else None, account_id=account_id, user_id=user_id,
    )
    session.add(entry)
    session.flush()
    return entry
