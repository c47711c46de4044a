"""A coordinator signs in with password and TOTP on a phone-sized screen and sees their home."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, Network, current_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_signs_in_with_two_factor_and_sees_their_home(live_server, phone, network: Network) -> None:  # type: ignore[no-untyped-def]
    device = totp_device(network.alice)
    page = phone
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("E-mail address").fill("alice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Two-factor sign-in").wait_for()
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()

    page.get_by_role("heading", name="Welcome, Alice").wait_for()
    assert page.get_by_text("Care coordinator / CHW at Casa Familia FRC").is_visible()
    # Mobile-first: nothing scrolls sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The first Tab reaches the skip link, and it leads to the main landmark.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert page.get_by_role("main").count() == 1


def test_a_wrong_password_shows_the_message_in_the_browser(live_server, phone, network: Network) -> None:  # type: ignore[no-untyped-def]
    page = phone
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill("alice@example.org")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "do not match an account" in alert.inner_text()
