"""The account import wizard: 1 File · 2 Columns · 3 Check · 4 Import.

Reading the file, the dry run and the import are jobs (``ctx.jobs``) with a progress bar and Cancel; the GUI
thread only holds the parsed :class:`accounts.tabular.Table` and the models over it. The domain guarantees
one transaction per import, so a cancelled or failed import changes nothing.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.importing import ImportResult
from accounts.models import TargetList
from accounts.tabular import Table, TabularError, read_table
from ui import dialogs
from ui.context import AppContext
from ui.import_kinds import ACCOUNTS, ImportKind
from ui.import_pages import (
    DELIMITERS,
    ENCODINGS,
    FILTERS,
    PLANNED_ROWS,
    PREVIEW_ROWS,
    STEPS,
    SYSTEMS,
    WizardPages,
)
from ui.jobs import JobHandle, JobProgressPanel
from ui.theme import app_icon
from ui.widgets.common import Card, label


def _read_job(path: str, progress: Any, cancel: Any) -> Table | str:
    """Read the file off the GUI thread; a TabularError comes back as its one-line message."""
    progress(0, 0, f"Reading {Path(path).name}")
    try:
        return read_table(path)
    except TabularError as exc:
        return str(exc)


class ImportWizard(WizardPages, QDialog):
    """``ImportWizard(ctx, parent).exec()``; ``path`` starts by reading that file."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, path: str | None = None,
                 kind: ImportKind = ACCOUNTS) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.setWindowTitle(f"Import {kind.noun}")
        self.setWindowIcon(app_icon())
        self.setObjectName("ImportWizard")
        self.setAcceptDrops(True)
        self.resize(1000, 740)
        self.table: Table | None = None
        self.path: str | None = None
        self.dry: ImportResult | None = None
        self.import_result: ImportResult | None = None
        self.outcome = ""  # "", "ok", "cancelled", "failed" for the real import
        self.handle: JobHandle | None = None
        self._read_seq = 0

        self.title = label(f"Import {kind.noun}", "PageTitle")
        self.steps = label("", "PageSubtitle")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._file_page())
        self.stack.addWidget(self._mapping_page())
        self.stack.addWidget(self._check_page())
        self.stack.addWidget(self._import_page())

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("Primary")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #e2e8f0;")
        footer = QHBoxLayout()
        footer.addWidget(self.cancel_button)
        footer.addStretch(1)
        footer.addWidget(self.back_button)
        footer.addWidget(self.next_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.steps)
        lay.addLayout(head)
        lay.addSpacing(4)
        lay.addWidget(self.stack, 1)
        lay.addWidget(line)
        lay.addLayout(footer)
        self.mapping_model.mapping_changed.connect(self._on_mapping_changed)
        self._update()
        if path:
            self.load_file(path)

    # ---- pages --------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path = dialogs.open_file(self, f"Import {self.kind.noun}", FILTERS)
        if path:
            self.load_file(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and self.stack.currentIndex() == 0 and not self.busy():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files and self.stack.currentIndex() == 0 and not self.busy():
            event.acceptProposedAction()
            self.load_file(files[0])

    def load_file(self, path: str) -> None:
        """Read ``path`` as a job; the result shows on the first page."""
        if self.busy():
            return
        self._read_seq += 1
        seq = self._read_seq
        self.path, self.table, self.dry = path, None, None
        for w in (self.file_name, self.file_facts, self.file_warnings, self.file_error):
            w.clear()
        self.file_card.hide()
        self._run("Reading the file", partial(_read_job, path), self.read_strip, f"Reading {Path(path).name}…",
                  on_success=lambda result: self._file_read(seq, result),
                  on_failure=lambda msg, _tb: self._file_read(seq, f"Could not read {Path(path).name}: {msg}"))

    def _file_read(self, seq: int, result: Table | str) -> None:
        if seq != self._read_seq:
            return
        if isinstance(result, str):
            self.file_error.setText(result)
            self._update()
            return
        t = self.table = result
        self.file_name.setText(Path(self.path or t.source).name)
        enc = ENCODINGS.get(t.encoding or "", (t.encoding or "unknown encoding").upper())
        fmt = "Excel workbook" if t.encoding == "xlsx" else f"{enc} · {DELIMITERS.get(t.delimiter or ',', 'delimited')}"
        self.file_facts.setText(f"{fmt} · {len(t.rows):,} data rows · {len(t.headers):,} columns"
                                + (f" · header on row {t.header_row}" if t.header_row != 1 else ""))
        self.file_warnings.setText("\n".join(f"⚠ {w}" for w in t.warnings))
        self.file_warnings.setVisible(bool(t.warnings))
        self.file_card.show()
        self.choose_button.setText("Choose another file…")
        system = self.kind.system(t.headers)
        self.mapping_model.set_table(t.headers, t.rows, self.kind.guess(t.headers))
        self.preview_model.set_table(t.headers, t.rows[:PREVIEW_ROWS],
                                     [t.row_number(i) for i in range(min(PREVIEW_ROWS, len(t.rows)))])
        mapped = sum(1 for f in self.mapping_model.mapping().values() if f)
        self.system_note.setText(
            (f"Looks like a {SYSTEMS[system]} export. " if system else "")
            + f"{mapped} of {len(t.headers)} columns were recognised by their names. Click a “Maps to” "
            "cell to change a match; columns set to “Don’t import” are ignored.")
        if len(t.headers) <= 200:  # a few rows: sizing columns to their text is cheap
            self.preview_view.resizeColumnsToContents()
            for c in range(len(t.headers)):
                self.preview_view.setColumnWidth(c, min(self.preview_view.columnWidth(c) + 8, 240))
        self._update()

    # ---- step 2: the mapping ------------------------------------------------------------------------
    def mapping_problems(self) -> list[str]:
        if self.table is None:
            return ["no file"]
        return self.kind.validate(self.table.headers, self.mapping_model.mapping())

    def _on_mapping_changed(self) -> None:
        self.preview_model.set_mapping(self.mapping_model.mapping())
        problems = self.mapping_problems() if self.table is not None else []
        self.problems.setText("\n".join(f"• {p[0].upper()}{p[1:]}" for p in problems))
        self.dry = None
        self._update()

    def options(self, dry_run: bool) -> object:
        return self.kind.options(dry_run, self.list_name.text().strip() or None,
                                 self.update_existing.isChecked(), self.ctx.user.id)

    def _load_list_names(self) -> None:
        with self.ctx.workspace.session() as s:  # a handful of names: trivial on the GUI thread
            names = list(s.scalars(select(TargetList.name).where(TargetList.kind == "static")
                                   .order_by(TargetList.name).limit(500)))
        completer = QCompleter(names, self.list_name)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list_name.setCompleter(completer)

    # ---- step 3: the dry run ------------------------------------------------------------------------
    def start_dry_run(self) -> None:
        if self.busy() or self.table is None or self.mapping_problems():
            return
        self.dry = None
        self.rerun_button.hide()
        self.check_summary.setText("")
        self.check_warnings.setText("")
        for c in self.check_cards.values():
            c.set_value("—")
        for m in (self.errors_model, self.planned_model, self.industries_model):
            m.set_rows([])
        job = partial(self.kind.run, self.ctx.workspace, self.table, self.mapping_model.mapping(),
                      self.options(dry_run=True))
        self._run("Checking the import", job, self.check_strip, "Checking rows…", on_success=self._dry_done,
                  on_failure=self._dry_failed, on_cancel=lambda: self._dry_stopped("The check was cancelled."))

    def _dry_done(self, result: ImportResult) -> None:
        self.dry = result
        self._show_counts(self.check_cards, result)
        total = result.created + result.updated + result.merged
        list_note = f" and add them to the list “{self.options(True).list_name}”" if self.list_name.text().strip() \
            else ""
        self.check_summary.setText(
            f"Importing would change {total:,} {self.kind.noun if total != 1 else self.kind.record.lower()}{list_note}. "
            + (f"{result.rejected:,} row(s) cannot be imported and would be skipped — see “Rows with problems”."
               if result.rejected else "Every row can be imported."))
        self.check_warnings.setText("\n".join(f"⚠ {w}" for w in result.warnings))
        self.check_warnings.setVisible(bool(result.warnings))
        self.errors_model.set_rows(result.errors)
        self.planned_model.set_rows([p for p in result.planned if p.action != "unchanged"][:PLANNED_ROWS]
                                    or result.planned[:PLANNED_ROWS])
        self.industries_model.set_rows(sorted(result.unknown_industries.items(), key=lambda kv: -kv[1]))
        shown = min(PLANNED_ROWS, len(result.planned))
        self.check_tabs.setTabText(0, f"Planned changes ({shown:,}"
                                   + (f" of {len(result.planned):,})" if len(result.planned) > shown else ")"))
        self.check_tabs.setTabText(1, f"Rows with problems ({len(result.errors):,})")
        self.check_tabs.setTabText(2, f"Unknown industries ({len(result.unknown_industries):,})")
        if result.errors and not total:
            self.check_tabs.setCurrentIndex(1)
        self._update()

    def _dry_failed(self, message: str, details: str) -> None:
        self._dry_stopped(f"The check failed: {message}")
        dialogs.show_error(self, "The import check failed", message, details)

    def _dry_stopped(self, text: str) -> None:
        self.check_summary.setText(f"{text} Nothing was changed.")
        self.rerun_button.show()
        self._update()

    # ---- step 4: the import -------------------------------------------------------------------------
    def start_import(self) -> None:
        if self.busy() or self.table is None or self.dry is None:
            return
        self.stack.setCurrentIndex(3)
        self.outcome = ""
        self.import_title.setText(f"Importing {Path(self.path or self.table.source).name}")
        self.import_summary.setText("")
        for w in (self.cards_host, self.skipped_title, self.skipped_view):
            w.hide()
        job = partial(self.kind.run, self.ctx.workspace, self.table, self.mapping_model.mapping(),
                      self.options(dry_run=False))
        self._run(f"Importing {self.kind.noun}", job, self.import_strip, "Importing…", on_success=self._import_done,
                  on_failure=self._import_failed, on_cancel=lambda: self._import_stopped("cancelled", ""))

    def _import_done(self, result: ImportResult) -> None:
        self.import_result, self.outcome = result, "ok"
        self.import_title.setText("Import finished")
        self._show_counts(self.import_cards, result)
        self.errors_model.set_rows(result.errors)
        self.cards_host.show()
        self.skipped_title.setVisible(bool(result.errors))
        self.skipped_view.setVisible(bool(result.errors))
        noun = self.kind.noun
        parts = [f"{result.created:,} {noun} created, {result.updated:,} updated and {result.merged:,} merged "
                 f"into existing {noun}."]
        if result.rejected:
            parts.append(f"{result.rejected:,} row(s) were skipped; they are listed below.")
        if self.list_name.text().strip():
            parts.append(f"The {noun} are on the list “{self.list_name.text().strip()}”.")
        self.import_summary.setText(" ".join(parts))
        self._update()

    def _import_failed(self, message: str, details: str) -> None:
        self._import_stopped("failed", message)
        dialogs.show_error(self, "The import failed", message, details)

    def _import_stopped(self, outcome: str, message: str) -> None:
        self.outcome = outcome
        self.import_title.setText("Import cancelled" if outcome == "cancelled" else "Import failed")
        self.import_summary.setText((f"{message}. " if message else "") + "Nothing was changed: the import "
                                    "runs in one transaction, and it was rolled back.")
        self._update()

    @staticmethod
    def _show_counts(cards: dict[str, Card], result: ImportResult) -> None:
        for key, card in cards.items():
            card.set_value(f"{getattr(result, key):,}")

    # ---- navigation and jobs ------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.handle is not None and self.handle.running

    def _run(self, title: str, job: Any, strip: JobProgressPanel, message: str, on_success: Any, on_failure: Any,
             on_cancel: Any = None) -> None:
        self.handle = self.ctx.jobs.start(title, job, on_success=on_success, on_failure=on_failure,
                                          parent_widget=self)
        if on_cancel is not None:
            self.handle.cancelled.connect(on_cancel)
        self.handle.done.connect(self._update)
        strip.attach(self.handle, message)
        self._update()

    def next(self) -> None:
        step = self.stack.currentIndex()
        if self.busy():
            return
        if step == 0 and self.table is not None:
            self._load_list_names()
            self.stack.setCurrentIndex(1)
        elif step == 1 and not self.mapping_problems():
            self.stack.setCurrentIndex(2)
            self.start_dry_run()
        elif step == 2 and self.dry is not None:
            self.start_import()
        elif step == 3 and self.outcome:
            self.accept()
        self._update()

    def back(self) -> None:
        step = self.stack.currentIndex()
        if not self.busy() and step in (1, 2):
            self.stack.setCurrentIndex(step - 1)
        self._update()

    def _update(self, *_: Any) -> None:
        step, busy = self.stack.currentIndex(), self.busy()
        parts = []
        for i, name in enumerate(STEPS):
            color, weight = ("#1d4ed8", 600) if i == step else (("#0f172a", 400) if i < step else ("#94a3b8", 400))
            parts.append(f"<span style='color:{color};font-weight:{weight}'>{i + 1}&nbsp;{name}</span>")
        self.steps.setText(" &nbsp;·&nbsp; ".join(parts))
        self.choose_button.setEnabled(not busy)
        self.back_button.setVisible(step in (1, 2))
        self.back_button.setEnabled(not busy)
        self.cancel_button.setVisible(step < 3)
        self.next_button.setVisible(step < 3 or bool(self.outcome))
        if step == 0:
            text, ok = "Next", self.table is not None
        elif step == 1:
            text, ok = "Check import", not self.mapping_problems()
        elif step == 2:
            changes = self.dry.created + self.dry.updated + self.dry.merged if self.dry else 0
            text, ok = (f"Import {changes:,} {self.kind.noun}" if self.dry else "Import"), self.dry is not None
        else:
            text, ok = "Close", bool(self.outcome)
        self.next_button.setText(text)
        self.next_button.setEnabled(ok and not busy)

    def reject(self) -> None:
        if self.busy():
            if self.stack.currentIndex() == 3 and not dialogs.ask(
                    self, "Stop the import?", "The import is still running. Stop it? Nothing will be changed."):
                return
            self.handle.cancel()  # type: ignore[union-attr]
        super().reject()
