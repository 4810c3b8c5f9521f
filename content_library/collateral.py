"""Content in outreach: the ``content`` merge fields of a message, collateral attached to a drafted message
(a usage event each), and the collateral chosen for each line of an account's message map."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts.hypotheses import MapBranch
from accounts.models import Message, MessageMapEntry
from content_library.items import ContentError
from content_library.models import ContentItem, ContentUsage, MapCollateral
from content_library.queries import TYPE_LABELS
from content_library.usage import record_usage


def merge_fields(item: ContentItem | None) -> dict[str, Any]:
    """The ``content`` merge fields of one item: title, url, type, summary (missing ones stay undefined)."""
    if item is None:
        return {}
    return {"title": item.title, "url": item.url, "type": TYPE_LABELS.get(item.type, item.type),
            "summary": item.summary}


def _items(session: Session, item_ids: Iterable[int]) -> list[ContentItem]:
    ids = list(dict.fromkeys(item_ids))
    found = {i.id: i for i in session.scalars(select(ContentItem).where(ContentItem.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ContentError(f"no content item with id {', '.join(missing)}")
    archived = [found[i].title for i in ids if found[i].status == "archived"]
    if archived:
        raise ContentError(f"archived content cannot be used: {', '.join(archived)}")
    return [found[i] for i in ids]


def attach_to_message(session: Session, message_id: int, item_ids: Iterable[int], *,
                      user_id: int | None = None) -> list[ContentItem]:
    """Attach items to a drafted message; each attachment is a usage event for the account and contact."""
    msg = session.get(Message, message_id)
    if msg is None:
        raise ContentError(f"no message with id {message_id}")
    already = set(session.scalars(select(ContentUsage.item_id).where(ContentUsage.message_id == message_id,
                                                                    ContentUsage.kind == "attached")))
    items = _items(session, item_ids)
    for item in items:
        if item.id not in already:
            record_usage(session, item.id, "attached", account_id=msg.account_id, contact_id=msg.contact_id,
                         message_id=msg.id, user_id=user_id)
    return items


def message_attachments(session: Session, message_id: int) -> list[ContentItem]:
    return list(session.scalars(select(ContentItem).join(ContentUsage, ContentUsage.item_id == ContentItem.id)
                                .where(ContentUsage.message_id == message_id, ContentUsage.kind == "attached")
                                .order_by(ContentUsage.used_at, ContentItem.id)))


def set_map_collateral(session: Session, entry_id: int, item_ids: Iterable[int]) -> list[ContentItem]:
    """Replace the collateral chosen for one message map line."""
    if session.get(MessageMapEntry, entry_id) is None:
        raise ContentError(f"no message map line with id {entry_id}")
    items = _items(session, item_ids)
    session.execute(delete(MapCollateral).where(MapCollateral.entry_id == entry_id))
    session.add_all(MapCollateral(entry_id=entry_id, item_id=i.id) for i in items)
    session.flush()
    return items


def with_collateral(session: Session, branches: list[MapBranch]) -> list[MapBranch]:
    """Fill each map line's ``collateral`` with (item id, title)."""
    lines = {line.entry.id: line for b in branches for line in b.lines}
    if lines:
        rows = session.execute(select(MapCollateral.entry_id, ContentItem.id, ContentItem.title)
                               .join(ContentItem, ContentItem.id == MapCollateral.item_id)
                               .where(MapCollateral.entry_id.in_(lines)).order_by(MapCollateral.added_at))
        for entry_id, item_id, title in rows:
            lines[entry_id].collateral.append((item_id, title))
    return branches
