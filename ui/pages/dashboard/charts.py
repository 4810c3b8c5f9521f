"""The dashboard's charts (QtCharts): the funnel with its weakest step in amber, and each lead source's share
of leads against its share of pipeline. Clicking a bar asks for the records behind it."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QFrame, QGraphicsSimpleTextItem, QWidget

from ui.theme import ACCENT

WEAK_COLOR = "#f59e0b"
SECOND_COLOR = "#14b8a6"
LABEL_COLOR = "#334155"


def _chart_view(view: QChartView, min_height: int) -> QChart:
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(min_height)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setStyleSheet("background: transparent;")
    chart = QChart()
    chart.setBackgroundBrush(QColor("#ffffff"))
    chart.setBackgroundRoundness(0)
    chart.setPlotAreaBackgroundVisible(False)
    chart.setMargins(QMargins(0, 0, 8, 0))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    view.setChart(chart)
    return chart


def _category_axis(view: QWidget) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.setGridLineVisible(False)
    axis.setLineVisible(False)
    font = QFont(view.font())
    font.setPointSizeF(9.5)
    axis.setLabelsFont(font)
    axis.setLabelsColor(QColor(LABEL_COLOR))
    return axis


def _bar_set(name: str, color: str) -> QBarSet:
    bars = QBarSet(name)
    bars.setColor(QColor(color))
    bars.setBorderColor(QColor(color))
    bars.setPen(QPen(Qt.PenStyle.NoPen))
    bars.setLabelColor(QColor("#0f172a"))
    return bars


class FunnelChart(QChartView):
    """One horizontal bar per funnel stage, Lead at the top; the weakest step's target stage in amber."""

    stageClicked = Signal(int)  # index in funnel order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        chart = _chart_view(self, 230)
        chart.legend().hide()
        self.series = QHorizontalBarSeries()
        self.bars = _bar_set("Contacts", ACCENT)
        self.bars.setSelectedColor(QColor(WEAK_COLOR))
        self.series.append(self.bars)
        self.series.setBarWidth(0.66)
        self.series.setLabelsVisible(False)  # QtCharts prints 55926: the counts are drawn as "55,926" below
        chart.addSeries(self.series)
        self.value_labels: list[QGraphicsSimpleTextItem] = []
        chart.plotAreaChanged.connect(self._place_labels)
        self.stages = _category_axis(self)
        self.counts = QValueAxis()  # the counts are printed on the bars; the axis only scales them
        self.counts.setVisible(False)
        chart.addAxis(self.stages, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.counts, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.stages)
        self.series.attachAxis(self.counts)
        self.bars.clicked.connect(lambda i: self.stageClicked.emit(self.bars.count() - 1 - i))
        self.bars.hovered.connect(self._hovered)

    def _hovered(self, status: bool, index: int) -> None:
        self.setCursor(Qt.CursorShape.PointingHandCursor if status else Qt.CursorShape.ArrowCursor)

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
        self.counts.setRange(0, max(max(counts, default=0) * 1.14, 1))  # room for the value label
        for item in self.value_labels:
            self.chart().scene().removeItem(item)
        self.value_labels = []
        font = QFont(self.font())
        font.setPointSizeF(9)
        for c in counts:
            item = QGraphicsSimpleTextItem(f"{c:,}", self.chart())
            item.setFont(font)
            item.setBrush(QColor("#0f172a"))
            self.value_labels.append(item)
        self._place_labels()

    def _place_labels(self, *_: object) -> None:
        """Each count just past the end of its bar, vertically centred on it."""
        n = len(self.value_labels)
        for i, item in enumerate(self.value_labels):
            value = self.bars.at(n - 1 - i) if n - 1 - i < self.bars.count() else 0.0
            end = self.chart().mapToPosition(QPointF(value, n - 1 - i), self.series)
            box = item.boundingRect()
            item.setPos(end.x() + 6, end.y() - box.height() / 2)

    def value_texts(self) -> list[str]:
        return [item.text() for item in self.value_labels]

    def bar_values(self) -> list[int]:
        """The counts as drawn, in funnel order (first stage first)."""
        return [int(self.bars.at(i)) for i in reversed(range(self.bars.count()))]

    def highlighted(self) -> list[int]:
        n = self.bars.count()
        return sorted(n - 1 - i for i in self.bars.selectedBars())

    def bar_center(self, index: int) -> QPointF:
        """Where the bar of funnel stage ``index`` is drawn, in viewport coordinates (for tests and tooltips)."""
        n = self.bars.count()
        value = max(self.bars.at(n - 1 - index), self.counts.max() * 0.02)
        scene = self.chart().mapToPosition(QPointF(value / 2, n - 1 - index), self.series)
        return QPointF(self.mapFromScene(scene))


class SourceShareChart(QChartView):
    """Per lead source, its share of the leads and its share of the pipeline created: which channels bring
    pipeline rather than just leads."""

    barClicked = Signal(int, int)  # set (0 leads, 1 pipeline), source index (top first)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        chart = _chart_view(self, 230)
        legend = chart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignTop)
        legend.setLabelColor(QColor(LABEL_COLOR))
        self.series = QHorizontalBarSeries()
        self.leads = _bar_set("Share of leads", ACCENT)
        self.pipeline = _bar_set("Share of pipeline created", SECOND_COLOR)
        for s in (self.pipeline, self.leads):  # drawn bottom-up within a source: leads on top
            self.series.append(s)
        self.series.setBarWidth(0.78)
        self.series.setLabelsVisible(True)
        self.series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.series.setLabelsFormat("@value%")
        self.series.setLabelsPrecision(3)
        chart.addSeries(self.series)
        self.sources = _category_axis(self)
        self.share = QValueAxis()
        self.share.setVisible(False)
        chart.addAxis(self.sources, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.share, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.sources)
        self.series.attachAxis(self.share)
        self._n = 0
        self.leads.clicked.connect(lambda i: self.barClicked.emit(0, self._n - 1 - i))
        self.pipeline.clicked.connect(lambda i: self.barClicked.emit(1, self._n - 1 - i))

    def set_shares(self, labels: list[str], leads: list[float], pipeline: list[float]) -> None:
        """Shares in per cent, sources top to bottom."""
        self._n = len(labels)
        for bars, values in ((self.leads, leads), (self.pipeline, pipeline)):
            bars.remove(0, bars.count())
            bars.append([round(v) for v in reversed(values)])
        self.sources.clear()
        self.sources.append(list(reversed(labels)))
        self.share.setRange(0, max(max(leads + pipeline, default=0) * 1.18, 1))

    def values(self) -> tuple[list[int], list[int]]:
        n = self.leads.count()
        return ([int(self.leads.at(i)) for i in reversed(range(n))],
                [int(self.pipeline.at(i)) for i in reversed(range(n))])
