"""The Accounts page over a big workspace, in a fresh process (so its peak RSS is its own):

    python -m bench.accounts_child gui sqlite:////tmp/.../big.db   # model ops, raw-SQL replay, RSS
    python -m bench.accounts_child bare                             # RSS of PySide6 + a QApplication

Each GUI operation runs through the real page's ``AccountTableModel`` (``set_filter``/``sort`` = a COUNT
plus the first 200-row page; scroll = ``fetchMore`` x10). The SQL it issues is captured on the engine and
replayed verbatim on a plain ``sqlite3`` connection: the baseline is the database's own cost.
"""

from __future__ import annotations

import json
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable

REPS = 7
SCROLL_PAGES = 10


def peak_rss_kib() -> int:
    """Peak RSS of this process's address space (KiB): VmHWM, which exec() resets.

    ``ru_maxrss`` is not used where /proc exists: Linux carries it across fork+exec, so a child spawned by
    a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def bare() -> dict:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.processEvents()
    return {"peak_rss_kib": peak_rss_kib()}


def gui(url: str) -> dict:
    from PySide6.QtCore import Qt
    from sqlalchemy import event

    from accounts.queries import AccountFilter
    from bdr_desk.app import make_application
    from bdr_desk.config import Profile, load_settings
    from bdr_desk.db import open_workspace
    from ui.jobs import JobRunner
    from ui.pages.accounts_page import AccountsPage
    from ui.startup import create_context

    app = make_application()
    settings = load_settings(url)
    ws = open_workspace(settings.database_url)
    ctx = create_context(settings, ws, Profile("Bench", "bench@bench.example", "bdr"), JobRunner(app))
    captured: list[tuple[str, tuple]] = []
    capturing = [False]

    @event.listens_for(ws.engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        # transaction control is the engine's (explicit BEGIN on SQLite); the replay runs the queries alone
        if capturing[0] and statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            captured.append((statement, tuple(parameters or ())))

    t0 = time.perf_counter()
    page = AccountsPage(ctx)
    page.resize(1360, 800)
    page.show()
    app.processEvents()
    load_ms = (time.perf_counter() - t0) * 1000
    model = page.model
    industry = ctx.taxonomy.keys("industry")[1]
    asc, desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
    everything = AccountFilter()

    def all_by(sort_col: int) -> Callable[[], None]:  # a different state first, so the timed call works
        def go() -> None:
            model.set_filter(everything)
            model.sort(sort_col, asc)
        return go

    def scroll() -> None:
        for _ in range(SCROLL_PAGES):
            model.fetchMore()

    ops: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
        ("text filter 'north'", all_by(0), lambda: model.set_filter(AccountFilter(text="north"))),
        (f"filter {industry} + tier 1", all_by(0),
         lambda: model.set_filter(AccountFilter(industries=(industry,), tiers=(1,)))),
        ("sort by name", all_by(1), lambda: model.sort(0, asc)),
        ("sort by ICP score desc", all_by(1), lambda: model.sort(6, desc)),
        ("sort by owner", all_by(1), lambda: model.sort(5, asc)),
        (f"scroll {SCROLL_PAGES} pages (fetchMore)", lambda: (all_by(0)(), model.refresh()), scroll),
    ]
    results = []
    for name, prepare, act in ops:
        times = []
        for _ in range(REPS):
            prepare()
            app.processEvents()
            captured.clear()
            capturing[0] = True
            t = time.perf_counter()
            act()
            times.append((time.perf_counter() - t) * 1000)
            capturing[0] = False
            app.processEvents()  # let the view repaint, untimed
        results.append({"op": name, "gui_ms": statistics.median(times), "sql": list(captured),
                        "rows": model.rowCount(), "total": model.total})
    rss = peak_rss_kib()

    db_path = ws.engine.url.database
    raw = sqlite3.connect(db_path)
    for r in results:
        times: list[list[float]] = []
        for _ in range(REPS):
            each = []
            for stmt, params in r["sql"]:
                t = time.perf_counter()
                raw.execute(stmt, params).fetchall()
                each.append((time.perf_counter() - t) * 1000)
            times.append(each)
        r["raw_ms"] = statistics.median(sum(each) for each in times)
        r["raw_each_ms"] = [statistics.median(col) for col in zip(*times, strict=True)]
        r["plan"] = [" / ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + s, p).fetchall())
                     for s, p in r["sql"]]
    raw.close()
    page.close()
    ws.dispose()
    return {"load_ms": load_ms, "peak_rss_kib": rss, "ops": results}


def main() -> int:
    out = bare() if sys.argv[1] == "bare" else gui(sys.argv[2])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
