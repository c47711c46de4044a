"""Random sequences of actions by random actors, against the one table (``workflow.RULES``).

The machine keeps its own model of each referral (status, version, number of events) and checks,
after every step, that the database says the same: an allowed action moved the referral exactly
as the table says and left one event; anything refused (wrong side, wrong state, missing or wrong
reason, a stale version, an actor who may not see the family) changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Person
from ecwhub.referrals.models import Referral, ReferralEvent
from ecwhub.referrals.services import (
    OPEN_NEED_STATUSES,
    ReferralConflict,
    ReferralError,
    ReferralInput,
    referral_create,
    referral_step,
    referral_transition,
    sides_of,
)
from ecwhub.referrals.workflow import RULES_BY_ACTION, STEPS, Action, NeedResult, Reason, Status, WorkflowError
from ecwhub.screening.models import IdentifiedNeed

from .conftest import World, member

pytestmark = pytest.mark.django_db(transaction=False)

ACTIONS = [a for a in Action.values if a not in (Action.SEND, Action.EXPIRE)]
REASONS = ["", *Reason.values]
RECEIVER_ACTIONS = ["receive", "accept", "reject", "start", "hold", "resume", "complete", "fail"]
RESULTS = ["", *NeedResult.values]


def _mostly(usual: st.SearchStrategy[str], other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Nine times in ten what the rule asks for, otherwise anything."""
    return st.integers(0, 9).flatmap(lambda n: usual if n else other)


def _open_need(world: World) -> IdentifiedNeed:
    """The family's open food need (a completed referral closes it; the next screen finds it again)."""
    found = IdentifiedNeed.objects.filter(
        household=world.family.household, need=world.food_need.need, status__in=OPEN_NEED_STATUSES
    ).first()
    return found or IdentifiedNeed.objects.create(
        household=world.family.household,
        need=world.food_need.need,
        category=world.food_need.category,
        status=IdentifiedNeed.Status.WANTS_HELP,
    )


@dataclass
class Known:
    status: str
    version: int
    events: int


def _machine(world: World, actors: dict[str, tuple[User, Membership]], moved: list[str]) -> type[RuleBasedStateMachine]:
    class ReferralMachine(RuleBasedStateMachine):
        referrals = Bundle("referrals")

        def __init__(self) -> None:
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.known: dict[str, Known] = {}

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        @initialize(target=referrals)
        def first(self) -> str:
            return self._create(send=True)

        @precondition(lambda self: len(self.known) < 3)
        @rule(target=referrals, send=st.booleans())
        def another(self, send: bool) -> str:
            return self._create(send=send)

        def _create(self, *, send: bool) -> str:
            alice, membership = actors["alice"]
            referral, _ = referral_create(
                acting_user=alice,
                membership=membership,
                data=ReferralInput(
                    household_id=world.family.household.pk,
                    service_id=world.pantry.pk,
                    need_ids=[_open_need(world).pk],
                ),
                send=send,
            )
            self.known[str(referral.pk)] = Known(referral.status, referral.version, 2 if send else 1)
            return str(referral.pk)

        @rule(
            referral_id=referrals,
            actor=st.sampled_from(sorted(actors)),
            action=st.sampled_from(ACTIONS),
            data=st.data(),
            note=st.sampled_from(["", "Called twice."]),
            stale=st.integers(0, 4).map(lambda n: n == 0),
        )
        def move(self, referral_id: str, actor: str, action: str, data: st.DataObject, note: str, stale: bool) -> None:
            self._attempt(referral_id, actor, action, data, note, stale)

        @rule(
            referral_id=referrals,
            action=st.sampled_from(RECEIVER_ACTIONS),
            data=st.data(),
            note=st.sampled_from(["", "Called twice."]),
        )
        def receiver_moves(self, referral_id: str, action: str, data: st.DataObject, note: str) -> None:
            # The receiver does most of the work on a referral: its moves come more often.
            self._attempt(referral_id, "bob", action, data, note, False)

        def _attempt(
            self, referral_id: str, actor: str, action: str, data: st.DataObject, note: str, stale: bool
        ) -> None:
            # Mostly what the rule asks for, sometimes anything: both paths are exercised.
            fitting = RULES_BY_ACTION[action]
            reason = data.draw(
                _mostly(st.sampled_from(fitting.reasons) if fitting.reasons else st.just(""), st.sampled_from(REASONS))
            )
            result = data.draw(
                _mostly(
                    st.sampled_from(NeedResult.values) if fitting.outcome else st.just(""), st.sampled_from(RESULTS)
                )
            )
            user, membership = actors[actor]
            known = self.known[referral_id]
            version = known.version - 1 if stale else known.version
            before = Referral.objects.get(pk=referral_id)
            sides = sides_of(before, user, membership)
            try:
                referral_transition(
                    acting_user=user,
                    membership=membership,
                    referral_id=referral_id,
                    action=action,
                    version=version,
                    reason=reason,
                    note=note,
                    need_result=result,
                    service_delivered="Groceries" if result else "",
                )
            except (WorkflowError, ReferralError, ReferralConflict, NotFound):
                return  # the invariant checks nothing changed
            rule_ = RULES_BY_ACTION[action]
            assert not stale, "a stale version was accepted"
            assert known.status in rule_.sources, f"{action} moved a referral that was {known.status}"
            assert rule_.sides & sides, f"{actor} took {action}, which their side may not"
            if rule_.reasons:
                assert reason in rule_.reasons
            known.status, known.version, known.events = rule_.target, known.version + 1, known.events + 1
            moved.append(rule_.target)

        @rule(referral_id=referrals, actor=st.sampled_from(sorted(actors)), step=st.sampled_from(sorted(STEPS)))
        def step(self, referral_id: str, actor: str, step: str) -> None:
            user, membership = actors[actor]
            known = self.known[referral_id]
            try:
                referral_step(
                    acting_user=user,
                    membership=membership,
                    referral_id=referral_id,
                    step=step,
                    version=known.version,
                    at=world.pantry.created_at,
                )
            except (WorkflowError, ReferralError, ReferralConflict, NotFound):
                return
            assert known.status in STEPS[step].states
            known.version, known.events = known.version + 1, known.events + 1

        @invariant()
        def database_agrees(self) -> None:
            for referral_id, known in self.known.items():
                referral = Referral.objects.get(pk=referral_id)
                assert referral.status == known.status
                assert referral.version == known.version
                seqs = list(ReferralEvent.objects.filter(referral_id=referral_id).values_list("seq", flat=True))
                assert seqs == list(range(1, known.events + 1)), "an event was lost or written twice"
                assert (referral.status == Status.COMPLETED) == bool(referral.need_result)

    return ReferralMachine


def test_random_actors_never_break_the_table(world: World) -> None:
    family_user = world.network.carla
    Person.objects.filter(pk=world.family.mother.pk).update(account=family_user)
    family_user.refresh_from_db()
    membership_add(acting_user=None, user=world.network.oscar, organization=world.network.food_bank, role=Role.ANALYST)
    actors = {
        name: (user, member(user))
        for name, user in {
            "alice": world.network.alice,
            "bob": world.network.bob,
            "family": family_user,
            "admin": world.network.admin,
            "oscar": world.network.oscar,
        }.items()
    }
    moved: list[str] = []
    machine = _machine(world, actors, moved)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=150,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The run reached every state the table has, not only the refusals.
    assert set(moved) >= set(Status) - {Status.DRAFT, Status.REQUESTED}, sorted(set(moved))
