"""The Content library page: one search box (results as you type), facet filters with live counts, result
cards with highlighted snippets, a detail pane, and, for marketing, curation and an Insights view.

Searches that find nothing or little are logged for the gap report once the user pauses (``LOG_PAUSE_MS``
after the last keystroke), never per keystroke, and the same search is logged once.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QTimer
from PySide6.QtWidgets import QButtonGroup, QComboBox, QDialog, QLineEdit, QWidget
from sqlalchemy import func, select

from content_library.models import ContentItem
from content_library.requests import RequestDraft, log_search
from content_library.search import DEFAULT_STATUSES, SORTS, SearchRequest, SearchResults, search
from ui import dialogs
from ui.context import AppContext
from ui.pages.content import common
from ui.pages.content.cards import ID_ROLE, Card, CardListModel
from ui.pages.content.common import (
    FACET_GROUPS,
    VOCAB_TITLES,
    badges,
    can_curate,
    plural,
    short_date,
    term_label,
)
from ui.pages.content.curation import CurationMixin
from ui.pages.content.detail import load_item
from ui.pages.content.facets import FacetPanel
from ui.pages.content.layout import build_page
from ui.pages.content.request_dialog import RequestDialog

TYPE_DELAY_MS = 180
LOG_PAUSE_MS = 1500
PAGE_SIZE = 60
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "most_used": "Most used"}
BDR_STATUSES = ("published",)  # the field sends only what marketing published


class ContentPage(CurationMixin, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ContentPage")
        self.ctx = ctx
        self.curator = can_curate(ctx)
        self.last_request: SearchRequest | None = None
        self.last_results: SearchResults | None = None
        self._logged: tuple | None = None
        self._quiet = False

        self.search = QLineEdit()
        self.search.setObjectName("LibrarySearch")
        self.search.setPlaceholderText("Search case studies, decks, one-pagers… by words, industry or pain")
        self.search.setClearButtonEnabled(True)
        self.sort = QComboBox()
        for key in SORTS:
            self.sort.addItem(SORT_LABELS[key], key)
        groups = [g for g in FACET_GROUPS if self.curator or g != "status"]
        self.facets = FacetPanel([(v, VOCAB_TITLES[v], [k for k, _ in common.term_options(ctx, v)]
                                   if v != "competitor" else [], lambda t, v=v: term_label(ctx, v, t)) for v in groups])
        self.model = CardListModel(self._card, self)
        self.views = QButtonGroup(self)
        build_page(self)  # widgets and layout: ui.pages.content.layout
        self.setAcceptDrops(self.curator)

        self._typing = QTimer(self, singleShot=True, interval=TYPE_DELAY_MS)
        self._typing.timeout.connect(self.run_search)
        self.log_timer = QTimer(self, singleShot=True, interval=LOG_PAUSE_MS)
        self.log_timer.timeout.connect(self.log_weak_search)
        self.search.textChanged.connect(self._typed)
        self.search.returnPressed.connect(self.run_search)
        self.sort.currentIndexChanged.connect(lambda *_: self.run_search())
        self.facets.changed.connect(self.run_search)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.detail.openClicked.connect(self.open_item)
        self.detail.copyClicked.connect(self.copy_link)
        self.detail.editClicked.connect(self.edit_item)
        self.detail.statusClicked.connect(lambda item_id, status: self.change_status([item_id], status))
        self.detail.requestClicked.connect(self.request_content)
        self.insights.openItem.connect(self.show_item)
        self.run_search()

    # ---- cards ----
    def _card(self, hit) -> Card:  # noqa: ANN001 - a content_library.search.Hit
        meta = [", ".join(term_label(self.ctx, "industry", i) for i in hit.industries[:3])]
        when = hit.published_at or hit.updated_at
        if when:
            meta.append(f"{'Published' if hit.published_at else 'Updated'} {short_date(when)}")
        meta.append(f"Used {plural(hit.times_used, 'time')}" if hit.times_used else "Not used yet")
        return Card(hit.title, tuple(badges(hit.type, hit.status, hit.review_by)), " · ".join(m for m in meta if m),
                    hit.snippet_html)

    # ---- searching ----
    def _typed(self) -> None:
        self._typing.start()
        self.log_timer.stop()

    def current_request(self, offset: int = 0, with_facets: bool = True) -> SearchRequest:
        sel = self.facets.selection()
        statuses = sel.get("status") or (DEFAULT_STATUSES if self.curator else BDR_STATUSES)
        return SearchRequest(
            text=self.search.text(), facets={v: t for v, t in sel.items() if v not in ("type", "status")},
            types=sel.get("type", ()), statuses=statuses, sort=self.sort.currentData(), limit=PAGE_SIZE,
            offset=offset, prefix_last=True, with_facets=with_facets)

    def refresh(self) -> None:
        self.run_search()
        if self.stack_views.currentWidget() is self.insights:
            self.insights.refresh()

    def run_search(self, select_id: int | None = None, select_ids: Iterable[int] | None = None) -> None:
        self._typing.stop()
        keep = list(select_ids) if select_ids is not None else [select_id] if select_id is not None \
            else self.selected_ids()
        current = select_id if select_id is not None else self.current_id() if select_ids is None else \
            keep[0] if keep else None
        req = self.current_request()
        with self.ctx.workspace.session() as s:
            results = search(s, req)
            everything = results.total or s.scalar(select(func.count(ContentItem.id))) or 0
        self.last_request, self.last_results = req, results
        self._update_facets(req, results)
        self.model.fetcher = self._fetcher(req, results)
        self.model.set_rows(results.hits, results.total)
        self._show_state(req, results, everything)
        self._reselect(keep, current)
        if req.text.strip() and (req.text.strip(), tuple(sorted(req.facets.items())), req.types) != self._logged:
            self.log_timer.start()
        else:
            self.log_timer.stop()

    def _fetcher(self, req: SearchRequest, results: SearchResults):  # noqa: ANN202
        text = req.text
        if results.match == "any":  # page through the same "any word" results the first page shows
            text = " OR ".join(f"{' '.join(t.words)}{'*' if t.prefix else ''}" for t in results.query.positive)

        def fetch(offset: int) -> list:
            page = SearchRequest(text=text, facets=req.facets, types=req.types, statuses=req.statuses,
                                 sort=req.sort, limit=PAGE_SIZE, offset=offset, prefix_last=req.prefix_last,
                                 with_facets=False)
            with self.ctx.workspace.session() as s:
                return search(s, page).hits
        return fetch

    def _update_facets(self, req: SearchRequest, results: SearchResults) -> None:
        uncounted: dict[str, list[str]] = {}
        if req.types:  # type and status counts are not disjunctive: the other values get no number
            uncounted["type"] = [t for t, _ in common.term_options(self.ctx, "type") if t not in req.types]
        if self.curator:
            uncounted["status"] = [s for s, _ in common.term_options(self.ctx, "status") if s not in req.statuses]
        self.facets.update_counts(results.facets, uncounted)

    def _show_state(self, req: SearchRequest, results: SearchResults, everything: int) -> None:
        text = req.text.strip()
        self.detail.setVisible(bool(results.total))
        self.facets.setVisible(bool(everything) and bool(results.total or self.facets.selection()))
        if not everything:
            self.results_stack.setCurrentWidget(self.empty_library)
            self.count.setText("")
        elif not results.total:
            self.results_stack.setCurrentWidget(self.no_hits)
            self.no_hits.set_message(f"Nothing matches “{text}”" if text else "Nothing matches these filters",
                                     self._suggestions(req))
            self.count.setText("No results")
        else:
            self.results_stack.setCurrentWidget(self.results_page)
            noun = "result" if text else "item"
            self.count.setText(plural(results.total, noun))
        if results.match == "any" and results.total:
            self.match_note.show_message(f"No item has every word of “{text}”; showing items with any of them. "
                                         "Fewer words or a filter may find a better fit.", "warning")
        else:
            self.match_note.hide()

    def _suggestions(self, req: SearchRequest) -> str:
        tips = []
        picked = [term_label(self.ctx, v, t) for v, terms in self.facets.selection().items() for t in terms]
        if picked:
            tips.append(f"Remove a filter ({', '.join(picked[:4])}{'…' if len(picked) > 4 else ''}).")
        if req.text.strip():
            tips.append("Use fewer or more general words, or check the spelling.")
        tips.append("Still nothing? Request it: marketing sees every request in its gap report.")
        return "\n".join(tips)

    def clear_filters(self) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.facets.set_selection({})
        self.run_search()

    def log_weak_search(self) -> None:
        """Called once the user paused: keep the search for the gap report when it found nothing or little."""
        req, results = self.last_request, self.last_results
        if req is None or results is None or not req.text.strip():
            return
        key = (req.text.strip(), tuple(sorted(req.facets.items())), req.types)
        if key == self._logged:
            return
        self._logged = key
        with self.ctx.workspace.session() as s:
            log_search(s, req, results, user_id=self.ctx.user.id)

    # ---- selection and detail ----
    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [int(self.model.data(self.model.index(r), ID_ROLE)) for r in rows]

    def current_id(self) -> int | None:
        index = self.view.selectionModel().currentIndex()
        return self.model.row_at(index.row()).id if index.isValid() else None

    def _reselect(self, keep: list[int], current: int | None) -> None:
        sm = self.view.selectionModel()
        rows = [r for r in (self.model.row_of(i) for i in keep) if r >= 0]
        if not rows and self.model.rowCount():
            rows = [0]
        selection = QItemSelection()
        for r in rows:
            selection.select(self.model.index(r), self.model.index(r))
        current_row = self.model.row_of(current) if current is not None else -1
        self._quiet = True  # one detail load below, not one per selection signal
        try:
            sm.clearSelection()
            if rows:
                sm.setCurrentIndex(self.model.index(current_row if current_row >= 0 else rows[0]),
                                   QItemSelectionModel.SelectionFlag.NoUpdate)
                sm.select(selection, QItemSelectionModel.SelectionFlag.Select)
        finally:
            self._quiet = False
        self._show_current()
        self._selection_changed()

    def _current_changed(self, *_: object) -> None:
        if not self._quiet:
            self._show_current()

    def _show_current(self) -> None:
        index = self.view.selectionModel().currentIndex()
        if not index.isValid() or self.results_stack.currentWidget() is not self.results_page:
            self.detail.show_item(None)
            return
        hit = self.model.row_at(index.row())
        snippet = hit.snippet_html if self.last_results and self.last_results.match != "browse" else ""
        self.detail.show_item(load_item(self.ctx, hit.id), snippet_html=snippet)

    def _selection_changed(self, *_: object) -> None:
        if self._quiet:
            return
        n = len(self.selected_ids())
        self.bulk_bar.setVisible(self.curator and n > 1)
        self.bulk_label.setText(f"{n} selected")

    def show_item(self, item_id: int) -> None:
        """Show one item in the library (from the Insights view): clear the search if it hides the item."""
        self.show_library()
        self.run_search(select_id=item_id)
        if self.model.row_of(item_id) < 0:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.facets.set_selection({"status": ("draft", "published", "archived")} if self.curator else {})
            self.run_search(select_id=item_id)
        row = self.model.row_of(item_id)
        if row >= 0:
            self.view.scrollTo(self.model.index(row))

    # ---- actions everyone has ----
    def open_item(self, item_id: int) -> None:
        if not common.open_item(self.ctx, item_id):
            dialogs.show_info(self, "Nothing to open", "This item has no link or file yet.")

    def copy_link(self, item_id: int) -> None:
        link = common.copy_link(self.ctx, item_id)
        if link is None:
            self.notice.show_message("This item has no link or file to copy yet.", "warning")
            return
        self.run_search(select_id=item_id)  # the use shows in the counts
        self.notice.show_message(f"Link copied: {link}", "success")

    def request_content(self) -> None:
        req = self.last_request or self.current_request()
        text = req.text.strip()
        one = {v: t[0] for v, t in req.facets.items() if len(t) == 1}
        draft = RequestDraft(title=f"Content about “{text}”" if text else "", query=text or None,
                             type=req.types[0] if len(req.types) == 1 else None,
                             industry=one.get("industry"), size_band=one.get("size_band"), pain=one.get("pain"),
                             persona=one.get("persona"), competitor=one.get("competitor"))
        dlg = RequestDialog(self.ctx, draft, parent=self)
        if common.run_dialog(dlg) == QDialog.DialogCode.Accepted and dlg.request_id is not None:
            self.notice.show_message("Request sent. Marketing sees it in the library's Insights view.", "success")

    # ---- views ----
    def show_library(self) -> None:
        self.stack_views.setCurrentWidget(self.library)
        self.library_button.setChecked(True)
        self.search_row.show()

    def show_insights(self) -> None:
        self.insights.refresh()
        self.stack_views.setCurrentWidget(self.insights)
        self.insights_button.setChecked(True)
        self.search_row.hide()

    def show_drop_hint(self, on: bool) -> None:
        self.drop_hint.setVisible(on)
        if on:
            self.drop_hint.setGeometry(self.stack_views.geometry())
            self.drop_hint.raise_()
