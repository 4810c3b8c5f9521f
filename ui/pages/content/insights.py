"""The library's Insights view: what the field uses, what it ignores, what has gone stale, what it asks for,
and the gap report (industry × size × pain cells where demand outruns the published supply)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from content_library.gaps import gap_report
from content_library.items import ContentError
from content_library.requests import list_requests, set_request_status
from content_library.usage import library_insights
from ui import dialogs
from ui.context import AppContext
from ui.models.sortable_records import ID_ROLE
from ui.pages.content.common import can_curate
from ui.pages.content.insight_models import (
    GapModel,
    most_used_model,
    never_used_model,
    requests_model,
    stale_model,
)
from ui.theme import icon
from ui.widgets.common import Card, EmptyState, label
from ui.widgets.tables import make_table

WINDOW_DAYS = 90
GAP_HELP = ("Demand counts open requests (×3), weak or empty searches filtered to the segment in the last "
            f"{WINDOW_DAYS} days (×1) and tiered target accounts with that pain (×0.5). Supply is the published "
            "items tagged for the cell. The gap score is demand per published item: make the top rows first.")


def _titled(title: str, hint: str, body: QWidget) -> QWidget:
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(4)
    lay.addWidget(label(title, "SectionTitle"))
    if hint:
        lay.addWidget(label(hint, "Muted", wrap=True))
    lay.addSpacing(2)
    lay.addWidget(body, 1)
    return w


def _with_empty(view: QTableView, title: str, text: str) -> QStackedWidget:
    stack = QStackedWidget()
    stack.addWidget(view)
    empty = EmptyState("insights", title, text)
    empty.text.setFixedWidth(360)
    stack.addWidget(empty)
    view.model().modelReset.connect(lambda: stack.setCurrentIndex(0 if view.model().rowCount() else 1))
    return stack


class InsightsView(QWidget):
    openItem = Signal(int)  # double-click on an item: show it in the library

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cards = {k: Card(c, hint=h) for k, c, h in (
            ("published", "Published items", "Items the field can find and send"),
            ("uses", f"Uses, last {WINDOW_DAYS} days", "Links copied, attachments, plan exports"),
            ("never", "Never used", f"Published items nobody used in the last {WINDOW_DAYS} days"),
            ("stale", "Stale", "Published items past their review-by date"),
            ("requests", "Open requests", "Content the field asked for"),
        )}
        kpis = QHBoxLayout()
        kpis.setSpacing(12)
        for c in self.cards.values():
            kpis.addWidget(c)

        self.gap_model = GapModel(ctx.taxonomy, self)
        self.gap_table = make_table(self.gap_model, (150, 160, 210, 80, 290, 70, 70), stretch=7)
        self.gap_table.sortByColumn(GapModel.GAP, Qt.SortOrder.DescendingOrder)
        gaps = _titled("Content gaps", GAP_HELP, _with_empty(
            self.gap_table, "No gaps to report yet",
            "Demand appears here when BDRs request content or search for something the library lacks, and for "
            "every segment with tiered target accounts and an open pain hypothesis."))

        self.most_model, self.never_model, self.stale_model = most_used_model(self), never_used_model(self), \
            stale_model(self)
        self.most_table = make_table(self.most_model, (240, 122, 70, 90, 110), stretch=0)
        self.never_table = make_table(self.never_model, (240, 110, 110), stretch=0)
        self.stale_table = make_table(self.stale_model, (240, 110, 215, 60), stretch=0)
        for t in (self.most_table, self.never_table, self.stale_table):
            t.doubleClicked.connect(self._open)
        self.most_table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        usage = QWidget()
        ul = QHBoxLayout(usage)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.setSpacing(20)
        ul.addWidget(_titled("Most used", f"What the field sent most in the last {WINDOW_DAYS} days.", _with_empty(
            self.most_table, "Nothing used yet", "Copying a link or attaching an item counts as a use.")), 1)
        right = QVBoxLayout()
        right.setSpacing(16)
        right.addWidget(_titled("Never used", "Published, but nobody has sent them: retag, promote or retire.",
                                _with_empty(self.never_table, "Everything gets used",
                                            "Every published item was used recently.")), 1)
        right.addWidget(_titled("Stale", "Past their review-by date: check the facts and figures.", _with_empty(
            self.stale_table, "Nothing is stale", "Every published item is within its review date.")), 1)
        ul.addLayout(right, 1)

        self.requests = requests_model(ctx.taxonomy, self)
        self.requests_table = make_table(self.requests, (110, 300, 260, 180, 140, 100), stretch=2)
        self.requests_table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.request_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addStretch(1)
        for status, text in (("in_progress", "Mark in progress"), ("fulfilled", "Mark fulfilled"),
                             ("declined", "Decline")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, s=status: self.set_request_status(s))
            b.setEnabled(False)
            actions.addWidget(b)
            self.request_buttons[status] = b
        self.requests_table.selectionModel().selectionChanged.connect(self._request_selected)
        req = QWidget()
        rl = QVBoxLayout(req)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(8)
        rl.addWidget(_with_empty(self.requests_table, "No open requests",
                                 "When a BDR asks for content the library lacks, the request shows up here."), 1)
        if can_curate(ctx):
            rl.addLayout(actions)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for w, icon_name, text in ((gaps, "warning", "Content gaps"), (usage, "star", "Usage"),
                                   (req, "request", "Requests")):
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 14, 0, 0)
            hl.addWidget(w)
            self.tabs.addTab(holder, icon(icon_name), text)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(14)
        lay.addLayout(kpis)
        lay.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        with self.ctx.workspace.session() as s:
            stats = library_insights(s, days=WINDOW_DAYS, limit=50)
            cells = gap_report(s, limit=200)
            pending = [r for r in list_requests(s, status=None) if r.status in ("open", "in_progress")]
        self.gap_model.set_rows(cells)
        self.most_model.set_rows(stats.most_used)
        self.never_model.set_rows(stats.never_used)
        self.stale_model.set_rows(stats.stale)
        self.requests.set_rows(pending)
        for key, value in (("published", stats.published), ("uses", stats.uses_in_window),
                           ("never", len(stats.never_used)), ("stale", len(stats.stale)),
                           ("requests", len(pending))):
            self.cards[key].set_value(f"{value:,}")
        self.tabs.setTabText(2, f"Requests ({len(pending)})" if pending else "Requests")
        self._request_selected()

    def _open(self, index: QModelIndex) -> None:
        item_id = index.model().data(index, ID_ROLE)
        if item_id is not None:
            self.openItem.emit(int(item_id))

    def selected_request(self) -> int | None:
        rows = self.requests_table.selectionModel().selectedRows()
        return int(self.requests.data(rows[0], ID_ROLE)) if rows else None

    def _request_selected(self, *_: object) -> None:
        request_id = self.selected_request()
        status = None
        if request_id is not None:
            status = self.requests.row_at(self.requests_table.selectionModel().selectedRows()[0].row()).status
        for s, b in self.request_buttons.items():
            b.setEnabled(request_id is not None and s != status)

    def set_request_status(self, status: str) -> None:
        request_id = self.selected_request()
        if request_id is None:
            return
        try:
            with self.ctx.workspace.session() as s:
                set_request_status(s, request_id, status)
        except ContentError as exc:
            dialogs.show_error(self, "Could not update the request", str(exc))
        self.refresh()
