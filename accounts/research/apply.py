"""Applying research: company facts onto the account, field by field through the account's history
(:func:`apply_company_fields`, with the value rules :func:`country_code` and :func:`employees`), and people
into the stakeholder map (:func:`accept_people`, :func:`dismiss_people`).

Writers take a Session and flush; the caller commits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.account_detail import AccountEditError, update_account
from accounts.models import Account
from accounts.models.research import ResearchPerson
from accounts.research.lookup import require_account
from accounts.research.people import existing_contact, split_name

# research company field → account field
ACCOUNT_FIELDS = {"name": "name", "description": "description", "website": "website", "city": "hq_city",
                  "region": "hq_region", "country": "hq_country", "employees": "employees",
                  "industry_hint": "industry"}
_COUNTRIES = {
    "united states": "US", "united states of america": "US", "usa": "US", "u s a": "US", "us": "US",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "espana": "ES", "italy": "IT",
    "italia": "IT", "netherlands": "NL", "the netherlands": "NL", "nederland": "NL", "belgium": "BE",
    "belgique": "BE", "belgie": "BE", "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT",
    "osterreich": "AT", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO", "denmark": "DK",
    "danmark": "DK", "finland": "FI", "suomi": "FI", "ireland": "IE", "portugal": "PT", "poland": "PL",
    "polska": "PL", "czech republic": "CZ", "czechia": "CZ", "canada": "CA", "mexico": "MX", "brazil": "BR",
    "brasil": "BR", "argentina": "AR", "australia": "AU", "new zealand": "NZ", "japan": "JP", "china": "CN",
    "india": "IN", "singapore": "SG", "israel": "IL", "south africa": "ZA", "luxembourg": "LU",
    "united arab emirates": "AE", "uae": "AE", "south korea": "KR", "korea": "KR", "hong kong": "HK",
}


def country_code(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    folded = " ".join(re.findall(r"[a-z]+", unicodedata.normalize("NFKD", text.casefold())
                                 .encode("ascii", "ignore").decode()))
    code = _COUNTRIES.get(folded)
    if code is None:
        raise AccountEditError(f"country {text!r}: type the two-letter ISO code instead")
    return code


def employees(value: Any) -> Any:
    if isinstance(value, int) or value is None:
        return value
    m = re.search(r"\d[\d,.\s]*", str(value))
    if m is None:
        raise AccountEditError(f"employees: no number in {str(value)[:80]!r}")
    digits = re.sub(r"[^\d]", "", m.group(0))
    return int(digits) if digits else value


def apply_company_fields(session: Session, account_id: int, values: dict[str, Any], expected_version: int,
                         user_id: int | None = None) -> Account:
    """Apply research company facts to the account (``{field: value}``; research names such as ``city`` or
    account names such as ``hq_city``), through :func:`accounts.account_detail.update_account`: optimistic
    locking, validation, and one timeline event per changed field."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        target = ACCOUNT_FIELDS.get(name, name if name in ACCOUNT_FIELDS.values() else None)
        if target is None:
            raise AccountEditError(f"{name.replace('_', ' ')}: accounts have no such field to apply it to")
        if target == "hq_country":
            value = country_code(value)
        elif target == "employees":
            value = employees(value)
        elif isinstance(value, str):
            value = value.strip()
            limit = {"name": 300, "hq_city": 120, "hq_region": 120, "website": 2048}.get(target)
            if limit and len(value) > limit:
                value = value[:limit].rstrip()
        changes[target] = value
    if not changes:
        raise AccountEditError("no company field to apply")
    return update_account(session, account_id, expected_version, changes, user_id=user_id)


@dataclass
class AcceptResult:
    created: list[int] = field(default_factory=list)  # new contact ids
    linked: list[int] = field(default_factory=list)  # candidates that were contacts already
    skipped: list[str] = field(default_factory=list)  # one line each


def accept_people(session: Session, account_id: int, candidate_ids: Sequence[int],
                  user_id: int | None = None) -> AcceptResult:
    """Turn stakeholder candidates into contacts of the account (source "research", the suggested buying
    role). A candidate accepted before, or who matches a contact by e-mail or name, creates nothing."""
    from accounts.stakeholders import StakeholderError, save_contact

    require_account(session, account_id)
    out = AcceptResult()
    rows = session.scalars(select(ResearchPerson).where(ResearchPerson.id.in_(list(candidate_ids)))).all()
    found = {r.id: r for r in rows}
    for cid in candidate_ids:
        row = found.get(cid)
        if row is None or row.account_id != account_id:
            out.skipped.append(f"candidate {cid} is not a person researched for account {account_id}")
            continue
        if row.status == "accepted" and row.contact_id is not None:
            out.skipped.append(f"{row.name} is already a contact")
            continue
        existing = existing_contact(session, account_id, row)
        if existing is not None:
            row.status, row.contact_id = "accepted", existing
            out.linked.append(row.id)
            continue
        first, last = split_name(row.name)
        values: dict[str, Any] = {"first_name": first, "last_name": last, "title": row.title, "source": "research",
                                  "buying_role": row.buying_role, "linkedin_url": row.linkedin_url,
                                  "notes": f"Found by web research on {row.source_url}"}
        if row.email:
            values["email"] = row.email
        try:
            with session.begin_nested():
                card = save_contact(session, account_id, values, user_id=user_id)
        except StakeholderError as exc:
            if "email" not in values:
                out.skipped.append(str(exc))
                continue
            values.pop("email")  # a bad or taken e-mail must not lose the person
            with session.begin_nested():
                card = save_contact(session, account_id, values, user_id=user_id)
        row.status, row.contact_id = "accepted", card.id
        out.created.append(card.id)
    session.flush()
    return out


def dismiss_people(session: Session, account_id: int, candidate_ids: Sequence[int]) -> int:
    rows = session.scalars(select(ResearchPerson).where(ResearchPerson.id.in_(list(candidate_ids)),
                                                        ResearchPerson.account_id == account_id,
                                                        ResearchPerson.status == "candidate")).all()
    for r in rows:
        r.status = "dismissed"
    session.flush()
    return len(rows)
