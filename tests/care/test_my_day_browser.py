"""A coordinator on a 390 px phone opens "my day", follows the contact due to the encounter form,
records a home visit with the child, and the day is clear: nothing overflows the screen."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ecwhub.care.models import CareTask, Contact
from ecwhub.consent.models import RelationshipKind
from ecwhub.consent.services import relationship_start
from tests.browser.conftest import sign_in
from tests.conftest import Network
from tests.consent.conftest import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_logs_a_home_visit_from_my_day_on_her_phone(live_server, browser, network: Network) -> None:  # type: ignore[no-untyped-def]
    family = make_family(network)
    relationship_start(
        acting_user=None, household=family.household, kind=RelationshipKind.DESIGNATED_COORDINATOR, user=network.alice
    )
    CareTask.objects.create(
        household=family.household,
        owner=network.alice,
        kind="contact_due",
        due=timezone.localdate(),
        created_from="contact_frequency",
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, network.alice)
    page.get_by_role("link", name="My day", exact=True).first.click()
    today = page.locator("section.my-day-today")
    assert "María García López" in today.inner_text()
    assert "Call or visit: the family's contact is due" in today.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    today.get_by_role("link", name="Open").click()
    page.get_by_label("How").select_option("home_visit")
    page.get_by_label("What came of it").select_option("reached")
    page.get_by_label("Minutes").fill("50")
    page.get_by_label("María García López (Parent or caregiver)").check()
    page.get_by_label("Sofía García (Child)").check()
    page.get_by_label("Child development").check()
    page.get_by_label("Funding source").select_option("medi_cal_plan")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Save the encounter").click()
    page.get_by_text("Encounter recorded: Home visit — Reached the family.").wait_for()

    contact = Contact.objects.get(household=family.household)
    assert (contact.method, contact.minutes, contact.dyadic, contact.funding) == (
        "home_visit",
        50,
        True,
        "medi_cal_plan",
    )
    page.goto(f"{live_server.url}/care/my-day/")
    assert "Nothing is due today." in page.locator("section.my-day-today").inner_text()
    context.close()
