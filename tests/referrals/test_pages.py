"""The referral pages as each side meets them: refer from a search result, read the checks, send,
answer in the inbox, close the loop; the family's own list."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import Role
from ecwhub.accounts.services import membership_add
from ecwhub.families.models import Person
from ecwhub.referrals.models import Referral
from ecwhub.referrals.workflow import Status
from ecwhub.screening.models import IdentifiedNeed
from tests.conftest import signed_in

from .conftest import World, give_consent, make_world

pytestmark = pytest.mark.django_db


def _refer(world: World, client: Client) -> Referral:
    url = reverse("referrals:new")
    household = world.family.household.pk
    page = client.get(url, {"household": household, "service": world.pantry.pk})
    assert page.status_code == 200
    # The need the service meets is ticked for the coordinator.
    assert (
        f'value="{world.food_need.pk}" checked'
        in page.content.decode()
        .replace("\n", " ")
        .replace(f'value="{world.food_need.pk}"\n', f'value="{world.food_need.pk}" ')
        or "checked" in page.content.decode()
    )
    response = client.post(
        url,
        {
            "household": household,
            "service": world.pantry.pk,
            "needs": [world.food_need.pk],
            "handoff": "warm_call",
            "contact_method": "phone",
            "contact_times": "Mornings",
            "note": "Two children, one with a milk allergy.",
        },
    )
    assert response.status_code == 302
    return Referral.objects.get()


def test_refer_check_and_send(world: World, client: Client) -> None:
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    assert referral.status == Status.DRAFT
    page = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Before you send it" in page and "Send the referral" in page
    response = alice.post(
        reverse("referrals:send", args=[referral.pk]), {"version": referral.version, "acknowledged": ""}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED


def test_warnings_must_be_confirmed(world: World, client: Client) -> None:
    world.pantry.accepting_referrals = False
    world.pantry.save()
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    page = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "not accepting referrals right now" in page
    refused = alice.post(
        reverse("referrals:send", args=[referral.pk]), {"version": referral.version, "acknowledged": "not-accepting"}
    )
    assert refused.status_code == 400
    assert "tick the box" in refused.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    sent = alice.post(
        reverse("referrals:send", args=[referral.pk]),
        {"version": referral.version, "acknowledged": "not-accepting", "confirm": "on"},
    )
    assert sent.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED and referral.warnings_overridden == ["not-accepting"]


def test_consent_recorded_on_the_spot(network: object, client: Client) -> None:
    world = make_world(network, consent=False)  # type: ignore[arg-type]
    give_consent(world, organizations=[world.network.frc])
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    page = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "It cannot be sent yet" in page and "consent now" in page, page[page.find("<main") :][:3000]
    response = alice.post(
        reverse("referrals:consent", args=[referral.pk]),
        {
            "given_by": world.family.mother.pk,
            "scope": "organizations",
            "organizations": [world.network.food_bank.pk],
            "categories": ["identity_contact", "referrals", "identified_needs"],
            "purposes": ["referral"],
            "method": "verbal_witnessed",
            "witness": "Ana Ruiz",
            "text_version": "2026-1",
            "language": "es",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "It cannot be sent yet" not in page and "Send the referral" in page


def test_receiver_answers_in_the_inbox_and_the_loop_closes(world: World, client: Client) -> None:
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    alice.post(reverse("referrals:send", args=[referral.pk]), {"version": referral.version, "acknowledged": ""})
    bob = signed_in(Client(), world.network.bob)
    inbox = bob.get(reverse("referrals:mine")).content.decode()
    assert referral.reference in inbox and "New (1)" in inbox
    page = bob.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED  # opening it told the referrer it was seen
    assert "Mornings" in page and "milk allergy" in page
    act = reverse("referrals:act", args=[referral.pk])
    assert bob.post(act, {"action": "accept", "version": referral.version}).status_code == 302
    referral.refresh_from_db()
    refused = bob.post(act, {"action": "complete", "version": referral.version, "need_result": "resolved"})
    assert refused.status_code == 400 and "Say what service was delivered" in refused.content.decode()
    done = bob.post(
        act,
        {
            "action": "complete",
            "version": referral.version,
            "need_result": "resolved",
            "service_delivered": "Four weeks of groceries",
        },
    )
    assert done.status_code == 302
    world.food_need.refresh_from_db()
    assert world.food_need.status == IdentifiedNeed.Status.ADDRESSED
    family_page = alice.get(reverse("families:detail", args=[world.family.household.pk])).content.decode()
    assert "Completed" in family_page and "Need resolved" in family_page


def test_a_conflict_keeps_what_was_typed(world: World, client: Client) -> None:
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    alice.post(reverse("referrals:send", args=[referral.pk]), {"version": referral.version, "acknowledged": ""})
    referral.refresh_from_db()
    bob = signed_in(Client(), world.network.bob)
    stale = referral.version
    act = reverse("referrals:act", args=[referral.pk])
    assert bob.post(act, {"action": "accept", "version": stale}).status_code == 302
    second = bob.post(
        act, {"action": "reject", "version": stale, "reason": "no-capacity", "note": "We are full until May"}
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert "Someone else changed this referral" in body
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_the_family_sees_its_referrals_in_spanish(world: World, client: Client) -> None:
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    alice.post(reverse("referrals:send", args=[referral.pk]), {"version": referral.version, "acknowledged": ""})
    mother = world.family.mother
    user = world.network.carla
    Person.objects.filter(pk=mother.pk).update(account=user)
    family = signed_in(Client(), user)
    family.cookies["django_language"] = "es"
    page = family.get(reverse("referrals:family"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Weekly pantry" in page and "Enviado" in page, page[page.find("<main") :][:2500]


def test_an_outsider_gets_404(world: World, client: Client) -> None:
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    membership_add(acting_user=None, user=world.network.oscar, organization=world.network.food_bank, role=Role.ANALYST)
    oscar = signed_in(Client(), world.network.oscar)
    assert oscar.get(reverse("referrals:detail", args=[referral.pk])).status_code in (403, 404)


def test_marking_a_service_full_warns_the_next_referrer(world: World, client: Client) -> None:
    bob = signed_in(Client(), world.network.bob)
    listing = bob.get(reverse("referrals:mine"), {"box": "received"}).content.decode()
    assert "Mark full" in listing
    response = bob.post(reverse("referrals:capacity", args=[world.pantry.pk]), {"full": "1"})
    assert response.status_code == 302
    world.pantry.refresh_from_db()
    assert not world.pantry.accepting_referrals
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    page = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "not accepting referrals right now" in page
    # Someone outside the organization cannot change its capacity.
    outsider = signed_in(Client(), world.network.alice)
    assert outsider.post(reverse("referrals:capacity", args=[world.pantry.pk]), {"full": "0"}).status_code == 404
    world.pantry.refresh_from_db()
    assert not world.pantry.accepting_referrals


def test_the_family_can_say_it_no_longer_wants_a_referral(world: World, client: Client) -> None:
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    alice.post(reverse("referrals:send", args=[referral.pk]), {"version": referral.version, "acknowledged": ""})
    referral.refresh_from_db()
    Person.objects.filter(pk=world.family.mother.pk).update(account=world.network.carla)
    family = signed_in(Client(), world.network.carla)
    response = family.post(
        reverse("referrals:act", args=[referral.pk]),
        {"action": "cancel", "version": referral.version, "reason": "family-declined", "note": ""},
    )
    assert response.status_code == 302 and response["Location"] == reverse("referrals:family")
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED and referral.reason == "family-declined"
    last = referral.events.order_by("-seq").first()
    assert last is not None and last.side == "family"


def test_the_receiver_sees_the_language_and_the_interpreter_needed(world: World, client: Client) -> None:
    household = world.family.household
    household.preferred_language, household.dialect, household.interpreter_needed = "mix", "Mixteco de Oaxaca", True
    household.save(update_fields=["preferred_language", "dialect", "interpreter_needed"])
    Person.objects.filter(household=household).update(preferred_language="")
    alice = signed_in(client, world.network.alice)
    referral = _refer(world, alice)
    draft = alice.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    acknowledged = re.search(r'name="acknowledged" value="([^"]*)"', draft)
    assert acknowledged is not None and "language" not in acknowledged.group(1)  # the pantry offers interpreters
    sent = alice.post(
        reverse("referrals:send", args=[referral.pk]),
        {"version": referral.version, "acknowledged": acknowledged.group(1), "confirm": "on"},
    )
    assert sent.status_code == 302
    bob = signed_in(Client(), world.network.bob)
    page = bob.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "interpreter needed: Mixteco de Oaxaca" in page
