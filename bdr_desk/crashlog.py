"""The crash log: full tracebacks go to a file in the data dir, the user sees one line."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

from bdr_desk.config import Settings


def write_crash(settings: Settings, exc: BaseException, context: str = "") -> Path | None:
    """Append the traceback of ``exc`` to the crash log; return its path (None if it cannot be written)."""
    try:
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        with settings.crash_log.open("a", encoding="utf-8") as fh:
            fh.write(f"==== {dt.datetime.now().isoformat(timespec='seconds')} {context}\n")
            fh.write("".join(traceback.format_exception(exc)))
            fh.write("\n")
        return settings.crash_log
    except OSError:
        return None


def one_line(exc: BaseException) -> str:
    """A single line that says what went wrong, for a status bar, a dialog title or stderr."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:500]
