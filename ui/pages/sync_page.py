"""CRM sync: where HubSpot and Salesforce stand, what is waiting to be pushed, and the journal of runs."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.crm.status import ConnectorStatus, SyncRunRow, connector_statuses, recent_runs, sync_overview
from ui.context import AppContext
from ui.models.sync_journal import SyncJournalModel
from ui.widgets.common import Card, EmptyState, PageHeader, label

JOURNAL_LIMIT = 200


def when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


def duration(run: SyncRunRow) -> str:
    d = run.duration
    if d is None:
        return "running…" if run.status == "running" else ""
    secs = max(int(d.total_seconds()), 0)
    if secs < 60:
        return f"{secs} s"
    if secs < 3600:
        return f"{secs // 60} min {secs % 60:02d} s"
    return f"{secs // 3600} h {secs % 3600 // 60:02d} min"


JOURNAL_COLUMNS = [
    ("Started", lambda r: when(r.started_at)),
    ("CRM", lambda r: r.system_label),
    ("Direction", lambda r: r.direction_label),
    ("Dry run", lambda r: "Yes" if r.dry_run else "No"),
    ("Status", lambda r: r.status_label),
    ("Duration", duration),
    ("API calls", lambda r: f"{r.api_calls:,}"),
    ("Errors", lambda r: f"{r.error_count:,}"),
]



def _sized(card: QFrame) -> QFrame:
    """Let the row's stretch factors alone decide the card widths, whatever their text."""
    card.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return card


class ConnectorCard(QFrame):
    """One CRM: its name, its state in one line, and how to connect it in one honest line."""

    def __init__(self, status: ConnectorStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.system = status.system
        self.name = label(status.label, "SectionTitle")
        self.state = label("", "CardState")
        self.state.setStyleSheet("font-weight: 600;")
        self.how = label("", "Muted", wrap=True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(4)
        lay.addWidget(self.name)
        lay.addWidget(self.state)
        lay.addWidget(self.how)
        lay.addStretch(1)
        self.set_status(status)

    def set_status(self, status: ConnectorStatus) -> None:
        self.state.setText(status.state)
        self.how.setText(status.how_to_connect)


class SyncPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.header = PageHeader("CRM sync", "Keep HubSpot or Salesforce in step with this workspace")

        self.connectors = {s.system: ConnectorCard(s) for s in connector_statuses()}
        self.pending = Card("Changes waiting to push", "0",
                            "Local edits recorded in the outbox, pushed on the next sync")
        self.conflicts = Card("Open conflicts", "0",
                              "Fields changed both here and in the CRM since the last sync, waiting for a choice")
        for card in (self.pending, self.conflicts):
            card.caption.setWordWrap(True)
            card.layout().addStretch(1)
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for w in self.connectors.values():
            cards.addWidget(_sized(w), 3)
        cards.addWidget(_sized(self.pending), 2)
        cards.addWidget(_sized(self.conflicts), 2)

        self.model = SyncJournalModel(JOURNAL_COLUMNS, numeric=("Duration", "API calls", "Errors"),
                                      status_column="Status", parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((150, 110, 110, 80, 110, 120, 90, 80)):
            self.table.setColumnWidth(col, width)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # the status takes the slack

        self.empty = EmptyState(
            "sync", "No sync has run yet",
            "Every push and pull with HubSpot or Salesforce is recorded here: when it ran, what it did, how "
            "many API calls it made and what failed. Edits you make meanwhile wait safely in the local outbox.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        journal_title = QHBoxLayout()
        journal_title.addWidget(label("Sync journal", "SectionTitle"))
        journal_title.addStretch(1)
        self.journal_count = label("", "Muted")
        journal_title.addWidget(self.journal_count)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addLayout(cards)
        lay.addSpacing(4)
        lay.addLayout(journal_title)
        lay.addWidget(self.stack, 1)

    def refresh(self) -> None:
        for status in connector_statuses():
            self.connectors[status.system].set_status(status)
        with self.ctx.workspace.session() as s:
            overview = sync_overview(s)
            runs = recent_runs(s, JOURNAL_LIMIT)
        self.pending.set_value(f"{overview.pending_changes:,}")
        failing = f" · {overview.failing_changes:,} failed last try" if overview.failing_changes else ""
        self.pending.caption.setText(f"Changes waiting to push{failing}")
        self.conflicts.set_value(f"{overview.open_conflicts:,}")
        self.model.set_rows(runs)
        if runs:
            shown = f"latest {len(runs):,} of {overview.runs:,} runs" if overview.runs > len(runs) \
                else f"{overview.runs:,} run{'s' if overview.runs != 1 else ''}"
            self.journal_count.setText(shown)
            self.stack.setCurrentWidget(self.table)
        else:
            self.journal_count.setText("")
            self.stack.setCurrentWidget(self.empty)
