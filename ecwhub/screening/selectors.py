"""Reads of screens and needs, through the access policy, audited.

Pages and the API open a family with ``screenings_open`` or ``needs_open`` (a 404 for anyone the
policy refuses, as for a missing family); the rows they then read are filtered by the categories
that opening allowed. The plain query helpers below (``needs_of``, ``latest_results`` …) take
those categories from the caller, for other apps (care: tiers, worklists) that have opened the
household themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import DataCategory
from ecwhub.consent.selectors import OpenedHousehold, household_open
from ecwhub.families.models import Household

from .models import Finding, IdentifiedNeed, ScreeningAlert, ScreeningAnswer, ScreeningResponse, ScreeningResult

SENSITIVE_OPTIONAL = (DataCategory.BEHAVIORAL_HEALTH, DataCategory.INTERPERSONAL_SAFETY)


def screenings_open(
    *,
    user: User,
    membership: Membership | None,
    household_id: uuid.UUID | str,
    purpose: str,
    detail: str = "screenings",
) -> OpenedHousehold:
    """The household for its screening results (and needs, and the sensitive categories the
    viewer's consent covers); 404 otherwise. Audited."""
    return household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose,
        required=DataCategory.SCREENING_RESULTS,
        optional=(DataCategory.IDENTITY_CONTACT, DataCategory.IDENTIFIED_NEEDS, *SENSITIVE_OPTIONAL),
        detail=detail,
    )


def needs_open(
    *, user: User, membership: Membership | None, household_id: uuid.UUID | str, purpose: str
) -> OpenedHousehold:
    """The household for its identified needs (providers may see needs without screen answers)."""
    return household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose,
        required=DataCategory.IDENTIFIED_NEEDS,
        optional=(DataCategory.IDENTITY_CONTACT, DataCategory.SCREENING_RESULTS, *SENSITIVE_OPTIONAL),
        detail="needs",
    )


def responses_of(household: Household, categories: Iterable[str]) -> QuerySet[ScreeningResponse]:
    return (
        ScreeningResponse.objects.filter(household=household, category__in=list(categories))
        .select_related("person", "taken_by", "organization")
        .order_by("-started_at")
    )


def response_get(opened: OpenedHousehold, response_id: uuid.UUID | str) -> ScreeningResponse:
    """One of the opened family's screens, if its category was allowed; 404 otherwise."""
    response = responses_of(opened.household, opened.categories).filter(pk=response_id).first()
    if response is None:
        raise Http404
    return response


def answers_shown(response: ScreeningResponse, categories: Iterable[str]) -> QuerySet[ScreeningAnswer]:
    return response.answers.filter(category__in=list(categories)).order_by("id")


def needs_of(household: Household, categories: Iterable[str], *, open_only: bool = False) -> QuerySet[IdentifiedNeed]:
    """The family's identified needs in the allowed categories, the family's priorities first."""
    queryset = IdentifiedNeed.objects.filter(household=household, category__in=list(categories))
    if open_only:
        queryset = queryset.exclude(status=IdentifiedNeed.Status.ADDRESSED)
    return queryset.select_related("person", "source_response")


def findings_of(response: ScreeningResponse, categories: Iterable[str]) -> QuerySet[Finding]:
    return response.findings.filter(category__in=list(categories))


def results_of(response: ScreeningResponse, categories: Iterable[str]) -> QuerySet[ScreeningResult]:
    return response.results.filter(category__in=list(categories)).order_by("id")


def latest_results(
    household: Household, categories: Iterable[str], *, rule: str | None = None
) -> dict[tuple[uuid.UUID, str], ScreeningResult]:
    """The latest result of each (person, rule) from completed screens, e.g. ``(mother, "epds-total")``
    → the row with ``total`` 14 and ``status`` positive."""
    queryset = ScreeningResult.objects.filter(household=household, category__in=list(categories))
    if rule is not None:
        queryset = queryset.filter(rule=rule)
    latest: dict[tuple[uuid.UUID, str], ScreeningResult] = {}
    for row in queryset.order_by("observed_at", "id"):
        latest[(row.person_id, row.rule)] = row
    return latest


def positive_screen_dates(household: Household, categories: Iterable[str]) -> dict[str, list[datetime]]:
    """When each rule was last positive, newest first (rule id → dates)."""
    dates: dict[str, list[datetime]] = {}
    for row in (
        ScreeningResult.objects.filter(household=household, category__in=list(categories), status="positive")
        .order_by("-observed_at")
        .only("rule", "observed_at")
    ):
        dates.setdefault(row.rule, []).append(row.observed_at)
    return dates


def open_alerts(household: Household) -> QuerySet[ScreeningAlert]:
    return ScreeningAlert.objects.filter(household=household, acknowledged_at__isnull=True)
