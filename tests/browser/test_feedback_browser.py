"""A family answers the questions after a completed referral, on a phone, in Spanish, with the link
they were sent: no sign-in, nothing about the family on the page; axe checks every page visited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ecwhub.referrals import feedback
from ecwhub.referrals.models import ReferralFeedback, ReferralFeedbackLink
from ecwhub.referrals.services import ReferralInput, referral_create, referral_transition
from tests.conftest import Network
from tests.referrals.conftest import make_world, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_family_answers_on_a_phone_in_spanish(live_server, browser, network: Network) -> None:  # type: ignore[no-untyped-def]
    world = make_world(network)
    alice, bob = network.alice, network.bob
    referral, _ = referral_create(
        acting_user=alice,
        membership=member(alice),
        data=ReferralInput(
            household_id=world.family.household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]
        ),
        send=True,
    )
    for action, extra in (("accept", {}), ("complete", {"need_result": "partly", "service_delivered": "Comida"})):
        referral = referral_transition(
            acting_user=bob,
            membership=member(bob),
            referral_id=referral.pk,
            action=action,
            version=referral.version,
            **extra,
        )
    link = ReferralFeedbackLink.objects.get(referral=referral)
    url = live_server.url + reverse("referrals:feedback", args=[feedback.feedback_token(link)])

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    page = context.new_page()
    try:
        page.goto(url)
        page.get_by_role("heading", name="¿Cómo le fue?").wait_for()
        body = page.locator("main").inner_text()
        assert "Weekly pantry" in body
        assert "María" not in body and "García" not in body
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # Sending nothing: the errors are said, in Spanish, and nothing is kept.
        page.get_by_role("button", name="Enviar mis respuestas").click()
        page.get_by_role("alert").first.wait_for()
        assert page.get_by_text("Elija una respuesta.").count() == 3
        assert not ReferralFeedback.objects.exists()

        page.get_by_role("group", name="¿Su familia recibió lo que necesitaba?").get_by_label("En parte").check()
        page.get_by_role("group", name="¿Lo trataron con respeto?").get_by_label("Sí").check()
        page.get_by_role("group", name="¿Pudo usar su idioma?").get_by_label("No").check()
        page.get_by_label("¿Algo más que quiera decirnos? (opcional)").fill("Necesitamos un intérprete de mixteco.")
        page.get_by_role("button", name="Enviar mis respuestas").click()
        page.get_by_role("heading", name="Gracias").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        stored = ReferralFeedback.objects.get(referral=referral)
        assert (stored.got_what_needed, stored.respectful, stored.language_ok) == ("partly", True, False)
        assert stored.language == "es" and stored.method == "link"

        # The link works once.
        page.goto(url)
        page.get_by_role("heading", name="Ya respondió").wait_for()
    finally:
        context.close()
