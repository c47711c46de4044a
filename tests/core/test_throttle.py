"""Request budgets counted in the cache: windows open, fill, end, and a stale counter is dropped."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection

from ecwhub.core.throttle import budget_spend, budget_wait

pytestmark = pytest.mark.django_db


def test_a_budget_lets_its_requests_through_then_refuses_until_the_window_ends() -> None:
    cache = caches["default"]
    cache.clear()
    spent = [budget_spend(cache, "budget-a", allowed=3, period=60) for _ in range(5)]
    assert [s.used for s in spent] == [1, 2, 3, 4, 5]
    assert [s.within for s in spent] == [True, True, True, False, False]
    assert 55 < budget_wait(cache, "budget-a", 60) <= 60
    assert budget_spend(cache, "budget-b", allowed=3, period=60).used == 1  # another budget is its own


def test_the_database_cache_counts_without_resetting_the_window() -> None:
    cache = caches["default"]
    cache.clear()
    cache.add("counter", 0, 60)
    expiry = _expiry(cache, "counter")
    assert [cache.incr("counter") for _ in range(3)] == [1, 2, 3]
    assert _expiry(cache, "counter") == expiry  # Django's own incr would set a new 300 s expiry
    with pytest.raises(ValueError):
        cache.incr("absent")


def test_a_counter_that_outlived_its_window_is_dropped() -> None:
    cache = caches["default"]
    cache.clear()
    cache.set("budget-c", 999, 60)  # as a counter left without the record of its window's end
    spent = budget_spend(cache, "budget-c", allowed=3, period=60)
    assert (spent.used, spent.within) == (1, True)


def _expiry(cache: Any, key: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM ecwhub_cache WHERE cache_key = %s", [cache.make_key(key)])
        return cursor.fetchone()[0]
