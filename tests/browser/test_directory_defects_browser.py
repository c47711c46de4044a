"""What a coordinator sees on the search page: the order it states is the order of the results,
a title opens the service, a search from a family's page starts with the family's open needs, a
city name is a place, and a Spanish page writes every distance one way."""

from __future__ import annotations

import re

import pytest

from ecwhub.screening.models import IdentifiedNeed
from tests.browser.conftest import sign_in
from tests.conftest import Network
from tests.consent.conftest import make_family
from tests.directory.conftest import make_listings
from tests.directory.search_demo import build_directory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _distances(page) -> list[float]:  # type: ignore[no-untyped-def]
    cards = page.locator("ol.results > li p.meta").all_inner_texts()
    return [float(m.replace(",", ".")) for text in cards for m in re.findall(r"· ([\d.,]+) km", text)]


def test_a_coordinator_searches_for_a_family_in_the_order_the_page_states(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    directory = build_directory(network)
    family = make_family(network)
    IdentifiedNeed.objects.create(
        household=family.household, person=family.mother, need="material-hardship", category="identified_needs"
    )
    page = phone
    sign_in(page, live_server, network.alice)

    # From the family's page: the family's open need is already checked, and the search ran with it.
    page.goto(f"{live_server.url}/directory/search/?family={family.household.pk}")
    assert page.get_by_label("Material hardship").is_checked()
    assert not page.get_by_label("Dental").is_checked()
    page.get_by_role("heading", name="2 services").wait_for()

    # A city is a place; nearest first puts every card in order of distance, and the page says so.
    page.get_by_label("Material hardship").uncheck()
    page.get_by_label("ZIP code, city or address").fill("Alhambra")
    page.get_by_label("Distance").select_option("25")
    page.get_by_label("Order of results").select_option("distance")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("Ordered by distance, nearest first.").wait_for()
    distances = _distances(page)
    assert len(distances) >= 4 and len(set(distances)) >= 3
    assert distances == sorted(distances)

    # The title of a result opens the service's page.
    page.get_by_role("link", name="Housing navigation").click()
    page.wait_for_url(f"**/directory/services/{directory.housing.pk}/")
    page.get_by_role("heading", name="Housing navigation", level=1).wait_for()


def test_a_spanish_page_writes_distances_one_way(  # type: ignore[no-untyped-def]
    live_server, browser, network: Network
) -> None:
    build_directory(network)
    # Signing in sets the page's language to the person's own.
    network.alice.preferred_language = "es"
    network.alice.save(update_fields=["preferred_language"])
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-ES")
    page = context.new_page()
    try:
        sign_in(page, live_server, network.alice)
        page.goto(f"{live_server.url}/directory/search/?need=material-hardship&location=91731&miles=25")
        page.locator("ol.results > li").first.wait_for()
        text = page.locator("ol.results").inner_text()
        numbers = re.findall(r"(\d+[.,]\d) km", text)
        assert len(numbers) >= 4
        assert all("," in n for n in numbers), numbers
    finally:
        context.close()


def test_a_provider_keeps_her_whole_listing_current(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    listings = make_listings(network)
    page = phone
    sign_in(page, live_server, network.bob)
    page.goto(f"{live_server.url}/directory/services/{listings.pantry.pk}/edit/")
    page.get_by_text("Families can be referred to this service through the hub.").wait_for()

    # An empty description is refused, and the page says why next to the field.
    page.get_by_label("Description").fill("")
    page.get_by_role("button", name="Save listing").click()
    page.get_by_text("Write a description: coordinators and families read it to choose a service.").wait_for()

    page.get_by_label("Description").fill("Groceries every Saturday, no documents needed")
    page.get_by_label("Who can use it").fill("Families of the San Gabriel Valley")
    page.get_by_label("Youngest age (months)").fill("0")
    page.get_by_label("Oldest age (months)").fill("96")
    page.get_by_label("Phone number 1", exact=True).fill("626-555-0100")
    page.get_by_label("Note for phone number 1").fill("Spanish line")
    page.get_by_label("Name of the new location").fill("Eastside pantry")
    page.get_by_label("Street address").fill("200 E Valley Blvd")
    page.get_by_label("City").fill("San Gabriel")
    page.get_by_label("ZIP code").fill("91776")
    page.get_by_role("button", name="Save listing").click()
    page.get_by_role("heading", name="Saturday pantry", level=1).wait_for()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    for text in ("Families of the San Gabriel Valley", "626-555-0100", "Spanish line", "Eastside pantry"):
        assert text in body

    # The history names what changed by its label, never by a stored field name.
    page.goto(f"{live_server.url}/directory/services/{listings.pantry.pk}/edit/")
    history = page.locator("table").last.inner_text()
    assert "Edited: Who can use it" in history and "Edited: Phone numbers" in history
    assert "eligibility" not in history and "min_age_months" not in history
