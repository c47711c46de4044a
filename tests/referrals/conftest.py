"""A family with open needs, a food bank in the directory, and the agreement between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ecwhub.accounts.models import Membership, Organization, User
from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES, DataCategory, Purpose
from ecwhub.consent.policy import SENSITIVE
from ecwhub.consent.services import agreement_create, consent_record
from ecwhub.core.needs import Need
from ecwhub.directory.models import Service, ServiceLanguage, ServiceNeed
from ecwhub.screening.catalog import need_category
from ecwhub.screening.models import IdentifiedNeed
from tests.conftest import Network
from tests.consent.conftest import Family, make_family


def member(user: User) -> Membership:
    return Membership.objects.filter(user=user, is_active=True).select_related("organization").get()


@dataclass
class World:
    network: Network
    family: Family
    food_need: IdentifiedNeed
    housing_need: IdentifiedNeed
    pantry: Service
    outside: Service


def agreement(network: Network, *, categories: list[str] | None = None) -> None:
    agreement_create(
        acting_user=network.admin,
        membership=member(network.admin),
        title="Hub, resource center and food bank",
        parties=[network.hub, network.frc, network.food_bank],
        categories=categories or [c for c in DataCategory if c not in SENSITIVE],
        purposes=[Purpose.CARE_COORDINATION, Purpose.REFERRAL],
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-7",
    )


def need(family: Family, kind: str) -> IdentifiedNeed:
    return IdentifiedNeed.objects.create(
        household=family.household, need=kind, category=need_category(kind), status=IdentifiedNeed.Status.WANTS_HELP
    )


def make_world(network: Network, *, consent: bool = True, with_agreement: bool = True) -> World:
    family = make_family(network, consent=consent)
    if with_agreement:
        agreement(network)
    pantry = Service.objects.create(
        organization=network.food_bank,
        name="Weekly pantry",
        description="Groceries every week.",
        accepts_electronic_referrals=True,
        interpretation_services="Phone interpreters",
    )
    ServiceNeed.objects.create(service=pantry, need=Need.FOOD_INSECURITY)
    ServiceLanguage.objects.create(service=pantry, language="es")
    outside = Service.objects.create(organization=None, name="County shelter line", description="Shelter.")
    ServiceNeed.objects.create(service=outside, need=Need.HOUSING_INSTABILITY)
    return World(
        network, family, need(family, Need.FOOD_INSECURITY), need(family, Need.HOUSING_INSTABILITY), pantry, outside
    )


def give_consent(
    world: World, *, organizations: list[Organization], method: str = "signed_on_device", witness: str = ""
) -> None:
    consent_record(
        acting_user=world.network.alice,
        membership=member(world.network.alice),
        household=world.family.household,
        given_by=world.family.mother,
        method=method,
        witness=witness,
        categories=DEFAULT_CONSENT_CATEGORIES,
        purposes=[Purpose.CARE_COORDINATION, Purpose.REFERRAL],
        network_wide=False,
        organizations=organizations,
        text_version="2026-1",
        language="es",
    )


@pytest.fixture
def world(network: Network) -> World:
    return make_world(network)
