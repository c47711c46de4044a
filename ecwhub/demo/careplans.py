"""Care teams and family-set plans for some demo families: a caregiver on the team, a clinician
and a legal partner (medical-legal partnership) from other organizations where the agreement and
the family's consent allow it, team notes, goals in the family's words in Spanish and English with
progress, barriers of several reasons, and the demo family's comment still waiting for an answer.

Everything is written through the care plan services, so the policy decides each step (a family
whose consent does not cover a member's organization simply gets a smaller team) and the audit log
records it; the dates are then moved back into the weeks before the demo's "today"."""

from __future__ import annotations

import contextlib
import random
from datetime import date, datetime, timedelta

from ecwhub.accounts.models import Membership, OrganizationKind, Role, User
from ecwhub.careplans.models import Barrier, BarrierReason, CareTeamMember, Goal, GoalProgress, GoalStatus, TeamRole
from ecwhub.careplans.services import (
    PlanError,
    barrier_record,
    barrier_resolve,
    family_comment_add,
    goal_create,
    goal_progress_add,
    team_member_add,
    team_note_add,
)
from ecwhub.consent.models import DataCategory, Relationship, RelationshipKind
from ecwhub.consent.services import relationship_start
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import IdentifiedNeed

from . import data
from .clock import reference_time

PLANNED_FAMILIES = 30

# Goals as families say them, in their language.
GOALS: dict[str, tuple[str, ...]] = {
    "es": (
        "Que los niños tengan su cita con el dentista antes de que empiece la escuela",
        "Inscribirnos en WIC y CalFresh antes de fin de mes",
        "Encontrar una guardería cerca de mi trabajo",
        "Que mi hijo reciba la evaluación del habla",
        "Ir a las clases de inglés de la biblioteca los martes",
        "Sentirme menos sola: ir al grupo de mamás los jueves",
        "Pagar la renta a tiempo los próximos tres meses",
    ),
    "en": (
        "Get the kids' dental checkups done before school starts",
        "Find a pediatrician who takes our Medi-Cal plan",
        "Have enough food in the house every week",
        "Get my son's speech evaluation done",
        "Move out of the garage apartment into a safe place",
        "Get some help with the baby at night so I can sleep",
    ),
}
PROGRESS: dict[str, tuple[str, ...]] = {
    "es": (
        "Llamamos juntas a la clínica; hay cita en dos semanas.",
        "Llevó los papeles a la oficina de WIC; falta el comprobante de domicilio.",
        "Visitamos dos guarderías; una tiene lugar en enero.",
    ),
    "en": (
        "We called the clinic together; an appointment is booked in two weeks.",
        "Dropped off the forms; the proof of address is still missing.",
        "Visited two programs; one has an opening in January.",
    ),
}
COMMENTS: dict[str, str] = {
    "es": "Ya tenemos la cita, pero no tengo cómo llegar. ¿Hay transporte?",
    "en": "We have the appointment but no ride there. Is there transportation?",
}
BARRIERS = (
    (BarrierReason.TRANSPORTATION, "No car; the bus takes two transfers to the clinic."),
    (BarrierReason.DOCUMENTS, "Needs a proof of address; the lease is in the landlord's name."),
    (BarrierReason.WAITLIST, "Speech therapy waitlist is four months."),
    (BarrierReason.HOURS, "The office closes at 4 pm; she works until 5."),
    (BarrierReason.LANGUAGE, "The form is only in English."),
    (BarrierReason.COST, "Copay for the dentist is more than the family can pay this month."),
    (BarrierReason.CHILD_CARE, "No one to watch the baby during the appointment."),
    (BarrierReason.IMMIGRATION_FEARS, "Worried that applying for CalFresh affects a future application."),
    (BarrierReason.ELIGIBILITY, "Income is just over the limit for the program."),
)
CASE_NOTE = "Team huddle: the family prefers calls after 5 pm, texts in {language}."


def _staff(organization_kind: str, preferred: str) -> Membership | None:
    """The demo's staff member of that kind of organization (the well-known one first)."""
    rows = Membership.objects.filter(
        organization__kind=organization_kind,
        is_active=True,
        role__in=[Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF],
    ).select_related("user", "organization")
    return rows.filter(user__email=preferred).first() or rows.order_by("role", "user__email").first()


def _designated(household: Household, coordinator: User) -> None:
    # Only when no one is designated yet (the coordinators' demo may have chosen someone).
    if not Relationship.objects.filter(
        household=household, kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True
    ).exists():
        relationship_start(
            acting_user=None, household=household, kind=RelationshipKind.DESIGNATED_COORDINATOR, user=coordinator
        )


def seed_careplans(*, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-careplans")
    now = reference_time(today)
    coordinator = Membership.objects.filter(user__email=data.demo_email("coordinator"), is_active=True).first()
    if coordinator is None:
        return {}
    clinician = _staff(OrganizationKind.CLINIC, data.demo_email("clinician"))
    legal = _staff(OrganizationKind.LEGAL_AID, "")
    family_user = User.objects.filter(email=data.demo_email("family")).first()
    own = Person.objects.filter(account=family_user).first() if family_user else None

    candidates = list(
        Household.objects.filter(registered_by=coordinator.organization_id).order_by("id").values_list("id", flat=True)
    )
    chosen = rng.sample(candidates, min(len(candidates), PLANNED_FAMILIES))
    if own is not None and own.household_id not in chosen:
        chosen.insert(0, own.household_id)
    planned = 0
    for index, household in enumerate(Household.objects.filter(pk__in=chosen).order_by("id")):
        try:
            _plan(rng, household, coordinator, clinician, legal, now, index)
        except (PlanError, NotFound):
            continue  # the family's consent does not cover the plan: no plan in the demo
        planned += 1
    if own is not None and family_user is not None:
        goal = Goal.objects.filter(household_id=own.household_id).order_by("created_at", "id").first()
        member = Membership.objects.filter(user=family_user, role=Role.FAMILY_MEMBER, is_active=True).first()
        if goal is not None and member is not None:
            comment = family_comment_add(
                acting_user=family_user,
                membership=member,
                goal_id=goal.pk,
                note=COMMENTS.get(goal.language, "") or COMMENTS["en"],
            )
            GoalProgress.objects.filter(pk=comment.pk).update(at=now - timedelta(hours=20), on=today)
    return {
        "planned_families": planned,
        "team_members": CareTeamMember.objects.count(),
        "goals": Goal.objects.count(),
        "barriers": Barrier.objects.count(),
    }


def _plan(
    rng: random.Random,
    household: Household,
    coordinator: Membership,
    clinician: Membership | None,
    legal: Membership | None,
    now: datetime,
    index: int,
) -> None:
    user = coordinator.user
    _designated(household, user)
    language = "es" if household.preferred_language == "es" else "en"
    caregiver = (
        Person.objects.filter(
            household=household,
            relationship__in=[Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN],
        )
        .order_by("created_at", "id")
        .first()
    )
    if caregiver is not None and caregiver.age_in_months() >= 18 * 12:
        team_member_add(
            acting_user=user, membership=coordinator, household=household, role=TeamRole.CAREGIVER, person=caregiver
        )
    for staff, role in ((clinician, TeamRole.CLINICIAN), (legal, TeamRole.LEGAL_PARTNER)):
        if staff is None or (role == TeamRole.LEGAL_PARTNER and index % 3):
            continue
        # No agreement or consent for that organization: it stays off this team.
        with contextlib.suppress(PlanError):
            team_member_add(
                acting_user=user,
                membership=coordinator,
                household=household,
                role=role,
                member=staff.user,
                organization=staff.organization,
            )
    team_note_add(
        acting_user=user,
        membership=coordinator,
        household=household,
        text=CASE_NOTE.format(language="Spanish" if language == "es" else "English"),
        category=DataCategory.CASE_NOTES,
    )
    needs = list(
        IdentifiedNeed.objects.filter(household=household)
        .exclude(status=IdentifiedNeed.Status.ADDRESSED)
        .order_by("identified_at", "id")
        .values_list("id", flat=True)[:2]
    )
    texts = rng.sample(GOALS[language], 2)
    goals = []
    for number, text in enumerate(texts):
        goal = goal_create(
            acting_user=user,
            membership=coordinator,
            household=household,
            text=text,
            language=language,
            need_ids=[str(n) for n in needs[number : number + 1]],
        )
        goals.append(goal)
    first = goals[0]
    goal_progress_add(acting_user=user, membership=coordinator, goal_id=first.pk, note=rng.choice(PROGRESS[language]))
    if index % 4 == 1:
        goal_progress_add(
            acting_user=user,
            membership=coordinator,
            goal_id=goals[1].pk,
            note=rng.choice(PROGRESS[language]),
            status=rng.choice([GoalStatus.MET, GoalStatus.PARTLY_MET, GoalStatus.NOT_MET, GoalStatus.DROPPED]),
        )
    for reason, story in rng.sample(BARRIERS, rng.randint(1, 2)):
        barrier = barrier_record(
            acting_user=user,
            membership=coordinator,
            household=household,
            reason=reason,
            text=story,
            goal_id=first.pk,
        )
        if rng.random() < 0.3:
            barrier_resolve(acting_user=user, membership=coordinator, barrier_id=barrier.pk)
    # The plan was set some weeks ago; progress and barriers came since.
    weeks = rng.randint(2, 8)
    start = now - timedelta(weeks=weeks)
    Goal.objects.filter(household=household).update(created_at=start, updated_at=start)
    GoalProgress.objects.filter(goal__household=household).update(
        at=start + timedelta(days=7), on=(start + timedelta(days=7)).date()
    )
    Barrier.objects.filter(household=household).update(recorded_at=start + timedelta(days=3))
