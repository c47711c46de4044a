"""Keeping the blocking-key table in step with the people it indexes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import transaction

from ecwhub.families.models import Person

from .models import PersonKey
from .records import PersonRecord, person_keys, person_record

# The Person and Household columns a comparison reads, in one query.
PERSON_COLUMNS = (
    "id",
    "household_id",
    "given_name",
    "family_name",
    "second_family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "household__street",
    "household__postal_code",
)


def record_from_row(row: dict[str, Any], members: Iterable[tuple[str, str, Any]] = ()) -> PersonRecord:
    return person_record(
        ref=row["id"],
        household=row["household_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        second_family_name=row["second_family_name"],
        preferred_name=row["preferred_name"],
        date_of_birth=row["date_of_birth"],
        sex=row["sex"],
        phone=row["phone"],
        email=row["email"],
        street=row["household__street"] or "",
        postal_code=row["household__postal_code"] or "",
        members=members,
    )


def person_keys_refresh(person_ids: Iterable[UUID]) -> int:
    """Recompute the blocking keys of these people (deleted people lose theirs). Returns keys written.

    Called by the Person and Household signals; call it yourself after a ``bulk_create`` or a
    queryset ``update`` of names, dates, phones or addresses, which send no signals.
    """
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return 0
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            PersonKey.objects.filter(person_id__in=chunk).delete()
            rows = Person.objects.filter(id__in=chunk).values(*PERSON_COLUMNS)
            keys = [
                PersonKey(person_id=row["id"], key=key)
                for row in rows
                for key in sorted(person_keys(record_from_row(row)))
            ]
            PersonKey.objects.bulk_create(keys, batch_size=5000)
            written += len(keys)
    return written


def person_keys_rebuild() -> int:
    """Recompute every person's keys (after a change to the key rules, or a bulk import)."""
    total = 0
    ids = list(Person.objects.values_list("id", flat=True))
    for start in range(0, len(ids), 10000):
        total += person_keys_refresh(ids[start : start + 10000])
    return total
