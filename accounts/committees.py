"""Buying committees: per-segment templates (required roles and weights), coverage of an account's committee,
stale maps and the key contact identification rate (KCIR) across a list.

Everything here is computed in SQL or over small aggregated rows, so it stays fast at 100,000 accounts.
:mod:`accounts.stakeholders` re-exports the public names; import them from there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from accounts.models import (
    BUYING_ROLES,
    Account,
    Activity,
    CommitteeTemplate,
    Contact,
    ResearchPage,
    Signal,
)
from accounts.queries import AccountFilter, apply_filter, resolve
from accounts.settings import int_setting, set_int_setting
from bdr_desk.db import utcnow
from bdr_desk.taxonomy import SEGMENTS

DEFAULT_SEGMENT = "mid_market"  # accounts without a segment are measured against this template
STALE_SETTING = "stale_map_days"
DEFAULT_STALE_DAYS = 30
CLOSED_STAGES = ("won", "lost")
ROLE_LABELS = {
    "economic_buyer": "Economic buyer", "decision_maker": "Decision maker", "champion": "Champion",
    "influencer": "Influencer", "technical_evaluator": "Technical evaluator", "user": "User",
    "procurement": "Procurement", "blocker": "Blocker", "gatekeeper": "Gatekeeper",
}


class StakeholderError(ValueError):
    """Bad input to a stakeholder operation; the message is one line naming the contact or field."""


@dataclass(frozen=True)
class RoleSlot:
    role: str
    label: str
    required: bool
    weight: float
    filled_by: tuple[int, ...]  # current contacts (not left the company) holding the role


@dataclass(frozen=True)
class Coverage:
    coverage: float  # 0–1: weight of required roles filled / weight of all required roles
    segment: str
    slots: tuple[RoleSlot, ...]
    missing_roles: tuple[str, ...]  # required roles nobody current fills, in template order


@dataclass(frozen=True)
class KcirResult:
    accounts: int
    identified: int
    rate: float | None  # None when there are no target accounts


def template_segment(segment: str | None) -> str:
    return segment if segment in SEGMENTS else DEFAULT_SEGMENT


# ---- templates -----------------------------------------------------------------------------------------------

def committee_template(session: Session, segment: str | None) -> list[dict[str, Any]]:
    """The roles of ``segment``'s committee: ``[{"role", "required", "weight"}]`` (empty when none is set)."""
    roles = session.scalar(select(CommitteeTemplate.roles).where(
        CommitteeTemplate.segment == template_segment(segment)))
    return [dict(r) for r in roles or []]


def _all_templates(session: Session) -> dict[str, list[dict[str, Any]]]:
    return {seg: [dict(r) for r in roles or []]
            for seg, roles in session.execute(select(CommitteeTemplate.segment, CommitteeTemplate.roles))}


def validate_template(roles: Any) -> list[dict[str, Any]]:
    if not isinstance(roles, list | tuple):
        raise StakeholderError("a committee template is a list of roles")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in roles:
        if not isinstance(item, dict) or "role" not in item:
            raise StakeholderError(f"template entry {item!r} needs a 'role'")
        role = item["role"]
        if role not in BUYING_ROLES:
            raise StakeholderError(f"unknown buying role {role!r}; expected one of {', '.join(BUYING_ROLES)}")
        if role in seen:
            raise StakeholderError(f"buying role {role!r} appears twice in the template")
        seen.add(role)
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            raise StakeholderError(f"weight of {role!r} must be a number above 0 and at most 100, not {weight!r}")
        out.append({"role": role, "required": bool(item.get("required", False)),
                    "weight": int(weight) if float(weight).is_integer() else float(weight)})
    return out


def save_committee_template(session: Session, segment: str, roles: Any) -> list[dict[str, Any]]:
    """Replace ``segment``'s template with ``roles`` (validated); returns the stored roles."""
    if segment not in SEGMENTS:
        raise StakeholderError(f"unknown segment {segment!r}; expected one of {', '.join(SEGMENTS)}")
    clean = validate_template(roles)
    row = session.scalar(select(CommitteeTemplate).where(CommitteeTemplate.segment == segment))
    if row is None:
        session.add(CommitteeTemplate(segment=segment, roles=clean))
    else:
        row.roles = clean
    session.flush()
    return clean


# ---- coverage ------------------------------------------------------------------------------------------------

def compute_coverage(template: list[dict[str, Any]], members: Iterable[tuple[int, str | None, bool]],
                     segment: str) -> Coverage:
    """Coverage of a committee from ``members`` = (contact id, buying role, left company)."""
    holders: dict[str, list[int]] = {}
    for cid, role, left in members:
        if role and not left:
            holders.setdefault(role, []).append(cid)
    slots, missing = [], []
    total = filled = 0.0
    for r in template:
        ids = tuple(sorted(holders.get(r["role"], ())))
        slots.append(RoleSlot(r["role"], ROLE_LABELS.get(r["role"], r["role"]), bool(r["required"]),
                              float(r["weight"]), ids))
        if r["required"]:
            total += float(r["weight"])
            if ids:
                filled += float(r["weight"])
            else:
                missing.append(r["role"])
    coverage = 1.0 if total == 0 else filled / total
    return Coverage(round(coverage, 4), segment, tuple(slots), tuple(missing))


def account_coverage(session: Session, account_id: int) -> Coverage:
    segment = template_segment(session.scalar(select(Account.segment).where(Account.id == account_id)))
    members = session.execute(select(Contact.id, Contact.buying_role, Contact.left_company)
                              .where(Contact.account_id == account_id))
    return compute_coverage(committee_template(session, segment), [tuple(m) for m in members], segment)


# ---- stale maps ----------------------------------------------------------------------------------------------

def stale_days(session: Session) -> int:
    return int_setting(session, STALE_SETTING, DEFAULT_STALE_DAYS)


def set_stale_days(session: Session, days: int) -> None:
    set_int_setting(session, STALE_SETTING, days, label="stale map days", error=StakeholderError)


def _recent(cutoff: dt.datetime, now: dt.datetime) -> Any:
    """SQL: the account (``Account.id``) had activity, research or a signal between ``cutoff`` and ``now``."""
    return (
        exists().where(Activity.account_id == Account.id, Activity.occurred_at >= cutoff,
                       Activity.occurred_at <= now, Activity.completed.is_(True))
        | exists().where(ResearchPage.account_id == Account.id, ResearchPage.fetched_at >= cutoff)
        | exists().where(Signal.account_id == Account.id, Signal.detected_at >= cutoff)
    )


def is_stale(session: Session, account_id: int, days: int | None = None, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days or stale_days(session))
    return not session.scalar(select(_recent(cutoff, now)).select_from(Account).where(Account.id == account_id))


def stale_account_ids(session: Session, days: int | None = None, now: dt.datetime | None = None) -> list[int]:
    """Accounts with no activity, research page or signal in the last ``days`` (default: the workspace
    setting); won and lost accounts are left out."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days or stale_days(session))
    stmt = select(Account.id).where(Account.abm_stage.not_in(CLOSED_STAGES), ~_recent(cutoff, now))
    return list(session.scalars(stmt.order_by(Account.id)))


# ---- key contact identification rate -------------------------------------------------------------------------

def key_contact_identification_rate(session: Session, flt: AccountFilter | None = None) -> KcirResult:
    """Share of target accounts (matching ``flt``; won/lost left out) whose required committee roles are all
    held by current contacts. SQL groups contacts per account into one flag per role, then counts accounts per
    (segment, flags) — a few dozen rows — which are combined per segment here."""
    templates = _all_templates(session)
    required = {seg: {r["role"] for r in roles if r.get("required")} for seg, roles in templates.items()}
    roles = sorted(set().union(*required.values())) if required else []
    seg_col = case((Account.segment.in_(list(templates)), Account.segment), else_=DEFAULT_SEGMENT)
    if roles:
        flags = [func.max(case((Contact.buying_role == r, 1), else_=0)).label(f"r{i}") for i, r in enumerate(roles)]
        per_account = (select(Contact.account_id, *flags)
                       .where(Contact.left_company.is_(False), Contact.buying_role.in_(roles))
                       .group_by(Contact.account_id).subquery())
        flag_cols = [func.coalesce(per_account.c[f"r{i}"], 0) for i in range(len(roles))]
        stmt = select(seg_col, *flag_cols, func.count(Account.id)).select_from(Account).outerjoin(
            per_account, per_account.c.account_id == Account.id)
        group = [seg_col, *flag_cols]
    else:
        stmt, group = select(seg_col, func.count(Account.id)).select_from(Account), [seg_col]
    stmt = stmt.where(and_(Account.abm_stage.not_in(CLOSED_STAGES)))
    stmt = apply_filter(stmt, resolve(session, flt or AccountFilter())).group_by(*group)
    total = identified = 0
    for row in session.execute(stmt):
        seg, n = row[0], int(row[-1])
        held = {r for r, flag in zip(roles, row[1:-1], strict=True) if flag}
        total += n
        if required.get(seg, required.get(DEFAULT_SEGMENT, set())) <= held:
            identified += n
    return KcirResult(total, identified, round(identified / total, 4) if total else None)
