"""The bench's GUI-thread stall probe records the gaps between heartbeats (no timing thresholds: a fake
clock, or a generous lower bound on a deliberately blocked interval)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from bench.stall_probe import StallProbe, histogram, percentile


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> None:
        self.now += ms / 1000


def test_records_the_longest_gap_with_a_fake_clock(qapp):
    clock = FakeClock()
    probe = StallProbe(interval_ms=5, clock=clock)
    probe.start()
    for gap in (5, 5, 120, 5, 5):
        clock.advance(gap)
        probe.tick()
    clock.advance(2)  # a partial interval at stop() is not a gap
    report = probe.stop()
    assert not probe.running
    assert report.ticks == 5
    assert report.max_gap_ms == pytest.approx(120)
    assert report.p50_ms == pytest.approx(5)
    assert report.p99_ms == pytest.approx(120)
    assert report.stalls_over(50) == 1
    assert not report.ok(50)
    assert report.histogram["<=10ms"] == 4 and report.histogram["<=250ms"] == 1
    assert round(report.duration_ms) == 142


def test_a_stall_still_open_at_stop_counts(qapp):
    clock = FakeClock()
    probe = StallProbe(interval_ms=5, clock=clock)
    probe.start()
    clock.advance(5)
    probe.tick()
    clock.advance(300)
    report = probe.stop()
    assert report.ticks == 1
    assert report.max_gap_ms == pytest.approx(300)


def test_restart_resets_the_record(qapp):
    clock = FakeClock()
    probe = StallProbe(interval_ms=5, clock=clock)
    probe.start()
    clock.advance(200)
    probe.tick()
    probe.stop()
    probe.start()
    clock.advance(5)
    probe.tick()
    assert probe.stop().max_gap_ms == pytest.approx(5)


def test_a_blocked_event_loop_shows_up_as_a_gap(qtbot):
    probe = StallProbe(interval_ms=5)
    with probe:
        qtbot.wait(30)
        QTimer.singleShot(0, lambda: time.sleep(0.2))  # block the GUI thread for 200 ms
        qtbot.wait(60)
    report = probe.report
    assert report is not None and report.ticks > 0
    assert report.max_gap_ms >= 190  # a lower bound only: the gap spans the whole sleep
    assert not probe.running


def test_percentile_and_histogram():
    assert percentile([], 99) == 0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 99) == 4.0
    counts = histogram([1, 15, 2000])
    assert counts["<=10ms"] == 1 and counts["<=20ms"] == 1 and counts[">1000ms"] == 1
