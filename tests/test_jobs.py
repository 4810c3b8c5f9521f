"""The job protocol and its Qt runner: progress, success, failure through the dialog seam, cancel."""

from __future__ import annotations

import threading

import pytest

from bdr_desk.jobs import CancelToken, JobCancelled, run_inline
from ui import dialogs
from ui.jobs import JobProgressPanel, JobRunner


def counting_job(n, gate=None):
    def job(progress, cancel):
        for i in range(n):
            cancel.raise_if_cancelled()
            if gate is not None and i == 1:
                gate.wait(5)
            progress(i + 1, n, f"item {i + 1}")
        return n
    return job


def test_run_inline_reports_progress():
    seen = []
    assert run_inline(counting_job(3), lambda d, t, m="": seen.append((d, t))) == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_cancel_token():
    token = CancelToken()
    token.raise_if_cancelled()
    token.cancel()
    with pytest.raises(JobCancelled):
        token.raise_if_cancelled()


def test_runner_success_runs_off_the_gui_thread(qtbot):
    runner = JobRunner()
    threads = []

    def job(progress, cancel):
        threads.append(threading.current_thread())
        progress(1, 1, "done")
        return "result"

    results = []
    handle = runner.start("Job", job, on_success=lambda r: results.append((r, threading.current_thread())))
    qtbot.waitUntil(lambda: not handle.running, timeout=5000)
    assert results == [("result", threading.main_thread())]  # callbacks may touch widgets
    assert threads[0] is not threading.main_thread()
    assert runner.wait(5000) and runner.active == 0


def test_runner_failure_goes_to_dialog_seam(qtbot, monkeypatch):
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append((title, msg)))
    runner = JobRunner()

    def job(progress, cancel):
        raise ValueError("row 7: column 'Website' is not a URL")

    handle = runner.start("Import accounts", job)
    qtbot.waitUntil(lambda: not handle.running, timeout=5000)
    assert errors == [("Import accounts failed", "row 7: column 'Website' is not a URL")]


def test_panel_cancel_button_cancels_the_job(qtbot):
    runner = JobRunner()
    panel = JobProgressPanel(runner)
    qtbot.addWidget(panel)
    gate = threading.Event()
    outcomes = []
    handle = runner.start("Long job", counting_job(1000, gate), on_success=lambda r: outcomes.append("ok"))
    handle.cancelled.connect(lambda: outcomes.append("cancelled"))
    assert not panel.isHidden() and panel.label.text() == "Long job"
    qtbot.waitUntil(lambda: panel.bar.maximum() == 1000, timeout=5000)
    panel.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: not handle.running, timeout=5000)
    assert outcomes == ["cancelled"]
    assert panel.isHidden()
    runner.wait()
