"""The journal of sync runs (status, direction, start, duration, API calls, errors) and its CSV/JSON export
through the save-file seam."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from bdr_desk.crm.journal import export_journal
from bdr_desk.crm.status import SyncOverview, SyncRunRow, recent_runs
from ui import dialogs
from ui.context import AppContext
from ui.models.sync_journal import SyncJournalModel
from ui.sync.run import table
from ui.theme import icon
from ui.widgets.common import EmptyState, label

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


class JournalPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = SyncJournalModel(JOURNAL_COLUMNS, numeric=("Duration", "API calls", "Errors"),
                                      status_column="Status", parent=self)
        self.table = table(self.model, stretch_last=False)
        for col, width in enumerate((150, 110, 110, 80, 110, 120, 90, 80)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.empty = EmptyState(
            "sync", "No sync has run yet",
            "Every push and pull with HubSpot or Salesforce is recorded here: when it ran, what it did, how "
            "many API calls it made and what failed. Edits you make meanwhile wait safely in the local outbox.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.count = label("", "Muted")
        self.export_button = QPushButton(icon("file-text"), "Export…")
        self.export_button.setToolTip("Save the journal as CSV or JSON (counts and error kinds; never a token)")
        self.export_button.clicked.connect(self.export)
        head = QHBoxLayout()
        head.addWidget(self.count)
        head.addStretch(1)
        head.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addLayout(head)
        lay.addWidget(self.stack, 1)

    def refresh(self, overview: SyncOverview) -> None:
        with self.ctx.workspace.session() as s:
            runs = recent_runs(s, JOURNAL_LIMIT)
        self.model.set_rows(runs)
        self.export_button.setEnabled(bool(runs))
        if runs:
            shown = f"latest {len(runs):,} of {overview.runs:,} runs" if overview.runs > len(runs) \
                else f"{overview.runs:,} run{'s' if overview.runs != 1 else ''}"
            self.count.setText(shown)
            self.stack.setCurrentWidget(self.table)
        else:
            self.count.setText("")
            self.stack.setCurrentWidget(self.empty)

    def export(self) -> None:
        path = dialogs.save_file(self, "Export sync journal", "sync-journal.csv",
                                 "CSV files (*.csv);;JSON files (*.json)")
        if not path:
            return
        fmt = "json" if path.lower().endswith(".json") else "csv"
        try:
            with self.ctx.workspace.session() as s:
                text = export_journal(s, fmt)
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            dialogs.show_error(self, "Export failed", f"Could not write {path}: {exc.strerror or exc}")
            return
        self.count.setText(f"Exported to {Path(path).name}")
