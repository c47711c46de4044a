"""A coordinator's header, with every everyday link, fits a 360 px phone in English and Spanish."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import Network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinators_header_fits_a_phone(live_server, phone, network: Network) -> None:  # type: ignore[no-untyped-def]
    page = phone
    sign_in(page, live_server, network.alice)

    nav = page.get_by_role("navigation", name="Main")
    for name in ("Worklist", "New intake", "Overdue", "Rates"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    nav.get_by_role("link", name="Overdue", exact=True).click()
    page.get_by_role("heading", level=1).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator("#language-select").select_option("es")
    page.get_by_role("button", name="Change language").click()
    page.get_by_role("navigation", name="Principal").wait_for()
    for path in ("/", "/care/worklist/", "/care/rates/", "/families/intake/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
