"""The referral's life through the services: create, send, answer, close; what each requires."""

from __future__ import annotations

import pytest

from ecwhub.consent.models import Relationship, RelationshipKind
from ecwhub.core.errors import NotFound
from ecwhub.core.models import OutboxMessage
from ecwhub.referrals.models import Referral, ReferralEvent
from ecwhub.referrals.services import (
    IdempotencyMismatch,
    ReferralConflict,
    ReferralError,
    ReferralInput,
    referral_create,
    referral_send,
    referral_step,
    referral_transition,
)
from ecwhub.referrals.workflow import Status, WorkflowError
from ecwhub.screening.models import IdentifiedNeed

from .conftest import World, give_consent, make_world, member

pytestmark = pytest.mark.django_db


def _input(world: World, **kwargs: object) -> ReferralInput:
    base = {"household_id": world.family.household.pk, "service_id": world.pantry.pk, "need_ids": [world.food_need.pk]}
    base.update(kwargs)
    return ReferralInput(**base)  # type: ignore[arg-type]


def _sent(world: World) -> Referral:
    alice = world.network.alice
    referral, _ = referral_create(acting_user=alice, membership=member(alice), data=_input(world), send=True)
    return referral


def test_send_starts_the_receivers_relationship_and_tells_its_staff(world: World) -> None:
    referral = _sent(world)
    assert referral.status == Status.REQUESTED
    assert Relationship.objects.filter(
        household=world.family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=world.network.food_bank,
        ended_at__isnull=True,
    ).exists()
    notices = OutboxMessage.objects.filter(recipient=world.network.bob.email)
    assert notices.count() == 1
    body = notices.get().body_text
    assert referral.reference in body
    assert "García" not in body and "food" not in body.lower()
    assert list(referral.events.values_list("action", flat=True)) == ["create", "send"]


def test_whole_loop_closes_and_addresses_the_need(world: World) -> None:
    referral = _sent(world)
    bob = world.network.bob
    m = member(bob)
    referral = referral_transition(
        acting_user=bob, membership=m, referral_id=referral.pk, action="accept", version=referral.version
    )
    referral = referral_step(
        acting_user=bob, membership=m, referral_id=referral.pk, step="contact-attempted", version=referral.version
    )
    referral = referral_transition(
        acting_user=bob, membership=m, referral_id=referral.pk, action="start", version=referral.version
    )
    referral = referral_transition(
        acting_user=bob,
        membership=m,
        referral_id=referral.pk,
        action="complete",
        version=referral.version,
        need_result="resolved",
        service_delivered="Groceries for four weeks",
    )
    assert referral.status == Status.COMPLETED and referral.closed_at is not None
    world.food_need.refresh_from_db()
    assert world.food_need.status == IdentifiedNeed.Status.ADDRESSED
    world.housing_need.refresh_from_db()
    assert world.housing_need.status == IdentifiedNeed.Status.WANTS_HELP
    seqs = list(ReferralEvent.objects.filter(referral=referral).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    # The referrer was told of each move of the receiver (steps inside a state are not news).
    alice_notices = OutboxMessage.objects.filter(recipient=world.network.alice.email).count()
    assert alice_notices == 3  # accepted, started, completed


def test_rejection_needs_a_coded_reason(world: World) -> None:
    referral = _sent(world)
    bob = world.network.bob
    with pytest.raises(WorkflowError) as missing:
        referral_transition(
            acting_user=bob, membership=member(bob), referral_id=referral.pk, action="reject", version=referral.version
        )
    assert missing.value.field == "reason"
    with pytest.raises(WorkflowError) as wrong:
        referral_transition(
            acting_user=bob,
            membership=member(bob),
            referral_id=referral.pk,
            action="reject",
            version=referral.version,
            reason="expired",
        )
    assert wrong.value.field == "reason"
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED and referral.events.count() == 2


def test_the_referrer_cannot_accept_and_the_receiver_cannot_cancel(world: World) -> None:
    referral = _sent(world)
    alice, bob = world.network.alice, world.network.bob
    with pytest.raises(WorkflowError) as by_referrer:
        referral_transition(
            acting_user=alice,
            membership=member(alice),
            referral_id=referral.pk,
            action="accept",
            version=referral.version,
        )
    assert by_referrer.value.rule == "accept: by receiver"
    with pytest.raises(WorkflowError):
        referral_transition(
            acting_user=bob,
            membership=member(bob),
            referral_id=referral.pk,
            action="cancel",
            version=referral.version,
            reason="other",
            note="x",
        )


def test_a_stale_version_is_a_conflict_and_writes_nothing(world: World) -> None:
    referral = _sent(world)
    bob = world.network.bob
    referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="accept", version=referral.version
    )
    with pytest.raises(ReferralConflict) as conflict:
        referral_transition(
            acting_user=bob,
            membership=member(bob),
            referral_id=referral.pk,
            action="reject",
            version=referral.version,
            reason="no-capacity",
        )
    assert conflict.value.current.status == Status.ACCEPTED
    assert ReferralEvent.objects.filter(referral=referral).count() == 3


def test_an_outsider_does_not_find_the_referral(world: World) -> None:
    referral = _sent(world)
    from ecwhub.accounts.models import Role
    from ecwhub.accounts.services import membership_add

    other = membership_add(
        acting_user=None, user=world.network.oscar, organization=world.network.food_bank, role=Role.ANALYST
    )
    with pytest.raises(NotFound):
        referral_transition(
            acting_user=world.network.oscar, membership=other, referral_id=referral.pk, action="accept", version=None
        )


def test_missing_consent_blocks_sending_until_it_is_recorded(network: object) -> None:
    world = make_world(network, consent=False)  # type: ignore[arg-type]
    alice, family = world.network.alice, world.family
    # The family consented to its resource center only: nothing may go to the food bank yet.
    give_consent(world, organizations=[world.network.frc])
    with pytest.raises(WorkflowError) as blocked:
        referral_create(acting_user=alice, membership=member(alice), data=_input(world), send=True)
    assert blocked.value.field == "consent"
    assert not Referral.objects.exists()
    draft, _ = referral_create(acting_user=alice, membership=member(alice), data=_input(world))
    # Recorded on the spot (verbal, with a witness), for referrals to the food bank.
    give_consent(world, organizations=[world.network.food_bank], method="verbal_witnessed", witness="Ana Ruiz")
    sent = referral_send(acting_user=alice, membership=member(alice), referral_id=draft.pk, version=draft.version)
    assert sent.status == Status.REQUESTED
    assert family.household.pk == sent.household_id


def test_no_agreement_blocks_sending(network: object) -> None:
    world = make_world(network, with_agreement=False)  # type: ignore[arg-type]
    alice = world.network.alice
    with pytest.raises(WorkflowError) as blocked:
        referral_create(acting_user=alice, membership=member(alice), data=_input(world), send=True)
    assert blocked.value.field == "agreement"
    assert not Referral.objects.exists()
    draft, _ = referral_create(acting_user=alice, membership=member(alice), data=_input(world))
    with pytest.raises(WorkflowError):
        referral_send(acting_user=alice, membership=member(alice), referral_id=draft.pk, version=draft.version)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_bad_input_names_the_field(world: World) -> None:
    alice = world.network.alice
    m = member(alice)
    cases = {
        "service": _input(world, service_id="00000000-0000-0000-0000-000000000000"),
        "needs": _input(world, need_ids=[]),
        "person": _input(world, person_id="00000000-0000-0000-0000-000000000000"),
        "handoff": _input(world, handoff="teleport"),
    }
    for field, data in cases.items():
        with pytest.raises(ReferralError) as error:
            referral_create(acting_user=alice, membership=m, data=data)
        assert error.value.field == field
    assert not Referral.objects.exists()


def test_idempotent_create(world: World) -> None:
    alice = world.network.alice
    first, created = referral_create(
        acting_user=alice, membership=member(alice), data=_input(world), send=True, idempotency_key="k-1"
    )
    again, created_again = referral_create(
        acting_user=alice, membership=member(alice), data=_input(world), send=True, idempotency_key="k-1"
    )
    assert created and not created_again and first.pk == again.pk
    assert Referral.objects.count() == 1
    with pytest.raises(IdempotencyMismatch):
        referral_create(
            acting_user=alice, membership=member(alice), data=_input(world, note="other"), idempotency_key="k-1"
        )
    with pytest.raises(ReferralError) as malformed:
        referral_create(acting_user=alice, membership=member(alice), data=_input(world), idempotency_key="has space")
    assert malformed.value.field == "Idempotency-Key"


def test_outside_the_network_the_referrer_closes_the_loop(world: World) -> None:
    alice = world.network.alice
    referral, _ = referral_create(
        acting_user=alice,
        membership=member(alice),
        data=_input(world, service_id=world.outside.pk, need_ids=[world.housing_need.pk]),
        send=True,
    )
    assert referral.receiving_organization_id is None and referral.status == Status.REQUESTED
    referral = referral_transition(
        acting_user=alice, membership=member(alice), referral_id=referral.pk, action="accept", version=None
    )
    referral = referral_transition(
        acting_user=alice,
        membership=member(alice),
        referral_id=referral.pk,
        action="fail",
        version=None,
        reason="could-not-contact",
    )
    assert referral.status == Status.FAILED
    world.housing_need.refresh_from_db()
    assert world.housing_need.status == IdentifiedNeed.Status.WANTS_HELP


def test_the_family_export_carries_the_referral_and_the_familys_feedback(world: World) -> None:
    from ecwhub.consent.export import family_export, family_export_open, family_export_readable
    from ecwhub.referrals.feedback import FeedbackAnswers, feedback_record_in_person

    referral = _sent(world)
    bob, alice = world.network.bob, world.network.alice
    referral = referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="accept", version=None
    )
    referral_transition(
        acting_user=bob,
        membership=member(bob),
        referral_id=referral.pk,
        action="complete",
        version=None,
        need_result="partly",
        service_delivered="Groceries",
    )
    feedback_record_in_person(
        acting_user=alice,
        membership=member(alice),
        referral_id=referral.pk,
        answers=FeedbackAnswers(
            got_what_needed="partly", respectful=True, language_ok=False, comment="", language="es"
        ),
    )
    opened = family_export_open(user=alice, membership=member(alice), household_id=world.family.household.pk)
    data = family_export(opened)
    readable = next(r for r in family_export_readable(opened) if r.heading == "Referrals")
    facts = dict(readable.entries[0].facts)
    assert facts["Result"] == "Need partly resolved"
    assert facts["The family's feedback"].startswith("got what they needed: partly")
    exported = data["referrals"][0]
    assert exported["status"] == "completed" and exported["need_result"] == "partly"
    assert exported["needs"] == ["food-insecurity"]
    assert exported["feedback"]["got_what_needed"] == "partly" and exported["feedback"]["language_ok"] is False
