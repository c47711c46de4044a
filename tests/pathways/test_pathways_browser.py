"""On a phone (390 px): the coordinator completes a pathway's steps, confirms the outcome and
submits the closure; the supervisor finds it on their home page and approves it. Nothing
overflows the screen, and axe checks every page visited."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ecwhub.pathways.models import Pathway, PathwayDefinition
from ecwhub.pathways.services import pathway_open
from ecwhub.pathways.workflow import Status
from tests.browser.conftest import sign_in
from tests.referrals.conftest import member, need

from .conftest import Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def test_a_coordinator_completes_a_pathway_and_the_supervisor_approves_it(live_server, browser, team: Team) -> None:  # type: ignore[no-untyped-def]
    parenting = need(team.world.family, "parenting-support")
    pathway = pathway_open(
        acting_user=team.alice,
        membership=member(team.alice),
        need=parenting,
        definition=PathwayDefinition.objects.get(key="learning"),
    )

    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, team.alice)
    page.goto(f"{live_server.url}/families/{team.world.family.household.pk}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Pathways"))
    section.get_by_role("link", name="Learning").click()
    page.get_by_role("heading", name="Pathway: Learning").wait_for()
    for _ in range(2):
        page.get_by_role("button", name="Mark as done").first.click()
        page.get_by_text("Step done.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.get_by_label("The outcome holds since").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Confirm the outcome").click()
    page.get_by_text("Step done.").wait_for()
    page.get_by_label("Complete: the outcome is confirmed").check()
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("The closure was sent to a supervisor for review.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()

    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="en-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, team.sam)
    page.get_by_text("1 closure waits for your review.").wait_for()
    page.get_by_role("link", name="Review the closures").click()
    page.get_by_role("link", name="Learning").click()
    page.get_by_label("Approve the closure").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Closure approved.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()

    pathway = Pathway.objects.get(pk=pathway.pk)
    assert pathway.status == Status.COMPLETE and pathway.reviewed_by == team.sam
