"""The account's org chart: one card per stakeholder laid out by reporting line, and the lines between them.

Cards and lines are ``QGraphicsItem`` s whose ``paint`` calls the same painter functions as the PNG/SVG export
(:mod:`bdr_desk.export.orgchart_render`), so the screen and the file look alike. The view never writes to the
database: it emits what the user asked for and the stakeholders panel does it, then hands the view a fresh map.

Interaction
- drag a card onto another card: ``reparentRequested(contact_id, manager_id)``; while dragging, the card under
  the pointer is highlighted. Dropped on empty space the card snaps back; with **Shift** held it reports to
  nobody (``manager_id`` None). Dropped on a placeholder it fills that role (``fillRequested``).
- right-click: a card's or placeholder's menu (see :meth:`OrgChartView.card_menu`); each entry emits
  ``actionRequested(action, key)``.
- Ctrl+wheel and :meth:`zoom_in` / :meth:`zoom_out` / :meth:`fit`; drag the background to pan; :meth:`search`
  highlights matching cards and centres the first.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QContextMenuEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QMenu,
    QWidget,
)

from accounts.orgchart_layout import PLACEHOLDER_CAPTION
from bdr_desk.export import orgchart_render as render
from bdr_desk.taxonomy import Taxonomy
from ui.orgchart_items import (
    BACKGROUND,
    FIT_MAX,
    MAX_SCALE,
    MIN_SCALE,
    READABLE,
    SCENE_MARGIN,
    CardItem,
    EdgeItem,
    Key,
    _contact_tooltip,
    is_placeholder,
    placeholder_role,
)


class OrgChartView(QGraphicsView):
    reparentRequested = Signal(object, object)  # contact id, new manager id or None
    fillRequested = Signal(str, int)  # role, contact id
    actionRequested = Signal(str, object)  # action name, card key (see card_menu)
    cardActivated = Signal(object)  # double-click: a contact id or a placeholder key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OrgChart")
        self._scene = QGraphicsScene(self)
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setScene(self._scene)
        self.setBackgroundBrush(QBrush(BACKGROUND))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.cards: dict[Key, CardItem] = {}
        self.edges: list[EdgeItem] = []
        self.matches: list[Key] = []
        self.cycles_broken: list[int] = []
        self.v_gap = 56.0
        self._drag_key: Key | None = None
        self._press_pos: QPointF | None = None
        self._hover_target: Key | None = None

    # ---- building ----
    def clear(self) -> None:
        self._drag_key = self._hover_target = None
        self.cards.clear()
        self.edges.clear()
        self._scene.clear()

    def set_map(self, smap: Any, taxonomy: Taxonomy | None = None) -> None:
        """Lay out ``smap`` (an ``accounts.stakeholders.StakeholderMap``) and rebuild the scene."""
        taxonomy = taxonomy or Taxonomy()
        self.clear()
        lay = render.chart_layout(smap)
        self.cycles_broken = list(lay.cycles_broken)
        self.v_gap = float(lay.v_gap)
        card_w, card_h = float(lay.card_w), float(lay.card_h)
        contacts = {c.id: c for c in smap.contacts}
        slots = {slot.role: slot for slot in smap.coverage.slots}
        for key, (x, y) in lay.positions.items():
            if is_placeholder(key):
                role = placeholder_role(key)
                label = render.role_label(role, taxonomy)
                slot = slots.get(role)
                sub = (f"{'Required' if slot.required else 'Optional'} role · weight {slot.weight:g}" if slot
                       else "Required role")
                fields = dict(card_title=f"{label} — not identified", subtitle=sub, role_label=label, role_key=role,
                              sentiment="unknown", influence=None, left_company=False)
                tip = (f"{label} — not identified yet.\nRight-click → Fill with…, or drop a person's card here "
                       "to give them this role.")
            elif key in contacts:
                c = contacts[key]
                role_label = render.role_label(c.buying_role, taxonomy) if c.buying_role else "No role set"
                fields = dict(card_title=c.name or "(no name)", subtitle=c.title or c.function or "",
                              role_label=role_label,
                              role_key=c.buying_role, sentiment=c.sentiment or "unknown", influence=c.influence,
                              left_company=bool(c.left_company))
                tip = _contact_tooltip(c, role_label)
            else:
                continue
            extra = "" if is_placeholder(key) else " ".join(
                str(v or "") for v in (contacts[key].email, contacts[key].function))
            item = CardItem(key, card_w, card_h, fields, tip, extra)
            item.setPos(float(x), float(y))
            item.home = QPointF(float(x), float(y))
            self._scene.addItem(item)
            self.cards[key] = item
        for parent_id, child_id in lay.edges:
            if parent_id in self.cards and child_id in self.cards:
                route = [QPointF(x, y) for x, y in lay.edge_route(parent_id, child_id)]
                self._add_edge(self.cards[parent_id], self.cards[child_id], "reports", route=route)
        for r in smap.relationships:
            if r.from_id in self.cards and r.to_id in self.cards:
                self._add_edge(self.cards[r.from_id], self.cards[r.to_id], r.kind, r.id, r.note)
        if lay.placeholder_top is not None and lay.placeholders:
            caption = self._scene.addSimpleText(f"{PLACEHOLDER_CAPTION} — required roles with nobody in them")
            font = caption.font()
            font.setPixelSize(12)
            font.setBold(True)
            caption.setFont(font)
            caption.setBrush(QColor(render.TEXT_MUTED))
            caption.setPos(0, float(lay.placeholder_top) - 26)
        bounds = QRectF(0, 0, max(float(lay.width), card_w), max(float(lay.height), card_h))
        for item in self.cards.values():
            bounds = bounds.united(item.scene_rect())
        m = SCENE_MARGIN
        self._scene.setSceneRect(bounds.adjusted(-m, -m, m, m))

    def _add_edge(self, a: CardItem, b: CardItem, kind: str, rid: int | None = None, note: str | None = None,
                  route: list[QPointF] | None = None) -> None:
        edge = EdgeItem(a, b, kind, rid, note, self.v_gap, route)
        self._scene.addItem(edge)
        self.edges.append(edge)

    # ---- queries ----
    def card(self, key: Key) -> CardItem | None:
        return self.cards.get(key)

    def card_center_in_view(self, key: Key) -> Any:
        """The viewport point at the centre of a card (for tests and keyboard-free automation)."""
        return self.mapFromScene(self.cards[key].center())

    def card_at(self, scene_pos: QPointF, exclude: Key | None = None) -> CardItem | None:
        for item in self._scene.items(scene_pos):
            if isinstance(item, CardItem) and item.key != exclude:
                return item
        return None

    def selected_key(self) -> Key | None:
        for item in self._scene.selectedItems():
            if isinstance(item, CardItem):
                return item.key
        return None

    # ---- drag and drop ----
    def drop_card(self, key: Key, scene_pos: QPointF, shift: bool = False) -> str:
        """What the mouse-release handler does when a dragged card is let go at ``scene_pos``.

        Returns what happened: "reparent", "fill", "no_manager" (Shift on empty space) or "none" (snapped
        back). The signal handlers run before this returns, and may rebuild the scene.
        """
        dragged = self.cards.get(key)
        target = self.card_at(scene_pos, exclude=key)
        self._set_hover_target(None)
        if dragged is None or is_placeholder(key):
            return "none"
        if target is not None and target.placeholder:
            self.snap_back(key)
            self.fillRequested.emit(placeholder_role(target.key), int(key))
            return "fill"
        if target is not None:
            self.snap_back(key)
            self.reparentRequested.emit(key, target.key)
            return "reparent"
        self.snap_back(key)
        if shift:
            self.reparentRequested.emit(key, None)
            return "no_manager"
        return "none"

    def snap_back(self, key: Key) -> None:
        item = self.cards.get(key)
        if item is not None:
            item.setPos(item.home)
            item.setZValue(2)

    def _set_hover_target(self, key: Key | None) -> None:
        if key == self._hover_target:
            return
        old = self.cards.get(self._hover_target) if self._hover_target is not None else None
        if old is not None:
            old.set_drop_target(False)
        self._hover_target = key
        new = self.cards.get(key) if key is not None else None
        if new is not None:
            new.set_drop_target(True)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag_key = None
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(event.position().toPoint())
            while item is not None and not isinstance(item, CardItem):
                item = item.parentItem()
            if isinstance(item, CardItem) and not item.placeholder:
                self._drag_key = item.key
                self._press_pos = self.mapToScene(event.position().toPoint())
                item.setZValue(10)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseMoveEvent(event)
        if self._drag_key is not None and event.buttons() & Qt.MouseButton.LeftButton:
            target = self.card_at(self.mapToScene(event.position().toPoint()), exclude=self._drag_key)
            self._set_hover_target(target.key if target is not None else None)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        key, press = self._drag_key, self._press_pos
        self._drag_key = self._press_pos = None
        super().mouseReleaseEvent(event)
        if key is None or event.button() != Qt.MouseButton.LeftButton or key not in self.cards:
            return
        pos = self.mapToScene(event.position().toPoint())
        if press is not None and QLineF(press, pos).length() < 6:  # a click, not a drag
            self.snap_back(key)
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.drop_card(key, pos, shift)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        target = self.card_at(self.mapToScene(event.position().toPoint()))
        if target is not None:
            self.cardActivated.emit(target.key)
            return
        super().mouseDoubleClickEvent(event)

    # ---- context menu ----
    def card_menu(self, key: Key, parent: QWidget | None = None) -> QMenu:
        """The right-click menu of a card; each action emits ``actionRequested(name, key)``."""
        menu = QMenu(parent or self)
        item = self.cards.get(key)

        def add(text: str, action: str, enabled: bool = True) -> None:
            a = menu.addAction(text)
            a.setObjectName(action)
            a.setEnabled(enabled)
            a.triggered.connect(lambda *_: self.actionRequested.emit(action, key))

        if is_placeholder(key):
            add("Fill with…", "fill")
            return menu
        left = bool(item.fields.get("left_company")) if item else False
        add("Edit…", "edit")
        add("Reports to nobody", "no_manager",
            enabled=any(e.kind == "reports" and e.target is item for e in self.edges) if item else True)
        menu.addSeparator()
        add("Add influence line to…", "influence")
        add("Add conflict line to…", "conflict")
        if item is not None and any(e.relationship_id is not None for e in item.edges):
            add("Remove a line…", "remove_line")
        menu.addSeparator()
        add("Back at the company" if left else "Mark as left the company", "left")
        add("Delete…", "delete")
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        target = self.card_at(self.mapToScene(event.pos()))
        if target is None:
            super().contextMenuEvent(event)
            return
        self._scene.clearSelection()
        target.setSelected(True)
        self.card_menu(target.key).exec(event.globalPos())

    # ---- zoom, fit, search ----
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        current = self.zoom()
        target = max(MIN_SCALE, min(MAX_SCALE, current * factor))
        if current > 0 and not math.isclose(target, current):
            self.scale(target / current, target / current)

    def zoom_in(self) -> None:
        self.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.zoom_by(0.8)

    def fit(self) -> None:
        """The whole chart in view, never magnified beyond 100 % (a small chart stays crisp and natural)."""
        rect = self._scene.sceneRect()
        if rect.isEmpty() or self.viewport().width() < 10:
            return
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FIT_MAX:
            self.resetTransform()
            self.scale(FIT_MAX, FIT_MAX)
        elif self.zoom() < MIN_SCALE:
            self.resetTransform()
            self.scale(MIN_SCALE, MIN_SCALE)
        self.centerOn(rect.center())

    def overview(self) -> None:
        """The first view of a chart: all of it when that stays readable, else the top of the chart at a
        readable zoom (cards legible), centred on the first root; Fit shows everything."""
        rect = self._scene.sceneRect()
        if rect.isEmpty() or self.viewport().width() < 10:
            return
        self.fit()
        if self.zoom() >= READABLE:
            return
        self.resetTransform()
        self.scale(READABLE, READABLE)
        people = [c for c in self.cards.values() if not c.placeholder] or list(self.cards.values())
        top = min(people, key=lambda c: (c.y(), abs(c.scene_rect().center().x() - rect.center().x())))
        visible_h = self.viewport().height() / READABLE
        self.centerOn(top.scene_rect().center().x(), rect.top() + visible_h / 2)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(1.15 ** steps)
            event.accept()
            return
        super().wheelEvent(event)

    def search(self, text: str) -> list[Key]:
        """Highlight the cards whose name, title or role contains ``text``; centre on the first."""
        needle = text.strip().casefold()
        self.matches = []
        for key, item in self.cards.items():
            hit = bool(needle) and needle in item.search_text.casefold()
            item.set_highlighted(hit)
            if hit:
                self.matches.append(key)
        self.matches.sort(key=lambda k: (self.cards[k].y(), self.cards[k].x()))
        if self.matches:
            self.centerOn(self.cards[self.matches[0]])
        return list(self.matches)
