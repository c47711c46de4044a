"""A coordinator prints a referral to a service outside the hub, in Spanish on a 390 px phone; the
hub administrator reads the escalated referrals there too. axe checks every page visited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ecwhub.accounts.models import User
from ecwhub.referrals.models import Referral
from ecwhub.referrals.services import ReferralInput, referral_create
from tests.browser.conftest import sign_in
from tests.conftest import Network
from tests.referrals.conftest import make_world, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_390(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-US")
    yield context.new_page()
    context.close()


def _in_spanish(*users: User) -> None:
    for user in users:
        user.preferred_language = "es"
        user.save(update_fields=["preferred_language"])


def _referral(network: Network, service_id: object, need_id: object, household_id: object) -> Referral:
    referral, _ = referral_create(
        acting_user=network.alice,
        membership=member(network.alice),
        data=ReferralInput(household_id=household_id, service_id=service_id, need_ids=[need_id]),  # type: ignore[arg-type]
        send=True,
    )
    return referral


def test_the_printed_referral_fits_a_phone_in_spanish(live_server, phone_390, network: Network) -> None:  # type: ignore[no-untyped-def]
    world = make_world(network)
    world.outside.email = "intake@shelter.example.org"
    world.outside.save()
    referral = _referral(network, world.outside.pk, world.housing_need.pk, world.family.household.pk)
    page = phone_390
    _in_spanish(network.alice)
    sign_in(page, live_server, network.alice, language="es")
    page.goto(f"{live_server.url}/referrals/{referral.pk}/print/")
    page.get_by_role("heading", name=f"Referido {referral.reference}").wait_for()
    assert page.get_by_role("link", name="Descargar en PDF").is_visible()
    assert page.get_by_text("María García López").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    page.get_by_role(
        "button", name="Enviar el referido por correo electrónico al servicio (intake@shelter.example.org)"
    ).click()
    page.get_by_text("Enviado por correo electrónico al servicio", exact=False).first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_escalations_page_fits_a_phone(live_server, phone_390, network: Network) -> None:  # type: ignore[no-untyped-def]
    world = make_world(network)
    referral = _referral(network, world.pantry.pk, world.food_need.pk, world.family.household.pk)
    Referral.objects.filter(pk=referral.pk).update(
        answer_reminded_at=timezone.now() - timedelta(days=4), escalated_at=timezone.now() - timedelta(days=1)
    )
    page = phone_390
    _in_spanish(network.admin)
    sign_in(page, live_server, network.admin, language="es")
    page.goto(f"{live_server.url}/referrals/escalations/")
    page.get_by_role("heading", name="Referidos escalados", level=1).wait_for()
    assert page.get_by_text("Valley Food Bank").is_visible()
    page.get_by_role("button", name=f"Recordar de nuevo el referido {referral.reference}").click()
    page.get_by_text("Recordatorio enviado a 1 persona de la organización.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
