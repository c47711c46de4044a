"""Each role lands on its own home page."""

import pytest
from django.test import Client

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import membership_add
from ecwhub.directory.models import Service, ServiceNeed
from tests.conftest import Network, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("admin", "Hub administration"),
        ("alice", "Welcome, Alice"),
        ("bob", "Keep the listing of Valley Food Bank current"),
        ("carla", "This is your family's space"),
        ("oscar", "No organization yet"),
    ],
)
def test_each_role_has_its_home(network: Network, persona: str, heading: str) -> None:
    body = signed_in(Client(), getattr(network, persona)).get("/").content.decode()
    assert heading in body


def test_the_coordinator_home_lists_their_organizations_services(network: Network) -> None:
    service = Service.objects.create(
        organization=network.frc, name="Family navigation", description="Help finding services"
    )
    ServiceNeed.objects.create(service=service, need="food-insecurity")
    Service.objects.create(organization=network.food_bank, name="Saturday pantry")
    body = signed_in(Client(), network.alice).get("/").content.decode()
    assert "Family navigation" in body
    assert "Food insecurity" in body
    assert "Saturday pantry" not in body


def test_analysts_see_counts_of_the_network(network: Network) -> None:
    membership_add(acting_user=None, user=network.oscar, organization=network.hub, role=Role.ANALYST)
    body = signed_in(Client(), network.oscar).get("/").content.decode()
    assert "Network overview" in body
    assert "Member organizations" in body


def test_a_person_with_two_roles_can_switch(network: Network) -> None:
    membership_add(acting_user=None, user=network.alice, organization=network.food_bank, role=Role.PROVIDER_STAFF)
    client = signed_in(Client(), network.alice)
    assert "Welcome, Alice" in client.get("/").content.decode()
    other = Membership.objects.get(user=network.alice, organization=network.food_bank)
    client.post("/accounts/acting-as/", {"membership": other.pk})
    assert "Keep the listing of Valley Food Bank current" in client.get("/").content.decode()


def test_nobody_can_switch_into_a_membership_that_is_not_theirs(network: Network) -> None:
    bobs = Membership.objects.get(user=network.bob)
    response = signed_in(Client(), network.alice).post("/accounts/acting-as/", {"membership": bobs.pk})
    assert response.status_code == 404


def test_an_anonymous_visitor_sees_the_landing_page(db: None) -> None:
    body = Client().get("/").content.decode()
    assert "Early Childhood Wellness Hub" in body
    assert 'href="/accounts/sign-in/"' in body


def test_the_layout_has_landmarks_and_a_skip_link(network: Network) -> None:
    body = signed_in(Client(), network.alice).get("/").content.decode()
    assert 'href="#main"' in body
    assert '<main id="main"' in body
    assert '<nav aria-label="Main">' in body
    assert 'name="viewport"' in body
    assert '<label for="language-select"' in body
