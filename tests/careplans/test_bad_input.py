"""Bad input is refused field by field, in words, and writes nothing; a family the user may not
see is not found, whatever the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.careplans.models import Barrier, CareTeamMember, Goal, GoalNeed, GoalProgress, TeamNote
from ecwhub.careplans.services import goal_create
from ecwhub.consent.models import Relationship, RelationshipKind
from tests.careplans.conftest import Team, member, need
from tests.conftest import Network, signed_in
from tests.consent.conftest import make_family

pytestmark = pytest.mark.django_db


def _nothing_written() -> None:
    assert not Goal.objects.exists()
    assert not GoalNeed.objects.exists()
    assert not GoalProgress.objects.exists()
    assert not Barrier.objects.exists()
    assert not TeamNote.objects.exists()
    assert not CareTeamMember.objects.exists()
    assert not Relationship.objects.filter(kind=RelationshipKind.CARE_TEAM).exists()


def _errors(response: object, prefix: str, *fields: str) -> str:
    assert response.status_code == 400  # type: ignore[attr-defined]
    body = response.content.decode()  # type: ignore[attr-defined]
    assert 'role="alert"' in body
    for name in fields:
        assert f'id="{prefix}-{name}_errors"' in body, name
    return body


@pytest.fixture
def client(team: Team) -> Client:
    return signed_in(Client(), team.network.alice)


def test_a_goal_needs_words_a_language_and_a_date_not_in_the_past(team: Team, client: Client) -> None:
    url = f"/families/{team.family.household.pk}/plan/goals/"
    _errors(client.post(url, {"text": "", "language": "xx"}), "goal", "text", "language")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = _errors(
        client.post(url, {"text": "Find a pediatrician", "language": "en", "target_date": yesterday}),
        "goal",
        "target_date",
    )
    assert "cannot be in the past" in body
    _errors(
        client.post(url, {"text": "Find a pediatrician", "language": "en", "target_date": "31/31/2026"}),
        "goal",
        "target_date",
    )
    _errors(client.post(url, {"text": "x" * 1001, "language": "en"}), "goal", "text")
    _nothing_written()


def test_a_goal_links_only_the_familys_needs_and_is_written_whole_or_not_at_all(team: Team, client: Client) -> None:
    ours = need(team.family)
    other = make_family(team.network)
    theirs = need(other)
    url = f"/families/{team.family.household.pk}/plan/goals/"
    _errors(
        client.post(url, {"text": "Food every week", "language": "en", "needs": [str(ours.pk), str(theirs.pk)]}),
        "goal",
        "needs",
    )
    alice = team.network.alice
    from ecwhub.careplans.services import PlanError

    with pytest.raises(PlanError) as refused:
        goal_create(
            acting_user=alice,
            membership=member(alice),
            household=team.family.household,
            text="Food every week",
            language="en",
            need_ids=[str(ours.pk), str(theirs.pk)],
        )
    assert refused.value.field == "needs"
    _nothing_written()


def test_progress_barriers_notes_and_team_refuse_bad_fields(team: Team, client: Client) -> None:
    alice = team.network.alice
    goal = goal_create(
        acting_user=alice, membership=member(alice), household=team.family.household, text="Get WIC", language="en"
    )
    base = f"/families/{team.family.household.pk}/plan/"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    _errors(
        client.post(f"{base}goals/{goal.pk}/progress/", {"note": "", "status": "finished"}),
        f"progress-{goal.pk}",
        "note",
        "status",
    )
    body = _errors(
        client.post(f"{base}goals/{goal.pk}/progress/", {"note": "Called WIC", "on": tomorrow}),
        f"progress-{goal.pk}",
        "on",
    )
    assert "cannot be in the future" in body
    _errors(client.post(f"{base}barriers/", {"reason": "weather"}), "barrier", "reason")
    body = _errors(client.post(f"{base}barriers/", {"reason": "cost"}), "barrier", "goal")
    assert "Choose the goal or the need" in body
    _errors(client.post(f"{base}barriers/", {"reason": "other", "goal": str(goal.pk)}), "barrier", "text")
    _errors(client.post(f"{base}notes/", {"category": "gossip", "text": ""}), "note", "category", "text")
    _errors(client.post(f"{base}team/", {"role": "youth", "person": str(team.family.child.pk)}), "team", "person")
    _errors(client.post(f"{base}team/", {"role": "clinician", "email": "nobody@example.org"}), "team", "email")
    _errors(client.post(f"{base}team/", {"role": "clinician", "email": "dora@example.org"}), "team", "organization")
    body = _errors(
        client.post(
            f"{base}team/", {"role": "clinician", "email": "dora@example.org", "organization": team.legal_aid.pk}
        ),
        "team",
        "email",
    )
    assert "does not work as active staff at Legal Aid Valley" in body
    assert Goal.objects.count() == 1
    assert not GoalProgress.objects.exists() and not Barrier.objects.exists() and not TeamNote.objects.exists()
    assert not CareTeamMember.objects.exists()
    assert not Relationship.objects.filter(kind=RelationshipKind.CARE_TEAM).exists()


def test_a_family_the_user_may_not_see_is_not_found(team: Team, network: Network) -> None:
    alice = team.network.alice
    goal = goal_create(
        acting_user=alice, membership=member(alice), household=team.family.household, text="Get WIC", language="en"
    )
    base = f"/families/{team.family.household.pk}/plan/"
    # Dora's clinic is party to the agreement but does not work with the family; Bob is provider
    # staff elsewhere; Carla is a family member of another family.
    for user in (team.dora, network.bob, network.carla):
        client = signed_in(Client(), user)
        assert client.get(base).status_code == 404, user
        assert client.post(f"{base}goals/", {"text": "Mine now", "language": "en"}).status_code == 404
        assert client.post(f"{base}goals/{goal.pk}/progress/", {"note": "Done"}).status_code == 404
        assert client.post(f"{base}barriers/", {"reason": "cost", "goal": str(goal.pk)}).status_code == 404
        assert client.post(f"{base}notes/", {"category": "case_notes", "text": "Hello"}).status_code == 404
    assert client.get("/families/00000000-0000-0000-0000-000000000000/plan/").status_code == 404
    # A goal of another family through this family's address is not found either.
    other = make_family(network)
    foreign = goal_create(
        acting_user=alice, membership=member(alice), household=other.household, text="Theirs", language="en"
    )
    alices = signed_in(Client(), alice)
    assert alices.post(f"{base}goals/{foreign.pk}/progress/", {"note": "Done"}).status_code == 404
    assert not GoalProgress.objects.exists() and Goal.objects.count() == 2


def test_reloading_a_form_address_goes_back_to_its_page(team: Team, client: Client) -> None:
    base = f"/families/{team.family.household.pk}/plan/"
    response = client.get(f"{base}goals/")
    assert response.status_code == 302 and response["Location"] == base
    assert client.put(f"{base}goals/").status_code == 405
    assert not Goal.objects.exists()
