"""Real parallel sessions against PostgreSQL.

Each worker is a thread with its own database connection (Django keeps one per thread), started
together at a ``threading.Barrier`` once every connection is open, so their transactions overlap
as two people's requests do. The tests are transactional (``transaction=True``): a worker only
sees what the others committed. SQLite serialises every write transaction, so there is no race
to test there; these tests run in the PostgreSQL pass of the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel sessions need PostgreSQL's row locks (SQLite serialises every write); run with DATABASE_URL",
)


@dataclass
class Outcome:
    """What one worker's call returned, or raised."""

    value: Any = None
    error: BaseException | None = None

    def __repr__(self) -> str:
        return f"Outcome(error={self.error!r})" if self.error is not None else f"Outcome(value={self.value!r})"


def together(count: int, work: Callable[[int], Any], timeout: float = 120) -> list[Outcome]:
    """Run ``work(0)`` … ``work(count - 1)`` at the same moment, each in its own thread and
    database session; every outcome, in order."""
    barrier = threading.Barrier(count)
    outcomes = [Outcome() for _ in range(count)]

    def run(index: int) -> None:
        try:
            connection.ensure_connection()  # connect first, so the barrier releases ready sessions
            barrier.wait(timeout)
            outcomes[index].value = work(index)
        except BaseException as error:  # every outcome, whatever it is, goes to the test
            outcomes[index].error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a worker is still waiting (a lock never released?)"
    return outcomes


def errors(outcomes: list[Outcome]) -> list[BaseException]:
    return [outcome.error for outcome in outcomes if outcome.error is not None]
