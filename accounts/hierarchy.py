"""Account hierarchy: parents, children and the whole family of an account with roll-ups.

Walks are iterative (one query per level), capped at :data:`MAX_DEPTH` levels and guarded against cycles
(a parent chain that loops, which a careless import or a concurrent edit could leave behind). Roll-ups are
counted in SQL with one grouped query per measure over the whole family.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import Account, Activity, Contact, Opportunity

MAX_DEPTH = 12  # levels above or below an account
MAX_FAMILY = 5_000  # accounts in one tree
CLOSED_STAGES = ("closed_won", "closed_lost")
_IN_CHUNK = 900


class HierarchyError(ValueError):
    pass


@dataclass
class HierarchyNode:
    id: int
    name: str
    domain: str | None
    tier: int | None
    depth: int
    # this account alone
    contacts: int = 0
    activities: int = 0
    open_opportunities: int = 0
    pipeline: Decimal = Decimal(0)
    # this account and everything below it
    total_contacts: int = 0
    total_activities: int = 0
    total_open_opportunities: int = 0
    total_pipeline: Decimal = Decimal(0)
    children: list[HierarchyNode] = field(default_factory=list)

    def walk(self) -> Iterator[HierarchyNode]:
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True)
class Family:
    root: HierarchyNode
    current_id: int
    truncated: bool  # the depth or size cap cut the tree short
    cycle: bool  # the parent chain loops: the tree starts at the account where the loop was found

    @property
    def size(self) -> int:
        return sum(1 for _ in self.root.walk())


def ancestors(session: Session, account_id: int) -> tuple[list[int], bool]:
    """Parent ids from the direct parent up, and whether the chain loops back on itself."""
    chain: list[int] = []
    seen = {account_id}
    current: int | None = account_id
    for _ in range(MAX_DEPTH):
        current = session.scalar(select(Account.parent_id).where(Account.id == current))
        if current is None:
            return chain, False
        if current in seen:
            return chain, True
        seen.add(current)
        chain.append(current)
    return chain, False


def would_create_cycle(session: Session, account_id: int, new_parent_id: int | None) -> bool:
    """Whether making ``new_parent_id`` the parent of ``account_id`` makes an account its own ancestor."""
    if new_parent_id is None:
        return False
    if new_parent_id == account_id:
        return True
    chain, _loop = ancestors(session, new_parent_id)
    return account_id in chain


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _IN_CHUNK):
        yield ids[i:i + _IN_CHUNK]


def _grouped(session: Session, stmt_for: Iterable[int], build) -> dict[int, tuple]:  # type: ignore[no-untyped-def]
    out: dict[int, tuple] = {}
    for part in _chunks(list(stmt_for)):
        for row in session.execute(build(part)):
            out[row[0]] = tuple(row[1:])
    return out


def family(session: Session, account_id: int) -> Family:
    """The tree from the top-most ancestor of ``account_id`` down, with per-node counts and roll-ups."""
    if session.get(Account, account_id) is None:
        raise HierarchyError(f"account {account_id} does not exist")
    chain, loop = ancestors(session, account_id)
    root_id = chain[-1] if chain else account_id
    truncated = len(chain) >= MAX_DEPTH

    rows = {r.id: r for r in session.execute(
        select(Account.id, Account.name, Account.domain, Account.tier, Account.parent_id).where(Account.id == root_id)
    )}
    nodes: dict[int, HierarchyNode] = {
        root_id: HierarchyNode(root_id, rows[root_id].name, rows[root_id].domain, rows[root_id].tier, 0)
    }
    level = [root_id]
    depth = 0
    while level:
        if depth >= MAX_DEPTH or len(nodes) >= MAX_FAMILY:
            truncated = True
            break
        depth += 1
        nxt: list[int] = []
        for part in _chunks(level):
            for r in session.execute(
                select(Account.id, Account.name, Account.domain, Account.tier, Account.parent_id)
                .where(Account.parent_id.in_(part)).order_by(Account.name, Account.id)
            ):
                if r.id in nodes:  # a loop below the root
                    loop = True
                    continue
                if len(nodes) >= MAX_FAMILY:
                    truncated = True
                    break
                node = HierarchyNode(r.id, r.name, r.domain, r.tier, depth)
                nodes[r.id] = node
                nodes[r.parent_id].children.append(node)
                nxt.append(r.id)
        level = nxt

    ids = list(nodes)
    contacts = _grouped(session, ids, lambda part: select(Contact.account_id, func.count(Contact.id))
                        .where(Contact.account_id.in_(part)).group_by(Contact.account_id))
    activities = _grouped(session, ids, lambda part: select(Activity.account_id, func.count(Activity.id))
                          .where(Activity.account_id.in_(part)).group_by(Activity.account_id))
    opps = _grouped(session, ids, lambda part: select(
        Opportunity.account_id, func.count(Opportunity.id), func.coalesce(func.sum(Opportunity.amount), 0))
        .where(Opportunity.account_id.in_(part), Opportunity.stage.not_in(CLOSED_STAGES))
        .group_by(Opportunity.account_id))
    for i, node in nodes.items():
        node.contacts = int(contacts.get(i, (0,))[0])
        node.activities = int(activities.get(i, (0,))[0])
        count, amount = opps.get(i, (0, 0))
        node.open_opportunities, node.pipeline = int(count), Decimal(amount or 0)

    def roll(node: HierarchyNode) -> None:
        node.total_contacts, node.total_activities = node.contacts, node.activities
        node.total_open_opportunities, node.total_pipeline = node.open_opportunities, node.pipeline
        for c in node.children:
            roll(c)
            node.total_contacts += c.total_contacts
            node.total_activities += c.total_activities
            node.total_open_opportunities += c.total_open_opportunities
            node.total_pipeline += c.total_pipeline

    roll(nodes[root_id])
    return Family(nodes[root_id], account_id, truncated, loop)
