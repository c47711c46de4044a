"""Two people answering the same referral at the same moment, and a create retried while the first
request is still running, in real parallel PostgreSQL sessions (``tests/concurrency/conftest.py``).

Whatever the interleaving, exactly one answer wins and the other gets ``ReferralConflict`` (never
a database error), one event is written for the winner, and nothing is lost; two creates with the
same ``Idempotency-Key`` make one referral. Each race runs a few rounds on fresh referrals, because
one round may happen not to interleave.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ecwhub.referrals.models import Referral, ReferralEvent
from ecwhub.referrals.services import ReferralConflict, ReferralInput, referral_create, referral_transition
from ecwhub.referrals.workflow import Status
from tests.concurrency.conftest import Outcome, postgresql_only, together
from tests.conftest import Network

from .conftest import World, make_world, member, need

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 4


def _sent(world: World) -> Referral:
    alice = world.network.alice
    referral, _ = referral_create(
        acting_user=alice,
        membership=member(alice),
        data=ReferralInput(
            household_id=world.family.household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]
        ),
        send=True,
    )
    return referral


def _split(outcomes: list[Outcome]) -> tuple[list[Any], list[ReferralConflict]]:
    """(values of the calls that went through, their conflicts); any other exception fails the test."""
    unexpected = [o.error for o in outcomes if o.error is not None and not isinstance(o.error, ReferralConflict)]
    assert unexpected == [], f"not a referral conflict: {unexpected!r}"
    return [o.value for o in outcomes if o.error is None], [
        o.error for o in outcomes if isinstance(o.error, ReferralConflict)
    ]


def test_accept_and_decline_at_the_same_version_one_wins(network: Network) -> None:
    world = make_world(network)
    bob = network.bob
    for _ in range(ROUNDS):
        referral = _sent(world)
        version = referral.version
        events_before = ReferralEvent.objects.filter(referral=referral).count()

        def accept(_index: int, pk: Any = referral.pk, version: int = version) -> Referral:
            return referral_transition(
                acting_user=bob, membership=member(bob), referral_id=pk, action="accept", version=version
            )

        def decline(_index: int, pk: Any = referral.pk, version: int = version) -> Referral:
            return referral_transition(
                acting_user=bob,
                membership=member(bob),
                referral_id=pk,
                action="reject",
                version=version,
                reason="no-capacity",
                note="Full until next month.",
            )

        calls: list[Callable[[int], Referral]] = [accept, decline]
        done, conflicts = _split(together(2, lambda i, calls=calls: calls[i](i)))
        assert len(done) == 1 and len(conflicts) == 1
        (winner,) = done
        # The loser is told what the referral is now: the winner's change, one version on.
        assert conflicts[0].current.version == version + 1
        stored = Referral.objects.get(pk=referral.pk)
        assert stored.status == winner.status and stored.status in (Status.ACCEPTED, Status.REJECTED)
        assert stored.version == version + 1
        events = list(ReferralEvent.objects.filter(referral=referral).order_by("seq"))
        assert len(events) == events_before + 1
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[-1].to_status == stored.status
        # Nothing lost: a decline that won kept its reason and note.
        if stored.status == Status.REJECTED:
            assert stored.reason == "no-capacity" and events[-1].note == "Full until next month."


def test_the_same_answer_twice_at_once_is_written_once(network: Network) -> None:
    world = make_world(network)
    bob = network.bob
    for _ in range(ROUNDS):
        referral = _sent(world)

        def accept(_index: int, pk: Any = referral.pk, version: int = referral.version) -> Referral:
            return referral_transition(
                acting_user=bob, membership=member(bob), referral_id=pk, action="accept", version=version
            )

        done, conflicts = _split(together(2, accept))
        assert len(done) == 1 and len(conflicts) == 1
        assert ReferralEvent.objects.filter(referral=referral, action="accept").count() == 1


def test_two_creates_with_the_same_idempotency_key_make_one_referral(network: Network) -> None:
    world = make_world(network)
    alice = network.alice
    for round_number in range(ROUNDS):
        fresh = need(world.family, "housing-instability")
        data = ReferralInput(
            household_id=world.family.household.pk, service_id=world.outside.pk, need_ids=[fresh.pk], note="Retried"
        )
        key = f"retry-{round_number}-{fresh.pk}"

        def create(_index: int, data: ReferralInput = data, key: str = key) -> tuple[Referral, bool]:
            return referral_create(acting_user=alice, membership=member(alice), data=data, idempotency_key=key)

        outcomes = together(2, create)
        assert [o.error for o in outcomes] == [None, None]
        results = [o.value for o in outcomes]
        assert sorted(created for _referral, created in results) == [False, True]
        assert results[0][0].pk == results[1][0].pk
        assert Referral.objects.filter(referred_by=alice, idempotency_key=key).count() == 1
        made = Referral.objects.get(referred_by=alice, idempotency_key=key)
        assert ReferralEvent.objects.filter(referral=made).count() == 1
