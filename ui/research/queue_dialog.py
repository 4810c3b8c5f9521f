"""Research a whole target list in the background: the list's accounts go into the research queue, and one job
researches them one host at a time with a progress bar and Cancel.

The queue is stored, so it outlives this dialog and the app: closing the dialog leaves the job running (the
main window's job strip shows it); a cancel or a crash leaves the remaining accounts queued, and opening the
dialog again shows them with Resume. One :class:`QueueRunner` per app (a child of the job runner) owns the job,
so every dialog shows the same run."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import func, or_, select

from accounts.models import Account
from accounts.queries import AccountFilter, account_ids
from accounts.research import queue as Q
from bdr_desk.db import Workspace
from ui.context import AppContext
from ui.jobs import JobHandle, JobProgressPanel
from ui.pages.content.notice import Notice
from ui.research import common
from ui.research.common import PillDelegate, plural
from ui.research.sections import button
from ui.research.site_models import QueueModel
from ui.theme import app_icon
from ui.widgets.common import label
from ui.widgets.tables import make_table


class QueueRunner(QObject):
    """Runs the research queue as one background job at a time; find it with :meth:`of`."""

    changed = Signal()  # the queue's rows may have changed (an account started or finished, the job ended)
    finished = Signal(str)  # "done", "failed" or "cancelled"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx.jobs)
        self.setObjectName("ResearchQueueRunner")
        self.ctx = ctx
        self.handle: JobHandle | None = None
        self.result: Q.QueueRunResult | None = None
        self.error = ""
        self._seen: tuple[int, str] | None = None
        self.timer = QTimer(self)  # progress reports are thinned out; the rows are re-read now and then too
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.changed)

    @classmethod
    def of(cls, ctx: AppContext) -> QueueRunner:
        found = ctx.jobs.findChild(QueueRunner, "ResearchQueueRunner")
        return found if isinstance(found, QueueRunner) else cls(ctx)

    @property
    def running(self) -> bool:
        return self.handle is not None

    def start(self) -> JobHandle | None:
        if self.handle is not None:
            return None
        self.result, self.error, self._seen = None, "", None
        job = Q.queue_job(self.ctx.workspace, options=common.crawl_options(self.ctx))
        self.handle = self.ctx.jobs.start("Researching the queued accounts", job, on_success=self._done,
                                          on_failure=self._failed)
        self.handle.progress.connect(self._progress)
        self.handle.cancelled.connect(lambda: self.finished.emit("cancelled"))
        self.handle.done.connect(self._ended)
        self.timer.start()
        self.changed.emit()
        return self.handle

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()

    def _progress(self, done: int, _total: int, message: str) -> None:
        seen = (done, message.partition(":")[0])  # the account in hand, and how many are finished
        if seen != self._seen:
            self._seen = seen
            self.changed.emit()

    def _done(self, result: Q.QueueRunResult) -> None:
        self.result = result
        self.finished.emit("done")

    def _failed(self, message: str, _details: str) -> None:
        self.error = message
        self.finished.emit("failed")

    def _ended(self) -> None:
        self.handle = None
        self.timer.stop()
        self.changed.emit()


class QueueStrip(JobProgressPanel):
    """The job strip of the dialog: how far the queue is, read from the queue itself (the job's own reports are
    thinned out on their way to the GUI and name pages, not accounts)."""

    def _on_progress(self, done: int, total: int, message: str) -> None:  # the queue rows say it better
        pass

    def show_queue(self, finished: int, total: int, current: str | None) -> None:
        if self.handle is None or not self.cancel_button.isEnabled():  # idle, or cancelling
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(finished)
        doing = f"Researching {current}" if current else "Researching the queue"
        self.label.setText(f"{doing} — {finished:,} of {plural(total, 'account')} finished")


def list_counts(ws: Workspace, list_id: int) -> tuple[int, int]:
    """(accounts in the list, how many of them have a website or domain to research)."""
    with ws.session() as s:
        ids = account_ids(s, AccountFilter(list_id=list_id))
        with_site = s.scalar(select(func.count()).select_from(Account).where(
            Account.id.in_(ids), or_(Account.website.is_not(None), Account.domain.is_not(None)))) if ids else 0
    return len(ids), with_site or 0


class ResearchQueueDialog(QDialog):
    def __init__(self, ctx: AppContext, list_id: int | None = None, list_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.list_id, self.list_name = ctx, list_id, list_name
        self.runner = QueueRunner.of(ctx)
        self.setWindowTitle("Research all accounts")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(820, 520)
        self.counts = label("", "Muted")
        self.model = QueueModel(self)
        self.table = make_table(self.model, (180, 150, 110, 90, 150), stretch=QueueModel.REASON, sortable=False)
        self.table.setItemDelegateForColumn(QueueModel.STATUS, PillDelegate(self.table))
        self.progress = QueueStrip(inline=True)
        self.notice = Notice()
        self.start_button = button("Research the list", "globe", "Queue every account of the list that has a "
                                   "website and start researching", primary=True)
        self.resume_button = button("Resume", "play", "Research the accounts still waiting in the queue")
        self.retry_button = button("Retry failed", "sync", "Queue the failed accounts again and research them")
        self.clear_button = button("Clear finished", "trash", "Take the done and failed accounts off the queue "
                                   "(their research stays on the accounts)")
        self.start_button.clicked.connect(self.research_list)
        self.resume_button.clicked.connect(self.resume)
        self.retry_button.clicked.connect(self.retry_failed)
        self.clear_button.clicked.connect(self.clear_finished)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for b in (self.clear_button, self.retry_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.resume_button, self.start_button, close):
            buttons.addWidget(b)
        intro = ("Research reads each account's website politely — one website at a time, robots.txt honoured, "
                 "a pause between pages — and stores company facts, people, technologies and signals on the "
                 "account. Nothing on an account changes until you apply it on its Research tab. The queue is "
                 "kept: you can close this window (the research goes on), and if BDR Desk stops, Resume picks "
                 "up where it left off.")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 14)
        lay.setSpacing(10)
        self.with_site = 0
        if list_id is not None:
            total, with_site = list_counts(ctx.workspace, list_id)
            self.with_site = with_site
            self.list_line = label(f"“{list_name}”: {plural(total, 'account')}, {with_site:,} with a website to "
                                   "research", "SectionTitle", wrap=True)
            lay.addWidget(self.list_line)
            self.start_button.setText(f"Research {plural(with_site, 'account')}")
        else:
            self.start_button.hide()
            lay.addWidget(label("Research queue", "SectionTitle"))
        lay.addWidget(label(intro, "Muted", wrap=True))
        lay.addSpacing(2)
        lay.addWidget(self.counts)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.notice)
        lay.addSpacing(2)
        lay.addLayout(buttons)
        self.runner.changed.connect(self.refresh)
        self.runner.finished.connect(self._finished)
        if self.runner.handle is not None:
            self.progress.attach(self.runner.handle, "Researching the queue")
        self.refresh()
        self._explain_leftovers()

    # ---- data ----
    def refresh(self) -> None:
        with self.ctx.workspace.session() as s:
            status = Q.queue_status(s)
            ids = [r.account_id for r in status.rows]
            sites = {i: w for i, w in s.execute(select(Account.id, Account.website).where(Account.id.in_(ids)))} \
                if ids else {}
        self.status = status
        running = self.runner.running
        self.model.set_queue(status.rows, running, sites)
        c = status.counts
        waiting = c["queued"] + (0 if running else c["running"])
        parts = [f"{waiting:,} waiting"] + ([f"{c['running']:,} researching"] if running and c["running"] else []) \
            + [f"{c['done']:,} done", f"{c['failed']:,} failed"]
        self.counts.setText("Queue: " + " · ".join(parts))
        self.resume_button.setVisible(waiting > 0 and not running)
        self.resume_button.setText(f"Resume ({waiting:,} waiting)")
        self.retry_button.setVisible(c["failed"] > 0)
        self.retry_button.setEnabled(not running)
        self.clear_button.setEnabled(c["done"] + c["failed"] > 0)
        self.start_button.setEnabled(not running and self.with_site > 0)
        if running:
            current = next((r.account_name for r in status.rows if r.status == "running"), None)
            self.progress.show_queue(c["done"] + c["failed"], sum(c.values()), current)

    def _explain_leftovers(self) -> None:
        c = self.status.counts
        waiting = c["queued"] + c["running"]
        if waiting and not self.runner.running:
            self.notice.show_message(f"{plural(waiting, 'account')} from an earlier run "
                                     f"{'is' if waiting == 1 else 'are'} still waiting. Resume researches "
                                     f"{'it' if waiting == 1 else 'them'}.", "info")

    # ---- actions ----
    def research_list(self) -> None:
        if self.list_id is None or self.runner.running:
            return
        with self.ctx.workspace.session() as s:
            res = Q.enqueue_list(s, self.list_id)
        queued = res.added + res.requeued
        text = f"Queued {plural(queued, 'account')}"
        if res.already:
            text += f"; {res.already:,} {'was' if res.already == 1 else 'were'} queued already"
        if res.skipped:
            text += f". Skipped {len(res.skipped):,} without a website: " + ", ".join(
                s.replace(" has no website or domain", "") for s in res.skipped[:5]) + \
                ("…" if len(res.skipped) > 5 else "")
        self.notice.show_message(text + ".", "info")
        self._run()

    def resume(self) -> None:
        self.notice.hide()
        self._run()

    def retry_failed(self) -> None:
        if self.runner.running:
            return
        with self.ctx.workspace.session() as s:
            n = Q.retry_failed(s)
        self.notice.show_message(f"Queued {plural(n, 'failed account')} again.", "info")
        self._run()

    def clear_finished(self) -> None:
        with self.ctx.workspace.session() as s:
            n = Q.remove(s, statuses=("done", "failed"))
        self.notice.show_message(f"Took {plural(n, 'finished account')} off the queue.", "info")
        self.refresh()

    def _run(self) -> None:
        handle = self.runner.start()
        if handle is not None:
            self.progress.attach(handle, "Researching the queue")
        self.refresh()

    def cancel(self) -> None:
        if self.runner.running:
            self.progress.cancel_button.click()

    def _finished(self, outcome: str) -> None:
        r = self.runner.result
        if outcome == "done" and r is not None:
            text = f"Researched {plural(r.done + r.failed, 'account')}: {r.done:,} done, {r.failed:,} failed."
            if r.recovered:
                text += f" {plural(r.recovered, 'account')} interrupted earlier {'was' if r.recovered == 1 else 'were'}" \
                        " researched again."
            self.notice.show_message(text, "success" if not r.failed else "warning")
        elif outcome == "cancelled":
            self.notice.show_message("Stopped. The accounts not researched yet stay in the queue; Resume "
                                     "continues with them.", "info")
        else:
            self.notice.show_message(f"The research queue stopped: {self.runner.error}", "warning")
