"""Runs ``bdr_desk.jobs`` jobs off the GUI thread: a QThreadPool worker with progress/finished/failed
signals, and a progress panel with a Cancel button.

Results cross back to the GUI thread through queued signals; a job opens its own Session and returns plain
data. Failures go to the dialog seam (``ui.dialogs.show_error``) unless the caller handles them.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from bdr_desk.crashlog import one_line
from bdr_desk.jobs import CancelToken, JobCancelled
from ui import dialogs
from ui.theme import icon

PROGRESS_INTERVAL_S = 0.05


class _WorkerSignals(QObject):
    """Emitted from the worker thread; received by the handle on the GUI thread (queued connections)."""

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()


class JobHandle(QObject):
    """The GUI-thread side of one running job. Every signal here is emitted on the GUI thread, so callbacks
    connected to it may touch widgets."""

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str, str)  # one-line message, traceback
    cancelled = Signal()
    done = Signal()  # after any of the three outcomes

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.token = CancelToken()
        self.running = True
        self.inline = False  # shown by its caller's own strip, not the main window's
        self.worker_signals = _WorkerSignals()  # lives on the GUI thread, like the handle
        self.worker_signals.progress.connect(self._on_progress)
        self.worker_signals.succeeded.connect(self._on_succeeded)
        self.worker_signals.failed.connect(self._on_failed)
        self.worker_signals.cancelled.connect(self._on_cancelled)

    def cancel(self) -> None:
        self.token.cancel()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self.running:
            self.progress.emit(done, total, message)

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self._finish(self.succeeded, result)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._finish(self.failed, message, details)

    @Slot()
    def _on_cancelled(self) -> None:
        self._finish(self.cancelled)

    def _finish(self, signal: Any, *args: Any) -> None:
        self.running = False
        signal.emit(*args)
        self.done.emit()


class _Worker(QRunnable):
    def __init__(self, job: Callable[..., Any], handle: JobHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.job = job
        self.token = handle.token
        self.signals = handle.worker_signals
        self._last = 0.0
        self._message: str | None = None

    def _progress(self, done: int, total: int, message: str = "") -> None:
        # count-only updates are thinned to one per interval; a new message (the next page, phase or account) is
        # always delivered, so a strip never shows a stale step while the job waits on something slow
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL_S or done >= total or message != self._message:
            self._last, self._message = now, message
            self.signals.progress.emit(done, total, message)

    def run(self) -> None:
        try:
            result = self.job(self._progress, self.token)
        except JobCancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, never swallowed
            self.signals.failed.emit(one_line(exc), "".join(traceback.format_exception(exc)))
        else:
            self.signals.succeeded.emit(result)


class JobRunner(QObject):
    """Starts jobs on a thread pool. Database writes from jobs are few and short; SQLite serializes them."""

    started = Signal(object)  # JobHandle

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._handles: set[JobHandle] = set()

    def start(
        self, title: str, job: Callable[..., Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[str, str], None] | None = None,
        parent_widget: QWidget | None = None,
        inline: bool = False,
    ) -> JobHandle:
        """Start ``job``; ``inline`` when the caller shows its own progress strip (the window's strip skips it)."""
        handle = JobHandle(title, self)
        handle.inline = inline
        if on_success:
            handle.succeeded.connect(on_success)
        if on_failure:
            handle.failed.connect(on_failure)
        else:
            handle.failed.connect(lambda msg, _tb: dialogs.show_error(parent_widget, f"{title} failed", msg, _tb))
        self._handles.add(handle)
        handle.done.connect(lambda: self._handles.discard(handle))
        self.started.emit(handle)
        self.pool.start(_Worker(job, handle))
        return handle

    @property
    def active(self) -> int:
        return len(self._handles)

    def cancel_all(self) -> None:
        for h in list(self._handles):
            h.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


class JobProgressPanel(QWidget):
    """A strip with the running job's message, a progress bar and Cancel; hidden when nothing runs.

    Given a runner it follows every job the runner starts (the main window's strip); without one, a dialog
    attaches the jobs of its own steps with :meth:`attach` (``inline`` drops the strip's frame).
    """

    def __init__(self, runner: JobRunner | None = None, parent: QWidget | None = None, inline: bool = False) -> None:
        super().__init__(parent)
        if not inline:
            self.setObjectName("JobPanel")
        self.label = QLabel()
        if inline:
            self.label.setObjectName("Muted")
        self.bar = QProgressBar()
        self.bar.setTextVisible(not inline)
        if not inline:
            self.bar.setMaximumWidth(320)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(*((0, 0, 0, 0) if inline else (12, 6, 12, 6)))
        lay.addWidget(self.label, 1)
        lay.addWidget(self.bar, 2 if inline else 0)
        lay.addWidget(self.cancel_button)
        self.handle: JobHandle | None = None
        self._title = ""
        if runner is not None:
            runner.started.connect(self._follow)
        self.hide()

    def _follow(self, handle: JobHandle) -> None:
        if not handle.inline:
            self.attach(handle)

    def attach(self, handle: JobHandle, message: str | None = None) -> None:
        self.handle = handle
        self._title = message or handle.title
        self.label.setText(self._title)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        handle.progress.connect(self._on_progress)
        handle.done.connect(self._on_done)
        self.show()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if self.handle is not None and self.cancel_button.isEnabled():
            self.label.setText(f"{self._title} — {message}" if message else self._title)

    def _cancel(self) -> None:
        if self.handle:
            self.handle.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(f"{self._title} — cancelling…")

    def _on_done(self) -> None:
        if self.sender() is self.handle:
            self.handle = None
            self.hide()
