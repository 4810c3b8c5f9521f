"""The shared KPI dashboard: the BDR outcome metrics and the lead → closed-won funnel on one screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.kpi import NO_TOUCH_DAYS, PERIODS, KpiSnapshot, kpi_snapshot, owners
from ui.context import AppContext
from ui.theme import ACCENT
from ui.widgets.common import Card, EmptyState, PageHeader, label

WEAK_COLOR = "#f59e0b"
CARD_COLUMNS = 5

# key, caption, tooltip
CARDS: list[tuple[str, str, str]] = [
    ("target_accounts", "Target accounts", "Accounts not yet won or lost"),
    ("tier1_accounts", "Tier-1 accounts", "Target accounts in tier 1"),
    ("no_touch_accounts", f"No touch in {NO_TOUCH_DAYS} days",
     f"Target accounts with no activity logged in the last {NO_TOUCH_DAYS} days"),
    ("key_contact_identification_rate", "Key contacts identified",
     "Share of target accounts with a current economic buyer or decision maker on the buying committee"),
    ("meetings_booked", "Meetings booked", "Meetings logged in the period"),
    ("first_meetings", "First meetings", "Accounts whose first meeting ever falls in the period"),
    ("qualified_opportunities", "Qualified opportunities", "Qualified opportunities opened in the period"),
    ("open_opportunities", "Open opportunities", "Opportunities not closed yet"),
    ("pipeline_amount", "Open pipeline", "Sum of the amounts of open opportunities (in their own currencies)"),
    ("win_rate", "Win rate", "Closed won ÷ (closed won + closed lost), over every closed opportunity"),
]
PERIOD_CARDS = ("meetings_booked", "first_meetings", "qualified_opportunities")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def amount(value: Decimal) -> str:
    v = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            return f"{v / limit:.1f}".removesuffix(".0") + suffix
    return f"{v:,.0f}"


def card_value(snapshot: KpiSnapshot, key: str) -> str:
    value = getattr(snapshot, key)
    if key in ("key_contact_identification_rate", "win_rate"):
        return percent(value)
    if key == "pipeline_amount":
        return amount(value)
    return f"{value:,}"



class FunnelChart(QChartView):
    """One horizontal bar per funnel stage, Lead at the top; the weakest step's target stage in amber."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("background: #ffffff;")
        chart = QChart()
        chart.legend().hide()
        chart.setBackgroundBrush(QColor("#ffffff"))
        chart.setBackgroundRoundness(0)
        chart.setPlotAreaBackgroundVisible(False)
        chart.setMargins(QMargins(4, 4, 16, 4))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.setChart(chart)
        self.series = QHorizontalBarSeries()
        self.bars = QBarSet("Contacts")
        self.bars.setColor(QColor(ACCENT))
        self.bars.setPen(QPen(Qt.PenStyle.NoPen))
        self.bars.setSelectedColor(QColor(WEAK_COLOR))
        self.bars.setLabelColor(QColor("#0f172a"))
        self.series.append(self.bars)
        self.series.setBarWidth(0.62)
        self.series.setLabelsVisible(True)
        self.series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.series.setLabelsFormat("@value")
        chart.addSeries(self.series)
        self.stages = QBarCategoryAxis()
        self.stages.setGridLineVisible(False)
        self.stages.setLineVisible(False)
        font = QFont(self.font())
        font.setPointSizeF(10)
        self.stages.setLabelsFont(font)
        self.stages.setLabelsColor(QColor("#334155"))
        self.counts = QValueAxis()  # the counts are printed on the bars; the axis only scales them
        self.counts.setVisible(False)
        chart.addAxis(self.stages, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.counts, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.stages)
        self.series.attachAxis(self.counts)

    def set_funnel(self, labels: list[str], counts: list[int], weak_index: int | None) -> None:
        """Stages in funnel order; drawn bottom-up by Qt, so fed reversed to put the first stage on top."""
        n = len(counts)
        self.bars.remove(0, self.bars.count())
        self.bars.append([float(c) for c in reversed(counts)])
        self.bars.deselectAllBars()
        if weak_index is not None:
            self.bars.selectBar(n - 1 - weak_index)
        self.stages.clear()
        self.stages.append(list(reversed(labels)))
        top = max(counts, default=0)
        self.counts.setRange(0, max(top * 1.1, 1))  # room for the value label past the longest bar

    def bar_values(self) -> list[int]:
        """The counts as drawn, in funnel order (first stage first)."""
        return [int(self.bars.at(i)) for i in reversed(range(self.bars.count()))]

    def highlighted(self) -> list[int]:
        n = self.bars.count()
        return sorted(n - 1 - i for i in self.bars.selectedBars())


class DashboardPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.snapshot: KpiSnapshot | None = None
        self.today: date | None = None  # None: the real today; tests pin a day
        self.header = PageHeader("Dashboard", "Target accounts, meetings and the funnel, on one screen")

        self.period = QComboBox()
        for days in PERIODS:
            self.period.addItem(f"Last {days} days", days)
        self.period.setCurrentIndex(PERIODS.index(90))
        self.owner = QComboBox()
        self.owner.setMinimumWidth(200)
        self.owner.addItem("Everyone's accounts", None)
        self.scope = label("", "Muted")
        self.filters = QWidget()
        bar = QHBoxLayout(self.filters)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(8)
        bar.addWidget(label("Period", "Muted"))
        bar.addWidget(self.period)
        bar.addSpacing(12)
        bar.addWidget(label("Owner", "Muted"))
        bar.addWidget(self.owner)
        bar.addStretch(1)
        bar.addWidget(self.scope)

        self.cards: dict[str, Card] = {}
        grid = QGridLayout()
        grid.setSpacing(12)
        for i, (key, caption, hint) in enumerate(CARDS):
            card = Card(caption, hint=hint)
            self.cards[key] = card
            grid.addWidget(card, i // CARD_COLUMNS, i % CARD_COLUMNS)
        for col in range(CARD_COLUMNS):
            grid.setColumnStretch(col, 1)

        funnel_box = QFrame(objectName="Card")
        fl = QVBoxLayout(funnel_box)
        fl.setContentsMargins(16, 12, 16, 12)
        fl.setSpacing(4)
        title_row = QHBoxLayout()
        title_row.addWidget(label("Contact funnel", "SectionTitle"))
        title_row.addStretch(1)
        title_row.addWidget(label("Contacts that reached at least each stage, whatever the period", "Muted"))
        fl.addLayout(title_row)
        self.chart = FunnelChart()
        fl.addWidget(self.chart, 1)
        self.weakest = label("", "SectionTitle", wrap=True)
        self.conversions = label("", "Muted", wrap=True)
        fl.addWidget(self.weakest)
        fl.addWidget(self.conversions)

        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(14)
        cl.addLayout(grid)
        cl.addWidget(funnel_box, 1)

        self.empty = EmptyState(
            "dashboard", "No target accounts yet",
            "The dashboard counts your target accounts, meetings, opportunities and the lead-to-won funnel. "
            "Import a list of companies on the Accounts page, or start BDR Desk with --demo to explore a "
            "sample workspace.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self.empty)
        self.content = content

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addWidget(self.filters)
        lay.addWidget(self.stack, 1)

        self.period.currentIndexChanged.connect(self.reload)
        self.owner.currentIndexChanged.connect(self.reload)

    # ---- data ----
    def refresh(self) -> None:
        """Re-read the users (for the owner filter) and the KPIs."""
        with self.ctx.workspace.session() as s:
            people = owners(s)
        current = self.owner.currentData() if self.snapshot else (
            self.ctx.user.id if self.ctx.user.role == "bdr" else None)
        self.owner.blockSignals(True)
        self.owner.clear()
        self.owner.addItem("Everyone's accounts", None)
        for person in people:
            name = f"{person.name} (me)" if person.id == self.ctx.user.id else person.name
            self.owner.addItem(name, person.id)
        index = self.owner.findData(current)
        self.owner.setCurrentIndex(max(index, 0))
        self.owner.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        with self.ctx.workspace.session() as s:
            snap = kpi_snapshot(s, today=self.today, owner_id=self.owner.currentData(),
                                period_days=self.period.currentData())
        self.show_snapshot(snap)

    def show_snapshot(self, snap: KpiSnapshot) -> None:
        self.snapshot = snap
        self.filters.setVisible(bool(snap.total_accounts))
        if not snap.total_accounts:
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.content)
        for key, card in self.cards.items():
            card.set_value(card_value(snap, key))
        caption = dict((k, c) for k, c, _ in CARDS)
        for key in PERIOD_CARDS:
            self.cards[key].caption.setText(f"{caption[key]} · {snap.period_days} d")
        self.cards["key_contact_identification_rate"].caption.setText(
            f"Key contacts identified · {snap.key_contact_accounts:,} of {snap.target_accounts:,}")
        self.cards["win_rate"].caption.setText(f"Win rate · {snap.closed_won:,} won, {snap.closed_lost:,} lost")
        who = "everyone's accounts" if snap.owner_id is None else f"accounts owned by {self.owner.currentText()}"
        self.scope.setText(f"As of {snap.today:%d %b %Y} · {who}")
        self._show_funnel(snap)

    def _show_funnel(self, snap: KpiSnapshot) -> None:
        rows = snap.funnel
        weakest = snap.weakest_step
        weak_index = rows.index(weakest[1]) if weakest else None
        self.chart.set_funnel([r.label for r in rows], [r.count for r in rows], weak_index)
        if not rows or rows[0].count == 0:
            self.weakest.setText("No contact has a lifecycle stage yet")
            self.conversions.setText("Set a contact's lifecycle stage (Lead, MQL, SAL…) on the account's buying "
                                     "committee, or sync it from the CRM, and the funnel fills in.")
            return
        if weakest:
            prev, stage = weakest
            self.weakest.setText(f"Weakest step: {prev.label} → {stage.label} "
                                 f"({percent(stage.conversion_from_previous)})")
        else:
            self.weakest.setText("No stage-to-stage conversion yet")
        steps = [f"{a.label} → {b.label} {percent(b.conversion_from_previous)}"
                 for a, b in zip(rows, rows[1:], strict=False)]
        self.conversions.setText("   ·   ".join(steps))
