"""Org-chart layout (accounts.orgchart_layout): placement, no overlaps, cycles, missing managers, fan-outs."""

from __future__ import annotations

import random
import time

from accounts.orgchart_layout import Node, layout


def hierarchy(n: int, seed: int = 3) -> list[Node]:
    """A CEO, 2–9 reports per manager, ~5% reporting outside the set, a 2-cycle and a 3-cycle."""
    rng = random.Random(seed)
    parents: dict[int, int | None] = {1: None}
    frontier, nxt, k = [1], [], 2
    while k <= n:
        for m in frontier:
            for _ in range(rng.randint(2, 9)):
                if k > n:
                    break
                parents[k] = m
                nxt.append(k)
                k += 1
        frontier, nxt = nxt or frontier, []
    for i in rng.sample(range(2, n + 1), n // 20):
        parents[i] = 90_000 + i
    parents[n], parents[n - 1] = n - 1, n
    parents[n - 2], parents[n - 3], parents[n - 4] = n - 3, n - 4, n - 2
    return [Node(i, p, f"Person {i}", rng.choice((None, 1, 2, 3, 4, 5))) for i, p in parents.items()]


def overlapping(lay) -> list[tuple]:
    rects = sorted((x, y, i) for i, (x, y) in lay.positions.items())
    bad = []
    for a, (x1, y1, i1) in enumerate(rects):
        for x2, y2, i2 in rects[a + 1:]:
            if x2 >= x1 + lay.card_w:
                break
            if abs(y2 - y1) < lay.card_h:
                bad.append((i1, i2))
    return bad


def check(nodes: list[Node], lay) -> None:
    assert sorted(map(str, lay.positions)) == sorted(str(n.id) for n in nodes)  # every node placed, once
    assert not overlapping(lay)
    for x, y in lay.positions.values():
        assert 0 <= x and x + lay.card_w <= lay.width + 1e-6
        assert 0 <= y and y + lay.card_h <= lay.height + 1e-6
    for parent, child in lay.edges:  # managers strictly above their reports
        assert lay.positions[parent][1] + lay.card_h < lay.positions[child][1]


def test_sixty_and_five_hundred_people_no_overlaps():
    for n in (60, 500):
        nodes = hierarchy(n)
        lay = layout(nodes)
        check(nodes, lay)
        assert len(lay.edges) == n - len(lay.roots)
        assert len(lay.cycles_broken) == 2
        assert {n - 1, n}.intersection(lay.cycles_broken) and {n - 2, n - 3, n - 4}.intersection(lay.cycles_broken)
    lay60 = layout(hierarchy(60))
    assert lay60.width < 4000, "a 60-person chart stays within a few screens"


def test_missing_manager_and_other_account_become_roots():
    nodes = [Node(1, None, "Ceo", 5), Node(2, 1, "Vp"), Node(3, 777, "Orphan"), Node(4, 4, "Self")]
    lay = layout(nodes)
    check(nodes, lay)
    assert set(lay.roots) == {1, 3, 4}
    assert lay.roots[0] == 1  # the largest tree first
    assert lay.cycles_broken == [4]  # a self-report is a one-node cycle
    assert (1, 2) in lay.edges


def test_cycles_broken_deterministically_at_the_most_influential():
    nodes = [Node(1, 2, "Ann", 2), Node(2, 1, "Bob", 5),  # A→B→A
             Node(3, 5, "Cat", 1), Node(4, 3, "Dan", 4), Node(5, 4, "Eve", 3), Node(6, 4, "Fay", 1)]
    lay = layout(nodes)
    check(nodes, lay)
    assert lay.cycles_broken == [2, 4]  # influence desc: Bob (5), Dan (4)
    assert set(lay.roots) == {2, 4}
    assert (2, 1) in lay.edges and (4, 5) in lay.edges and (5, 3) in lay.edges and (4, 6) in lay.edges
    again = layout(list(reversed(nodes)))
    assert again.positions == lay.positions and again.cycles_broken == lay.cycles_broken


def test_five_hundred_long_chain_and_a_big_ring_no_recursion():
    chain = [Node(i, i - 1 if i > 1 else None) for i in range(1, 501)]
    t0 = time.perf_counter()
    lay = layout(chain)
    ring = layout([Node(i, i % 5000 + 1) for i in range(1, 5001)])  # one 5000-long cycle
    assert time.perf_counter() - t0 < 2.0
    check(chain, lay)
    assert lay.roots == [1] and len(lay.edges) == 499
    assert len(ring.cycles_broken) == 1 and len(ring.positions) == 5000


def test_wide_fan_out_wrapped_under_the_manager():
    reports = [Node(i, 1, f"Report {i:02d}") for i in range(2, 42)]
    for compact in (6, 0):  # stacked columns (default) and plain rows of max_row
        lay = layout([Node(1, None, "Boss", 5), *reports], stack_max=compact)
        check([Node(1, None), *reports], lay)
        rows = {y for i, (_, y) in lay.positions.items() if i != 1}
        cols = {x for i, (x, _) in lay.positions.items() if i != 1}
        assert len(cols) <= 8, "never more than max_row cards side by side"
        assert len(rows) >= 5
        assert lay.width <= 8 * (lay.card_w + 32 + lay.h_gap)
    # a family with sub-teams wraps its blocks into rows split around the trunk
    nodes = [Node(1, None, "Boss")] + [Node(i, 1, f"M{i:02d}") for i in range(2, 22)]
    nodes += [Node(100 + i, i, f"IC{i}") for i in range(2, 22)]
    lay = layout(nodes, max_row=8)
    check(nodes, lay)
    trunk = lay.positions[1][0] + lay.card_w / 2
    for i in range(2, 22):  # the trunk never crosses a card
        x, _ = lay.positions[i]
        assert not (x < trunk < x + lay.card_w)


def test_edge_routes_are_orthogonal_and_clear_of_other_cards():
    nodes = hierarchy(60)
    lay = layout(nodes)
    for parent, child in lay.edges:
        pts = lay.edge_route(parent, child)
        assert len(pts) >= 3
        for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
            assert x1 == x2 or y1 == y2
            for other, (ox, oy) in lay.positions.items():
                if other in (parent, child):
                    continue
                # the segment must not pass through the inside of another card
                lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
                assert not (lo_x < ox + lay.card_w - 1 and hi_x > ox + 1 and lo_y < oy + lay.card_h - 1
                            and hi_y > oy + 1), (parent, child, other)


def test_placeholders_in_their_own_rows_at_the_bottom():
    nodes = hierarchy(30) + [Node("placeholder:economic_buyer", None), Node("placeholder:procurement", None)]
    lay = layout(nodes)
    check(nodes, lay)
    assert lay.placeholders == ["placeholder:economic_buyer", "placeholder:procurement"]
    people_bottom = max(y for i, (_, y) in lay.positions.items() if isinstance(i, int)) + lay.card_h
    assert lay.placeholder_top is not None and lay.placeholder_top >= people_bottom + 24
    assert all(lay.positions[p][1] >= lay.placeholder_top for p in lay.placeholders)
    assert "placeholder:economic_buyer" not in lay.roots
    only = layout([Node("placeholder:champion", None)])
    assert only.placeholders == ["placeholder:champion"] and only.roots == []


def test_order_key_and_default_influence_then_name():
    nodes = [Node(1, None, "Boss"), Node(2, 1, "Zed", 5), Node(3, 1, "Amy", 2), Node(4, 1, "Bea", 2),
             Node(5, 2, "x"), Node(6, 3, "y"), Node(7, 4, "z")]  # non-leaf reports stay in a row
    lay = layout(nodes)
    xs = [lay.positions[i][0] for i in (2, 3, 4)]
    assert xs == sorted(xs)  # Zed (5), then Amy, Bea (2, by name)
    lay = layout(nodes, order={2: (3,), 3: (2,), 4: (1,)})
    xs = [lay.positions[i][0] for i in (4, 3, 2)]
    assert xs == sorted(xs)
    assert layout(nodes).positions == layout(list(reversed(nodes))).positions
    assert layout([]).positions == {} and layout([]).width == 0
