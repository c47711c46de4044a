"""Preventive-care histories for the demo children, EPSDT records, coordinators' contacts and
encounters (every kind, with minutes, participants, topics, interpreters and funding), care tasks
due today and past due for the demo coordinators, then every family's tier: so the worklists, the
overdue list, the surveillance rates and "my day" show real content.

Most families keep up with Bright Futures (visits on time or a little late, immunization checks
at the vaccine visits, lead and autism screening reported by the clinic); about one family in
six has lapsed after some point and shows overdue items. Developmental and caregiver-depression
screens come from the screening histories (``demo.screening``); where a milestone checklist was not
taken in the hub, the clinic sometimes reports an ASQ. Bulk inserts: a few seconds for 500 families.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from ecwhub.accounts.models import Membership, Role
from ecwhub.care.models import (
    CareEvent,
    CareEventKind,
    CareTask,
    Contact,
    ContactParticipant,
    ContactTopic,
    EpsdtNecessity,
    Funding,
    Topic,
)
from ecwhub.care.services import tiers_recompute_all
from ecwhub.care.surveillance import followed, schedule
from ecwhub.consent.models import Relationship, RelationshipKind
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import ScreeningResponse

from .clock import reference_time

# Share of families who stopped keeping up at some age, and how likely each item is otherwise.
LAPSED_SHARE = 0.17
ON_TIME: dict[str, float] = {
    CareEventKind.WELL_CHILD_VISIT: 0.9,
    CareEventKind.IMMUNIZATION_CHECK: 0.93,
    CareEventKind.LEAD_SCREENING: 0.72,
    CareEventKind.AUTISM_SCREENING: 0.78,
    CareEventKind.DEVELOPMENTAL_SCREENING: 0.55,
}
EPSDT_SHARE = 0.025
EPSDT_REASONS = (
    "Speech-language therapy: expressive language delay confirmed on evaluation.",
    "Audiology follow-up and hearing aids after a failed hearing screen.",
    "Asthma: home environmental assessment and spacer/nebulizer supplies.",
    "Feeding therapy for failure to thrive.",
    "Occupational therapy for sensory processing concerns after developmental evaluation.",
    "Vision: glasses after a failed vision screen.",
)
CONTACT_METHODS = (
    (Contact.Method.PHONE, 0.4),
    (Contact.Method.TEXT, 0.15),
    (Contact.Method.HOME_VISIT, 0.17),
    (Contact.Method.IN_PERSON, 0.08),
    (Contact.Method.VIDEO, 0.06),
    (Contact.Method.EMAIL, 0.04),
    (Contact.Method.ACCOMPANIED_VISIT, 0.05),
    (Contact.Method.GROUP_SESSION, 0.05),
)
# Typical length of each kind of encounter, in minutes (low, high).
MINUTES: dict[str, tuple[int, int]] = {
    Contact.Method.PHONE: (5, 40),
    Contact.Method.TEXT: (1, 10),
    Contact.Method.HOME_VISIT: (45, 120),
    Contact.Method.IN_PERSON: (20, 60),
    Contact.Method.VIDEO: (15, 50),
    Contact.Method.EMAIL: (5, 15),
    Contact.Method.ACCOMPANIED_VISIT: (60, 180),
    Contact.Method.GROUP_SESSION: (60, 120),
}
# Where the child usually takes part too (a dyadic encounter).
WITH_CHILD = frozenset({Contact.Method.HOME_VISIT, Contact.Method.ACCOMPANIED_VISIT, Contact.Method.GROUP_SESSION})
NOT_REACHED = (Contact.Outcome.NOT_REACHED, Contact.Outcome.LEFT_MESSAGE, Contact.Outcome.WRONG_NUMBER)
FUNDING = (
    (Funding.MEDI_CAL_PLAN, 0.45),
    (Funding.EPSDT, 0.15),
    (Funding.MHSA, 0.1),
    (Funding.GRANT, 0.25),
    (Funding.OTHER, 0.05),
)
# Care tasks for each demo coordinator: due today, and past due.
TASKS_TODAY = 3
TASKS_OVERDUE = 4


def _method(rng: random.Random) -> str:
    return _weighted(rng, CONTACT_METHODS)


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if roll < total:
            return value
    return choices[0][0]


def _encounter(
    rng: random.Random, contact: Contact, members: list[Person], languages: dict[uuid.UUID, str]
) -> tuple[list[uuid.UUID], list[str]]:
    """Fill a demo contact's encounter facts; returns who took part and the topics."""
    method = contact.method
    if not contact.reached:
        contact.outcome = rng.choice(NOT_REACHED)
        return [], []
    contact.outcome = Contact.Outcome.REACHED
    low, high = MINUTES[method]
    contact.minutes = rng.randint(low, high)
    contact.funding = _weighted(rng, FUNDING) if rng.random() < 0.9 else ""
    caregivers = [p for p in members if p.relationship != Person.Relationship.CHILD]
    kids = [p for p in members if p.relationship == Person.Relationship.CHILD]
    people = [p.pk for p in caregivers[:1]]
    if kids and (method in WITH_CHILD or rng.random() < 0.15):
        people.append(rng.choice(kids).pk)
    contact.dyadic = bool(caregivers[:1]) and len(people) == 2
    language = languages.get(contact.household_id, "en")
    if language not in ("en", "es") and rng.random() < 0.7:
        contact.interpreter_used = True
        contact.interpreter_language = language
    topics = rng.sample([t for t in Topic.values if t != Topic.OTHER], rng.randint(1, 3))
    if rng.random() < 0.05:
        topics.append(Topic.OTHER)
        contact.topics_other = rng.choice(("Car seat safety", "Holiday toy drive", "Library card"))
    return people, topics


def seed_care(*, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-care")
    now = reference_time(today)
    screened = {
        (person_id, instrument)
        for person_id, instrument in ScreeningResponse.objects.filter(
            status=ScreeningResponse.Status.COMPLETED, instrument__startswith="cdc-milestones"
        ).values_list("person_id", "instrument")
    }
    children: dict[uuid.UUID, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(relationship=Person.Relationship.CHILD).order_by("household_id", "id"):
        children[person.household_id].append(person)
    households = list(Household.objects.order_by("created_at", "id").values_list("id", "registered_by_id"))

    events: list[CareEvent] = []
    for household_id, _ in households:
        lapsed_at = rng.choice([9, 15, 24, 36, 60]) if rng.random() < LAPSED_SHARE else None
        for child in children.get(household_id, []):
            if not followed(child.date_of_birth, today):
                continue
            for point in schedule():
                due_on = point.due_from.on(child.date_of_birth)
                if due_on > today:
                    continue
                if lapsed_at is not None and point.due_from.months() >= lapsed_at:
                    continue
                if point.kind == CareEventKind.CAREGIVER_DEPRESSION_SCREENING:
                    continue  # EPDS comes from the screening histories
                if point.kind == CareEventKind.DEVELOPMENTAL_SCREENING and any(
                    (child.pk, f"cdc-milestones-{m:02d}m") in screened for m in (9, 18, 30)
                ):
                    continue
                if rng.random() >= ON_TIME[point.kind]:
                    continue
                day = min(due_on + timedelta(days=rng.choice([0, 2, 5, 9, 14, 21, 30, 45])), today)
                events.append(
                    CareEvent(
                        person_id=child.pk,
                        household_id=household_id,
                        kind=point.kind,
                        date=day,
                        source=CareEvent.Source.CLINIC,
                        created_at=now,
                    )
                )
    CareEvent.objects.bulk_create(events, batch_size=2000)

    clinician = Membership.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("user__email").first()
    epsdt: list[EpsdtNecessity] = []
    if clinician is not None:
        for household_id, _ in households:
            for child in children.get(household_id, []):
                if followed(child.date_of_birth, today) and rng.random() < EPSDT_SHARE:
                    epsdt.append(
                        EpsdtNecessity(
                            person_id=child.pk,
                            household_id=household_id,
                            reason=rng.choice(EPSDT_REASONS),
                            recorded_by_id=clinician.user_id,
                            recorded_in_id=clinician.organization_id,
                            recorded_on=today - timedelta(days=rng.randint(3, 200)),
                            created_at=now,
                        )
                    )
    for record in epsdt:  # one by one: the reason is encrypted on save
        record.save(force_insert=True)

    coordinators: dict[int, int] = {}
    for membership in Membership.objects.filter(role=Role.COORDINATOR, is_active=True).order_by("user__email"):
        coordinators.setdefault(membership.organization_id, membership.user_id)
    contacts: list[Contact] = []
    members: dict[uuid.UUID, list[Person]] = defaultdict(list)
    for person in Person.objects.order_by("household_id", "created_at", "id"):
        members[person.household_id].append(person)
    languages = dict(Household.objects.values_list("id", "preferred_language"))
    for household_id, organization_id in households:
        coordinator = coordinators.get(organization_id)
        if coordinator is None or rng.random() < 0.2:
            continue  # never contacted: these come first among equals on the worklist
        for _ in range(rng.randint(1, 4)):
            contacts.append(
                Contact(
                    household_id=household_id,
                    at=now - timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 8)),
                    method=_method(rng),
                    reached=rng.random() < 0.8,
                    by_id=coordinator,
                    organization_id=organization_id,
                )
            )
    facts = [_encounter(rng, contact, members[contact.household_id], languages) for contact in contacts]
    Contact.objects.bulk_create(contacts, batch_size=2000)
    ContactParticipant.objects.bulk_create(
        [
            ContactParticipant(contact_id=contact.pk, person_id=person_id)
            for contact, (people, _topics) in zip(contacts, facts, strict=True)
            for person_id in people
        ],
        batch_size=2000,
    )
    ContactTopic.objects.bulk_create(
        [
            ContactTopic(contact_id=contact.pk, topic=topic)
            for contact, (_people, topics) in zip(contacts, facts, strict=True)
            for topic in topics
        ],
        batch_size=2000,
    )
    tasks = _tasks(rng, today, now, households, coordinators)
    tiers = tiers_recompute_all(today=today)
    return {
        "care_events": len(events),
        "epsdt": len(epsdt),
        "contacts": len(contacts),
        "care_tasks": tasks,
        "tiers": tiers,
    }


def _tasks(
    rng: random.Random,
    today: date,
    now: datetime,
    households: list[tuple[uuid.UUID, int]],
    coordinators: dict[int, int],
) -> int:
    """Each demo coordinator's open tasks on the families they are the designated coordinator of
    (on their organization's families when they have none): calls and visits due today, and tasks
    past due, so that "my day" has content (the timer adds the rest)."""
    by_organization: dict[int, list[uuid.UUID]] = defaultdict(list)
    for household_id, organization_id in households:
        by_organization[organization_id].append(household_id)
    designated: dict[int, list[uuid.UUID]] = defaultdict(list)
    for user_id, household_id in (
        Relationship.objects.filter(
            kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True, user__isnull=False
        )
        .order_by("household_id")
        .values_list("user_id", "household_id")
    ):
        designated[user_id].append(household_id)
    owners = {user_id: by_organization.get(organization_id, []) for organization_id, user_id in coordinators.items()}
    for user_id, families in designated.items():
        owners[user_id] = families
    tasks: list[CareTask] = []
    used: set[uuid.UUID] = set()  # one open "contact due" task per family: one owner per family here
    for user_id, families in sorted(owners.items()):
        free = [household_id for household_id in families if household_id not in used]
        chosen = rng.sample(free, min(len(free), TASKS_TODAY + TASKS_OVERDUE))
        used.update(chosen)
        for index, household_id in enumerate(chosen):
            overdue = index >= TASKS_TODAY
            kind = (
                CareTask.Kind.CONTACT_DUE
                if not overdue or index % 2
                else rng.choice([CareTask.Kind.CASE_REVIEW, CareTask.Kind.OTHER])
            )
            tasks.append(
                CareTask(
                    household_id=household_id,
                    owner_id=user_id,
                    kind=kind,
                    due=today - timedelta(days=rng.randint(1, 10)) if overdue else today,
                    created_from=CareTask.Source.CONTACT_FREQUENCY
                    if kind == CareTask.Kind.CONTACT_DUE
                    else CareTask.Source.BY_HAND,
                    created_by_id=None if kind == CareTask.Kind.CONTACT_DUE else user_id,
                    created_at=now - timedelta(days=rng.randint(1, 14)),
                )
            )
    CareTask.objects.bulk_create(tasks, batch_size=2000)
    return len(tasks)
