"""Blocking keys follow the people they index: a saved or moved person gets fresh keys in the same
transaction, so they are never out of step (a rolled-back intake leaves no keys) and an intake a
second later finds them. Deleted people lose their keys by cascade."""

from __future__ import annotations

from typing import Any

from ecwhub.families.models import Household, Person

from .keys import person_keys_refresh


def person_saved(sender: type[Person], instance: Person, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures
    person_keys_refresh([instance.pk])


def household_saved(sender: type[Household], instance: Household, **kwargs: Any) -> None:
    if kwargs.get("raw") or kwargs.get("created"):
        return  # a new household has no members yet
    person_keys_refresh(Person.objects.filter(household_id=instance.pk).values_list("id", flat=True))
