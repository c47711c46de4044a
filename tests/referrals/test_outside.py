"""Referrals that leave the hub (printed, as a PDF, e-mailed to the service), the needs they give
back to the worklist, the hub administrator's escalations and the coordinator's follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecwhub.care.models import NEVER, Contact, TierAssignment
from ecwhub.care.returned import returned_needs
from ecwhub.care.services import household_tier_recompute
from ecwhub.consent.models import AuditEntry
from ecwhub.core.errors import NotFound
from ecwhub.core.models import OutboxMessage
from ecwhub.referrals.escalations import escalation_remind
from ecwhub.referrals.followups import followup_mark_done
from ecwhub.referrals.models import Handoff, Referral, ReferralEvent, ReferralFollowUp
from ecwhub.referrals.outside import EMAILED, referral_email_to_service
from ecwhub.referrals.services import (
    ReferralConflict,
    ReferralError,
    ReferralInput,
    referral_create,
    referral_transition,
)
from ecwhub.referrals.workflow import Status, WorkflowError
from ecwhub.screening.models import IdentifiedNeed
from tests.conftest import signed_in
from tests.consent.conftest import make_family

from .conftest import World, member, need

pytestmark = pytest.mark.django_db


def _outside(world: World, *, email: str = "intake@shelter.example.org") -> Referral:
    """Alice refers the family to the county shelter line, which is not in the hub, and sends it."""
    world.outside.email = email
    world.outside.phone = "626-555-0199"
    world.outside.save()
    world.network.frc.phone = "626-555-0142"
    world.network.frc.save()
    alice = world.network.alice
    referral, _ = referral_create(
        acting_user=alice,
        membership=member(alice),
        data=ReferralInput(
            household_id=world.family.household.pk,
            service_id=world.outside.pk,
            need_ids=[world.housing_need.pk],
            handoff=Handoff.FAMILY_CALLS,
            note="Prefers afternoons.",
        ),
        send=True,
    )
    assert referral.outside_network and referral.status == Status.REQUESTED
    return referral


def _inside(world: World) -> Referral:
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


# --- Printed and PDF ----------------------------------------------------------------------------


def test_the_printed_referral_names_the_family_and_the_service(world: World, client: Client) -> None:
    referral = _outside(world)
    page = signed_in(client, world.network.alice).get(reverse("referrals:print", args=[referral.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "María García López" in text and "County shelter line" in text and "626-555-0142" in text
    assert reverse("referrals:pdf", args=[referral.pk]) in text
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ, detail=f"print {referral.pk}").exists()


def test_the_pdf_is_served_and_audited_as_an_export(world: World, client: Client) -> None:
    referral = _outside(world)
    response = signed_in(client, world.network.alice).get(f"/referrals/{referral.pk}/referral.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    assert b"DejaVuSans" in response.content  # the Unicode font is embedded: "María" prints as written
    entry = AuditEntry.objects.get(detail=f"pdf {referral.pk}")
    assert entry.action == AuditEntry.Action.EXPORT and entry.household_id == world.family.household.pk


def test_the_pdf_is_not_found_for_the_food_bank_or_an_outsider(world: World, client: Client) -> None:
    referral = _outside(world)
    bob = signed_in(client, world.network.bob)
    assert bob.get(reverse("referrals:pdf", args=[referral.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


# --- E-mail to the service ----------------------------------------------------------------------


def test_emailing_the_service_sends_no_personal_data_and_records_an_event(world: World) -> None:
    referral = _outside(world)
    alice = world.network.alice
    moved = referral_email_to_service(
        acting_user=alice, membership=member(alice), referral_id=referral.pk, version=referral.version
    )
    assert moved.status == Status.REQUESTED and moved.version == referral.version + 1
    message = OutboxMessage.objects.get(recipient="intake@shelter.example.org")
    body = message.subject + message.body_text
    assert referral.reference in body and "Casa Familia FRC" in body and "626-555-0142" in body
    assert "County shelter line" in body and "printed referral" in body
    for private in ("María", "García", "Sofía", "housing", "Housing", "afternoons", "alice@"):
        assert private not in body
    event = ReferralEvent.objects.filter(referral=referral).order_by("-seq").first()
    assert event is not None and event.action == EMAILED and event.from_status == event.to_status == Status.REQUESTED
    assert AuditEntry.objects.filter(detail=f"referral {referral.pk} {EMAILED}").exists()


def test_emailing_refuses_without_an_address_an_old_version_or_a_service_in_the_hub(world: World) -> None:
    alice = world.network.alice
    referral = _outside(world, email="")
    events = ReferralEvent.objects.count()
    with pytest.raises(ReferralError) as error:
        referral_email_to_service(
            acting_user=alice, membership=member(alice), referral_id=referral.pk, version=referral.version
        )
    assert error.value.field == "service"
    with pytest.raises(ReferralConflict):
        referral_email_to_service(
            acting_user=alice, membership=member(alice), referral_id=referral.pk, version=referral.version - 1
        )
    inside = _inside(world)
    events = ReferralEvent.objects.count()
    with pytest.raises(WorkflowError):
        referral_email_to_service(
            acting_user=alice, membership=member(alice), referral_id=inside.pk, version=inside.version
        )
    with pytest.raises(NotFound):
        referral_email_to_service(
            acting_user=world.network.bob, membership=member(world.network.bob), referral_id=referral.pk, version=2
        )
    assert ReferralEvent.objects.count() == events
    assert not OutboxMessage.objects.filter(recipient__contains="shelter").exists()


def test_the_referral_page_offers_the_email_and_the_pdf(world: World, client: Client) -> None:
    referral = _outside(world)
    alice = signed_in(client, world.network.alice)
    page = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "E-mail the referral to the service" in page and "Referral as PDF" in page
    response = alice.post(reverse("referrals:email", args=[referral.pk]), {"version": referral.version})
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(recipient="intake@shelter.example.org").count() == 1
    page = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "E-mailed to the service" in page
    # The loop stays open until the coordinator records the outcome, acting for the receiver.
    assert Referral.objects.get(pk=referral.pk).status == Status.REQUESTED


# --- Needs given back to the worklist ----------------------------------------------------------------


def _decline(world: World, referral: Referral, reason: str = "no-capacity") -> Referral:
    bob = world.network.bob
    return referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="reject", version=None, reason=reason
    )


def test_a_declined_referral_puts_the_need_back_on_the_worklist_with_the_reason(world: World, client: Client) -> None:
    referral = _inside(world)
    _decline(world, referral)
    alice = signed_in(client, world.network.alice)
    page = alice.get(reverse("care:worklist")).content.decode()
    assert "Referral to Weekly pantry for" in page and "declined" in page and "No capacity" in page
    assert f"family={world.family.household.pk}&amp;need=food-insecurity" in page
    entry = AuditEntry.objects.filter(detail="care worklist", household_id=world.family.household.pk).latest("id")
    assert "referrals" in entry.categories


def test_a_need_referred_again_or_cancelled_by_the_family_is_not_given_back(world: World, client: Client) -> None:
    referral = _inside(world)
    _decline(world, referral)
    _inside(world)  # referred again
    alice = signed_in(client, world.network.alice)
    assert "Referral to Weekly pantry" not in alice.get(reverse("care:worklist")).content.decode()


def test_a_need_given_back_ranks_the_family_as_a_new_positive_screen(world: World, client: Client) -> None:
    other = make_family(world.network)
    need(other, "food-insecurity")
    need(other, "housing-instability")
    household_tier_recompute([world.family.household.pk, other.household.pk])
    # Our family was reached recently, so without the referral it would come after the other one.
    Contact.objects.create(
        household=world.family.household,
        method=Contact.Method.PHONE,
        by=world.network.alice,
        organization=world.network.frc,
        at=timezone.now() - timedelta(days=1),
    )
    household_tier_recompute([world.family.household.pk])
    before = TierAssignment.objects.get(household=world.family.household)
    assert before.positive_rank == NEVER
    assert before.tier == TierAssignment.objects.get(household=other.household).tier
    alice = signed_in(client, world.network.alice)
    rows = alice.get(reverse("care:worklist")).context["rows"]
    assert [r.household.pk for r in rows] == [other.household.pk, world.family.household.pk]

    declined = _decline(world, _inside(world))
    after = TierAssignment.objects.get(household=world.family.household)
    assert after.positive_rank == declined.closed_at and after.latest_positive_screen_at is None
    rows = alice.get(reverse("care:worklist")).context["rows"]
    assert [r.household.pk for r in rows] == [world.family.household.pk, other.household.pk]


def test_a_cancellation_by_the_family_gives_nothing_back(world: World) -> None:
    referral = _inside(world)
    # The family cancelled it (as the family's side records it), for a reason that is not theirs alone.
    ReferralEvent.objects.create(
        referral=referral, seq=99, side="family", action="cancel", from_status="requested", to_status="cancelled"
    )
    Referral.objects.filter(pk=referral.pk).update(
        status=Status.CANCELLED, reason="other", closed_at=timezone.now(), version=9
    )
    assert not returned_needs(timezone.now()).exists()
    IdentifiedNeed.objects.filter(pk=world.food_need.pk).update(status=IdentifiedNeed.Status.ADDRESSED)
    ReferralEvent.objects.filter(side="family").update(side="referrer")
    assert not returned_needs(timezone.now()).exists()  # the need is no longer open


# --- Escalations ------------------------------------------------------------------------------------


def _escalated(world: World) -> Referral:
    referral = _inside(world)
    Referral.objects.filter(pk=referral.pk).update(
        answer_reminded_at=timezone.now() - timedelta(days=4), escalated_at=timezone.now() - timedelta(days=1)
    )
    return Referral.objects.get(pk=referral.pk)


def test_the_hub_administrator_sees_escalations_without_the_family(world: World, client: Client) -> None:
    referral = _escalated(world)
    admin = signed_in(client, world.network.admin)
    page = admin.get(reverse("referrals:escalations"))
    assert page.status_code == 200
    text = page.content.decode()
    assert referral.reference in text and "Valley Food Bank" in text and "Weekly pantry" in text
    assert "García" not in text and "María" not in text
    assert 'href="/referrals/escalations/"' in text  # the header's link for hub administrators


def test_only_the_hub_administrator_opens_escalations(world: World, client: Client) -> None:
    _escalated(world)
    alice = signed_in(client, world.network.alice)
    assert alice.get(reverse("referrals:escalations")).status_code in (403, 404)


def test_remind_again_sends_a_new_notice_each_time(world: World) -> None:
    referral = _escalated(world)
    admin = world.network.admin
    before = OutboxMessage.objects.filter(recipient=world.network.bob.email).count()
    assert escalation_remind(acting_user=admin, membership=member(admin), referral_id=referral.pk) == 1
    assert escalation_remind(acting_user=admin, membership=member(admin), referral_id=referral.pk) == 1
    assert OutboxMessage.objects.filter(recipient=world.network.bob.email).count() == before + 2
    assert ReferralEvent.objects.filter(referral=referral, action="reminded-by-hub").count() == 2
    assert Referral.objects.get(pk=referral.pk).version == referral.version  # not activity
    with pytest.raises(NotFound):
        escalation_remind(
            acting_user=world.network.alice, membership=member(world.network.alice), referral_id=referral.pk
        )


def test_cancel_for_no_capacity_closes_the_referral_and_tells_the_referrer(world: World, client: Client) -> None:
    referral = _escalated(world)
    admin = signed_in(client, world.network.admin)
    url = reverse("referrals:escalation_act", args=[referral.pk])
    assert admin.post(url, {"do": "cancel", "version": referral.version}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED and referral.reason == "no-capacity"
    assert OutboxMessage.objects.filter(recipient=world.network.alice.email).exists()
    assert referral.reference not in admin.get(reverse("referrals:escalations")).content.decode()


# --- Follow-ups ---------------------------------------------------------------------------------------


def _accepted_with_followup(world: World) -> Referral:
    referral = _inside(world)
    bob = world.network.bob
    referral = referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="accept", version=None
    )
    ReferralFollowUp.objects.create(referral=referral, assigned_to=world.network.alice, due=timezone.now())
    return referral


def test_follow_ups_head_the_sent_list_and_are_marked_done(world: World, client: Client) -> None:
    referral = _accepted_with_followup(world)
    alice = signed_in(client, world.network.alice)
    page = alice.get(reverse("referrals:mine") + "?box=sent").content.decode()
    assert "Follow up on these" in page and referral.reference in page
    response = alice.post(reverse("referrals:followup_done", args=[referral.pk]), {"note": "Called the pantry."})
    assert response.status_code == 302
    task = ReferralFollowUp.objects.get(referral=referral)
    assert task.done_at is not None
    assert ReferralEvent.objects.filter(referral=referral, action="followed-up", note="Called the pantry.").exists()
    assert "Follow up on these" not in alice.get(reverse("referrals:mine") + "?box=sent").content.decode()
    history = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Followed up by the referring coordinator" in history and "followed-up" not in history
    with pytest.raises(NotFound):  # done once
        followup_mark_done(
            acting_user=world.network.alice, membership=member(world.network.alice), referral_id=referral.pk
        )


def test_a_follow_up_is_done_when_the_referral_closes(world: World) -> None:
    referral = _accepted_with_followup(world)
    bob = world.network.bob
    referral_transition(
        acting_user=bob,
        membership=member(bob),
        referral_id=referral.pk,
        action="complete",
        version=None,
        need_result="resolved",
        service_delivered="Groceries",
    )
    assert ReferralFollowUp.objects.get(referral=referral).done_at is not None
