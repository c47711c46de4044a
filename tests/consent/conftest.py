"""A family known to the network, for the consent and policy tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES, Purpose, RelationshipKind
from ecwhub.consent.services import consent_record, relationship_start
from ecwhub.families.models import Household, Person
from tests.conftest import Network


@dataclass
class Family:
    household: Household
    mother: Person
    child: Person
    teen: Person


def make_family(network: Network, *, consent: bool = True) -> Family:
    household = Household.objects.create(registered_by=network.frc, preferred_language="es", postal_code="91801")
    mother = Person.objects.create(
        household=household,
        relationship=Person.Relationship.CAREGIVER,
        given_name="María",
        family_name="García",
        second_family_name="López",
        date_of_birth=date(1992, 4, 3),
        preferred_language="es",
    )
    child = Person.objects.create(
        household=household,
        relationship=Person.Relationship.CHILD,
        given_name="Sofía",
        family_name="García",
        date_of_birth=date(2023, 1, 15),
        preferred_language="es",
    )
    teen = Person.objects.create(
        household=household,
        relationship=Person.Relationship.SIBLING,
        given_name="Diego",
        family_name="García",
        date_of_birth=date(2012, 2, 1),
        preferred_language="es",
    )
    relationship_start(
        acting_user=None, household=household, kind=RelationshipKind.REGISTERING_ORGANIZATION, organization=network.frc
    )
    if consent:
        consent_record(
            acting_user=network.alice,
            membership=Membership.objects.get(user=network.alice),
            household=household,
            given_by=mother,
            method="signed_on_device",
            categories=DEFAULT_CONSENT_CATEGORIES,
            purposes=[Purpose.CARE_COORDINATION, Purpose.REFERRAL],
            network_wide=True,
            text_version="2026-1",
            language="es",
        )
    return Family(household, mother, child, teen)


@pytest.fixture
def family(network: Network) -> Family:
    return make_family(network)
