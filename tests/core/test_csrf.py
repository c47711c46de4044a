"""Cross-site request forgery: a page of another site cannot make a signed-in browser write.

Django's test client skips the CSRF check unless asked; these clients enforce it, as a browser's
requests meet it. Each write is tried without the token (403, nothing written) and with the token
the page handed out (it goes through), so the refusal is about the token and nothing else.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from ecwhub.consent.models import AuditEntry, Consent
from ecwhub.families.models import Household, IntakeDraft, IntakeRecord
from tests.conftest import Network, signed_in
from tests.consent.conftest import consent_post, make_family

pytestmark = pytest.mark.django_db

FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser(network: Network) -> Client:
    """Alice's browser: signed in with her second factor, checked for CSRF like a real one."""
    return signed_in(Client(enforce_csrf_checks=True), network.alice)


def form_token(client: Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = FORM_TOKEN.search(page.content.decode())
    assert match, f"{path} has no CSRF token in its form"
    return match.group(1)


def test_the_consent_form_refuses_a_post_without_the_token_and_records_nothing(network: Network) -> None:
    family = make_family(network)
    client = browser(network)
    path = f"/families/{family.household.pk}/consent/"
    token = form_token(client, path)
    consents, events = Consent.objects.count(), AuditEntry.objects.filter(action="consent_given").count()

    refused = client.post(path, consent_post(family))
    assert refused.status_code == 403
    assert "María" not in refused.content.decode()  # the refusal shows nothing of the family
    wrong = client.post(path, {**consent_post(family), "csrfmiddlewaretoken": "x" * 64})
    assert wrong.status_code == 403
    assert Consent.objects.count() == consents
    assert AuditEntry.objects.filter(action="consent_given").count() == events

    accepted = client.post(path, {**consent_post(family), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302, accepted.content.decode()[:500]
    assert Consent.objects.count() == consents + 1
    assert AuditEntry.objects.filter(action="consent_given").count() == events + 1


def test_the_intake_refuses_a_post_without_the_token_and_starts_nothing(network: Network) -> None:
    client = browser(network)
    token = form_token(client, "/families/intake/")

    assert client.post("/families/intake/").status_code == 403
    assert not IntakeDraft.objects.exists()

    started = client.post("/families/intake/", {"csrfmiddlewaretoken": token})
    assert started.status_code == 302
    assert IntakeDraft.objects.filter(author=network.alice).count() == 1


INTAKE = {
    "caregiver": {
        "relationship": "caregiver",
        "given_name": "Lucía",
        "family_name": "Herrera",
        "date_of_birth": "1990-07-21",
        "phone": "626 555 0199",
        "preferred_language": "es",
        "postal_code": "91801",
        "place": "clinic",
        "consent_given": True,
        "consent_method": "signed_on_device",
        "consent_network_wide": True,
    },
    "children": [{"given_name": "Tomás", "family_name": "Herrera", "date_of_birth": "2022-11-03"}],
}


def test_an_api_write_with_the_session_cookie_needs_the_token_too(network: Network) -> None:
    client = browser(network)
    form_token(client, "/families/intake/")  # any page sets the CSRF cookie, as in a browser
    cookie = client.cookies[settings.CSRF_COOKIE_NAME].value

    refused = client.post("/api/v1/intakes", INTAKE, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert not Household.objects.exists() and not IntakeRecord.objects.exists()

    accepted = client.post("/api/v1/intakes", INTAKE, content_type="application/json", headers={"X-CSRFToken": cookie})
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["outcome"] == "created"
    assert Household.objects.count() == 1 and IntakeRecord.objects.count() == 1
