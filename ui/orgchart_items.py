"""The org chart's graphics items: a card per person or placeholder and a line per reporting, influence or
conflict link, painted with the same functions as the PNG/SVG export."""


from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import (
    QGraphicsItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from bdr_desk.export import orgchart_render as render

PLACEHOLDER = "placeholder:"
MIN_SCALE, MAX_SCALE, FIT_MAX = 0.15, 3.0, 1.0
READABLE = 0.6  # the smallest zoom at which a card's name can be read; the first view never goes below it
SCENE_MARGIN = 48
BACKGROUND = QColor("#f8fafc")

Key = int | str  # a contact id, or "placeholder:<role>"


def is_placeholder(key: Key) -> bool:
    return isinstance(key, str) and key.startswith(PLACEHOLDER)


def placeholder_role(key: Key) -> str:
    return str(key)[len(PLACEHOLDER):]


class CardItem(QGraphicsItem):
    """One stakeholder (or one unfilled committee role) as a card."""

    def __init__(self, key: Key, width: float, height: float, fields: dict[str, Any], tooltip: str = "",
                 extra_search: str = "") -> None:
        super().__init__()
        self.key = key
        self.w, self.h = width, height
        self.fields = fields  # paint_card's keyword arguments, but the rect and the highlight
        self.highlighted = False  # a search match
        self.drop_target = False  # the card a dragged card would report to
        self.home = QPointF()  # the laid-out position, to snap back to
        self.edges: list[EdgeItem] = []
        self.search_text = " ".join(str(fields.get(k) or "")
                                    for k in ("card_title", "subtitle", "role_label")) + " " + extra_search
        placeholder = is_placeholder(key)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, not placeholder)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        if not placeholder:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        if tooltip:
            self.setToolTip(tooltip)

    @property
    def placeholder(self) -> bool:
        return is_placeholder(self.key)

    def card_rect(self) -> QRectF:
        return QRectF(0, 0, self.w, self.h)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.card_rect().adjusted(-6, -6, 6, 6)  # room for the highlight ring and the shadow

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.card_rect(), 10, 10)
        return path

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()

    def set_drop_target(self, on: bool) -> None:
        if on != self.drop_target:
            self.drop_target = on
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        selected = bool(self.isSelected())
        render.paint_card(painter, self.card_rect(), highlighted=self.highlighted or self.drop_target or selected,
                          placeholder=self.placeholder, **self.fields)

    def center(self) -> QPointF:
        return self.mapToScene(self.card_rect().center())

    def scene_rect(self) -> QRectF:
        return self.mapRectToScene(self.card_rect())

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for e in self.edges:
                e.adjust()
        return super().itemChange(change, value)


class EdgeItem(QGraphicsItem):
    """A reporting line (manager's bottom to report's top), or an influence / conflict line between two cards."""

    MARGIN = 14  # arrow heads and labels painted around the line

    def __init__(self, source: CardItem, target: CardItem, kind: str, relationship_id: int | None = None,
                 note: str | None = None, v_gap: float = 56, route: list[QPointF] | None = None) -> None:
        super().__init__()
        self.source, self.target, self.kind = source, target, kind
        self.relationship_id = relationship_id
        self.v_gap = v_gap
        self.route = route  # the layout's connector (cards at home); an elbow while a card is dragged
        self.start, self.end = QPointF(), QPointF()
        self.bend_y: float | None = None
        self.points: list[QPointF] | None = None
        source.edges.append(self)
        target.edges.append(self)
        self.setZValue(0 if kind == "reports" else 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        if note:
            self.setToolTip(note)
        self.adjust()

    def adjust(self) -> None:
        s, t = self.source.scene_rect(), self.target.scene_rect()
        bend: float | None = None
        at_home = self.source.pos() == self.source.home and self.target.pos() == self.target.home
        points = self.route if self.route and at_home else None
        if points is not None:
            if points != self.points:
                self.prepareGeometryChange()
                self.points = points
                self.start, self.end, self.bend_y = points[0], points[-1], None
            return
        if self.points is not None:
            self.prepareGeometryChange()
            self.points = None
        if self.kind == "reports":  # the layout's elbow: horizontal half a gap above the report
            start, end = QPointF(s.center().x(), s.bottom()), QPointF(t.center().x(), t.top())
            bend = end.y() - self.v_gap / 2
        else:
            start, end = render.anchor_point(s, t.center()), render.anchor_point(t, s.center())
        if start != self.start or end != self.end or bend != self.bend_y:
            self.prepareGeometryChange()
            self.start, self.end, self.bend_y = start, end, bend

    def boundingRect(self) -> QRectF:  # noqa: N802
        m = self.MARGIN
        if self.points:
            xs, ys = [p.x() for p in self.points], [p.y() for p in self.points]
            return QRectF(min(xs) - m, min(ys) - m, max(xs) - min(xs) + 2 * m, max(ys) - min(ys) + 2 * m)
        rect = QRectF(self.start, self.end).normalized()
        if self.bend_y is not None:
            rect = rect.united(QRectF(self.start.x(), self.bend_y, 1, 1))
        else:  # influence and conflict lines bulge sideways (up to 60 px)
            m += min(60.0, 0.18 * self.line().length())
        return rect.adjusted(-m, -m, m, m)

    def line(self) -> QLineF:
        return QLineF(self.start, self.end)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.points:
            render.paint_route(painter, self.points, self.kind)
        else:
            render.paint_edge(painter, self.start, self.end, self.kind, bend_y=self.bend_y)


def _contact_tooltip(c: Any, role_label: str) -> str:
    lines = [c.name]
    if c.title:
        lines.append(c.title)
    facts = [role_label, f"influence {c.influence}/5" if c.influence else "",
             (c.sentiment or "").capitalize() if c.sentiment and c.sentiment != "unknown" else ""]
    facts_line = " · ".join(f for f in facts if f)
    if facts_line:
        lines.append(facts_line)
    if c.reports_to:
        lines.append(f"Reports to {c.reports_to}")
    if c.left_company:
        lines.append("Left the company")
    lines.append("Drag onto another card to change who this person reports to.")
    return "\n".join(lines)
