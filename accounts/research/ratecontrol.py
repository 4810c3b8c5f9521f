"""Politeness as small, testable code: a per-host delay between requests, exponential backoff, and the
``Retry-After`` header read as seconds or as an HTTP date (Picard's ``ratecontrol`` is the model).

Pure Python with an injectable clock and sleep, so the rules are unit-tested without waiting; shared by
research and anything else that talks to other people's servers.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from collections.abc import Callable

from bdr_desk.jobs import CancelToken

SLEEP_SLICE = 0.05  # a cancelled job stops sleeping within this many seconds


def interruptible_sleep(seconds: float, cancel: CancelToken | None = None,
                        sleep: Callable[[float], None] = time.sleep) -> None:
    """Sleep ``seconds`` in short slices; raise ``JobCancelled`` as soon as ``cancel`` is set."""
    end = time.monotonic() + max(0.0, seconds)
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        left = end - time.monotonic()
        if left <= 0:
            return
        sleep(min(SLEEP_SLICE, left))


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """The wait before retry number ``attempt`` (1, 2, …): ``base``, ``2·base``, ``4·base`` … at most ``cap``."""
    if attempt < 1 or base <= 0:
        return 0.0
    return min(cap, base * 2 ** (attempt - 1))


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date); None when absent or
    unreadable. Never negative."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class HostThrottle:
    """At most one request per ``delay`` seconds to each host (measured start to start).

    ``set_delay`` raises the delay for one host (a robots.txt ``Crawl-delay``). Thread-safe: two jobs that
    share a throttle still space their requests to the same host.
    """

    def __init__(self, delay: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.delay = max(0.0, delay)
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}
        self._lock = threading.Lock()

    def delay_for(self, host: str) -> float:
        return max(self.delay, self._host_delay.get(host, 0.0))

    def set_delay(self, host: str, delay: float) -> None:
        with self._lock:
            self._host_delay[host] = max(0.0, delay)

    def reserve(self, host: str) -> float:
        """Book the next slot for ``host`` and return how long to wait for it (0 when it is free now)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.delay_for(host)
            return slot - now

    def wait(self, host: str, cancel: CancelToken | None = None) -> float:
        """Wait for ``host``'s next slot; return the seconds waited. Cancellable."""
        pause = self.reserve(host)
        if pause > 0:
            if self._sleep is time.sleep:
                interruptible_sleep(pause, cancel)
            else:
                self._sleep(pause)
        return pause
