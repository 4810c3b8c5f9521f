"""The dashboard's white panels: the funnel (chart, stage-to-stage conversions, the "where is the issue"
caption), leads vs pipeline by source, and a breakdown table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from bdr_desk.kpi import KpiReport, SourceRow
from ui.models.sortable_records import ROW_ROLE, SortableRecordModel
from ui.pages.dashboard.charts import SECOND_COLOR, FunnelChart, SourceShareChart
from ui.pages.dashboard.format import percent
from ui.pages.dashboard.tables import Col, apply_widths, breakdown_table, fit_height, make_model
from ui.theme import ACCENT
from ui.widgets.common import label

MAX_SOURCES = 8


class Panel(QFrame):
    """A white panel: a title, a muted note on the right, then the body."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DashPanel")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 14)
        self.body.setSpacing(8)
        head = QHBoxLayout()
        self.title = label(title, "PanelTitle")
        head.addWidget(self.title)
        head.addStretch(1)
        self.note = label("", "Muted")
        head.addWidget(self.note)
        self.head = head
        self.body.addLayout(head)


class StepChip(QLabel):
    """One stage-to-stage conversion; clicking it lists the contacts that made the step."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__(objectName="StepChip")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class FunnelPanel(Panel):
    stageClicked = Signal(str)  # funnel stage key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Lead → Closed Won funnel", parent)
        self.stages: list[str] = []
        self.chart = FunnelChart()
        self.chart.stageClicked.connect(lambda i: self.stageClicked.emit(self.stages[i]))
        self.body.addWidget(self.chart, 1)
        steps = QHBoxLayout()
        steps.setSpacing(6)
        self.chips: list[StepChip] = []
        for i in range(5):
            chip = StepChip()
            chip.clicked.connect(lambda i=i: self.stages and self.stageClicked.emit(self.stages[i + 1]))
            self.chips.append(chip)
            steps.addWidget(chip, 1)
        self.body.addLayout(steps)
        self.insight = label("", "Insight", wrap=True)
        self.body.addWidget(self.insight)

    def show_report(self, r: KpiReport) -> None:
        rows, weak = r.funnel, r.weakest_step
        self.stages = [f.stage for f in rows]
        self.note.setText(f"Contacts created · {r.period.label}")
        self.chart.set_funnel([f.label for f in rows], [f.count for f in rows], rows.index(weak[1]) if weak else None)
        for chip, (a, b) in zip(self.chips, zip(rows, rows[1:], strict=False), strict=False):
            chip.setText(f"{a.label} → {b.label}\n{percent(b.conversion_from_previous)}")
            chip.setToolTip(f"{b.count:,} of {a.count:,} contacts went on from {a.label} to {b.label}; "
                            "click to see them")
            chip.setProperty("weak", bool(weak and weak[1] is b))
            chip.style().unpolish(chip)
            chip.style().polish(chip)
        self.insight.setText(f"<b>Where in the funnel is the issue?</b> {r.diagnosis}")

    def weak_chip(self) -> int | None:
        return next((i for i, c in enumerate(self.chips) if c.property("weak")), None)


def _swatch(color: str, text: str) -> str:
    return f"<span style='color:{color}; font-size:11pt'>■</span>&nbsp;{text}"


class SourcePanel(Panel):
    """Each source's share of the leads against its share of the pipeline created."""

    barClicked = Signal(str, str)  # "leads" or "pipeline", lead source key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Leads vs pipeline by source", parent)
        self.sources: list[SourceRow] = []
        legend = label(f"{_swatch(ACCENT, 'Share of leads')}&nbsp;&nbsp;&nbsp;"
                       f"{_swatch(SECOND_COLOR, 'Share of pipeline created')}", "Muted")
        self.body.addWidget(legend)
        self.chart = SourceShareChart()
        self.chart.chart().legend().hide()
        self.chart.barClicked.connect(self._clicked)
        self.body.addWidget(self.chart, 1)
        self.caption = label("", "Muted", wrap=True)
        self.body.addWidget(self.caption)

    def _clicked(self, which: int, index: int) -> None:
        if 0 <= index < len(self.sources):
            self.barClicked.emit("leads" if which == 0 else "pipeline", self.sources[index].source)

    def show_report(self, r: KpiReport) -> None:
        leads = sum(s.leads for s in r.by_source)
        pipe = float(sum(s.pipeline for s in r.by_source))
        self.sources = [s for s in r.by_source if s.leads or s.pipeline][:MAX_SOURCES]
        lead_share = [100 * s.leads / leads if leads else 0.0 for s in self.sources]
        pipe_share = [100 * float(s.pipeline) / pipe if pipe else 0.0 for s in self.sources]
        self.chart.set_shares([s.label for s in self.sources], lead_share, pipe_share)
        self.note.setText(r.period.label)
        if not self.sources:
            text = "No contacts or opportunities with a lead source in this view yet."
        elif not pipe:
            text = "No pipeline was created in this period: the chart shows the leads only."
        else:
            i = max(range(len(self.sources)), key=lambda k: pipe_share[k] - lead_share[k])
            text = (f"{self.sources[i].label} brings {pipe_share[i] / 100:.0%} of the pipeline from "
                    f"{lead_share[i] / 100:.0%} of the leads.")
        self.caption.setText(text)


class TablePanel(Panel):
    """A breakdown table sized to its rows; a click on a cell reports (row, column)."""

    cellClicked = Signal(object, int)  # the row's plain record, column

    def __init__(self, title: str, cols: list[Col], stretch: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.stretch = stretch  # None: the number columns share the spare width
        self.cols = cols
        self._fit_pending = False
        self._fitted: tuple[int, int] = (0, 0)
        self.view: QTableView = breakdown_table(make_model(cols, parent=self))  # a view does not own its model
        apply_widths(self.view, cols, stretch)
        self.view.setToolTip("Click a number to see the records behind it")
        self.view.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.view.clicked.connect(self._clicked)
        fit_height(self.view, 1)
        self.body.addWidget(self.view)
        self.empty = label("", "Muted")
        self.empty.hide()
        self.body.addWidget(self.empty)

    @property
    def model(self) -> SortableRecordModel:
        return self.view.model()  # type: ignore[return-value]

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self._fit_pending:  # once the table itself has its new size
            self._fit_pending = True
            QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        self._fit_pending = False
        key = (id(self.view.model()), self.view.viewport().width())
        if key != self._fitted:  # (resizeColumnsToContents asks every cell: skip when nothing changed)
            self._fitted = key
            apply_widths(self.view, self.cols, self.stretch)

    def show_rows(self, cols: list[Col], rows: list[Any], empty: str) -> None:
        """A fresh model (the currency of the money columns may have changed) over the report's rows."""
        old = self.view.model()
        self.cols = cols
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setModel(make_model(cols, rows, parent=self.view))
        if old is not None:
            old.deleteLater()
        self._fitted = (0, 0)
        self._fit()
        fit_height(self.view, len(rows))
        self.view.setVisible(bool(rows))
        self.empty.setText(empty)
        self.empty.setVisible(not rows)

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.cellClicked.emit(self.model.data(index, ROW_ROLE), index.column())
