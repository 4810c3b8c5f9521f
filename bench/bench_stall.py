"""GUI-thread stalls: a DB-heavy job (20,000 accounts inserted through the ORM in its own Session, then
counted) run through ``ui.jobs.JobRunner`` while a :class:`StallProbe` ticks, against the same job called
directly on the GUI thread (the baseline: the freeze the runner avoids)."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from bench._common import ms, quiet_qt, ratio, temp_root, use_env
from bench.stall_probe import GOAL_MS, StallProbe, StallReport

N_INSERT = 20_000
CHUNK = 500
SEED = 11


def make_job(ws, n: int, start: int):
    """``job(progress, cancel)``: insert ``n`` accounts as ORM objects in chunks, then count them."""
    from sqlalchemy import func, select

    from accounts.models import Account
    from bdr_desk.taxonomy import Taxonomy
    from bdr_desk.users import User
    from bench.generate import account_rows

    def job(progress, cancel) -> int:
        with ws.session() as s:
            taxonomy = Taxonomy.load(s)
            owners = list(s.scalars(select(User.id)))
        rows = account_rows(n, taxonomy, owners, SEED + start, start=start)
        done = 0
        while done < n:
            cancel.raise_if_cancelled()
            with ws.session() as s:
                s.add_all(Account(**next(rows)) for _ in range(min(CHUNK, n - done)))
            done = min(n, done + CHUNK)
            progress(done, n, f"{done:,} accounts")
        with ws.session() as s:
            return s.scalar(select(func.count(Account.id))) or 0

    return job


def run_with_probe(app, start_work, wait_done) -> tuple[StallReport, float]:
    """Start the probe, let the event loop run ~50 ms, start the work, pump events until it is done."""
    from PySide6.QtCore import QEventLoop, QTimer

    probe = StallProbe(interval_ms=5)
    probe.start()
    loop = QEventLoop()
    QTimer.singleShot(50, loop.quit)
    loop.exec()
    t = time.perf_counter()
    start_work()
    wait_done()
    elapsed = (time.perf_counter() - t) * 1000
    loop = QEventLoop()
    QTimer.singleShot(30, loop.quit)  # a few idle ticks after the work
    loop.exec()
    report = probe.stop()
    probe.deleteLater()
    return report, elapsed


def measure(root: Path) -> dict[str, tuple[StallReport, float]]:
    use_env(root)
    from PySide6.QtCore import QEventLoop

    from bdr_desk.app import make_application, settle_heap
    from bdr_desk.config import Profile, load_settings
    from bdr_desk.db import open_workspace
    from bench.generate import make_users
    from ui.jobs import JobProgressPanel, JobRunner
    from ui.startup import create_context

    quiet_qt()
    app = make_application()
    settings = load_settings(f"sqlite:///{root / 'stall' / 'workspace.db'}")
    ws = open_workspace(settings.database_url)
    runner = JobRunner()
    create_context(settings, ws, Profile("Bench", "bench@bench.example", "bdr"), runner)
    make_users(ws)
    panel = JobProgressPanel(runner)  # progress reaches a real widget, as in the main window
    panel.resize(800, 40)
    results: dict[str, tuple[StallReport, float]] = {}
    try:
        # idle: the probe's own noise floor
        results["idle"] = run_with_probe(app, lambda: None, lambda: _spin(300))

        # baseline: the job called on the GUI thread
        job = make_job(ws, N_INSERT, 0)
        results["gui_thread"] = run_with_probe(app, lambda: job(lambda *a: None, _Token()), lambda: None)

        # the runner: the job on the pool; the GUI thread only pumps events and shows progress
        job = make_job(ws, N_INSERT, N_INSERT)
        state: dict = {}

        def start() -> None:
            state["handle"] = runner.start("Bench insert", job, on_success=lambda n: state.update(count=n),
                                           on_failure=lambda m, tb: state.update(error=m))

        def wait() -> None:
            loop = QEventLoop()
            state["handle"].done.connect(loop.quit)
            if state["handle"].running:
                loop.exec()

        results["job_runner"] = run_with_probe(app, start, wait)
        if "error" in state:
            raise RuntimeError(state["error"])
        assert state.get("count") == 2 * N_INSERT, state

        # as the app runs it: the start-up heap frozen (bdr_desk.app.settle_heap) so that full collections in
        # the worker no longer walk it while holding the GIL
        job = make_job(ws, N_INSERT, 2 * N_INSERT)
        settle_heap()
        try:
            results["job_runner_frozen"] = run_with_probe(app, start, wait)
        finally:
            gc.unfreeze()
        if "error" in state:
            raise RuntimeError(state["error"])
    finally:
        runner.wait(30_000)
        panel.close()
        panel.deleteLater()
        runner.deleteLater()
        ws.dispose()
    return results


class _Token:
    def raise_if_cancelled(self) -> None:
        pass


def _spin(msecs: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(msecs, loop.quit)
    loop.exec()


def report(results: dict[str, tuple[StallReport, float]]) -> list[list[str]]:
    print(f"GUI-thread stalls while inserting {N_INSERT:,} accounts (ORM, chunks of {CHUNK}) + COUNT "
          "(StallProbe, 5 ms heartbeat)")
    labels = {"idle": "idle event loop", "gui_thread": "job on the GUI thread (baseline)",
              "job_runner": "JobRunner, heap not frozen",
              "job_runner_frozen": "JobRunner as the app runs it"}
    for key, (rep, elapsed) in results.items():
        verdict = "OK" if rep.ok() else f"STALL > {GOAL_MS:.0f} ms"
        print(f"  {labels[key]:<34} work {ms(elapsed):>9}  {rep.summary()}  [{verdict}]")
        busy = {k: v for k, v in rep.histogram.items() if v}
        print(f"  {'':<34} gap histogram: {busy}")
    base = results["gui_thread"][0].max_gap_ms
    runner = results["job_runner_frozen"][0].max_gap_ms
    print(f"  max gap: JobRunner as the app runs it {ms(runner)} vs GUI thread {ms(base)} "
          f"({ratio(runner, base)} of the freeze); goal: no gap over {GOAL_MS:.0f} ms")
    return [["stall: max gap, job via JobRunner", ms(runner), ms(base) + " on GUI", ratio(runner, base)]]


def main() -> None:
    with temp_root() as root:
        report(measure(root))


if __name__ == "__main__":
    main()
