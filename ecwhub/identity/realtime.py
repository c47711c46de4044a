"""The real-time duplicate check: one new intake against everyone the hub knows.

``find_candidates(probe)`` collects the people who share a blocking key with the probe (an
indexed lookup in ``identity.PersonKey``), compares each with the probe field by field, weighs the
comparisons with the model in use and returns the likely ones, best first, with their reasons.

It applies no access policy and writes no audit entry: the caller (intake) shows only the
candidates the user may see and audits what it shows. Nothing here logs personal data.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Case, IntegerField, Sum, Value, When

from ecwhub.families.models import Person

from .current import current_model
from .keys import PERSON_COLUMNS, record_from_row
from .models import PersonKey
from .reasons import describe, has_text
from .records import PERSON, PersonRecord, person_keys, person_record

# At most this many people sharing keys with the probe are compared (those whose shared keys
# weigh most first, see KEY_WEIGHTS); a probe sharing only a sound-alike surname and a birth
# year with thousands of people is not helped by comparing all of them.
MAX_COMPARED = 150
_POPULATION_SECONDS = 300.0
_population: list[float] = [0.0, 0.0]


@dataclass(frozen=True)
class Probe:
    given_name: str
    family_name: str
    second_family_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    phone: str = ""
    email: str = ""
    street: str = ""
    postal_code: str = ""
    household_names: tuple[tuple[str, str, date | None], ...] = ()


@dataclass(frozen=True)
class Candidate:
    person_id: UUID
    household_id: UUID
    probability: float
    match_weight: float
    reasons: tuple[str, ...]


def probe_record(probe: Probe) -> PersonRecord:
    return person_record(
        given_name=probe.given_name,
        family_name=probe.family_name,
        second_family_name=probe.second_family_name,
        date_of_birth=probe.date_of_birth,
        sex=probe.sex,
        phone=probe.phone,
        email=probe.email,
        street=probe.street,
        postal_code=probe.postal_code,
        members=probe.household_names,
    )


def population() -> int:
    """How many people the hub holds (cached for five minutes): the prior odds of a match depend on it."""
    now = time.monotonic()
    if now - _population[1] > _POPULATION_SECONDS or _population[0] <= 0:
        _population[0] = float(max(Person.objects.count(), 2))
        _population[1] = now
    return int(_population[0])


def forget_population() -> None:
    _population[1] = 0.0


# How much sharing one key says, by kind: a phone, an e-mail or a full birth date with a name or
# ZIP code is specific; a surname with a birth month and day, or a given name with a surname, less
# so; a surname sound with a birth year least (at a million people such a key is shared by
# hundreds). Candidates are ranked by the sum over the keys they share, so a person sharing one
# specific key comes before people sharing only broad ones.
KEY_WEIGHTS = {"em": 8, "ph": 8, "dz": 6, "gd": 6, "gs": 3, "sm": 2, "sy": 1}


def _candidate_ids(keys: set[str]) -> list[Any]:
    by_weight: dict[int, list[str]] = defaultdict(list)
    for key in sorted(keys):
        by_weight[KEY_WEIGHTS.get(key[:2], 1)].append(key)
    specificity = Case(
        *(When(key__in=group, then=Value(weight)) for weight, group in sorted(by_weight.items())),
        default=Value(1),
        output_field=IntegerField(),
    )
    ranked = (
        PersonKey.objects.filter(key__in=sorted(keys))
        .values("person_id")
        .annotate(shared=Sum(specificity))
        .order_by("-shared")[:MAX_COMPARED]
    )
    return [row["person_id"] for row in ranked]


def _candidate_rows(ids: list[Any], with_households: bool) -> tuple[list[dict[str, Any]], dict[Any, list[Any]]]:
    """The candidates' rows and, when wanted, every member of their households, in one query."""
    if not with_households:
        return list(Person.objects.filter(id__in=ids).values(*PERSON_COLUMNS)), {}
    households = Person.objects.filter(id__in=ids).values("household_id")
    rows = list(Person.objects.filter(household_id__in=households).values(*PERSON_COLUMNS))
    members: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        members[row["household_id"]].append(row)
    wanted = set(ids)
    return [row for row in rows if row["id"] in wanted], members


def score_pair(
    model: Any, probe: PersonRecord, other: PersonRecord, people: int
) -> tuple[float, float, tuple[str, ...]]:
    """(match weight, probability, reasons) of one comparison."""
    outcomes = PERSON.compare(probe, other)
    weight = model.weight([outcome.level for outcome in outcomes], people)
    supporting: list[tuple[float, str, tuple[str, ...]]] = []
    for index, outcome in enumerate(outcomes):
        part = model.level_weight(index, outcome.level)
        if part > 0 and outcome.reason and has_text(outcome.reason):
            supporting.append((part, outcome.reason, outcome.args))
    supporting.sort(key=lambda item: -item[0])
    probability = 1.0 / (1.0 + math.pow(2.0, -weight)) if weight > -1000 else 0.0
    return weight, probability, tuple(describe(code, args) for _part, code, args in supporting)


def find_candidates(probe: Probe, *, limit: int = 10, min_probability: float = 0.2) -> list[Candidate]:
    """People the hub already holds who are probably the probe, best first (see the module doc)."""
    record = probe_record(probe)
    keys = person_keys(record)
    if not keys:
        return []
    ids = _candidate_ids(keys)
    if not ids:
        return []
    rows, members = _candidate_rows(ids, bool(record.members))
    model, _model_id = current_model("person")
    people = population()
    found: list[Candidate] = []
    for row in rows:
        others = [
            (other["given_name"], other["family_name"], other["date_of_birth"])
            for other in members.get(row["household_id"], ())
            if other["id"] != row["id"]
        ]
        weight, probability, reasons = score_pair(model, record, record_from_row(row, others), people)
        if probability >= min_probability:
            found.append(Candidate(row["id"], row["household_id"], probability, weight, reasons))
    found.sort(key=lambda candidate: (-candidate.match_weight, str(candidate.person_id)))
    return found[:limit]
