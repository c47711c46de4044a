"""The sources this app gives the care team's weekly case review and the coordinator's day
(``care.agenda``): families in crisis (open urgent screening alerts), new positive screens,
referrals that failed or were declined, overdue referral follow-ups; and, on "my day", families
whose comment on their plan waits for an answer.

Each review source reads only the families the user's organization coordinates (a designated
coordinator among its members) and, row by row, only what the access policy lets the user read for
care coordination: a row counts only if its family is among ``households_visible`` for the row's
own consent category. Items carry ids and a label in words, never a family's name or details.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, User
from ecwhub.care.agenda import AgendaItem, DaySource, ReviewReason, ReviewSource, Section
from ecwhub.consent.models import DataCategory
from ecwhub.referrals.models import Referral, ReferralFollowUp
from ecwhub.referrals.workflow import Status
from ecwhub.screening.models import ScreeningAlert, ScreeningResult

from .selectors import team_rows, visible_among, waiting_families

# Both alert kinds the screens raise are urgent: thoughts of self-harm, and a safety answer.
URGENT_ALERT_KINDS = (ScreeningAlert.Kind.SELF_HARM, ScreeningAlert.Kind.INTERPERSONAL_SAFETY)
FAILED = (Status.FAILED, Status.REJECTED)
# The categories each reason's rows are read in (for the page's audit entry).
REASON_CATEGORIES: dict[str, tuple[str, ...]] = {
    ReviewReason.CRISIS: (DataCategory.SCREENING_RESULTS,),
    ReviewReason.NEW_POSITIVE_SCREEN: (DataCategory.SCREENING_RESULTS,),
    ReviewReason.FAILED_REFERRAL: (DataCategory.REFERRALS,),
    ReviewReason.OVERDUE_FOLLOW_UP: (DataCategory.REFERRALS,),
}


def _visible(
    rows: Iterable[tuple[uuid.UUID, str, datetime.datetime]], user: User, membership: Membership
) -> dict[uuid.UUID, datetime.datetime]:
    """Of the team's rows (family, the row's consent category, when), those whose family the user
    may read in that category (``households_visible``, asked in the database about these families
    only, once per category): the latest moment per family."""
    rows = list(rows)
    by_category: dict[str, set[uuid.UUID]] = defaultdict(set)
    for household_id, category, _at in rows:
        by_category[category].add(household_id)
    allowed: set[tuple[uuid.UUID, str]] = set()
    for category, ids in by_category.items():
        allowed.update((pk, category) for pk in visible_among(user, membership, category, ids))
    latest: dict[uuid.UUID, datetime.datetime] = {}
    for household_id, category, at in rows:
        if (household_id, category) in allowed and (household_id not in latest or at > latest[household_id]):
            latest[household_id] = at
    return latest


def _items(found: dict[uuid.UUID, datetime.datetime], *, key: str, label: str, url: str) -> list[AgendaItem]:
    # One reverse for the list, not one per family (a team's list can hold hundreds).
    placeholder = uuid.UUID(int=0)
    pattern = reverse(url, kwargs={"household_id": placeholder})
    return [
        AgendaItem(
            household_id=household_id,
            key=key,
            label=label,
            url=pattern.replace(str(placeholder), str(household_id)),
            since=at,
        )
        for household_id, at in found.items()
    ]


def families_in_crisis(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    """Families with an urgent screening alert still open (whenever it was raised: a crisis is not
    over because a week has passed)."""
    alerts = ScreeningAlert.objects.filter(acknowledged_at__isnull=True, kind__in=URGENT_ALERT_KINDS)
    rows = (
        team_rows(alerts, membership).order_by().values_list("household_id", "category").annotate(at=Max("raised_at"))
    )
    return _items(
        _visible(rows, user, membership),
        key="crisis",
        label=_("An urgent screening alert is still open"),
        url="screening:family",
    )


def new_positive_screens(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    results = ScreeningResult.objects.filter(status=ScreeningResult.Status.POSITIVE, observed_at__gte=since)
    rows = (
        team_rows(results, membership)
        .order_by()
        .values_list("household_id", "category")
        .annotate(at=Max("observed_at"))
    )
    return _items(
        _visible(rows, user, membership),
        key="positive_screen",
        label=_("A new positive screen"),
        url="screening:family",
    )


def failed_referrals(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    referrals = Referral.objects.filter(status__in=FAILED, closed_at__gte=since)
    rows = team_rows(referrals, membership).order_by().values_list("household_id").annotate(at=Max("closed_at"))
    return _items(
        _visible(((h, DataCategory.REFERRALS, at) for h, at in rows), user, membership),
        key="failed_referral",
        label=_("A referral was declined or could not be completed"),
        url="families:detail",
    )


def overdue_follow_ups(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    """Referral follow-ups past due and not done (however long ago they fell due)."""
    tasks = ReferralFollowUp.objects.filter(done_at__isnull=True, due__lt=timezone.now())
    rows = (
        team_rows(tasks, membership, "referral__household_id")
        .order_by()
        .values_list("referral__household_id")
        .annotate(at=Max("due"))
    )
    return _items(
        _visible(((h, DataCategory.REFERRALS, at) for h, at in rows), user, membership),
        key="overdue_follow_up",
        label=_("A referral follow-up is overdue"),
        url="families:detail",
    )


def comments_waiting(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    return [
        AgendaItem(
            household_id=household_id,
            key="plan_comment",
            label=_("The family commented on their plan"),
            url=reverse("careplans:plan", kwargs={"household_id": household_id}),
            since=first,
        )
        for household_id, first in waiting_families(user, membership)
    ]


REVIEW_SOURCES = (
    ReviewSource("careplans.crisis", ReviewReason.CRISIS, families_in_crisis),
    ReviewSource("careplans.positive_screens", ReviewReason.NEW_POSITIVE_SCREEN, new_positive_screens),
    ReviewSource("careplans.failed_referrals", ReviewReason.FAILED_REFERRAL, failed_referrals),
    ReviewSource("careplans.overdue_follow_ups", ReviewReason.OVERDUE_FOLLOW_UP, overdue_follow_ups),
)
DAY_SOURCES = (DaySource("careplans.plan_comments", Section.WAITING, comments_waiting),)
