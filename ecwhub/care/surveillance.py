"""Bright Futures surveillance: which preventive-care points are upcoming, due, overdue, done or missed.

The schedule is data (``periodicity/bright_futures.json``); this module reads it once and
answers for one child from their date of birth and their care events. Pure functions: the
caller loads the events (``care.selectors`` in bulk).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

SCHEDULE_PATH = Path(__file__).parent / "periodicity" / "bright_futures.json"
# A visit a little before the birthday it is for still counts for it.
EARLY_DAYS = 14
# Children are followed until this age (the hub serves children 0-8).
FOLLOWED_UNTIL_MONTHS = 9 * 12

UPCOMING, DUE, OVERDUE, DONE, MISSED = "upcoming", "due", "overdue", "done", "missed"
STATUS_LABELS = {
    UPCOMING: _("upcoming"),
    DUE: _("due"),
    OVERDUE: _("overdue"),
    DONE: _("done"),
    MISSED: _("missed"),
}
_AGE = re.compile(r"^(\d+)([dmy])$")


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Age:
    amount: int
    unit: str  # d, m or y

    @classmethod
    def parse(cls, text: str) -> Age:
        match = _AGE.match(text)
        if not match:
            raise ScheduleError(f"not an age: {text!r} (use 3d, 9m or 4y)")
        return cls(int(match.group(1)), match.group(2))

    def months(self) -> float:
        return {"d": self.amount / 30.44, "m": float(self.amount), "y": self.amount * 12.0}[self.unit]

    def on(self, birth: date) -> date:
        """The date a child born on ``birth`` reaches this age."""
        if self.unit == "d":
            return birth + timedelta(days=self.amount)
        return add_months(birth, self.amount * (12 if self.unit == "y" else 1))

    def label(self) -> str:
        if self.unit == "d":
            return ngettext("%(n)d day", "%(n)d days", self.amount) % {"n": self.amount}
        if self.unit == "m":
            return ngettext("%(n)d month", "%(n)d months", self.amount) % {"n": self.amount}
        return ngettext("%(n)d year", "%(n)d years", self.amount) % {"n": self.amount}


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Point:
    id: str
    kind: str
    at: Age
    due_from: Age
    overdue_after: Age
    counts_until: Age


def parse_schedule(raw: Any) -> tuple[Point, ...]:
    """The points of a periodicity document, validated (every window ordered)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("points"), list):
        raise ScheduleError("the schedule needs a list of points")
    from .models import CareEventKind

    parsed: list[dict[str, Any]] = []
    for index, point in enumerate(raw["points"]):
        where = f"points[{index}]"
        if not isinstance(point, dict):
            raise ScheduleError(f"{where}: not an object")
        for key in ("id", "kind", "at", "due_from", "overdue_after"):
            if not isinstance(point.get(key), str):
                raise ScheduleError(f"{where}.{key}: missing")
        if point["kind"] not in CareEventKind.values:
            raise ScheduleError(f"{where}.kind: unknown kind {point['kind']!r}")
        parsed.append(point)
    points: list[Point] = []
    for point in parsed:
        due, overdue = Age.parse(point["due_from"]), Age.parse(point["overdue_after"])
        if "counts_until" in point:
            until = Age.parse(point["counts_until"])
        else:
            later = [
                Age.parse(p["due_from"])
                for p in parsed
                if p["kind"] == point["kind"] and Age.parse(p["due_from"]).months() > due.months()
            ]
            if not later:
                raise ScheduleError(f"{point['id']}: the last point of a kind needs counts_until")
            until = min(later, key=Age.months)
        if not due.months() < overdue.months() <= until.months():
            raise ScheduleError(f"{point['id']}: needs due_from < overdue_after <= counts_until")
        points.append(Point(point["id"], point["kind"], Age.parse(point["at"]), due, overdue, until))
    if len({p.id for p in points}) != len(points):
        raise ScheduleError("point ids must be unique")
    return tuple(sorted(points, key=lambda p: (p.due_from.months(), p.kind)))


@lru_cache(maxsize=1)
def schedule() -> tuple[Point, ...]:
    return parse_schedule(json.loads(SCHEDULE_PATH.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Event:
    kind: str
    date: date


@dataclass(frozen=True)
class Item:
    point: Point
    status: str
    due_on: date
    overdue_on: date
    done_on: date | None = None

    @property
    def kind(self) -> str:
        return self.point.kind

    @property
    def kind_label(self) -> str:
        from .models import CareEventKind

        return str(CareEventKind(self.point.kind).label)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def age_label(self) -> str:
        return self.point.at.label()


Window = tuple[Point, date, date, date]


@lru_cache(maxsize=8192)
def _windows(birth: date) -> tuple[tuple[Window, ...], dict[str, tuple[tuple[Point, date, date], ...]]]:
    """The dates of every point for a child born on ``birth`` (due, overdue, counts until) and, per
    kind, when an event starts and stops counting. Cached: recomputing the tiers walks every child
    of every family, and children share birthdays (about 50 a day in 100,000 families)."""
    windows = tuple(
        (point, point.due_from.on(birth), point.overdue_after.on(birth), point.counts_until.on(birth))
        for point in schedule()
    )
    of_kind: dict[str, list[tuple[Point, date, date]]] = {}
    for point, due_on, _overdue_on, until in windows:
        of_kind.setdefault(point.kind, []).append((point, due_on - timedelta(days=EARLY_DAYS), until))
    return windows, {kind: tuple(rows) for kind, rows in of_kind.items()}


def _matched(birth: date, events: Iterable[Event]) -> tuple[tuple[Window, ...], dict[str, date]]:
    windows, of_kind = _windows(birth)
    done: dict[str, date] = {}
    for event in sorted(events, key=lambda e: e.date):
        for point, start, until in of_kind.get(event.kind, ()):
            if point.id not in done and start <= event.date < until:
                done[point.id] = event.date
                break
    return windows, done


def child_surveillance(birth: date, events: Iterable[Event], today: date) -> list[Item]:
    """Every schedule point for a child born on ``birth``, with its status on ``today``.

    Each event counts for one point: the earliest not-yet-done point of its kind whose window
    (from ``EARLY_DAYS`` before due until ``counts_until``) contains its date."""
    windows, done = _matched(birth, events)
    items: list[Item] = []
    for point, due_on, overdue_on, until in windows:
        if point.id in done:
            status = DONE
        elif today < due_on:
            status = UPCOMING
        elif today < overdue_on:
            status = DUE
        elif today < until:
            status = OVERDUE
        else:
            status = MISSED
        items.append(Item(point, status, due_on, overdue_on, done.get(point.id)))
    return items


@dataclass(frozen=True)
class Summary:
    overdue: int
    due: int
    done: int
    missed: int
    overdue_kinds: tuple[str, ...]
    oldest_overdue_on: date | None

    @property
    def up_to_date(self) -> bool:
        return self.overdue == 0


def summarize(items: Sequence[Item]) -> Summary:
    overdue = [i for i in items if i.status == OVERDUE]
    return Summary(
        overdue=len(overdue),
        due=sum(1 for i in items if i.status == DUE),
        done=sum(1 for i in items if i.status == DONE),
        missed=sum(1 for i in items if i.status == MISSED),
        overdue_kinds=tuple(sorted({i.kind for i in overdue})),
        oldest_overdue_on=min((i.overdue_on for i in overdue), default=None),
    )


def surveillance_summary(birth: date, events: Iterable[Event], today: date) -> Summary:
    """``summarize(child_surveillance(...))`` without building the items (the recompute's hot path)."""
    windows, done = _matched(birth, events)
    overdue = due = finished = missed = 0
    kinds: set[str] = set()
    oldest: date | None = None
    for point, due_on, overdue_on, until in windows:
        if point.id in done:
            finished += 1
        elif today < due_on:
            continue
        elif today < overdue_on:
            due += 1
        elif today < until:
            overdue += 1
            kinds.add(point.kind)
            oldest = overdue_on if oldest is None or overdue_on < oldest else oldest
        else:
            missed += 1
    return Summary(overdue, due, finished, missed, tuple(sorted(kinds)), oldest)


def followed(birth: date, today: date) -> bool:
    """Children from birth until 9 years old are followed."""
    return birth <= today < add_months(birth, FOLLOWED_UNTIL_MONTHS)
