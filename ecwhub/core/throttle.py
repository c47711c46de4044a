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
    """Count one request against the budget ``key`` of ``allowed`` requests per ``period`` seconds.

    Most requests cost one ``incr``; the first of a window opens it (``add``) and records when it
    ends. A counter that outlived the record of its window's end (a Redis key incremented in the
    instant it expired has no expiry) is stale: it is dropped and the count starts again."""
    for _ in range(3):
        try:
            used = cache.incr(key)
        except ValueError:  # no window open: this request opens one
            if cache.add(key, 1, period):
                cache.set(_ends(key), time.time() + period, period)
                return Spent(used=1, allowed=allowed)
            continue  # another request opened it meanwhile: count in it
        if used <= allowed or cache.get(_ends(key)) is not None:
            return Spent(used=used, allowed=allowed)
        cache.delete(key)
    return Spent(used=1, allowed=allowed)  # the cache keeps dropping the counter: do not refuse


def budget_wait(cache: Any, key: str, period: int) -> float:
    """Seconds until the budget's current window ends (what Retry-After says)."""
    ends = cache.get(_ends(key))
    return max(0.0, float(ends) - time.time()) if ends is not None else float(period)


def _ends(key: str) -> str:
    return f"{key}:ends"
