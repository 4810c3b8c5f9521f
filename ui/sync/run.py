"""Run a sync: the CRM and direction, "Preview (dry run)" and "Sync now" as jobs with progress and Cancel, then
what happened — counts per object type, errors grouped by kind (HubSpot's error cards) and, for a dry run,
the preview field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.crm.engine import run_sync
from bdr_desk.crm.journal import ERROR_LABELS, SyncResult
from bdr_desk.crm.status import DIRECTION_LABELS, STATUS_LABELS, SYSTEM_LABELS
from ui.context import AppContext
from ui.jobs import JobProgressPanel
from ui.sync.connect import close_quietly, connector_factory
from ui.sync.models import CountsModel, PreviewModel, preview_lines
from ui.theme import icon
from ui.widgets.common import EmptyState, label

EXAMPLES_PER_CARD = 3
STATUS_TONES = {"ok": "#047857", "partial": "#b45309", "failed": "#b91c1c", "cancelled": "#475569"}


def table(model: Any, stretch_last: bool = True) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(28)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class ErrorCard(QFrame):
    """One kind of error: what it is, how many records, a few example messages."""

    def __init__(self, kind: str, messages: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setStyleSheet("#Card { border-left: 4px solid #b91c1c; }")
        self.kind = kind
        self.title = label(ERROR_LABELS.get(kind, kind.replace("_", " ").capitalize()), "SectionTitle")
        self.count = label(f"{len(messages):,} record{'s' if len(messages) != 1 else ''}", "Muted")
        examples = list(dict.fromkeys(messages))[:EXAMPLES_PER_CARD]
        self.examples = label("\n".join(f"• {m}" for m in examples), wrap=True)
        self.examples.setStyleSheet("color: #334155;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.count)
        lay.addLayout(head)
        lay.addWidget(self.examples)
        lay.addStretch(1)


class RunPanel(QWidget):
    """``finished(result_or_None)`` after every run (None when cancelled or it could not start)."""

    finished = Signal(object)

    def __init__(self, ctx: AppContext, base_url: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.base_url = base_url
        self.handle: Any = None
        self.result: SyncResult | None = None
        self.system = QComboBox()
        for key, text in SYSTEM_LABELS.items():
            self.system.addItem(text, key)
        self.direction = QComboBox()
        for key in ("both", "push", "pull"):
            self.direction.addItem(DIRECTION_LABELS[key], key)
        self.preview_button = QPushButton(icon("search"), "Preview (dry run)")
        self.preview_button.clicked.connect(lambda: self.start(dry_run=True))
        self.sync_button = QPushButton(icon("sync", "#ffffff"), "Sync now")
        self.sync_button.setObjectName("Primary")
        self.sync_button.clicked.connect(lambda: self.start(dry_run=False))
        controls = QHBoxLayout()
        controls.addWidget(label("CRM", "Muted"))
        controls.addWidget(self.system)
        controls.addSpacing(8)
        controls.addWidget(label("Direction", "Muted"))
        controls.addWidget(self.direction)
        controls.addStretch(1)
        controls.addWidget(self.preview_button)
        controls.addWidget(self.sync_button)
        self.progress = JobProgressPanel(inline=True)

        self.summary = label("", "SectionTitle", wrap=True)
        self.detail = label("", "Muted", wrap=True)
        self.counts = CountsModel(self)
        self.counts_view = table(self.counts, stretch_last=False)
        self.counts_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.cards = QHBoxLayout()
        self.cards.setSpacing(10)
        self.cards_box = QWidget()
        cards_col = QVBoxLayout(self.cards_box)
        cards_col.setContentsMargins(0, 0, 0, 0)
        cards_col.addWidget(label("Errors by kind", "SectionTitle"))
        cards_col.addLayout(self.cards)
        self.preview = PreviewModel(self)
        self.preview_view = table(self.preview)
        for col, width in enumerate((130, 100, 80, 200, 130, 160)):
            self.preview_view.setColumnWidth(col, width)
        self.preview_title = label("Preview — nothing was written", "SectionTitle")
        self.preview_box = QWidget()
        pv = QVBoxLayout(self.preview_box)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addWidget(self.preview_title)
        pv.addWidget(self.preview_view, 1)

        results = QWidget()
        rl = QVBoxLayout(results)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(8)
        rl.addWidget(self.summary)
        rl.addWidget(self.detail)
        rl.addWidget(self.counts_view)
        rl.addWidget(self.cards_box)
        rl.addWidget(self.preview_box, 20)
        rl.addStretch(1)  # keeps a sync's results at the top when there is no preview
        self.empty = EmptyState(
            "sync", "Preview first, then sync",
            "A dry run shows what a sync would create, update or delete on either side, field by field, "
            "without writing anything. Sync now pushes the local outbox and pulls what changed in the CRM.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(results)
        self.results = results

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(10)
        lay.addLayout(controls)
        lay.addWidget(self.progress)
        lay.addWidget(self.stack, 1)

    def selected_system(self) -> str:
        return str(self.system.currentData())

    def start(self, dry_run: bool) -> None:
        if self.handle is not None:
            return
        system, direction = self.selected_system(), str(self.direction.currentData())
        build = connector_factory(system, self.base_url(system))
        workspace = self.ctx.workspace

        def job(progress: Any, cancel: Any) -> SyncResult:
            progress(0, 0, "connecting")
            conn = build()
            try:
                return run_sync(workspace, conn, direction=direction, dry_run=dry_run, progress=progress,
                                cancel=cancel)
            finally:
                close_quietly(conn)

        what = "Previewing" if dry_run else "Syncing"
        title = f"{what} {SYSTEM_LABELS[system]} ({DIRECTION_LABELS[direction].lower()})"
        self.handle = self.ctx.jobs.start(title, job, self._succeeded, self._failed, self, inline=True)
        self.handle.cancelled.connect(self._cancelled)
        self.handle.done.connect(self._done)
        self.progress.attach(self.handle)
        for b in (self.preview_button, self.sync_button, self.system, self.direction):
            b.setEnabled(False)

    def _done(self) -> None:
        self.handle = None
        for b in (self.preview_button, self.sync_button, self.system, self.direction):
            b.setEnabled(True)

    def _succeeded(self, result: SyncResult) -> None:
        self.show_result(result)
        self.finished.emit(result)

    def _failed(self, message: str, _details: str) -> None:
        self._message("Sync could not run", message, "failed")
        self.finished.emit(None)

    def _cancelled(self) -> None:
        self._message("Cancelled", "The run stopped; what was already synced is kept and the rest stays in "
                      "the outbox for the next run.", "cancelled")
        self.finished.emit(None)

    def _message(self, title: str, text: str, tone: str) -> None:
        self.result = None
        self.summary.setText(title)
        self.summary.setStyleSheet(f"color: {STATUS_TONES[tone]};")
        self.detail.setText(text)
        self.counts.set_rows([])
        self.counts_view.hide()
        self._set_cards({})
        self.preview_box.hide()
        self.stack.setCurrentWidget(self.results)

    def show_result(self, result: SyncResult) -> None:
        self.result = result
        mode = "Dry run" if result.dry_run else "Sync"
        status = STATUS_LABELS.get(result.status, result.status)
        self.summary.setText(f"{mode} · {SYSTEM_LABELS.get(result.system, result.system)} · "
                             f"{DIRECTION_LABELS.get(result.direction, result.direction)} — {status}")
        self.summary.setStyleSheet(f"color: {STATUS_TONES.get(result.status, '#0f172a')};")
        bits = [f"{result.api_calls:,} API calls"]
        if result.duration is not None:
            bits.append(f"{result.duration:.1f} s")
        if result.dry_run:
            bits.append(f"{len(result.preview):,} planned changes · nothing was written")
        if result.failure:
            bits.append(result.failure)
        bits += result.warnings[:3]
        self.detail.setText(" · ".join(bits))
        self.counts.set_counts(result.push, result.pull)
        self.counts_view.setVisible(self.counts.rowCount() > 0)
        header = self.counts_view.horizontalHeader().sizeHint().height()
        self.counts_view.setFixedHeight(header + 28 * max(self.counts.rowCount(), 1) + 4)
        groups: dict[str, list[str]] = {}
        for e in result.errors:
            groups.setdefault(e.kind, []).append(e.message)
        self._set_cards(groups)
        self.preview.set_rows(preview_lines(result.preview) if result.dry_run else [])
        self.preview_title.setText(f"Preview — {self.preview.rowCount():,} field changes, nothing was written"
                                   if self.preview.rowCount() else "Preview — nothing would change")
        self.preview_box.setVisible(result.dry_run)
        self.stack.setCurrentWidget(self.results)

    def _set_cards(self, groups: dict[str, list[str]]) -> None:
        while self.cards.count():
            item = self.cards.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for kind, messages in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            self.cards.addWidget(ErrorCard(kind, messages))
        self.cards.addStretch(1)
        self.cards_box.setVisible(bool(groups))

    def error_cards(self) -> list[ErrorCard]:
        return [self.cards.itemAt(i).widget() for i in range(self.cards.count())
                if isinstance(self.cards.itemAt(i).widget(), ErrorCard)]



