"""The demo's one clock, shared by the generator and every part it seeds (sharing, screening,
duplicates, care), so that no seeded row is dated after another part's "now"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def reference_time(today: date) -> datetime:
    """23:00 UTC on ``today`` (mid-afternoon in California): every seeded timestamp is at or before it."""
    return datetime.combine(today, time(23, 0), tzinfo=UTC)
