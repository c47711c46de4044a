"""Preventive-care histories for the demo children, EPSDT records and coordinators' contacts, then
every family's tier: so the worklists, the overdue list and the surveillance rates show real content.

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
from datetime import date, timedelta

from ecwhub.accounts.models import Membership, Role
from ecwhub.care.models import CareEvent, CareEventKind, Contact, EpsdtNecessity
from ecwhub.care.services import tiers_recompute_all
from ecwhub.care.surveillance import followed, schedule
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
    (Contact.Method.PHONE, 0.5),
    (Contact.Method.TEXT, 0.2),
    (Contact.Method.HOME_VISIT, 0.15),
    (Contact.Method.IN_PERSON, 0.1),
    (Contact.Method.VIDEO, 0.05),
)


def _method(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for method, weight in CONTACT_METHODS:
        total += weight
        if roll < total:
            return method
    return Contact.Method.PHONE


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
    Contact.objects.bulk_create(contacts, batch_size=2000)
    tiers = tiers_recompute_all(today=today)
    return {"care_events": len(events), "epsdt": len(epsdt), "contacts": len(contacts), "tiers": tiers}
