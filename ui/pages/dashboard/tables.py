"""The dashboard's tables: the funnel by lead source, activity vs outcome per BDR, content influence, and the
drill-down's record lists. Each is a :class:`SortableRecordModel` over the report's plain rows (a thin
adapter), with the metric every column drills into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView

from bdr_desk.kpi import BdrRow, ContentRow, SourceRow
from bdr_desk.taxonomy import SEGMENT_LABELS
from ui.models.sortable_records import SortableRecordModel
from ui.pages.dashboard.format import count, money, percent
from ui.widgets.tables import make_table

ROW_HEIGHT = 30
HEADER_PAD = 34  # section padding (6 px a side) and the sort indicator
CELL_PAD = 26  # item padding (8 px a side) and the frame


@dataclass(frozen=True)
class Col:
    header: str
    text: Callable[[Any], Any]
    sort: Callable[[Any], Any] | None = None
    drill: tuple[str, Any] | None = None  # (metric, key) — key None: the row's own key
    numeric: bool = True


def _weakest(s: SourceRow) -> str:
    weak = s.weakest
    if weak is None:
        return ""
    return f"{weak[0].label} → {weak[1].label} {percent(weak[1].conversion_from_previous)}"


def _stage_col(i: int, stage: str, header: str) -> Col:
    return Col(header, lambda s: count(s.funnel[i].count), lambda s: s.funnel[i].count, ("funnel", stage))


def source_columns(currency: str | None) -> list[Col]:
    stage_cols = [_stage_col(i, stage, header) for i, (stage, header) in enumerate((
        ("lead", "Leads"), ("mql", "MQL"), ("sal", "SAL"), ("sql", "SQL"), ("opportunity", "Opp."),
        ("closed_won", "Won")))]
    return [
        Col("Lead source", lambda s: s.label, lambda s: s.label, ("funnel", "lead"), numeric=False),
        *stage_cols,
        Col("Lead → won", lambda s: percent(s.lead_to_won), lambda s: s.lead_to_won, ("funnel", "closed_won")),
        Col("Weakest step", _weakest, lambda s: (s.weakest[1].conversion_from_previous if s.weakest else None),
            ("funnel", "lead"), numeric=False),
        Col("Opportunities", lambda s: count(s.opportunities), lambda s: s.opportunities, ("opportunities_created", None)),
        Col("Pipeline", lambda s: money(s.pipeline, currency), lambda s: s.pipeline, ("opportunities_created", None)),
        Col("Won amount", lambda s: money(s.won_amount, currency), lambda s: s.won_amount, ("closed_won", None)),
    ]


def bdr_columns(currency: str | None) -> list[Col]:
    def n(attr: str, header: str, metric: str) -> Col:
        return Col(header, lambda r: count(getattr(r, attr)), lambda r: getattr(r, attr), (metric, None))
    return [
        Col("BDR", lambda r: r.name, lambda r: r.name.lower(), ("bdr_touches", None), numeric=False),
        n("calls", "Calls", "bdr_calls"), n("emails", "Emails", "bdr_emails"), n("linkedin", "LinkedIn", "bdr_linkedin"),
        n("connects", "Connects", "bdr_connects"),
        Col("Connect %", lambda r: percent(r.connect_rate), lambda r: r.connect_rate, ("bdr_connects", None)),
        n("meetings_booked", "Meetings", "bdr_meetings_booked"),
        n("meetings_held", "Held", "bdr_meetings_held"),
        Col("Touches/mtg", lambda r: "—" if r.touches_per_meeting is None else f"{r.touches_per_meeting:.1f}",
            lambda r: r.touches_per_meeting, ("bdr_meetings_booked", None)),
        n("opportunities", "Opps", "bdr_opportunities"),
        n("qualified_opportunities", "Qualified", "bdr_qualified"),
        Col("Pipeline", lambda r: money(r.pipeline, currency), lambda r: r.pipeline, ("bdr_opportunities", None)),
        Col("Won", lambda r: money(r.won_amount, currency), lambda r: r.won_amount, ("bdr_won", None)),
    ]


def content_columns(currency: str | None) -> list[Col]:
    metric = ("content_influence", None)
    return [
        Col("Content item", lambda c: c.title, lambda c: c.title.lower(), metric, numeric=False),
        Col("Type", lambda c: c.type.replace("_", " ").capitalize(), lambda c: c.type, metric, numeric=False),
        Col("Accounts", lambda c: count(c.accounts), lambda c: c.accounts, metric),
        Col("Opportunities", lambda c: count(c.opportunities), lambda c: c.opportunities, metric),
        Col("Pipeline", lambda c: money(c.pipeline, currency), lambda c: c.pipeline, metric),
        Col("Won deals", lambda c: count(c.closed_won), lambda c: c.closed_won, metric),
        Col("Won amount", lambda c: money(c.won_amount, currency), lambda c: c.won_amount, metric),
    ]


def row_key(row: Any) -> Any:
    """What a breakdown row drills with: a lead source, a user id, a content item id."""
    if isinstance(row, SourceRow):
        return row.source
    if isinstance(row, BdrRow):
        return row.user_id
    if isinstance(row, ContentRow):
        return row.item_id
    return getattr(row, "id", None)


def make_model(cols: list[Col], rows: list[Any] = (), parent: Any = None) -> SortableRecordModel:
    return SortableRecordModel([(c.header, c.text, c.sort or c.text) for c in cols], rows, parent,
                               align_right=[i for i, c in enumerate(cols) if c.numeric])


def breakdown_table(model: SortableRecordModel) -> QTableView:
    view = make_table(model, stretch=-1)
    header = view.horizontalHeader()
    header.setMinimumSectionSize(56)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # columns fit the width
    return view


def natural_widths(view: QTableView, n: int, sample: int = 200) -> list[int]:
    """How wide each column wants to be: its header (bold, with room for the sort arrow) or its widest
    text among the first ``sample`` rows. Measured with font metrics, one model call per cell — Qt's
    resizeColumnsToContents asks the model for every role of every cell, too slow on the GUI thread."""
    model = view.model()
    cell = QFontMetrics(view.font())
    bold = QFont(view.horizontalHeader().font())
    bold.setBold(True)
    head = QFontMetrics(bold)
    widths = []
    for col in range(n):
        text = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        w = head.horizontalAdvance(text) + HEADER_PAD
        for row in range(min(model.rowCount(), sample)):
            value = model.data(model.index(row, col))
            if value:
                w = max(w, cell.horizontalAdvance(str(value)) + CELL_PAD)
        widths.append(w)
    return widths


def apply_widths(view: QTableView, cols: list[Any], stretch: int | None = None) -> None:
    """Every column as wide as its header and contents; the spare width goes to the number columns
    (``stretch``: to that one column instead). Called again whenever the table is resized."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    n = min(len(cols), header.count())
    for i in range(n):
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
    widths = [min(w, 360) for w in natural_widths(view, n)]
    grow = [stretch] if stretch is not None else [i for i, c in enumerate(cols[:n]) if c.numeric] or [0]
    room = view.viewport().width() - 2
    spare = room - sum(widths)
    if spare > 0:
        for i in grow:
            widths[i] += spare // len(grow)
        widths[grow[-1]] += spare % len(grow)
    elif spare < 0:  # too narrow: cap the widest columns (their text elides), leave the narrow ones whole
        lo, hi = 40, max(widths)
        while lo < hi:
            cap = (lo + hi + 1) // 2
            lo, hi = (cap, hi) if sum(min(w, cap) for w in widths) <= room else (lo, cap - 1)
        widths = [min(w, lo) for w in widths]
    for i, w in enumerate(widths):
        view.setColumnWidth(i, w)


def fit_height(view: QTableView, rows: int, max_rows: int = 12) -> None:
    """Tall enough for ``rows`` rows (up to ``max_rows``), so a short breakdown needs no scrolling."""
    header = view.horizontalHeader().sizeHint().height()
    view.setFixedHeight(header + ROW_HEIGHT * max(1, min(rows, max_rows)) + 4)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if rows > max_rows
                                    else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


# ---- drill-down record lists -----------------------------------------------------------------------------------

def _when(v: Any) -> str:
    return "" if v is None else f"{v:%d %b %Y}"


STAGES = {"sql": "SQL", "mql": "MQL", "sal": "SAL"}


def _stage(key: str | None) -> str:
    """``closed_won`` → ``Closed won``, ``mql`` → ``MQL``."""
    return STAGES.get(key or "", (key or "").replace("_", " ").capitalize())


def drill_columns(kind: str, currency: str | None, detail: str = "") -> list[tuple[Any, ...]]:
    if kind == "accounts":
        cols = [("Account", lambda r: r.name, lambda r: r.name.lower()), ("Domain", lambda r: r.domain or ""),
                ("Tier", lambda r: r.tier or ""), ("Segment", lambda r: SEGMENT_LABELS.get(r.segment or "", "")),
                ("ABM stage", lambda r: _stage(r.stage)), ("Owner", lambda r: r.owner or ""),
                ("Last activity", lambda r: _when(r.last_activity_at), lambda r: r.last_activity_at)]
        return cols + [(detail, lambda r: r.detail or "")] if detail else cols
    if kind == "contacts":
        return [("Contact", lambda r: r.name, lambda r: r.name.lower()), ("Title", lambda r: r.title or ""),
                ("Account", lambda r: r.account), ("Stage", lambda r: _stage(r.stage)),
                ("Lead source", lambda r: r.source),
                ("Created", lambda r: _when(r.created_at), lambda r: r.created_at)]
    if kind == "activities":
        return [("Date", lambda r: _when(r.occurred_at), lambda r: r.occurred_at),
                ("Type", lambda r: r.type.capitalize()), ("Outcome", lambda r: _stage(r.outcome)),
                ("Account", lambda r: r.account), ("By", lambda r: r.user or "Unassigned"),
                ("Subject", lambda r: r.subject or "")]
    return [("Opportunity", lambda r: r.name, lambda r: r.name.lower()), ("Account", lambda r: r.account),
            ("Stage", lambda r: _stage(r.stage)),
            ("Amount", lambda r: money(r.amount, r.currency or currency), lambda r: r.amount),
            ("Lead source", lambda r: r.source), ("Qualified", lambda r: "Yes" if r.qualified else "No"),
            ("Opened", lambda r: _when(r.opened_on), lambda r: r.opened_on),
            ("Closed", lambda r: _when(r.closed_on), lambda r: r.closed_on), ("Owner", lambda r: r.owner or "")]


DRILL_RIGHT = {"accounts": (2,), "contacts": (), "activities": (), "opportunities": (3,)}
DRILL_STRETCH = {"accounts": 0, "contacts": 1, "activities": 5, "opportunities": 0}  # the column that takes the room
