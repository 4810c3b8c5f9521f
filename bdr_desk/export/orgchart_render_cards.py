"""Painting one org-chart card and the lines between cards (QtGui only; the GUI's graphics items call these
too, so screen and export look the same)."""


from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from bdr_desk.export.orgchart_render_style import (
    EDGE_COLORS,
    HIGHLIGHT,
    LEFT_FILL,
    LEFT_TEXT,
    TEXT,
    TEXT_MUTED,
    _blend,
    _draw_dots,
    _font,
    role_color,
    role_ink,
    sentiment_pen,
)

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
