"""Sign-in as a careful reviewer probes it: the address in any case, a fresh session key once the
second factor is passed, and the API's answer to a caller without credentials."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import Membership, User
from tests.conftest import PASSWORD, Network, current_code, signed_in, totp_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/sign-in/"


@pytest.mark.parametrize("typed", ["Alice@Example.org", "ALICE@EXAMPLE.ORG", "  alice@example.org "])
def test_sign_in_takes_the_address_in_any_case(network: Network, typed: str) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(network.alice.pk)


def test_an_account_stored_with_capitals_signs_in_with_any_case(network: Network) -> None:
    # Accounts made before addresses were stored in lower case (or by the admin site) keep theirs.
    dana = User.objects.create_user("dana@example.org", PASSWORD)
    User.objects.filter(pk=dana.pk).update(email="Dana@Example.org")
    client = Client()
    assert client.post(LOGIN, {"username": "dana@example.org", "password": PASSWORD}).status_code == 302
    assert client.session["_auth_user_id"] == str(dana.pk)


def test_the_session_key_changes_when_the_second_factor_is_passed(network: Network) -> None:
    client = Client()
    device = totp_device(network.alice)
    client.post(LOGIN, {"username": "alice@example.org", "password": PASSWORD})
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("accounts:verify"), {"code": current_code(device), "next": "/"})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.get("/api/v1/me").status_code == 200
    # The key known before the second factor opens nothing.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get("/api/v1/me").status_code == 401


def test_an_invitation_reuses_an_account_whatever_the_case(network: Network) -> None:
    dana = User.objects.create_user("dana@example.org", PASSWORD)
    User.objects.filter(pk=dana.pk).update(email="Dana@Example.org")
    client = signed_in(Client(), network.alice)
    response = client.post(
        reverse("accounts:organization", kwargs={"slug": "casa"}),
        {"action": "add", "email": "DANA@example.ORG", "first_name": "Dana", "last_name": "D", "role": "coordinator"},
    )
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="dana@example.org").count() == 1
    assert Membership.objects.filter(user=dana, organization=network.frc).exists()
    assert mail.outbox == []  # an existing account is not invited to choose a password


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/intakes"),
        ("post", "/api/v1/intakes/match"),
        ("post", "/api/v1/intake-drafts"),
        ("put", "/api/v1/intake-drafts/00000000-0000-0000-0000-000000000000"),
        ("patch", "/api/v1/directory/services/00000000-0000-0000-0000-000000000000/listing"),
        ("post", "/api/v1/families/00000000-0000-0000-0000-000000000000/screenings"),
    ],
)
def test_an_anonymous_write_is_answered_401(network: Network, method: str, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path, "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_signed_in_write_without_the_csrf_token_is_still_refused(network: Network) -> None:
    client = signed_in(Client(enforce_csrf_checks=True), network.alice)
    response = client.post("/api/v1/intake-drafts", "{}", content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("typed", ["CARLA@Example.org", "carla@example.org"])
def test_a_password_reset_finds_the_account_whatever_the_case(
    network: Network, typed: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("accounts:password_reset"), {"email": typed})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["carla@example.org"]]
