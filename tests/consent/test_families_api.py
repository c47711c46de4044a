"""The families API applies the access policy and audits every read."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from ecwhub.accounts.services import api_token_create
from ecwhub.consent.models import AuditEntry, Consent
from ecwhub.consent.services import consent_withdraw
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def bearer(network: Network, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _, token = api_token_create(acting_user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_coordinator_lists_their_families_and_each_row_is_audited(network: Network, family: Family) -> None:
    make_family(network)
    response = signed_in(Client(), network.alice).get("/api/v1/families")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {m["given_name"] for m in body["items"][0]["members"]} == {"María", "Sofía", "Diego"}
    assert body["items"][0]["members"][0]["date_of_birth"] is None, "a list shows identity only"
    request_id = response["X-Request-ID"]
    assert AuditEntry.objects.filter(request_id=request_id, action="read").count() == 2


def test_the_detail_adds_the_categories_allowed(network: Network, family: Family) -> None:
    response = signed_in(Client(), network.alice).get(f"/api/v1/families/{family.household.pk}")
    body = response.json()
    assert set(body["categories"]) == {"identity_contact", "demographics", "insurance"}
    assert body["members"][0]["date_of_birth"] == "1992-04-03"
    entry = AuditEntry.objects.get(request_id=response["X-Request-ID"])
    assert entry.household_id == family.household.pk
    assert entry.categories == "demographics,identity_contact,insurance"


@pytest.mark.parametrize("persona", ["bob", "admin", "oscar"])
def test_others_get_the_same_404_as_for_a_family_that_does_not_exist(
    network: Network, family: Family, persona: str
) -> None:
    user = getattr(network, persona)
    # Oscar holds no membership, so no token can act for him: he signs in with the browser.
    client = signed_in(Client(), user) if persona == "oscar" else Client(**bearer(network, user))
    real = client.get(f"/api/v1/families/{family.household.pk}")
    fake = client.get(f"/api/v1/families/{uuid.uuid4()}")
    assert real.status_code == fake.status_code == 404
    assert real.json() == fake.json()
    assert client.get("/api/v1/families").json()["count"] == 0


def test_a_token_acts_in_the_membership_it_was_made_for(network: Network, family: Family) -> None:
    """Alice coordinates at the resource center and is also an analyst at the food bank: a token
    made for the food bank never reads the resource center's families, and a token needs a
    membership named when the user holds several."""
    from ecwhub.accounts.models import Membership, Role
    from ecwhub.accounts.services import MembershipError, membership_add

    analyst = membership_add(acting_user=None, user=network.alice, organization=network.food_bank, role=Role.ANALYST)
    with pytest.raises(MembershipError) as refused:
        api_token_create(acting_user=network.alice, name="which one?")
    assert refused.value.field == "membership"
    _, food_bank = api_token_create(acting_user=network.alice, name="analysis", membership=analyst)
    _, frc = api_token_create(
        acting_user=network.alice,
        name="coordination",
        membership=Membership.objects.get(user=network.alice, role=Role.COORDINATOR),
    )
    as_analyst = Client().get("/api/v1/families", HTTP_AUTHORIZATION=f"Bearer {food_bank}")
    as_coordinator = Client().get("/api/v1/families", HTTP_AUTHORIZATION=f"Bearer {frc}")
    assert as_analyst.json()["count"] == 0
    assert as_coordinator.json()["count"] == 1
    # The header cannot make a token act elsewhere.
    elsewhere = Client().get(
        "/api/v1/families", HTTP_AUTHORIZATION=f"Bearer {food_bank}", HTTP_X_ACTING_ORGANIZATION="casa"
    )
    assert elsewhere.status_code == 403
    # The browser session acts in the session's membership unless the header names another of hers.
    session = signed_in(Client(), network.alice)
    assert session.get("/api/v1/families").json()["count"] == 1
    assert session.get("/api/v1/families", HTTP_X_ACTING_ORGANIZATION="food").json()["count"] == 0
    assert session.get("/api/v1/families", HTTP_X_ACTING_ORGANIZATION="nowhere").status_code == 403


def test_withdrawn_consent_ends_api_access_at_once(network: Network, family: Family) -> None:
    client = signed_in(Client(), network.alice)
    assert client.get(f"/api/v1/families/{family.household.pk}").status_code == 200
    from ecwhub.accounts.models import Membership

    consent_withdraw(
        acting_user=network.alice, membership=Membership.objects.get(user=network.alice), consent=Consent.objects.get()
    )
    assert client.get(f"/api/v1/families/{family.household.pk}").status_code == 404


def test_a_bad_zip_filter_names_the_field(network: Network, family: Family) -> None:
    response = signed_in(Client(), network.alice).get("/api/v1/families", {"zip": "9180A"})
    assert response.status_code == 422
    assert "zip" in response.json()["error"]["fields"]
