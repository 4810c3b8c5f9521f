"""A GUI-thread stall probe: a fast QTimer heartbeat that records the gaps between its ticks.

While the GUI thread is free, ticks arrive every ``interval_ms``; any work that blocks the event loop
shows up as one long gap. Benches wrap long jobs with it to prove the window never freezes::

    probe = StallProbe(interval_ms=5)
    probe.start()
    ...  # run the event loop while the job works
    report = probe.stop()
    assert report.max_gap_ms < 50

The gap still open when :meth:`StallProbe.stop` is called counts too, so a stall right before ``stop``
is not lost. ``clock`` (seconds, monotonic) can be replaced for tests.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QTimer

GOAL_MS = 50.0
BUCKETS_MS = (10, 20, 50, 100, 250, 1000)


@dataclass(frozen=True)
class StallReport:
    max_gap_ms: float
    p99_ms: float
    ticks: int
    p50_ms: float = 0.0
    duration_ms: float = 0.0
    histogram: dict[str, int] = field(default_factory=dict)
    gaps_ms: tuple[float, ...] = field(default=(), repr=False)

    def stalls_over(self, limit_ms: float = GOAL_MS) -> int:
        return sum(1 for g in self.gaps_ms if g > limit_ms)

    def ok(self, limit_ms: float = GOAL_MS) -> bool:
        return self.max_gap_ms <= limit_ms

    def summary(self) -> str:
        return (f"max gap {self.max_gap_ms:,.1f} ms, p99 {self.p99_ms:.1f} ms, p50 {self.p50_ms:.1f} ms, "
                f"{self.ticks} ticks in {self.duration_ms:,.0f} ms, {self.stalls_over()} gaps > {GOAL_MS:.0f} ms")


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def histogram(gaps_ms: list[float]) -> dict[str, int]:
    counts = {f"<={b}ms": 0 for b in BUCKETS_MS} | {f">{BUCKETS_MS[-1]}ms": 0}
    for g in gaps_ms:
        key = next((f"<={b}ms" for b in BUCKETS_MS if g <= b), f">{BUCKETS_MS[-1]}ms")
        counts[key] += 1
    return counts


class StallProbe(QObject):
    """Heartbeat on the thread it lives on (the GUI thread). Reusable: ``start()`` resets it."""

    def __init__(self, interval_ms: int = 5, clock: Callable[[], float] = time.perf_counter,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._gaps: list[float] = []
        self._started = 0.0
        self._last = 0.0
        self.report: StallReport | None = None

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._gaps = []
        self._started = self._last = self._clock()
        self._timer.start()

    def tick(self) -> None:
        """One heartbeat (the timer's slot; tests may call it directly with a fake clock)."""
        now = self._clock()
        self._gaps.append((now - self._last) * 1000)
        self._last = now

    def stop(self) -> StallReport:
        self._timer.stop()
        now = self._clock()
        gaps = list(self._gaps)
        trailing = (now - self._last) * 1000
        if trailing > self.interval_ms:  # a stall still open at stop() counts; a partial tick does not
            gaps.append(trailing)
        ordered = sorted(gaps)
        return StallReport(
            max_gap_ms=ordered[-1] if ordered else 0.0, p99_ms=percentile(ordered, 99),
            ticks=len(self._gaps), p50_ms=percentile(ordered, 50),
            duration_ms=(now - self._started) * 1000, histogram=histogram(gaps), gaps_ms=tuple(gaps),
        )

    def __enter__(self) -> StallProbe:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.report = self.stop()
