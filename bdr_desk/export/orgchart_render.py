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
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from accounts.orgchart_layout import PLACEHOLDER_CAPTION, PLACEHOLDER_PREFIX, Layout, Node, layout

# ---- palette ----

ROLE_COLORS: dict[str | None, str] = {  # card fills: pastel, dark text stays readable on every one
    "economic_buyer": "#FFE49A",
    "decision_maker": "#FFCDB8",
    "champion": "#C6E8C8",
    "influencer": "#D9CCF0",
    "technical_evaluator": "#C2DDF8",
    "user": "#BDEBEF",
    "procurement": "#DDD3CC",
    "blocker": "#F7C3D4",
    "gatekeeper": "#E4EBA8",
    None: "#E8ECEF",
}
ROLE_INK: dict[str | None, str] = {  # chip text and placeholder borders: a dark shade of the same hue
    "economic_buyer": "#7A5600",
    "decision_maker": "#9A3412",
    "champion": "#1B5E20",
    "influencer": "#4527A0",
    "technical_evaluator": "#0D47A1",
    "user": "#00606A",
    "procurement": "#4E342E",
    "blocker": "#880E4F",
    "gatekeeper": "#4F5B00",
    None: "#455A64",
}
ROLE_LABELS: dict[str, str] = {  # fallback when no taxonomy is given
    "economic_buyer": "Economic buyer", "decision_maker": "Decision maker", "champion": "Champion",
    "influencer": "Influencer", "technical_evaluator": "Technical evaluator", "user": "User",
    "procurement": "Procurement", "blocker": "Blocker", "gatekeeper": "Gatekeeper",
}
SENTIMENT_COLORS: dict[str, str] = {  # card borders
    "champion": "#2E7D32",
    "supporter": "#8BC34A",
    "neutral": "#9E9E9E",
    "skeptic": "#F59E0B",
    "detractor": "#D32F2F",
    "unknown": "#A0A7AE",  # dashed
}
SENTIMENT_LABELS: dict[str, str] = {
    "champion": "Champion", "supporter": "Supporter", "neutral": "Neutral", "skeptic": "Skeptic",
    "detractor": "Detractor", "unknown": "Unknown",
}
EDGE_COLORS = {"reports": "#94A3B8", "influence": "#1E6FD9", "conflict": "#D32F2F"}
TEXT = "#1F2937"
TEXT_MUTED = "#4B5563"
LEFT_FILL = "#F1F2F4"
LEFT_TEXT = "#9AA1AA"
HIGHLIGHT = "#2563EB"
FONT_FAMILIES = ["Inter", "Segoe UI", "Helvetica Neue", "Arial", "Noto Sans", "DejaVu Sans"]

# ---- canvas geometry ----

MARGIN = 32
HEADER_H = 72
LEGEND_GAP = 40
LEGEND_MIN_W = 640
LEGEND_HEAD_W = 150
LEGEND_SLOT_W = 166
LEGEND_ROW_H = 24
LEGEND_SECTION_GAP = 8
MAX_SIDE = 32_000  # QImage/raster limits: a bigger chart is exported at a smaller scale
MAX_PIXELS = 160_000_000

_APP: QGuiApplication | None = None


def ensure_gui_app() -> QGuiApplication:
    """Fonts need a Q(Gui)Application: reuse the running one, else create a headless QGuiApplication."""
    global _APP
    app = QGuiApplication.instance()
    if app is None:
        no_display = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux") and no_display:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _APP = QGuiApplication(["bdr-desk"])
        app = _APP
    return app  # type: ignore[return-value]


def _font(px: float, bold: bool = False, weight: QFont.Weight | None = None) -> QFont:
    f = QFont()
    f.setFamilies(FONT_FAMILIES)
    f.setPixelSize(max(1, round(px)))
    if weight is not None:
        f.setWeight(weight)
    elif bold:
        f.setBold(True)
    return f


def role_color(role_key: str | None) -> QColor:
    return QColor(ROLE_COLORS.get(role_key, ROLE_COLORS[None]))


def role_ink(role_key: str | None) -> QColor:
    return QColor(ROLE_INK.get(role_key, ROLE_INK[None]))


def sentiment_pen(sentiment: str | None, width: float = 3.0) -> QPen:
    key = sentiment if sentiment in SENTIMENT_COLORS else "unknown"
    pen = QPen(QColor(SENTIMENT_COLORS[key]), width if key != "unknown" else max(1.5, width - 1))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if key == "unknown":
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def role_label(role_key: str | None, taxonomy: Any = None) -> str:
    if not role_key:
        return "No role set"
    if taxonomy is not None:
        return taxonomy.label("buying_role", role_key)
    return ROLE_LABELS.get(role_key, role_key.replace("_", " ").capitalize())


def _blend(color: QColor, toward: QColor, t: float) -> QColor:
    return QColor(round(color.red() + (toward.red() - color.red()) * t),
                  round(color.green() + (toward.green() - color.green()) * t),
                  round(color.blue() + (toward.blue() - color.blue()) * t))


def _draw_dots(painter: QPainter, right: float, cy: float, value: int | None, color: QColor) -> None:
    """Influence as five dots, right-aligned at ``right``; None = five hollow, lighter dots."""
    r, step = 3.2, 9.0
    faint = QColor(color)
    faint.setAlpha(110)
    for k in range(5):
        centre = QPointF(right - r - (4 - k) * step, cy)
        filled = value is not None and k < value
        painter.setPen(QPen(color if value is not None else faint, 1.2))
        painter.setBrush(QBrush(color) if filled else Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, r, r)


# ---- cards and edges ----

def paint_card(painter: QPainter, rect: QRectF, card_title: str, subtitle: str, role_label: str,
               role_key: str | None, sentiment: str, influence: int | None, left_company: bool,
               placeholder: bool = False, highlighted: bool = False) -> None:
    """One rounded card: name (bold), title, role chip, influence dots; sentiment as border colour/style.

    ``placeholder`` draws a dashed, lighter card whose ``card_title`` may wrap to two lines
    ("Economic buyer — not identified"); ``left_company`` greys the card and strikes the name through.
    """
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    radius = 9.0
    body = rect.adjusted(1.5, 1.5, -1.5, -1.5)
    if highlighted:
        painter.setPen(QPen(QColor(HIGHLIGHT), 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), radius + 4, radius + 4)
    ink = role_ink(role_key)
    if placeholder:
        fill = _blend(role_color(role_key), QColor("#FFFFFF"), 0.45)
        pen = QPen(ink, 1.8, Qt.PenStyle.DashLine)
        text_color, muted = ink, QColor(TEXT_MUTED)
    elif left_company:
        fill = QColor(LEFT_FILL)
        pen = QPen(QColor("#C4C9CF"), 2)
        text_color, muted = QColor(LEFT_TEXT), QColor(LEFT_TEXT)
    else:
        fill = role_color(role_key)
        pen = sentiment_pen(sentiment)
        text_color, muted = QColor(TEXT), QColor(TEXT_MUTED)
    painter.setPen(pen)
    painter.setBrush(QBrush(fill))
    painter.drawRoundedRect(body, radius, radius)

    pad = 12.0
    inner_w = rect.width() - 2 * pad
    x = rect.left() + pad
    if placeholder:
        f = _font(12.5, bold=True)
        painter.setFont(f)
        painter.setPen(text_color)
        title_rect = QRectF(x, rect.top() + 9, inner_w, 36)
        painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                                         | Qt.TextFlag.TextWordWrap), card_title.replace(" — ", " —\n", 1))
        if subtitle:
            f2 = _font(11)
            painter.setFont(f2)
            painter.setPen(muted)
            painter.drawText(QRectF(x, rect.bottom() - 27, inner_w, 18),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             QFontMetricsF(f2).elidedText(subtitle, Qt.TextElideMode.ElideRight, inner_w))
        painter.restore()
        return

    name_font = _font(13.5, bold=True)
    name_font.setStrikeOut(left_company)
    painter.setFont(name_font)
    painter.setPen(text_color)
    painter.drawText(QRectF(x, rect.top() + 9, inner_w, 19),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                     QFontMetricsF(name_font).elidedText(card_title, Qt.TextElideMode.ElideRight, inner_w))
    sub_font = _font(11.5)
    painter.setFont(sub_font)
    painter.setPen(muted)
    painter.drawText(QRectF(x, rect.top() + 29, inner_w, 17),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                     QFontMetricsF(sub_font).elidedText(subtitle or "—", Qt.TextElideMode.ElideRight, inner_w))

    # bottom row: role chip (left), influence dots (right)
    chip_font = _font(10, weight=QFont.Weight.DemiBold)
    fm = QFontMetricsF(chip_font)
    chip_text = "Left the company" if left_company else role_label
    dots_w = 43.0
    max_chip = inner_w - dots_w - 6
    chip_text = fm.elidedText(chip_text, Qt.TextElideMode.ElideRight, max_chip - 12)
    chip = QRectF(x - 2, rect.bottom() - 29, min(max_chip, fm.horizontalAdvance(chip_text) + 12), 19)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 185) if not left_company else QColor("#E2E5E9"))
    painter.drawRoundedRect(chip, 9.5, 9.5)
    painter.setFont(chip_font)
    painter.setPen(ink if not left_company else QColor("#6B7280"))
    painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), chip_text)
    _draw_dots(painter, rect.right() - pad, chip.center().y(), influence,
               QColor(TEXT) if not left_company else QColor(LEFT_TEXT))
    painter.restore()


def _arrow_head(painter: QPainter, tip: QPointF, direction: QLineF, color: QColor, size: float = 9.0) -> None:
    angle = math.atan2(direction.dy(), direction.dx())
    left = QPointF(tip.x() - size * math.cos(angle - 0.42), tip.y() - size * math.sin(angle - 0.42))
    right = QPointF(tip.x() - size * math.cos(angle + 0.42), tip.y() - size * math.sin(angle + 0.42))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(QPolygonF([tip, left, right]))


def paint_edge(painter: QPainter, start: QPointF, end: QPointF, kind: str = "reports",
               bend_y: float | None = None) -> None:
    """A connector. ``reports``: an elbow from the manager's bottom centre (``start``) to the report's top
    centre (``end``), horizontal at ``bend_y`` (default 28 px above ``end``). ``influence``: a dotted blue
    curve with an arrow at ``end``. ``conflict``: a dashed red curve with a bar mark at its middle."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    color = QColor(EDGE_COLORS.get(kind, EDGE_COLORS["reports"]))
    if kind == "reports":
        if bend_y is None:
            bend_y = end.y() - min(28.0, max(0.0, (end.y() - start.y()) / 2))
        pen = QPen(color, 1.6)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath(start)
        path.lineTo(start.x(), bend_y)
        path.lineTo(end.x(), bend_y)
        path.lineTo(end)
        painter.drawPath(path)
        painter.restore()
        return
    line = QLineF(start, end)
    length = max(line.length(), 1.0)
    normal = QPointF(-line.dy() / length, line.dx() / length)
    bulge = min(60.0, 0.18 * length)
    ctrl = line.center() + normal * bulge
    path = QPainterPath(start)
    path.quadTo(ctrl, end)
    pen = QPen(color, 2.0 if kind == "influence" else 2.2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    if kind == "influence":
        pen.setDashPattern([0.1, 2.6])
    else:
        pen.setDashPattern([4.0, 2.5])
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    if kind == "influence":
        _arrow_head(painter, end, QLineF(ctrl, end), color)
    else:
        mid = path.pointAtPercent(0.5)
        angle = path.angleAtPercent(0.5)
        painter.setPen(QPen(color, 2.4))
        painter.translate(mid)
        painter.rotate(-angle)
        painter.drawLine(QPointF(-3, -6), QPointF(-3, 6))
        painter.drawLine(QPointF(3, -6), QPointF(3, 6))
    painter.restore()


def paint_route(painter: QPainter, points: Sequence[QPointF], kind: str = "reports") -> None:
    """A reporting connector along a polyline (``Layout.edge_route``), with rounded inner corners."""
    if len(points) < 2:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(QColor(EDGE_COLORS.get(kind, EDGE_COLORS["reports"])), 1.6)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(points[0])
    for k in range(1, len(points) - 1):  # 6 px fillets keep the elbows soft without moving the ends
        prev, cur, nxt = points[k - 1], points[k], points[k + 1]
        a, b = QLineF(cur, prev), QLineF(cur, nxt)
        r = min(6.0, a.length() / 2, b.length() / 2)
        if r < 0.5:
            path.lineTo(cur)
            continue
        path.lineTo(a.pointAt(r / a.length()))
        path.quadTo(cur, b.pointAt(r / b.length()))
    path.lineTo(points[-1])
    painter.drawPath(path)
    painter.restore()


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


def _anchor(rect: QRectF, toward: QPointF) -> QPointF:
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
        paint_edge(painter, _anchor(a, b.center()), _anchor(b, a.center()), kind)

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

def _fit_scale(geo: ChartGeometry, scale: float) -> float:
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
    scale = _fit_scale(geo, scale)
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
