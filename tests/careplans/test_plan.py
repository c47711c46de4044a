"""The family-set care plan: goals in the family's words and language (due in 13 weeks unless the
family chooses), linked needs, progress with status changes kept as events, barriers counted by
reason for a period, and the goals an encounter worked on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.care.encounter_links import encounter_link_kinds
from ecwhub.care.models import Contact
from ecwhub.careplans.models import Barrier, BarrierReason, Goal, GoalEncounter, GoalProgress, GoalStatus
from ecwhub.careplans.selectors import barrier_counts, goal_choices, goals_of_encounter
from ecwhub.careplans.services import barrier_record, barrier_resolve, goal_create, goal_progress_add
from ecwhub.consent.models import AuditEntry
from ecwhub.core.needs import Need
from tests.careplans.conftest import Team, member, need
from tests.conftest import signed_in
from tests.consent.conftest import make_family

pytestmark = pytest.mark.django_db

IN_SPANISH = "Que Sofía vaya a la guardería tres días por semana"


def _goal(team: Team, **kwargs: object) -> Goal:
    alice = team.network.alice
    values: dict[str, object] = {"text": IN_SPANISH, "language": "es", **kwargs}
    return goal_create(acting_user=alice, membership=member(alice), household=team.family.household, **values)  # type: ignore[arg-type]


def test_a_goal_is_due_13_weeks_from_today_unless_the_family_chooses(team: Team) -> None:
    goal = _goal(team)
    assert goal.target_date == timezone.localdate() + timedelta(weeks=13)
    assert (goal.target_date - timezone.localdate()).days == 91
    chosen = timezone.localdate() + timedelta(days=30)
    assert _goal(team, target_date=chosen).target_date == chosen


def test_the_goal_form_keeps_the_familys_words_and_language_and_the_default_date(team: Team) -> None:
    food = need(team.family)
    client = signed_in(Client(), team.network.alice)
    page = client.get(f"/families/{team.family.household.pk}/plan/").content.decode()
    assert (timezone.localdate() + timedelta(weeks=13)).isoformat() in page
    response = client.post(
        f"/families/{team.family.household.pk}/plan/goals/",
        {"text": IN_SPANISH, "language": "es", "target_date": "", "needs": [str(food.pk)]},
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.text == IN_SPANISH and goal.language == "es"
    assert goal.target_date == timezone.localdate() + timedelta(weeks=13)
    assert list(goal.needs.all()) == [food]
    assert AuditEntry.objects.filter(
        household_id=team.family.household.pk, detail__startswith=f"goal {goal.pk}"
    ).exists()
    shown = client.get(f"/families/{team.family.household.pk}/plan/").content.decode()
    assert f'lang="es">{IN_SPANISH}' in shown


def test_progress_changes_the_status_and_keeps_every_step(team: Team) -> None:
    goal = _goal(team)
    alice = team.network.alice
    goal_progress_add(acting_user=alice, membership=member(alice), goal_id=goal.pk, note="Visited two centers.")
    goal_progress_add(
        acting_user=alice, membership=member(alice), goal_id=goal.pk, note="Enrolled.", status=GoalStatus.MET
    )
    goal.refresh_from_db()
    assert goal.status == GoalStatus.MET
    steps = list(GoalProgress.objects.filter(goal=goal).order_by("at", "id"))
    assert [(s.note, s.status, s.by_family, s.organization_id) for s in steps] == [
        ("Visited two centers.", "", False, team.network.frc.pk),
        ("Enrolled.", GoalStatus.MET, False, team.network.frc.pk),
    ]


def test_barriers_are_counted_by_reason_for_the_period_exactly(team: Team, network: object) -> None:
    goal = _goal(team)
    food = need(team.family)
    alice = team.network.alice
    now = timezone.now()

    def record(reason: str, days_ago: int, **links: object) -> Barrier:
        barrier = barrier_record(
            acting_user=alice,
            membership=member(alice),
            household=team.family.household,
            reason=reason,
            **links,  # type: ignore[arg-type]
        )
        Barrier.objects.filter(pk=barrier.pk).update(recorded_at=now - timedelta(days=days_ago))
        return barrier

    record(BarrierReason.TRANSPORTATION, 1, goal_id=goal.pk)
    record(BarrierReason.TRANSPORTATION, 3, need_id=food.pk)
    resolved = record(BarrierReason.WAITLIST, 5, goal_id=goal.pk)
    barrier_resolve(acting_user=alice, membership=member(alice), barrier_id=resolved.pk)
    record(BarrierReason.IMMIGRATION_FEARS, 2, text="Afraid of the clinic's forms.", goal_id=goal.pk)
    record(BarrierReason.COST, 40, goal_id=goal.pk)  # before the period
    counts = barrier_counts(start=now - timedelta(days=30), end=now)
    assert counts == {
        "transportation": 2,
        "language": 0,
        "documents": 0,
        "cost": 0,
        "hours": 0,
        "child_care": 0,
        "eligibility": 0,
        "waitlist": 1,
        "immigration_fears": 1,
        "other": 0,
    }
    assert barrier_counts(start=now - timedelta(days=60), end=now - timedelta(days=30))["cost"] == 1
    # Only the families asked about.
    other = make_family(team.network)  # type: ignore[arg-type]
    from ecwhub.families.models import Household

    assert (
        sum(
            barrier_counts(
                start=now - timedelta(days=30), end=now, households=Household.objects.filter(pk=other.household.pk)
            ).values()
        )
        == 0
    )


def test_an_encounter_links_to_the_familys_goals_only(team: Team, network: object) -> None:
    goal = _goal(team)
    alice = team.network.alice
    kind = next(k for k in encounter_link_kinds() if k.key == "goals")
    assert kind.label() == "Goals worked on"
    choices = kind.choices(team.family.household, alice, member(alice))
    assert choices == [(str(goal.pk), IN_SPANISH)]
    assert goal_choices(team.family.household, team.dora, member(team.dora)) == []  # no relationship
    contact = Contact.objects.create(
        household=team.family.household, method="phone", by=alice, organization=team.network.frc
    )
    other = make_family(team.network)  # type: ignore[arg-type]
    foreign = goal_create(
        acting_user=alice, membership=member(alice), household=other.household, text="Another goal", language="en"
    )
    with pytest.raises(ValueError, match=str(foreign.pk)):
        kind.save(contact, [str(goal.pk), str(foreign.pk)], alice)
    assert not GoalEncounter.objects.exists()
    kind.save(contact, [str(goal.pk)], alice)
    assert list(GoalEncounter.objects.values_list("goal_id", "contact_id")) == [(goal.pk, contact.pk)]
    assert kind.shown(contact) == goals_of_encounter(contact) and len(kind.shown(contact)) == 1
    assert IN_SPANISH not in kind.shown(contact)[0]


def test_the_family_page_shows_the_team_and_active_goals(team: Team) -> None:
    _goal(team)
    page = signed_in(Client(), team.network.alice).get(f"/families/{team.family.household.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Care team and plan" in body and IN_SPANISH in body
    assert f"/families/{team.family.household.pk}/plan/" in body


def test_food_need_is_offered_to_the_goal(team: Team) -> None:
    food = need(team.family, Need.FOOD_INSECURITY)
    page = signed_in(Client(), team.network.alice).get(f"/families/{team.family.household.pk}/plan/")
    assert f'value="{food.pk}"' in page.content.decode()


def test_the_family_export_holds_the_plan(team: Team) -> None:
    goal = _goal(team)
    team.family.mother.account = team.network.carla
    team.family.mother.save(update_fields=["account"])
    alice = team.network.alice
    goal_progress_add(acting_user=alice, membership=member(alice), goal_id=goal.pk, note="Visited two centers.")
    client = signed_in(Client(), team.network.carla)
    data = client.get("/my-family/export.json").json()
    assert data["goals"][0]["text"] == IN_SPANISH and data["goals"][0]["language"] == "es"
    assert data["goals"][0]["progress"][0]["note"] == "Visited two centers."
    readable = client.get("/my-family/export.html").content.decode()
    assert IN_SPANISH in readable and "Visited two centers." in readable
