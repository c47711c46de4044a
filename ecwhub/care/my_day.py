"""Care's sources for the coordinator's "my day" (``care.agenda``), and the page's reading of the
families its items name.

- Care tasks of the user: due today (TODAY: the calls and visits the contact frequency asks for,
  and tasks written by hand) and past due (OVERDUE).
- Referral follow-ups assigned to the user (``ReferralFollowUp``, open): the outcome fell due today
  (TODAY) or before (OVERDUE).
- New alerts (ALERTS): screening alerts not yet acknowledged of the families the user is the
  designated coordinator of.
- Families waiting on a reply (WAITING): a family the user is the designated coordinator of said,
  in its feedback on a completed referral, that it did not get (or only partly got) what it
  needed, in the last ``WAITING_DAYS`` days, and nobody has reached it since.

Each source reads only families the access policy lets the user read for the category of what it
lists (``households_visible`` in the query), and audits what it returns, one entry per family.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_append, audit_line
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import households_visible, members_hidden
from ecwhub.consent.selectors import audit_reads
from ecwhub.families.display import person_name
from ecwhub.families.models import Household, Person
from ecwhub.referrals.models import FeedbackAnswer, ReferralFeedback, ReferralFollowUp
from ecwhub.screening.models import ScreeningAlert
from ecwhub.screening.selectors import ALERT_CATEGORIES

from .agenda import AgendaItem, DaySource, Section, register_day_source
from .models import CareTask, Contact

PURPOSE = Purpose.CARE_COORDINATION
WAITING_DAYS = 30
# Items of one source shown at most (a coordinator's day; the family pages have the rest).
SOURCE_LIMIT = 100


def _visible(user: User, membership: Membership, category: str) -> QuerySet[Household]:
    return households_visible(user=user, membership=membership, category=category, purpose=PURPOSE)


def _coordinated(user: User) -> QuerySet[Relationship, Any]:
    return Relationship.objects.filter(
        kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True, user=user
    ).values("household_id")


def _audit(user: User, membership: Membership, items: list[AgendaItem], categories: list[str], detail: str) -> None:
    if items:
        audit_reads(
            user=user,
            membership=membership,
            household_ids=list(dict.fromkeys(i.household_id for i in items)),
            categories=categories,
            purpose=PURPOSE,
            detail=detail,
        )


TASK_LABELS: dict[str, Callable[[], str]] = {
    CareTask.Kind.CONTACT_DUE: lambda: _("Call or visit: the family's contact is due"),
    CareTask.Kind.CASE_REVIEW: lambda: _("Review the family's case"),
    CareTask.Kind.OTHER: lambda: _("A task written for you: see the family's page"),
}


def _tasks(user: User, membership: Membership, condition: Q) -> list[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    rows = list(
        CareTask.objects.filter(condition, owner=user, done_at__isnull=True)
        .filter(household__in=_visible(user, membership, DataCategory.CASE_NOTES).values("pk"))
        .order_by("due", "id")
        .values_list("pk", "household_id", "kind", "due")[:SOURCE_LIMIT]
    )
    items = [
        AgendaItem(
            household_id=household_id,
            key=kind,
            label=TASK_LABELS[kind](),
            url=reverse("care:encounter_new", kwargs={"household_id": household_id})
            if kind == CareTask.Kind.CONTACT_DUE
            else reverse("families:detail", kwargs={"household_id": household_id}) + f"#task-{pk}",
            due=due,
        )
        for pk, household_id, kind, due in rows
    ]
    _audit(user, membership, items, [DataCategory.CASE_NOTES], "my day: care tasks")
    return items


def tasks_today(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    return _tasks(user, membership, Q(due=today))


def tasks_overdue(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    return _tasks(user, membership, Q(due__lt=today))


def _followups(user: User, membership: Membership, condition: Q) -> list[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    rows = list(
        ReferralFollowUp.objects.filter(
            condition,
            assigned_to=user,
            done_at__isnull=True,
            referral__referring_organization_id=membership.organization_id,
            referral__household__in=_visible(user, membership, DataCategory.REFERRALS).values("pk"),
        )
        .order_by("due", "id")
        .values_list("referral_id", "referral__household_id", "due")[:SOURCE_LIMIT]
    )
    items = [
        AgendaItem(
            household_id=household_id,
            key="referral_follow_up",
            label=_("Follow up on a referral: the service has not said how it ended"),
            url=reverse("referrals:detail", kwargs={"referral_id": referral_id}),
            due=timezone.localdate(due),
        )
        for referral_id, household_id, due in rows
    ]
    _audit(user, membership, items, [DataCategory.REFERRALS], "my day: referral follow-ups")
    return items


def _day_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def followups_today(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    start, end = _day_bounds(today)
    return _followups(user, membership, Q(due__gte=start, due__lt=end))


def followups_overdue(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    start, _end = _day_bounds(today)
    return _followups(user, membership, Q(due__lt=start))


def new_alerts(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    coordinated = _coordinated(user)
    # Most coordinators have no open alert: an existence check reads nothing of a family.
    candidates = ScreeningAlert.objects.filter(acknowledged_at__isnull=True, household_id__in=coordinated)
    if not candidates.exists():
        return []
    condition = Q(pk__in=[])
    for category in ALERT_CATEGORIES:
        condition |= Q(category=category, household__in=_visible(user, membership, category).values("pk"))
    rows = list(
        candidates.filter(condition)
        .order_by("raised_at", "id")
        .values_list("pk", "household_id", "raised_at", "category")[:SOURCE_LIMIT]
    )
    items = [
        AgendaItem(
            household_id=household_id,
            key="screening_alert",
            label=_("A screen raised an alert: follow the protocol and acknowledge it"),
            url=reverse("screening:alert", kwargs={"household_id": household_id, "alert_id": alert_id}),
            since=raised_at,
        )
        for alert_id, household_id, raised_at, _category in rows
    ]
    _audit(user, membership, items, sorted({c for *_rest, c in rows}), "my day: alerts")
    return items


def waiting_on_reply(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    since = timezone.now() - datetime.timedelta(days=WAITING_DAYS)
    reached_since = Contact.objects.filter(
        household_id=OuterRef("referral__household_id"), reached=True, at__gte=OuterRef("answered_at")
    )
    candidates = ReferralFeedback.objects.filter(
        got_what_needed__in=[FeedbackAnswer.NO, FeedbackAnswer.PARTLY],
        answered_at__gte=since,
        referral__household_id__in=_coordinated(user),
    )
    if not candidates.exists():
        return []
    rows = list(
        candidates.filter(referral__household__in=_visible(user, membership, DataCategory.REFERRALS).values("pk"))
        .exclude(Exists(reached_since))
        .order_by("answered_at", "id")
        .values_list("referral_id", "referral__household_id", "answered_at")[:SOURCE_LIMIT]
    )
    items = [
        AgendaItem(
            household_id=household_id,
            key="feedback_not_helped",
            label=_("The family said a referral did not give it what it needed: call them back"),
            url=reverse("referrals:detail", kwargs={"referral_id": referral_id}),
            since=answered_at,
        )
        for referral_id, household_id, answered_at in rows
    ]
    _audit(user, membership, items, [DataCategory.REFERRALS], "my day: families waiting on a reply")
    return items


SOURCES = (
    DaySource("care_tasks_today", Section.TODAY, tasks_today),
    DaySource("care_tasks_overdue", Section.OVERDUE, tasks_overdue),
    DaySource("referral_follow_ups_today", Section.TODAY, followups_today),
    DaySource("referral_follow_ups_overdue", Section.OVERDUE, followups_overdue),
    DaySource("screening_alerts", Section.ALERTS, new_alerts),
    DaySource("feedback_not_helped", Section.WAITING, waiting_on_reply),
)


def register() -> None:
    for source in SOURCES:
        register_day_source(source)


@dataclass(frozen=True)
class FamilyLabel:
    reference: str  # the first characters of the family's id, as the other pages say it
    names: tuple[str, ...]  # the caregivers' names the user may see (empty when they may not)


def family_labels(
    user: User, membership: Membership, household_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, FamilyLabel]:
    """Each family's reference and, when the policy lets the user see its identity, its
    caregivers' names; audited (identity, for the families named)."""
    ids = list(dict.fromkeys(household_ids))
    if not ids:
        # The day was searched and named no family: one entry without a family says so.
        audit_append(
            [
                audit_line(
                    user,
                    membership,
                    AuditEntry.Action.READ,
                    categories=[DataCategory.IDENTITY_CONTACT],
                    purpose=PURPOSE,
                    detail="my day: no family matched",
                )
            ]
        )
        return {}
    named = set(
        _visible(user, membership, DataCategory.IDENTITY_CONTACT).filter(pk__in=ids).values_list("pk", flat=True)
    )
    hidden = members_hidden(user=user, membership=membership)
    names: dict[uuid.UUID, list[str]] = {}
    caregivers = (
        Person.objects.filter(household_id__in=named)
        .exclude(relationship=Person.Relationship.CHILD)
        .order_by("created_at", "id")
    )
    for person in caregivers:
        if person.pk not in hidden:
            names.setdefault(person.household_id, []).append(person_name(person))
    if named:
        audit_reads(
            user=user,
            membership=membership,
            household_ids=[i for i in ids if i in named],
            categories=[DataCategory.IDENTITY_CONTACT],
            purpose=PURPOSE,
            detail="my day",
        )
    return {i: FamilyLabel(reference=str(i)[:8], names=tuple(names.get(i, ()))) for i in ids}
