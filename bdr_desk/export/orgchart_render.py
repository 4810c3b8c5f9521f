"""Org-chart painting and headless PNG/SVG export (QtGui + QtSvg only, never QtWidgets).

The GUI org chart (``ui/orgchart_view.py``) calls :func:`paint_card` and :func:`paint_edge` from its
``QGraphicsItem.paint`` and :func:`render_png` / :func:`render_svg` for its Export buttons; the
``bdr-desk orgchart`` command calls the renderers directly. Geometry comes from
:mod:`accounts.orgchart_layout` via :func:`chart_layout`.

Canvas (see :func:`chart_geometry`): ``MARGIN`` all round; a header band (account, coverage, missing roles);
the layout; the legend below. Width = max(layout width, ``LEGEND_MIN_W``) + 2 × ``MARGIN``. All font sizes are
in pixels so a PNG and an SVG of the same map look alike whatever the output resolution.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
)

from accounts.orgchart_layout import PLACEHOLDER_CAPTION, PLACEHOLDER_PREFIX, Layout, Node, layout
from bdr_desk.export.orgchart_render_cards import (  # noqa: F401 - re-exported: the renderer's API
    _arrow_head,
    paint_card,
    paint_edge,
    paint_route,
)
from bdr_desk.export.orgchart_render_style import (  # noqa: F401 - re-exported: the renderer's API
    EDGE_COLORS,
    FONT_FAMILIES,
    HEADER_H,
    HIGHLIGHT,
    LEFT_FILL,
    LEFT_TEXT,
    LEGEND_GAP,
    LEGEND_HEAD_W,
    LEGEND_MIN_W,
    LEGEND_ROW_H,
    LEGEND_SECTION_GAP,
    LEGEND_SLOT_W,
    MARGIN,
    MAX_PIXELS,
    MAX_SIDE,
    ROLE_COLORS,
    ROLE_INK,
    ROLE_LABELS,
    SENTIMENT_COLORS,
    SENTIMENT_LABELS,
    TEXT,
    TEXT_MUTED,
    _blend,
    _draw_dots,
    _font,
    ensure_gui_app,
    role_color,
    role_ink,
    role_label,
    sentiment_pen,
)

# ---- building the chart from a stakeholder map ----

def _placeholder_id(role: str) -> str:
    return f"{PLACEHOLDER_PREFIX}{role}"


def chart_layout(smap: Any, **kwargs: Any) -> Layout:
    """The layout of a ``StakeholderMap``: contacts by reporting line, a placeholder per missing role.

    Sibling order: people still at the company first, then influence desc, then name.
    """
    nodes = [Node(c.id, c.reports_to_id, c.name or "", c.influence) for c in smap.contacts]
    order = {c.id: (bool(c.left_company), -(c.influence or 0), (c.name or "").casefold()) for c in smap.contacts}
    missing = list(getattr(smap.coverage, "missing_roles", ()) or ())
    for k, role in enumerate(missing):
        pid = _placeholder_id(role)
        nodes.append(Node(pid, None, placeholder=True))
        order[pid] = (False, 0, f"{k:04d}")
    return layout(nodes, order=order, **kwargs)


@dataclass(frozen=True)
class ChartGeometry:
    width: int
    height: int
    chart_origin: tuple[float, float]  # where the layout's (0, 0) goes
    legend_rect: tuple[float, float, float, float]


def _legend_entries(taxonomy: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    roles = [(k, role_label(k, taxonomy)) for k in ROLE_LABELS] + [("", "No role set")]
    sentiments = list(SENTIMENT_LABELS.items())
    marks = [("reports", "Reports to"), ("influence", "Influences"), ("conflict", "In conflict"),
             ("dots", "Influence 1–5"), ("left", "Left the company"), ("placeholder", "Not identified")]
    return [("Buying role (fill)", roles), ("Sentiment (border)", sentiments), ("Lines and marks", marks)]


def legend_height(width: float, taxonomy: Any = None) -> float:
    cols = max(1, int((width - LEGEND_HEAD_W) // LEGEND_SLOT_W))
    sections = _legend_entries(taxonomy)
    rows = sum(math.ceil(len(items) / cols) for _, items in sections)
    return rows * LEGEND_ROW_H + LEGEND_SECTION_GAP * (len(sections) - 1)


def chart_geometry(lay: Layout, taxonomy: Any = None) -> ChartGeometry:
    """Canvas size: the layout plus header, legend and margins (all integers)."""
    content_w = math.ceil(max(lay.width, LEGEND_MIN_W))
    lh = legend_height(content_w, taxonomy)
    legend_top = MARGIN + HEADER_H + math.ceil(lay.height) + LEGEND_GAP
    width = content_w + 2 * MARGIN
    height = math.ceil(legend_top + lh) + MARGIN
    return ChartGeometry(width, height, (MARGIN, MARGIN + HEADER_H), (MARGIN, legend_top, content_w, lh))


def anchor_point(rect: QRectF, toward: QPointF) -> QPointF:
    """Where the line from the card's centre toward ``toward`` leaves the card."""
    c = rect.center()
    dx, dy = toward.x() - c.x(), toward.y() - c.y()
    if dx == 0 and dy == 0:
        return c
    sx = (rect.width() / 2) / abs(dx) if dx else math.inf
    sy = (rect.height() / 2) / abs(dy) if dy else math.inf
    s = min(sx, sy)
    return QPointF(c.x() + dx * s, c.y() + dy * s)


def _coverage_text(smap: Any, taxonomy: Any, n_people: int, cycles: int) -> str:
    cov = smap.coverage
    parts = [f"{n_people} {'person' if n_people == 1 else 'people'}"]
    if getattr(cov, "segment", None):
        parts.append(f"{str(cov.segment).replace('_', '-').capitalize()} committee")
    missing = [role_label(r, taxonomy) for r in (cov.missing_roles or ())]
    parts.append("Missing: " + ", ".join(missing) if missing else "All required roles identified")
    if getattr(smap, "stale", False):
        days = getattr(smap, "stale_days", None)
        parts.append(f"Stale map (no touch in {days}+ days)" if days else "Stale map")
    if cycles:
        parts.append(f"{cycles} reporting cycle{'s' if cycles != 1 else ''} broken")
    return "  ·  ".join(parts)


def paint_legend(painter: QPainter, rect: QRectF, taxonomy: Any = None) -> None:
    """The legend grid: buying-role fills, sentiment borders, lines and marks (fits ``legend_height``)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    cols = max(1, int((rect.width() - LEGEND_HEAD_W) // LEGEND_SLOT_W))
    head_font, item_font = _font(11.5, bold=True), _font(11.5)
    y = rect.top()
    for heading, items in _legend_entries(taxonomy):
        painter.setFont(head_font)
        painter.setPen(QColor(TEXT))
        painter.drawText(QRectF(rect.left(), y, LEGEND_HEAD_W - 8, LEGEND_ROW_H),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), heading)
        for k, (key, label) in enumerate(items):
            row, col = divmod(k, cols)
            x0 = rect.left() + LEGEND_HEAD_W + col * LEGEND_SLOT_W
            cy = y + row * LEGEND_ROW_H + LEGEND_ROW_H / 2
            sw = QRectF(x0, cy - 7, 24, 14)
            if heading.startswith("Buying"):
                painter.setPen(QPen(role_ink(key or None), 1))
                painter.setBrush(role_color(key or None))
                painter.drawRoundedRect(sw, 3.5, 3.5)
            elif heading.startswith("Sentiment"):
                painter.setPen(sentiment_pen(key, 2.5))
                painter.setBrush(QColor("#FFFFFF"))
                painter.drawRoundedRect(sw.adjusted(1, 1, -1, -1), 3.5, 3.5)
            elif key == "reports":
                paint_edge(painter, QPointF(sw.left() + 4, cy - 7), QPointF(sw.right() - 4, cy + 7), "reports",
                           bend_y=cy)
            elif key in ("influence", "conflict"):
                painter.save()
                painter.translate(0, 0)
                pen = QPen(QColor(EDGE_COLORS[key]), 2.0)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap if key == "influence" else Qt.PenCapStyle.FlatCap)
                pen.setDashPattern([0.1, 2.6] if key == "influence" else [4.0, 2.5])
                painter.setPen(pen)
                painter.drawLine(QPointF(sw.left(), cy), QPointF(sw.right() - 4, cy))
                if key == "influence":
                    _arrow_head(painter, QPointF(sw.right() + 2, cy), QLineF(0, 0, 1, 0), QColor(EDGE_COLORS[key]),
                                7)
                painter.restore()
            elif key == "dots":
                _draw_dots(painter, x0 + 42, cy, 3, QColor(TEXT))
                sw = QRectF(x0, cy - 7, 42, 14)
            elif key == "left":
                painter.setPen(QPen(QColor("#C4C9CF"), 1.5))
                painter.setBrush(QColor(LEFT_FILL))
                painter.drawRoundedRect(sw, 3.5, 3.5)
                painter.setPen(QPen(QColor(LEFT_TEXT), 1.2))
                painter.drawLine(QPointF(sw.left() + 4, cy), QPointF(sw.right() - 4, cy))
            elif key == "placeholder":
                painter.setPen(QPen(role_ink(None), 1.3, Qt.PenStyle.DashLine))
                painter.setBrush(QColor("#FFFFFF"))
                painter.drawRoundedRect(sw, 3.5, 3.5)
            painter.setFont(item_font)
            painter.setPen(QColor(TEXT_MUTED))
            painter.drawText(QRectF(sw.right() + 8, cy - LEGEND_ROW_H / 2, LEGEND_SLOT_W - sw.width() - 12,
                                    LEGEND_ROW_H),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)
        y += math.ceil(len(items) / cols) * LEGEND_ROW_H + LEGEND_SECTION_GAP
    painter.restore()


def _missing_slot(smap: Any, role: str) -> Any:
    for slot in getattr(smap.coverage, "slots", ()) or ():
        if slot.role == role:
            return slot
    return None


def paint_chart(painter: QPainter, smap: Any, lay: Layout, taxonomy: Any = None,
                highlighted: Iterable[Any] = ()) -> None:
    """Everything on a canvas of :func:`chart_geometry` size (the caller fills the background)."""
    geo = chart_geometry(lay, taxonomy)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    content_w = geo.width - 2 * MARGIN

    # header: account name, coverage pill, summary line
    cov = float(getattr(smap.coverage, "coverage", 0.0) or 0.0)
    pill_w = 150.0
    title_font = _font(21, bold=True)
    painter.setFont(title_font)
    painter.setPen(QColor(TEXT))
    title_w = content_w - pill_w - 16
    painter.drawText(QRectF(MARGIN, MARGIN, title_w, 30),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                     QFontMetricsF(title_font).elidedText(f"{smap.account_name} — buying committee",
                                                          Qt.TextElideMode.ElideRight, title_w))
    pill = QRectF(MARGIN + content_w - pill_w, MARGIN + 2, pill_w, 26)
    pill_color = QColor("#2E7D32" if cov >= 0.8 else "#B26A00" if cov >= 0.5 else "#C62828")
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_blend(pill_color, QColor("#FFFFFF"), 0.85))
    painter.drawRoundedRect(pill, 13, 13)
    painter.setPen(pill_color)
    painter.setFont(_font(12.5, bold=True))
    painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), f"Coverage {round(cov * 100)}%")
    cycles = len(set(lay.cycles_broken) | set(getattr(smap, "cycles_broken", ()) or ()))
    sub_font = _font(12.5)
    painter.setFont(sub_font)
    painter.setPen(QColor(TEXT_MUTED))
    painter.drawText(QRectF(MARGIN, MARGIN + 36, content_w, 20),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                     QFontMetricsF(sub_font).elidedText(_coverage_text(smap, taxonomy, len(smap.contacts), cycles),
                                                        Qt.TextElideMode.ElideRight, content_w))
    painter.setPen(QPen(QColor("#E5E7EB"), 1))
    painter.drawLine(QPointF(MARGIN, MARGIN + HEADER_H - 8), QPointF(MARGIN + content_w, MARGIN + HEADER_H - 8))

    ox, oy = geo.chart_origin
    painter.translate(ox, oy)

    def card_rect(node_id: Any) -> QRectF:
        x, y, w, h = lay.rect(node_id)
        return QRectF(x, y, w, h)

    if lay.placeholder_top is not None:
        painter.setFont(_font(12, bold=True))
        painter.setPen(QColor(TEXT_MUTED))
        painter.drawText(QRectF(0, lay.placeholder_top - 28, content_w, 20),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         f"{PLACEHOLDER_CAPTION} — required roles with nobody in them")
    for parent, child in lay.edges:
        paint_route(painter, [QPointF(x, y) for x, y in lay.edge_route(parent, child)])
    for rel in getattr(smap, "relationships", ()) or ():
        if rel.from_id not in lay.positions or rel.to_id not in lay.positions or rel.from_id == rel.to_id:
            continue
        a, b = card_rect(rel.from_id), card_rect(rel.to_id)
        kind = "conflict" if rel.kind == "conflict" else "influence"
        paint_edge(painter, anchor_point(a, b.center()), anchor_point(b, a.center()), kind)

    marked = set(highlighted)
    for c in smap.contacts:
        if c.id not in lay.positions:
            continue
        paint_card(painter, card_rect(c.id), c.name or "(no name)", c.title or c.function or "",
                   role_label(c.buying_role, taxonomy) if c.buying_role else "No role set", c.buying_role,
                   c.sentiment or "unknown", c.influence, bool(c.left_company), highlighted=c.id in marked)
    for pid in lay.placeholders:
        role = str(pid)[len(PLACEHOLDER_PREFIX):]
        slot = _missing_slot(smap, role)
        sub = (f"{'Required' if slot.required else 'Optional'} role · weight {slot.weight:g}" if slot
               else "Required role")
        paint_card(painter, card_rect(pid), f"{role_label(role, taxonomy)} — not identified", sub,
                   role_label(role, taxonomy), role, "unknown", None, False, placeholder=True,
                   highlighted=pid in marked)
    painter.translate(-ox, -oy)
    lx, ly, lw, lh = geo.legend_rect
    painter.setPen(QPen(QColor("#E5E7EB"), 1))
    painter.drawLine(QPointF(lx, ly - LEGEND_GAP / 2), QPointF(lx + lw, ly - LEGEND_GAP / 2))
    paint_legend(painter, QRectF(lx, ly, lw, lh), taxonomy)
    painter.restore()


# ---- export ----

def fit_scale(geo: ChartGeometry, scale: float) -> float:
    scale = max(0.05, float(scale))
    scale = min(scale, MAX_SIDE / geo.width, MAX_SIDE / geo.height)
    return min(scale, math.sqrt(MAX_PIXELS / (geo.width * geo.height)))


def render_png(smap: Any, path: str | os.PathLike[str], taxonomy: Any = None, scale: float = 1.0,
               lay: Layout | None = None) -> QSize:
    """Write the chart as a PNG (white background, antialiased); returns the image size.

    Size = :func:`chart_geometry` × ``scale`` (rounded up); a chart too big for one image (over
    ``MAX_SIDE`` px a side or ``MAX_PIXELS``) is written at the largest scale that fits."""
    ensure_gui_app()
    lay = lay or chart_layout(smap)
    geo = chart_geometry(lay, taxonomy)
    scale = fit_scale(geo, scale)
    size = QSize(math.ceil(geo.width * scale), math.ceil(geo.height * scale))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#FFFFFF"))
    dpm = round(96 / 0.0254 * scale)
    image.setDotsPerMeterX(dpm)
    image.setDotsPerMeterY(dpm)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.scale(scale, scale)
        paint_chart(painter, smap, lay, taxonomy)
    finally:
        painter.end()
    if not image.save(str(Path(path)), "PNG"):
        raise OSError(f"could not write {path}")
    return size


def render_svg(smap: Any, path: str | os.PathLike[str], taxonomy: Any = None, lay: Layout | None = None) -> QSize:
    """Write the chart as an SVG (viewBox = the canvas, with a title and a description); returns its size."""
    from PySide6.QtSvg import QSvgGenerator

    ensure_gui_app()
    lay = lay or chart_layout(smap)
    geo = chart_geometry(lay, taxonomy)
    size = QSize(geo.width, geo.height)
    gen = QSvgGenerator()
    gen.setFileName(str(Path(path)))
    gen.setSize(size)
    gen.setViewBox(QRect(0, 0, geo.width, geo.height))
    gen.setResolution(96)
    gen.setTitle(f"{smap.account_name} — buying committee")
    cov = float(getattr(smap.coverage, "coverage", 0.0) or 0.0)
    gen.setDescription(f"Org chart of {smap.account_name}: {len(smap.contacts)} people, committee coverage "
                       f"{round(cov * 100)}%. Exported by BDR Desk.")
    painter = QPainter()
    if not painter.begin(gen):
        raise OSError(f"could not write {path}")
    try:
        painter.fillRect(QRectF(0, 0, geo.width, geo.height), QColor("#FFFFFF"))
        paint_chart(painter, smap, lay, taxonomy)
    finally:
        painter.end()
    if not Path(path).is_file():
        raise OSError(f"could not write {path}")
    return size
