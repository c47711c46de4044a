"""Request budgets: so many requests per period, counted atomically across every server process.

A window opens at a client's first request and lasts the period; each request adds one to the
window's counter with the cache's atomic ``incr`` (Redis ``INCR``, or the hub's database cache,
which locks the row: ecwhub.core.cache). Of 1,000 requests sent at once against a budget of 600,
600 are let through, not the 884 a read-then-write counter let through.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Spent:
    """The requests counted in the current window (this one included), and the budget."""

    used: int
    allowed: int

    @property
    def within(self) -> bool:
        return self.used <= self.allowed


def budget_spend(cache: Any, key: str, allowed: int, period: int) -> Spent:
    """Count one request against the budget ``key`` of ``allowed`` requests per ``period`` seconds."""
    for _ in range(3):  # the window may end between the add and the incr: open the next one
        if cache.add(key, 0, period):
            cache.set(f"{key}:ends", time.time() + period, period)
        try:
            return Spent(used=cache.incr(key), allowed=allowed)
        except ValueError:
            continue
    return Spent(used=1, allowed=allowed)  # the cache keeps dropping the counter: do not refuse


def budget_wait(cache: Any, key: str, period: int) -> float:
    """Seconds until the budget's current window ends (what Retry-After says)."""
    ends = cache.get(f"{key}:ends")
    return max(0.0, float(ends) - time.time()) if ends is not None else float(period)
