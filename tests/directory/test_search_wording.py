"""Search that forgives wording, over listings written the way a county 211 export writes them: no hub
needs, languages given on locations and phone lines, "food pantry" where a family says "food bank".

One test per failure seen when a network tried the directory on its own 211 listings. The suite runs
once on SQLite and once on PostgreSQL (with DATABASE_URL), and the expected lists are fixed, so both
engines are held to the same answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.test import Client

from ecwhub.directory.models import (
    Accessibility,
    DirectoryLanguage,
    DirectoryOrganization,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
)
from ecwhub.directory.search.index import search_index_rebuild
from ecwhub.directory.search.models import SearchTerm
from ecwhub.directory.search.selectors import SearchParams, correct_word, directory_search
from ecwhub.directory.search.text import stem
from tests.conftest import Network, signed_in


@dataclass
class County:
    pantry: Service
    distribution: Service
    shelter: Service
    dental: Service
    counseling: Service
    immigration: Service
    referral: Service
    closed: Service


def _listing(number: int, org: DirectoryOrganization, name: str, description: str, **fields: object) -> Service:
    return Service.objects.create(
        id=uuid.UUID(int=0x211000 + number), directory_organization=org, name=name, description=description, **fields
    )


def _site(service: Service, number: int, name: str, latitude: str, longitude: str) -> ServiceAtLocation:
    location = Location.objects.create(
        id=uuid.UUID(int=0x211100 + number),
        organization=service.directory_organization,
        name=name,
        latitude=latitude,
        longitude=longitude,
    )
    return ServiceAtLocation.objects.create(id=uuid.UUID(int=0x211200 + number), service=service, location=location)


@pytest.fixture
def county(db: None) -> County:
    """Eight listings as a 211 export words them. None has a hub need or a service-level language:
    Spanish is given on a location, on the phone line of a service at a location, and on a
    service's phone line."""
    united = DirectoryOrganization.objects.create(name="Eastside Community Services")
    clinic = DirectoryOrganization.objects.create(name="Valley Health Centers")
    pantry = _listing(
        1,
        united,
        "Community Food Pantry",
        "Free groceries and fresh produce for families. Bring a bag; no documents needed.",
    )
    distribution = _listing(
        2, united, "Westside Emergency Food Distribution", "Emergency food boxes for low-income households."
    )
    shelter = _listing(
        3,
        united,
        "Family Emergency Shelter",
        "Emergency shelter for homeless families with children, with case management and meals.",
    )
    dental = _listing(
        4, clinic, "Children's Dental Clinic", "Oral health exams, cleanings and fluoride varnish for children."
    )
    counseling = _listing(
        5,
        clinic,
        "Family Counseling Center",
        "Counseling and therapy for parents and children; behavioral health for all ages.",
    )
    immigration = _listing(
        6,
        united,
        "Legal Aid for Families",
        "Free legal help for immigrant families: citizenship, DACA renewals and other documents.",
    )
    referral = _listing(
        7, united, "Information and Referral", "Referral to other community programs and other resources."
    )
    closed = _listing(
        8,
        united,
        "TEST - DO NOT USE food pantry",
        "Defunct test listing: food pantry",
        status=Service.Status.DEFUNCT,
    )
    pantry_site = _site(pantry, 1, "Eastside food site", "34.0600", "-118.2000")
    DirectoryLanguage.objects.create(location=pantry_site.location, name="Spanish", code="es")
    Accessibility.objects.create(location=pantry_site.location, description="Wheelchair accessible entrance")
    _site(distribution, 2, "Westside warehouse", "34.0500", "-118.4000")
    legal_site = _site(immigration, 3, "Legal aid office", "34.0700", "-118.2500")
    legal_line = Phone.objects.create(service_at_location=legal_site, number="213-555-0150")
    DirectoryLanguage.objects.create(phone=legal_line, name="Spanish", code="es")
    counseling_line = Phone.objects.create(service=counseling, number="213-555-0160")
    DirectoryLanguage.objects.create(phone=counseling_line, name="Spanish", code="es")
    search_index_rebuild()
    return County(pantry, distribution, shelter, dental, counseling, immigration, referral, closed)


def names(text: str = "", **params: object) -> list[str]:
    return [r.service.name for r in directory_search(SearchParams(text=text, **params)).results]  # type: ignore[arg-type]


def test_languages_given_on_a_location_are_ignored(county: County) -> None:
    # The pantry's only Spanish row is on its location (as 31 of 32 language rows were in the 211 set).
    page = directory_search(SearchParams(text="food", language="es"))
    assert [r.service.name for r in page.results] == ["Community Food Pantry"]
    assert "Spanish spoken at this location" in page.results[0].reasons
    assert names(language="es") == ["Community Food Pantry", "Family Counseling Center", "Legal Aid for Families"]


def test_languages_on_phone_lines_and_on_a_service_at_a_location_count(county: County) -> None:
    page = directory_search(SearchParams(language="es", text="citizenship counseling"))
    reasons = {r.service.name: r.reasons for r in page.results}
    assert "Spanish spoken for this service at its location" in reasons["Legal Aid for Families"]
    assert "Spanish spoken on the phone line" in reasons["Family Counseling Center"]


def test_accessibility_notes_of_a_location_are_searched(county: County) -> None:
    page = directory_search(SearchParams(text="wheelchair"))
    assert [r.service.name for r in page.results] == ["Community Food Pantry"]
    assert page.results[0].reasons == ["“wheelchair” is in the location's accessibility notes"]


def test_one_word_the_listing_does_not_use_empties_the_result(county: County) -> None:
    # "food bank": no listing says "bank"; the pantry and the food distribution are what is meant
    # (both have "food" in the name; equal scores fall in the order of the service id).
    assert names("food bank") == ["Community Food Pantry", "Westside Emergency Food Distribution"]
    # "housing help": the shelter says neither word.
    assert names("housing help")[0] == "Family Emergency Shelter"
    # Defunct and test listings are not in the index.
    assert "TEST - DO NOT USE food pantry" not in names("food pantry", page_size=50)


def test_services_using_more_of_the_query_words_rank_higher(county: County) -> None:
    # The food distribution uses both words, the shelter one ("emergency"), the pantry one ("food").
    found = names("emergency food")
    assert found[0] == "Westside Emergency Food Distribution"
    assert set(found[1:]) == {"Family Emergency Shelter", "Community Food Pantry"}


def test_an_unknown_word_is_silently_dropped(county: County, client: Client, network: Network) -> None:
    page = directory_search(SearchParams(text="diapers"))
    assert page.ignored_words == ["diapers"]
    assert page.count == 0
    # Alongside a word that matches: the other word's services, and the unknown one still reported.
    page = directory_search(SearchParams(text="diapers food"))
    assert page.ignored_words == ["diapers"]
    assert [r.service.name for r in page.results] == ["Community Food Pantry", "Westside Emergency Food Distribution"]
    signed_in(client, network.bob)
    body = client.get("/directory/search/", {"q": "diapers food"}).content.decode()
    assert "No service mentions “diapers”." in body


def test_an_unknown_word_broadens_the_query_mental_health_to_dental_clinics(county: County) -> None:
    found = names("mental health")
    assert found == ["Family Counseling Center"]
    assert "Children's Dental Clinic" not in names("salud mental")


def test_immigration_is_corrected_to_a_synonym_key(county: County) -> None:
    page = directory_search(SearchParams(text="immigration"))
    assert page.corrections == {}
    assert page.ignored_words == []
    assert [r.service.name for r in page.results] == ["Legal Aid for Families"]
    # Only the listings' own words are in the vocabulary corrections are made to.
    assert not SearchTerm.objects.filter(term="inmigracion").exists()
    assert correct_word("inmigration") != "inmigracion"


def test_mother_is_corrected_to_other(county: County) -> None:
    # "other" is used by two listings, one edit from "mother": not a correction (first letters differ).
    assert correct_word("mother") is None
    page = directory_search(SearchParams(text="mother"))
    assert page.corrections == {}
    assert page.ignored_words == ["mother"]
    assert page.results == []


def test_fod_bank_finds_nothing(county: County) -> None:
    page = directory_search(SearchParams(text="fod bank"))
    assert page.corrections == {"fod": "food"}
    assert [r.service.name for r in page.results] == ["Community Food Pantry", "Westside Emergency Food Distribution"]
    # "for" is as close to "fod" and far more frequent, but a stopword is never a correction.
    assert correct_word("fod") == "food"


def test_vivienda_maps_to_housing_which_listings_call_shelter(county: County) -> None:
    assert names("vivienda")[0] == "Family Emergency Shelter"
    assert names("albergue") == ["Family Emergency Shelter"]


def test_plurals_and_endings_meet_through_stems(county: County) -> None:
    assert stem("pantries") == stem("pantry") == "pantri"
    assert stem("parenting") == stem("parents") == "parent"
    assert stem("albergues") == stem("albergue")
    assert names("pantries") == ["Community Food Pantry"]
    assert "Family Counseling Center" in names("parenting")


def test_corrections_need_few_edits_and_a_frequent_word_for_two(county: County) -> None:
    assert correct_word("shleter") == "shelter"  # two letters swapped: one edit
    assert correct_word("groseries") == "groceries"
    # Two edits away: "emergency" is used by two services, "counseling" by one only (too rare a word
    # to be guessed from that far).
    assert correct_word("emergincyy") == "emergency"
    assert correct_word("counselnigs") is None
    # Three edits away: nothing.
    assert correct_word("emergincyyy") is None


def test_pages_are_the_same_whether_found_among_services_using_every_word_or_not(county: County) -> None:
    # With one result a page, the first page is filled by the service using both words (found with a
    # full-text AND); later pages need the others. Paging through gives the one full order.
    full = names("emergency food", page_size=20)
    paged = [name for page in (1, 2, 3) for name in names("emergency food", page_size=1, page=page)]
    assert paged == full
    assert directory_search(SearchParams(text="emergency food", page_size=1)).count == 3
