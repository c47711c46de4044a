"""The families the hub probably knows already, for the people of an intake (record-linkage
candidates), shown only as far as the access policy allows and audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.audit import audit_append, audit_line
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.policy import decide, households_visible
from ecwhub.consent.selectors import audit_reads

from ..models import Household, Person
from .access import intake_membership_check
from .input import DetailsInput, IntakePeopleInput, intake_people_check


@dataclass
class CandidatePerson:
    person_id: uuid.UUID
    name: str
    date_of_birth: date | None
    probability: float
    reasons: list[str]
    entered_as: str


@dataclass
class CandidateFamily:
    household_id: uuid.UUID
    probability: float
    registered_by: str
    postal_code: str
    people: list[CandidatePerson] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


@dataclass(frozen=True)
class IntakeMatches:
    families: list[CandidateFamily]
    hidden_match: bool


@dataclass(frozen=True)
class EnteredPerson:
    """A person of the intake as the search compares them: the caregiver first, then the children."""

    given_name: str
    family_name: str
    second_family_name: str
    date_of_birth: date
    sex: str


def entered_people(intake: IntakePeopleInput, details: DetailsInput | None = None) -> list[EnteredPerson]:
    caregiver = intake.caregiver
    return [
        EnteredPerson(
            caregiver.given_name,
            caregiver.family_name,
            caregiver.second_family_name,
            caregiver.date_of_birth,
            details.sex if details is not None else "",
        ),
        *(
            EnteredPerson(c.given_name, c.family_name, c.second_family_name, c.date_of_birth, c.sex)
            for c in intake.children
        ),
    ]


def _probe(index: int, entered: list[EnteredPerson], intake: IntakePeopleInput, details: DetailsInput | None) -> Any:
    from ecwhub.identity.realtime import Probe

    person = entered[index]
    caregiver = index == 0
    return Probe(
        given_name=person.given_name,
        family_name=person.family_name,
        second_family_name=person.second_family_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        phone=intake.caregiver.phone if caregiver else "",
        email=intake.caregiver.email if caregiver else "",
        street=details.street if details is not None else "",
        postal_code=intake.caregiver.postal_code,
        household_names=tuple(
            (p.given_name, p.family_name, p.date_of_birth) for i, p in enumerate(entered) if i != index
        ),
    )


def raw_candidates(intake: IntakePeopleInput, details: DetailsInput | None = None) -> list[tuple[int, Any]]:
    """(index of the person entered, candidate) for every candidate of every person entered. The
    search for known families uses step 1 only; linking adds the details (street, sex)."""
    from ecwhub.identity.realtime import find_candidates

    entered = entered_people(intake, details)
    return [
        (index, candidate)
        for index in range(len(entered))
        for candidate in find_candidates(_probe(index, entered, intake, details), limit=10)
    ]


def _name(given: str, family: str, second: str = "") -> str:
    return " ".join(part for part in (given, family, second) if part)


def intake_candidates(*, acting_user: User, membership: Membership | None, intake: IntakePeopleInput) -> IntakeMatches:
    """The families the hub probably knows already, for the people entered in step 1, ranked by
    the best match probability. Only families whose identity the user may see are shown (and
    audited as shown); if others match, ``hidden_match`` says so, with no detail. Raises
    IntakeError when step 1's fields do not hold together or the user takes no intakes."""
    membership = intake_membership_check(membership)
    intake_people_check(intake)
    found = raw_candidates(intake)
    entered_list = entered_people(intake)
    # The search itself reads the network's records: it is audited even when nothing is shown.
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.READ,
                categories=[DataCategory.IDENTITY_CONTACT],
                purpose=Purpose.CARE_COORDINATION,
                detail=f"intake search: {len({c.household_id for _, c in found})} possible families",
            )
        ]
    )
    if not found:
        return IntakeMatches([], False)
    household_ids = {c.household_id for _, c in found}
    purpose = Purpose.CARE_COORDINATION
    visible = set(
        households_visible(
            user=acting_user, membership=membership, category=DataCategory.IDENTITY_CONTACT, purpose=purpose
        )
        .filter(pk__in=household_ids)
        .values_list("pk", flat=True)
    )
    with_demographics = set(
        households_visible(user=acting_user, membership=membership, category=DataCategory.DEMOGRAPHICS, purpose=purpose)
        .filter(pk__in=visible)
        .values_list("pk", flat=True)
    )
    households = {h.pk: h for h in Household.objects.filter(pk__in=visible).select_related("registered_by")}
    people = {p.pk: p for p in Person.objects.filter(household_id__in=visible)}
    families: dict[uuid.UUID, CandidateFamily] = {}
    for index, candidate in found:
        entered = entered_list[index]
        if candidate.household_id not in visible or candidate.person_id not in people:
            continue
        household = households[candidate.household_id]
        person = people[candidate.person_id]
        # A young person's own choice to hide their record applies here too.
        if not decide(
            user=acting_user,
            membership=membership,
            household=household,
            category=DataCategory.IDENTITY_CONTACT,
            purpose=purpose,
            person=person,
        ):
            continue
        family = families.setdefault(
            household.pk,
            CandidateFamily(household.pk, 0.0, household.registered_by.name, household.postal_code),
        )
        family.probability = max(family.probability, candidate.probability)
        existing = next((p for p in family.people if p.person_id == person.pk), None)
        if existing is not None and existing.probability >= candidate.probability:
            continue
        if existing is not None:
            family.people.remove(existing)
        family.people.append(
            CandidatePerson(
                person_id=person.pk,
                name=_name(person.given_name, person.family_name, person.second_family_name),
                date_of_birth=person.date_of_birth if household.pk in with_demographics else None,
                probability=candidate.probability,
                reasons=[str(r) for r in candidate.reasons],
                entered_as=_name(entered.given_name, entered.family_name, entered.second_family_name),
            )
        )
    ranked = sorted(families.values(), key=lambda f: (-f.probability, str(f.household_id)))
    for family in ranked:
        family.people.sort(key=lambda p: -p.probability)
    if ranked:
        audit_reads(
            user=acting_user,
            membership=membership,
            household_ids=[f.household_id for f in ranked],
            categories=[DataCategory.IDENTITY_CONTACT],
            purpose=purpose,
            detail="intake match",
        )
        shown_demographics = [f.household_id for f in ranked if f.household_id in with_demographics]
        if shown_demographics:
            audit_reads(
                user=acting_user,
                membership=membership,
                household_ids=shown_demographics,
                categories=[DataCategory.DEMOGRAPHICS],
                purpose=purpose,
                detail="intake match",
            )
    return IntakeMatches(ranked, hidden_match=bool(household_ids - set(families)))
