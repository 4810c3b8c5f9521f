"""The plain data of a stakeholder map: contact cards, influence/conflict lines, the map itself, and the one
query that reads cards (with manager names and last touch) for the map, the GUI and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from accounts.committees import (  # noqa: F401 - re-exported: the stakeholder API lives here
    DEFAULT_STALE_DAYS,
    ROLE_LABELS,
    Coverage,
    KcirResult,
    RoleSlot,
    StakeholderError,
    committee_template,
    compute_coverage,
    is_stale,
    key_contact_identification_rate,
    save_committee_template,
    set_stale_days,
    stale_account_ids,
    stale_days,
    template_segment,
)
from accounts.models import (
    Activity,
    Contact,
)
from bdr_desk.users import User


@dataclass(frozen=True)
class ContactCard:
    id: int
    account_id: int
    name: str
    first_name: str | None
    last_name: str | None
    title: str | None
    seniority: str | None
    function: str | None
    email: str | None
    phone: str | None
    linkedin_url: str | None
    buying_role: str | None
    influence: int | None
    sentiment: str
    coverage_status: str
    owner_id: int | None
    owner_name: str | None
    reports_to_id: int | None
    reports_to: str | None  # the manager's name
    source: str
    left_company: bool
    last_touch_at: dt.datetime | None
    notes: str | None
    version: int


@dataclass(frozen=True)
class Relationship:
    id: int
    from_id: int
    to_id: int
    kind: str  # influence | conflict
    note: str | None


@dataclass(frozen=True)
class StakeholderMap:
    account_id: int
    account_name: str
    segment: str
    contacts: list[ContactCard]
    relationships: list[Relationship]
    coverage: Coverage
    last_touch_at: dt.datetime | None
    stale: bool
    stale_days: int
    cycles_broken: list[int]  # contacts whose reports_to was ignored because it closed a reporting cycle


def display_name(first: str | None, last: str | None, email: str | None, contact_id: int | None = None) -> str:
    name = " ".join(p.strip() for p in (first, last) if p and p.strip())
    return name or email or (f"Contact #{contact_id}" if contact_id is not None else "Unnamed contact")


def _card_rows(session: Session, *where: Any) -> list[ContactCard]:
    """Contacts with owner, manager name and last touch (max completed activity per contact) in one query."""
    mgr = aliased(Contact)
    touch = (select(Activity.contact_id.label("cid"), func.max(Activity.occurred_at).label("at"))
             .where(Activity.contact_id.is_not(None), Activity.completed.is_(True))
             .group_by(Activity.contact_id).subquery())
    c = Contact
    stmt = (select(c.id, c.account_id, c.first_name, c.last_name, c.title, c.seniority, c.function, c.email, c.phone,
                   c.linkedin_url, c.buying_role, c.influence, c.sentiment, c.coverage_status, c.owner_id, User.name,
                   c.reports_to_id, mgr.account_id, mgr.first_name, mgr.last_name, mgr.email, c.source,
                   c.left_company, c.last_touch_at, touch.c.at, c.notes, c.version)
            .outerjoin(User, User.id == c.owner_id).outerjoin(mgr, mgr.id == c.reports_to_id)
            .outerjoin(touch, touch.c.cid == c.id).where(*where).order_by(c.id))
    cards = []
    for (cid, aid, first, last, title, sen, fn, email, phone, li, role, infl, sent, cov, oid, oname, rid,
         m_aid, m_first, m_last, m_email, src, left, stored_touch, act_touch, notes, ver) in session.execute(stmt):
        if rid is not None and m_aid != aid:
            rid = None  # a manager at another account (legacy data) is not drawn on this account's chart
        touches = [t for t in (stored_touch, act_touch) if t is not None]
        cards.append(ContactCard(
            cid, aid, display_name(first, last, email, cid), first, last, title, sen, fn, email, phone, li, role,
            infl, sent or "unknown", cov or "identified", oid, oname, rid,
            display_name(m_first, m_last, m_email, rid) if rid is not None else None, src or "manual", bool(left),
            max(touches) if touches else None, notes, ver))
    return cards


def contact_card(session: Session, contact_id: int) -> ContactCard:
    cards = _card_rows(session, Contact.id == contact_id)
    if not cards:
        raise StakeholderError(f"contact {contact_id} does not exist")
    return cards[0]


