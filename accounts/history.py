"""The account timeline: every change to an account is recorded here, by whoever makes it (an edit, an
import, a merge, a bulk action, rescoring, CRM sync). One place, so the timeline is complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from accounts.models import Account, AccountEvent, Activity, Contact

# fields whose change gets its own event kind (a tier move matters more than a city fix)
SPECIAL_KINDS = {"tier": "tier_changed", "abm_stage": "stage_changed", "owner_id": "owner_changed"}
FIELD_LABELS = {
    "name": "name", "domain": "domain", "website": "website", "industry": "industry", "sub_industry": "sub-industry",
    "employees": "employees", "annual_revenue": "annual revenue", "hq_country": "HQ country",
    "hq_region": "HQ region", "hq_city": "HQ city", "tier": "tier", "abm_stage": "ABM stage",
    "owner_id": "owner", "parent_id": "parent account", "notes": "notes", "description": "description",
    "icp_score": "ICP score",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def record_event(session: Session, account_id: int, kind: str, summary: str, *, user_id: int | None = None,
                 source: str = "manual", field: str | None = None, old: Any = None, new: Any = None) -> None:
    session.add(AccountEvent(account_id=account_id, kind=kind, summary=summary[:500], user_id=user_id,
                             source=source, field=field, old_value=_text(old), new_value=_text(new)))


def snapshot(account: Account, fields: tuple[str, ...] = tuple(FIELD_LABELS)) -> dict[str, Any]:
    """The values of ``fields`` before a change, to compare with :func:`record_changes`."""
    return {f: getattr(account, f) for f in fields}


def record_changes(session: Session, account: Account, before: dict[str, Any], *, user_id: int | None = None,
                   source: str = "manual") -> int:
    """One event per field whose value differs from ``before``; returns how many were recorded."""
    n = 0
    for field, old in before.items():
        new = getattr(account, field)
        if _text(old) == _text(new):
            continue
        label = FIELD_LABELS.get(field, field.replace("_", " "))
        if field == "notes":
            summary = "Notes edited"
        else:
            shown_old, shown_new = _shown(session, field, old), _shown(session, field, new)
            summary = f"{label[0].upper()}{label[1:]}: {shown_old or '—'} → {shown_new or '—'}"
        record_event(session, account.id, SPECIAL_KINDS.get(field, "updated"), summary, user_id=user_id,
                     source=source, field=field, old=old, new=new)
        n += 1
    return n


def _shown(session: Session, field: str, value: Any) -> str | None:
    """How a value reads in the timeline: people and accounts by name, not by id."""
    if value is None or field not in ("owner_id", "parent_id"):
        return _text(value)
    from bdr_desk.users import User

    row = session.get(User if field == "owner_id" else Account, value)
    return row.name if row is not None else f"#{value}"


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # an event kind, or "activity:<type>"
    summary: str
    source: str | None
    who: str | None


def timeline(session: Session, account_id: int, limit: int = 200) -> list[TimelineEntry]:
    """Every change and activity of the account, newest first (one SQL union, ordered and limited)."""
    from bdr_desk.users import User

    events = (
        select(AccountEvent.occurred_at.label("at"), AccountEvent.kind.label("kind"),
               AccountEvent.summary.label("summary"), AccountEvent.source.label("source"),
               User.name.label("who"))
        .outerjoin(User, User.id == AccountEvent.user_id)
        .where(AccountEvent.account_id == account_id)
    )
    activities = (
        select(Activity.occurred_at.label("at"), (literal("activity:") + Activity.type).label("kind"),
               func.coalesce(Activity.subject, Activity.body, Activity.type).label("summary"),
               Activity.outcome.label("source"),
               func.trim(func.coalesce(Contact.first_name, "") + literal(" ") + func.coalesce(Contact.last_name, ""))
               .label("who"))
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .where(Activity.account_id == account_id)
    )
    u = union_all(events, activities).subquery()
    rows = session.execute(select(u).order_by(u.c.at.desc()).limit(limit))
    return [TimelineEntry(r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC), r.kind, r.summary, r.source, r.who)
            for r in rows]
