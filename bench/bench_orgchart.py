"""Org chart layout + render time for a 60- and a 500-contact stakeholder map (generated in memory as
``ContactCard``\\ s: a realistic reporting hierarchy with a few reporting cycles, managers at another account,
influence and conflict lines, missing committee roles), against a baseline that paints the same number of
plain rectangles with QPainter on an image of the same size.

``python -m bench.bench_orgchart``; from ``run_all``: ``summary += bench_orgchart.report(bench_orgchart.measure(root))``.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._common import ms, ratio, table, temp_root  # noqa: E402

SIZES = (60, 500)
REPEAT = 3
FIRST = ("Amara", "Fintan", "Celeste", "Emeka", "Hallie", "Nikhil", "Anders", "Priya", "Tomasz", "Ines", "Kofi",
         "Mei", "Rafael", "Sigrid", "Yusuf", "Leona", "Dmitri", "Aoife", "Joaquin", "Noor")
LAST = ("Oyelaran", "Lindgren", "Rasmussen", "Underhill", "Ashworth", "Sandoval", "Cardenas", "Achterberg",
        "Nakamura", "Okafor", "Brennan", "Haddad", "Castellano", "Varga", "Whitfield", "Moreau")
TITLES = ("Chief Executive Officer", "VP Finance", "VP Engineering", "VP Operations", "Director of IT",
          "Head of Procurement", "Data Platform Manager", "Senior Accountant", "Security Engineer", "Analyst")
ROLES = ("economic_buyer", "decision_maker", "champion", "influencer", "technical_evaluator", "user",
         "procurement", "blocker", "gatekeeper", None)
SENTIMENTS = ("champion", "supporter", "neutral", "skeptic", "detractor", "unknown")


def generate_map(n: int, seed: int = 7):
    """A ``StakeholderMap`` of ``n`` people: a CEO, 4–8 reports per manager down the levels, ~2% reporting
    to someone outside the account, two reporting cycles, ~n/10 influence/conflict lines."""
    from accounts.stakeholders import ContactCard, Coverage, Relationship, RoleSlot, StakeholderMap

    rng = random.Random(seed)
    parents: list[int | None] = [None]
    frontier, next_level, k = [1], [], 2
    while k <= n:
        for manager in frontier:
            for _ in range(rng.randint(4, 8)):
                if k > n:
                    break
                parents.append(manager)
                next_level.append(k)
                k += 1
        frontier, next_level = next_level or frontier, []
    for i in rng.sample(range(2, n + 1), max(1, n // 50)):
        parents[i - 1] = 10_000 + i  # a manager at another account
    if n >= 10:  # A→B→A and A→B→C→A
        parents[n - 1], parents[n - 2] = n - 1, n
        parents[n - 3], parents[n - 4], parents[n - 5] = n - 3, n - 4, n - 2
    cards = []
    for i in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        cards.append(ContactCard(
            id=i, account_id=1, name=f"{first} {last}", first_name=first, last_name=last,
            title=TITLES[0] if i == 1 else rng.choice(TITLES[1:]), seniority=None, function=None, email=None,
            phone=None, linkedin_url=None, buying_role=rng.choice(ROLES), influence=rng.choice((None, 1, 2, 3, 4, 5)),
            sentiment=rng.choice(SENTIMENTS), coverage_status="identified", owner_id=None, owner_name=None,
            reports_to_id=parents[i - 1], reports_to=None, source="manual", left_company=rng.random() < 0.05,
            last_touch_at=None, notes=None, version=1))
    rels = [Relationship(r, rng.randint(1, n), rng.randint(1, n), rng.choice(("influence", "conflict")), None)
            for r in range(1, n // 10 + 1)]
    slots = (RoleSlot("economic_buyer", "Economic buyer", True, 3, ()),
             RoleSlot("procurement", "Procurement", True, 1, ()))
    coverage = Coverage(0.62, "enterprise", slots, ("economic_buyer", "procurement"))
    return StakeholderMap(1, f"Generated Holdings ({n} people)", "enterprise", cards, rels, coverage, None, True, 30,
                          [])


def _best(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _baseline(width: int, height: int, n: int, card_w: float, card_h: float, path: Path) -> float:
    """Plain rectangles at the same count and image size: QImage, fill, n drawRect, save PNG."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    cols = max(1, int(width // (card_w + 24)))

    def run() -> None:
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("#FFFFFF"))
        p = QPainter(image)
        p.setBrush(QColor("#C2DDF8"))
        for k in range(n):
            r, c = divmod(k, cols)
            p.drawRect(QRectF(c * (card_w + 24), r * (card_h + 24), card_w, card_h))
        p.end()
        image.save(str(path), "PNG")
    return _best(run)


def measure(root: Path) -> dict:
    from bdr_desk.export.orgchart_render import (
        chart_geometry,
        chart_layout,
        ensure_gui_app,
        render_png,
        render_svg,
    )

    ensure_gui_app()
    out: dict = {"cases": []}
    for n in SIZES:
        smap = generate_map(n)
        layout_s = _best(lambda smap=smap: chart_layout(smap), 5)
        lay = chart_layout(smap)
        geo = chart_geometry(lay)
        png = root / f"orgchart-{n}.png"
        svg = root / f"orgchart-{n}.svg"
        png_s = _best(lambda smap=smap, png=png, lay=lay: render_png(smap, png, lay=lay))
        svg_s = _best(lambda smap=smap, svg=svg, lay=lay: render_svg(smap, svg, lay=lay))
        size = render_png(smap, png, lay=lay)
        base_s = _baseline(size.width(), size.height(), n, lay.card_w, lay.card_h, root / f"rects-{n}.png")
        out["cases"].append({"n": n, "layout_s": layout_s, "png_s": png_s, "svg_s": svg_s, "base_s": base_s,
                             "png_w": size.width(), "png_h": size.height(), "canvas_w": geo.width,
                             "canvas_h": geo.height, "png_kib": png.stat().st_size / 1024,
                             "svg_kib": svg.stat().st_size / 1024, "roots": len(lay.roots),
                             "cycles": len(lay.cycles_broken), "edges": len(lay.edges)})
    return out


def report(r: dict) -> list[list[str]]:
    print("Org chart export of generated stakeholder maps (hierarchy, 2 reporting cycles, ~2% managers at another "
          "account, n/10 influence/conflict lines): layout, PNG and SVG vs plain QPainter rectangles on the same "
          f"image (best of {REPEAT})")
    rows = []
    summary = []
    for c in r["cases"]:
        png_total = c["layout_s"] + c["png_s"]
        rows.append([f"{c['n']} contacts", ms(c["layout_s"] * 1000), ms(c["png_s"] * 1000), ms(c["svg_s"] * 1000),
                     ms(c["base_s"] * 1000), ratio(c["png_s"], c["base_s"]),
                     f"{c['png_w']}×{c['png_h']} px, {c['png_kib']:,.0f} KiB PNG, {c['svg_kib']:,.0f} KiB SVG, "
                     f"{c['roots']} roots, {c['cycles']} cycles broken"])
        summary.append([f"orgchart: layout + PNG, {c['n']} contacts", ms(png_total * 1000),
                        f"{ms(c['base_s'] * 1000)} rects", ratio(png_total, c["base_s"])])
    print(table(rows, ["chart", "layout", "PNG", "SVG", "rects PNG", "ratio", "output"]))
    return summary


def main() -> list[list[str]]:
    with temp_root() as root:
        summary = report(measure(root))
    return summary


if __name__ == "__main__":
    main()
