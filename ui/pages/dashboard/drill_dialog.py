"""The records behind one dashboard number, loaded off the GUI thread; double-click (or "Open account")
opens the account of the selected record."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from bdr_desk.kpi import Drill, KpiFilter, drill
from ui.context import AppContext
from ui.models.sortable_records import ROW_ROLE, SortableRecordModel
from ui.pages.dashboard.format import money
from ui.pages.dashboard.tables import DRILL_RIGHT, DRILL_STRETCH, apply_widths, drill_columns
from ui.widgets.common import label
from ui.widgets.tables import make_table

KIND_NOUNS = {"accounts": ("account", "accounts"), "contacts": ("contact", "contacts"),
              "activities": ("activity", "activities"), "opportunities": ("opportunity", "opportunities")}


class DrillDialog(QDialog):
    openAccount = Signal(int)
    loaded = Signal()

    def __init__(self, ctx: AppContext, flt: KpiFilter, metric: str, key: Any = None, context: str = "",
                 currency: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.flt, self.metric_key, self.record_key, self.currency = ctx, flt, metric, key, currency
        self.records: Drill | None = None  # (QDialog.result() is taken)
        self.setWindowTitle("Records behind the number")
        self.resize(1240, 620)
        self.setObjectName("DrillDialog")
        self.title = label("Loading…", "PageTitle")
        self.summary = label(context, "Muted", wrap=True)
        self.model: SortableRecordModel | None = None
        self.view = make_table(SortableRecordModel([("", lambda r: "")], parent=self))  # owned: views do not
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # columns fit the width
        self.view.doubleClicked.connect(self._open_index)
        self.loading = QLabel("Loading the records…", objectName="Muted")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.loading)
        self.stack.addWidget(self.view)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = self.buttons.addButton("Open account", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setObjectName("Primary")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_selected)
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self.accept)
        foot = QHBoxLayout()
        self.more = label("", "Muted")
        foot.addWidget(self.more, 1)
        foot.addWidget(self.buttons)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 14)
        lay.setSpacing(8)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addWidget(self.stack, 1)
        lay.addLayout(foot)
        self._start()

    def _start(self) -> None:
        ws, flt, metric, key = self.ctx.workspace, self.flt, self.metric_key, self.record_key

        def job(_progress: Any, _cancel: Any) -> Drill:
            with ws.session() as s:
                return drill(s, flt, metric, key)

        self.handle = self.ctx.jobs.start("Loading records", job, self.show_result, parent_widget=self, inline=True)

    def show_result(self, result: Drill) -> None:
        self.records = result
        single, plural = KIND_NOUNS[result.kind]
        self.title.setText(result.title)
        noun = single if result.total == 1 else plural
        context = self.summary.text()
        amount = "" if result.amount is None else f" · {money(result.amount, self.currency)}"
        self.summary.setText(f"{result.total:,} {noun}{amount}" + (f" · {context}" if context else ""))
        self.model = SortableRecordModel(drill_columns(result.kind, self.currency, result.detail), result.rows, self,
                                         align_right=DRILL_RIGHT[result.kind])
        self.view.setModel(self.model)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        if len(result.rows) < result.total:
            self.more.setText(f"Showing the first {len(result.rows):,} of {result.total:,} — narrow the filters "
                              "to see the rest, or use `bdr-desk kpi --drill`.")
        self.stack.setCurrentWidget(self.view)
        self._fit()
        QTimer.singleShot(0, self, self._fit)  # again once the table has its size (dropped if we are deleted)
        self.loaded.emit()

    def _fit(self) -> None:
        if self.model is not None and self.records is not None and isValid(self.view):
            apply_widths(self.view, list(range(self.model.columnCount())), DRILL_STRETCH[self.records.kind])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit)

    def _selection_changed(self, *_: Any) -> None:
        self.open_button.setEnabled(self.selected_account() is not None)

    def selected_account(self) -> int | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows or self.model is None:
            return None
        return getattr(self.model.data(rows[0], ROW_ROLE), "account_id", None)

    def _open_index(self, index: QModelIndex) -> None:
        record = self.model.data(index, ROW_ROLE) if self.model is not None else None
        if record is not None:
            self.openAccount.emit(int(record.account_id))

    def _open_selected(self) -> None:
        account = self.selected_account()
        if account is not None:
            self.openAccount.emit(account)
