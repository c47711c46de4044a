"""The family sees its plan from its own pages and comments on a goal; the comment waits on the
coordinator's day until a staff update answers it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.care.agenda import Section, day_items
from ecwhub.careplans.models import Goal, GoalProgress
from ecwhub.careplans.services import PlanError, family_comment_add, goal_create, goal_progress_add
from ecwhub.consent.models import AuditEntry
from tests.careplans.conftest import Team, member
from tests.conftest import signed_in
from tests.consent.conftest import make_family

pytestmark = pytest.mark.django_db

GOAL = "Que Sofía vaya a la guardería tres días por semana"
COMMENT = "Ya llenamos la solicitud, falta la carta del trabajo."


@pytest.fixture
def goal(team: Team) -> Goal:
    team.family.mother.account = team.network.carla
    team.family.mother.save(update_fields=["account"])
    alice = team.network.alice
    return goal_create(
        acting_user=alice, membership=member(alice), household=team.family.household, text=GOAL, language="es"
    )


def _waiting(team: Team) -> list[str]:
    alice = team.network.alice
    items = day_items(alice, member(alice), timezone.localdate())[Section.WAITING]
    return [str(i.household_id) for i in items if i.key == "plan_comment"]


def test_the_caregiver_reads_the_plan_and_comments_from_their_page(team: Team, goal: Goal) -> None:
    client = signed_in(Client(), team.network.carla)
    home = client.get("/my-family/").content.decode()
    assert "/my-family/plan/" in home
    page = client.get("/my-family/plan/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'lang="es">{GOAL}' in body
    assert 'name="viewport"' in body  # the page is laid out for a phone (390 px) like every page
    assert AuditEntry.objects.filter(actor_id=team.network.carla.pk, detail="own care plan").exists()

    sent = client.post(f"/my-family/plan/goals/{goal.pk}/comment/", {"note": COMMENT})
    assert sent.status_code == 302
    comment = GoalProgress.objects.get(goal=goal)
    assert (comment.note, comment.by_family, comment.person, comment.by, comment.organization) == (
        COMMENT,
        True,
        team.family.mother,
        team.network.carla,
        None,
    )
    assert COMMENT in client.get("/my-family/plan/").content.decode()


def test_the_plan_page_speaks_the_familys_language(team: Team, goal: Goal) -> None:
    client = signed_in(Client(), team.network.carla)
    client.cookies["django_language"] = "es"
    body = client.get("/my-family/plan/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in body
    assert GOAL in body


def test_a_family_comment_waits_on_the_coordinators_day_until_staff_answer(team: Team, goal: Goal) -> None:
    carla, alice = team.network.carla, team.network.alice
    assert _waiting(team) == []
    family_comment_add(acting_user=carla, membership=member(carla), goal_id=goal.pk, note=COMMENT)
    items = day_items(alice, member(alice), timezone.localdate())[Section.WAITING]
    mine = [i for i in items if i.key == "plan_comment"]
    assert [str(i.household_id) for i in mine] == [str(team.family.household.pk)]
    assert mine[0].label == "The family commented on their plan"
    assert mine[0].url == f"/families/{team.family.household.pk}/plan/"
    # Another coordinator, not on this family's team, has nothing waiting.
    assert day_items(team.lena, member(team.lena), timezone.localdate())[Section.WAITING] == []
    goal_progress_add(acting_user=alice, membership=member(alice), goal_id=goal.pk, note="Le ayudo con la carta.")
    assert _waiting(team) == []


def test_a_family_cannot_comment_on_another_familys_goal(team: Team, goal: Goal) -> None:
    other = make_family(team.network)
    alice = team.network.alice
    foreign = goal_create(
        acting_user=alice, membership=member(alice), household=other.household, text="Other", language="en"
    )
    client = signed_in(Client(), team.network.carla)
    assert client.post(f"/my-family/plan/goals/{foreign.pk}/comment/", {"note": COMMENT}).status_code == 404
    assert not GoalProgress.objects.exists()


def test_an_empty_comment_is_refused_on_its_field(team: Team, goal: Goal) -> None:
    client = signed_in(Client(), team.network.carla)
    response = client.post(f"/my-family/plan/goals/{goal.pk}/comment/", {"note": "   "})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and f'id="comment-{goal.pk}-note_errors"' in body
    assert not GoalProgress.objects.exists()


def test_a_child_of_the_family_does_not_comment(team: Team, goal: Goal) -> None:
    from ecwhub.accounts.models import Role, User
    from ecwhub.accounts.services import membership_add

    kid = User.objects.create_user("teen@example.org", "x")
    membership_add(acting_user=None, user=kid, organization=team.network.hub, role=Role.FAMILY_MEMBER)
    team.family.child.account = kid
    team.family.child.save(update_fields=["account"])
    with pytest.raises(PlanError) as refused:
        family_comment_add(acting_user=kid, membership=Membership.objects.get(user=kid), goal_id=goal.pk, note=COMMENT)
    assert refused.value.field == "note"
    assert not GoalProgress.objects.exists()
