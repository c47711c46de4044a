"""What the tier rules and the surveillance look at, read in bulk for a batch of households.

One query per table per batch (children, care events, EPSDT records, contacts, and the
screening results), so recomputing 100,000 families costs a few hundred queries, not millions.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from ecwhub.core.needs import Need
from ecwhub.families.models import Person

from .models import CareEvent, CareEventKind, Contact, EpsdtNecessity
from .returned import latest_returned_at
from .screening_facts import ScreeningFacts, screening_facts
from .surveillance import Event, add_months
from .tiers import EpsdtFact, HouseholdFacts

# A child with no well-child visit for this long has no regular source of care (Bright Futures
# visits are at most 12 months apart after age 3; one month of grace).
MEDICAL_HOME_GAP_MONTHS = 13
MEDICAL_HOME_UNTIL_MONTHS = 6 * 12


@dataclass
class ChildFacts:
    person_id: uuid.UUID
    birth: date
    events: list[Event] = field(default_factory=list)


@dataclass
class HouseholdBundle:
    """Everything read for one household: the rule facts and the worklist keys."""

    facts: HouseholdFacts
    epsdt: list[EpsdtFact]
    children: list[ChildFacts]
    latest_positive_screen_at: datetime | None
    last_contact_at: datetime | None
    # When a referral last gave one of the family's needs back (``returned``): the worklist ranks
    # the family as if it had screened positive then.
    returned_referral_at: datetime | None = None

    @property
    def positive_rank(self) -> datetime | None:
        moments = [m for m in (self.latest_positive_screen_at, self.returned_referral_at) if m is not None]
        return max(moments) if moments else None


def _no_medical_home(children: Sequence[ChildFacts], open_needs: frozenset[str], today: date) -> bool:
    if Need.MEDICAL_HOME.value in open_needs:
        return True
    for child in children:
        if not (child.birth + timedelta(days=30) <= today < add_months(child.birth, MEDICAL_HOME_UNTIL_MONTHS)):
            continue
        visits = [e.date for e in child.events if e.kind == CareEventKind.WELL_CHILD_VISIT and e.date <= today]
        if not visits or add_months(max(visits), MEDICAL_HOME_GAP_MONTHS) <= today:
            return True
    return False


def household_bundles(household_ids: Sequence[uuid.UUID], today: date) -> dict[uuid.UUID, HouseholdBundle]:
    ids = list(household_ids)
    children: dict[uuid.UUID, list[ChildFacts]] = defaultdict(list)
    by_person: dict[uuid.UUID, ChildFacts] = {}
    for person_id, household_id, birth in Person.objects.filter(
        household_id__in=ids, relationship=Person.Relationship.CHILD
    ).values_list("id", "household_id", "date_of_birth"):
        child = ChildFacts(person_id, birth)
        children[household_id].append(child)
        by_person[person_id] = child
    for person_id, kind, day in CareEvent.objects.filter(household_id__in=ids).values_list("person_id", "kind", "date"):
        if person_id in by_person:
            by_person[person_id].events.append(Event(kind, day))
    screening = screening_facts(ids)
    for household_id, found in screening.items():
        # A caregiver's depression screening counts for every child of the household; a child's
        # own screenings count for that child.
        for kind, person_id, day in found.completions:
            targets = [by_person[person_id]] if person_id in by_person else children.get(household_id, [])
            for child in targets:
                child.events.append(Event(kind, day))
    epsdt: dict[uuid.UUID, list[EpsdtFact]] = defaultdict(list)
    for household_id, recorded_on in EpsdtNecessity.objects.filter(
        household_id__in=ids, ended_at__isnull=True
    ).values_list("household_id", "recorded_on"):
        epsdt[household_id].append(EpsdtFact(recorded_on))
    contacts = dict(
        Contact.objects.filter(household_id__in=ids, reached=True)
        .values("household_id")
        .annotate(last=Max("at"))
        .values_list("household_id", "last")
    )
    returned = latest_returned_at(ids, timezone.now())
    bundles: dict[uuid.UUID, HouseholdBundle] = {}
    empty = ScreeningFacts()
    for household_id in ids:
        found = screening.get(household_id, empty)
        kids = children.get(household_id, [])
        facts = HouseholdFacts(
            open_needs=found.open_needs,
            totals=found.totals,
            findings=found.findings,
            urgent=found.urgent,
            child_ages_months=tuple(_age_months(c.birth, today) for c in kids if c.birth <= today),
            no_medical_home=_no_medical_home(kids, found.open_needs, today),
        )
        bundles[household_id] = HouseholdBundle(
            facts=facts,
            epsdt=epsdt.get(household_id, []),
            children=kids,
            latest_positive_screen_at=found.latest_positive_at,
            last_contact_at=contacts.get(household_id),
            returned_referral_at=returned.get(household_id),
        )
    return bundles


def _age_months(birth: date, today: date) -> int:
    months = (today.year - birth.year) * 12 + today.month - birth.month
    return months - (1 if today.day < birth.day else 0)
