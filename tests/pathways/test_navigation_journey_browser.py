"""Care navigation as a coordinator lives it, on a 390 px phone: she opens "my day", logs a home
visit with the mother and the child (linked to the family's goal and its food security pathway),
records the goal's progress she went over with the mother, and confirms the pathway's outcome and
sends the closure; the supervisor, at a desk, approves it, and the pathway counts. Every page
visited is checked by axe when its browser context closes (tests/browser/conftest.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ecwhub.care.coordinators import coordinator_assign
from ecwhub.care.models import CareTask, Contact
from ecwhub.careplans.models import Goal, GoalEncounter, GoalProgress
from ecwhub.careplans.services import goal_create
from ecwhub.pathways.models import Pathway, PathwayEncounter
from ecwhub.pathways.selectors import pathway_counts
from ecwhub.pathways.services import pathway_step_complete, pathway_step_link_referral
from ecwhub.pathways.workflow import Status
from ecwhub.referrals.services import ReferralInput, referral_create, referral_transition
from tests.browser.conftest import sign_in
from tests.referrals.conftest import member

from .conftest import Team, opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
GOAL = "Que los niños coman bien toda la semana"
PROGRESS = "Con la mamá: ya recibe WIC; la despensa los martes mientras llega CalFresh."


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def _family_in_care(team: Team) -> Pathway:
    """Alice is the family's designated coordinator; the family set a goal; its food security
    pathway has its eligibility step done and its referral step completed with the referral to the
    food bank; the outcome is to confirm today; the family's contact is due today."""
    world, alice = team.world, team.alice
    household = world.family.household
    coordinator_assign(acting_user=alice, membership=member(alice), household=household, coordinator=alice)
    goal_create(
        acting_user=alice,
        membership=member(alice),
        household=household,
        text=GOAL,
        language="es",
        need_ids=[str(world.food_need.pk)],
    )
    pathway = opened(team)
    steps = {s.kind: s for s in pathway.steps.order_by("order")}
    first = pathway.steps.order_by("order").first()
    assert first is not None
    pathway_step_complete(acting_user=alice, membership=member(alice), pathway_id=pathway.pk, step_id=first.pk)
    referral, _ = referral_create(
        acting_user=alice,
        membership=member(alice),
        data=ReferralInput(household_id=household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]),
        send=True,
    )
    pathway_step_link_referral(
        acting_user=alice,
        membership=member(alice),
        pathway_id=pathway.pk,
        step_id=steps["referral"].pk,
        referral_id=referral.pk,
    )
    bob = team.network.bob
    referral = referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="accept", version=referral.version
    )
    referral_transition(
        acting_user=bob,
        membership=member(bob),
        referral_id=referral.pk,
        action="complete",
        version=referral.version,
        need_result="resolved",
        service_delivered="WIC enrollment appointment",
    )
    type(steps["confirmation"]).objects.filter(pk=steps["confirmation"].pk).update(due_on=timezone.localdate())
    CareTask.objects.create(
        household=household, owner=alice, kind="contact_due", due=timezone.localdate(), created_from="contact_frequency"
    )
    return pathway


def test_a_coordinator_works_her_day_on_a_phone_and_the_supervisor_approves_the_closure(  # type: ignore[no-untyped-def]
    live_server, browser, team: Team
) -> None:
    pathway = _family_in_care(team)
    household = team.world.family.household
    assert pathway.steps.get(kind="referral").done

    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, team.alice)

    # My day: the contact due and the pathway step due today, with the family's name.
    page.get_by_role("link", name="My day", exact=True).first.click()
    today = page.locator("section.my-day-today")
    today.wait_for()
    text = today.inner_text()
    assert "María García López" in text
    assert "Call or visit: the family's contact is due" in text
    assert "Pathway step due today: Confirm enrollment in WIC or CalFresh (Food security)" in text
    _fits(page)

    # The home visit, with the mother and the child, on the goal and the pathway.
    today.locator("li", has_text="Call or visit").get_by_role("link", name="Open").click()
    page.get_by_label("How").select_option("home_visit")
    page.get_by_label("What came of it").select_option("reached")
    page.get_by_label("Minutes").fill("45")
    page.get_by_label("María García López (Parent or caregiver)").check()
    page.get_by_label("Sofía García (Child)").check()
    page.get_by_label("Basic needs").check()
    page.get_by_label("Funding source").select_option("medi_cal_plan")
    page.get_by_label(GOAL).check()
    page.get_by_label("Food security").check()
    _fits(page)
    page.get_by_role("button", name="Save the encounter").click()
    page.get_by_text("Encounter recorded: Home visit — Reached the family.").wait_for()
    visit = Contact.objects.get(household=household)
    assert (visit.method, visit.minutes, visit.dyadic, visit.funding) == ("home_visit", 45, True, "medi_cal_plan")
    goal_row = Goal.objects.get(household=household)
    assert goal_row.text == GOAL
    assert GoalEncounter.objects.filter(contact=visit, goal=goal_row).exists()
    assert PathwayEncounter.objects.filter(contact=visit, pathway=pathway).exists()

    # The goal's progress, as the mother told it during the visit.
    page.goto(f"{live_server.url}/families/{household.pk}/plan/")
    goal = page.locator("article", has=page.get_by_role("heading", name=GOAL))
    goal.get_by_text("Record progress").click()
    goal.get_by_label("What happened").fill(
        "Con la mamá: ya recibe WIC; la despensa los martes mientras llega CalFresh."
    )
    _fits(page)
    goal.get_by_role("button", name="Save the progress").click()
    page.get_by_text("The goal's progress is recorded.").wait_for()
    notes = [p.note for p in GoalProgress.objects.filter(goal=goal_row, by_family=False)]
    assert notes == [PROGRESS]

    # The pathway: the outcome confirmed, the closure sent for review.
    page.goto(f"{live_server.url}/pathways/{pathway.pk}/")
    page.get_by_label("The outcome holds since").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Confirm the outcome").click()
    page.get_by_text("Step done.").wait_for()
    page.get_by_label("Complete: the outcome is confirmed").check()
    _fits(page)
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("The closure was sent to a supervisor for review.").wait_for()
    page.goto(f"{live_server.url}/care/my-day/")
    assert "Nothing is due today." in page.locator("section.my-day-today").inner_text()
    context.close()

    # The supervisor approves at her desk; the pathway then counts as complete for Alice.
    context = browser.new_context(viewport=DESK, locale="en-US")
    page = context.new_page()
    sign_in(page, live_server, team.sam)
    page.get_by_text("1 closure waits for your review.").wait_for()
    page.get_by_role("link", name="Review the closures").click()
    page.get_by_role("link", name="Food security").click()
    page.get_by_label("Approve the closure").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Closure approved.").wait_for()
    context.close()

    pathway.refresh_from_db()
    assert (pathway.status, pathway.reviewed_by) == (Status.COMPLETE, team.sam)
    team.world.food_need.refresh_from_db()
    assert team.world.food_need.status == "addressed"
    goal_row.refresh_from_db()
    assert goal_row.status == "active"
    today = timezone.localdate()
    counts = pathway_counts(start=today, end=today, by="coordinator")
    assert [(row.key, row.completed, row.awaiting_review) for row in counts] == [(str(team.alice.pk), 1, 0)]
