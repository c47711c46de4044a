"""Recording a contact from the worklist: the filters are kept, a failed attempt is recorded as
such with how it was made, and the family's page tells the history in words."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from ecwhub.care.models import Contact, TierAssignment
from ecwhub.care.services import household_tier_recompute
from tests.care.conftest import days_ago, screened
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db

FILTERED = "/care/worklist/?language=es&zip=91801&tier=2"


@pytest.fixture
def listed(network: Network, family: Family) -> Family:
    screened(family, network, instrument="ahc-hrsn-core", needs=("food-insecurity",), at=days_ago(3))
    household_tier_recompute([family.household.pk])
    return family


def _record(client: Client, family: Family, **data: str) -> object:
    return client.post(f"/care/families/{family.household.pk}/contacts/", data)


def test_recording_a_contact_from_the_worklist_keeps_its_filters(network: Network, listed: Family) -> None:
    client = signed_in(Client(), network.alice)
    page = client.get(FILTERED).content.decode()
    assert str(listed.household.pk) in page
    # The card's form sends the worklist's own address back.
    assert 'name="next" value="/care/worklist/?language=es&amp;zip=91801&amp;tier=2"' in page
    response = _record(client, listed, method="phone", outcome="reached", next=FILTERED)
    assert response.status_code == 302 and response["Location"] == FILTERED  # type: ignore[attr-defined]


def test_a_next_address_that_is_not_the_worklist_leads_to_the_family_page(network: Network, listed: Family) -> None:
    client = signed_in(Client(), network.alice)
    for elsewhere in ("https://example.com/care/worklist/", "//example.com/care/worklist/", "/accounts/sign-out/"):
        response = _record(client, listed, method="phone", outcome="reached", next=elsewhere)
        assert response["Location"] == f"/families/{listed.household.pk}/"  # type: ignore[index]


def test_a_failed_attempt_is_recorded_with_its_method_and_does_not_count_as_contact(
    network: Network, listed: Family
) -> None:
    client = signed_in(Client(), network.alice)
    before = TierAssignment.objects.get(household=listed.household).last_contact_at
    response = _record(client, listed, method="phone", outcome="wrong_number", next=FILTERED)
    assert response["Location"] == FILTERED  # type: ignore[index]
    contact = Contact.objects.get(household=listed.household)
    assert (contact.method, contact.outcome, contact.reached) == ("phone", "wrong_number", False)
    assert TierAssignment.objects.get(household=listed.household).last_contact_at == before
    said = [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]
    assert said == ["Contact recorded: Phone call — Not reached: wrong or disconnected number."]

    _record(client, listed, method="email", outcome="left_message")
    _record(client, listed, method="home_visit", outcome="reached")
    assert TierAssignment.objects.get(household=listed.household).last_contact_at is not None
    page = client.get(f"/families/{listed.household.pk}/").content.decode()
    history = page[page.index('id="contacts-title"') :]
    assert "Phone call" in history and "Not reached: wrong or disconnected number" in history
    assert "E-mail" in history and "Not reached: left a message" in history
    assert "Home visit" in history and "Reached the family" in history
    assert "wrong_number" not in history and "left_message" not in history


def test_the_family_history_speaks_spanish(network: Network, listed: Family) -> None:
    client = signed_in(Client(), network.alice)
    _record(client, listed, method="text", outcome="not_delivered")
    client.cookies["django_language"] = "es"
    page = client.get(f"/families/{listed.household.pk}/").content.decode()
    history = page[page.index('id="contacts-title"') :]
    assert "Contactos con la familia" in page
    assert "Mensaje de texto" in history and "No se logró comunicar: el mensaje o el correo no se entregó" in history


def test_nothing_is_chosen_for_the_coordinator_and_a_missing_answer_records_nothing(
    network: Network, listed: Family
) -> None:
    client = signed_in(Client(), network.alice)
    page = client.get("/care/worklist/").content.decode()
    outcome = re.search(r'<select id="outcome-1" name="outcome" required>(.*?)</select>', page)
    assert outcome is not None and "selected" not in outcome.group(1)
    assert '<option value="">Choose what came of it</option>' in outcome.group(1)
    response = _record(client, listed, method="phone", next=FILTERED)
    assert response["Location"] == FILTERED  # type: ignore[index]
    said = [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]
    assert said == ["What came of it: Say whether you reached the family, or why not."]
    response = _record(client, listed, method="fax", outcome="reached")
    said = [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]
    assert said[-1].startswith("How: Select a valid choice.")
    assert not Contact.objects.exists()
