"""The content library: find the case study, deck or one-pager that fits an account's industry, size and pain."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA
from content_library.models import CONTENT_STATUSES, CONTENT_TYPES
from content_library.queries import (
    STATUS_LABELS,
    TYPE_LABELS,
    ContentDetail,
    ContentFilter,
    ContentRow,
    content_detail,
    count_content,
    search_content,
)
from ui.context import AppContext
from ui.models.sortable_records import SortableRecordModel
from ui.theme import icon
from ui.widgets.common import EmptyState, PageHeader, label
from ui.widgets.tables import make_table

FILTER_DELAY_MS = 250
STALE_COLOR = "#b45309"
ARCHIVED_COLOR = "#94a3b8"
FACET_TITLES = {"industry": "Industry", "size_band": "Company size", "pain": "Pain", "persona": "Persona",
                "funnel_stage": "Funnel stage", "competitor": "Competitor"}
EMPTY_TEXT = (
    "This is where marketing keeps the collateral the field sends: case studies, decks, one-pagers, "
    "battlecards and whitepapers, each tagged by industry, company size, pain and persona so a BDR can find "
    "the right piece for an account in seconds. To see a stocked library, open the demo workspace "
    "(bdr\u2060-\u2060desk\u00a0-\u2060-\u2060demo)."
)


def _date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone()
    return value.strftime("%Y-%m-%d")


class ContentPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tax = ctx.taxonomy
        self.header = PageHeader("Content Library", "Collateral segmented by industry, company size and pain")

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles and summaries…")
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.type = self._combo("All types", [(TYPE_LABELS.get(t, t), t) for t in CONTENT_TYPES])
        self.industry = self._combo("All industries", [(t.label, t.key) for t in tax.terms.get(INDUSTRY, [])])
        self.pain = self._combo("All pains", [(t.label, t.key) for t in tax.terms.get(PAIN, [])])
        self.persona = self._combo("All personas", [(t.label, t.key) for t in tax.terms.get(PERSONA, [])])
        self.status = self._combo("Any status", [(STATUS_LABELS[s], s) for s in CONTENT_STATUSES])
        self.combos = (self.type, self.industry, self.pain, self.persona, self.status)
        self.count = label("", "Muted")
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search.setMinimumWidth(160)
        bar.addWidget(self.search, 3)
        for combo in self.combos:
            bar.addWidget(combo, 1)
        self.header.actions.addWidget(self.count)

        self.model = SortableRecordModel([
            ("Title", lambda r: r.title),
            ("Type", lambda r: TYPE_LABELS.get(r.type, r.type)),
            ("Status", lambda r: STATUS_LABELS.get(r.status, r.status)),
            ("Industries", lambda r: ", ".join(tax.label(INDUSTRY, i) for i in r.industries)),
            ("Updated", lambda r: _date(r.updated_at), lambda r: r.updated_at),
            ("Used", lambda r: r.times_used),
        ], parent=self, align_right={5}, foreground=self._row_color)
        self.table = make_table(self.model, (280, 112, 85, 150, 100, 50), stretch=0)
        self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

        self.detail = self._detail_pane()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([800, 330])
        self.results = split

        self.empty = EmptyState("content", "No collateral yet", EMPTY_TEXT)
        self.no_match = EmptyState(
            "filter", "No content matches these filters",
            "Try fewer words or clear the filters. If the field needs something the library lacks, ask "
            "marketing for it: that gap is exactly what they need to hear about.",
        )
        self.no_match.add_button("Clear filters", self.clear_filters, primary=True)
        self.stack = QStackedWidget()
        for w in (self.results, self.empty, self.no_match):
            self.stack.addWidget(w)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)

        self._debounce = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._debounce.start)
        for combo in self.combos:
            combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    @staticmethod
    def _combo(everything: str, items: list[tuple[str, object]]) -> QComboBox:
        c = QComboBox()
        c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        c.setMinimumContentsLength(5)
        c.addItem(everything, None)
        for text, value in items:
            c.addItem(text, value)
        return c

    def _detail_pane(self) -> QScrollArea:
        pane = QFrame(objectName="Card")
        self.d_title = label("", "SectionTitle", wrap=True)
        self.d_meta = label("", "Muted", wrap=True)
        self.d_review = label("", wrap=True)
        self.d_summary = label("", wrap=True)
        self.d_facets = label("", wrap=True)
        self.d_facets.setTextFormat(Qt.TextFormat.RichText)
        self.d_link = label("", wrap=True)
        self.d_link.setTextFormat(Qt.TextFormat.RichText)
        self.d_link.setOpenExternalLinks(True)
        self.d_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        lay = QVBoxLayout(pane)
        lay.setContentsMargins(18, 16, 18, 16)
        lay.setSpacing(10)
        for w in (self.d_title, self.d_meta, self.d_review, self.d_summary, self.d_facets, self.d_link):
            lay.addWidget(w)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(pane)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(300)
        scroll.setStyleSheet("QScrollArea { background: transparent; }")
        return scroll

    # ---- filtering ----
    def current_filter(self) -> ContentFilter:
        return ContentFilter(text=self.search.text(), type=self.type.currentData(),
                             status=self.status.currentData(), industry=self.industry.currentData(),
                             pain=self.pain.currentData(), persona=self.persona.currentData())

    def clear_filters(self) -> None:
        for w in (self.search, *self.combos):
            w.blockSignals(True)
        self.search.clear()
        for combo in self.combos:
            combo.setCurrentIndex(0)
        for w in (self.search, *self.combos):
            w.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        self._debounce.stop()
        flt = self.current_filter()
        selected = self.current_item()
        with self.ctx.workspace.session() as s:
            total = count_content(s, flt)
            rows = search_content(s, flt)
            everything = total if flt.is_empty else count_content(s)
        self.model.set_rows(rows)
        shown = len(rows)
        if not everything:
            self.count.setText("")
            self.stack.setCurrentWidget(self.empty)
        elif not total:
            self.count.setText("0 items")
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.count.setText(f"{total:,} items" if shown >= total else f"first {shown:,} of {total:,}")
            self.stack.setCurrentWidget(self.results)
            row = self.model.row_of(selected.id) if selected else -1
            self.table.selectRow(max(row, 0))
        self._show_selected()

    # ---- detail ----
    def current_item(self) -> ContentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _show_selected(self, *_: object) -> None:
        row = self.current_item()
        detail = None
        if row is not None:
            with self.ctx.workspace.session() as s:
                detail = content_detail(s, row.id)
        self.show_detail(detail)

    def show_detail(self, d: ContentDetail | None) -> None:
        if d is None:
            self.d_title.setText("Select an item to see its summary, tags and link")
            for w in (self.d_meta, self.d_review, self.d_summary, self.d_facets, self.d_link):
                w.setText("")
                w.hide()
            return
        for w in (self.d_meta, self.d_summary, self.d_facets, self.d_link):
            w.show()
        self.d_title.setText(d.title)
        used = f"used {d.times_used} time{'s' if d.times_used != 1 else ''}"
        meta = [TYPE_LABELS.get(d.type, d.type), STATUS_LABELS.get(d.status, d.status), used]
        if d.owner:
            meta.append(f"owner {d.owner}")
        self.d_meta.setText(" · ".join(meta))
        today = dt.date.today()
        if d.review_by is None:
            self.d_review.hide()
        elif d.is_stale(today):
            self.d_review.setText(f"⚠ Stale: review was due {_date(d.review_by)}. Check the facts and figures "
                                  "are still current before sending it.")
            self.d_review.setStyleSheet(f"color: {STALE_COLOR}; font-weight: 600;")
            self.d_review.show()
        else:
            self.d_review.setText(f"Review by {_date(d.review_by)}")
            self.d_review.setStyleSheet("color: #64748b;")
            self.d_review.show()
        self.d_summary.setText(d.summary or "No summary yet.")
        self.d_facets.setText(self._facets_html(d) or "<span style='color:#64748b'>Not tagged yet.</span>")
        if d.url:
            self.d_link.setText(f"<a href='{escape(d.url, quote=True)}'>{escape(d.url)}</a>")
        elif d.file_name:
            self.d_link.setText(f"File: {escape(d.file_name)}")
        else:
            self.d_link.hide()

    def _facets_html(self, d: ContentDetail) -> str:
        grouped: dict[str, list[str]] = {}
        for vocabulary, term in d.facets:
            grouped.setdefault(vocabulary, []).append(self.ctx.taxonomy.label(vocabulary, term))
        return "<br>".join(
            f"<span style='color:#64748b'>{escape(FACET_TITLES.get(v, v.replace('_', ' ').capitalize()))}:"
            f"</span> {escape(', '.join(terms))}"
            for v, terms in grouped.items()
        )

    @staticmethod
    def _row_color(row: ContentRow) -> str | None:
        if row.status == "archived":
            return ARCHIVED_COLOR
        if row.review_by is not None and row.review_by < dt.date.today():
            return STALE_COLOR
        return None
