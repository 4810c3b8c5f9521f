"""Stakeholder maps: an account's contacts (its buying committee), who reports to whom, influence and conflict
lines, committee coverage and stale-map flags.

Plain dataclasses out (:class:`ContactCard`, :class:`StakeholderMap`), so the GUI, the org-chart renderer and
the CLI all read the same data. Writes validate and raise :class:`StakeholderError` with one line naming the
contact or field. Reporting lines are kept acyclic on write; data that arrived with cycles (imports, legacy)
is mapped anyway — the cycle is broken in the map and reported in ``cycles_broken``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

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
from accounts.contact_cards import (  # noqa: F401 - re-exported: the stakeholder API lives here
    ContactCard,
    Relationship,
    StakeholderMap,
    _card_rows,
    contact_card,
    display_name,
)
from accounts.domains import normalize_domain
from accounts.history import record_event
from accounts.models import (
    BUYING_ROLES,
    COVERAGE_STATUSES,
    SENTIMENTS,
    Account,
    Activity,
    Contact,
    ContactRelationship,
)
from accounts.models.committee import RELATIONSHIP_KINDS
from accounts.models.contact import CONTACT_SOURCES
from accounts.seniority import SENIORITIES, classify_title
from bdr_desk.db import utcnow
from bdr_desk.users import User

EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
TEXT_FIELDS = {"first_name": 120, "last_name": 120, "title": 300, "phone": 64, "linkedin_url": 2048,
               "function": 64, "persona": 64, "notes": 100_000}
EDITABLE = (*TEXT_FIELDS, "seniority", "email", "buying_role", "influence", "sentiment", "coverage_status",
            "owner_id", "source", "left_company", "last_touch_at", "reports_to_id")
DERIVED = ("seniority", "function", "persona")


def _break_cycles(parent: dict[int, int | None]) -> list[int]:
    """Ids whose manager link closes a cycle; removing them leaves a forest. Iterative, linear time."""
    state: dict[int, int] = {}  # 1 on the current path, 2 done
    broken: list[int] = []
    for start in sorted(parent):
        path: list[int] = []
        node: int | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:  # walked back into the path: a cycle
            cycle = path[path.index(node):]
            victim = max(cycle)
            parent[victim] = None
            broken.append(victim)
        for n in path:
            state[n] = 2
    return sorted(broken)


def stakeholder_map(session: Session, account_id: int, now: dt.datetime | None = None) -> StakeholderMap:
    row = session.execute(select(Account.name, Account.segment).where(Account.id == account_id)).first()
    if row is None:
        raise StakeholderError(f"account {account_id} does not exist")
    cards = _card_rows(session, Contact.account_id == account_id)
    parent = {c.id: c.reports_to_id for c in cards}
    broken = _break_cycles(parent)
    if broken:
        cards = [c if c.id not in broken else _replace(c, reports_to_id=None, reports_to=None) for c in cards]
    rels = [Relationship(*r) for r in session.execute(
        select(ContactRelationship.id, ContactRelationship.from_contact_id, ContactRelationship.to_contact_id,
               ContactRelationship.kind, ContactRelationship.note)
        .where(ContactRelationship.account_id == account_id).order_by(ContactRelationship.id))]
    segment = template_segment(row.segment)
    coverage = compute_coverage(committee_template(session, segment),
                                [(c.id, c.buying_role, c.left_company) for c in cards], segment)
    last = session.scalar(select(func.max(Activity.occurred_at)).where(
        Activity.account_id == account_id, Activity.completed.is_(True)))
    days = stale_days(session)
    return StakeholderMap(account_id, row.name, segment, cards, rels, coverage, last,
                          is_stale(session, account_id, days, now), days, broken)


def _replace(card: ContactCard, **changes: Any) -> ContactCard:
    from dataclasses import replace

    return replace(card, **changes)


def resolve_account(session: Session, ref: str) -> int:
    """An account id from ``ref``: its id, its domain (any URL or e-mail of it) or its exact name."""
    text = str(ref or "").strip()
    if not text:
        raise StakeholderError("name an account by id or domain")
    if text.isdigit():
        if session.get(Account, int(text)) is not None:
            return int(text)
        raise StakeholderError(f"no account with id {text}")
    domain = normalize_domain(text) if "." in text and " " not in text else None
    if domain:
        found = session.scalar(select(Account.id).where(Account.domain == domain))
        if found is not None:
            return found
    found_ids = session.scalars(select(Account.id).where(func.lower(Account.name) == text.lower()).limit(2)).all()
    if len(found_ids) == 1:
        return found_ids[0]
    raise StakeholderError(f"no account with id or domain {text!r}")


# ---- writing -------------------------------------------------------------------------------------------------

def _clean(values: dict[str, Any], label: str) -> dict[str, Any]:
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise StakeholderError(f"{label}: unknown field(s) {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for f, v in values.items():
        if f in TEXT_FIELDS or f == "email":
            v = str(v).strip() if v is not None else None
            v = v or None
            if f in TEXT_FIELDS and v is not None and len(v) > TEXT_FIELDS[f]:
                raise StakeholderError(f"{label}: {f.replace('_', ' ')} is longer than {TEXT_FIELDS[f]} characters")
        if f == "email" and v is not None:
            v = v.lower()
            if len(v) > 320 or not EMAIL_RE.match(v):
                raise StakeholderError(f"{label}: {v[:80]!r} is not an e-mail address")
        elif f == "influence" and v not in (None, ""):
            try:
                v = int(v)
            except (TypeError, ValueError):
                raise StakeholderError(f"{label}: influence must be a whole number from 1 to 5, not {v!r}") from None
            if not 1 <= v <= 5:
                raise StakeholderError(f"{label}: influence must be from 1 to 5, not {v}")
        elif f == "influence":
            v = None
        for name, allowed, nullable in (("buying_role", BUYING_ROLES, True), ("sentiment", SENTIMENTS, False),
                                        ("coverage_status", COVERAGE_STATUSES, False),
                                        ("seniority", SENIORITIES, True), ("source", CONTACT_SOURCES, False)):
            if f == name:
                v = v or None
                if v is None and not nullable:
                    raise StakeholderError(f"{label}: {name.replace('_', ' ')} cannot be empty")
                if v is not None and v not in allowed:
                    raise StakeholderError(f"{label}: unknown {name.replace('_', ' ')} {v!r}; "
                                           f"expected one of {', '.join(allowed)}")
        if f == "left_company":
            v = bool(v)
        out[f] = v
    return out


def _check_email(session: Session, email: str, contact_id: int | None, label: str) -> None:
    other = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Account.name)
        .join(Account, Account.id == Contact.account_id)
        .where(func.lower(Contact.email) == email, Contact.id != (contact_id or -1))).first()
    if other is not None:
        who = display_name(other.first_name, other.last_name, None, other.id)
        raise StakeholderError(f"{label}: e-mail {email} is already used by {who} (contact {other.id} at {other.name})")


def save_contact(session: Session, account_id: int, values: dict[str, Any], contact_id: int | None = None,
                 expected_version: int | None = None, user_id: int | None = None) -> ContactCard:
    """Create (``contact_id`` None) or update a contact of ``account_id``. Seniority, function and persona
    follow the title unless ``values`` sets them; ``expected_version`` guards against concurrent edits."""
    if session.get(Account, account_id) is None:
        raise StakeholderError(f"account {account_id} does not exist")
    contact: Contact | None = None
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise StakeholderError(f"contact {contact_id} does not exist")
        if contact.account_id != account_id:
            raise StakeholderError(f"{contact.full_name or f'contact {contact_id}'} belongs to another account")
        label = display_name(contact.first_name, contact.last_name, contact.email, contact.id)
        if expected_version is not None and contact.version != expected_version:
            raise StakeholderError(f"{label} was changed by someone else; reload it and try again")
    else:
        label = display_name(values.get("first_name"), values.get("last_name"), values.get("email"))
    clean = _clean(dict(values), label)
    reports_to = clean.pop("reports_to_id", None) if "reports_to_id" in clean else ...
    if clean.get("email"):
        _check_email(session, clean["email"], contact_id, label)
    if "title" in clean and (contact is None or clean["title"] != contact.title):
        info = classify_title(clean["title"])
        derived = {"seniority": info.seniority if clean["title"] else None, "function": info.function,
                   "persona": info.persona}
        for f in DERIVED:
            if f not in values:
                clean[f] = derived[f]
    if "owner_id" in clean and clean["owner_id"] is not None and session.get(User, clean["owner_id"]) is None:
        raise StakeholderError(f"{label}: owner {clean['owner_id']} is not a user of this workspace")
    if contact is None:
        if not any(clean.get(f) for f in ("first_name", "last_name", "email")):
            raise StakeholderError("a contact needs a name or an e-mail address")
        clean.setdefault("source", "manual")
        contact = Contact(account_id=account_id, **clean)
        session.add(contact)
        changed = ["created"]
    else:
        changed = [f for f, v in clean.items() if getattr(contact, f) != v]
        for f in changed:
            setattr(contact, f, clean[f])
        if not any((contact.first_name, contact.last_name, contact.email)):
            raise StakeholderError(f"{label}: a contact needs a name or an e-mail address")
    try:
        session.flush()
    except StaleDataError:
        raise StakeholderError(f"{label} was changed by someone else; reload it and try again") from None
    if reports_to is not ...:
        set_reports_to(session, contact.id, reports_to, user_id=user_id)
    name = display_name(contact.first_name, contact.last_name, contact.email, contact.id)
    source = clean.get("source") if clean.get("source") == "import" else "manual"
    if changed == ["created"]:
        record_event(session, account_id, "updated", f"Contact added: {name}", user_id=user_id, source=source,
                     field="contact", new=name)
    elif changed:
        record_event(session, account_id, "updated", f"Contact {name} edited: {', '.join(changed)}",
                     user_id=user_id, source=source, field="contact")
    return contact_card(session, contact.id)


def delete_contact(session: Session, contact_id: int, user_id: int | None = None) -> None:
    row = session.execute(select(Contact.account_id, Contact.first_name, Contact.last_name, Contact.email)
                          .where(Contact.id == contact_id)).first()
    if row is None:
        raise StakeholderError(f"contact {contact_id} does not exist")
    session.execute(update(Contact).where(Contact.reports_to_id == contact_id).values(reports_to_id=None)
                    .execution_options(synchronize_session="fetch"))
    obj = session.get(Contact, contact_id)
    if obj is not None:
        session.expunge(obj)
    session.execute(delete(Contact).where(Contact.id == contact_id))
    record_event(session, row.account_id, "updated",
                 f"Contact removed: {display_name(row.first_name, row.last_name, row.email, contact_id)}",
                 user_id=user_id, field="contact")
    session.flush()


def reporting_cycle(parent: dict[int, int | None], contact_id: int, manager_id: int) -> bool:
    """True when making ``manager_id`` the manager of ``contact_id`` would close a reporting cycle."""
    node: int | None = manager_id
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == contact_id:
            return True
        seen.add(node)
        node = parent.get(node)
    return False


def set_reports_to(session: Session, contact_id: int, manager_id: int | None, user_id: int | None = None,
                   source: str = "manual") -> ContactCard:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise StakeholderError(f"contact {contact_id} does not exist")
    name = contact.full_name or f"contact {contact_id}"
    if manager_id is not None:
        manager = session.get(Contact, manager_id)
        if manager is None:
            raise StakeholderError(f"{name}: manager {manager_id} does not exist")
        mname = manager.full_name or f"contact {manager_id}"
        if manager_id == contact_id:
            raise StakeholderError(f"{name} cannot report to themselves")
        if manager.account_id != contact.account_id:
            raise StakeholderError(f"{name} cannot report to {mname}, who works at another account")
        parent = {cid: rid for cid, rid in session.execute(
            select(Contact.id, Contact.reports_to_id).where(Contact.account_id == contact.account_id))}
        if reporting_cycle(parent, contact_id, manager_id):
            raise StakeholderError(f"{name} cannot report to {mname}: {mname} already reports "
                                   f"(directly or through others) to {name}, which would make a cycle")
    else:
        mname = None
    if contact.reports_to_id != manager_id:
        contact.reports_to_id = manager_id
        try:
            session.flush()
        except StaleDataError:
            raise StakeholderError(f"{name} was changed by someone else; reload it and try again") from None
        record_event(session, contact.account_id, "updated",
                     f"{name} now reports to {mname}" if mname else f"{name} reports to nobody on the map",
                     user_id=user_id, source=source, field="reports_to", new=mname)
    return contact_card(session, contact_id)


def fill_role(session: Session, contact_id: int, role: str, user_id: int | None = None) -> ContactCard:
    """A placeholder ("Economic buyer — not identified") filled by a real person: that person takes the role."""
    if role not in BUYING_ROLES:
        raise StakeholderError(f"unknown buying role {role!r}; expected one of {', '.join(BUYING_ROLES)}")
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise StakeholderError(f"contact {contact_id} does not exist")
    return save_contact(session, contact.account_id, {"buying_role": role}, contact_id, user_id=user_id)


# ---- influence and conflict lines ----------------------------------------------------------------------------

def add_relationship(session: Session, from_id: int, to_id: int, kind: str, note: str | None = None) -> Relationship:
    """An influence or conflict line between two contacts of one account (adding it again returns it)."""
    if kind not in RELATIONSHIP_KINDS:
        raise StakeholderError(f"unknown relationship {kind!r}; expected one of {', '.join(RELATIONSHIP_KINDS)}")
    if from_id == to_id:
        raise StakeholderError(f"contact {from_id} cannot have a {kind} line to themselves")
    a, b = session.get(Contact, from_id), session.get(Contact, to_id)
    for cid, c in ((from_id, a), (to_id, b)):
        if c is None:
            raise StakeholderError(f"contact {cid} does not exist")
    assert a is not None and b is not None
    if a.account_id != b.account_id:
        raise StakeholderError(f"{a.full_name} and {b.full_name} work at different accounts")
    note = (note or "").strip() or None
    existing = session.scalar(select(ContactRelationship).where(
        ContactRelationship.from_contact_id == from_id, ContactRelationship.to_contact_id == to_id,
        ContactRelationship.kind == kind))
    if existing is None:
        existing = ContactRelationship(account_id=a.account_id, from_contact_id=from_id, to_contact_id=to_id,
                                       kind=kind, note=note, created_at=utcnow())
        session.add(existing)
    elif note is not None:
        existing.note = note
    session.flush()
    return Relationship(existing.id, from_id, to_id, kind, existing.note)


def remove_relationship(session: Session, relationship_id: int) -> None:
    n = session.execute(delete(ContactRelationship).where(ContactRelationship.id == relationship_id)).rowcount
    if not n:
        raise StakeholderError(f"relationship {relationship_id} does not exist")
