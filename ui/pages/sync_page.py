"""CRM sync: connect HubSpot or Salesforce (token straight to the OS keyring), preview and run a sync with
progress and Cancel, the journal of runs, the conflict queue and the field-mapping editor; an "out of sync"
badge in the header counts the local changes waiting in the outbox.

The parts live in ``ui/sync/``; this module lays them out and keeps them fresh."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from bdr_desk.crm.status import SyncOverview, connector_statuses, sync_overview
from ui.context import AppContext
from ui.sync.conflicts import ConflictPanel
from ui.sync.connect import ConnectCard
from ui.sync.journal import JournalPanel
from ui.sync.mapping_editor import MappingPanel
from ui.sync.run import RunPanel
from ui.widgets.common import PageHeader, label

BADGE_STYLES = {
    "pending": "background: #fef3c7; color: #92400e;",
    "clean": "background: #d1fae5; color: #065f46;",
}


def badge_text(overview: SyncOverview) -> str:
    n = overview.pending_changes
    if not n:
        return "In sync"
    failing = f" · {overview.failing_changes:,} failing" if overview.failing_changes else ""
    return f"{n:,} change{'s' if n != 1 else ''} out of sync{failing}"


class SyncPage(QWidget):
    outOfSync = Signal(int)  # noqa: N815 - pending outbox changes, for the navigation badge

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.overview: SyncOverview | None = None
        self.header = PageHeader("CRM sync", "Keep HubSpot or Salesforce in step with this workspace")
        self.badge = label("", "Badge")
        self.badge.setToolTip("Local changes recorded in the outbox, pushed on the next sync")
        self.header.actions.addWidget(self.badge)

        self.connectors = {s.system: ConnectCard(ctx, s) for s in connector_statuses()}
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for card in self.connectors.values():
            cards.addWidget(card, 1)
            card.connectionTested.connect(lambda *_: self.refresh())

        self.run = RunPanel(ctx, lambda system: self.connectors[system].base_url())
        self.run.finished.connect(lambda *_: self.refresh())
        self.journal = JournalPanel(ctx)
        self.conflict_queue = ConflictPanel(ctx)
        self.conflict_queue.resolved.connect(self.refresh)
        self.mapping = MappingPanel(ctx)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.run, "Run")
        self.tabs.addTab(self.journal, "Journal")
        self.tabs.addTab(self.conflict_queue, "Conflicts")
        self.tabs.addTab(self.mapping, "Field mapping")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addLayout(cards)
        lay.addWidget(self.tabs, 1)
        self.mapping.load()

    def refresh(self) -> None:
        for status in connector_statuses():
            self.connectors[status.system].set_status(status)
        with self.ctx.workspace.session() as s:
            self.overview = sync_overview(s)
        ov = self.overview
        self.badge.setText(badge_text(ov))
        self.badge.setStyleSheet(BADGE_STYLES["pending" if ov.pending_changes else "clean"])
        self.journal.refresh(ov)
        self.conflict_queue.refresh()
        self.tabs.setTabText(2, f"Conflicts ({ov.open_conflicts:,})" if ov.open_conflicts else "Conflicts")
        self.outOfSync.emit(ov.pending_changes)
