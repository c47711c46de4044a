"""A mother answers the AHC HRSN social-needs screen in Spanish on her phone; her coordinator then
sees the needs it found, and the family's tier."""

from __future__ import annotations

import pytest

from ecwhub.screening.models import IdentifiedNeed, ScreeningAnswer, ScreeningResponse
from ecwhub.screening.scoring import load_instrument
from tests.browser.conftest import sign_in
from tests.conftest import Network
from tests.screening.conftest import make_screen_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What she answers (option codes); "declined" is "prefer not to answer".
ANSWERS = [
    ("/71802-3", ["LA31994-9"]),  # a place to live, worried about losing it
    ("/96778-6", ["LA28580-1", "LA32001-2"]),  # mold, water leaks
    ("/88122-7", ["LA6729-3"]),  # sometimes worried food would run out
    ("/88123-5", ["LA28398-8"]),
    ("/93030-5", ["LA32-8"]),
    ("/96779-4", ["declined"]),
    ("/95618-5", ["LA6270-8"]),
    ("/95617-7", ["LA6270-8"]),
    ("/95616-9", ["LA6270-8"]),
    ("/95615-1", ["LA6270-8"]),
]


def test_a_caregiver_completes_the_social_needs_screen_in_spanish_on_her_phone(  # type: ignore[no-untyped-def]
    live_server, browser, network: Network
) -> None:
    family = make_screen_family(network, link_carla=True)
    network.carla.preferred_language = "es"
    network.carla.save(update_fields=["preferred_language"])
    instrument = load_instrument("ahc-hrsn-core")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, network.carla, language="es")
    page.get_by_role("link", name="Mi familia").click()
    page.locator("a[href='/my-family/screenings/']").click()

    page.get_by_role("button", name=instrument.title.es).click()
    assert page.locator("html").get_attribute("lang") == "es"
    for link_id, codes in ANSWERS:
        item = instrument.item(link_id)
        question = page.locator("legend")
        question.get_by_text(item.text.es).wait_for()
        for code in codes:
            if code == "declined":
                page.locator("#opt-declined").check()
            else:
                option = item.option(code)
                assert option is not None
                page.get_by_label(option.display.es, exact=True).check()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("button[name=save]").click()

    # Check the answers, then finish.
    page.locator("button[name=finish]").wait_for()
    assert page.get_by_text(instrument.item("/71802-3").option("LA31994-9").display.es).is_visible()  # type: ignore[union-attr]
    page.locator("button[name=finish]").click()
    page.locator("[data-testid=result-needs]").wait_for()
    shown = page.locator("[data-testid=result-needs]").inner_text()
    for need in ("housing-instability", "inadequate-housing", "food-insecurity"):
        assert IdentifiedNeed.objects.filter(household=family.household, need=need).exists()
    assert len(page.locator("[data-testid=result-needs] li").all()) == 3, shown
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    response = ScreeningResponse.objects.get()
    assert (response.status, response.language, response.mode) == ("completed", "es", "self")
    assert ScreeningAnswer.objects.get(link_id="/96779-4").declined
    context.close()

    # The coordinator signs in and sees the new needs, with the answers behind them, and the tier.
    desk = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-US")
    page = desk.new_page()
    sign_in(page, live_server, network.alice)

    page.goto(f"{live_server.url}/families/{family.household.pk}/")
    page.locator(f"a[href='/families/{family.household.pk}/screenings/']").click()
    tier = page.locator("[data-testid=tier]")
    assert tier.inner_text().startswith("Tier ")
    page.get_by_role("link", name="See the results").click()
    assert page.get_by_role("heading", name="Housing instability").is_visible()
    page.goto(f"{live_server.url}/families/{family.household.pk}/needs/")
    needs = page.locator("[data-testid=needs] > li")
    assert {needs.nth(i).get_attribute("data-need") for i in range(needs.count())} == {
        "housing-instability",
        "inadequate-housing",
        "food-insecurity",
    }
    food = page.locator("[data-need=food-insecurity]")
    assert "Identified" in food.inner_text()
    food.locator("summary").click()
    assert "Sometimes true" in food.inner_text() or "A veces es cierto" in food.inner_text()
    desk.close()
