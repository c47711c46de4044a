"""Reads of screens and needs, through the access policy, audited.

Pages and the API open a family with ``screenings_open`` or ``needs_open`` (a 404 for anyone the
policy refuses, as for a missing family); the rows they then read are filtered by the categories
that opening allowed. The helpers below read rows of the opened family through ``rows_visible``, so a row
outside the user's categories, or about a member they may not see, is never returned.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.audit import audit_append, audit_line
from ecwhub.consent.models import AuditEntry, DataCategory
from ecwhub.consent.policy import households_visible
from ecwhub.consent.selectors import OpenedHousehold, audit_opened, household_open, members_visible, rows_visible
from ecwhub.core.errors import NotFound
from ecwhub.families.display import person_name

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


# The coordinator's alert inbox ------------------------------------------------------------------

ALERT_CATEGORIES = (DataCategory.BEHAVIORAL_HEALTH, DataCategory.INTERPERSONAL_SAFETY)


@dataclass(frozen=True)
class InboxRow:
    alert: ScreeningAlert
    # The person the screen was about, when the user may see who they are; else "".
    person: str


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def alerts_inbox(
    *, user: User, membership: Membership | None, purpose: str, page_number: int | str = 1, per_page: int = 10
) -> Inbox:
    """Open alerts of the families whose alert category the user may see, newest first.

    The policy's ``households_visible`` narrows the alerts in the database (one per category);
    each family on the page is then opened through ``household_open`` and its alerts read through
    ``rows_visible`` (a consent about one person, a young person's restriction), and that opening
    is audited with the categories shown."""
    try:
        number = max(1, int(page_number))
    except (TypeError, ValueError):
        number = 1
    condition = Q(pk__in=[])
    for category in ALERT_CATEGORIES:
        visible = households_visible(user=user, membership=membership, category=category, purpose=purpose)
        condition |= Q(category=category, household__in=visible.values("pk"))
    candidates = list(
        ScreeningAlert.objects.filter(condition, acknowledged_at__isnull=True)
        .order_by("-raised_at", "id")
        .values_list("pk", "household_id", "category")[(number - 1) * per_page : number * per_page + 1]
    )
    has_next = len(candidates) > per_page
    candidates = candidates[:per_page]
    by_household: dict[uuid.UUID, list[uuid.UUID]] = {}
    required: dict[uuid.UUID, str] = {}
    for alert_id, household_id, alert_category in candidates:
        by_household.setdefault(household_id, []).append(alert_id)
        required.setdefault(household_id, alert_category)
    rows: list[InboxRow] = []
    for household_id, alert_ids in by_household.items():
        try:
            opened = household_open(
                user=user,
                membership=membership,
                household_id=household_id,
                purpose=purpose,
                required=required[household_id],
                optional=(DataCategory.IDENTITY_CONTACT, *ALERT_CATEGORIES),
                detail="alert inbox",
                audit=False,
            )
        except NotFound:
            continue
        alerts = list(rows_visible(opened, ScreeningAlert.objects.filter(pk__in=alert_ids)).select_related("response"))
        if not alerts:
            continue
        names = (
            {p.pk: person_name(p) for p in members_visible(opened)}
            if opened.may_see(DataCategory.IDENTITY_CONTACT)
            else {}
        )
        shown: set[str] = {alert.category for alert in alerts}
        if names:
            shown.add(DataCategory.IDENTITY_CONTACT)
        audit_opened(opened, sorted(shown), "alert inbox")
        rows += [InboxRow(alert, names.get(alert.response.person_id, "")) for alert in alerts]
    if not rows:
        # The families were searched and none showed: one entry without a family says so.
        audit_append(
            [
                audit_line(
                    user,
                    membership,
                    AuditEntry.Action.READ,
                    categories=list(ALERT_CATEGORIES),
                    purpose=purpose,
                    detail="alert inbox: no family matched",
                )
            ]
        )
    rows.sort(key=lambda row: (row.alert.raised_at, str(row.alert.pk)), reverse=True)
    return Inbox(rows, number, has_next)
