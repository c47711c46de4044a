"""Families the demo network knows twice, and families coordinated twice.

Real networks register the same family at two front doors: the clinic spells the surname as it
heard it, the school drops the second surname, the food bank writes the nickname, someone swaps
day and month, the family has a new phone. Those second records, and the pairs the matching
could not decide on, give the review queue real cases. Other families are coordinated by two
organizations (the designated coordinator at one, a care team member at the other; the database
allows one designated coordinator per family), which the duplication-of-services flag reports.

Written in bulk, like the rest of the demo; the blocking keys of the new people are refreshed at
the end (bulk inserts send no signals).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ecwhub.accounts.models import Organization
from ecwhub.consent.models import Relationship, RelationshipKind
from ecwhub.families.models import Household, Person
from ecwhub.identity.current import current_model
from ecwhub.identity.keys import PERSON_COLUMNS, person_keys_rebuild, record_from_row
from ecwhub.identity.models import MatchReview
from ecwhub.identity.reasons import has_text
from ecwhub.identity.records import PERSON

from . import data
from .clock import reference_time

DUPLICATE_FAMILIES = 15  # families known twice (two records each)
DOUBLE_COORDINATED = 8
VARIATIONS = ("misspelled_surname", "dropped_second_surname", "nickname", "swapped_day_month", "new_phone")
# The organizations that register families (front doors), as in ``data.REGISTRAR_WEIGHTS``.
REGISTRARS = tuple(slug for slug, _weight in data.REGISTRAR_WEIGHTS)
# Coordinating organizations beside the registrar: home visiting, clinics and family resource centers.
_NICKNAMES = {
    "José": "Pepe",
    "Guadalupe": "Lupe",
    "Jesús": "Chuy",
    "Francisco": "Paco",
    "Ignacio": "Nacho",
    "Alejandro": "Alex",
    "Alejandra": "Ale",
    "Roberto": "Beto",
    "Rocío": "Chío",
    "Enrique": "Kike",
    "Eduardo": "Lalo",
    "Guillermo": "Memo",
    "Rosario": "Chayo",
    "Dolores": "Lola",
    "Concepción": "Conchita",
    "Teresa": "Tere",
    "María": "Mari",
    "Margarita": "Maggie",
    "Isabel": "Chabela",
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "Jennifer": "Jenny",
    "Gabriela": "Gaby",
    "Daniela": "Dani",
    "Sofía": "Sofi",
    "Sebastián": "Sebas",
}
# Letters people hear alike: how a surname gets misspelled at a front desk.
_MISHEARD = (("z", "s"), ("s", "z"), ("v", "b"), ("b", "v"), ("ll", "y"), ("y", "ll"), ("á", "a"), ("é", "e"))


@dataclass
class DuplicateSummary:
    duplicate_families: int = 0
    people: int = 0
    reviews: int = 0
    double_coordinated: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def _misspell(rng: random.Random, surname: str) -> str:
    for wrong, right in rng.sample(_MISHEARD, len(_MISHEARD)):
        if wrong in surname:
            return surname.replace(wrong, right, 1)
    if len(surname) > 4:
        i = rng.randrange(1, len(surname) - 2)
        return surname[:i] + surname[i + 1] + surname[i] + surname[i + 2 :]  # two letters swapped
    return surname + surname[-1]


def _swap_day_month(born: date) -> date:
    if born.day <= 12 and born.day != born.month:
        try:
            return born.replace(day=born.month, month=born.day)
        except ValueError:
            return born
    return born


def _new_phone(rng: random.Random) -> str:
    return f"{rng.choice(['626', '323'])}-555-{rng.randrange(1000, 10000):04d}"


_COPIED = (
    "relationship",
    "given_name",
    "family_name",
    "second_family_name",
    "preferred_name",
    "name_original_script",
    "date_of_birth",
    "date_of_birth_estimated",
    "sex",
    "is_pregnant",
    "preferred_language",
    "dialect",
    "interpreter_needed",
    "phone",
    "email",
    "insurance_status",
    "medi_cal_plan",
    "medi_cal_id",
)


def _copy_person(person: Person, into: Person, variations: set[str], rng: random.Random, surname: str) -> None:
    """Write ``person`` (as the second front door recorded it) over the record ``into``."""
    for name in _COPIED:
        setattr(into, name, getattr(person, name))
    into.family_name = surname
    if "dropped_second_surname" in variations:
        into.second_family_name = ""
    first = person.given_name.split(" ")[0]
    if "nickname" in variations and first in _NICKNAMES:
        into.given_name = _NICKNAMES[first]
    if "swapped_day_month" in variations and person.relationship == Person.Relationship.CHILD:
        into.date_of_birth = _swap_day_month(person.date_of_birth)
    if person.phone and "new_phone" in variations:
        into.phone = _new_phone(rng)
    if person.email and rng.random() < 0.5:
        into.email = ""  # the second front door did not ask


def _score(original: Person, copy: Person) -> tuple[float, float, list[list[Any]]]:
    """The real-time model's weight, probability and reason codes for a pair (as the batch linkage
    would store them in the review queue)."""
    rows = {r["id"]: r for r in Person.objects.filter(id__in=[original.pk, copy.pk]).values(*PERSON_COLUMNS)}
    left, right = record_from_row(rows[original.pk]), record_from_row(rows[copy.pk])
    model, _ = current_model("person")
    weight = model.prior_weight(max(Person.objects.count(), 2))
    reasons: list[tuple[float, list[Any]]] = []
    for index, outcome in enumerate(PERSON.compare(left, right)):
        part = model.level_weight(index, outcome.level)
        weight += part
        if part > 0 and outcome.reason and has_text(outcome.reason):
            reasons.append((part, [outcome.reason, list(outcome.args)]))
    reasons.sort(key=lambda item: -item[0])
    probability = 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -1000 else 0.0
    return weight, probability, [r for _part, r in reasons]


def _effective_variations(caregiver: Person, children: list[Person]) -> set[str]:
    """The variations that change something for this family (a nickname needs a name that has one)."""
    effective = {"misspelled_surname"}
    if caregiver.second_family_name:
        effective.add("dropped_second_surname")
    if caregiver.given_name.split(" ")[0] in _NICKNAMES:
        effective.add("nickname")
    if any(_swap_day_month(child.date_of_birth) != child.date_of_birth for child in children):
        effective.add("swapped_day_month")
    if caregiver.phone:
        effective.add("new_phone")
    return effective


def _young_children(members: list[Person], today: date) -> list[Person]:
    return sorted(
        (p for p in members if p.relationship == Person.Relationship.CHILD and p.age_in_months(today) < 9 * 12),
        key=lambda p: (p.date_of_birth, str(p.pk)),
    )


def _caregiver(members: list[Person]) -> Person | None:
    guardians = (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)
    return next((p for p in members if p.relationship in guardians), None)


def seed_duplicates(*, seed: int, today: date, organizations: dict[str, Organization]) -> dict[str, int]:
    """Make ~15 demo families known twice: another family's record, registered at another front
    door, is rewritten as this family as that door recorded it (so the number of family records
    stays what was asked for), and the caregiver pairs wait in the review queue. Then give ~8
    families coordinators at two organizations."""
    rng = random.Random(f"{seed}:duplicates")
    summary = DuplicateSummary()
    now = reference_time(today)
    main_frc = organizations.get(data.MAIN_FRC_SLUG)
    households = {h.pk: h for h in Household.objects.order_by("id")}
    members: dict[uuid.UUID, list[Person]] = {h: [] for h in households}
    for person in Person.objects.order_by("created_at", "id"):
        members[person.household_id].append(person)
    ids = sorted(households, key=str)
    if len(ids) < 4:
        return summary.as_dict()

    def shape(household_id: uuid.UUID) -> tuple[int, bool]:
        people = members[household_id]
        return len(_young_children(people, today)), any(p.account_id for p in people)

    wanted = min(DUPLICATE_FAMILIES, len(ids) // 4)
    # Half of the families known twice first came to the main family resource center, so the demo
    # coordinator has cases to review.
    main_ids = [h for h in ids if main_frc is not None and households[h].registered_by_id == main_frc.pk]
    order = rng.sample(main_ids, len(main_ids))[: wanted // 2 + 1] + rng.sample(ids, len(ids))
    used: set[uuid.UUID] = set()
    changed_people: list[Person] = []
    changed_households: list[Household] = []
    pairs: list[tuple[Person, Person]] = []
    relationships: list[Relationship] = []
    for original_id in order:
        if summary.duplicate_families >= wanted:
            break
        if original_id in used:
            continue
        original = households[original_id]
        caregiver = _caregiver(members[original_id])
        children = _young_children(members[original_id], today)
        if caregiver is None or not children or shape(original_id)[1]:
            continue
        twin_id = next(
            (
                h
                for h in ids
                if h not in used
                and h != original_id
                and households[h].registered_by_id != original.registered_by_id
                and shape(h) == (len(children), False)
                and _caregiver(members[h]) is not None
            ),
            None,
        )
        if twin_id is None:
            continue
        used.update({original_id, twin_id})
        twin = households[twin_id]
        effective = _effective_variations(caregiver, children)
        primary = VARIATIONS[summary.duplicate_families % len(VARIATIONS)]
        variations = {primary if primary in effective else "misspelled_surname"}
        if rng.random() < 0.5:
            variations.add(rng.choice(sorted(effective)))
        surname = _misspell(rng, caregiver.family_name) if "misspelled_surname" in variations else caregiver.family_name
        for name in ("preferred_language", "dialect", "interpreter_needed", "unit", "city", "state", "postal_code"):
            setattr(twin, name, getattr(original, name))
        twin.street = original.street if rng.random() < 0.7 else ""
        changed_households.append(twin)
        twin_caregiver = _caregiver(members[twin_id])
        assert twin_caregiver is not None
        for person, into in [
            (caregiver, twin_caregiver),
            *zip(children, _young_children(members[twin_id], today), strict=True),
        ]:
            family_name = surname if person.family_name == caregiver.family_name else person.family_name
            _copy_person(person, into, variations, rng, family_name)
            changed_people.append(into)
        pairs.append((caregiver, twin_caregiver))
        if (main_frc is not None and original.registered_by_id == main_frc.pk) or summary.duplicate_families % 2 == 0:
            # The second front door referred the family to the first: both organizations see both records.
            relationships.append(
                Relationship(
                    household_id=twin_id,
                    kind=RelationshipKind.REFERRAL_RECIPIENT,
                    organization_id=original.registered_by_id,
                    started_at=now - timedelta(days=rng.randrange(1, 30)),
                )
            )
        summary.duplicate_families += 1
    Household.objects.bulk_update(
        changed_households,
        ["preferred_language", "dialect", "interpreter_needed", "street", "unit", "city", "state", "postal_code"],
    )
    Person.objects.bulk_update(changed_people, list(_COPIED))
    Relationship.objects.bulk_create(relationships)
    # Every demo person was bulk-inserted (no signals): build the blocking keys the real-time check
    # at intake searches, for everyone, now that the second records are written.
    person_keys_rebuild()
    reviews = []
    for original_person, twin_person in pairs:
        weight, probability, reasons = _score(original_person, twin_person)
        reviews.append(
            MatchReview(
                person_a=original_person,
                person_b=twin_person,
                probability=probability,
                match_weight=weight,
                reasons=reasons,
                created_at=now,
            )
        )
    MatchReview.objects.bulk_create(reviews)
    summary.people = len(changed_people)
    summary.reviews = len(reviews)
    summary.double_coordinated = _double_coordination(rng, ids, used, organizations, now)
    return summary.as_dict()


def _double_coordination(
    rng: random.Random, ids: list[uuid.UUID], taken: set[uuid.UUID], organizations: dict[str, Organization], now: Any
) -> int:
    """Two organizations coordinating a few families: the registrar as the designated coordinator and
    another on the care team (a clinic's care coordinator and a home visitor, say), some involving the
    main family resource center. One designated coordinator per family: the database refuses a second."""
    coordinating = [organizations[slug] for slug in REGISTRARS if slug in organizations]
    main_frc = organizations.get(data.MAIN_FRC_SLUG)
    free = [h for h in ids if h not in taken]
    main_free = [
        h
        for h in Household.objects.filter(registered_by=main_frc, pk__in=free)
        .order_by("id")
        .values_list("id", flat=True)
    ]
    chosen = rng.sample(main_free, min(len(main_free), DOUBLE_COORDINATED // 2))
    chosen += [h for h in rng.sample(free, min(len(free), DOUBLE_COORDINATED * 2)) if h not in chosen][
        : DOUBLE_COORDINATED - len(chosen)
    ]
    registrar_of = dict(Household.objects.filter(pk__in=chosen).values_list("id", "registered_by_id"))
    rows = []
    for household_id in chosen:
        first = registrar_of[household_id]
        second = rng.choice([o for o in coordinating if o.pk != first])
        for organization_id, kind, days in (
            (first, RelationshipKind.DESIGNATED_COORDINATOR, rng.randrange(60, 200)),
            (second.pk, RelationshipKind.CARE_TEAM, rng.randrange(5, 59)),
        ):
            rows.append(
                Relationship(
                    household_id=household_id,
                    kind=kind,
                    organization_id=organization_id,
                    started_at=now - timedelta(days=days),
                )
            )
    Relationship.objects.bulk_create(rows)
    return len(chosen)
