"""Creating and curating library items: validation, version history, publishing, bulk tagging, deletion.

Every write keeps the full-text index in step by itself (SQLite triggers / a PostgreSQL generated column), so
these functions only touch ``content_items`` and its facets. Errors are :class:`ContentError` with one line
that names the field.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bdr_desk.db import utcnow
from bdr_desk.taxonomy import FUNNEL_STAGE, INDUSTRY, PAIN, PERSONA, SIZE_BAND, Taxonomy
from content_library.models import (
    CONTENT_STATUSES,
    CONTENT_TYPES,
    FACETS,
    ContentFacet,
    ContentItem,
    ContentVersion,
)

TAXONOMY_FACETS = (INDUSTRY, SIZE_BAND, PAIN, PERSONA, FUNNEL_STAGE)  # "competitor" is free text
TYPE_ALIASES = {"case study": "case_study", "one pager": "one_pager", "one-pager": "one_pager",
                "blog": "blog_post", "blog post": "blog_post", "email": "email_snippet", "snippet": "email_snippet",
                "presentation": "deck", "slides": "deck"}
MAX_TITLE = 500


class ContentError(ValueError):
    """Bad input for a library item; the message is one line naming the field."""


@dataclass
class ItemDraft:
    """What marketing fills in for an item; ``facets`` maps a vocabulary to its terms (taxonomy keys)."""

    title: str
    type: str
    summary: str | None = None
    body_text: str | None = None
    url: str | None = None
    status: str = "draft"
    facets: dict[str, list[str]] = field(default_factory=dict)
    review_by: dt.date | None = None
    owner_id: int | None = None
    file_sha256: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    extract_error: str | None = None


def normalize_type(value: str) -> str:
    key = (value or "").strip().lower()
    key = TYPE_ALIASES.get(key, key.replace("-", "_").replace(" ", "_"))
    if key not in CONTENT_TYPES:
        raise ContentError(f"type {value!r} is not a content type; expected one of {', '.join(CONTENT_TYPES)}")
    return key


def resolve_facets(tax: Taxonomy, facets: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Facet values as taxonomy keys (labels and slugs accepted); unknown vocabularies or terms are errors."""
    out: dict[str, list[str]] = {}
    for vocabulary, values in facets.items():
        if vocabulary not in FACETS:
            raise ContentError(f"facet {vocabulary!r} is unknown; expected one of {', '.join(FACETS)}")
        keys: list[str] = []
        for value in values:
            value = (value or "").strip()
            if not value:
                continue
            key = value[:120] if vocabulary not in TAXONOMY_FACETS else tax.resolve(vocabulary, value)
            if key is None:
                known = ", ".join(tax.keys(vocabulary)[:12])
                raise ContentError(f"{vocabulary} {value!r} is not in the taxonomy (known: {known}, …)")
            if key not in keys:
                keys.append(key)
        if keys:
            out[vocabulary] = keys
    return out


def _nfc(text: str | None) -> str | None:
    """Text in composed Unicode form (NFC): PostgreSQL's full-text parser does not fold decomposed accents or
    combining marks, and queries are normalized to NFC, so stored text must be too."""
    return unicodedata.normalize("NFC", text) if text else text


def validate(draft: ItemDraft, tax: Taxonomy) -> ItemDraft:
    title = _nfc(" ".join((draft.title or "").split())) or ""
    if not title:
        raise ContentError("title: an item needs a title")
    if len(title) > MAX_TITLE:
        raise ContentError(f"title: {len(title)} characters is longer than {MAX_TITLE}")
    if draft.status not in CONTENT_STATUSES:
        raise ContentError(f"status {draft.status!r} is not one of {', '.join(CONTENT_STATUSES)}")
    url = (draft.url or "").strip() or None
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise ContentError(f"url {url!r} is not an http(s) address")
    draft.title, draft.url, draft.type = title, url, normalize_type(draft.type)
    draft.summary = _nfc((draft.summary or "").strip()) or None
    draft.body_text = _nfc(draft.body_text)
    draft.facets = resolve_facets(tax, draft.facets)
    return draft


def _snapshot(session: Session, item: ContentItem, user_id: int | None, note: str | None) -> None:
    session.add(ContentVersion(item_id=item.id, version=item.version, title=item.title, summary=item.summary,
                               file_sha256=item.file_sha256, changed_by_id=user_id, note=note))


def _set_facets(item: ContentItem, facets: Mapping[str, list[str]]) -> None:
    item.facets = [ContentFacet(vocabulary=v, term=t) for v, terms in facets.items() for t in terms]


def create_item(session: Session, draft: ItemDraft, *, user_id: int | None = None,
                tax: Taxonomy | None = None) -> ContentItem:
    draft = validate(draft, tax or Taxonomy.load(session))
    item = ContentItem(
        title=draft.title, type=draft.type, summary=draft.summary, body_text=draft.body_text, url=draft.url,
        status=draft.status, review_by=draft.review_by, owner_id=draft.owner_id or user_id,
        file_sha256=draft.file_sha256, file_name=draft.file_name, mime_type=draft.mime_type,
        file_size=draft.file_size, extract_error=draft.extract_error,
        published_at=utcnow() if draft.status == "published" else None,
    )
    _set_facets(item, draft.facets)
    session.add(item)
    session.flush()
    _snapshot(session, item, user_id, "First version")
    return item


def update_item(session: Session, item_id: int, draft: ItemDraft, *, user_id: int | None = None,
                expected_version: int | None = None, note: str | None = None) -> ContentItem:
    """Replace an item's fields and facets; a stale ``expected_version`` (someone else saved first) is an error."""
    item = session.get(ContentItem, item_id)
    if item is None:
        raise ContentError(f"content item {item_id} does not exist")
    if expected_version is not None and item.version != expected_version:
        raise ContentError(f"“{item.title}” was changed by someone else since you opened it; reopen it")
    draft = validate(draft, Taxonomy.load(session))
    keep_body = draft.body_text is None and draft.file_sha256 is None
    for name in ("title", "type", "summary", "url", "review_by", "owner_id"):
        setattr(item, name, getattr(draft, name))
    if not keep_body:
        for name in ("body_text", "file_sha256", "file_name", "mime_type", "file_size", "extract_error"):
            setattr(item, name, getattr(draft, name))
    _apply_status(item, draft.status)
    _set_facets(item, draft.facets)
    session.flush()
    _snapshot(session, item, user_id, note or "Edited")
    return item


def _apply_status(item: ContentItem, status: str) -> None:
    if status == "published" and item.status != "published":
        item.published_at = utcnow()
    item.status = status


def set_status(session: Session, item_ids: Iterable[int], status: str, *, user_id: int | None = None) -> int:
    """Publish, archive or return items to draft; returns how many changed."""
    if status not in CONTENT_STATUSES:
        raise ContentError(f"status {status!r} is not one of {', '.join(CONTENT_STATUSES)}")
    changed = 0
    for item in session.scalars(select(ContentItem).where(ContentItem.id.in_(list(item_ids)))):
        if item.status != status:
            _apply_status(item, status)
            changed += 1
            session.flush()
            _snapshot(session, item, user_id, status.capitalize())
    return changed


def tag_items(session: Session, item_ids: Iterable[int], vocabulary: str, terms: Iterable[str], *,
              remove: bool = False) -> int:
    """Bulk-tag (or untag) a selection with terms of one vocabulary; returns the number of facet rows changed."""
    ids = list(item_ids)
    keys = resolve_facets(Taxonomy.load(session), {vocabulary: list(terms)}).get(vocabulary, [])
    if not ids or not keys:
        return 0
    existing = {(i, t) for i, t in session.execute(
        select(ContentFacet.item_id, ContentFacet.term)
        .where(ContentFacet.item_id.in_(ids), ContentFacet.vocabulary == vocabulary, ContentFacet.term.in_(keys))
    )}
    if remove:
        if existing:
            session.execute(delete(ContentFacet).where(
                ContentFacet.item_id.in_(ids), ContentFacet.vocabulary == vocabulary, ContentFacet.term.in_(keys)))
        changed = len(existing)
    else:
        new = [ContentFacet(item_id=i, vocabulary=vocabulary, term=k) for i in ids for k in keys
               if (i, k) not in existing]
        session.add_all(new)
        changed = len(new)
    if changed:
        session.execute(update(ContentItem).where(ContentItem.id.in_(ids)).values(
            updated_at=utcnow(), version=ContentItem.version + 1))
    return changed


def delete_item(session: Session, item_id: int) -> None:
    item = session.get(ContentItem, item_id)
    if item is None:
        raise ContentError(f"content item {item_id} does not exist")
    session.delete(item)
