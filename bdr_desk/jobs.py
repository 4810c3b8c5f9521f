"""The job protocol for long work (import, research, indexing, sync, batch export).

A job is a plain function ``job(progress, cancel) -> result``:

* ``progress(done, total, message)`` reports how far it got (``total`` 0 means "unknown");
* ``cancel`` is a :class:`CancelToken`; the job calls ``cancel.raise_if_cancelled()`` between units of work
  and the runner turns the resulting :class:`JobCancelled` into a clean "cancelled" outcome.

Jobs open their own Session; they never receive one from the GUI thread. The CLI runs them inline with a
text progress bar (:func:`run_inline`); ``ui.jobs`` runs them on a QThreadPool with a progress bar and Cancel.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO, TypeVar

T = TypeVar("T")


class ProgressFn(Protocol):
    def __call__(self, done: int, total: int, message: str = "") -> None: ...


class JobCancelled(Exception):
    """Raised inside a job when its cancel token was set; not an error."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise JobCancelled()


Job = Callable[[ProgressFn, CancelToken], T]


def no_progress(done: int, total: int, message: str = "") -> None:
    """A progress callback that ignores reports (tests, nested jobs)."""


class TextProgress:
    """A terminal progress bar for the CLI; prints nothing when the stream is not a TTY."""

    def __init__(self, stream: TextIO | None = None, width: int = 30, min_interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.min_interval = min_interval
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if not self.stream.isatty():
            return
        now = time.monotonic()
        if now - self._last < self.min_interval and done < total:
            return
        self._last = now
        if total > 0:
            filled = int(self.width * min(done, total) / total)
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"\r[{bar}] {done}/{total} {message[:40]:<40}"
        else:
            line = f"\r{done} {message[:60]:<60}"
        self.stream.write(line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def run_inline(job: Callable[[ProgressFn, CancelToken], Any], progress: ProgressFn | None = None) -> Any:
    """Run a job on the calling thread (CLI, tests). Ctrl-C cancels it."""
    token = CancelToken()
    bar = progress or TextProgress()
    try:
        return job(bar, token)
    except KeyboardInterrupt:
        token.cancel()
        raise JobCancelled() from None
    finally:
        if isinstance(bar, TextProgress):
            bar.close()
