"""Reading accounts in pages: filtering and sorting evaluated in SQL, for tables over 100,000 accounts.

Returns plain :class:`AccountRow` dataclasses (never live ORM objects) so results can cross threads and
feed the GUI's table model, the CLI and exports alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from accounts.models import Account, TargetList, TargetListMember
from bdr_desk.users import User

SORT_KEYS = ("name", "domain", "industry", "tier", "stage", "owner", "icp_score", "employees", "updated_at")


@dataclass(frozen=True)
class AccountFilter:
    text: str = ""
    industries: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    stages: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()
    list_id: int | None = None

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> AccountFilter:
        """A dynamic list's saved filter (JSON) as a filter; unknown keys are ignored."""
        return cls(
            text=str(saved.get("text") or ""),
            industries=tuple(saved.get("industry") or ()),
            tiers=tuple(int(t) for t in saved.get("tier") or ()),
            stages=tuple(saved.get("stage") or ()),
            owner_ids=tuple(int(o) for o in saved.get("owner_id") or ()),
        )

    @property
    def is_empty(self) -> bool:
        return self == AccountFilter()


@dataclass(frozen=True)
class AccountSort:
    key: str = "name"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise ValueError(f"cannot sort accounts by {self.key!r}; choose one of {', '.join(SORT_KEYS)}")


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
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return data


def _where(stmt: Select[Any], flt: AccountFilter) -> Select[Any]:
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
    if flt.list_id is not None:
        stmt = _in_list(stmt, flt.list_id)
    return stmt


def _in_list(stmt: Select[Any], list_id: int) -> Select[Any]:
    """Membership of a static list (dynamic lists were resolved to their saved filter already)."""
    return stmt.where(Account.id.in_(select(TargetListMember.account_id).where(TargetListMember.list_id == list_id)))


def resolve(session: Session, flt: AccountFilter) -> AccountFilter:
    """Replace a dynamic list by its saved filter (combined with the other criteria)."""
    if flt.list_id is None:
        return flt
    row = session.execute(select(TargetList.kind, TargetList.filter).where(TargetList.id == flt.list_id)).first()
    if row is None or row.kind != "dynamic":
        return flt
    saved = AccountFilter.from_saved(row.filter or {})
    return replace(
        flt, list_id=None, text=flt.text or saved.text,
        industries=flt.industries or saved.industries, tiers=flt.tiers or saved.tiers,
        stages=flt.stages or saved.stages, owner_ids=flt.owner_ids or saved.owner_ids,
    )


def _order(sort: AccountSort) -> list[Any]:
    column = {
        "name": Account.name, "domain": Account.domain, "industry": Account.industry, "tier": Account.tier,
        "stage": Account.abm_stage, "owner": User.name, "icp_score": Account.icp_score,
        "employees": Account.employees, "updated_at": Account.updated_at,
    }[sort.key]
    primary = column.desc() if sort.descending else column.asc()
    tiebreak = [Account.name.asc(), Account.id.asc()] if sort.key != "name" else [Account.id.asc()]
    return [primary.nulls_last(), *tiebreak]


def count_accounts(session: Session, flt: AccountFilter = AccountFilter()) -> int:
    return session.scalar(_where(select(func.count(Account.id)), resolve(session, flt))) or 0


def page_accounts(
    session: Session, flt: AccountFilter = AccountFilter(), sort: AccountSort = AccountSort(),
    offset: int = 0, limit: int = 200,
) -> list[AccountRow]:
    stmt = (
        select(Account.id, Account.name, Account.domain, Account.industry, Account.tier, Account.abm_stage,
               User.name, Account.icp_score, Account.employees, Account.segment, Account.parent_id)
        .outerjoin(User, User.id == Account.owner_id)
    )
    stmt = _where(stmt, resolve(session, flt)).order_by(*_order(sort)).offset(offset).limit(limit)
    return [AccountRow(*row) for row in session.execute(stmt)]
