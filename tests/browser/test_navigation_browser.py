"""A coordinator's header, with every everyday link, fits a 360 px phone in English and Spanish."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, Network, current_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinators_header_fits_a_phone(live_server, phone, network: Network) -> None:  # type: ignore[no-untyped-def]
    device = totp_device(network.alice)
    page = phone
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill("alice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Welcome, Alice").wait_for()

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
