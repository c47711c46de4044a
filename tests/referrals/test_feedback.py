"""The family's answers after a completed referral (by their link or in person) and the notices the
family gets about its referrals: single-use, expiring, signed links; nothing personal in a notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecwhub.consent.models import AuditEntry
from ecwhub.core.models import Channel, OutboxMessage
from ecwhub.referrals import feedback
from ecwhub.referrals.feedback import FeedbackLinkError, hub_language, phone_e164
from ecwhub.referrals.models import Referral, ReferralFeedback, ReferralFeedbackLink
from ecwhub.referrals.services import ReferralInput, referral_create, referral_step, referral_transition
from ecwhub.referrals.workflow import Side
from tests.conftest import signed_in

from .conftest import World, member

pytestmark = pytest.mark.django_db

PHONE = "+16265550142"
ANSWERS = {"got_what_needed": "partly", "respectful": "yes", "language_ok": "no", "comment": "Muy amables."}


@pytest.fixture
def family_world(world: World) -> World:
    """María, the mother, signs in as Carla's account and takes text messages."""
    mother = world.family.mother
    mother.account = world.network.carla
    mother.phone = "626-555-0142"
    mother.text_ok = True
    mother.save(update_fields=["account", "phone", "text_ok"])
    return world


def _sent(world: World) -> Referral:
    alice = world.network.alice
    data = ReferralInput(
        household_id=world.family.household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]
    )
    referral, _ = referral_create(acting_user=alice, membership=member(alice), data=data, send=True)
    return referral


def _accepted(world: World) -> Referral:
    referral = _sent(world)
    bob = world.network.bob
    return referral_transition(
        acting_user=bob, membership=member(bob), referral_id=referral.pk, action="accept", version=referral.version
    )


def _completed(world: World) -> Referral:
    referral = _accepted(world)
    bob = world.network.bob
    return referral_transition(
        acting_user=bob,
        membership=member(bob),
        referral_id=referral.pk,
        action="complete",
        version=referral.version,
        need_result="resolved",
        service_delivered="Groceries for four weeks",
    )


def _path(referral: Referral) -> str:
    link = ReferralFeedbackLink.objects.get(referral=referral)
    return reverse("referrals:feedback", args=[feedback.feedback_token(link)])


def _family_notices() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient__in=["carla@example.org", PHONE]).order_by("created_at"))


# --- Asking ---------------------------------------------------------------------------------------


def test_completing_a_referral_sends_the_family_its_link_by_email_and_text_in_their_language(
    family_world: World,
) -> None:
    referral = _completed(family_world)
    path = _path(referral)
    notices = {m.channel: m for m in _family_notices() if path in m.body_text}
    assert set(notices) == {Channel.EMAIL, Channel.SMS}
    assert all(m.language == "es" for m in notices.values())
    assert notices[Channel.SMS].recipient == PHONE
    assert "ECW Hub" in notices[Channel.SMS].body_text and "cuéntenos" in notices[Channel.SMS].body_text
    link = ReferralFeedbackLink.objects.get(referral=referral)
    assert link.language == "es" and link.used_at is None
    assert link.expires_at - link.created_at == timedelta(days=30)


def test_a_caregiver_who_said_no_to_texts_gets_no_text_and_no_account_no_email(world: World) -> None:
    world.family.mother.phone = "626-555-0142"
    world.family.mother.save(update_fields=["phone"])  # text_ok stays False, no account
    referral = _completed(world)
    assert ReferralFeedbackLink.objects.filter(referral=referral).exists()
    assert not OutboxMessage.objects.filter(channel=Channel.SMS).exists()
    assert not any("/referrals/feedback/" in m.body_text for m in OutboxMessage.objects.all())


def test_no_notice_to_the_family_carries_a_name_a_need_or_the_service(family_world: World) -> None:
    referral = _accepted(family_world)
    bob = family_world.network.bob
    referral = referral_step(
        acting_user=bob,
        membership=member(bob),
        referral_id=referral.pk,
        step="appointment-scheduled",
        version=referral.version,
        at=timezone.now() + timedelta(days=3),
    )
    referral = referral_transition(
        acting_user=bob,
        membership=member(bob),
        referral_id=referral.pk,
        action="complete",
        version=referral.version,
        need_result="resolved",
        service_delivered="Groceries for four weeks",
    )
    notices = _family_notices()
    # Sent, appointment and feedback, each by e-mail and text.
    assert len(notices) == 6
    assert {m.channel for m in notices} == {Channel.EMAIL, Channel.SMS}
    assert any("/referrals/family/" in m.body_text for m in notices)
    forbidden = ["María", "García", "López", "Sofía", "Diego", "Weekly pantry", "Valley Food", "Casa Familia"]
    forbidden += ["food", "comida", "aliment", "hous", "vivienda", "Groceries", "pantry", "despensa"]
    for notice in notices:
        text = f"{notice.subject}\n{notice.body_text}".lower()
        for word in forbidden:
            assert word.lower() not in text, (word, notice.body_text)


def test_the_language_is_the_caregivers_then_the_households_then_english() -> None:
    assert hub_language("es", "en") == "es"
    assert hub_language("mix", "es") == "es"
    assert hub_language("mix", "zap") == "en"
    assert phone_e164("626-555-0142") == PHONE
    assert phone_e164("+52 55 1234 5678") == "+525512345678"
    assert phone_e164("555-0142") is None


# --- Answering by the link ------------------------------------------------------------------------


def test_the_family_answers_once_with_the_link_and_the_answers_are_kept(family_world: World) -> None:
    referral = _completed(family_world)
    client = Client()
    path = _path(referral)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Weekly pantry" in html
    assert "María" not in html and "García" not in html and "Alimentos" not in html
    response = client.post(path, ANSWERS)
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    stored = ReferralFeedback.objects.get(referral=referral)
    assert (stored.got_what_needed, stored.respectful, stored.language_ok) == ("partly", True, False)
    assert stored.comment == "Muy amables." and stored.method == "link" and stored.language == "es"
    assert stored.recorded_by is None
    event = referral.events.order_by("-seq").first()
    assert event is not None and (event.action, event.side) == ("feedback", Side.FAMILY)
    assert AuditEntry.objects.filter(detail=f"referral {referral.pk} feedback link").exists()
    assert "Gracias" in client.get(response["Location"]).content.decode()

    again = client.post(path, {**ANSWERS, "got_what_needed": "no"})
    assert again.status_code == 409
    assert "Ya respondió" in again.content.decode()
    assert "Ya respondió" in client.get(path).content.decode()
    assert ReferralFeedback.objects.get(referral=referral).got_what_needed == "partly"


def test_the_link_expires_after_thirty_days(family_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    referral = _completed(family_world)
    path = _path(referral)
    later = timezone.now() + timedelta(days=30, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client = Client()
    page = client.get(path)
    assert page.status_code == 410 and "venció" in page.content.decode()
    assert client.post(path, ANSWERS).status_code == 410
    assert not ReferralFeedback.objects.exists()


def test_an_altered_or_foreign_token_is_refused(family_world: World) -> None:
    referral = _completed(family_world)
    link = ReferralFeedbackLink.objects.get(referral=referral)
    token = feedback.feedback_token(link)
    value, signature = token.split(":")
    other = "A" if signature[0] != "A" else "B"
    tampered = [
        f"{value}:{other}{signature[1:]}",
        f"{value[:-1]}{'0' if value[-1] != '0' else '1'}:{signature}",
        signing.Signer(salt="another purpose").sign(link.pk.hex),
        signing.Signer(salt="ecwhub.referrals.feedback").sign("0" * 32),  # signed, but no such link
    ]
    client = Client()
    for bad in tampered:
        assert client.get(reverse("referrals:feedback", args=[bad])).status_code == 404, bad
        assert client.post(reverse("referrals:feedback", args=[bad]), ANSWERS).status_code == 404, bad
        with pytest.raises(FeedbackLinkError):
            feedback.feedback_answer_by_link(token=bad, answers=feedback.FeedbackAnswers("yes", True, True))
    assert not ReferralFeedback.objects.exists()


def test_the_page_is_in_the_familys_spanish_without_signing_in(family_world: World) -> None:
    referral = _completed(family_world)
    html = Client().get(_path(referral)).content.decode()
    assert '<html lang="es">' in html
    assert "¿Cómo le fue?" in html and "¿Su familia recibió lo que necesitaba?" in html


def test_an_incomplete_answer_is_refused_and_nothing_is_kept(family_world: World) -> None:
    referral = _completed(family_world)
    response = Client().post(_path(referral), {"got_what_needed": "yes", "comment": "x" * 1001})
    assert response.status_code == 400
    assert not ReferralFeedback.objects.exists()
    assert ReferralFeedbackLink.objects.get(referral=referral).used_at is None


# --- In person, and the pages that show the answers ----------------------------------------------


def test_the_coordinator_records_the_answers_in_person_and_the_link_stops_working(family_world: World) -> None:
    referral = _completed(family_world)
    alice = family_world.network.alice
    client = signed_in(Client(), alice)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Record the family's answers" in page
    url = reverse("referrals:feedback_in_person", args=[referral.pk])
    answers = {f"feedback-{k}": v for k, v in ANSWERS.items()}
    response = client.post(url, {**answers, "feedback-language": "mix"})
    assert response.status_code == 302
    stored = ReferralFeedback.objects.get(referral=referral)
    assert stored.method == "in_person" and stored.recorded_by == alice and stored.language == "mix"
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Muy amables." in page and "Record the family's answers" not in page
    assert Client().post(_path(referral), ANSWERS).status_code == 409
    assert ReferralFeedback.objects.count() == 1


def test_the_in_person_form_is_only_for_the_referring_side(family_world: World) -> None:
    referral = _completed(family_world)
    bob = family_world.network.bob
    client = signed_in(Client(), bob)
    assert "feedback-title" not in client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    answers = {f"feedback-{k}": v for k, v in ANSWERS.items()}
    client.post(reverse("referrals:feedback_in_person", args=[referral.pk]), {**answers, "feedback-language": "es"})
    assert not ReferralFeedback.objects.exists()


def test_the_in_person_form_needs_a_completed_referral(family_world: World) -> None:
    referral = _accepted(family_world)
    alice = family_world.network.alice
    with pytest.raises(feedback.ReferralError):
        feedback.feedback_record_in_person(
            acting_user=alice,
            membership=member(alice),
            referral_id=referral.pk,
            answers=feedback.FeedbackAnswers("yes", True, True, language="es"),
        )
    assert not ReferralFeedback.objects.exists()


def test_the_family_page_asks_then_thanks(family_world: World) -> None:
    referral = _completed(family_world)
    client = signed_in(Client(), family_world.network.carla)
    page = client.get(reverse("referrals:family")).content.decode()
    assert _path(referral) in page
    Client().post(_path(referral), ANSWERS)
    page = client.get(reverse("referrals:family")).content.decode()
    assert _path(referral) not in page
    assert "Thank you for telling us how it went." in page
