"""A referral step completes with its referral, whichever comes first: the link or the completion."""

from __future__ import annotations

import pytest

from ecwhub.pathways.models import Pathway, PathwayStep
from ecwhub.pathways.services import pathway_step_complete, pathway_step_link_referral
from ecwhub.pathways.workflow import PathwayError
from ecwhub.referrals.models import Referral
from ecwhub.referrals.services import ReferralInput, referral_create, referral_transition
from tests.referrals.conftest import member

from .conftest import Team, opened

pytestmark = pytest.mark.django_db


def _sent(team: Team) -> Referral:
    world = team.world
    data = ReferralInput(
        household_id=world.family.household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]
    )
    referral, _ = referral_create(acting_user=team.alice, membership=member(team.alice), data=data, send=True)
    return referral


def _complete(team: Team, referral: Referral) -> None:
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


def _link(team: Team, pathway: Pathway, step: PathwayStep, referral: Referral) -> PathwayStep:
    return pathway_step_link_referral(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=pathway.pk,
        step_id=step.pk,
        referral_id=referral.pk,
    )


def test_linked_first_the_step_completes_when_the_referral_completes(team: Team) -> None:
    pathway = opened(team)
    step = pathway.steps.get(kind="referral")
    referral = _sent(team)
    step = _link(team, pathway, step, referral)
    assert not step.done
    _complete(team, referral)
    step.refresh_from_db()
    assert step.done and step.completed_by is None
    kinds = list(pathway.events.values_list("kind", "actor_id"))
    assert kinds[-2:] == [("referral_linked", team.alice.pk), ("step_completed", None)]


def test_completed_first_linking_completes_the_step_at_once(team: Team) -> None:
    pathway = opened(team)
    referral = _sent(team)
    _complete(team, referral)
    step = _link(team, pathway, pathway.steps.get(kind="referral"), referral)
    assert step.done and step.referral_id == referral.pk


def test_a_referral_step_is_not_marked_done_by_hand(team: Team) -> None:
    pathway = opened(team)
    with pytest.raises(PathwayError) as caught:
        pathway_step_complete(
            acting_user=team.alice,
            membership=member(team.alice),
            pathway_id=pathway.pk,
            step_id=pathway.steps.get(kind="referral").pk,
        )
    assert caught.value.field == "step"


def test_a_cancelled_referral_or_an_action_step_cannot_be_linked(team: Team) -> None:
    pathway = opened(team)
    referral = _sent(team)
    Referral.objects.filter(pk=referral.pk).update(status="cancelled", reason="family-declined")
    with pytest.raises(PathwayError) as caught:
        _link(team, pathway, pathway.steps.get(kind="referral"), referral)
    assert caught.value.field == "referral"
    with pytest.raises(PathwayError) as caught:
        _link(team, pathway, pathway.steps.get(order=1), _sent(team))
    assert caught.value.field == "step"
