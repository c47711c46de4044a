"""The search page and API: who may search, filters in the URL, errors naming the parameter, and a
family read through the access policy (audited) for distance and eligibility warnings."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from ecwhub.accounts.services import api_token_create
from ecwhub.consent.models import AuditEntry
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family
from tests.directory.search_demo import Directory

URL = "/directory/search/"
API = "/api/v1/directory/search"


def test_signing_in_is_required(client: Client, directory: Directory) -> None:
    response = client.get(URL, {"q": "food"})
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert client.get(API, {"q": "food"}).status_code == 401


def test_the_page_lists_results_with_reasons(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    response = client.get(URL, {"need": ["food-insecurity", "material-hardship"], "location": "91731", "miles": "10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Emergency food pantry" in body
    assert "Sacramento food bank" not in body  # 500 km away
    assert "Meets: Food insecurity, Material hardship" in body
    assert "626-555-0199" in body


def test_the_empty_page_shows_the_form_only(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert b'role="search"' in response.content


def test_htmx_gets_only_the_results(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    response = client.get(URL, {"q": "diapers"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Diaper bank" in response.content
    assert b"<html" not in response.content


def test_bad_input_is_named_on_the_page(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    response = client.get(URL, {"child_age_months": "-3", "location": "99999"})
    assert response.status_code == 200
    assert "child_age_months" in response.context["form"].errors
    response = client.get(URL, {"location": "00000"})
    assert "location" in response.context["form"].errors


def test_the_page_speaks_spanish(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    with translation.override("es"):
        response = client.get(URL, {"need": "food-insecurity"}, headers={"Accept-Language": "es"})
    # The need labels are the shared vocabulary's Spanish names.
    assert "Falta de alimentos" in response.content.decode()


def test_api_searches_with_the_same_parameters(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    response = client.get(API, {"q": "dentl", "language": "yue"})
    assert response.status_code == 200
    body = response.json()
    assert body["corrections"] == {"dentl": "dental"}
    assert [item["name"] for item in body["items"]] == ["Children's dental clinic"]
    item = body["items"][0]
    assert item["reasons"] == ["“dental” is in the name", "Staff speak Cantonese"]
    assert item["warnings"] == ["Long wait: about 45 days."]
    assert item["is_free"] is False


def test_api_distance_and_paging(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    body = client.get(API, {"need": "food-insecurity", "location": "91801", "miles": "50", "page_size": "1"}).json()
    assert body["count"] == 1 and body["pages"] == 1
    assert body["items"][0]["distance_km"] == pytest.approx(8.6, abs=1)
    assert body["latitude"] == pytest.approx(34.09, abs=0.01)


def test_api_errors_name_the_parameter(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    response = client.get(API, {"page_size": "1000", "need": "snacks"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"page_size", "need"}
    response = client.get(API, {"location": "00000"})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["location"]


def test_api_with_a_bearer_token(client: Client, network: Network, directory: Directory) -> None:
    _token, secret = api_token_create(acting_user=network.bob, name="search")
    response = client.get(API, {"q": "pantry"}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Emergency food pantry"


def test_a_family_gives_distance_and_warnings_and_is_audited(
    client: Client, network: Network, directory: Directory, family: Family
) -> None:
    signed_in(client, network.alice)
    before = AuditEntry.objects.filter(household_id=family.household.pk).count()
    response = client.get(API, {"family": str(family.household.pk), "need": "material-hardship"})
    assert response.status_code == 200
    body = response.json()
    # The family lives in 91801: distance is measured from there, though no ZIP was in the URL.
    assert body["latitude"] == pytest.approx(34.0914, abs=0.001)
    by_name = {item["name"]: item for item in body["items"]}
    # Sofía is almost four: the diaper bank serves children up to 35 months.
    assert "No child in this family is in the age range (0 to 35 months)." in by_name["Diaper bank"]["warnings"]
    assert by_name["Emergency food pantry"]["warnings"] == []
    assert AuditEntry.objects.filter(household_id=family.household.pk).count() == before + 1


def test_a_family_warns_about_language_and_medi_cal(
    client: Client, network: Network, directory: Directory, family: Family
) -> None:
    signed_in(client, network.alice)
    body = client.get(API, {"family": str(family.household.pk), "q": "dental care management", "miles": "50"}).json()
    # No service uses all three words; those using some of them are found, the most first.
    assert {"Children's dental clinic", "Enhanced care management"} <= {item["name"] for item in body["items"]}
    body = client.get(API, {"family": str(family.household.pk), "need": "dental"}).json()
    dental = body["items"][0]
    assert "Staff do not list Spanish, the family's language." in dental["warnings"]
    body = client.get(API, {"family": str(family.household.pk), "need": "health-insurance-coverage-status"}).json()
    assert "Only for Medi-Cal members; no one in this family is recorded with Medi-Cal." in body["items"][0]["warnings"]


def test_a_family_the_user_may_not_see_is_not_found(
    client: Client, network: Network, directory: Directory, family: Family
) -> None:
    # Carla is a family member (not staff) and Oscar belongs to no organization: both get 404,
    # the same as for a family that does not exist.
    for user in (network.carla, network.oscar):
        signed_in(client, user)
        assert client.get(API, {"family": str(family.household.pk)}).status_code == 404
        assert client.get(URL, {"family": str(family.household.pk)}).status_code == 404
    signed_in(client, network.alice)
    assert client.get(API, {"family": "00000000-0000-0000-0000-000000000000"}).status_code == 404
    assert client.get(API, {"family": "not-a-uuid"}).status_code == 422


def test_the_page_for_a_family_shows_how_to_refer(
    client: Client, network: Network, directory: Directory, family: Family
) -> None:
    signed_in(client, network.alice)
    response = client.get(URL, {"family": str(family.household.pk), "need": "food-insecurity"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Does not take referrals through the hub" in body
    # Each result offers to refer the family there (the referral starts as a draft, checked before sending).
    assert f"/referrals/new/?household={family.household.pk}&amp;service=" in body
    # The family's ZIP code stays out of the page's links and form.
    assert "91801" not in body


def test_the_page_chrome_is_in_spanish(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    network.bob.preferred_language = "es"
    network.bob.save(update_fields=["preferred_language"])
    client.cookies["django_language"] = "es"
    body = client.get(URL, {"q": "comida"}).content.decode()
    assert "Buscar servicios" in body
    assert "Por qué aparece:" in body
