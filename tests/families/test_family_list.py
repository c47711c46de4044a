"""The families list's name search: accents and capitals do not matter, only the people the viewer
may see are searched, the name never goes into an address, and the filters follow the pages."""

from __future__ import annotations

import re
from datetime import date

from ecwhub.families.models import Household, Person
from tests.conftest import Network
from tests.consent.conftest import Family, make_family
from tests.consent.test_pages import client_for

LINK = re.compile(r'href="/families/([0-9a-f-]{36})/"')


def _rename(family: Family, given: str, family_name: str) -> None:
    family.mother.given_name, family.mother.family_name = given, family_name
    family.mother.second_family_name = ""
    family.mother.save()
    for person in (family.child, family.teen):
        person.family_name = family_name
        person.save()


def test_a_name_finds_the_family_whatever_the_accents_and_capitals(network: Network, family: Family) -> None:
    other = make_family(network)
    _rename(other, "Lucía", "Nguyễn")
    client = client_for(network.alice)
    for typed in ("garcia", "GARCÍA", "maria lopez", "lópez"):
        html = client.post("/families/", {"name": typed}).content.decode()
        assert LINK.findall(html) == [str(family.household.pk)], typed
    decomposed = make_family(network)
    _rename(decomposed, "Jose\u0301", "Pen\u0303a")  # accents stored as separate marks
    html = client.post("/families/", {"name": "josé peña"}).content.decode()
    assert LINK.findall(html) == [str(decomposed.household.pk)]
    html = client.post("/families/", {"name": "nguyen"}).content.decode()
    assert LINK.findall(html) == [str(other.household.pk)]
    nobody = client.post("/families/", {"name": "Smith"})
    assert nobody.status_code == 200
    assert "No family you may see has someone by that name." in nobody.content.decode()


def test_the_name_is_combined_with_the_zip_code_and_kept_out_of_the_address(network: Network, family: Family) -> None:
    other = make_family(network)
    other.household.postal_code = "90022"
    other.household.save(update_fields=["postal_code"])
    client = client_for(network.alice)
    response = client.post("/families/", {"name": "garcia", "zip": "90022"})
    html = response.content.decode()
    assert LINK.findall(html) == [str(other.household.pk)]
    assert 'value="garcia"' in html, "the name stays in the field"
    assert "garcia" not in response.request["PATH_INFO"] + response.request.get("QUERY_STRING", "")
    too_long = client.post("/families/", {"name": "a" * 101})
    assert too_long.status_code == 400
    assert "at most 100 letters" in too_long.content.decode()


def test_a_family_the_viewer_may_not_see_is_not_found_by_name(network: Network, family: Family) -> None:
    hidden = Household.objects.create(registered_by=network.food_bank, preferred_language="es", postal_code="91801")
    Person.objects.create(
        household=hidden,
        relationship=Person.Relationship.CAREGIVER,
        given_name="Marta",
        family_name="Garcia",
        date_of_birth=date(1990, 1, 1),
        preferred_language="es",
    )
    html = client_for(network.alice).post("/families/", {"name": "garcia"}).content.decode()
    assert LINK.findall(html) == [str(family.household.pk)]
    assert "Marta" not in html


def test_the_pages_of_a_name_search_keep_the_name(network: Network, family: Family) -> None:
    for _ in range(25):
        make_family(network)
    client = client_for(network.alice)
    first = client.post("/families/", {"name": "garcía"}).content.decode()
    assert "Page 1 of 2" in first
    assert 'form="family-filters" name="page" value="2"' in first
    second = client.post("/families/", {"name": "garcía", "page": "2"}).content.decode()
    assert "Page 2 of 2" in second
    assert len(LINK.findall(second)) == 1
