"""A coordinator searches the directory for a family on her phone: filters, results with reasons
and warnings, the htmx update, and no sideways scrolling."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import Network
from tests.consent.conftest import make_family
from tests.directory.search_demo import build_directory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_finds_services_for_a_family_on_her_phone(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    build_directory(network)
    family = make_family(network)
    page = phone
    sign_in(page, live_server, network.alice)

    page.goto(f"{live_server.url}/directory/search/?family={family.household.pk}")
    page.get_by_role("heading", name="Find services").wait_for()
    page.get_by_label("Material hardship").check()
    page.get_by_role("button", name="Search").click()
    # htmx swaps the results in and puts the filters in the address bar.
    page.get_by_role("heading", name="2 services").wait_for()
    results = page.locator("ol.results > li")
    assert "/directory/search/?" in page.url and "91801" not in page.url
    names = [results.nth(i).locator("h3").inner_text() for i in range(results.count())]
    assert names == ["Diaper bank", "Emergency food pantry"]
    diapers = results.first
    assert "Meets: Material hardship" in diapers.inner_text()
    assert "No child in this family is in the age range (0 to 35 months)." in diapers.inner_text()
    assert "Does not take referrals through the hub" in diapers.inner_text()
    assert diapers.get_by_role("link", name="Refer the family here").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A misspelled word is corrected, and the page says so.
    page.get_by_label("Material hardship").uncheck()
    page.get_by_label("Words").fill("houseing")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("you typed “houseing”").wait_for()
    page.get_by_role("heading", name="1 service").wait_for()
    assert results.first.locator("h3").inner_text() == "Housing navigation"
    assert "Not accepting referrals right now." in results.first.inner_text()
