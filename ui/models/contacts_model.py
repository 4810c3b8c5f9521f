"""The account's stakeholders as a table: one row per ``ContactCard`` of the stakeholder map.

Name, title, buying role, influence (dots), sentiment (a coloured dot and its label), coverage status, who the
contact reports to and the last touch. People who left the company stay listed, greyed and marked "(left)".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from bdr_desk.taxonomy import BUYING_ROLE, Taxonomy
from ui.models.record_table import RowsTableModel

Index = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
CONTACT_ROLE = Qt.ItemDataRole.UserRole + 3

SENTIMENT_LABELS = {"champion": "Champion", "supporter": "Supporter", "neutral": "Neutral", "skeptic": "Skeptic",
                    "detractor": "Detractor", "unknown": "Unknown"}
SENTIMENT_ORDER = {k: i for i, k in enumerate(SENTIMENT_LABELS)}
# the same hues as the org chart's borders (bdr_desk.export.orgchart_render.SENTIMENT_COLORS when available)
FALLBACK_SENTIMENT_COLORS = {"champion": "#059669", "supporter": "#10b981", "neutral": "#94a3b8",
                             "skeptic": "#f59e0b", "detractor": "#dc2626", "unknown": "#cbd5e1"}
COVERAGE_LABELS = {"identified": "Identified", "contacted": "Contacted", "engaged": "Engaged",
                   "meeting_held": "Meeting held"}
COVERAGE_ORDER = {k: i for i, k in enumerate(COVERAGE_LABELS)}
SOURCE_LABELS = {"manual": "Manual", "import": "Import", "research": "Research", "crm": "CRM", "demo": "Demo"}
LEFT_COLOR = QColor("#94a3b8")


def sentiment_colors() -> dict[str, str]:
    try:
        from bdr_desk.export.orgchart_render import SENTIMENT_COLORS
    except ImportError:  # pragma: no cover - the renderer ships with the app
        return dict(FALLBACK_SENTIMENT_COLORS)
    return {**FALLBACK_SENTIMENT_COLORS, **{k: QColor(v).name() for k, v in SENTIMENT_COLORS.items()}}


def influence_dots(value: int | None) -> str:
    if not value:
        return ""
    v = max(0, min(5, int(value)))
    return "●" * v + "○" * (5 - v)


def relative_day(when: dt.datetime | None, today: dt.date | None = None) -> str:
    """"today", "3 days ago", "31 Jan 2024" for older touches; "" for never."""
    if when is None:
        return ""
    today = today or dt.date.today()
    days = (today - when.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    return when.strftime("%d %b %Y").lstrip("0")


class ContactsModel(RowsTableModel):
    """Rows are ``accounts.stakeholders.ContactCard`` objects (plain dataclasses)."""

    HEADERS = ("Name", "Title", "Buying role", "Influence", "Sentiment", "Coverage", "Reports to", "Last touch")
    NAME, TITLE, ROLE, INFLUENCE, SENTIMENT, COVERAGE, REPORTS_TO, LAST_TOUCH = range(8)

    def __init__(self, taxonomy: Taxonomy | None = None, parent: Any = None, rows: Sequence[Any] = ()) -> None:
        super().__init__(parent, rows)
        self.taxonomy = taxonomy or Taxonomy()
        self._colors = sentiment_colors()
        self._display: list[Callable[[Any], Any]] = [
            lambda c: c.name + ("  (left)" if c.left_company else ""),
            lambda c: c.title or "",
            lambda c: self.taxonomy.label(BUYING_ROLE, c.buying_role) if c.buying_role else "",
            lambda c: influence_dots(c.influence),
            lambda c: SENTIMENT_LABELS.get(c.sentiment or "unknown", c.sentiment or ""),
            lambda c: COVERAGE_LABELS.get(c.coverage_status or "", c.coverage_status or ""),
            lambda c: c.reports_to or "",
            lambda c: relative_day(c.last_touch_at),
        ]
        self._sort: list[Callable[[Any], Any]] = [
            lambda c: (c.left_company, (c.name or "").casefold()),
            lambda c: (c.title or "").casefold(),
            lambda c: self._display[2](c).casefold() or "\uffff",
            lambda c: -(c.influence or 0),
            lambda c: SENTIMENT_ORDER.get(c.sentiment or "unknown", 99),
            lambda c: -COVERAGE_ORDER.get(c.coverage_status or "", -1),
            lambda c: (c.reports_to or "\uffff").casefold(),
            lambda c: -(c.last_touch_at.timestamp() if c.last_touch_at else 0.0),
        ]

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def row_of(self, contact_id: int) -> int:
        return next((i for i, c in enumerate(self._rows) if c.id == contact_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        c = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display[col](c)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.NAME:
                parts = [c.name, c.title or "", c.email or "", c.phone or ""]
                if c.left_company:
                    parts.append("Left the company")
                return "\n".join(p for p in parts if p)
            if col == self.INFLUENCE and c.influence:
                return f"Influence {c.influence} of 5"
            if col == self.LAST_TOUCH and c.last_touch_at:
                return c.last_touch_at.strftime("%Y-%m-%d %H:%M")
            text = self._display[col](c)
            return text or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if c.left_company:
                return QBrush(LEFT_COLOR)
            if col == self.INFLUENCE:
                return QBrush(QColor("#1d4ed8"))
            if col in (self.REPORTS_TO, self.LAST_TOUCH):
                return QBrush(QColor("#475569"))
            return None
        if role == Qt.ItemDataRole.FontRole:
            if col == self.NAME and not c.left_company:
                f = QFont()
                f.setWeight(QFont.Weight.DemiBold)
                return f
            if c.left_company and col == self.NAME:
                f = QFont()
                f.setItalic(True)
                return f
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == self.SENTIMENT:
            return QColor(self._colors.get(c.sentiment or "unknown", "#cbd5e1"))
        if role == ID_ROLE:
            return c.id
        if role == CONTACT_ROLE:
            return c
        if role == SORT_ROLE:
            return self._sort[col](c)
        return None


class ContactsFilterModel(QSortFilterProxyModel):
    """Sorts with ``SORT_ROLE`` and filters on name, title, email, role and reports-to (the search box)."""

    def __init__(self, source: ContactsModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self._needle = ""

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._needle:
            return True
        model = self.sourceModel()
        assert isinstance(model, ContactsModel)
        c = model.row_at(source_row)
        hay = " ".join(str(v or "") for v in (c.name, c.title, c.email, c.reports_to, c.buying_role, c.function,
                                               model.data(model.index(source_row, ContactsModel.ROLE))))
        return self._needle in hay.casefold()

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
