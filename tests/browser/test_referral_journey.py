"""The closed loop in a real browser, on the demo network: a coordinator refers a family to the
food bank found by a directory search, records the family's consent on the spot and sends; the food
bank's staff accept and complete it from their list; the coordinator sees the loop closed and the
need addressed; the family sees it in Spanish on a phone. The notices reach a real SMTP server.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import Consent, RelationshipKind
from ecwhub.consent.services import relationship_start
from ecwhub.core.needs import Need
from ecwhub.demo import data
from ecwhub.demo.generator import DEMO_PASSWORD
from ecwhub.directory.models import Service, ServiceNeed
from ecwhub.families.models import Person
from ecwhub.referrals.models import Referral, ReferralFeedback
from ecwhub.referrals.workflow import Status
from ecwhub.screening.catalog import need_category
from ecwhub.screening.models import IdentifiedNeed
from tests.browser.conftest import sign_in
from tests.core.conftest import SmtpServer, smtp  # noqa: F401  (the SMTP server fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setting_the_scene() -> tuple[User, User, User, Person, Service, IdentifiedNeed]:
    """The demo's coordinator, food bank staff and family; the family consented to its own
    organizations only, so sharing with the food bank needs the family's consent on the spot."""
    call_command("seed_demo", "--families", "20", "--seed", "2026", stdout=StringIO())
    coordinator = User.objects.get(email=data.demo_email("coordinator"))
    provider = User.objects.get(email=data.demo_email("provider"))
    family_user = User.objects.get(email=data.demo_email("family"))
    caregiver = Person.objects.select_related("household").get(account=family_user)
    household = caregiver.household
    frc = Membership.objects.get(user=coordinator, role=Role.COORDINATOR).organization
    relationship_start(acting_user=None, household=household, kind=RelationshipKind.CARE_TEAM, user=coordinator)
    for consent in Consent.objects.in_force().filter(household=household):
        consent.network_wide = False
        consent.save(update_fields=["network_wide"])
        consent.organizations.set([household.registered_by_id, frc.pk])
    food_bank = Membership.objects.get(user=provider).organization
    service = (
        Service.objects.filter(organization=food_bank, needs__need=Need.FOOD_INSECURITY).order_by("name").first()
        or Service.objects.filter(organization=food_bank).order_by("name").first()
    )
    assert service is not None, "the demo food bank lists a service"
    ServiceNeed.objects.get_or_create(service=service, need=Need.FOOD_INSECURITY)
    Service.objects.filter(pk=service.pk).update(accepts_electronic_referrals=True, accepting_referrals=True)
    need = IdentifiedNeed.objects.filter(
        household=household, need=Need.FOOD_INSECURITY, status__in=["identified", "wants_help"]
    ).first() or IdentifiedNeed.objects.create(
        household=household,
        need=Need.FOOD_INSECURITY,
        category=need_category(Need.FOOD_INSECURITY),
        status=IdentifiedNeed.Status.WANTS_HELP,
    )
    return coordinator, provider, family_user, caregiver, service, need


def _open_details(page: Any, summary: str) -> Any:
    details = page.locator("details", has=page.locator("summary", has_text=summary)).first
    details.locator("summary").click()
    return details


def test_a_referral_goes_round_the_loop(live_server, browser, smtp: SmtpServer, settings) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings.SITE_URL = live_server.url  # the links in the notices point at this server
    coordinator, provider, family_user, caregiver, service, need = _setting_the_scene()
    household = caregiver.household

    # The coordinator, at a desk: from the family's page to a directory search for the family's need.
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = desk.new_page()
    sign_in(page, live_server, coordinator, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}/families/{household.pk}/")
    page.get_by_role("link", name="Refer for Food insecurity").click()
    card = page.locator("li.result", has_text=service.name).first
    card.get_by_role("link", name="Refer the family here").click()
    page.wait_for_url("**/referrals/new/**")
    assert page.locator(f"input[name=needs][value='{need.pk}']").is_checked()
    page.locator("input[name=handoff][value=warm_call]").check()
    page.locator("textarea[name=note]").fill("Prefers a call in Spanish after 4 pm.")
    page.get_by_role("button", name="Save and check").click()

    # Sharing with the food bank is not covered: consent, given verbally, on the spot.
    page.get_by_text("It cannot be sent yet").wait_for()
    page.locator("select[name=given_by]").select_option(str(caregiver.pk))
    page.locator("input[name=witness]").fill("Ana Ruiz")
    page.get_by_role("button", name="Record consent").click()
    page.get_by_role("button", name="Send the referral").wait_for()
    confirm = page.locator("input[name=confirm]")
    if confirm.count():
        confirm.check()
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_text("Referral sent.").wait_for()
    referral = Referral.objects.get(household=household, service=service)
    assert referral.status == Status.REQUESTED

    # The food bank's staff member answers from the received referrals.
    pantry = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    staff = pantry.new_page()
    sign_in(staff, live_server, provider, password=DEMO_PASSWORD)
    staff.goto(f"{live_server.url}/referrals/?box=received&tab=new")
    staff.get_by_role("link", name=referral.reference).click()
    assert "Prefers a call in Spanish after 4 pm." in staff.content()
    _open_details(staff, "Accept").get_by_role("button", name="Accept").click()
    staff.get_by_text("Saved.").wait_for()
    details = _open_details(staff, "Record the outcome: completed")
    details.locator("select[name=need_result]").select_option("resolved")
    details.locator("input[name=service_delivered]").fill("Groceries for four weeks")
    details.get_by_role("button", name="Record the outcome: completed").click()
    staff.get_by_text("Saved.").wait_for()
    pantry.close()

    # The coordinator sees the loop closed and the need addressed.
    page.goto(f"{live_server.url}/families/{household.pk}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Referrals"))
    assert "Completed" in section.inner_text() and "Need resolved" in section.inner_text()
    need.refresh_from_db()
    assert need.status == IdentifiedNeed.Status.ADDRESSED
    desk.close()

    # The family, on a phone, in Spanish.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-MX")
    mine = phone.new_page()
    sign_in(mine, live_server, family_user, password=DEMO_PASSWORD, language="es")
    mine.goto(f"{live_server.url}/my-family/")
    mine.get_by_role("link", name="Sus referidos: servicios que ayudan a su familia").click()
    card = mine.locator("li.card", has_text=service.name).first
    assert "Completado" in card.inner_text()
    width = mine.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the family's referrals scroll sideways ({width} px)"
    phone.close()

    # The notices went through a real SMTP server, with no family data in them.
    texts = {}
    for message in smtp.inbox.messages:
        part = message.get_payload(0) if message.is_multipart() else message
        texts.setdefault(str(message["To"]), []).append(part.get_payload(decode=True).decode("utf-8"))
    assert any(referral.reference in text for text in texts.get(provider.email, []))
    assert any(referral.reference in text for text in texts.get(coordinator.email, []))
    names = {caregiver.given_name, caregiver.family_name, need.get_need_display()}
    for text in (t for group in texts.values() for t in group):
        assert not any(name in text for name in names), text

    # The family's feedback link came by e-mail: answered on the phone, in Spanish, without signing in.
    links = [
        match.group(0)
        for text in texts.get(family_user.email, [])
        for match in [re.search(r"https?://\S+/referrals/feedback/\S+", text)]
        if match
    ]
    assert links, "the family was asked for feedback by e-mail"
    stranger = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-MX")
    answer = stranger.new_page()
    stranger.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    answer.goto(links[-1])
    answer.locator("input[name=got_what_needed][value=yes]").check()
    answer.locator("input[name=respectful][value=yes]").check()
    answer.locator("input[name=language_ok][value=yes]").check()
    answer.locator("textarea[name=comment]").fill("Muy amables.")
    answer.locator("main form button[type=submit]").click()
    answer.wait_for_load_state("load")
    assert "Gracias" in answer.content()
    stranger.close()
    assert ReferralFeedback.objects.filter(referral=referral, got_what_needed="yes").exists()
