"""A coordinator works her worklist on a phone: families ranked with their reasons, a contact
recorded from the card moves the family down, nothing overflows the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ecwhub.care.models import CareEvent, Contact
from ecwhub.care.services import household_tier_recompute
from tests.browser.conftest import sign_in
from tests.care.conftest import consent_to_behavioral_health, days_ago, screened
from tests.conftest import Network
from tests.consent.conftest import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_works_the_worklist_on_her_phone(live_server, browser, network: Network) -> None:  # type: ignore[no-untyped-def]
    calm, depressed = make_family(network), make_family(network)
    for family in (calm, depressed):
        CareEvent.objects.create(
            person=family.child,
            household=family.household,
            kind="well_child_visit",
            date=timezone.localdate() - timedelta(days=20),
        )
    screened(depressed, network, totals={"epds-total": 16}, at=days_ago(2))
    consent_to_behavioral_health(network, depressed)
    household_tier_recompute([calm.household.pk, depressed.household.pk])

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, network.alice)
    assert "EPDS 16" in page.locator("#worklist-title").locator("..").inner_text()

    page.get_by_role("link", name="The whole worklist").click()
    cards = page.locator("ol.cards > li")
    assert cards.count() == 2
    assert "Tier 3 because: EPDS 16" in cards.nth(0).inner_text()
    assert "Tier 1" in cards.nth(1).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Tier").select_option("3")
    page.get_by_role("button", name="Filter").click()
    cards = page.locator("ol.cards > li")
    assert cards.count() == 1
    cards.nth(0).get_by_label("Contacted the family by").select_option("phone")
    cards.nth(0).get_by_label("What came of it").select_option("left_message")
    cards.nth(0).get_by_role("button", name="Record the contact").click()
    page.get_by_text("Contact recorded: Phone call — Not reached: left a message.").wait_for()
    # Back on the worklist with the same filter.
    assert "tier=3" in page.url and page.get_by_label("Tier").input_value() == "3"
    assert Contact.objects.filter(household=depressed.household, method="phone", outcome="left_message").exists()

    page.get_by_label("Tier").select_option("1")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("ol.cards > li").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
