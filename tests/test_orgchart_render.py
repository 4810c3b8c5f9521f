"""Org-chart rendering (bdr_desk.export.orgchart_render) and `bdr-desk orgchart ACCOUNT -o FILE.png|.svg`.

Every test asks for ``qapp`` so the session's application is a QApplication (the renderer would otherwise
create a bare QGuiApplication, and later widget tests in the same run could not make widgets)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from accounts.stakeholders import ContactCard, Coverage, Relationship, RoleSlot, StakeholderMap
from bdr_desk.cli import main
from bdr_desk.export import orgchart_render as r


def card(cid: int, name: str, reports_to: int | None = None, role: str | None = None, sentiment: str = "neutral",
         influence: int | None = 3, left: bool = False, title: str = "VP") -> ContactCard:
    return ContactCard(id=cid, account_id=1, name=name, first_name=None, last_name=None, title=title, seniority=None,
                       function=None, email=None, phone=None, linkedin_url=None, buying_role=role,
                       influence=influence, sentiment=sentiment, coverage_status="identified", owner_id=None,
                       owner_name=None, reports_to_id=reports_to, reports_to=None, source="manual",
                       left_company=left, last_touch_at=None, notes=None, version=1)


def small_map() -> StakeholderMap:
    contacts = [card(1, "Ada Chief", None, "decision_maker", "champion", 5, title="CEO"),
                card(2, "Ben Money", 1, "technical_evaluator", "supporter", 4),
                card(3, "Cy Tech", 1, "blocker", "detractor", 2),
                card(4, "Di Gone", 2, "user", "unknown", None, left=True),
                card(5, "Ed Loop", 6, "influencer", "skeptic", 3), card(6, "Flo Loop", 5, None, "neutral", 1)]
    rels = [Relationship(1, 2, 3, "influence", None), Relationship(2, 3, 1, "conflict", "budget"),
            Relationship(3, 4, 99, "influence", None)]  # a line to a contact not on the chart is skipped
    slots = (RoleSlot("economic_buyer", "Economic buyer", True, 3.0, ()),
             RoleSlot("decision_maker", "Decision maker", True, 3.0, (1,)))
    coverage = Coverage(0.5, "enterprise", slots, ("economic_buyer",))
    return StakeholderMap(1, "Acme Test Corp", "enterprise", contacts, rels, coverage, None, False, 30, [])


def expected_size(lay) -> tuple[int, int]:
    w = max(lay.width, r.LEGEND_MIN_W)
    return (int(w) + 2 * r.MARGIN,
            int(r.MARGIN + r.HEADER_H + lay.height + r.LEGEND_GAP + r.legend_height(w) + r.MARGIN))


def test_chart_layout_from_a_map(qapp):
    lay = r.chart_layout(small_map())
    assert set(lay.positions) == {1, 2, 3, 4, 5, 6, "placeholder:economic_buyer"}
    assert lay.placeholders == ["placeholder:economic_buyer"]
    assert lay.cycles_broken == [5]  # Ed (influence 3) over Flo (1)
    assert (1, 2) in lay.edges and (2, 4) in lay.edges and (5, 6) in lay.edges


def test_png_size_magic_and_pixels(qapp, tmp_path):
    smap = small_map()
    lay = r.chart_layout(smap)
    out = tmp_path / "chart.png"
    size = r.render_png(smap, out)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    assert (size.width(), size.height()) == expected_size(lay)
    geo = r.chart_geometry(lay)
    assert (geo.width, geo.height) == expected_size(lay)
    image = QImage(str(out))
    assert (image.width(), image.height()) == expected_size(lay)
    ox, oy = geo.chart_origin

    def pixel(node, dx, dy):
        x, y = lay.positions[node]
        return image.pixelColor(int(ox + x + dx), int(oy + y + dy)).name()

    # a blank spot of each card (right of the name line, above the dots) is the role fill
    assert pixel(1, lay.card_w - 16, 52) == r.ROLE_COLORS["decision_maker"].lower()
    assert pixel(3, lay.card_w - 16, 52) == r.ROLE_COLORS["blocker"].lower()
    assert pixel(6, lay.card_w - 16, 52) == r.ROLE_COLORS[None].lower()  # no role: light grey
    assert pixel(4, lay.card_w - 16, 52) == r.LEFT_FILL.lower()  # left the company: greyed
    # sentiment border: champion green on the left edge of Ada's card (mid-height)
    assert pixel(1, 2, lay.card_h / 2) == r.SENTIMENT_COLORS["champion"].lower()
    # the placeholder is drawn: a light tint of the economic buyer's colour, not the white page
    ph = pixel("placeholder:economic_buyer", lay.card_w - 16, 52)
    assert ph != "#ffffff" and QColor(ph).red() > 240 and QColor(ph).blue() < 235
    assert image.pixelColor(3, 3).name() == "#ffffff"  # white margin


def test_png_scale_and_svg(qapp, tmp_path):
    smap = small_map()
    lay = r.chart_layout(smap)
    w, h = expected_size(lay)
    size = r.render_png(smap, tmp_path / "x2.png", scale=2)
    assert (size.width(), size.height()) == (2 * w, 2 * h)
    svg = tmp_path / "chart.svg"
    size = r.render_svg(smap, svg)
    assert (size.width(), size.height()) == (w, h)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox").split() == ["0", "0", str(w), str(h)]
    text = svg.read_text(encoding="utf-8")
    assert "Acme Test Corp" in text and "Ada Chief" in text and "not identified" in text


def test_unwritable_png_raises(qapp, tmp_path):
    with pytest.raises(OSError):
        r.render_png(small_map(), tmp_path / "missing" / "x.png")


def test_paint_card_and_edges_on_any_painter(qapp):
    image = QImage(600, 300, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#FFFFFF"))
    p = QPainter(image)
    r.paint_card(p, QRectF(10, 10, 200, 84), "A very long name that will need eliding here", "Title",
                 "Champion", "champion", "champion", 5, False, highlighted=True)
    r.paint_card(p, QRectF(250, 10, 200, 84), "Economic buyer — not identified", "Required role",
                 "Economic buyer", "economic_buyer", "unknown", None, False, placeholder=True)
    for kind in ("reports", "influence", "conflict"):
        r.paint_edge(p, QPointF(110, 94), QPointF(350, 200), kind)
    r.paint_route(p, [QPointF(20, 120), QPointF(20, 160), QPointF(60, 160)])
    r.paint_legend(p, QRectF(0, 200, 600, 100))
    p.end()
    assert image.pixelColor(200, 52).name() == r.ROLE_COLORS["champion"].lower()
    ring = image.pixelColor(6, 50)  # the highlight ring, 4 px outside the card
    assert ring.blue() > 200 and ring.red() < 120


# ---- CLI ----

@pytest.fixture
def demo_db(sqlite_workspace, capsys):
    assert main(["--db", sqlite_workspace.url, "demo"]) == 0
    capsys.readouterr()
    with sqlite_workspace.engine.connect() as conn:
        aid, domain = conn.exec_driver_sql(
            "SELECT a.id, a.domain FROM accounts a JOIN contacts c ON c.account_id = a.id "
            "GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1").one()
    return sqlite_workspace.url, aid, domain


def test_cli_png_svg_and_errors(qapp, demo_db, tmp_path, capsys):
    url, aid, domain = demo_db
    png, svg = tmp_path / "x.png", tmp_path / "x.svg"
    assert main(["--db", url, "orgchart", str(aid), "-o", str(png)]) == 0
    out = capsys.readouterr().out
    image = QImage(str(png))
    assert out.strip() == f"Wrote {png} ({image.width()}×{image.height()})"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["--db", url, "orgchart", domain, "-o", str(svg)]) == 0
    assert "<svg" in svg.read_text(encoding="utf-8") and "Wrote" in capsys.readouterr().out

    for args, needle in ((["999999", "-o", str(png)], "999999"),
                         ([str(aid), "-o", str(tmp_path / "x.pdf")], ".png or .svg"),
                         ([str(aid), "-o", str(tmp_path / "nope" / "x.png")], "does not exist")):
        assert main(["--db", url, "orgchart", *args]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("bdr-desk: error:") and needle in err
