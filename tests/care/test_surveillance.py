"""Bright Futures surveillance: statuses at the exact edges of each window, events counted once,
the schedule validated, and the summary stored for the worklists and rates."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from ecwhub.care.surveillance import (
    DONE,
    DUE,
    MISSED,
    OVERDUE,
    UPCOMING,
    Event,
    ScheduleError,
    add_months,
    child_surveillance,
    parse_schedule,
    schedule,
)

BIRTH = date(2025, 1, 31)


def status(point_id: str, today: date, events: list[Event] | None = None) -> str:
    items = {i.point.id: i for i in child_surveillance(BIRTH, events or [], today)}
    return items[point_id].status


def test_the_schedule_has_the_bright_futures_points() -> None:
    ids = {p.id for p in schedule()}
    for visit in (
        "3d",
        "1m",
        "2m",
        "4m",
        "6m",
        "9m",
        "12m",
        "15m",
        "18m",
        "24m",
        "30m",
        "3y",
        "4y",
        "5y",
        "6y",
        "7y",
        "8y",
    ):
        assert f"visit-{visit}" in ids
    assert {"developmental-9m", "developmental-18m", "developmental-30m", "autism-18m", "autism-24m"} <= ids
    assert {f"caregiver-depression-{m}m" for m in (1, 2, 4, 6)} <= ids
    assert {"lead-12m", "lead-24m"} <= ids
    assert any(p.kind == "immunization_check" for p in schedule())


def test_nine_month_developmental_screening_window_edges() -> None:
    due_on = add_months(BIRTH, 9)  # 2025-10-31
    overdue_on = add_months(BIRTH, 11)  # 2025-12-31
    assert status("developmental-9m", due_on - timedelta(days=1)) == UPCOMING
    assert status("developmental-9m", due_on) == DUE
    assert status("developmental-9m", overdue_on - timedelta(days=1)) == DUE
    assert status("developmental-9m", overdue_on) == OVERDUE
    # Until the 18-month screening is due; then it is missed and the next one takes over.
    eighteen = add_months(BIRTH, 18)
    assert status("developmental-9m", eighteen - timedelta(days=1)) == OVERDUE
    assert status("developmental-9m", eighteen) == MISSED


def test_month_ends_are_clamped() -> None:
    # Born on the 31st: one month later is the last day of February.
    assert add_months(BIRTH, 1) == date(2025, 2, 28)
    assert status("caregiver-depression-1m", date(2025, 2, 27)) == UPCOMING
    assert status("caregiver-depression-1m", date(2025, 2, 28)) == DUE


def test_an_event_counts_from_two_weeks_before_due_and_only_once() -> None:
    due_on = add_months(BIRTH, 9)
    today = add_months(BIRTH, 12)
    early = [Event("developmental_screening", due_on - timedelta(days=14))]
    too_early = [Event("developmental_screening", due_on - timedelta(days=15))]
    assert status("developmental-9m", today, early) == DONE
    assert status("developmental-9m", today, too_early) == OVERDUE
    items = {i.point.id: i for i in child_surveillance(BIRTH, early, add_months(BIRTH, 19))}
    assert items["developmental-9m"].status == DONE
    assert items["developmental-18m"].status == DUE  # the 9-month screen did not count twice


def test_a_late_visit_catches_up_the_point_it_belongs_to() -> None:
    late = [Event("well_child_visit", add_months(BIRTH, 10))]
    assert status("visit-9m", add_months(BIRTH, 10), late) == DONE


def test_a_schedule_with_a_window_out_of_order_is_refused() -> None:
    bad = {
        "points": [
            {
                "id": "x",
                "kind": "lead_screening",
                "at": "12m",
                "due_from": "12m",
                "overdue_after": "11m",
                "counts_until": "24m",
            }
        ]
    }
    with pytest.raises(ScheduleError, match="due_from < overdue_after"):
        parse_schedule(bad)
    with pytest.raises(ScheduleError, match="unknown kind"):
        parse_schedule({"points": [{**bad["points"][0], "kind": "haircut"}]})
    with pytest.raises(ScheduleError, match="not an age"):
        parse_schedule({"points": [{**bad["points"][0], "due_from": "twelve"}]})


def test_the_shipped_schedule_parses() -> None:
    from ecwhub.care.surveillance import SCHEDULE_PATH

    assert len(parse_schedule(json.loads(SCHEDULE_PATH.read_text()))) == len(schedule()) >= 30


def test_the_fast_summary_agrees_with_the_items() -> None:
    import random

    from ecwhub.care.surveillance import summarize, surveillance_summary

    rng = random.Random(7)
    today = date(2026, 3, 1)
    for _ in range(300):
        birth = date(2018, 1, 1) + timedelta(days=rng.randint(0, 3000))
        events = [
            Event(p.kind, p.due_from.on(birth) + timedelta(days=rng.randint(-20, 200)))
            for p in schedule()
            if rng.random() < 0.7
        ]
        assert surveillance_summary(birth, events, today) == summarize(child_surveillance(birth, events, today))
