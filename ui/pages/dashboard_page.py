"""The shared KPI dashboard: BDR KPIs with their change against the previous period, the lead → closed-won
funnel with its weakest step, leads vs pipeline and the funnel by lead source, activity vs outcome per BDR
and content influence, for one period and scope. Every number opens the records behind it.

Numbers come from :func:`bdr_desk.kpi.kpi_report`, run as a job with its own Session so the window never
waits on the database; when the filter changes while a refresh runs, the newer filter wins.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.kpi import FilterOptions, KpiFilter, KpiReport, filter_options, kpi_report
from ui import dialogs
from ui.context import AppContext
from ui.pages.dashboard.cards import ACCOUNT_CARDS, PERIOD_CARDS, CardSpec, KpiCard
from ui.pages.dashboard.drill_dialog import DrillDialog
from ui.pages.dashboard.filter_bar import FilterBar
from ui.pages.dashboard.format import count, delta, money, percent, plural
from ui.pages.dashboard.panels import FunnelPanel, SourcePanel, TablePanel
from ui.pages.dashboard.tables import bdr_columns, content_columns, source_columns
from ui.widgets.common import EmptyState, PageHeader, label

QSS = """
#KpiCard { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 10px; }
#KpiCard:hover { border: 1px solid #93c5fd; background: #fbfdff; }
#KpiCard:focus { border: 1px solid #1d4ed8; }
#KpiCaption { color: #64748b; font-size: 8pt; font-weight: 600; }
#KpiValue { color: #0f172a; font-size: 21pt; font-weight: 600; }
#KpiDelta { font-size: 9pt; font-weight: 600; }
#KpiNote { color: #64748b; font-size: 8.5pt; }
#DashSection { color: #475569; font-size: 8.5pt; font-weight: 700; }
#DashSectionNote { color: #94a3b8; font-size: 8.5pt; }
#DashPanel { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 10px; }
#PanelTitle { font-size: 11pt; font-weight: 600; color: #0f172a; }
#StepChip { background: #eff6ff; color: #1e3a8a; border-radius: 8px; padding: 5px 8px; font-size: 8.5pt; }
#StepChip[weak="true"] { background: #fef3c7; color: #92400e; border: 1px solid #f59e0b; font-weight: 600; }
#Insight { background: #fffbeb; border: 1px solid #fde68a; border-left: 4px solid #f59e0b; border-radius: 8px;
           padding: 10px 12px; color: #78350f; }
#DashPanel QHeaderView::section, #DrillDialog QHeaderView::section { padding: 6px 6px; }
QDateEdit { background: #ffffff; border: 1px solid #cbd5e1; border-radius: 6px; padding: 4px 8px; }
QScrollArea#DashScroll, QWidget#DashContent { background: transparent; border: none; }
"""
SOURCE_SHARE = {"leads": ("funnel", "lead"), "pipeline": ("opportunities_created", None)}


class DashboardPage(QWidget):
    openAccount = Signal(int)
    refreshed = Signal()  # a report is on screen (after every refresh)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: KpiReport | None = None
        self.options: FilterOptions | None = None
        self.today: dt.date | None = None  # None: the real today; tests pin a day
        self.drill_dialog: DrillDialog | None = None
        self._generation = 0
        self.setStyleSheet(QSS)
        self.header = PageHeader("Dashboard", "One funnel for BDRs, marketing and managers — click any number to "
                                              "see the records behind it")
        self.refresh_button = self.header.add_action("Refresh", "sync", self.refresh)
        self.filters = FilterBar()
        self.filters.changed.connect(self.reload)

        content = QWidget(objectName="DashContent")
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 6, 0)
        cl.setSpacing(10)
        self.cards: dict[str, KpiCard] = {}
        self.account_section = self._card_row(cl, "BOOK OF ACCOUNTS", ACCOUNT_CARDS)
        self.period_section = self._card_row(cl, "OUTCOMES", PERIOD_CARDS)
        cl.addSpacing(6)
        self.funnel, self.shares = FunnelPanel(), SourcePanel()
        self.funnel.stageClicked.connect(lambda stage: self.open_drill("funnel", stage))
        self.shares.barClicked.connect(self._share_clicked)
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(self.funnel, 3)
        row.addWidget(self.shares, 2)
        cl.addLayout(row)
        self.sources = TablePanel("Funnel by lead source", source_columns(None))
        self.bdrs = TablePanel("Activity vs outcome per BDR", bdr_columns(None))
        self.content_items = TablePanel("Content influence", content_columns(None), stretch=0)
        self.sources.cellClicked.connect(self._source_clicked)
        self.bdrs.cellClicked.connect(self._bdr_clicked)
        self.content_items.cellClicked.connect(lambda row, _col: self.open_drill("content_influence", row.item_id))
        for box in (self.sources, self.bdrs, self.content_items):
            cl.addWidget(box)
        cl.addStretch(1)
        self.content = content
        self.scroll = QScrollArea(objectName="DashScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)

        self.empty = EmptyState(
            "dashboard", "No target accounts yet",
            "The dashboard counts your target accounts, meetings, opportunities and the lead-to-won funnel. "
            "Import a list of companies on the Accounts page, or start BDR Desk with --demo to explore a "
            "sample workspace.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scroll)
        self.stack.addWidget(self.empty)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 12)
        lay.setSpacing(12)
        lay.addWidget(self.header)
        lay.addWidget(self.filters)
        lay.addWidget(self.stack, 1)

    def _card_row(self, layout: QVBoxLayout, title: str, specs: list[CardSpec]) -> QLabel:
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(label(title, "DashSection"))
        note = label("", "DashSectionNote")
        head.addWidget(note)
        head.addStretch(1)
        layout.addLayout(head)
        grid = QGridLayout()
        grid.setSpacing(12)
        for i, spec in enumerate(specs):
            card = KpiCard(spec)
            card.clicked.connect(self.open_drill)
            self.cards[spec.key] = card
            grid.addWidget(card, 0, i)
            grid.setColumnStretch(i, 1)
        layout.addLayout(grid)
        return note

    # ---- data ----
    def current_filter(self) -> KpiFilter:
        today = self.today or dt.datetime.now(dt.UTC).date()
        if self.options is None and self.ctx.user.role == "bdr":
            return self.filters.filter(today, owner=self.ctx.user.id)  # a BDR starts on their own book
        return self.filters.filter(today)

    def refresh(self) -> None:
        """Re-read the filter choices (users, lists, lead sources) and every number."""
        self._run(with_options=True)

    def reload(self) -> None:
        """Every number again for the filter on screen (the filter bar changed)."""
        self._run(with_options=self.options is None)

    def _run(self, with_options: bool) -> None:
        self._generation += 1
        generation, flt, ws = self._generation, self.current_filter(), self.ctx.workspace

        def job(_progress: Any, _cancel: Any) -> tuple[int, KpiFilter, FilterOptions | None, KpiReport]:
            with ws.session() as s:
                return generation, flt, (filter_options(s) if with_options else None), kpi_report(s, flt)

        self.filters.set_busy(True)
        # a bound method: the connection goes with the page if it is closed while the job runs
        self.ctx.jobs.start("Refreshing the dashboard", job, self._done, self._failed, parent_widget=self,
                            inline=True)

    def _failed(self, message: str, details: str) -> None:
        self.filters.set_busy(False, self.report.filter.today if self.report else None)
        dialogs.show_error(self, "The dashboard could not be refreshed", message, details)

    def _done(self, result: tuple[int, KpiFilter, FilterOptions | None, KpiReport]) -> None:
        generation, flt, options, report = result
        if generation != self._generation:
            return  # a newer filter is on its way
        if options is not None:
            self.options = options
            self.filters.set_options(options, flt, self.ctx.user.id)
        self.show_report(report)

    def show_report(self, r: KpiReport) -> None:
        self.report = r
        self.filters.set_busy(False, r.filter.today)
        self.filters.setVisible(bool(r.workspace_accounts))
        if not r.workspace_accounts:
            self.stack.setCurrentWidget(self.empty)
            self.refreshed.emit()
            return
        self.stack.setCurrentWidget(self.scroll)
        self._show_cards(r)
        self.funnel.show_report(r)
        self.shares.show_report(r)
        self.sources.show_rows(source_columns(r.currency), r.by_source,
                               "No contact or opportunity of this view has a lead source in the period.")
        self.sources.note.setText("Contacts created in the period, by lead source; opportunities by theirs")
        self.bdrs.show_rows(bdr_columns(r.currency), r.by_bdr, "No calls, emails or meetings logged in this period.")
        self.bdrs.note.setText("Touches and meetings by who logged them; opportunities by owner")
        c = r.content
        self.content_items.show_rows(content_columns(r.currency), c.items,
                                     "No opportunity of the period was opened on an account where content was used.")
        share = percent(float(c.amount / c.of_amount) if c.of_amount else None)
        self.content_items.note.setText(f"{c.opportunities:,} of {c.of_opportunities:,} opportunities opened in the "
                                        f"period had content used on their account ({share} of their pipeline)")
        self.refreshed.emit()

    def _show_cards(self, r: KpiReport) -> None:
        a, cur, cc, prev = r.accounts, r.current, r.currency, r.previous_period
        self.account_section.setText(f"as of {r.filter.today:%d %b %Y}")
        self.period_section.setText(r.period.label + (f" · compared with {prev.label}" if prev else ""))
        self.cards["no_touch_accounts"].set_caption(f"No touch in {r.filter.no_touch_days} days")

        def share(n: int) -> str:
            return percent(n / a.target_accounts) if a.target_accounts else "—"

        notes = {
            "target_accounts": f"of {a.accounts_in_scope:,} accounts in view",
            "tier1_accounts": f"{share(a.tier1_accounts)} of target accounts",
            "no_touch_accounts": f"{share(a.no_touch_accounts)} of target accounts",
            "key_contact_identification_rate": f"{a.key_contact_accounts:,} of {a.target_accounts:,} target accounts",
            "open_opportunities": f"{money(a.pipeline_amount, cc)} open pipeline",
            "pipeline_amount": f"across {plural(a.open_opportunities, 'open opportunity')}",
            "first_meetings": f"{plural(cur.meetings_booked, 'meeting')} booked in all",
            "first_meetings_held": f"{plural(cur.meetings_held, 'meeting')} held in all",
            "qualified_opportunities": f"of {plural(cur.opportunities_created, 'opportunity')} created",
            "pipeline_created": f"{plural(cur.opportunities_created, 'opportunity')} opened",
            "win_rate": f"{cur.closed_won:,} won · {cur.closed_lost:,} lost",
            "avg_enterprise_deal_size": f"all segments: {money(cur.avg_deal_size, cc)}",
        }

        def show(kind: str, value: Any) -> str:
            return percent(value) if kind == "percent" else money(value, cc) if kind == "money" else count(value)

        for key, card in self.cards.items():
            kind, value, before = card.spec.kind, r.value(key), r.previous_value(key)
            change, color = delta(kind, value, before)
            tip = "" if before is None or prev is None else f"{prev.label}: {show(kind, before)}"
            card.show_value(show(kind, value), notes[key], change, color, tip)

    # ---- drill-down ----
    def open_drill(self, metric: str, key: Any = None, flt: KpiFilter | None = None) -> DrillDialog | None:
        """The records behind a number, in a dialog; opening one of them opens its account."""
        if self.report is None:
            return None
        flt = flt or self.report.filter
        if self.drill_dialog is not None:
            self.drill_dialog.close()
        dialog = DrillDialog(self.ctx, flt, metric, key, self.filters.describe(flt), self.report.currency, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.openAccount.connect(self.openAccount)
        dialog.finished.connect(lambda *_: self._forget(dialog))
        self.drill_dialog = dialog
        dialog.show()
        return dialog

    def _forget(self, dialog: DrillDialog) -> None:
        if self.drill_dialog is dialog:
            self.drill_dialog = None

    def _source_clicked(self, row: Any, column: int) -> None:
        if self.report is not None:
            metric, key = source_columns(None)[column].drill or ("funnel", "lead")
            self.open_drill(metric, key, self.report.filter.with_(source=row.source))

    def _bdr_clicked(self, row: Any, column: int) -> None:
        self.open_drill((bdr_columns(None)[column].drill or ("bdr_touches", None))[0], row.user_id)

    def _share_clicked(self, which: str, source: str) -> None:
        if self.report is not None:
            self.open_drill(*SOURCE_SHARE[which], flt=self.report.filter.with_(source=source))
