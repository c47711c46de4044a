"""Directory fixtures: listings of the test network's member organizations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.utils import timezone

from ecwhub.directory import models as m
from ecwhub.directory.services import service_languages_sync
from tests.conftest import Network
from tests.consent.conftest import Family, make_family
from tests.directory.search_demo import Directory, build_directory

# The food bank's warehouse: a fixed id, so a form posted in a test can name it.
PANTRY_LOCATION_ID = uuid.UUID("00000000-0000-0000-0000-0000000000a1")


@dataclass
class Listings:
    food_org: m.DirectoryOrganization
    casa_org: m.DirectoryOrganization
    pantry: m.Service  # the food bank's, verified last month, Spanish and Cantonese
    diapers: m.Service  # the food bank's, not verified for a year (stale)
    playgroup: m.Service  # the FRC's
    pantry_site: m.ServiceAtLocation


@pytest.fixture
def listings(network: Network) -> Listings:
    return make_listings(network)


@pytest.fixture
def directory(network: Network) -> Directory:
    """The search's demo directory (tests/directory/search_demo.py), indexed."""
    return build_directory(network)


@pytest.fixture
def family(network: Network) -> Family:
    return make_family(network)


def make_listings(network: Network) -> Listings:
    now = timezone.now()
    food_org = m.DirectoryOrganization.objects.create(
        member=network.food_bank, name="Valley Food Bank", description="Food for families"
    )
    casa_org = m.DirectoryOrganization.objects.create(
        member=network.frc, name="Casa Familia FRC", description="Family resource center"
    )
    pantry = m.Service.objects.create(
        organization=network.food_bank,
        directory_organization=food_org,
        name="Saturday pantry",
        description="Groceries every Saturday, no documents needed",
        accepting_referrals=True,
        typical_wait_days=2,
        open_slots=12,
        accepts_electronic_referrals=True,
        last_verified_at=now - timedelta(days=30),
    )
    diapers = m.Service.objects.create(
        organization=network.food_bank,
        directory_organization=food_org,
        name="Diaper bank",
        description="Diapers and wipes",
        accepting_referrals=False,
        last_verified_at=now - timedelta(days=365),
    )
    playgroup = m.Service.objects.create(
        organization=network.frc,
        directory_organization=casa_org,
        name="Playgroup",
        description="Parent and child playgroup",
        last_verified_at=now,
    )
    m.ServiceNeed.objects.create(service=pantry, need="food-insecurity")
    m.ServiceNeed.objects.create(service=diapers, need="material-hardship")
    m.ServiceNeed.objects.create(service=playgroup, need="parenting-support")
    m.DirectoryLanguage.objects.create(service=pantry, code="es", name="Spanish")
    m.DirectoryLanguage.objects.create(service=pantry, code="yue", name="Cantonese", note="Taishanese")
    service_languages_sync(service_ids=[pantry.pk])
    location = m.Location.objects.create(
        id=PANTRY_LOCATION_ID,
        organization=food_org,
        name="Main Street warehouse",
        latitude="34.0953",
        longitude="-118.1270",
    )
    m.Address.objects.create(
        location=location,
        address_1="100 S Main St",
        city="Alhambra",
        state_province="CA",
        postal_code="91801",
        country="US",
        address_type="physical",
    )
    pantry_site = m.ServiceAtLocation.objects.create(id=uuid.uuid4(), service=pantry, location=location)
    m.Schedule.objects.create(
        service=pantry, freq="WEEKLY", byday="SA", opens_at=time(9), closes_at=time(13), description="SA 09:00-13:00"
    )
    return Listings(food_org, casa_org, pantry, diapers, playgroup, pantry_site)
