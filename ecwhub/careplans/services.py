"""The writes of the care team and the care plan. Each is one transaction that also writes its
audit entry; bad input raises ``PlanError`` naming the field, and nothing is written then.

Who may write: staff whose role and the family's consent let them change the family's care plan
(``consent.policy.decide`` with ``write=True``); a team note needs the same for the note's own
category. The family comments on its own plan from its own pages (``family_comment_add``): the
plan is theirs, so reading it (their own family) is enough, but only an adult of the household
(not a child) writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.care.models import Contact
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose, RelationshipKind
from ecwhub.consent.policy import YOUTH_AGE_YEARS, decide, decide_many, sharing_gaps
from ecwhub.consent.services import relationship_end, relationship_start
from ecwhub.core.errors import NotFound
from ecwhub.core.languages import Language
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import IdentifiedNeed

from .models import (
    FAMILY_ROLES,
    Barrier,
    BarrierReason,
    CareTeamMember,
    Goal,
    GoalEncounter,
    GoalNeed,
    GoalProgress,
    GoalStatus,
    TeamNote,
    TeamRole,
    default_target_date,
)

NOTE_MAX = 4000
GOAL_MAX = 1000
ADULT_AGE_YEARS = 18
# What a staff member of another organization must be allowed to see to join a family's team:
# who the family is and its care plan (an agreement in force and the family's consent, for care
# coordination). The policy then decides every other category on its own.
TEAM_CATEGORIES = (DataCategory.IDENTITY_CONTACT, DataCategory.CARE_PLAN)
STAFF_MEMBERSHIP_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})
CARE_TEAM = RelationshipKind.CARE_TEAM
REMOVED_REASON = "removed from the care team"


class PlanError(ValueError):
    """Bad input or a refused change; ``field`` names the input at fault (``__all__``: none)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _category_label(category: str) -> str:
    return str(dict(DataCategory.choices).get(category, category))


def _check_writer(user: User, membership: Membership | None, household: Household, category: str) -> Membership:
    """The acting staff member may change ``category`` of this family; ``NotFound`` when they may
    not even see the family (nothing leaks), ``PlanError`` when they see it but may not change it."""
    if membership is None or membership.role == Role.FAMILY_MEMBER:
        raise NotFound
    decisions = decide_many(
        user=user,
        membership=membership,
        household=household,
        purpose=Purpose.CARE_COORDINATION,
        categories=[DataCategory.IDENTITY_CONTACT, category],
        write=False,
    )
    if not decisions[DataCategory.IDENTITY_CONTACT]:
        raise NotFound
    allowed = decide(
        user=user,
        membership=membership,
        household=household,
        category=category,
        purpose=Purpose.CARE_COORDINATION,
        write=True,
    )
    if not allowed:
        raise PlanError(
            "__all__",
            _("Your role or the family's consent does not let you change the family's %(category)s.")
            % {"category": _category_label(category).lower()},
        )
    return membership


def _text(field: str, value: str, *, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise PlanError(field, _("Write something here."))
    if len(value) > limit:
        raise PlanError(field, _("Keep it under %(limit)d characters.") % {"limit": limit})
    return value


def _age_years(person: Person, on: date) -> int:
    return person.age_in_months(on) // 12


# --- The care team ----------------------------------------------------------------------------


def team_member_add(
    *,
    acting_user: User,
    membership: Membership | None,
    household: Household,
    role: str,
    person: Person | None = None,
    member: User | None = None,
    organization: Organization | None = None,
) -> CareTeamMember:
    """Add a member to the family's care team.

    A family role (caregiver, young person) is held by a person of the household: a caregiver is an
    adult, a young person is 12 or older. Every other role is held by a staff member of an
    organization, who joins only when the access policy would let that organization see the
    family's identity and care plan for care coordination (an agreement in force, unless it
    registered the family, and the family's consent in force naming it or the whole network); the
    care team relationship that gives them access is started through ``relationship_start``.

    Raises ``NotFound`` when the acting user may not see the family; ``PlanError`` naming the field
    otherwise (and for the missing agreement or consent, which it names). Writes the member, the
    relationship and the audit entries together, or nothing."""
    membership = _check_writer(acting_user, membership, household, DataCategory.CARE_PLAN)
    if role not in TeamRole.values:
        raise PlanError("role", _("Choose a role on the team."))
    today = timezone.localdate()
    if role in FAMILY_ROLES:
        if person is None or person.household_id != household.pk:
            raise PlanError("person", _("Choose a member of the family."))
        age = _age_years(person, today)
        if role == TeamRole.YOUTH and age < YOUTH_AGE_YEARS:
            raise PlanError(
                "person",
                _("Only a young person %(age)d or older joins the team in their own right.") % {"age": YOUTH_AGE_YEARS},
            )
        if role == TeamRole.CAREGIVER and (age < ADULT_AGE_YEARS or person.relationship == Person.Relationship.CHILD):
            raise PlanError("person", _("A caregiver on the team is an adult of the family."))
        member, organization = None, None
    else:
        person = None
        if organization is None:
            raise PlanError("organization", _("Choose the organization the staff member works for."))
        if member is None:
            raise PlanError("member", _("Enter the e-mail address of a staff member."))
        works_there = Membership.objects.filter(
            user=member,
            organization=organization,
            role__in=STAFF_MEMBERSHIP_ROLES,
            is_active=True,
            user__is_active=True,
            organization__is_active=True,
        ).exists()
        if not works_there:
            raise PlanError(
                "member",
                _("This person does not work as active staff at %(organization)s.")
                % {"organization": organization.name},
            )
        gaps = sharing_gaps(
            household=household,
            organization_id=organization.pk,
            categories=TEAM_CATEGORIES,
            purpose=Purpose.CARE_COORDINATION,
        )
        if gaps:
            gap = gaps[0]
            values = {"organization": organization.name, "category": _category_label(gap.category).lower()}
            if gap.missing == "agreement":
                message = _(
                    "%(organization)s cannot join: no data sharing agreement in force lets it see the "
                    "family's %(category)s for care coordination."
                )
            else:
                message = _(
                    "%(organization)s cannot join: the family has not consented to share its %(category)s "
                    "with it for care coordination. Record the family's consent first."
                )
            raise PlanError("organization", message % values)
    with transaction.atomic():
        taken = CareTeamMember.objects.select_for_update().filter(household=household, removed_at__isnull=True)
        if person is not None and taken.filter(person=person).exists():
            raise PlanError("person", _("This person is already on the family's care team."))
        if member is not None and taken.filter(user=member).exists():
            raise PlanError("member", _("This person is already on the family's care team."))
        relationship = None
        if member is not None:
            relationship = relationship_start(
                acting_user=acting_user, membership=membership, household=household, kind=CARE_TEAM, user=member
            )
        row = CareTeamMember.objects.create(
            household=household,
            role=role,
            person=person,
            user=member,
            organization=organization,
            relationship=relationship,
            added_by=acting_user,
        )
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=household.pk,
            person_id=person.pk if person else None,
            categories=[DataCategory.CARE_PLAN],
            detail=f"care team member added {row.pk} {role}" + (f" user {member.pk}" if member else ""),
        )
    return row


def team_member_remove(
    *, acting_user: User, membership: Membership | None, member_id: uuid.UUID | str
) -> CareTeamMember:
    """Take a member off the family's care team; a staff member's care team relationship ends
    with it (``relationship_end``), and with it the access it gave. Raises ``NotFound`` for a
    member of a family the user may not see (or no such member), ``PlanError`` when they may not
    change the plan or the member was already removed."""
    with transaction.atomic():
        try:
            row = CareTeamMember.objects.select_for_update().select_related("household").get(pk=member_id)
        except (CareTeamMember.DoesNotExist, ValueError):
            raise NotFound from None
        membership = _check_writer(acting_user, membership, row.household, DataCategory.CARE_PLAN)
        if row.removed_at is not None:
            raise PlanError("__all__", _("This member has already left the team."))
        row.removed_at, row.removed_by = timezone.now(), acting_user
        row.save(update_fields=["removed_at", "removed_by"])
        if row.user_id is not None:
            relationship_end(
                acting_user=acting_user,
                membership=membership,
                household=row.household,
                kind=CARE_TEAM,
                user=row.user,
                reason=REMOVED_REASON,
            )
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=row.household_id,
            person_id=row.person_id,
            categories=[DataCategory.CARE_PLAN],
            detail=f"care team member removed {row.pk}",
        )
    return row


def team_note_add(
    *, acting_user: User, membership: Membership | None, household: Household, text: str, category: str
) -> TeamNote:
    """A note for the team, in the consent category chosen (case notes by default): the author must
    be allowed to change that category of the family's data, so the policy lets the same people
    read it. Raises ``NotFound`` / ``PlanError`` (``category``, ``text``)."""
    if membership is None or membership.role == Role.FAMILY_MEMBER:
        raise NotFound
    if category not in DataCategory.values:
        raise PlanError("category", _("Choose what kind of information the note holds."))
    text = _text("text", text, limit=NOTE_MAX)
    try:
        _check_writer(acting_user, membership, household, category)
    except PlanError:
        raise PlanError(
            "category",
            _("Your role or the family's consent does not let you record %(category)s information.")
            % {"category": _category_label(category).lower()},
        ) from None
    with transaction.atomic():
        note = TeamNote.objects.create(
            household=household,
            category=category,
            text=text,
            author=acting_user,
            organization_id=membership.organization_id,
        )
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=household.pk,
            categories=[category],
            detail=f"team note {note.pk}",
        )
    return note


# --- The care plan ----------------------------------------------------------------------------


def _needs(household: Household, user: User, membership: Membership, need_ids: Iterable[str]) -> list[IdentifiedNeed]:
    ids = [str(i) for i in dict.fromkeys(need_ids)]
    if not ids:
        return []
    try:
        found = {str(n.pk): n for n in IdentifiedNeed.objects.filter(household=household, pk__in=ids)}
    except ValueError:
        found = {}
    if len(found) != len(ids):
        raise PlanError("needs", _("Choose needs of this family."))
    categories = {n.category for n in found.values()}
    decisions = decide_many(
        user=user, membership=membership, household=household, purpose=Purpose.CARE_COORDINATION, categories=categories
    )
    if not all(decisions[c] for c in categories):
        raise PlanError("needs", _("Choose needs of this family."))
    return list(found.values())


def goal_create(
    *,
    acting_user: User,
    membership: Membership | None,
    household: Household,
    text: str,
    language: str,
    target_date: date | None = None,
    need_ids: Iterable[str] = (),
) -> Goal:
    """A goal the family set, in their words and the language they said it in, due on
    ``target_date`` (13 weeks from today when not given), working on some of the family's needs.
    Raises ``NotFound`` / ``PlanError`` (``text``, ``language``, ``target_date``, ``needs``);
    the goal and its links are written together, or nothing."""
    membership = _check_writer(acting_user, membership, household, DataCategory.CARE_PLAN)
    text = _text("text", text, limit=GOAL_MAX)
    if language not in Language.values:
        raise PlanError("language", _("Choose the language the family said the goal in."))
    target_date = target_date or default_target_date()
    if target_date < timezone.localdate():
        raise PlanError("target_date", _("The target date cannot be in the past."))
    needs = _needs(household, acting_user, membership, need_ids)
    with transaction.atomic():
        goal = Goal.objects.create(
            household=household,
            text=text,
            language=language,
            target_date=target_date,
            created_by=acting_user,
            organization_id=membership.organization_id,
        )
        GoalNeed.objects.bulk_create([GoalNeed(goal=goal, need=n) for n in needs])
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=household.pk,
            categories=[DataCategory.CARE_PLAN],
            detail=f"goal {goal.pk} set" + (f" needs {len(needs)}" if needs else ""),
        )
    return goal


def _goal_for_update(goal_id: uuid.UUID | str) -> Goal:
    try:
        return Goal.objects.select_for_update().select_related("household").get(pk=goal_id)
    except (Goal.DoesNotExist, ValueError):
        raise NotFound from None


def goal_progress_add(
    *,
    acting_user: User,
    membership: Membership | None,
    goal_id: uuid.UUID | str,
    note: str,
    on: date | None = None,
    status: str = "",
) -> GoalProgress:
    """A staff member's update on a goal (what happened, on which day), optionally changing its
    status (active, met, partly met, not met, dropped). It also answers the family's comments made
    before it. Raises ``NotFound`` / ``PlanError`` (``note``, ``on``, ``status``)."""
    note = _text("note", note, limit=NOTE_MAX)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise PlanError("on", _("The date cannot be in the future."))
    if status and status not in GoalStatus.values:
        raise PlanError("status", _("Choose one of the statuses."))
    with transaction.atomic():
        goal = _goal_for_update(goal_id)
        membership = _check_writer(acting_user, membership, goal.household, DataCategory.CARE_PLAN)
        if status == goal.status:
            status = ""
        progress = GoalProgress.objects.create(
            goal=goal, on=on, note=note, by=acting_user, organization_id=membership.organization_id, status=status
        )
        fields = ["updated_at"]
        if status:
            goal.status = status
            fields.append("status")
        goal.updated_at = timezone.now()
        goal.save(update_fields=fields)
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=goal.household_id,
            categories=[DataCategory.CARE_PLAN],
            detail=f"goal {goal.pk} progress {progress.pk}" + (f" status {status}" if status else ""),
        )
    return progress


def family_comment_add(
    *, acting_user: User, membership: Membership | None, goal_id: uuid.UUID | str, note: str
) -> GoalProgress:
    """A family member comments on one of their family's goals from their own pages. Only an adult
    of the household writes; the comment waits for the team's answer (a staff update on the goal)
    and shows on the coordinator's day until then. Raises ``NotFound`` for a goal of another
    family, ``PlanError`` (``note``) for an empty or long comment or a family member who is a child."""
    if membership is None or membership.role != Role.FAMILY_MEMBER:
        raise NotFound
    note = _text("note", note, limit=NOTE_MAX)
    own = Person.objects.filter(account=acting_user).first()
    with transaction.atomic():
        goal = _goal_for_update(goal_id)
        if own is None or own.household_id != goal.household_id:
            raise NotFound
        if not decide(
            user=acting_user,
            membership=membership,
            household=goal.household,
            category=DataCategory.CARE_PLAN,
            purpose=Purpose.CARE_COORDINATION,
        ):
            raise NotFound
        if own.relationship == Person.Relationship.CHILD or _age_years(own, timezone.localdate()) < ADULT_AGE_YEARS:
            raise PlanError("note", _("An adult of the family comments on the plan."))
        progress = GoalProgress.objects.create(goal=goal, note=note, by=acting_user, by_family=True, person=own)
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=goal.household_id,
            person_id=own.pk,
            categories=[DataCategory.CARE_PLAN],
            detail=f"goal {goal.pk} family comment {progress.pk}",
        )
    return progress


def barrier_record(
    *,
    acting_user: User,
    membership: Membership | None,
    household: Household,
    reason: str,
    text: str = "",
    goal_id: str | uuid.UUID | None = None,
    need_id: str | uuid.UUID | None = None,
) -> Barrier:
    """A barrier the family meets, with its structured reason and, in free text, what happened;
    linked to one of the family's goals or needs. Raises ``NotFound`` / ``PlanError`` (``reason``,
    ``text``, ``goal``)."""
    membership = _check_writer(acting_user, membership, household, DataCategory.CARE_PLAN)
    if reason not in BarrierReason.values:
        raise PlanError("reason", _("Choose the reason."))
    text = _text("text", text, limit=NOTE_MAX, required=reason == BarrierReason.OTHER)
    if not goal_id and not need_id:
        raise PlanError("goal", _("Choose the goal or the need this barrier stands in the way of."))
    goal = None
    if goal_id:
        try:
            goal = Goal.objects.filter(household=household, pk=goal_id).first()
        except ValueError:
            goal = None
        if goal is None:
            raise PlanError("goal", _("Choose one of the family's goals."))
    needs = _needs(household, acting_user, membership, [str(need_id)] if need_id else [])
    with transaction.atomic():
        barrier = Barrier.objects.create(
            household=household,
            reason=reason,
            text=text,
            goal=goal,
            need=needs[0] if needs else None,
            recorded_by=acting_user,
            organization_id=membership.organization_id,
        )
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=household.pk,
            categories=[DataCategory.CARE_PLAN],
            detail=f"barrier {barrier.pk} {reason}",
        )
    return barrier


def barrier_resolve(*, acting_user: User, membership: Membership | None, barrier_id: int | str) -> Barrier:
    """The barrier no longer stands in the way. Raises ``NotFound`` / ``PlanError``."""
    with transaction.atomic():
        try:
            barrier = Barrier.objects.select_for_update().select_related("household").get(pk=barrier_id)
        except (Barrier.DoesNotExist, ValueError):
            raise NotFound from None
        membership = _check_writer(acting_user, membership, barrier.household, DataCategory.CARE_PLAN)
        if barrier.resolved_at is not None:
            raise PlanError("__all__", _("This barrier was already resolved."))
        barrier.resolved_at, barrier.resolved_by = timezone.now(), acting_user
        barrier.save(update_fields=["resolved_at", "resolved_by"])
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=barrier.household_id,
            categories=[DataCategory.CARE_PLAN],
            detail=f"barrier {barrier.pk} resolved",
        )
    return barrier


# --- Encounters --------------------------------------------------------------------------------


def goal_encounters_link(contact: Contact, goal_ids: list[str], user: User) -> None:
    """Link an encounter to goals of its family (``care.encounter_links``); runs inside the
    encounter's transaction. Raises ValueError naming an id that is not one of the family's goals."""
    ids = list(dict.fromkeys(str(i) for i in goal_ids))
    if not ids:
        return
    for goal_id in ids:
        try:
            uuid.UUID(goal_id)
        except ValueError:
            raise ValueError(f"goal {goal_id} is not one of the family's goals") from None
    found = {
        str(pk)
        for pk in Goal.objects.filter(household_id=contact.household_id, pk__in=ids).values_list("pk", flat=True)
    }
    for goal_id in ids:
        if goal_id not in found:
            raise ValueError(f"goal {goal_id} is not one of the family's goals")
    GoalEncounter.objects.bulk_create([GoalEncounter(goal_id=g, contact=contact) for g in ids], ignore_conflicts=True)
