"""A mother reads her family's page in Spanish on a phone, and sees who has looked at it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.browser.conftest import sign_in
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _carlas_family(network: Network) -> Family:
    """A family whose mother is Carla's account, and Carla reads the hub in Spanish."""
    family = make_family(network)
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    network.carla.preferred_language = "es"
    network.carla.save(update_fields=["preferred_language"])
    return family


def test_a_family_member_reads_her_consent_and_who_has_seen_her_family_in_spanish(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    family = _carlas_family(network)
    # The coordinator opened the family's page earlier.
    assert signed_in(Client(), network.alice).get(f"/families/{family.household.pk}/").status_code == 200

    page = phone
    # Carla, the mother, signs in on her phone with the page in Spanish.
    sign_in(page, live_server, network.carla, language="es")

    page.get_by_role("link", name="Mi familia").click()
    page.get_by_role("heading", name="Mi familia", exact=True).wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    consents = page.get_by_role("region", name="Sus consentimientos")
    assert consents.get_by_text("En vigor").is_visible()
    assert consents.get_by_text("Toda la red").first.is_visible()
    assert consents.get_by_text("Identidad y contacto").is_visible()
    assert consents.get_by_role("button", name="Retirar este consentimiento").is_visible()
    assert page.get_by_role("heading", name="María García López").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Quién ha visto la información de su familia").click()
    page.get_by_role("heading", name="Quién ha visto la información de su familia").wait_for()
    coordinator_row = page.get_by_role("row").filter(has_text="Alice Álvarez").first
    assert "Casa Familia FRC" in coordinator_row.inner_text()
    assert "Consultó" in coordinator_row.inner_text()
    assert "Coordinación de cuidados" in coordinator_row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_printable_export_reads_in_spanish_and_fits_a_phone(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    _carlas_family(network)
    page = phone
    sign_in(page, live_server, network.carla, language="es")

    page.goto(f"{live_server.url}/my-family/export.html")
    page.get_by_role("heading", name="Todo lo que el Hub tiene sobre su familia").wait_for()
    assert page.get_by_role("heading", name="María García López").is_visible()
    assert page.get_by_role("heading", name="Consentimientos").is_visible()
    # Nothing scrolls sideways on a 360 px phone (the export used to be about 590 px wide).
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
