"""The intake asks for the behavioral-health consent on its own (a depression screening needs it),
and records it only when the caregiver says yes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import Consent, DataCategory, Purpose
from ecwhub.consent.policy import decide
from ecwhub.families.intake.complete import intake_complete
from ecwhub.families.models import Household
from tests.conftest import Network, signed_in
from tests.families.conftest import as_lists, intake_json, step1, step2, typed

pytestmark = pytest.mark.django_db

QUESTION = "also see its behavioral-health information"


def _categories(household: Household) -> set[str]:
    consent = Consent.objects.get(household=household)
    return set(consent.categories.values_list("category", flat=True))


def _may_record_a_depression_screen(network: Network, household: Household) -> bool:
    return bool(
        decide(
            user=network.alice,
            membership=Membership.objects.get(user=network.alice),
            household=household,
            category=DataCategory.BEHAVIORAL_HEALTH,
            purpose=Purpose.CARE_COORDINATION,
            write=True,
        )
    )


def _start(client: Client) -> str:
    response = client.post("/families/intake/")
    match = re.search(r"/families/intake/([0-9a-f-]+)/step/1/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def test_the_question_is_asked_on_its_own_and_not_given_by_default(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    page = client.get(f"/families/intake/{draft_id}/step/1/").content.decode()
    assert QUESTION in page
    assert re.search(r'<input type="radio" name="cg-consent_behavioral_health" value="no"[^>]*checked', page)
    assert not re.search(r'<input type="radio" name="cg-consent_behavioral_health" value="yes"[^>]*checked', page)

    record = intake_complete(
        acting_user=network.alice,
        membership=Membership.objects.get(user=network.alice),
        intake=typed(as_lists({**step1(), **step2()})),
    )
    assert DataCategory.BEHAVIORAL_HEALTH not in _categories(record.household)
    assert not _may_record_a_depression_screen(network, record.household)


def test_a_yes_through_the_pages_records_the_category_and_allows_the_screen(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    data = {**step1(**{"cg-consent_behavioral_health": "yes"}), **step2()}
    # Saved and resumed: the answer is kept.
    client.post(f"/families/intake/{draft_id}/step/1/", {**data, "action": "save"})
    page = client.get(f"/families/intake/{draft_id}/step/1/").content.decode()
    assert re.search(r'<input type="radio" name="cg-consent_behavioral_health" value="yes"[^>]*checked', page)
    assert client.post(f"/families/intake/{draft_id}/step/1/", {**data, "action": "next"}).status_code == 302
    assert client.post(f"/families/intake/{draft_id}/step/2/", {**data, "action": "next"}).status_code == 302
    client.post(f"/families/intake/{draft_id}/match/", {"choice": "new"})
    household = Household.objects.get()
    assert DataCategory.BEHAVIORAL_HEALTH in _categories(household)
    assert _may_record_a_depression_screen(network, household)
    consents = client.get(f"/families/{household.pk}/consent/").content.decode()
    assert "Behavioral health" in consents


def test_the_api_records_it_when_asked_and_refuses_a_non_boolean(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    body = intake_json(caregiver__consent_behavioral_health=True)
    response = client.post("/api/v1/intakes", {**body, "create_new": True}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert DataCategory.BEHAVIORAL_HEALTH in _categories(Household.objects.get())
    bad = intake_json(caregiver__consent_behavioral_health="perhaps")
    response = client.post("/api/v1/intakes", {**bad, "create_new": True}, content_type="application/json")
    assert response.status_code == 422
    assert "caregiver.consent_behavioral_health" in response.json()["error"]["fields"]


def test_the_question_speaks_spanish(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    client.cookies["django_language"] = "es"
    draft_id = _start(client)
    page = client.get(f"/families/intake/{draft_id}/step/1/").content.decode()
    assert QUESTION not in page
    assert "salud conductual" in page
