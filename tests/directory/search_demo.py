"""The demo network's directory (organizations and services), indexed for search, for the search tests."""

from __future__ import annotations

from datetime import date

from ecwhub.demo import generator
from ecwhub.directory.models import Service
from ecwhub.directory.search.index import search_index_rebuild

TODAY = date(2026, 11, 30)


def seed_demo_directory() -> dict[str, Service]:
    """Create the demo organizations and services and build the index; services by name
    (prefixed with the organization's slug when two organizations use the same name)."""
    organizations = generator._create_organizations(TODAY)
    generator._create_services(generator.DEFAULT_SEED, organizations, TODAY)
    search_index_rebuild()
    by_name: dict[str, Service] = {}
    for service in Service.objects.select_related("organization").order_by("organization__slug", "name"):
        key = service.name if service.name not in by_name else f"{service.organization.slug}:{service.name}"
        by_name[key] = service
    return by_name
