"""A token bucket that keeps a CRM client under its published request budget.

HubSpot allows a private app 190 requests per 10 seconds (and its search endpoints a few per second);
Salesforce counts API calls per day. A bucket of ``capacity`` tokens refilled at ``refill_per_second`` lets
through at most ``capacity + refill_per_second * T`` requests in *any* window of ``T`` seconds, so
:meth:`TokenBucket.for_budget` picks the two to stay under "N per T" with a safety margin, whether the
server counts in fixed or rolling windows.

Reservations may run into debt: :meth:`reserve` books a token at once and returns how long the caller must
wait before using it, so concurrent callers queue fairly and the waiting can be done by a cancellable sleep.
A 429 ``Retry-After`` is applied with :meth:`pause`: nobody gets a token before it ends. Clock and sleep are
injectable, so the rules are tested without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(self, capacity: float, refill_per_second: float, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if capacity < 1 or refill_per_second <= 0:
            raise ValueError("a token bucket needs capacity >= 1 and a positive refill rate")
        self.capacity = float(capacity)
        self.rate = float(refill_per_second)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._stamp = clock()  # tokens are counted up to this moment (in the future while paused)
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds callers were told to wait, in total

    @classmethod
    def for_budget(cls, requests: float, per_seconds: float, *, margin: float = 0.95,
                   burst: float | None = None, clock: Callable[[], float] = time.monotonic,
                   sleep: Callable[[float], None] = time.sleep) -> TokenBucket:
        """A bucket that lets at most ``margin * requests`` through in any ``per_seconds`` window."""
        allowed = requests * margin
        capacity = burst if burst is not None else max(1.0, allowed / 10)
        rate = (allowed - capacity) / per_seconds
        if rate <= 0:
            raise ValueError(f"a burst of {capacity} leaves nothing of {requests} per {per_seconds} s")
        return cls(capacity, rate, clock=clock, sleep=sleep)

    def max_in_window(self, seconds: float) -> float:
        """The most requests this bucket can let through in any window of ``seconds``."""
        return self.capacity + self.rate * seconds

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def reserve(self, tokens: float = 1.0) -> float:
        """Take ``tokens`` now and return the seconds to wait before the request may go (0 when free)."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens -= tokens
            wait = max(0.0, self._stamp - now) + max(0.0, -self._tokens) / self.rate
            self.waited += wait
            return wait

    def acquire(self, tokens: float = 1.0) -> float:
        """Take ``tokens``, sleeping as long as needed; return the seconds waited."""
        wait = self.reserve(tokens)
        if wait > 0:
            self._sleep(wait)
        return wait

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take ``tokens`` only if that needs no waiting."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            if self._stamp > now or self._tokens < tokens:
                return False
            self._tokens -= tokens
            return True

    def pause(self, seconds: float) -> None:
        """The server said "retry after ``seconds``": empty the bucket and hand out nothing until then."""
        if seconds <= 0:
            return
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens = min(self._tokens, 0.0)
            self._stamp = max(self._stamp, now + seconds)

    def __repr__(self) -> str:
        return f"TokenBucket(capacity={self.capacity:g}, refill_per_second={self.rate:g})"
