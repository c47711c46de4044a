"""Pages in their error states: what axe sees on a refused listing save and on the directory's
list of services, moderate violations counted for the rules these pages once broke."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_rules_on_page
from tests.browser.test_directory_defects_browser import _sign_in
from tests.conftest import Network
from tests.directory.conftest import make_listings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_listing_save_and_the_service_list_pass_axe(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    listings = make_listings(network)
    page = phone
    _sign_in(page, live_server, network, network.bob)

    # A refused save: the errors are a list that assistive technology reads as a list.
    page.goto(f"{live_server.url}/directory/services/{listings.pantry.pk}/edit/")
    page.get_by_label("Description").fill("")
    page.get_by_label("Oldest age (months)").fill("-3")
    page.get_by_role("button", name="Save listing").click()
    page.get_by_text("Write a description: coordinators and families read it to choose a service.").wait_for()
    assert page.locator("ul.errors > li").count() >= 2
    assert page.get_by_role("alert").count() >= 2
    assert axe_rules_on_page(page, ["listitem", "list", "aria-allowed-role"]) == []

    # The list of services: no heading level skipped between the title and the cards.
    page.goto(f"{live_server.url}/directory/services/")
    page.get_by_role("heading", name="Saturday pantry", level=3).wait_for()
    assert axe_rules_on_page(page, ["heading-order"]) == []
