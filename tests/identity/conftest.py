"""A small generated population with known duplicates, written through the ORM."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from ecwhub.demo.generator import generate_household
from ecwhub.demo.synthetic import duplicate_household
from ecwhub.families.models import Household, Person
from ecwhub.identity.keys import person_keys_refresh
from ecwhub.identity.realtime import forget_population
from tests.conftest import Network

TODAY = date(2026, 11, 1)


@dataclass
class Population:
    people: int
    true_pairs: set[tuple[uuid.UUID, uuid.UUID]]
    duplicates: list[tuple[uuid.UUID, dict[str, Any]]]


def populate(network: Network, *, households: int, duplicated: int, seed: int = 5) -> Population:
    rng = random.Random(seed)
    house_rows: list[Household] = []
    person_rows: list[Person] = []
    true_pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    duplicates: list[tuple[uuid.UUID, dict[str, Any]]] = []
    for index in range(households):
        row = generate_household(seed=seed, index=index, today=TODAY)
        house_rows.append(Household(id=row.id, registered_by=network.frc, **row.values))
        members = [dict(member) for member in row.members]
        person_rows.extend(Person(household_id=row.id, **member) for member in members)
        if index < duplicated:
            values, copies = duplicate_household(rng, row.values, members)
            copy_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            house_rows.append(Household(id=copy_id, registered_by=network.food_bank, **values))
            for original, copy in copies:
                person_rows.append(Person(household_id=copy_id, **copy))
                true_pairs.add((original, copy["id"]))
                duplicates.append(
                    (original, {**copy, "street": values["street"], "postal_code": values["postal_code"]})
                )
    Household.objects.bulk_create(house_rows)
    Person.objects.bulk_create(person_rows)
    person_keys_refresh([p.id for p in person_rows])
    forget_population()
    return Population(len(person_rows), true_pairs, duplicates)


@pytest.fixture
def population(network: Network) -> Population:
    return populate(network, households=150, duplicated=40)
