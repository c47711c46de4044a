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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import AuditLine, audit_append, audit_line
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import households_visible, members_hidden
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


@dataclass
class _Run:
    """One page's reading of the day: the audit lines to append together at the end, and what the
    sources share (the policy's answer per category, the rows read once for two sections)."""

    lines: list[AuditLine] = field(default_factory=list)
    shared: dict[object, Any] = field(default_factory=dict)


_RUN: ContextVar[_Run | None] = ContextVar("care_my_day_run", default=None)


@contextmanager
def one_audit() -> Iterator[None]:
    """Within the block, the sources' and the names' audit lines are kept and appended in one
    transaction when it ends without an error (a page reads the day once: one append, not six),
    and the policy's facts are read once per category."""
    run = _Run()
    token = _RUN.set(run)
    try:
        yield
    finally:
        _RUN.reset(token)
    if run.lines:
        audit_append(run.lines)


def _shared(key: object, build: Callable[[], Any]) -> Any:
    run = _RUN.get()
    if run is None:
        return build()
    if key not in run.shared:
        run.shared[key] = build()
    return run.shared[key]


def _append(lines: list[AuditLine]) -> None:
    run = _RUN.get()
    if run is None:
        audit_append(lines)
    else:
        run.lines.extend(lines)


def _visible(user: User, membership: Membership, category: str) -> QuerySet[Household]:
    return _shared(
        ("visible", user.pk, membership.pk, category),
        lambda: households_visible(user=user, membership=membership, category=category, purpose=PURPOSE),
    )


def _coordinated(user: User) -> QuerySet[Relationship, Any]:
    return Relationship.objects.filter(
        kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True, user=user
    ).values("household_id")


def _audit(user: User, membership: Membership, items: list[AgendaItem], categories: list[str], detail: str) -> None:
    """One entry per family the items name."""
    if items:
        _append(
            [
                audit_line(
                    user,
                    membership,
                    AuditEntry.Action.READ,
                    household_id=household_id,
                    categories=categories,
                    purpose=PURPOSE,
                    detail=detail,
                )
                for household_id in dict.fromkeys(i.household_id for i in items)
            ]
        )


TASK_LABELS: dict[str, Callable[[], str]] = {
    CareTask.Kind.CONTACT_DUE: lambda: _("Call or visit: the family's contact is due"),
    CareTask.Kind.CASE_REVIEW: lambda: _("Review the family's case"),
    CareTask.Kind.OTHER: lambda: _("A task written for you: see the family's page"),
}


def _open_tasks(user: User, membership: Membership, today: datetime.date) -> list[tuple[int, uuid.UUID, str, Any]]:
    """The user's open care tasks due today or before, on families whose case notes they may read
    (one query for both sections)."""
    return _shared(
        ("tasks", user.pk, today),
        lambda: list(
            CareTask.objects.filter(owner=user, done_at__isnull=True, due__lte=today)
            .filter(household__in=_visible(user, membership, DataCategory.CASE_NOTES).values("pk"))
            .order_by("due", "id")
            .values_list("pk", "household_id", "kind", "due")[: 2 * SOURCE_LIMIT]
        ),
    )


def _tasks(user: User, membership: Membership, today: datetime.date, overdue: bool) -> list[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    rows = [row for row in _open_tasks(user, membership, today) if (row[3] < today) == overdue][:SOURCE_LIMIT]
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
    return _tasks(user, membership, today, overdue=False)


def tasks_overdue(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    return _tasks(user, membership, today, overdue=True)


def _open_followups(
    user: User, membership: Membership, today: datetime.date
) -> list[tuple[uuid.UUID, uuid.UUID, datetime.date]]:
    """The user's open referral follow-ups due by the end of today, on referrals their organization
    sent for families whose referrals they may read (one query for both sections)."""
    _start, end = _day_bounds(today)

    def read() -> list[tuple[uuid.UUID, uuid.UUID, datetime.date]]:
        mine = ReferralFollowUp.objects.filter(assigned_to=user, done_at__isnull=True, due__lt=end)
        # Most coordinators have none: an existence check reads nothing of a family, and spares
        # the policy's questions.
        if not mine.exists():
            return []
        return [
            (referral_id, household_id, timezone.localdate(due))
            for referral_id, household_id, due in mine.filter(
                referral__referring_organization_id=membership.organization_id,
                referral__household__in=_visible(user, membership, DataCategory.REFERRALS).values("pk"),
            )
            .order_by("due", "id")
            .values_list("referral_id", "referral__household_id", "due")[: 2 * SOURCE_LIMIT]
        ]

    return _shared(("followups", user.pk, today), read)


def _followups(user: User, membership: Membership, today: datetime.date, overdue: bool) -> list[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    rows = [row for row in _open_followups(user, membership, today) if (row[2] < today) == overdue][:SOURCE_LIMIT]
    items = [
        AgendaItem(
            household_id=household_id,
            key="referral_follow_up",
            label=_("Follow up on a referral: the service has not said how it ended"),
            url=reverse("referrals:detail", kwargs={"referral_id": referral_id}),
            due=due,
        )
        for referral_id, household_id, due in rows
    ]
    _audit(user, membership, items, [DataCategory.REFERRALS], "my day: referral follow-ups")
    return items


def _day_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def followups_today(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    return _followups(user, membership, today, overdue=False)


def followups_overdue(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    return _followups(user, membership, today, overdue=True)


def new_alerts(user: User, membership: Membership, today: datetime.date) -> list[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    # The open alerts of the families the user coordinates (a few), then the policy for each
    # alert's category on those families only: the query never walks every visible family.
    candidates = list(
        ScreeningAlert.objects.filter(
            acknowledged_at__isnull=True, household_id__in=_coordinated(user), category__in=ALERT_CATEGORIES
        )
        .order_by("raised_at", "id")
        .values_list("pk", "household_id", "raised_at", "category")
    )
    if not candidates:
        return []
    readable: set[tuple[uuid.UUID, str]] = set()
    for category in {c for *_rest, c in candidates}:
        ids = [household_id for _pk, household_id, _at, c in candidates if c == category]
        visible = _visible(user, membership, category).filter(pk__in=ids).values_list("pk", flat=True)
        readable.update((household_id, category) for household_id in visible)
    rows = [row for row in candidates if (row[1], row[3]) in readable][:SOURCE_LIMIT]
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
        _append(
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
    hidden = members_hidden(user=user, membership=membership)
    names: dict[uuid.UUID, list[str]] = {}
    # One query: the caregivers of the families among ``ids`` whose identity the user may see.
    visible = _visible(user, membership, DataCategory.IDENTITY_CONTACT).filter(pk__in=ids).values("pk")
    caregivers = (
        Person.objects.filter(household_id__in=visible)
        .exclude(relationship=Person.Relationship.CHILD)
        .order_by("created_at", "id")
    )
    for person in caregivers:
        if person.pk not in hidden:
            names.setdefault(person.household_id, []).append(person_name(person))
    named = set(names)
    if named:
        _append(
            [
                audit_line(
                    user,
                    membership,
                    AuditEntry.Action.READ,
                    household_id=household_id,
                    categories=[DataCategory.IDENTITY_CONTACT],
                    purpose=PURPOSE,
                    detail="my day",
                )
                for household_id in ids
                if household_id in named
            ]
        )
    return {i: FamilyLabel(reference=str(i)[:8], names=tuple(names.get(i, ()))) for i in ids}
