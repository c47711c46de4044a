"""A family known to the network, for the consent and policy tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pytest

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES, DataCategory, Purpose, RelationshipKind
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
    register(network, household)
    if consent:
        consent_given(network, household, given_by=mother)
    return Family(household, mother, child, teen)


def register(network: Network, household: Household) -> None:
    """The family resource center registered the family (a relationship the policy reads)."""
    relationship_start(
        acting_user=None, household=household, kind=RelationshipKind.REGISTERING_ORGANIZATION, organization=network.frc
    )


def consent_given(
    network: Network, household: Household, *, given_by: Person, categories: Iterable[str] = DEFAULT_CONSENT_CATEGORIES
) -> None:
    """``given_by`` consents, with Alice, to network-wide sharing of ``categories`` for care
    coordination and referrals, in Spanish."""
    consent_record(
        acting_user=network.alice,
        membership=Membership.objects.get(user=network.alice),
        household=household,
        given_by=given_by,
        method="signed_on_device",
        categories=categories,
        purposes=[Purpose.CARE_COORDINATION, Purpose.REFERRAL],
        network_wide=True,
        text_version="2026-1",
        language="es",
    )


@pytest.fixture
def family(network: Network) -> Family:
    return make_family(network)


def consent_post(family: Family, **overrides: object) -> dict[str, object]:
    """What the consent page's form sends for a network-wide consent given by the mother."""
    data: dict[str, object] = {
        "given_by": str(family.mother.pk),
        "person": "",
        "scope": "network",
        "categories": [DataCategory.IDENTITY_CONTACT, DataCategory.REFERRALS],
        "purposes": [Purpose.REFERRAL],
        "method": "signed_on_device",
        "witness": "",
        "document": "",
        "text_version": "2026-1",
        "language": "es",
    }
    data.update(overrides)
    return data
