"""What people trying the hub found on the search page: the order the page states is the order
of the results, titles link to the service, a search for a family starts from its open needs,
a city name is a place, and Spanish pages write numbers one way."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from ecwhub.consent.models import AuditEntry
from ecwhub.directory.search.geocode import ZipCentroidGeocoder
from ecwhub.directory.search.selectors import SearchInputError, SearchParams, directory_search
from ecwhub.screening.models import IdentifiedNeed
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family
from tests.directory.search_demo import Directory

URL = "/directory/search/"
API = "/api/v1/directory/search"


def _distances(body: str) -> list[float]:
    """The distances the result cards show, in page order."""
    return [float(km.replace(",", ".")) for km in re.findall(r"· ([\d.,]+) km \(", body)]


# --- 1. The order the page says is the order of the results ----------------------------------------


def test_nearest_first_puts_every_result_in_order_of_distance(directory: Directory) -> None:
    page = directory_search(SearchParams(location="91801", radius_km=80, order="distance", page_size=100))
    distances = [r.distance_km for r in page.results]
    assert len(distances) == 6 and len(set(distances)) >= 3
    assert distances == sorted(distances)  # type: ignore[type-var]


def test_nearest_first_holds_across_pages(directory: Directory) -> None:
    first = directory_search(SearchParams(location="91801", radius_km=80, order="distance", page_size=2))
    second = directory_search(SearchParams(location="91801", radius_km=80, order="distance", page_size=2, page=2))
    distances = [r.distance_km for r in first.results + second.results]
    assert distances == sorted(distances)  # type: ignore[type-var]


def test_the_page_says_the_order_its_results_are_in(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    # Best match first: a need met (2 points) outweighs a few kilometres, and the page says so.
    body = client.get(URL, {"need": "material-hardship", "location": "91754", "miles": "10"}).content.decode()
    assert "Ordered by best match" in body
    assert "ordered by distance" not in body.lower()
    body = client.get(URL, {"q": "", "location": "91801", "miles": "10", "order": "distance"}).content.decode()
    assert "Ordered by distance, nearest first." in body
    distances = _distances(body)
    assert len(distances) >= 4 and len(set(distances)) >= 3
    assert distances == sorted(distances)


def test_nearest_first_without_a_place_is_an_error_on_the_order(
    client: Client, network: Network, directory: Directory
) -> None:
    with pytest.raises(SearchInputError) as error:
        directory_search(SearchParams(text="food", order="distance"))
    assert "order" in error.value.fields
    signed_in(client, network.bob)
    response = client.get(API, {"q": "food", "order": "distance"})
    assert response.status_code == 422
    assert "order" in response.json()["error"]["fields"]
    assert client.get(API, {"location": "91801", "order": "distance"}).json()["order"] == "distance"


# --- 2. Titles link to the service's page -------------------------------------------------------


def test_each_result_title_links_to_the_service(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    body = client.get(URL, {"need": "material-hardship"}).content.decode()
    for service in (directory.diapers, directory.pantry):
        assert f'<h3><a href="/directory/services/{service.pk}/">{service.name}</a></h3>' in body


# --- 3. A search for a family starts from the family's open needs ---------------------------------


def _need(family: Family, need: str, *, status: str = "identified", category: str = "identified_needs") -> None:
    IdentifiedNeed.objects.create(
        household=family.household, person=family.mother, need=need, status=status, category=category
    )


def test_a_search_from_the_family_page_starts_with_its_open_needs(
    client: Client, network: Network, directory: Directory, family: Family
) -> None:
    _need(family, "material-hardship")
    _need(family, "food-insecurity", status="wants_help")
    _need(family, "dental", status="addressed")  # addressed: not open
    _need(family, "housing-instability", status="declined_help")  # the family said no
    signed_in(client, network.alice)
    before = AuditEntry.objects.filter(household_id=family.household.pk).count()
    response = client.get(URL, {"family": str(family.household.pk)})
    assert response.status_code == 200
    assert sorted(response.context["form"]["need"].value()) == ["food-insecurity", "material-hardship"]
    body = response.content.decode()
    assert re.search(r'<input[^>]*value="material-hardship"[^>]*checked', body)
    assert not re.search(r'<input[^>]*value="dental"[^>]*checked', body)
    names = [r.service.name for r in response.context["page"].results]
    assert set(names) == {"Emergency food pantry", "Diaper bank"}
    # The needs were read through the policy, and the audit entry says so.
    entries = AuditEntry.objects.filter(household_id=family.household.pk).order_by("-id")
    assert entries.count() == before + 1
    assert "identified_needs" in entries.first().categories  # type: ignore[union-attr]


def test_a_need_the_user_may_not_see_is_not_preselected(
    client: Client, network: Network, directory: Directory, family: Family
) -> None:
    # Behavioral health is never in a default consent: its rows stay hidden, even as a checkbox.
    _need(family, "material-hardship")
    _need(family, "social-connection", category="behavioral_health")
    signed_in(client, network.alice)
    response = client.get(URL, {"family": str(family.household.pk)})
    assert response.context["form"]["need"].value() == ["material-hardship"]


def test_the_coordinator_can_uncheck_the_family_needs(
    client: Client, network: Network, directory: Directory, family: Family
) -> None:
    _need(family, "material-hardship")
    signed_in(client, network.alice)
    # The form submitted with every need unchecked: the family's needs are not put back.
    response = client.get(URL, {"family": str(family.household.pk), "q": "", "miles": "25"})
    assert response.context["form"]["need"].value() == []
    assert response.context["page"].count > 2


# --- 4. A city name is a place ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Alhambra", "alhambra, ca", "100 S Main St, Alhambra", "ALHAMBRA CA"])
def test_a_city_of_the_state_is_placed_at_its_centre(text: str) -> None:
    point = ZipCentroidGeocoder().locate(text)
    assert point is not None and point.precision == "city"
    assert abs(point.latitude - 34.09) < 0.05 and abs(point.longitude + 118.13) < 0.05


def test_a_search_near_alhambra_finds_services_there(client: Client, network: Network, directory: Directory) -> None:
    signed_in(client, network.bob)
    response = client.get(URL, {"location": "Alhambra", "miles": "2", "order": "distance"})
    assert not response.context["form"].errors
    names = [r.service.name for r in response.context["page"].results]
    assert "Diaper bank" in names  # the FRC, in 91801
    assert "Emergency food pantry" not in names  # El Monte, about 10 km


def test_a_place_that_cannot_be_found_says_what_is_accepted(
    client: Client, network: Network, directory: Directory
) -> None:
    signed_in(client, network.bob)
    response = client.get(URL, {"location": "Atlantis"})
    errors = response.context["form"].errors["location"]
    assert errors == [
        "We could not place this. Give a five-digit ZIP code, a city or town in CA, "
        "or an address with its ZIP code or city."
    ]
    assert "ZIP code, city or address" in response.content.decode()


# --- 5. One way of writing numbers on a Spanish page -------------------------------------------


def test_a_spanish_page_writes_every_distance_with_a_decimal_comma(
    client: Client, network: Network, directory: Directory
) -> None:
    signed_in(client, network.bob)
    with translation.override("es"):
        body = client.get(
            URL, {"need": "material-hardship", "location": "91731", "miles": "25"}, headers={"Accept-Language": "es"}
        ).content.decode()
    numbers = re.findall(r"(\d+[.,]\d) km", body)
    assert len(numbers) >= 4  # on each card and in its reasons
    assert all("," in n for n in numbers), numbers


def test_a_dialect_named_with_its_language_is_not_said_twice(db: None) -> None:
    from ecwhub.directory.models import Service, ServiceLanguage

    service = Service.objects.create(name="Clinic", description="Care.")
    mixtec = ServiceLanguage(service=service, language="mix", dialect="Mixteco de San Juan Mixtepec")
    assert str(mixtec) == "Mixteco de San Juan Mixtepec"
    spanish = ServiceLanguage(service=service, language="es", dialect="Oaxaca")
    assert str(spanish) == "Spanish Oaxaca"
