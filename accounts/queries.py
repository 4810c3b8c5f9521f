"""Reading accounts in pages: filtering and sorting evaluated in SQL, for tables over 100,000 accounts.

Returns plain :class:`AccountRow` dataclasses (never live ORM objects) so results can cross threads and
feed the GUI's table model, the CLI and exports alike.

A filter and a sort can be stored as JSON (dynamic target lists and saved views keep the same shape):
``AccountFilter.to_saved()``/``from_saved()`` and ``AccountSort.to_saved()``/``from_saved()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from accounts.models import Account, TargetList, TargetListMember
from bdr_desk.users import User

SORT_KEYS = ("name", "domain", "industry", "sub_industry", "tier", "stage", "owner", "icp_score", "employees",
             "segment", "size_band", "hq_country", "hq_city", "last_activity_at", "updated_at")
MAX_SORT_KEYS = 4
MAX_LIST_NESTING = 5  # a dynamic list whose saved filter names another dynamic list, and so on


def _ints(values: Any) -> tuple[int, ...]:
    if values is None or values == "":
        return ()
    if not isinstance(values, list | tuple):
        values = [values]
    return tuple(int(v) for v in values)


def _strs(values: Any) -> tuple[str, ...]:
    if values is None or values == "":
        return ()
    if not isinstance(values, list | tuple):
        values = [values]
    return tuple(str(v) for v in values)


def _opt_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


@dataclass(frozen=True)
class AccountFilter:
    text: str = ""
    industries: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    stages: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()
    list_id: int | None = None
    size_bands: tuple[str, ...] = ()
    icp_min: int | None = None
    icp_max: int | None = None
    inactive_days: int | None = None  # no activity in N days: last activity never, or older than N days

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> AccountFilter:
        """A dynamic list's (or saved view's) filter (JSON) as a filter; unknown keys are ignored."""
        return cls(
            text=str(saved.get("text") or ""),
            industries=_strs(saved.get("industry")),
            tiers=_ints(saved.get("tier")),
            stages=_strs(saved.get("stage")),
            owner_ids=_ints(saved.get("owner_id")),
            list_id=_opt_int(saved.get("list_id")),
            size_bands=_strs(saved.get("size_band")),
            icp_min=_opt_int(saved.get("icp_min")),
            icp_max=_opt_int(saved.get("icp_max")),
            inactive_days=_opt_int(saved.get("inactive_days")),
        )

    def to_saved(self) -> dict[str, Any]:
        """The JSON form :meth:`from_saved` reads; only criteria that are set."""
        out: dict[str, Any] = {}
        if self.text.strip():
            out["text"] = self.text.strip()
        for key, values in (("industry", self.industries), ("tier", self.tiers), ("stage", self.stages),
                            ("owner_id", self.owner_ids), ("size_band", self.size_bands)):
            if values:
                out[key] = list(values)
        for key, value in (("list_id", self.list_id), ("icp_min", self.icp_min), ("icp_max", self.icp_max),
                           ("inactive_days", self.inactive_days)):
            if value is not None:
                out[key] = value
        return out

    @property
    def is_empty(self) -> bool:
        return self == AccountFilter()

    @property
    def criteria_count(self) -> int:
        """How many criteria are set (for a "3 filters" badge)."""
        return sum(1 for v in (self.text.strip(), self.industries, self.tiers, self.stages, self.owner_ids,
                               self.size_bands) if v) + sum(
            1 for v in (self.list_id, self.inactive_days) if v is not None
        ) + (1 if self.icp_min is not None or self.icp_max is not None else 0)


@dataclass(frozen=True)
class SortKey:
    key: str = "name"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise ValueError(f"cannot sort accounts by {self.key!r}; choose one of {', '.join(SORT_KEYS)}")


@dataclass(frozen=True)
class AccountSort:
    """Sort keys in order: ``AccountSort("owner")`` or ``AccountSort("owner", then=(SortKey("icp_score", True),))``
    or ``AccountSort.of(("owner", False), ("icp_score", True))``. ``keys`` is the whole tuple."""

    key: str = "name"
    descending: bool = False
    then: tuple[SortKey, ...] = ()

    def __post_init__(self) -> None:
        SortKey(self.key, self.descending)  # validates the key
        seen = {self.key}
        for k in self.then:
            if not isinstance(k, SortKey):
                raise TypeError("AccountSort.then holds SortKey values")
            if k.key in seen:
                raise ValueError(f"accounts are already sorted by {k.key!r}")
            seen.add(k.key)
        if len(self.then) + 1 > MAX_SORT_KEYS:
            raise ValueError(f"sort by at most {MAX_SORT_KEYS} columns")

    @classmethod
    def of(cls, *keys: SortKey | tuple[str, bool] | str) -> AccountSort:
        parsed = [k if isinstance(k, SortKey) else SortKey(k) if isinstance(k, str) else SortKey(k[0], bool(k[1]))
                  for k in keys]
        if not parsed:
            return cls()
        return cls(parsed[0].key, parsed[0].descending, tuple(parsed[1:]))

    @property
    def keys(self) -> tuple[SortKey, ...]:
        return (SortKey(self.key, self.descending), *self.then)

    def with_key(self, key: str, descending: bool) -> AccountSort:
        """These keys plus (or with a changed direction for) ``key`` as the last key."""
        keys = list(self.keys)
        for i, k in enumerate(keys):
            if k.key == key:
                keys[i] = SortKey(key, descending)
                return AccountSort.of(*keys)
        return AccountSort.of(*keys[: MAX_SORT_KEYS - 1], SortKey(key, descending))

    def to_saved(self) -> list[list[Any]]:
        return [[k.key, k.descending] for k in self.keys]

    @classmethod
    def from_saved(cls, saved: Sequence[Any] | None) -> AccountSort:
        """Unknown keys (a column since removed) are dropped rather than failing the whole view."""
        keys = []
        for item in saved or ():
            try:
                key, desc = (item, False) if isinstance(item, str) else (item[0], bool(item[1]))
                if key in SORT_KEYS and all(k.key != key for k in keys):
                    keys.append(SortKey(key, desc))
            except (TypeError, IndexError):
                continue
        return cls.of(*keys[:MAX_SORT_KEYS])


@dataclass(frozen=True)
class AccountRow:
    id: int
    name: str
    domain: str | None
    industry: str | None
    tier: int | None
    stage: str
    owner: str | None
    icp_score: int | None
    employees: int | None
    segment: str | None
    parent_id: int | None
    sub_industry: str | None = None
    size_band: str | None = None
    hq_country: str | None = None
    hq_city: str | None = None
    last_activity_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    tier_is_manual: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        for key in ("last_activity_at", "updated_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


def apply_filter(stmt: Select[Any], flt: AccountFilter, now: dt.datetime | None = None) -> Select[Any]:
    text = flt.text.strip()
    if text:
        stmt = stmt.where(or_(Account.name.icontains(text, autoescape=True),
                              Account.domain.icontains(text, autoescape=True)))
    if flt.industries:
        stmt = stmt.where(Account.industry.in_(flt.industries))
    if flt.tiers:
        stmt = stmt.where(Account.tier.in_(flt.tiers))
    if flt.stages:
        stmt = stmt.where(Account.abm_stage.in_(flt.stages))
    if flt.owner_ids:
        stmt = stmt.where(Account.owner_id.in_(flt.owner_ids))
    if flt.size_bands:
        stmt = stmt.where(Account.size_band.in_(flt.size_bands))
    if flt.icp_min is not None:
        stmt = stmt.where(Account.icp_score >= flt.icp_min)
    if flt.icp_max is not None:
        stmt = stmt.where(Account.icp_score <= flt.icp_max)
    if flt.inactive_days is not None:
        cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=max(0, flt.inactive_days))
        stmt = stmt.where(or_(Account.last_activity_at.is_(None), Account.last_activity_at < cutoff))
    if flt.list_id is not None:
        stmt = _in_list(stmt, flt.list_id)
    return stmt


def _in_list(stmt: Select[Any], list_id: int) -> Select[Any]:
    """Membership of a static list (dynamic lists were resolved to their saved filter already)."""
    return stmt.where(Account.id.in_(select(TargetListMember.account_id).where(TargetListMember.list_id == list_id)))


def _merge(flt: AccountFilter, saved: AccountFilter) -> AccountFilter:
    """``flt``'s criteria where set, else the saved filter's."""
    return replace(
        flt, list_id=saved.list_id, text=flt.text or saved.text,
        industries=flt.industries or saved.industries, tiers=flt.tiers or saved.tiers,
        stages=flt.stages or saved.stages, owner_ids=flt.owner_ids or saved.owner_ids,
        size_bands=flt.size_bands or saved.size_bands,
        icp_min=flt.icp_min if flt.icp_min is not None else saved.icp_min,
        icp_max=flt.icp_max if flt.icp_max is not None else saved.icp_max,
        inactive_days=flt.inactive_days if flt.inactive_days is not None else saved.inactive_days,
    )


def resolve(session: Session, flt: AccountFilter) -> AccountFilter:
    """Replace a dynamic list by its saved filter (combined with the other criteria). A saved filter may name
    a list itself; nesting is followed a few levels deep, and a list that names itself ends the walk."""
    seen: set[int] = set()
    while flt.list_id is not None and flt.list_id not in seen and len(seen) < MAX_LIST_NESTING:
        seen.add(flt.list_id)
        row = session.execute(select(TargetList.kind, TargetList.filter).where(TargetList.id == flt.list_id)).first()
        if row is None or row.kind != "dynamic":
            return flt
        flt = _merge(flt, AccountFilter.from_saved(row.filter or {}))
    if flt.list_id is not None and flt.list_id in seen:  # a loop of dynamic lists: no list criterion left
        flt = replace(flt, list_id=None)
    return flt


_SEGMENT_ORDER = case({"smb": 1, "mid_market": 2, "enterprise": 3}, value=Account.segment, else_=None)


def _sort_column(key: str) -> Any:
    return {
        "name": Account.name, "domain": Account.domain, "industry": Account.industry,
        "sub_industry": Account.sub_industry, "tier": Account.tier, "stage": Account.abm_stage,
        "owner": User.name, "icp_score": Account.icp_score, "employees": Account.employees,
        "segment": _SEGMENT_ORDER,
        "size_band": Account.employees,  # bands are ranges of employees: their order is the employees' order
        "hq_country": Account.hq_country, "hq_city": Account.hq_city,
        "last_activity_at": Account.last_activity_at, "updated_at": Account.updated_at,
    }[key]


def _order(sort: AccountSort) -> list[Any]:
    clauses: list[Any] = []
    for k in sort.keys:
        column = _sort_column(k.key)
        clauses.append((column.desc() if k.descending else column.asc()).nulls_last())
    keys = {k.key for k in sort.keys}
    if "name" not in keys:
        clauses.append(Account.name.asc())
    clauses.append(Account.id.asc())
    return clauses


def count_accounts(session: Session, flt: AccountFilter = AccountFilter()) -> int:
    return session.scalar(apply_filter(select(func.count(Account.id)), resolve(session, flt))) or 0


_ROW_COLUMNS = (Account.id, Account.name, Account.domain, Account.industry, Account.tier, Account.abm_stage,
                User.name, Account.icp_score, Account.employees, Account.segment, Account.parent_id,
                Account.sub_industry, Account.size_band, Account.hq_country, Account.hq_city,
                Account.last_activity_at, Account.updated_at, Account.tier_is_manual)


def page_accounts(
    session: Session, flt: AccountFilter = AccountFilter(), sort: AccountSort = AccountSort(),
    offset: int = 0, limit: int = 200,
) -> list[AccountRow]:
    stmt = select(*_ROW_COLUMNS).outerjoin(User, User.id == Account.owner_id)
    stmt = apply_filter(stmt, resolve(session, flt)).order_by(*_order(sort)).offset(offset).limit(limit)
    return [AccountRow(*row) for row in session.execute(stmt)]


def account_ids(session: Session, flt: AccountFilter = AccountFilter(), limit: int | None = None) -> list[int]:
    """The ids of every account the filter matches (for "select all" bulk actions), in id order."""
    stmt = apply_filter(select(Account.id), resolve(session, flt)).order_by(Account.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class AccountChoice:
    id: int
    name: str
    domain: str | None


def find_accounts(session: Session, text: str = "", limit: int = 25,
                  exclude: Iterable[int] = ()) -> list[AccountChoice]:
    """Accounts whose name or domain contains ``text``, names starting with it first (for pickers)."""
    text = text.strip()
    stmt = select(Account.id, Account.name, Account.domain)
    excluded = list(exclude)
    if excluded:
        stmt = stmt.where(Account.id.not_in(excluded))
    order: list[ColumnElement[Any]] = []
    if text:
        stmt = stmt.where(or_(Account.name.icontains(text, autoescape=True),
                              Account.domain.icontains(text, autoescape=True)))
        order.append(case((Account.name.istartswith(text, autoescape=True), 0), else_=1))
    stmt = stmt.order_by(*order, Account.name, Account.id).limit(limit)
    return [AccountChoice(*row) for row in session.execute(stmt)]
