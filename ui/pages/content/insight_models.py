"""Table models of the Insights view: the gap report, item usage lists and the open requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA, SIZE_BAND, Taxonomy
from content_library.gaps import GapCell
from content_library.requests import RequestRow
from content_library.usage import ItemUse
from ui.models.record_table import Index
from ui.models.sortable_records import SortableRecordModel
from ui.pages.content.common import short_date, type_label

REQUEST_STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "fulfilled": "Fulfilled",
                         "declined": "Declined"}
GAP_COLORS = ((3.0, "#b91c1c"), (1.0, "#b45309"))  # gap score at least → colour of the score


def _any(tax: Taxonomy, vocabulary: str, key: str | None, anything: str) -> str:
    return tax.label(vocabulary, key) if key else anything


def signals(c: GapCell) -> str:
    parts = []
    if c.requests:
        parts.append(f"{c.requests} request{'s' if c.requests != 1 else ''}")
    if c.searches:
        parts.append(f"{c.searches} weak search{'es' if c.searches != 1 else ''}")
    if c.accounts:
        parts.append(f"{c.accounts} target account{'s' if c.accounts != 1 else ''}")
    return " · ".join(parts)


def open_requests(c: GapCell) -> str:
    if not c.open_requests:
        return ""
    first = c.open_requests[0][1]
    return first if len(c.open_requests) == 1 else f"{first} (+{len(c.open_requests) - 1} more)"


class GapModel(SortableRecordModel):
    """One row per industry × size × pain cell; the gap score is bold and coloured by how big it is."""

    GAP = 6

    def __init__(self, tax: Taxonomy, parent: Any = None) -> None:
        super().__init__([
            ("Industry", lambda c: _any(tax, INDUSTRY, c.industry, "Any industry")),
            ("Company size", lambda c: _any(tax, SIZE_BAND, c.size_band, "Any size")),
            ("Pain", lambda c: _any(tax, PAIN, c.pain, "Any pain")),
            ("Demand", lambda c: f"{c.demand:g}", lambda c: c.demand),
            ("From", signals),
            ("Supply", lambda c: c.supply),
            ("Gap", lambda c: f"{c.gap:.1f}", lambda c: c.gap),
            ("Open requests", open_requests, lambda c: len(c.open_requests)),
        ], parent=parent, align_right={3, 5, 6})

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        cell: GapCell = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 7 and cell.open_requests:
            return "\n".join(f"• {title}" for _, title in cell.open_requests)
        if index.column() == self.GAP:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:
                color = next((c for floor, c in GAP_COLORS if cell.gap >= floor), None)
                return QColor(color) if color else None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5 and cell.supply == 0:
            return QColor("#b91c1c")
        return super().data(index, role)


def _days_ago(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    days = (dt.datetime.now(dt.UTC) - (value if value.tzinfo else value.replace(tzinfo=dt.UTC))).days
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"


def most_used_model(parent: Any = None) -> SortableRecordModel:
    return SortableRecordModel([
        ("Item", lambda u: u.title), ("Type", lambda u: type_label(u.type)),
        ("Uses", lambda u: u.uses), ("Accounts", lambda u: u.accounts),
        ("Last used", lambda u: _days_ago(u.last_used_at), lambda u: u.last_used_at),
    ], parent=parent, align_right={2, 3})


def never_used_model(parent: Any = None) -> SortableRecordModel:
    return SortableRecordModel([
        ("Item", lambda u: u.title), ("Type", lambda u: type_label(u.type)),
        ("Review by", lambda u: short_date(u.review_by), lambda u: u.review_by),
    ], parent=parent)


def _overdue(u: ItemUse) -> str:
    if u.review_by is None:
        return ""
    days = (dt.date.today() - u.review_by).days
    return f"{short_date(u.review_by)} · {days} day{'s' if days != 1 else ''} late"


def stale_model(parent: Any = None) -> SortableRecordModel:
    return SortableRecordModel([
        ("Item", lambda u: u.title), ("Type", lambda u: type_label(u.type)),
        ("Review was due", _overdue, lambda u: u.review_by), ("Uses", lambda u: u.uses),
    ], parent=parent, align_right={3}, foreground=lambda u: "#b45309")


def requests_model(tax: Taxonomy, parent: Any = None) -> SortableRecordModel:
    def segment(r: RequestRow) -> str:
        return " · ".join(p for p in (tax.label(INDUSTRY, r.industry), tax.label(SIZE_BAND, r.size_band),
                                      tax.label(PAIN, r.pain), tax.label(PERSONA, r.persona)) if p)

    return SortableRecordModel([
        ("Asked", lambda r: _days_ago(r.created_at), lambda r: r.created_at),
        ("What the field needs", lambda r: r.title), ("For", segment),
        ("Account", lambda r: r.account), ("By", lambda r: r.requested_by),
        ("Status", lambda r: REQUEST_STATUS_LABELS.get(r.status, r.status)),
    ], parent=parent)
