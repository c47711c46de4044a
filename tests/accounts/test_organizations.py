"""An organization's staff never see another organization's administration."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import Membership, Role, User
from tests.conftest import Network, signed_in

pytestmark = pytest.mark.django_db


def org_page(slug: str) -> str:
    return reverse("accounts:organization", kwargs={"slug": slug})


def test_an_org_admin_sees_their_own_organization(network: Network) -> None:
    response = signed_in(Client(), network.alice).get(org_page("casa"))
    assert response.status_code == 200
    assert "Casa Familia FRC" in response.content.decode()


@pytest.mark.parametrize("slug", ["food", "hub", "does-not-exist"])
def test_an_org_admin_gets_not_found_for_other_organizations(network: Network, slug: str) -> None:
    response = signed_in(Client(), network.alice).get(org_page(slug))
    # The same answer whether the organization exists or not.
    assert response.status_code == 404
    assert "Valley Food Bank" not in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "carla", "oscar"])
def test_people_who_do_not_administer_see_no_administration(network: Network, persona: str) -> None:
    client = signed_in(Client(), getattr(network, persona))
    assert client.get(reverse("accounts:organizations")).status_code == 404
    for slug in ("casa", "food", "hub"):
        assert client.get(org_page(slug)).status_code == 404


def test_the_hub_admin_sees_every_organization(network: Network) -> None:
    client = signed_in(Client(), network.admin)
    listing = client.get(reverse("accounts:organizations")).content.decode()
    for name in ("Test Hub", "Casa Familia FRC", "Valley Food Bank"):
        assert name in listing
    assert client.get(org_page("food")).status_code == 200


# The invitation is queued with the membership and sent after the commit: a real one here.
@pytest.mark.django_db(transaction=True)
def test_an_org_admin_adds_a_member_who_is_invited_by_email(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    response = client.post(
        org_page("casa"),
        {
            "action": "add",
            "email": "New.CHW@Example.org",
            "first_name": "Nora",
            "last_name": "Nuñez",
            "role": "coordinator",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.chw@example.org")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, organization=network.frc, role=Role.COORDINATOR).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.chw@example.org"]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_an_org_admin_cannot_make_a_hub_administrator(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    response = client.post(
        org_page("casa"),
        {"action": "add", "email": "x@example.org", "first_name": "X", "last_name": "Y", "role": "hub_admin"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


def test_a_bad_member_form_names_the_field_and_creates_nothing(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    response = client.post(
        org_page("casa"), {"action": "add", "email": "not-an-address", "first_name": "", "role": "coordinator"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert "This field is required" in body
    assert User.objects.count() == 5


def test_ending_a_membership_keeps_it_for_history(network: Network) -> None:
    Membership.objects.create(user=network.bob, organization=network.frc, role=Role.PROVIDER_STAFF)
    membership = Membership.objects.get(user=network.bob, organization=network.frc)
    client = signed_in(Client(), network.alice)
    response = client.post(org_page("casa"), {"action": "end", "membership": membership.pk})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert membership.ended_at is not None


def test_an_org_admin_cannot_end_a_membership_of_another_organization(network: Network) -> None:
    other = Membership.objects.get(user=network.bob)
    client = signed_in(Client(), network.alice)
    response = client.post(org_page("casa"), {"action": "end", "membership": other.pk})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_hub_admin_role_only_exists_in_the_hub(network: Network) -> None:
    from ecwhub.accounts.services import MembershipError, membership_add

    with pytest.raises(MembershipError) as error:
        membership_add(acting_user=network.admin, user=network.bob, organization=network.frc, role=Role.HUB_ADMIN)
    assert error.value.field == "role"
    assert not Membership.objects.filter(user=network.bob, role=Role.HUB_ADMIN).exists()


def test_hub_admins_manage_organizations_in_the_admin_site_but_not_family_records(network: Network) -> None:
    client = signed_in(Client(), network.admin)
    assert client.get("/admin/accounts/organization/").status_code == 200
    assert client.get("/admin/directory/service/").status_code == 200
    assert client.get("/admin/families/household/").status_code == 404
    for persona in (network.alice, network.bob, network.carla):
        assert signed_in(Client(), persona).get("/admin/accounts/organization/").status_code == 302


def test_ending_the_hub_admin_membership_removes_admin_site_access(network: Network) -> None:
    from ecwhub.accounts.services import membership_end

    membership_end(acting_user=None, membership=Membership.objects.get(user=network.admin, role=Role.HUB_ADMIN))
    network.admin.refresh_from_db()
    assert not network.admin.is_staff
    assert not network.admin.groups.exists()
    assert signed_in(Client(), network.admin).get("/admin/accounts/organization/").status_code == 302
