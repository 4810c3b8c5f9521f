"""One start-up measurement, run as a fresh process by ``bench_startup``:

    python -m bench.startup_child bare
    python -m bench.startup_child app sqlite:////tmp/.../workspace.db

Prints one JSON line: ``shown_ms`` (process spawn -> first paint of the main window, from the parent's
``BENCH_T0``), ``proc_ms`` (kernel process start -> first paint, from /proc, 10 ms resolution) and the
phases of the app's start-up.
"""

from __future__ import annotations

import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0") or time.time())
marks: dict[str, float] = {}


def mark(name: str) -> None:
    marks[name] = (time.time() - T0) * 1000


def proc_age_ms() -> float | None:
    """Age of this process per the kernel (start time in clock ticks since boot vs CLOCK_BOOTTIME).

    psutil's ``create_time()`` adds boot time rounded to whole seconds, which is hundreds of ms off in
    some containers, so it is not used for an absolute start -> shown figure.
    """
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        return (time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000
    except (OSError, ValueError, AttributeError):
        return None


def build_bare():
    from PySide6.QtWidgets import QApplication, QMainWindow

    mark("imports")
    app = QApplication(sys.argv[:1])
    w = QMainWindow()
    w.setWindowTitle("bare")
    w.resize(1360, 840)
    return app, w, lambda: None


def build_app(url: str):
    from bdr_desk.app import make_application
    from bdr_desk.config import Profile, load_settings
    from bdr_desk.db import open_workspace
    from ui.jobs import JobRunner
    from ui.main_window import MainWindow
    from ui.startup import create_context

    mark("imports")
    app = make_application()
    mark("application")
    settings = load_settings(url)
    ws = open_workspace(settings.database_url)
    mark("workspace")
    ctx = create_context(settings, ws, Profile("Bench", "bench@bench.example", "bdr"), JobRunner(app))
    mark("context")
    w = MainWindow(ctx, start_page="accounts")
    mark("window")
    return app, w, ws.dispose


def main() -> int:
    mark("python")
    mode = sys.argv[1]
    app, window, cleanup = build_app(sys.argv[2]) if mode == "app" else build_bare()

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    class FirstPaint(QObject):
        def eventFilter(self, obj, ev):  # noqa: N802 - Qt API
            if ev.type() == QEvent.Type.Paint and "shown" not in marks and isinstance(obj, QWidget) \
                    and obj.window() is window:
                mark("shown")
                QTimer.singleShot(0, app.quit)
            return False

    spy = FirstPaint()
    app.installEventFilter(spy)
    window.show()
    QTimer.singleShot(0, lambda: mark("loop"))
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    age = proc_age_ms()
    app.removeEventFilter(spy)
    shown = marks.get("shown", marks.get("loop", 0.0))
    import json

    print(json.dumps({"mode": mode, "shown_ms": shown, "proc_ms": None if age is None else
                      age - (time.time() - T0) * 1000 + shown, "painted": "shown" in marks, "marks": marks}))
    sys.stdout.flush()
    window.close()
    cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
