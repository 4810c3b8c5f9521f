"""Org-chart layout: where each card of a stakeholder map goes, by reporting line (Qt-free, pure geometry).

:func:`layout` takes :class:`Node` objects (contacts by id, placeholders with string ids such as
``"placeholder:economic_buyer"``) and returns a :class:`Layout` with top-left card positions. The algorithm is
a subtree-width tidy tree, computed iteratively (a 500-long reporting chain needs no recursion):

- each manager is centred over its reports; a manager with more than ``max_row`` reports gets them wrapped
  into balanced rows split around a vertical trunk (the trunk runs through the gap in the middle of each row,
  so connectors never cross a card);
- a missing manager (parent not among the nodes, or at another account) makes a root; reporting cycles
  (A→B→A, longer ones, self-reports) are broken at the cycle's first node in sibling order (the most
  influential), which becomes a root; the cut ids are reported in ``cycles_broken``;
- trees are packed left to right, largest first, onto shelves no wider than the largest tree (or
  ``max_row`` cards), so 60 unconnected people stay a readable grid rather than one long line;
- placeholders ("Not identified yet") get their own rows at the bottom, below ``placeholder_top``.

Sibling order is the caller's ``order`` key when given (``{id: tuple}``), else influence desc then name.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

NodeId = Hashable  # int for contacts, str for placeholders
PLACEHOLDER_PREFIX = "placeholder:"
PLACEHOLDER_CAPTION = "Not identified yet"


@dataclass(frozen=True)
class Node:
    id: NodeId
    parent: NodeId | None = None
    name: str = ""
    influence: int | None = None
    placeholder: bool = False

    @property
    def is_placeholder(self) -> bool:
        return self.placeholder or (isinstance(self.id, str) and self.id.startswith(PLACEHOLDER_PREFIX))


@dataclass
class Layout:
    positions: dict[NodeId, tuple[float, float]]  # top-left of each card
    width: float
    height: float
    edges: list[tuple[NodeId, NodeId]]  # (manager, report), managers before reports
    roots: list[NodeId]  # tree roots in placement order (placeholders excluded)
    cycles_broken: list[NodeId]  # nodes whose reporting line was cut to break a cycle
    placeholders: list[NodeId] = field(default_factory=list)
    placeholder_top: float | None = None  # y of the placeholder rows; the caption goes in the gap above
    card_w: float = 200
    card_h: float = 84
    h_gap: float = 24
    v_gap: float = 56
    # reports without reports of their own, stacked in columns: child -> (trunk x, bus y, trunk drops
    # straight from the manager's card); see edge_route
    stacked: dict[NodeId, tuple[float, float, bool]] = field(default_factory=dict)

    def rect(self, node_id: NodeId) -> tuple[float, float, float, float]:
        """(x, y, w, h) of a card."""
        x, y = self.positions[node_id]
        return x, y, self.card_w, self.card_h

    def edge_points(self, parent: NodeId, child: NodeId) -> tuple[tuple[float, float], float, tuple[float, float]]:
        """An elbow connector: (manager's bottom centre, y of the horizontal segment, report's top centre)."""
        px, py = self.positions[parent]
        cx, cy = self.positions[child]
        start = (px + self.card_w / 2, py + self.card_h)
        end = (cx + self.card_w / 2, cy)
        return start, cy - self.v_gap / 2, end

    def edge_route(self, parent: NodeId, child: NodeId) -> list[tuple[float, float]]:
        """The reporting connector as a polyline (orthogonal segments), manager first.

        A report in a row: manager's bottom centre, down to the row's bus, across, down to the report's top
        centre. A stacked report: down a trunk beside the column of cards, then right into the card's side."""
        px, py = self.positions[parent]
        cx, cy = self.positions[child]
        pcx, bottom = px + self.card_w / 2, py + self.card_h
        if child in self.stacked:
            tx, bus, direct = self.stacked[child]
            mid = cy + self.card_h / 2
            if direct:
                return [(tx, bottom), (tx, mid), (cx, mid)]
            return [(pcx, bottom), (pcx, bus), (tx, bus), (tx, mid), (cx, mid)]
        bend = cy - self.v_gap / 2
        return [(pcx, bottom), (pcx, bend), (cx + self.card_w / 2, bend), (cx + self.card_w / 2, cy)]


def _default_key(node: Node) -> tuple:
    return (-(node.influence or 0), node.name.casefold())


def _id_key(node_id: NodeId) -> tuple:
    if isinstance(node_id, int | float):
        return (0, node_id, "")
    return (1, 0, str(node_id))


def layout(nodes: Iterable[Node], card_w: float = 200, card_h: float = 84, h_gap: float = 24, v_gap: float = 56,
           max_row: int = 8, order: Mapping[NodeId, tuple] | None = None, stack_max: int = 6,
           indent: float = 32, stack_gap: float = 16) -> Layout:
    """Place every node once; see the module docstring. Duplicate ids keep the first node."""
    max_row = max(1, int(max_row))
    by_id: dict[NodeId, Node] = {}
    for n in nodes:
        by_id.setdefault(n.id, n)

    def key(node_id: NodeId) -> tuple:
        n = by_id[node_id]
        if order is not None and node_id in order:
            return (0, tuple(order[node_id]), _id_key(node_id))
        return (1 if order is not None else 0, _default_key(n), _id_key(node_id))

    people = sorted((i for i, n in by_id.items() if not n.is_placeholder), key=key)
    rank = {i: r for r, i in enumerate(people)}
    placeholders = sorted((i for i, n in by_id.items() if n.is_placeholder), key=key)

    # reporting lines among people only; a missing manager (or a placeholder) makes a root
    parent: dict[NodeId, NodeId | None] = {}
    for i in people:
        p = by_id[i].parent
        parent[i] = p if p is not None and p in rank else None

    # cycles: each node has at most one parent, so cycles are disjoint; walk each chain once (iteratively)
    cycles_broken: list[NodeId] = []
    state: dict[NodeId, int] = {}  # 1 = on the current walk, 2 = done
    for start in people:
        if start in state:
            continue
        path: list[NodeId] = []
        cur: NodeId | None = start
        while cur is not None and cur not in state:
            state[cur] = 1
            path.append(cur)
            cur = parent[cur]
        if cur is not None and state[cur] == 1:  # closed a loop on this walk
            loop = path[path.index(cur):]
            cut = min(loop, key=rank.__getitem__)
            parent[cut] = None
            cycles_broken.append(cut)
        for i in path:
            state[i] = 2
    cycles_broken.sort(key=rank.__getitem__)

    children: dict[NodeId, list[NodeId]] = {i: [] for i in people}
    roots: list[NodeId] = []
    for i in people:  # already in sibling order
        if parent[i] is None:
            roots.append(i)
        else:
            children[parent[i]].append(i)

    # post-order (iterative): block size of each subtree, the card's x in its block, children's block offsets
    block_w: dict[NodeId, float] = {}
    block_h: dict[NodeId, float] = {}
    card_x: dict[NodeId, float] = {}
    offset: dict[NodeId, tuple[float, float]] = {}
    stack_rel: dict[NodeId, tuple[float, float, bool]] = {}  # stacked report: (trunk x, bus y, direct drop)
    size: dict[NodeId, int] = {}
    post: list[NodeId] = []
    stack = list(reversed(roots))
    while stack:
        i = stack.pop()
        post.append(i)
        stack.extend(children[i])
    group_w = indent + card_w
    for i in reversed(post):
        kids = children[i]
        size[i] = 1 + sum(size[c] for c in kids)
        if not kids:
            block_w[i], block_h[i], card_x[i] = card_w, card_h, 0.0
            continue
        # items of the family's row(s): (width, height, anchor x, members, is a stacked group)
        items: list[tuple[float, float, float, list[NodeId], bool]] = []
        leaves = [c for c in kids if not children[c]]
        if stack_max > 0 and len(leaves) >= 2:
            items = [(block_w[c], block_h[c], card_x[c] + card_w / 2, [c], False) for c in kids if children[c]]
            n_groups = math.ceil(len(leaves) / stack_max)
            per = math.ceil(len(leaves) / n_groups)
            for k in range(0, len(leaves), per):
                members = leaves[k:k + per]
                items.append((group_w, len(members) * (card_h + stack_gap) - stack_gap, indent / 2, members, True))
        else:
            items = [(block_w[c], block_h[c], card_x[c] + card_w / 2, [c], False) for c in kids]

        def place(item: tuple, x: float, y: float, direct: bool) -> None:
            _, _, _, members, grouped = item
            if not grouped:
                offset[members[0]] = (x, y)
                return
            for j, c in enumerate(members):
                offset[c] = (x + indent, y + j * (card_h + stack_gap))
                stack_rel[c] = (x + indent / 2, y - v_gap / 2, direct)

        row_y = card_h + v_gap
        if len(items) == 1 and items[0][4]:  # only a stack: it hangs from the manager's left side
            place(items[0], 0.0, row_y, True)
            card_x[i] = 0.0
            block_w[i], block_h[i] = group_w, row_y + items[0][1]
        elif len(items) <= max_row:
            x = 0.0
            xs = []
            for it in items:
                xs.append(x)
                x += it[0] + h_gap
            row_w = x - h_gap
            centre = (xs[0] + items[0][2] + xs[-1] + items[-1][2]) / 2
            cx = centre - card_w / 2
            shift = max(0.0, -cx)
            for it, ix in zip(items, xs, strict=True):
                place(it, ix + shift, row_y, False)
            card_x[i] = cx + shift
            block_w[i] = max(row_w + shift, card_x[i] + card_w)
            block_h[i] = row_y + max(it[1] for it in items)
        else:
            # wrapped: balanced rows, each split around the trunk that drops from the manager's centre
            n_rows = math.ceil(len(items) / max_row)
            per = math.ceil(len(items) / n_rows)
            rows = [items[k:k + per] for k in range(0, len(items), per)]
            halves = [(r[:math.ceil(len(r) / 2)], r[math.ceil(len(r) / 2):]) for r in rows]

            def span(part: list) -> float:
                return sum(it[0] for it in part) + h_gap * max(0, len(part) - 1)
            left_w = max(span(lh) for lh, _ in halves)
            right_w = max(span(rh) for _, rh in halves)
            trunk = max(left_w + h_gap / 2, card_w / 2)
            y = row_y
            for lh, rh in halves:
                x = trunk - h_gap / 2 - span(lh)
                for it in lh:
                    place(it, x, y, False)
                    x += it[0] + h_gap
                x = trunk + h_gap / 2
                for it in rh:
                    place(it, x, y, False)
                    x += it[0] + h_gap
                y += max(it[1] for it in lh + rh) + v_gap
            card_x[i] = trunk - card_w / 2
            block_w[i] = max(trunk + h_gap / 2 + right_w, trunk + card_w / 2)
            block_h[i] = y - v_gap

    # trees onto shelves, largest first
    roots.sort(key=lambda r: (-size[r], rank[r]))
    shelf_limit = max([block_w[r] for r in roots] + [max_row * (card_w + h_gap) - h_gap])
    origin: dict[NodeId, tuple[float, float]] = {}
    x = y = shelf_h = width = 0.0
    tree_gap = 2 * h_gap
    for r in roots:
        if x > 0 and x + block_w[r] > shelf_limit:
            y += shelf_h + v_gap
            x = shelf_h = 0.0
        origin[r] = (x, y)
        width = max(width, x + block_w[r])
        shelf_h = max(shelf_h, block_h[r])
        x += block_w[r] + tree_gap
    height = y + shelf_h if roots else 0.0

    positions: dict[NodeId, tuple[float, float]] = {}
    stacked: dict[NodeId, tuple[float, float, bool]] = {}
    edges: list[tuple[NodeId, NodeId]] = []
    for r in roots:
        stack = [r]
        while stack:
            i = stack.pop()
            ox, oy = origin[i]
            positions[i] = (ox + card_x[i], oy)
            for c in children[i]:
                dx, dy = offset[c]
                origin[c] = (ox + dx, oy + dy)
                edges.append((i, c))
                if c in stack_rel:
                    tx, by, direct = stack_rel[c]
                    stacked[c] = (ox + tx, oy + by, direct)
            stack.extend(reversed(children[i]))

    placeholder_top = None
    if placeholders:
        placeholder_top = height + v_gap if roots else v_gap / 2
        per = min(max_row, max(1, int((max(width, card_w) + h_gap) // (card_w + h_gap))))
        for k, pid in enumerate(placeholders):
            row, col = divmod(k, per)
            positions[pid] = (col * (card_w + h_gap), placeholder_top + row * (card_h + h_gap))
        n_rows = math.ceil(len(placeholders) / per)
        width = max(width, min(len(placeholders), per) * (card_w + h_gap) - h_gap)
        height = placeholder_top + n_rows * (card_h + h_gap) - h_gap

    return Layout(positions=positions, width=width, height=height, edges=edges, roots=roots,
                  cycles_broken=cycles_broken, placeholders=placeholders, placeholder_top=placeholder_top,
                  card_w=card_w, card_h=card_h, h_gap=h_gap, v_gap=v_gap, stacked=stacked)
