"""A coordinator gives a family its designated coordinator on a phone (390 px), from the ranked
suggestions with their reasons, then transfers it with a handoff note; the hub administrator reads
the coverage page. Nothing overflows the screen (axe checks every page visited)."""

from __future__ import annotations

import pytest

from ecwhub.accounts.models import Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.care.models import CoordinatorAssignment, CoordinatorProfile
from ecwhub.consent.models import Relationship, RelationshipKind
from tests.browser.conftest import sign_in
from tests.conftest import Network
from tests.consent.conftest import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def test_a_coordinator_assigns_and_transfers_on_her_phone(live_server, browser, network: Network) -> None:  # type: ignore[no-untyped-def]
    family = make_family(network)
    dora = User.objects.create_user("dora@example.org", "x", first_name="Dora", last_name="Díaz")
    membership_add(acting_user=None, user=dora, organization=network.frc, role=Role.COORDINATOR)
    CoordinatorProfile.objects.create(user=dora, languages=["es"], neighbourhoods=["91801"])

    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, network.alice)
    page.goto(f"{live_server.url}/families/{family.household.pk}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Designated care coordinator"))
    assert "no designated care coordinator yet" in section.inner_text()
    first = section.get_by_role("radio").first
    assert first.get_attribute("value") == str(dora.pk)
    assert "Speaks Spanish, the family's language." in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    section.get_by_role("button", name="Assign").click()
    page.get_by_text("Dora Díaz is now the family's designated coordinator.").wait_for()

    section = page.locator("section", has=page.get_by_role("heading", name="Designated care coordinator"))
    section.get_by_label("Handoff note").fill("Prefers calls in Spanish after 5 pm; WIC visit next week.")
    section.get_by_role("button", name="Transfer").click()
    page.get_by_text("The family was transferred to Alice Álvarez, with your handoff note.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    active = Relationship.objects.get(
        household=family.household, kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True
    )
    assert active.user_id == network.alice.pk
    assert list(CoordinatorAssignment.objects.order_by("id").values_list("kind", flat=True)) == ["assign", "transfer"]
    context.close()

    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, network.admin)
    page.get_by_role("link", name="Designated coordinators").click()
    page.get_by_role("heading", name="Families without a designated coordinator").wait_for()
    assert "Every active family has a designated coordinator." in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
