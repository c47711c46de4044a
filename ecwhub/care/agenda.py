"""What a coordinator has to do, gathered from every app that gives them work.

Two lists read these sources: the coordinator's "my day" (due today, overdue, new alerts,
families waiting on a reply) and the care team's weekly case review (families in crisis, stalled
pathways, overdue follow-ups, new positive screens, failed referrals). Each app registers its
sources in ``AppConfig.ready()``; a source reads only the families the access policy lets the user
read (through its app's own selectors) and returns plain items, so the pages only sort and format.

A source never puts a family's name or details in ``label``: the page adds the family's reference
and name from the household it reads through the policy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from ecwhub.accounts.models import Membership, User


class Section(StrEnum):
    """Where an item shows on "my day"."""

    TODAY = "today"  # visits and calls due today
    OVERDUE = "overdue"  # tasks past their due date
    ALERTS = "alerts"  # new alerts
    WAITING = "waiting"  # families waiting on a reply


class ReviewReason(StrEnum):
    """Why a family is on the weekly case review."""

    CRISIS = "crisis"
    STALLED_PATHWAY = "stalled_pathway"
    OVERDUE_FOLLOW_UP = "overdue_follow_up"
    NEW_POSITIVE_SCREEN = "new_positive_screen"
    FAILED_REFERRAL = "failed_referral"


@dataclass(frozen=True)
class AgendaItem:
    household_id: UUID
    key: str  # what kind of work, stable (e.g. "pathway_step", "contact_due"); for tests and CSS
    label: str  # translated, what to do; never the family's name or details
    url: str  # where the work is done
    due: datetime.date | None = None
    since: datetime.datetime | None = None  # when the item arose (alerts, replies)


@dataclass(frozen=True)
class DaySource:
    key: str
    section: Section
    build: Callable[[User, Membership, datetime.date], Iterable[AgendaItem]]


@dataclass(frozen=True)
class ReviewSource:
    key: str
    reason: ReviewReason
    # (user, membership, since): families the user may read with this reason since that moment.
    build: Callable[[User, Membership, datetime.datetime], Iterable[AgendaItem]]


_DAY: dict[str, DaySource] = {}
_REVIEW: dict[str, ReviewSource] = {}


def register_day_source(source: DaySource) -> None:
    if source.key in _DAY and _DAY[source.key] != source:
        raise ValueError(f"two day sources are called {source.key!r}")
    _DAY[source.key] = source


def register_review_source(source: ReviewSource) -> None:
    if source.key in _REVIEW and _REVIEW[source.key] != source:
        raise ValueError(f"two review sources are called {source.key!r}")
    _REVIEW[source.key] = source


def day_items(user: User, membership: Membership, today: datetime.date) -> dict[Section, list[AgendaItem]]:
    """Every day source's items, by section, each section in due order (then arrival)."""
    found: dict[Section, list[AgendaItem]] = {section: [] for section in Section}
    for source in sorted(_DAY.values(), key=lambda s: s.key):
        found[source.section].extend(source.build(user, membership, today))
    for items in found.values():
        items.sort(key=_order)
    return found


def review_items(user: User, membership: Membership, since: datetime.datetime) -> dict[ReviewReason, list[AgendaItem]]:
    """Every review source's items, by reason."""
    found: dict[ReviewReason, list[AgendaItem]] = {reason: [] for reason in ReviewReason}
    for source in sorted(_REVIEW.values(), key=lambda s: s.key):
        found[source.reason].extend(source.build(user, membership, since))
    for items in found.values():
        items.sort(key=_order)
    return found


def _order(item: AgendaItem) -> tuple[datetime.date, datetime.datetime, str]:
    return (
        item.due or datetime.date.max,
        item.since or datetime.datetime.max.replace(tzinfo=datetime.UTC),
        str(item.household_id),
    )
