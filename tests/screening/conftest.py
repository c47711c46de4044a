"""A family with a newborn, whose consent names the sensitive screening categories (or not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES, DataCategory
from ecwhub.families.models import Household, Person
from tests.conftest import Network
from tests.consent.conftest import consent_given, register


@dataclass
class ScreenFamily:
    household: Household
    mother: Person
    baby: Person
    toddler: Person


def make_screen_family(network: Network, *, sensitive: bool = True, link_carla: bool = False) -> ScreenFamily:
    today = timezone.localdate()
    household = Household.objects.create(registered_by=network.frc, preferred_language="es", postal_code="91801")
    mother = Person.objects.create(
        household=household,
        relationship=Person.Relationship.CAREGIVER,
        given_name="Lucía",
        family_name="Ramírez",
        date_of_birth=today.replace(year=today.year - 29),
        preferred_language="es",
        account=network.carla if link_carla else None,
    )
    baby = Person.objects.create(
        household=household,
        relationship=Person.Relationship.CHILD,
        given_name="Mateo",
        family_name="Ramírez",
        date_of_birth=today - timedelta(days=95),
        preferred_language="es",
    )
    toddler = Person.objects.create(
        household=household,
        relationship=Person.Relationship.CHILD,
        given_name="Ana",
        family_name="Ramírez",
        date_of_birth=today - timedelta(days=int(18.4 * 30.44)),
        preferred_language="es",
    )
    register(network, household)
    categories = list(DEFAULT_CONSENT_CATEGORIES)
    if sensitive:
        categories += [DataCategory.BEHAVIORAL_HEALTH, DataCategory.INTERPERSONAL_SAFETY]
    consent_given(network, household, given_by=mother, categories=categories)
    return ScreenFamily(household, mother, baby, toddler)


@pytest.fixture
def screen_family(network: Network) -> ScreenFamily:
    return make_screen_family(network)


@pytest.fixture
def alice_membership(network: Network) -> Membership:
    return Membership.objects.get(user=network.alice)
