"""Providers keep all of their listing current: who it is for and which ages, what it costs, where
it is offered and which numbers to call; a listing without a description is refused, and the
"accepts referrals through the hub" box says what it means."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils import translation

from ecwhub.directory import models as m
from ecwhub.directory.search.index import search_index_rebuild
from ecwhub.directory.search.selectors import SearchParams, directory_search
from ecwhub.directory.services import ListingEdit, ListingError, NewLocation, PhoneEdit, service_update
from tests.conftest import Network, signed_in
from tests.directory.conftest import PANTRY_LOCATION_ID, Listings
from tests.directory.test_listing import _bearer, _form

pytestmark = pytest.mark.django_db


def _url(listings: Listings) -> str:
    return f"/directory/services/{listings.pantry.pk}/edit/"


def test_a_provider_edits_who_it_is_for_cost_phones_and_locations(
    client: Client, network: Network, listings: Listings
) -> None:
    bob = signed_in(client, network.bob)
    page = bob.get(_url(listings)).content.decode()
    for label in (
        "Who can use it",
        "Youngest age (months)",
        "Free of charge",
        "Phone number 1",
        "Main Street warehouse",
    ):
        assert label in page
    response = bob.post(
        _url(listings),
        _form(
            eligibility="Families living in the San Gabriel Valley",
            min_age_months="0",
            max_age_months="60",
            is_free=None,
            fees_description="$5 a box, or free with Medi-Cal",
            phone_0="626-555-0100",
            phone_note_0="Spanish line",
            phone_1="(626) 555-0101 ext 12",
            locations=[],
            new_location_name="Eastside pantry",
            new_location_address="200 E Valley Blvd",
            new_location_city="San Gabriel",
            new_location_zip="91776",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    pantry = m.Service.objects.get(pk=listings.pantry.pk)
    assert pantry.eligibility == "Families living in the San Gabriel Valley"
    assert (pantry.min_age_months, pantry.max_age_months) == (0, 60)
    assert not pantry.is_free and pantry.fees_description == "$5 a box, or free with Medi-Cal"
    assert sorted(pantry.phones.values_list("number", "description")) == [
        ("(626) 555-0101 ext 12", ""),
        ("626-555-0100", "Spanish line"),
    ]
    assert pantry.phone == "626-555-0100"  # the first number is the one search results show
    places = list(pantry.service_at_locations.select_related("location"))
    assert [p.location.name for p in places] == ["Eastside pantry"]
    address = places[0].location.addresses.get()
    assert (address.address_1, address.city, address.postal_code) == ("200 E Valley Blvd", "San Gabriel", "91776")
    assert places[0].location.organization_id == listings.food_org.pk
    changed = set(m.ServiceChange.objects.filter(service=pantry).values_list("field", flat=True))
    assert {"eligibility", "min_age_months", "max_age_months", "is_free", "fees_description", "phones"} <= changed
    assert "locations" in changed

    # The listing page shows what the provider wrote; the search uses the new ages and place.
    detail = bob.get(f"/directory/services/{pantry.pk}/").content.decode()
    for text in ("Families living in the San Gabriel Valley", "$5 a box", "626-555-0100", "Spanish line", "Eastside"):
        assert text in detail
    search_index_rebuild()  # after commit in the hub; this test's transaction never commits
    assert not directory_search(SearchParams(text="saturday", child_age_months=72)).results
    assert directory_search(SearchParams(text="saturday", child_age_months=24)).results

    # The history names the new parts by their labels.
    history = bob.get(_url(listings)).content.decode()
    for label in ("Edited: Who can use it", "Edited: Phone numbers", "Edited: Locations", "Edited: Free of charge"):
        assert label in history

    # Saving the page as it is now changes nothing.
    again = bob.get(_url(listings)).context["form"]
    data = {k: v for k, v in _initial_post(again).items()}
    count = m.ServiceChange.objects.filter(service=pantry).count()
    assert bob.post(_url(listings), data).status_code == 302
    assert m.ServiceChange.objects.filter(service=pantry).count() == count


def _initial_post(form: object) -> dict[str, object]:
    """What a browser posts for the page as shown (checkboxes only when checked)."""
    data: dict[str, object] = {}
    for bound in form:  # type: ignore[attr-defined]
        value = bound.value()
        if value is None or value is False or value == "" or value == []:  # 0 is a value
            continue
        data[bound.html_name] = "on" if value is True else value
    return data


def test_an_empty_description_is_refused_and_nothing_changes(
    client: Client, network: Network, listings: Listings
) -> None:
    bob = signed_in(client, network.bob)
    response = bob.post(_url(listings), _form(description="   ", eligibility="Anyone"))
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        "Write a description: coordinators and families read it to choose a service."
    ]
    assert "Write a description" in response.content.decode()
    pantry = m.Service.objects.get(pk=listings.pantry.pk)
    assert pantry.description == "Groceries every Saturday, no documents needed" and pantry.eligibility == ""
    assert not m.ServiceChange.objects.filter(service=pantry).exists()
    with pytest.raises(ListingError) as error:
        service_update(acting_user=network.bob, service_id=pantry.pk, edit=ListingEdit(description=""))
    assert "description" in error.value.fields


def test_bad_ages_phones_and_places_are_refused_with_the_field_named(
    client: Client, network: Network, listings: Listings
) -> None:
    bob = signed_in(client, network.bob)
    response = bob.post(
        _url(listings),
        _form(min_age_months="60", max_age_months="12", phone_0="call us", new_location_address="1 Main St"),
    )
    errors = response.context["form"].errors
    assert errors["max_age_months"] == ["The oldest age must not be below the youngest."]
    assert "new_location_city" in errors and "new_location_zip" in errors
    assert not m.ServiceChange.objects.filter(service=listings.pantry).exists()
    with pytest.raises(ListingError) as error:
        service_update(
            acting_user=network.bob,
            service_id=listings.pantry.pk,
            edit=ListingEdit(phones=[PhoneEdit("call us")], new_location=NewLocation("1 Main St", "", "9")),
        )
    assert set(error.value.fields) == {"phones", "new_location"}


def test_a_location_of_another_organization_cannot_be_chosen(network: Network, listings: Listings) -> None:
    other = m.Location.objects.create(organization=listings.casa_org, name="Casa Familia center")
    with pytest.raises(ListingError) as error:
        service_update(
            acting_user=network.bob,
            service_id=listings.pantry.pk,
            edit=ListingEdit(location_ids=[PANTRY_LOCATION_ID, other.pk]),
        )
    assert "locations" in error.value.fields
    assert list(listings.pantry.service_at_locations.values_list("location_id", flat=True)) == [PANTRY_LOCATION_ID]
    with pytest.raises(ListingError):
        service_update(
            acting_user=network.bob, service_id=listings.pantry.pk, edit=ListingEdit(location_ids=[uuid.uuid4()])
        )


def test_the_listing_api_edits_the_same_parts(network: Network, listings: Listings) -> None:
    url = f"/api/v1/directory/services/{listings.pantry.pk}/listing"
    bob = _bearer(network.bob)
    response = Client().patch(
        url,
        data={
            "eligibility": "Any family",
            "min_age_months": 6,
            "is_free": False,
            "fees_description": "Sliding scale",
            "phones": [{"number": "626-555-0150", "description": "front desk"}],
        },
        content_type="application/json",
        **bob,
    )
    assert response.status_code == 200, response.content
    assert {c["field"] for c in response.json()} == {
        "eligibility",
        "min_age_months",
        "is_free",
        "fees_description",
        "phones",
    }
    bad = Client().patch(url, data={"description": ""}, content_type="application/json", **bob)
    assert bad.status_code == 422 and "description" in bad.json()["error"]["fields"]
    bad = Client().patch(url, data={"max_age_months": 3}, content_type="application/json", **bob)
    assert bad.status_code == 422 and "max_age_months" in bad.json()["error"]["fields"]


def test_the_hub_referrals_box_says_what_it_means(client: Client, network: Network, listings: Listings) -> None:
    bob = signed_in(client, network.bob)
    page = bob.get(_url(listings)).content.decode()
    assert "Families can be referred to this service through the hub." in page


def test_a_spanish_provider_reads_why_a_save_is_refused_in_spanish(
    client: Client, network: Network, listings: Listings
) -> None:
    bob = signed_in(client, network.bob)
    bob.cookies["django_language"] = "es"
    response = bob.post(
        _url(listings),
        _form(
            description=" ",
            min_age_months="60",
            max_age_months="12",
            typical_wait_days="-1",
            phone_0="call us",
            new_location_address="1 Main St",
            opens_SA="13:00",
            closes_SA="09:00",
        ),
    )
    body = response.content.decode()
    errors = [problem for problems in response.context["form"].errors.values() for problem in problems]
    assert len(errors) >= 5
    assert "Escriba una descripción" in body
    for english in ("Write a description", "must not be below", "Give the new", "closing time", "Ensure this"):
        assert english not in body


def test_the_listing_service_refuses_in_the_active_language(network: Network, listings: Listings) -> None:
    edit = ListingEdit(needs=["hunger"], languages=[("xx", "")], typical_wait_days=-1)
    with translation.override("es"), pytest.raises(ListingError) as error:
        service_update(acting_user=network.bob, service_id=listings.pantry.pk, edit=edit)
    assert error.value.fields == {
        "typical_wait_days": ["Indique un número entre 0 y 10000."],
        "languages": ["Idioma desconocido: «xx»."],
        "needs": ["Necesidad desconocida: «hunger»."],
    }
