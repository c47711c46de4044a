"""The HSDS read API: shapes, filters, paging, errors, and who may read."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.test import Client

from ecwhub.directory import hsds
from ecwhub.directory import models as m
from ecwhub.directory.hsds.importer import directory_import
from tests.conftest import Network, signed_in
from tests.directory.conftest import Listings
from tests.shared_data import shared_path


@pytest.fixture
def api(client: Client, network: Network, listings: Listings) -> Client:
    return signed_in(client, network.alice)


def _names(body: dict) -> list[str]:
    return [item["name"] for item in body["contents"]]


@pytest.mark.django_db
def test_reading_the_directory_needs_a_sign_in(client: Client, listings: Listings) -> None:
    response = client.get("/api/hsds/services")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/hsds/").json()["version"] == "3.0.1"


@pytest.mark.django_db
def test_any_signed_in_member_reads_every_organizations_services(
    client: Client, network: Network, listings: Listings
) -> None:
    for user in (network.alice, network.bob, network.carla):
        body = signed_in(Client(), user).get("/api/hsds/services").json()
        assert _names(body) == ["Diaper bank", "Playgroup", "Saturday pantry"]


@pytest.mark.django_db
def test_services_list_is_an_hsds_page(api: Client) -> None:
    body = api.get("/api/hsds/services?per_page=2&page=1").json()
    assert {
        k: body[k] for k in ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")
    } == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert body["contents"][0]["organization"]["name"] == "Valley Food Bank"
    last = api.get("/api/hsds/services?per_page=2&page=2").json()
    assert _names(last) == ["Saturday pantry"] and last["last_page"] is True
    beyond = api.get("/api/hsds/services?per_page=2&page=9").json()
    assert beyond["contents"] == [] and beyond["size"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ("page=0", "page"),
        ("per_page=500", "per_page"),
        ("page=two", "page"),
        ("organization_id=nope", "organization_id"),
        ("taxonomy_term_id=1", "taxonomy_term_id"),
        ("modified_after=yesterday", "modified_after"),
    ],
)
def test_bad_parameters_are_named(api: Client, query: str, field: str) -> None:
    response = api.get(f"/api/hsds/services?{query}")
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_service_filters(api: Client, listings: Listings) -> None:
    def names(query: str) -> list[str]:
        return _names(api.get(f"/api/hsds/services?{query}").json())

    assert names("search=saturday groceries") == ["Saturday pantry"]
    assert names(f"organization_id={listings.casa_org.pk}") == ["Playgroup"]
    assert names(f"taxonomy_term_id={hsds.NEED_TERM_IDS['food-insecurity']}") == ["Saturday pantry"]
    assert names(f"taxonomy_id={hsds.NEED_TAXONOMY_ID}") == ["Diaper bank", "Playgroup", "Saturday pantry"]
    assert names("stale=true") == ["Diaper bank"]
    assert names("stale=false") == ["Playgroup", "Saturday pantry"]
    assert names("accepting_referrals=false") == ["Diaper bank"]


@pytest.mark.django_db
def test_service_detail_is_a_full_hsds_service(api: Client, listings: Listings) -> None:
    body = api.get(f"/api/hsds/services/{listings.pantry.pk}").json()
    assert body["name"] == "Saturday pantry" and body["organization"]["name"] == "Valley Food Bank"
    assert {lang["code"] for lang in body["languages"]} == {"es", "yue"}
    assert body["schedules"][0]["byday"] == "SA" and body["schedules"][0]["opens_at"] == "09:00:00"
    assert body["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "91801"
    assert [a["taxonomy_term"]["code"] for a in body["attributes"]] == ["food-insecurity"]
    assert body["capacity"] == {
        "accepting_referrals": True,
        "typical_wait_days": 2,
        "open_slots": 12,
        "accepts_electronic_referrals": True,
        "last_verified_at": body["capacity"]["last_verified_at"],
        "stale": False,
    }
    # The official schema last: without it the checks above have run, and the test skips (fails in CI).
    import jsonschema

    schema = json.loads(shared_path("data/hsds/hsds-3.0.1/schema/compiled/service.json").read_text())
    body.pop("capacity")
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        json.loads(json.dumps(body), object_hook=lambda d: {k: v for k, v in d.items() if v is not None})
    )


@pytest.mark.django_db
def test_a_service_read_through_the_api_imports_back_unchanged(api: Client, listings: Listings, tmp_path: Path) -> None:
    body = api.get(f"/api/hsds/services/{listings.pantry.pk}").json()
    body.pop("capacity")
    before = hsds.canonical(hsds.rows_from_database())
    path = tmp_path / "pantry.json"
    path.write_text(json.dumps(body))
    [result] = directory_import(acting_user=None, path=path)
    assert result.ok, [str(e) for e in result.errors]
    assert hsds.canonical(hsds.rows_from_database()) == before


@pytest.mark.django_db
def test_missing_records_are_404_with_the_error_body(api: Client) -> None:
    for path in ("services", "organizations", "taxonomy_terms", "service_at_locations"):
        response = api.get(f"/api/hsds/{path}/{uuid.uuid4()}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api.get("/api/hsds/services/not-a-uuid").status_code == 422


@pytest.mark.django_db
def test_organizations(api: Client, listings: Listings) -> None:
    body = api.get("/api/hsds/organizations?search=valley").json()
    assert _names(body) == ["Valley Food Bank"] and body["total_items"] == 1
    detail = api.get(f"/api/hsds/organizations/{listings.food_org.pk}").json()
    assert sorted(s["name"] for s in detail["services"]) == ["Diaper bank", "Saturday pantry"]
    assert detail["locations"][0]["name"] == "Main Street warehouse"
    assert "organization" not in detail["services"][0]


@pytest.mark.django_db
def test_taxonomy_terms_and_service_at_locations(api: Client, listings: Listings) -> None:
    taxonomy = m.Taxonomy.objects.create(name="211 LA", description="Local terms")
    parent = m.TaxonomyTerm.objects.create(name="Basic needs", description="Food, shelter", taxonomy_detail=taxonomy)
    m.TaxonomyTerm.objects.create(name="Food pantries", description="Groceries", parent_id=parent.pk, code="BD-1800")
    m.Attribute.objects.create(link_id=listings.diapers.pk, link_entity="service", taxonomy_term=parent)
    assert _names(api.get("/api/hsds/taxonomy_terms").json()) == ["Basic needs", "Food pantries"]
    assert _names(api.get("/api/hsds/taxonomy_terms?top_only=true").json()) == ["Basic needs"]
    assert _names(api.get(f"/api/hsds/taxonomy_terms?parent_id={parent.pk}").json()) == ["Food pantries"]
    assert _names(api.get("/api/hsds/taxonomy_terms?search=BD-1800").json()) == ["Food pantries"]
    term = api.get(f"/api/hsds/taxonomy_terms/{parent.pk}").json()
    assert term["taxonomy_detail"]["name"] == "211 LA"
    services = api.get(f"/api/hsds/services?taxonomy_term_id={parent.pk}").json()
    assert _names(services) == ["Diaper bank"]
    assert _names(api.get(f"/api/hsds/services?taxonomy_id={taxonomy.pk}").json()) == ["Diaper bank"]

    sites = api.get("/api/hsds/service_at_locations?postcode=91801").json()
    assert [s["service"]["name"] for s in sites["contents"]] == ["Saturday pantry"]
    assert sites["contents"][0]["location"]["name"] == "Main Street warehouse"
    assert api.get("/api/hsds/service_at_locations?postcode=91776").json()["empty"] is True
    assert api.get("/api/hsds/service_at_locations?search=diaper").json()["total_items"] == 0
    detail = api.get(f"/api/hsds/service_at_locations/{listings.pantry_site.pk}").json()
    assert detail["service"]["name"] == "Saturday pantry" and "service_at_locations" not in detail["service"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/hsds/services", "/api/hsds/service_at_locations"])
def test_modified_after_takes_any_offset_and_refuses_what_no_calendar_holds(path: str, network: Network) -> None:
    client = signed_in(Client(), network.alice)
    # An offset no place uses (+19:13) in year 686: PostgreSQL refused it with an error page.
    odd = client.get(path, {"modified_after": "0686-01-20T17:31:30.856+19:13"})
    assert odd.status_code == 200, odd.content
    assert client.get(path, {"modified_after": "2026-01-01T00:00:00"}).status_code == 200
    bad = client.get(path, {"modified_after": "0001-01-01T00:00:00+10:00"})
    assert bad.status_code == 422 and "modified_after" in bad.json()["error"]["fields"]
