"""The caregiver reads the family's plan and comments on a goal on a 390 px phone; axe checks
every page visited (serious and critical violations fail the test)."""

from __future__ import annotations

import pytest

from ecwhub.careplans.models import GoalProgress
from ecwhub.careplans.services import goal_create
from tests.browser.conftest import sign_in
from tests.careplans.conftest import make_team, member
from tests.conftest import Network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL = "Que Sofía vaya a la guardería tres días por semana"


def test_the_caregiver_comments_on_a_goal_on_a_phone(live_server, browser, network: Network) -> None:  # type: ignore[no-untyped-def]
    team = make_team(network)
    team.family.mother.account = network.carla
    team.family.mother.save(update_fields=["account"])
    goal = goal_create(
        acting_user=network.alice,
        membership=member(network.alice),
        household=team.family.household,
        text=GOAL,
        language="es",
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    try:
        sign_in(page, live_server, network.carla)
        page.goto(f"{live_server.url}/my-family/")
        page.get_by_role("link", name="Your family's plan: goals and your care team").click()
        page.get_by_role("heading", name=GOAL).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # An empty comment is refused on its field, and nothing is kept.
        page.get_by_role("button", name="Send my comment").click()
        page.get_by_role("alert").first.wait_for()
        assert not GoalProgress.objects.exists()

        page.get_by_label("Your comment").fill("Ya llenamos la solicitud.")
        page.get_by_role("button", name="Send my comment").click()
        page.get_by_text("your comment is on your plan").wait_for()
        assert "Ya llenamos la solicitud." in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
    comment = GoalProgress.objects.get(goal=goal)
    assert comment.by_family and comment.person == team.family.mother
