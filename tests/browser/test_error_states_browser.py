"""Pages in their error states and the hub administrator's actions: what axe sees on a refused
listing save and on the directory's list of services (moderate violations counted for the rules
these pages once broke), the import check in Spanish, and the duplication page's actions."""

from __future__ import annotations

import zipfile

import pytest

from tests.browser.conftest import axe_rules_on_page, sign_in
from tests.conftest import Network
from tests.consent.conftest import make_family
from tests.directory.conftest import make_listings
from tests.families.test_review_and_duplication import _coordinate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_listing_save_and_the_service_list_pass_axe(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    listings = make_listings(network)
    page = phone
    sign_in(page, live_server, network.bob)

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


def test_a_spanish_administrator_reads_the_import_check_in_spanish(  # type: ignore[no-untyped-def]
    live_server, browser, network: Network, tmp_path
) -> None:
    network.admin.preferred_language = "es"
    network.admin.save(update_fields=["preferred_language"])
    package = tmp_path / "organizations.csv"
    package.write_text("id,name\nnot-a-uuid,\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "directorio.zip", "w") as archive:
        archive.write(package, "organizations.csv")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    page = context.new_page()
    try:
        sign_in(page, live_server, network.admin)
        page.goto(f"{live_server.url}/directory/import/")
        page.locator("input[name=package]").set_input_files(str(tmp_path / "directorio.zip"))
        page.get_by_role("button", name="Revisar el paquete").click()
        page.get_by_role("heading", name="Este paquete no se puede importar").wait_for()
        report = page.locator("section.card").inner_text()
        assert "organizations.csv, fila 2 (id not-a-uuid), campo “id”: 'not-a-uuid' no es un UUID" in report
        assert "campo “name”: es obligatorio" in report
        assert "is required" not in report and "row 2" not in report
        assert axe_rules_on_page(page, ["listitem", "list", "heading-order"]) == []
    finally:
        context.close()


def test_the_hub_administrator_asks_then_marks_a_duplicated_family_reviewed(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    family = make_family(network)
    _coordinate(family, network.frc, network.food_bank)
    reference = str(family.household.pk)[:8]
    page = phone
    sign_in(page, live_server, network.admin)
    page.goto(f"{live_server.url}/families/duplication/")
    page.get_by_text("Not asked yet").wait_for()

    page.get_by_role("button", name="Ask the organizations to agree who leads").click()
    page.get_by_text(f"Reference {reference}: 1 coordinator was asked to agree who leads.").wait_for()
    page.get_by_text("Nobody to notify at Valley Food Bank: add a coordinator there.").wait_for()
    page.get_by_text("Asked to agree:").wait_for()

    page.get_by_label("Note").fill("The FRC leads; the food bank agreed by phone.")
    page.get_by_role("button", name="Mark as reviewed").click()
    page.get_by_text("1 reviewed family is hidden until its organizations change.").wait_for()
    assert page.get_by_role("heading", name=f"Reference {reference}").count() == 0
