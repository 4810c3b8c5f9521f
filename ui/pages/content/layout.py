"""The widgets and layout of the library page (kept apart from its behaviour in ``page.py``): header with the
Library / Insights switch and marketing's buttons, the search row, facets | results | detail, empty states,
notices, the bulk-action bar, the import strip and the drop hint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.jobs import JobProgressPanel
from ui.pages.content.cards import make_card_list
from ui.pages.content.detail import DetailPane
from ui.pages.content.insights import InsightsView
from ui.pages.content.notice import Notice
from ui.theme import icon
from ui.widgets.common import EmptyState, PageHeader, label

if TYPE_CHECKING:
    from ui.pages.content.page import ContentPage

DEMO_HINT = "To look around a stocked library first, open the demo workspace (bdr\u2011desk --demo)."
EMPTY_CURATOR = ("Add files or drop them here: PDFs, Word documents, decks, web pages and Markdown. Each file "
                 "becomes an item you tag by industry, company size, pain and persona, so a BDR finds the right "
                 "piece for an account in seconds. " + DEMO_HINT)
EMPTY_BDR = ("Marketing has not published any content yet. Tell them what you need: every request lands in "
             "their gap report. " + DEMO_HINT)


def _segment(page: ContentPage, text: str, icon_name: str, slot) -> QPushButton:  # noqa: ANN001
    b = QPushButton(icon(icon_name), text)
    b.setObjectName("Segment")
    b.setCheckable(True)
    b.clicked.connect(slot)
    page.views.addButton(b)
    return b


def _header(page: ContentPage) -> PageHeader:
    header = PageHeader("Content library", "Case studies, decks and one-pagers, found by industry, size and pain")
    page.library_button = _segment(page, "Library", "content", page.show_library)
    page.insights_button = _segment(page, "Insights", "insights", page.show_insights)
    page.library_button.setChecked(True)
    switch = QHBoxLayout()
    switch.setSpacing(0)
    switch.addWidget(page.library_button)
    switch.addWidget(page.insights_button)
    header.actions.addLayout(switch)
    header.actions.addSpacing(12)
    page.add_button = header.add_action("Add files…", "file-plus", page.add_files)
    page.new_button = header.add_action("New item", "plus", page.new_item, primary=True)
    for b in (page.add_button, page.new_button):
        b.setVisible(page.curator)
    page.request_button = header.add_action("Request content", "request", page.request_content)
    page.request_button.setVisible(not page.curator)
    return header


def _search_row(page: ContentPage) -> QWidget:
    page.search.addAction(icon("search"), page.search.ActionPosition.LeadingPosition)
    page.search.setMinimumHeight(36)
    page.count = label("", "Muted")
    page.count.setMinimumWidth(90)
    page.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    page.sort.setMinimumWidth(130)
    row = QWidget()
    lay = QHBoxLayout(row)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(10)
    lay.addWidget(page.search, 1)
    lay.addWidget(page.count)
    lay.addWidget(label("Sort by", "Muted"))
    lay.addWidget(page.sort)
    return row


def _bulk_bar(page: ContentPage) -> QWidget:
    bar = QWidget(objectName="BulkBar")
    bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    page.bulk_label = label("", "BulkLabel")
    lay = QHBoxLayout(bar)
    lay.setContentsMargins(12, 6, 8, 6)
    lay.setSpacing(6)
    lay.addWidget(page.bulk_label)
    lay.addStretch(1)
    page.bulk_buttons = {}
    for key, text, icon_name, slot in (
        ("tag", "Tag…", "tag", lambda: page.tag_selected(False)),
        ("untag", "Remove tags…", "tag", lambda: page.tag_selected(True)),
        ("publish", "Publish", "publish", page.publish_selected),
        ("archive", "Archive", "archive", page.archive_selected),
    ):
        b = QPushButton(icon(icon_name), text)
        b.clicked.connect(slot)
        lay.addWidget(b)
        page.bulk_buttons[key] = b
    clear = QPushButton("Clear selection")
    clear.setObjectName("LinkButton")
    clear.clicked.connect(lambda: page.view.selectionModel().clearSelection())
    lay.addWidget(clear)
    bar.hide()
    return bar


def _empty_states(page: ContentPage) -> None:
    if page.curator:
        page.empty_library = EmptyState("file-plus", "Your library is empty", EMPTY_CURATOR)
        page.empty_library.setObjectName("DropZone")  # the dashed frame says "drop files here"
        page.empty_library.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        page.empty_library.add_button("Add files…", page.add_files, primary=True)
        page.empty_library.add_button("New item", page.new_item)
    else:
        page.empty_library = EmptyState("content", "The library is empty", EMPTY_BDR)
        page.empty_library.add_button("Request content", page.request_content, primary=True)
    page.no_hits = EmptyState("search", "Nothing matches", "")
    page.no_hits.add_button("Clear search and filters", page.clear_filters)
    page.no_hits_request = page.no_hits.add_button("Request content", page.request_content, primary=True)


def _results_column(page: ContentPage) -> QWidget:
    page.view = make_card_list(page.model, html_lines=2, multi=page.curator)
    page.view.setObjectName("ResultList")
    page.results_page = page.view
    _empty_states(page)
    page.results_stack = QStackedWidget()
    for w in (page.results_page, page.empty_library, page.no_hits):
        page.results_stack.addWidget(w)
    page.match_note = Notice(closable=False)
    page.notice = Notice()
    page.bulk_bar = _bulk_bar(page)
    page.import_strip = JobProgressPanel(inline=True)
    page.import_strip.setObjectName("ImportStrip")
    page.import_strip.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    page.import_strip.layout().setContentsMargins(12, 8, 8, 8)
    col = QWidget()
    lay = QVBoxLayout(col)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(8)
    for w in (page.notice, page.match_note, page.bulk_bar):
        lay.addWidget(w)
    lay.addWidget(page.results_stack, 1)
    lay.addWidget(page.import_strip)
    return col


def build_page(page: ContentPage) -> None:
    page.header = _header(page)
    page.search_row = _search_row(page)
    page.detail = DetailPane(page.ctx)
    page.library = QSplitter(Qt.Orientation.Horizontal)
    page.library.setChildrenCollapsible(False)
    page.library.setHandleWidth(12)
    page.library.addWidget(page.facets)
    page.library.addWidget(_results_column(page))
    page.library.addWidget(page.detail)
    page.library.setStretchFactor(0, 0)
    page.library.setStretchFactor(1, 3)
    page.library.setStretchFactor(2, 2)
    page.library.setSizes([240, 620, 400])
    page.insights = InsightsView(page.ctx)
    page.stack_views = QStackedWidget()
    page.stack_views.addWidget(page.library)
    page.stack_views.addWidget(page.insights)

    lay = QVBoxLayout(page)
    lay.setContentsMargins(24, 20, 24, 16)
    lay.setSpacing(14)
    lay.addWidget(page.header)
    lay.addWidget(page.search_row)
    lay.addWidget(page.stack_views, 1)

    page.drop_hint = QLabel("Drop files or folders to add them to the library", page)
    page.drop_hint.setObjectName("DropHint")
    page.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    page.drop_hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
    page.drop_hint.hide()
