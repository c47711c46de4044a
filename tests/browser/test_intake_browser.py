"""A coordinator takes an intake on a phone for a family the hub already knows under another
spelling, sees the match with its reasons, and links the intake to it instead of creating a family."""

from __future__ import annotations

import pytest

from ecwhub.families.models import Household, IntakeRecord, Person
from tests.browser.conftest import sign_in
from tests.conftest import Network
from tests.consent.conftest import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_links_an_intake_to_the_family_known_under_a_misspelled_name(  # type: ignore[no-untyped-def]
    live_server, phone, network: Network
) -> None:
    family = make_family(network)  # María García López and Sofía, registered by Casa Familia
    page = phone
    sign_in(page, live_server, network.alice)

    page.goto(f"{live_server.url}/families/")
    page.get_by_role("navigation", name="Intake and review").get_by_role("link", name="New intake").click()
    page.get_by_role("button", name="Start a new intake").click()
    page.get_by_role("heading", name="Intake: who and how to reach").wait_for()

    # Step 1, first with a malformed phone: a field error, nothing created.
    page.locator("#id_cg-given_name").fill("Maria")
    page.locator("#id_cg-family_name").fill("Garsia")
    page.locator("#id_cg-date_of_birth").fill("1992-04-03")
    page.locator("#id_child-0-given_name").fill("Sofia")
    page.locator("#id_child-0-family_name").fill("Garsia")
    page.locator("#id_child-0-date_of_birth").fill("2023-01-15")
    page.locator("#id_cg-phone").fill("555-0177")
    page.locator("#id_cg-postal_code").fill("91801")
    page.locator("#id_cg-place").select_option("home_visit")
    page.locator("#id_cg-consent_given").check()
    page.get_by_role("button", name="Next: details").click()
    assert page.get_by_text("Enter a 10-digit US phone number").is_visible()
    assert Household.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator("#id_cg-phone").fill("626-555-0177")
    page.get_by_role("button", name="Next: details").click()
    page.get_by_role("heading", name="Intake: details").wait_for()
    page.locator("#id_d-school_or_child_care").fill("Alhambra Head Start")
    page.get_by_role("button", name="Next: look for the family in the network").click()

    # The match, ranked, with its probability and the reasons.
    page.get_by_role("heading", name="Is the family known to the network?").wait_for()
    candidate = page.locator("li.candidate").first
    assert "likely the same family" in candidate.inner_text()
    assert "María García López" in candidate.inner_text()
    assert candidate.locator("ul.reasons li").count() >= 1
    assert page.get_by_label("None of these: create a new family").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Link or create").click()

    page.get_by_text("The intake was added to the family the hub already knew.").wait_for()
    assert page.get_by_role("heading", name="María García López", level=1).is_visible()
    assert page.get_by_text("Alhambra Head Start").is_visible()
    assert Household.objects.count() == 1
    assert Person.objects.get(pk=family.mother.pk).phone == "626-555-0177"
    assert IntakeRecord.objects.get().outcome == "linked"
