"""One account as the account workspace shows it, and edits to it guarded by optimistic locking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from accounts.domains import normalize_domain
from accounts.hierarchy import ancestors
from accounts.history import record_changes, snapshot
from accounts.models import ABM_STAGES, Account, Activity, Contact, Opportunity
from bdr_desk.taxonomy import Taxonomy
from bdr_desk.users import User

RECENT_ACTIVITIES = 50
EDITABLE = ("name", "website", "domain", "industry", "sub_industry", "employees", "annual_revenue", "hq_country",
            "hq_region", "hq_city", "tier", "abm_stage", "owner_id", "parent_id", "notes", "description")


class AccountNotFound(LookupError):
    pass


class AccountEditError(ValueError):
    """An edit that cannot be saved: a bad value (names the field) or someone else's newer edit."""


class EditConflict(AccountEditError):
    pass


@dataclass(frozen=True)
class ContactSummary:
    id: int
    name: str
    title: str | None
    buying_role: str | None
    sentiment: str
    influence: int | None
    email: str | None
    reports_to: str | None
    left_company: bool


@dataclass(frozen=True)
class ActivitySummary:
    id: int
    occurred_at: dt.datetime
    type: str
    outcome: str | None
    subject: str | None
    contact: str | None


@dataclass(frozen=True)
class AccountDetail:
    id: int
    version: int
    name: str
    domain: str | None
    website: str | None
    industry: str | None
    sub_industry: str | None
    employees: int | None
    annual_revenue: Decimal | None
    hq_country: str | None
    hq_region: str | None
    hq_city: str | None
    size_band: str | None
    segment: str | None
    tier: int | None
    tier_is_manual: bool
    icp_score: int | None
    abm_stage: str
    owner_id: int | None
    owner_name: str | None
    parent_id: int | None
    parent_name: str | None
    notes: str | None
    description: str | None
    updated_at: dt.datetime | None
    children: list[tuple[int, str]] = field(default_factory=list)
    contacts: list[ContactSummary] = field(default_factory=list)
    activities: list[ActivitySummary] = field(default_factory=list)
    open_opportunities: int = 0
    pipeline_amount: Decimal = Decimal(0)
    suggested_tier: int | None = None
    icp_version: int | None = None
    # why the ICP score is what it is: [(label, points)], in the order the rules fired
    icp_explanation: list[tuple[str, int]] = field(default_factory=list)

    @property
    def tier_label(self) -> str:
        """"Tier 1 (manual override)", "Tier 2 (suggested by ICP)", "Tier 3" or "No tier"."""
        if self.tier is None:
            return f"No tier (ICP suggests Tier {self.suggested_tier})" if self.suggested_tier else "No tier"
        if self.tier_is_manual:
            return f"Tier {self.tier} (manual override)"
        if self.icp_score is not None or self.suggested_tier is not None:
            return f"Tier {self.tier} (suggested by ICP)"
        return f"Tier {self.tier}"


def _explanation(raw: Any) -> list[tuple[str, int]]:
    """``Account.icp_explanation`` rows (``{"label", "points"}``) as (label, points); odd rows are skipped."""
    out: list[tuple[str, int]] = []
    for item in raw or ():
        if isinstance(item, dict):
            text = str(item.get("label") or item.get("rule") or "").strip()
            try:
                points = int(item.get("points") or 0)
            except (TypeError, ValueError):
                continue
            if text:
                out.append((text, points))
    return out


def _name(first: str | None, last: str | None, email: str | None = None) -> str:
    return " ".join(p for p in (first, last) if p) or (email or "")


def load_account_detail(session: Session, account_id: int) -> AccountDetail:
    acc = session.get(Account, account_id)
    if acc is None:
        raise AccountNotFound(f"account {account_id} does not exist")
    owner = session.get(User, acc.owner_id) if acc.owner_id else None
    parent = session.get(Account, acc.parent_id) if acc.parent_id else None
    children = [(cid, cname) for cid, cname in session.execute(
        select(Account.id, Account.name).where(Account.parent_id == acc.id).order_by(Account.name)
    )]
    boss = aliased(Contact)
    contacts = [
        ContactSummary(c.id, c.full_name, c.title, c.buying_role, c.sentiment, c.influence, c.email,
                       _name(bf, bl) if bid else None, c.left_company)
        for c, bid, bf, bl in session.execute(
            select(Contact, boss.id, boss.first_name, boss.last_name)
            .outerjoin(boss, boss.id == Contact.reports_to_id)
            .where(Contact.account_id == acc.id).order_by(Contact.influence.desc().nulls_last(), Contact.last_name)
        )
    ]
    activities = [
        ActivitySummary(a.id, a.occurred_at, a.type, a.outcome, a.subject,
                        _name(cf, cl, ce) if cf or cl or ce else None)
        for a, cf, cl, ce in session.execute(
            select(Activity, Contact.first_name, Contact.last_name, Contact.email)
            .outerjoin(Contact, Contact.id == Activity.contact_id)
            .where(Activity.account_id == acc.id).order_by(Activity.occurred_at.desc()).limit(RECENT_ACTIVITIES)
        )
    ]
    open_count, pipeline = session.execute(
        select(func.count(Opportunity.id), func.coalesce(func.sum(Opportunity.amount), 0))
        .where(Opportunity.account_id == acc.id, Opportunity.stage.not_in(("closed_won", "closed_lost")))
    ).one()
    return AccountDetail(
        id=acc.id, version=acc.version, name=acc.name, domain=acc.domain, website=acc.website,
        industry=acc.industry, sub_industry=acc.sub_industry, employees=acc.employees,
        annual_revenue=acc.annual_revenue, hq_country=acc.hq_country, hq_region=acc.hq_region,
        hq_city=acc.hq_city, size_band=acc.size_band, segment=acc.segment, tier=acc.tier,
        tier_is_manual=acc.tier_is_manual, icp_score=acc.icp_score, abm_stage=acc.abm_stage,
        owner_id=acc.owner_id, owner_name=owner.name if owner else None, parent_id=acc.parent_id,
        parent_name=parent.name if parent else None, notes=acc.notes, description=acc.description,
        updated_at=acc.updated_at, children=children, contacts=contacts, activities=activities,
        open_opportunities=open_count, pipeline_amount=Decimal(pipeline),
        suggested_tier=acc.suggested_tier, icp_version=acc.icp_version,
        icp_explanation=_explanation(acc.icp_explanation),
    )


def _clean(field_name: str, value: Any, taxonomy: Taxonomy) -> Any:
    if isinstance(value, str):
        value = value.strip() or None
    if value is None:
        if field_name in ("name", "abm_stage"):
            raise AccountEditError(f"{field_name.replace('_', ' ')} is required")
        return None
    if field_name == "employees":
        try:
            value = int(str(value).replace(",", ""))
        except ValueError:
            raise AccountEditError(f"employees must be a whole number, not {value!r}") from None
        if value < 0:
            raise AccountEditError("employees cannot be negative")
    elif field_name == "annual_revenue":
        try:
            value = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            raise AccountEditError(f"annual revenue must be a number, not {value!r}") from None
    elif field_name == "tier" and value not in (1, 2, 3):
        raise AccountEditError(f"tier must be 1, 2 or 3, not {value!r}")
    elif field_name == "abm_stage" and value not in ABM_STAGES:
        raise AccountEditError(f"unknown ABM stage {value!r}")
    elif field_name == "industry" and value not in taxonomy.keys("industry"):
        raise AccountEditError(f"unknown industry {value!r}; marketing can add it to the taxonomy")
    elif field_name in ("parent_id", "owner_id"):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise AccountEditError(f"{field_name.replace('_id', '')} must be an id, not {value!r}") from None
    elif field_name == "hq_country":
        if len(value) != 2 or not value.isalpha():
            raise AccountEditError(f"HQ country must be a two-letter ISO code, not {value!r}")
        value = value.upper()
    return value


def update_account(session: Session, account_id: int, expected_version: int, changes: dict[str, Any],
                   user_id: int | None = None) -> Account:
    """Apply ``changes`` if nobody saved the account since ``expected_version`` was read; the timeline records
    each changed field."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise AccountEditError(f"cannot edit {', '.join(sorted(unknown))}")
    acc = session.get(Account, account_id)
    if acc is None:
        raise AccountNotFound(f"account {account_id} does not exist")
    if acc.version != expected_version:
        raise EditConflict(f"{acc.name} was changed by someone else since you opened it; reload to see their changes")
    taxonomy = Taxonomy.load(session)
    clean = {k: _clean(k, v, taxonomy) for k, v in changes.items()}
    if "website" in clean and "domain" not in clean and clean["website"]:
        clean["domain"] = normalize_domain(clean["website"])
    if clean.get("domain"):
        domain = normalize_domain(clean["domain"])
        if domain is None:
            raise AccountEditError(f"domain {clean['domain']!r} is not a valid web domain")
        other = session.scalar(select(Account.id).where(Account.domain == domain, Account.id != acc.id))
        if other is not None:
            raise AccountEditError(f"domain {domain} already belongs to account {other}")
        clean["domain"] = domain
    if clean.get("parent_id") is not None:
        _check_parent(session, acc, clean["parent_id"])
    if clean.get("owner_id") is not None and session.get(User, clean["owner_id"]) is None:
        raise AccountEditError(f"owner: no user with id {clean['owner_id']}")
    if "tier" in clean and clean["tier"] != acc.tier:
        acc.tier_is_manual = clean["tier"] is not None
    before = snapshot(acc)
    for key, value in clean.items():
        setattr(acc, key, value)
    if "employees" in clean:
        band = taxonomy.size_band(acc.employees)
        acc.size_band, acc.segment = (band.key, band.segment) if band else (None, None)
    record_changes(session, acc, before, user_id=user_id)
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(f"{acc.name} was changed by someone else while you were saving; reload") from None
    return acc


def _check_parent(session: Session, acc: Account, parent_id: int) -> None:
    """The new parent must exist and must not be the account itself or one of its descendants."""
    if parent_id == acc.id:
        raise AccountEditError(f"parent account: {acc.name} cannot be its own parent")
    parent = session.get(Account, parent_id)
    if parent is None:
        raise AccountEditError(f"parent account: account {parent_id} does not exist")
    chain, _loop = ancestors(session, parent_id)
    if acc.id in chain:
        raise AccountEditError(f"parent account: {parent.name} is below {acc.name} in the hierarchy, so "
                               f"{acc.name} would become its own ancestor")
