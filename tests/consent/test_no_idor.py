"""Walk every URL and API route as people who must not see a family, and look for it.

Each route with parameters is filled with the ids of a real family (and its consent, agreement
and emergency-access records); every answer must be a refusal, or a page that shows none of the
family's names, phone number or address. New routes are covered as soon as they exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import api_token_create, membership_add
from ecwhub.consent.models import Consent, DataCategory, Purpose
from ecwhub.consent.services import agreement_create
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db

SECRETS = ("María", "García", "López", "Sofía", "Diego", "626-555-0199", "1200 Atlantic Blvd")
# Routes that never show family data and would only add noise (admin has its own permission tests).
SKIP_PREFIXES = ("admin/", "static/", "api/")


def _patterns(resolvers: list[URLResolver | URLPattern], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route)
        else:
            yield route, entry


def _fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every concrete path for a route: each <converter:name> replaced by each candidate value."""
    paths = [route]
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", route):
        converter, name = match.group(1) or "str", match.group(2)
        candidates = values.get(name) or values.get(converter) or ["x"]
        paths = [p.replace(match.group(0), c, 1) for p in paths for c in candidates]
    return ["/" + p.lstrip("^").rstrip("$") for p in paths]


@pytest.fixture
def outsiders(network: Network, family: Family) -> dict[str, Client]:
    """A coordinator at another organization (with an agreement but no relationship), provider staff,
    a hub administrator, an analyst without agreement, another family's member, and a stranger."""
    family.mother.phone = "626-555-0199"
    family.mother.save(update_fields=["phone"])
    family.household.street = "1200 Atlantic Blvd"
    family.household.save(update_fields=["street"])
    agreement_create(
        acting_user=network.admin,
        membership=Membership.objects.get(user=network.admin),
        title="Hub and food bank",
        parties=[network.hub, network.food_bank],
        categories=list(DataCategory),
        purposes=list(Purpose),
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-9",
    )
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    return {
        "coordinator elsewhere": signed_in(Client(), network.oscar),
        "provider elsewhere": signed_in(Client(), network.bob),
        "hub administrator": signed_in(Client(), network.admin),
        "family member of another family": signed_in(Client(), network.carla),
        "anonymous": Client(),
    }


def _ids(network: Network, family: Family) -> dict[str, list[str]]:
    consent = Consent.objects.get(household=family.household)
    from ecwhub.consent.models import Agreement

    uuids = [str(family.household.pk), str(family.mother.pk), str(consent.pk)] + [
        str(a.pk) for a in Agreement.objects.all()
    ]
    return {
        "household_id": [str(family.household.pk)],
        "uuid": uuids,
        "slug": [network.frc.slug],
        "str": [str(family.household.pk), "x"],
        "int": [str(consent.pk.int % 1000)],
        "path": ["x"],
    }


def test_no_page_shows_the_family_to_people_who_may_not_see_it(
    network: Network, family: Family, outsiders: dict[str, Client]
) -> None:
    ids = _ids(network, family)
    checked = 0
    leaks = []
    users = {
        "coordinator elsewhere": network.oscar,
        "provider elsewhere": network.bob,
        "hub administrator": network.admin,
        "family member of another family": network.carla,
    }
    for route, _pattern in _patterns(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES):
            continue
        for path in _fill(route, ids):
            for who, client in outsiders.items():
                if who in users and "_auth_user_id" not in client.session:
                    # The walk reaches sign-out too: sign in again, so every route is tried signed in.
                    outsiders[who] = client = signed_in(Client(), users[who])
                response = client.get(path)
                checked += 1
                body = response.content.decode(errors="replace")
                found = [s for s in SECRETS if s in body]
                if response.status_code == 200 and found:
                    leaks.append(f"{who} GET {path} showed {found}")
    assert checked > 20, "the walk found almost no routes"
    assert not leaks, "\n".join(leaks)


def test_no_api_route_shows_the_family_to_people_who_may_not_see_it(
    network: Network, family: Family, outsiders: dict[str, Client]
) -> None:
    ids = _ids(network, family)
    schema = Client().get("/api/openapi.json").json()
    tokens = {}
    for name in ("oscar", "bob", "admin", "carla"):
        _, token = api_token_create(acting_user=getattr(network, name), name="walk")
        tokens[name] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    tokens["anonymous"] = {}
    leaks = []
    checked = 0
    for route, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        concrete = re.sub(r"\{(\w+)\}", lambda m: "<" + m.group(1) + ">", route.removeprefix("/"))
        for path in _fill(concrete, {**ids, "slug": [network.frc.slug]}):
            for who, headers in tokens.items():
                response = Client().get(path, **headers)
                checked += 1
                found = [s for s in SECRETS if s in response.content.decode(errors="replace")]
                if found:
                    leaks.append(f"{who} GET {path} ({response.status_code}) showed {found}")
    assert checked >= 20
    assert not leaks, "\n".join(leaks)


def test_the_walk_would_see_a_leak(network: Network, family: Family) -> None:
    """The family's own coordinator does see the names on the API: the search is not blind."""
    response = signed_in(Client(), network.alice).get(f"/api/v1/families/{family.household.pk}")
    assert any(s in response.content.decode() for s in SECRETS)
