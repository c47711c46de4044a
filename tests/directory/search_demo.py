"""The demo network's directory (organizations and services), indexed for search, for the search tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from ecwhub.accounts.models import Organization
from ecwhub.demo import generator
from ecwhub.directory.models import (
    DirectoryOrganization,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceNeed,
)
from ecwhub.directory.search.index import search_index_rebuild
from tests.conftest import Network

TODAY = date(2026, 11, 30)


def seed_demo_directory() -> dict[str, Service]:
    """Create the demo organizations and services and build the index; services by name
    (prefixed with the organization's slug when two organizations use the same name)."""
    organizations = generator._create_organizations(TODAY)
    generator._create_services(generator.DEFAULT_SEED, organizations, TODAY)
    search_index_rebuild()
    by_name: dict[str, Service] = {}
    for service in Service.objects.select_related("organization").order_by("organization__slug", "name"):
        slug = service.organization.slug if service.organization else ""
        key = service.name if service.name not in by_name else f"{slug}:{service.name}"
        by_name[key] = service
    return by_name


@dataclass
class Directory:
    pantry: Service
    diapers: Service
    dental: Service
    housing: Service
    ecm: Service
    cafe: Service
    faraway: Service


def build_directory(network: Network) -> Directory:
    """Seven services with fixed ids, so ties (broken by id) fall the same way in every run and on both
    engines; one belongs to an organization outside the network and is placed by its location."""
    numbers = iter(range(1, 7))

    def _service(
        org: Organization, name: str, needs: list[str], languages: list[tuple[str, str]], **fields: object
    ) -> Service:
        service = Service.objects.create(id=uuid.UUID(int=next(numbers)), organization=org, name=name, **fields)
        for need in needs:
            ServiceNeed.objects.create(service=service, need=need)
        for code, dialect in languages:
            ServiceLanguage.objects.create(service=service, language=code, dialect=dialect)
        return service

    for org, postal_code in ((network.frc, "91801"), (network.food_bank, "91731"), (network.hub, "91754")):
        org.postal_code = postal_code
        org.save(update_fields=["postal_code"])
    pantry = _service(
        network.food_bank,
        "Emergency food pantry",
        ["food-insecurity", "material-hardship"],
        [("en", ""), ("es", "")],
        description="Groceries every week, fresh produce and baby formula.",
        phone="626-555-0199",
    )
    diapers = _service(
        network.frc,
        "Diaper bank",
        ["material-hardship"],
        [("en", ""), ("es", ""), ("mix", "Mixteco Bajo")],
        description="Diapers, wipes and formula for babies.",
        min_age_months=0,
        max_age_months=35,
    )
    dental = _service(
        network.hub,
        "Children's dental clinic",
        ["dental"],
        [("en", ""), ("yue", "")],
        description="Cleanings and fluoride varnish for young children.",
        is_free=False,
        typical_wait_days=45,
    )
    housing = _service(
        network.frc,
        "Housing navigation",
        ["housing-instability", "financial-insecurity"],
        [("es", ""), ("mix", "Mixteco de San Juan Mixtepec")],
        description="Help with rent, eviction notices and finding an apartment.",
        accepting_referrals=False,
    )
    ecm = _service(
        network.hub,
        "Enhanced care management",
        ["health-insurance-coverage-status"],
        [("en", ""), ("es", "")],
        description="A care manager for families with complex needs.",
        eligibility="L.A. Care Medi-Cal members who meet a population of focus.",
    )
    cafe = _service(
        network.frc,
        "Evening parent café",
        ["parenting-support", "social-connection"],
        [("en", ""), ("es", "")],
        description="Weekly cafés where parents share ideas, with child care.",
    )
    Schedule.objects.create(service=cafe, freq="WEEKLY", byday="TU,TH", opens_at=time(18), closes_at=time(20))
    Schedule.objects.create(service=cafe, freq="WEEKLY", byday="SA", opens_at=time(10), closes_at=time(12))
    outside = DirectoryOrganization.objects.create(name="Sacramento Food Network")
    faraway = Service.objects.create(
        id=uuid.UUID(int=7),
        organization=None,
        directory_organization=outside,
        name="Sacramento food bank",
        description="Food boxes.",
    )
    ServiceNeed.objects.create(service=faraway, need="food-insecurity")
    ServiceLanguage.objects.create(service=faraway, language="en")
    location = Location.objects.create(
        organization=outside, name="Midtown", latitude=Decimal("38.5816"), longitude=Decimal("-121.4944")
    )
    ServiceAtLocation.objects.create(service=faraway, location=location)
    search_index_rebuild()
    return Directory(pantry, diapers, dental, housing, ecm, cafe, faraway)
