"""A coordinator's care tasks (``CareTask``): the "contact due" tasks the contact frequency timer
opens for a family not reached in time, and the tasks written by hand from the family page.

The timer (``contact_timers_run``, run by ``manage.py care_timers``) reads each family with a
designated coordinator who is a person, its tier's frequency (``ContactFrequency``, or the
defaults) and its last contact that reached it (or, if never reached, when the coordinator was
designated): a family whose contact falls due today or earlier gets one open "contact due" task
for its designated coordinator, due the day the contact fell due. The database keeps one open per
family, so the timer can run twice, or on two machines, and opens nothing twice. A contact that
reaches the family closes it (``care.services.contact_record``).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import decide
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Household

from .models import DEFAULT_CONTACT_DAYS, CareTask, Contact, ContactFrequency, TierAssignment

TASK_NOTE_MAX = 2000
# How far ahead a task written by hand may be due.
DUE_AHEAD_DAYS = 366
BATCH = 2000


class TaskError(ValueError):
    """Bad input for a task; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def contact_days() -> dict[int, int]:
    """Each tier's contact frequency in days: the hub administrator's, else the default."""
    days = dict(DEFAULT_CONTACT_DAYS)
    days.update(ContactFrequency.objects.values_list("tier", "days"))
    return days


@dataclass(frozen=True)
class TimerReport:
    opened: int
    families_checked: int


def contact_timers_run(now: datetime.datetime | None = None) -> TimerReport:
    """Open the "contact due" tasks that are due at ``now`` (idempotent)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = contact_days()
    last_reached = (
        Contact.objects.filter(household_id=OuterRef("household_id"), reached=True, at__lte=now)
        .order_by("-at")
        .values("at")[:1]
    )
    tier = TierAssignment.objects.filter(household_id=OuterRef("household_id")).values("tier")[:1]
    already = CareTask.objects.filter(
        household_id=OuterRef("household_id"), kind=CareTask.Kind.CONTACT_DUE, done_at__isnull=True
    )
    rows = (
        Relationship.objects.filter(
            kind=RelationshipKind.DESIGNATED_COORDINATOR,
            ended_at__isnull=True,
            user__isnull=False,
            started_at__lte=now,
        )
        .exclude(Exists(already))
        .annotate(last=Subquery(last_reached), tier=Subquery(tier))
        .values_list("household_id", "user_id", "started_at", "last", "tier")
    )
    checked = 0
    due: list[CareTask] = []
    for household_id, user_id, started_at, last, family_tier in rows.iterator(chunk_size=BATCH):
        checked += 1
        since = max(last, started_at) if last else started_at
        falls_due = timezone.localdate(since) + datetime.timedelta(days=days.get(family_tier or 1, days[1]))
        if falls_due <= today:
            due.append(
                CareTask(
                    household_id=household_id,
                    owner_id=user_id,
                    kind=CareTask.Kind.CONTACT_DUE,
                    due=falls_due,
                    created_from=CareTask.Source.CONTACT_FREQUENCY,
                    created_at=now,
                )
            )
    for start in range(0, len(due), BATCH):
        # A task another run opened meanwhile wins; this one is dropped (one open per family).
        CareTask.objects.bulk_create(due[start : start + BATCH], ignore_conflicts=True)
    return TimerReport(opened=len(due), families_checked=checked)


def _check_write(user: User, membership: Membership | None, household: Household) -> Membership:
    if (
        membership is None
        or membership.role != Role.COORDINATOR
        or not decide(
            user=user,
            membership=membership,
            household=household,
            category=DataCategory.CASE_NOTES,
            purpose=Purpose.CARE_COORDINATION,
            write=True,
        )
    ):
        raise NotFound
    return membership


def task_create(
    *,
    acting_user: User,
    membership: Membership | None,
    household: Household,
    kind: str,
    due: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> CareTask:
    """A coordinator writes a task for themselves about the family. Raises ``NotFound`` when they
    may not write its case notes, ``TaskError`` naming the field at fault (nothing written)."""
    checked = _check_write(acting_user, membership, household)
    today = today or timezone.localdate()
    if kind not in CareTask.Kind.values:
        raise TaskError("kind", _("Choose what the task is."))
    if (
        kind == CareTask.Kind.CONTACT_DUE
        and CareTask.objects.filter(household=household, kind=kind, done_at__isnull=True).exists()
    ):
        raise TaskError("kind", _("The family already has an open task to contact it."))
    if due < today - datetime.timedelta(days=DUE_AHEAD_DAYS) or due > today + datetime.timedelta(days=DUE_AHEAD_DAYS):
        raise TaskError("due", _("Choose a due date within a year of today."))
    note = note.strip()
    if len(note) > TASK_NOTE_MAX:
        raise TaskError("note", _("Keep the note under 2,000 characters."))
    with transaction.atomic():
        task = CareTask.objects.create(
            household=household,
            owner=acting_user,
            kind=kind,
            due=due,
            created_from=CareTask.Source.BY_HAND,
            created_by=acting_user,
            note=note,
        )
        audit_write(
            user=acting_user,
            membership=checked,
            household_id=household.pk,
            categories=[DataCategory.CASE_NOTES],
            detail=f"care task {task.pk} opened",
        )
    return task


def task_mark_done(*, acting_user: User, membership: Membership | None, household: Household, task_id: int) -> CareTask:
    """The task is done (by whoever may write the family's case notes). ``NotFound`` for a task of
    another family, one already done, or a family the user may not write."""
    checked = _check_write(acting_user, membership, household)
    with transaction.atomic():
        task = (
            CareTask.objects.select_for_update().filter(pk=task_id, household=household, done_at__isnull=True).first()
        )
        if task is None:
            raise NotFound
        task.done_at = timezone.now()
        task.done_by = acting_user
        task.save(update_fields=["done_at", "done_by"])
        audit_write(
            user=acting_user,
            membership=checked,
            household_id=household.pk,
            categories=[DataCategory.CASE_NOTES],
            detail=f"care task {task.pk} done",
        )
    return task


def care_tasks_reassign(
    *, acting_user: User, membership: Membership | None, household_id: uuid.UUID, from_user: User, to_user: User
) -> int:
    """The family's designated coordinator changed: the open care tasks ``from_user`` had for the
    family move to ``to_user`` (done ones stay with who did them). Runs in the caller's transaction
    (the transfer's); one audit entry for the move. Returns how many moved."""
    moved = list(
        CareTask.objects.select_for_update()
        .filter(household_id=household_id, owner=from_user, done_at__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    if not moved:
        return 0
    CareTask.objects.filter(pk__in=moved).update(owner=to_user)
    audit_write(
        user=acting_user,
        membership=membership,
        household_id=household_id,
        categories=[DataCategory.CASE_NOTES],
        detail=f"care tasks {','.join(str(pk) for pk in moved)} moved to user {to_user.pk}",
    )
    return len(moved)
