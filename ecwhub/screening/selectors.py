"""Reads of screens and needs, through the access policy, audited.

Pages and the API open a family with ``screenings_open`` or ``needs_open`` (a 404 for anyone the
policy refuses, as for a missing family); the rows they then read are filtered by the categories
that opening allowed. The helpers below read rows of the opened family through ``rows_visible``, so a row
outside the user's categories, or about a member they may not see, is never returned.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import DataCategory
from ecwhub.consent.selectors import OpenedHousehold, household_open, rows_visible
from ecwhub.core.errors import NotFound

from .models import Finding, IdentifiedNeed, ScreeningAlert, ScreeningAnswer, ScreeningResponse, ScreeningResult

SENSITIVE_OPTIONAL = (DataCategory.BEHAVIORAL_HEALTH, DataCategory.INTERPERSONAL_SAFETY)


def screenings_open(
    *,
    user: User,
    membership: Membership | None,
    household_id: uuid.UUID | str,
    purpose: str,
    detail: str = "screenings",
    also: tuple[str, ...] = (),
    audit: bool = True,
) -> OpenedHousehold:
    """The household for its screening results (and needs, and the sensitive categories the
    viewer's consent covers, and ``also``: what other sections of the page show); 404 otherwise.
    Audited (``audit=False``: the caller audits what it showed)."""
    return household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose,
        required=DataCategory.SCREENING_RESULTS,
        optional=(DataCategory.IDENTITY_CONTACT, DataCategory.IDENTIFIED_NEEDS, *SENSITIVE_OPTIONAL, *also),
        detail=detail,
        audit=audit,
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


def responses_of(opened: OpenedHousehold) -> QuerySet[ScreeningResponse]:
    """The family's screens the user may see (their category, about a member they may see), newest first."""
    return (
        rows_visible(opened, ScreeningResponse.objects.all())
        .select_related("person", "taken_by", "organization")
        .order_by("-started_at")
    )


def response_get(opened: OpenedHousehold, response_id: uuid.UUID | str) -> ScreeningResponse:
    """One of the opened family's screens, if the user may see it; ``NotFound`` otherwise."""
    response = responses_of(opened).filter(pk=response_id).first()
    if response is None:
        raise NotFound
    return response


def answers_shown(opened: OpenedHousehold, response: ScreeningResponse) -> QuerySet[ScreeningAnswer]:
    return rows_visible(opened, response.answers.all()).order_by("id")


def needs_of(opened: OpenedHousehold, *, open_only: bool = False) -> QuerySet[IdentifiedNeed]:
    """The family's identified needs the user may see, the family's priorities first."""
    queryset = rows_visible(opened, IdentifiedNeed.objects.all())
    if open_only:
        queryset = queryset.exclude(status=IdentifiedNeed.Status.ADDRESSED)
    return queryset.select_related("person", "source_response")


def findings_of(opened: OpenedHousehold, response: ScreeningResponse) -> QuerySet[Finding]:
    return rows_visible(opened, response.findings.all())


def results_of(opened: OpenedHousehold, response: ScreeningResponse) -> QuerySet[ScreeningResult]:
    return rows_visible(opened, response.results.all()).order_by("id")


def open_alerts(opened: OpenedHousehold) -> QuerySet[ScreeningAlert]:
    """Alerts not yet followed up, in the categories the user may see (a self-harm alert is
    behavioral health; a safety alert is interpersonal safety)."""
    return rows_visible(opened, ScreeningAlert.objects.filter(acknowledged_at__isnull=True)).select_related("response")


def alerts_of(opened: OpenedHousehold, response: ScreeningResponse) -> QuerySet[ScreeningAlert]:
    """The alerts a screen raised, in the categories the user may see (followed up or not)."""
    return rows_visible(opened, response.alerts.all()).order_by("raised_at")


def alert_get(opened: OpenedHousehold, alert_id: uuid.UUID | str) -> ScreeningAlert:
    alert = rows_visible(opened, ScreeningAlert.objects.filter(pk=alert_id)).select_related("response").first()
    if alert is None:
        raise NotFound
    return alert
