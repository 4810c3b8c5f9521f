"""The facet panel on the left of the library: one group per facet (Type, Industry, Company size, Pain, Persona,
Funnel stage, Competitor, Status) of checkable values with live counts, a "Clear" link per group, and "Show all"
when a group has many values.

Counts come from :func:`content_library.search.search` (disjunctive for the taxonomy facets). Values with no
match are hidden unless checked. Type and status counts are *not* disjunctive in the search API, so while one
of those groups has a selection its other values are listed without a count rather than hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.common import label

SHOWN = 6  # values per group before "Show all"


def link_button(text: str, slot: Callable[[], None] | None = None) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName("LinkButton")
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    b.setFlat(True)
    if slot is not None:
        b.clicked.connect(slot)
    return b


class _Value(QWidget):
    def __init__(self, term: str, text: str, on_toggle: Callable[[], None]) -> None:
        super().__init__()
        self.term = term
        self.box = QCheckBox(text.replace("&", "&&"))  # "Energy & Utilities": no mnemonic
        self.box.setToolTip(text)
        self.box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.box.setMinimumWidth(60)
        self.box.toggled.connect(on_toggle)
        self.count = label("", "FacetCount")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.box, 1)
        lay.addWidget(self.count)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    # a click anywhere on the row (beside the label, on the count) ticks the box, as in any facet list
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        event.setAccepted(event.button() == Qt.MouseButton.LeftButton)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.box.toggle()


class FacetGroup(QWidget):
    changed = Signal()

    def __init__(self, vocabulary: str, title: str, order: Iterable[str], labeler: Callable[[str], str]) -> None:
        super().__init__()
        self.vocabulary = vocabulary
        self._order = {t: i for i, t in enumerate(order)}
        self._label = labeler
        self._values: dict[str, _Value] = {}
        self._expanded = False
        self._quiet = False
        self._ranked: list[str] = []
        self.title = label(title.upper(), "FacetTitle")
        self.clear_button = link_button("Clear", self.clear)
        self.clear_button.hide()
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.clear_button)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(2)
        self.more_button = link_button("", self._toggle_more)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addLayout(self.body)
        lay.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)

    # ---- selection ----
    def selected(self) -> tuple[str, ...]:
        picked = [t for t, v in self._values.items() if v.box.isChecked()]
        return tuple(sorted(picked, key=lambda t: (self._order.get(t, len(self._order)), t)))

    def value(self, term: str) -> _Value | None:
        return self._values.get(term)

    def set_selected(self, terms: Iterable[str], emit: bool = False) -> None:
        wanted = set(terms)
        self._quiet = True
        for t in wanted - set(self._values):
            self._ensure(t)
        for t, v in self._values.items():
            v.box.setChecked(t in wanted)
        self._quiet = False
        self.clear_button.setVisible(bool(wanted))
        if emit:
            self.changed.emit()

    def clear(self) -> None:
        if self.selected():
            self.set_selected((), emit=True)

    def _toggled(self) -> None:
        if not self._quiet:
            self.clear_button.setVisible(bool(self.selected()))
            self.changed.emit()

    def _ensure(self, term: str) -> _Value:
        v = self._values.get(term)
        if v is None:
            v = _Value(term, self._label(term), self._toggled)
            self._values[term] = v
        return v

    # ---- counts ----
    def set_counts(self, counts: Mapping[str, int], uncounted: Iterable[str] = ()) -> None:
        """Show values with a count, checked values, and ``uncounted`` ones (listed without a number)."""
        checked = set(self.selected())
        uncounted = set(uncounted) - checked
        shown = {t for t, n in counts.items() if n > 0} | checked | uncounted
        for t in shown:
            self._ensure(t)

        def key(t: str) -> tuple[int, int, str]:
            n = -1 if t in uncounted else counts.get(t, 0)
            return (-n, self._order.get(t, len(self._order)), self._label(t).casefold())

        ranked = sorted(shown, key=key)
        while self.body.count():
            self.body.takeAt(0)
        extra = 0
        for i, t in enumerate(ranked):
            v = self._values[t]
            v.count.setText("" if t in uncounted else f"{counts.get(t, 0):,}")
            self.body.addWidget(v)
            visible = self._expanded or i < SHOWN or t in checked
            v.setVisible(visible)
            extra += not visible
        for t, v in self._values.items():
            if t not in shown:  # kept (and parented) for later, hidden at the end
                self.body.addWidget(v)
                v.hide()
        self._ranked = ranked
        overflow = len(ranked) > SHOWN
        self.more_button.setVisible(overflow)
        self.more_button.setText("Show fewer" if self._expanded else f"Show {extra} more")
        self.setVisible(bool(ranked))

    def _toggle_more(self) -> None:
        self._expanded = not self._expanded
        checked = set(self.selected())
        hidden = 0
        for i, t in enumerate(self._ranked):
            visible = self._expanded or i < SHOWN or t in checked
            self._values[t].setVisible(visible)
            hidden += not visible
        self.more_button.setText("Show fewer" if self._expanded else f"Show {hidden} more")


class FacetPanel(QScrollArea):
    """All the groups, in a scrollable column; ``changed`` when the user checks or clears a value."""

    changed = Signal()

    def __init__(self, groups: Iterable[tuple[str, str, Iterable[str], Callable[[str], str]]]) -> None:
        super().__init__()
        self.setObjectName("FacetPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(objectName="FacetInner")
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(14, 12, 14, 12)
        lay.setSpacing(16)
        self.clear_all = link_button("Clear all", self.clear)
        self.clear_all.hide()
        head = QHBoxLayout()
        head.addWidget(label("Filters", "SectionTitle"), 1)
        head.addWidget(self.clear_all)
        lay.addLayout(head)
        self.groups: dict[str, FacetGroup] = {}
        for vocabulary, title, order, labeler in groups:
            g = FacetGroup(vocabulary, title, order, labeler)
            g.changed.connect(self._group_changed)
            self.groups[vocabulary] = g
            lay.addWidget(g)
        lay.addStretch(1)
        self.setWidget(inner)
        self.setMinimumWidth(230)
        self.setMaximumWidth(300)

    def _group_changed(self) -> None:
        self.clear_all.setVisible(any(self.selection().values()))
        self.changed.emit()

    def selection(self) -> dict[str, tuple[str, ...]]:
        return {v: g.selected() for v, g in self.groups.items() if g.selected()}

    def set_selection(self, selection: Mapping[str, Iterable[str]]) -> None:
        for v, g in self.groups.items():
            g.set_selected(selection.get(v, ()))
        self.clear_all.setVisible(any(self.selection().values()))

    def clear(self) -> None:
        if self.selection():
            self.set_selection({})
            self.changed.emit()

    def update_counts(self, counts: Mapping[str, Mapping[str, int]], uncounted: Mapping[str, Iterable[str]]) -> None:
        for v, g in self.groups.items():
            g.set_counts(counts.get(v, {}), uncounted.get(v, ()))
