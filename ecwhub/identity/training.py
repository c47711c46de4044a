"""EM-training the hub's own Fellegi–Sunter model (the one the real-time check uses) on its people."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from django.db.models import Count

from ecwhub.families.models import Household, Person

from . import linkage
from .current import forget_current_model
from .keys import PERSON_COLUMNS, record_from_row
from .model import FellegiSunter
from .models import LinkageModel
from .records import PERSON, PersonRecord


def hub_records(*, sample: int | None = None, seed: int = 1) -> list[PersonRecord]:
    """The hub's people as prepared records, with their household members.

    A sample takes whole ZIP codes (in random order, until about ``sample`` people): a family
    registered twice is nearly always registered in one ZIP code, so the sample keeps both
    records of a duplicate, and EM sees as many matches per person as the whole hub has. (Sampling
    households at random would keep both records of only a sample-fraction² of the duplicates.)
    """
    households = Household.objects.filter(members__isnull=False).distinct()
    if sample is not None and Person.objects.count() > sample:
        sizes = list(
            Person.objects.values("household__postal_code")
            .annotate(people=Count("id"))
            .order_by("household__postal_code")
        )
        random.Random(seed).shuffle(sizes)
        chosen: list[str] = []
        total = 0
        for size in sizes:
            if total >= sample:
                break
            chosen.append(size["household__postal_code"])
            total += size["people"]
        households = households.filter(postal_code__in=chosen)
    household_ids = sorted(households.values_list("id", flat=True), key=str)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(household_ids), 5000):
        chunk = household_ids[start : start + 5000]
        rows.extend(Person.objects.filter(household_id__in=chunk).values(*PERSON_COLUMNS))
    by_household: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_household[row["household_id"]].append(row)
    records = []
    for row in rows:
        others = [
            (o["given_name"], o["family_name"], o["date_of_birth"])
            for o in by_household[row["household_id"]]
            if o["id"] != row["id"]
        ]
        records.append(record_from_row(row, others))
    return records


def person_model_train(*, sample: int = 40_000, records: list[PersonRecord] | None = None) -> FellegiSunter:
    """EM-train on (a sample of) the hub's people and save the model as the one in use."""
    if records is None:
        records = hub_records(sample=sample)
    if len(records) < 50:
        raise ValueError("too few people to estimate a model from (at least 50 are needed)")
    # Three classes (same person, another member of the same family, unrelated): family members
    # agree on surname, address and phone, and would otherwise be learnt as matches.
    model = linkage.fit_sessions(
        PERSON,
        records,
        random_sample=min(100_000, len(records) * 20),
        households=[record.household for record in records],
    )
    LinkageModel.objects.create(schema="person", parameters=model.to_json(), source=f"hub people ({len(records):,})")
    forget_current_model()
    return model
