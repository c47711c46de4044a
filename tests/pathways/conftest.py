"""A family that wants help with food, its coordinator (Alice), her supervisor (Sam) and a second
coordinator (Dora) at the family resource center, and Olga, a coordinator at an organization that
has nothing to do with the family."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest

from ecwhub.accounts.models import Membership, Organization, OrganizationKind, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.pathways.models import Pathway, PathwayDefinition
from ecwhub.pathways.services import pathway_open

# The shared Chromium for this folder's browser tests, defined once for the package.
from tests.browser.conftest import _sync_orm_beside_playwright, browser  # noqa: F401
from tests.conftest import PASSWORD, Network
from tests.referrals.conftest import World, make_world, member


@dataclass
class Team:
    world: World
    sam: User  # supervisor at the family resource center
    dora: User  # another coordinator there
    olga: User  # a coordinator elsewhere, without a relationship with the family

    @property
    def alice(self) -> User:
        return self.world.network.alice

    @property
    def network(self) -> Network:
        return self.world.network


def coordinator(network: Network, email: str, organization: Organization, *, supervisor: bool = False) -> User:
    user = User.objects.create_user(email, PASSWORD, first_name=email.split("@")[0].title(), last_name="Test")
    membership_add(acting_user=None, user=user, organization=organization, role=Role.COORDINATOR)
    if supervisor:
        Membership.objects.filter(user=user).update(is_supervisor=True)
    return user


@pytest.fixture(autouse=True)
def standard_pathways(request: pytest.FixtureRequest) -> None:
    """The standard definitions come from a data migration; a transactional test elsewhere in the
    run flushes every table (those rows too), so put them back for the tests that use them."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")  # with transaction=True in the marker this is the transactional database
    from django.apps import apps

    if not PathwayDefinition.objects.exists():
        importlib.import_module("ecwhub.pathways.migrations.0002_standard_pathways").seed(apps, None)


@pytest.fixture
def team(network: Network) -> Team:
    world = make_world(network)
    sam = coordinator(network, "sam@example.org", network.frc, supervisor=True)
    dora = coordinator(network, "dora@example.org", network.frc)
    elsewhere = Organization.objects.create(name="Eastside Clinic", slug="eastside", kind=OrganizationKind.CLINIC)
    olga = coordinator(network, "olga@example.org", elsewhere)
    return Team(world, sam, dora, olga)


def food(key: str = "food-security") -> PathwayDefinition:
    return PathwayDefinition.objects.get(key=key)


def opened(team: Team, key: str = "food-security") -> Pathway:
    return pathway_open(
        acting_user=team.alice, membership=member(team.alice), need=team.world.food_need, definition=food(key)
    )
