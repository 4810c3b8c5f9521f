"""Target lists as the Lists page shows them: kind, member count, owner, and a readable saved filter.

Static lists count their explicit members in one grouped query; dynamic lists are counted through
:func:`accounts.queries.count_accounts`, which evaluates the saved filter in SQL, so their count is
always current. Returns plain frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import TargetList, TargetListMember
from accounts.queries import AccountFilter, count_accounts
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SIZE_BAND, Taxonomy
from bdr_desk.users import User

KINDS = ("static", "dynamic")
SEPARATOR = " · "
SAVED_FILTER_KEYS = ("text", "industry", "tier", "stage", "owner_id", "size_band", "icp_min", "icp_max",
                     "inactive_days", "list_id")  # AccountFilter.to_saved()


@dataclass(frozen=True)
class TargetListRow:
    id: int
    name: str
    kind: str  # static / dynamic
    description: str | None
    account_count: int
    owner: str | None
    updated_at: dt.datetime | None
    criteria: str  # dynamic lists: the saved filter in words; static lists: ""

    @property
    def is_dynamic(self) -> bool:
        return self.kind == "dynamic"


def _values(saved: Mapping[str, Any], key: str) -> list[Any]:
    value = saved.get(key)
    if value is None or value == "" or value == []:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def describe_filter(saved: Mapping[str, Any] | None, taxonomy: Taxonomy,
                    owner_names: Mapping[int, str] | None = None) -> str:
    """A dynamic list's saved filter in words, e.g. ``Industry: Healthcare · Tier 1, 2``.

    Keys are those :meth:`AccountFilter.from_saved` understands; any other key is shown as stored so
    nobody is surprised by a criterion the app does not apply.
    """
    saved = saved or {}
    owners = owner_names or {}
    parts: list[str] = []
    text = str(saved.get("text") or "").strip()
    if text:
        parts.append(f"Name or domain contains “{text}”")
    industries = _values(saved, "industry")
    if industries:
        parts.append("Industry: " + ", ".join(taxonomy.label(INDUSTRY, str(i)) for i in industries))
    tiers = _values(saved, "tier")
    if tiers:
        parts.append("Tier " + ", ".join(str(t) for t in tiers))
    stages = _values(saved, "stage")
    if stages:
        parts.append("Stage: " + ", ".join(taxonomy.label(ABM_STAGE, str(s)) for s in stages))
    owner_ids = _values(saved, "owner_id")
    if owner_ids:
        parts.append("Owner: " + ", ".join(owners.get(_as_int(o), f"user {o}") for o in owner_ids))
    bands = _values(saved, "size_band")
    if bands:
        parts.append("Size: " + ", ".join(taxonomy.label(SIZE_BAND, str(b)) for b in bands))
    lo, hi = saved.get("icp_min"), saved.get("icp_max")
    if lo is not None or hi is not None:
        parts.append(f"ICP {lo if lo is not None else 0}–{hi if hi is not None else 100}")
    if saved.get("inactive_days") is not None:
        parts.append(f"No activity in {saved['inactive_days']} days")
    if saved.get("list_id") is not None:
        parts.append(f"Members of list #{saved['list_id']}")
    for key in sorted(set(saved) - set(SAVED_FILTER_KEYS)):
        values = _values(saved, key)
        if values:
            parts.append(f"{key.replace('_', ' ').capitalize()}: {', '.join(str(v) for v in values)} (not applied)")
    return SEPARATOR.join(parts) if parts else "All accounts (no criteria saved)"


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def list_target_lists(session: Session, taxonomy: Taxonomy | None = None) -> list[TargetListRow]:
    """Every target list, by name, with its current account count."""
    taxonomy = taxonomy or Taxonomy.load(session)
    static_counts = dict(session.execute(
        select(TargetListMember.list_id, func.count(TargetListMember.account_id))
        .group_by(TargetListMember.list_id)
    ).all())
    rows = session.execute(
        select(TargetList.id, TargetList.name, TargetList.kind, TargetList.description, TargetList.filter,
               User.name, TargetList.updated_at)
        .outerjoin(User, User.id == TargetList.owner_id)
        .order_by(TargetList.name, TargetList.id)
    ).all()
    owner_ids = {_as_int(o) for r in rows if r.kind == "dynamic" for o in _values(r.filter or {}, "owner_id")}
    owner_names = dict(session.execute(select(User.id, User.name).where(User.id.in_(owner_ids))).all()) \
        if owner_ids else {}
    result = []
    for list_id, name, kind, description, saved, owner, updated_at in rows:
        if kind == "dynamic":
            count = count_accounts(session, AccountFilter(list_id=list_id))
            criteria = describe_filter(saved, taxonomy, owner_names)
        else:
            count = static_counts.get(list_id, 0)
            criteria = ""
        result.append(TargetListRow(list_id, name, kind, description, count, owner, updated_at, criteria))
    return result


class ListError(ValueError):
    """A list that cannot be created or changed; the message says why."""



def create_list(session: Session, name: str, *, kind: str = "static", description: str | None = None,
                saved_filter: Mapping[str, Any] | None = None, owner_id: int | None = None) -> TargetList:
    """A new target list. A dynamic list needs a saved filter (the keys of :data:`SAVED_FILTER_KEYS`)."""
    name = " ".join(name.split())
    if not name:
        raise ListError("a list needs a name")
    if kind not in KINDS:
        raise ListError(f"a list is static or dynamic, not {kind!r}")
    clash = session.scalar(select(TargetList.id).where(func.lower(TargetList.name) == name.lower()))
    if clash is not None:
        raise ListError(f"a list named {name!r} already exists")
    saved = None
    if kind == "dynamic":
        saved = {k: v for k, v in dict(saved_filter or {}).items() if v not in (None, "", [], ())}
        unknown = set(saved) - set(SAVED_FILTER_KEYS)
        if unknown:
            raise ListError(f"a saved filter cannot use {', '.join(sorted(unknown))}")
        if not saved:
            raise ListError("a dynamic list needs at least one criterion, or it would hold every account")
    lst = TargetList(name=name, kind=kind, description=(description or "").strip() or None, filter=saved,
                     owner_id=owner_id)
    session.add(lst)
    session.flush()
    return lst


def delete_list(session: Session, list_id: int) -> None:
    """Delete a list; its accounts stay (membership rows go with the list)."""
    lst = session.get(TargetList, list_id)
    if lst is None:
        raise ListError(f"list {list_id} does not exist")
    session.delete(lst)
    session.flush()
