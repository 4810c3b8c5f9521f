"""The content-gap report: industry × size × pain cells ranked by demand against supply.

Demand for a cell: open requests filed for it, weak or empty library searches filtered to it (last 90 days),
and tiered target accounts in it (their industry and size band, and a pain from an open hypothesis). Supply:
published items tagged with the cell's industry and pain, and with its size band or no size band at all (a
size-agnostic piece serves every size). A dimension a request or search left open ("any size") matches
everything on that dimension.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import Account, PainHypothesis
from bdr_desk.taxonomy import INDUSTRY, PAIN, SIZE_BAND
from content_library.models import ContentFacet, ContentItem, ContentRequest, SearchLogEntry

Cell = tuple[str | None, str | None, str | None]  # (industry, size_band, pain); None = any
DEMAND_WEIGHTS = {"requests": 3.0, "searches": 1.0, "accounts": 0.5}
SEARCH_WINDOW_DAYS = 90


@dataclass
class GapCell:
    industry: str | None
    size_band: str | None
    pain: str | None
    requests: int = 0
    searches: int = 0
    accounts: int = 0
    supply: int = 0
    open_requests: list[tuple[int, str]] = field(default_factory=list)  # (id, title)

    @property
    def demand(self) -> float:
        return (DEMAND_WEIGHTS["requests"] * self.requests + DEMAND_WEIGHTS["searches"] * self.searches
                + DEMAND_WEIGHTS["accounts"] * self.accounts)

    @property
    def gap(self) -> float:
        """Demand per published item (plus one): high means the field asks and the library has nothing."""
        return self.demand / (1 + self.supply)

    def as_json(self) -> dict[str, object]:
        return {"industry": self.industry, "size_band": self.size_band, "pain": self.pain,
                "requests": self.requests, "empty_searches": self.searches, "target_accounts": self.accounts,
                "demand": round(self.demand, 2), "supply": self.supply, "gap_score": round(self.gap, 2),
                "open_requests": [{"id": i, "title": t} for i, t in self.open_requests]}


def _covers(cell: Cell, point: Cell) -> bool:
    return all(c is None or c == p for c, p in zip(cell, point, strict=True))


def _serves(point: Cell, cell: Cell) -> bool:
    """An item's (industry, size, pain) serves a cell; an item without a size tag serves every size."""
    industry, size, pain = point
    return _covers(cell, (industry, cell[1] if size is None else size, pain))


def gap_report(session: Session, *, today: dt.date | None = None, limit: int | None = 50) -> list[GapCell]:
    today = today or dt.date.today()
    cells: dict[Cell, GapCell] = {}

    def cell(key: Cell) -> GapCell:
        return cells.setdefault(key, GapCell(*key))

    for r in session.scalars(select(ContentRequest).where(ContentRequest.status.in_(("open", "in_progress")))):
        c = cell((r.industry, r.size_band, r.pain))
        c.requests += 1
        c.open_requests.append((r.id, r.title))
    since = dt.datetime.combine(today - dt.timedelta(days=SEARCH_WINDOW_DAYS), dt.time(), dt.UTC)
    for industry, size, pain, n in session.execute(
        select(SearchLogEntry.industry, SearchLogEntry.size_band, SearchLogEntry.pain, func.count())
        .where(SearchLogEntry.searched_at >= since)
        .group_by(SearchLogEntry.industry, SearchLogEntry.size_band, SearchLogEntry.pain)
    ):
        if industry or size or pain:  # a bare query with no segment says nothing about a cell
            cell((industry, size, pain)).searches += int(n)
    account_points: Counter[Cell] = Counter()
    for industry, size, pain, n in session.execute(
        select(Account.industry, Account.size_band, PainHypothesis.pain,
               func.count(func.distinct(Account.id)))
        .join(PainHypothesis, PainHypothesis.account_id == Account.id)
        .where(Account.tier.is_not(None), PainHypothesis.status != "rejected")
        .group_by(Account.industry, Account.size_band, PainHypothesis.pain)
    ):
        account_points[(industry, size, pain)] += int(n)
        cell((industry, size, pain))  # every segment with target accounts and a pain is a cell
    supply_points = _supply_points(session)
    for key, c in cells.items():
        c.accounts = sum(n for point, n in account_points.items() if _covers(key, point))
        c.supply = sum(1 for points in supply_points if any(_serves(p, key) for p in points))
    ranked = sorted(cells.values(), key=lambda c: (-c.gap, -c.demand, c.supply, str(c.industry), str(c.pain)))
    return ranked[:limit] if limit else ranked


def _supply_points(session: Session) -> list[list[Cell]]:
    """For each published item, every (industry, size, pain) it serves; a missing size tag serves any size."""
    tags: dict[int, dict[str, list[str]]] = {}
    for item_id, vocabulary, term in session.execute(
        select(ContentFacet.item_id, ContentFacet.vocabulary, ContentFacet.term)
        .join(ContentItem, ContentItem.id == ContentFacet.item_id)
        .where(ContentItem.status == "published", ContentFacet.vocabulary.in_((INDUSTRY, SIZE_BAND, PAIN)))
    ):
        tags.setdefault(item_id, {}).setdefault(vocabulary, []).append(term)
    published = session.scalars(select(ContentItem.id).where(ContentItem.status == "published")).all()
    out = []
    for item_id in published:
        t = tags.get(item_id, {})
        out.append([(i, s, p) for i in t.get(INDUSTRY, [None]) for s in t.get(SIZE_BAND, [None])
                    for p in t.get(PAIN, [None])])
    return out
