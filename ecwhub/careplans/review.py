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
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, User
from ecwhub.care.agenda import AgendaItem, DaySource, ReviewReason, ReviewSource, Section
from ecwhub.consent.models import DataCategory
from ecwhub.referrals.models import Referral, ReferralFollowUp
from ecwhub.referrals.workflow import Status
from ecwhub.screening.models import ScreeningAlert, ScreeningResult

from .selectors import coordinated_households, visible_ids, waiting_families

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


def _by_category(
    rows: QuerySet, user: User, membership: Membership, *, field: str, household: str = "household"
) -> QuerySet:
    """The rows whose family the user may read in the row's own category (``field``); one
    ``households_visible`` per category present among the rows."""
    categories = sorted(set(rows.order_by().values_list(field, flat=True).distinct()))
    condition = Q(pk__in=[])
    for category in categories:
        condition |= Q(**{field: category, f"{household}__in": visible_ids(user, membership, category)})
    return rows.filter(condition)


def _items(rows: Iterable[Any], *, key: str, label: str, url: str) -> list[AgendaItem]:
    return [
        AgendaItem(
            household_id=row["family"],  # type: ignore[arg-type]
            key=key,
            label=label,
            url=reverse(url, kwargs={"household_id": row["family"]}),
            since=row["since"],  # type: ignore[arg-type]
        )
        for row in rows
    ]


def families_in_crisis(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    """Families with an urgent screening alert still open (whenever it was raised: a crisis is not
    over because a week has passed)."""
    alerts = ScreeningAlert.objects.filter(
        acknowledged_at__isnull=True, kind__in=URGENT_ALERT_KINDS, household__in=coordinated_households(membership)
    )
    rows = (
        _by_category(alerts, user, membership, field="category")
        .values(family=F("household_id"))
        .annotate(since=Max("raised_at"))
    )
    return _items(rows, key="crisis", label=_("An urgent screening alert is still open"), url="screening:family")


def new_positive_screens(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    results = ScreeningResult.objects.filter(
        status=ScreeningResult.Status.POSITIVE,
        observed_at__gte=since,
        household__in=coordinated_households(membership),
    )
    rows = (
        _by_category(results, user, membership, field="category")
        .values(family=F("household_id"))
        .annotate(since=Max("observed_at"))
    )
    return _items(rows, key="positive_screen", label=_("A new positive screen"), url="screening:family")


def failed_referrals(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    referrals = Referral.objects.filter(
        status__in=FAILED,
        closed_at__gte=since,
        household__in=coordinated_households(membership),
    ).filter(household__in=visible_ids(user, membership, DataCategory.REFERRALS))
    rows = referrals.values(family=F("household_id")).annotate(since=Max("closed_at"))
    return _items(
        rows,
        key="failed_referral",
        label=_("A referral was declined or could not be completed"),
        url="families:detail",
    )


def overdue_follow_ups(user: User, membership: Membership, since: datetime.datetime) -> list[AgendaItem]:
    """Referral follow-ups past due and not done (however long ago they fell due)."""
    tasks = ReferralFollowUp.objects.filter(
        done_at__isnull=True,
        due__lt=timezone.now(),
        referral__household__in=coordinated_households(membership),
    ).filter(referral__household__in=visible_ids(user, membership, DataCategory.REFERRALS))
    rows = tasks.values(family=F("referral__household_id")).annotate(since=Max("due"))
    return _items(rows, key="overdue_follow_up", label=_("A referral follow-up is overdue"), url="families:detail")


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
