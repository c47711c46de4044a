"""Sign-in, lockout and two-factor, as a person meets them in the browser."""

import pytest
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import SecurityEvent
from tests.conftest import PASSWORD, Network, current_code, totp_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/sign-in/"


def post_login(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": email, "password": password})


def test_staff_sign_in_asks_for_the_totp_code_then_opens_the_role_home(network: Network) -> None:
    client = Client()
    device = totp_device(network.alice)
    response = post_login(client, "alice@example.org", PASSWORD)
    assert response.status_code == 302
    # The password alone does not open any page: every page sends to the two-factor step.
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:verify"))
    response = client.post(reverse("accounts:verify"), {"code": current_code(device), "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Care coordinator / CHW at Casa Familia FRC" in page.content.decode()
    assert SecurityEvent.objects.filter(user=network.alice, kind=SecurityEvent.Kind.TOTP_VERIFIED).exists()


def test_a_wrong_password_says_so_and_signs_nobody_in(network: Network) -> None:
    client = Client()
    response = post_login(client, "alice@example.org", "not the password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(user=network.alice, kind=SecurityEvent.Kind.SIGNIN_FAILED).count() == 1


def test_repeated_failures_lock_the_account_even_for_the_right_password(network: Network, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "alice@example.org", "wrong guess")
    response = post_login(client, "alice@example.org", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins" in body
    assert "15 minutes" in body
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(user=network.alice, kind=SecurityEvent.Kind.LOCKED_OUT).exists()


def test_lockout_does_not_leak_the_attempted_address_into_logs(network: Network, settings, caplog) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with caplog.at_level("DEBUG"):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            post_login(client, "alice@example.org", "wrong guess")
    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "alice@example.org" not in text


def test_a_wrong_totp_code_is_refused_with_a_clear_message(network: Network) -> None:
    client = Client()
    device = totp_device(network.alice)
    post_login(client, "alice@example.org", PASSWORD)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:verify"), {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/").status_code == 302


def test_malformed_totp_code_names_the_problem(network: Network) -> None:
    client = Client()
    totp_device(network.alice)
    post_login(client, "alice@example.org", PASSWORD)
    response = client.post(reverse("accounts:verify"), {"code": "12ab"})
    assert response.status_code == 400
    assert "Enter the six digits" in response.content.decode()


def test_wrong_codes_are_throttled_so_codes_cannot_be_guessed(network: Network) -> None:
    client = Client()
    device = totp_device(network.alice)
    post_login(client, "alice@example.org", PASSWORD)
    wrong = f"{(int(current_code(device)) + 7) % 1_000_000:06d}"
    client.post(reverse("accounts:verify"), {"code": wrong})
    # django-otp now makes the device wait; even the right code is not tried yet.
    response = client.post(reverse("accounts:verify"), {"code": current_code(device)})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()


def test_the_totp_step_is_rate_limited_per_user(network: Network, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "totp": "3/5m"}
    client = Client()
    totp_device(network.alice)
    post_login(client, "alice@example.org", PASSWORD)
    for _ in range(3):
        client.post(reverse("accounts:verify"), {"code": "000000"})
    response = client.post(reverse("accounts:verify"), {"code": "000000"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_a_staff_member_without_a_device_is_sent_to_set_one_up(network: Network) -> None:
    client = Client()
    response = post_login(client, "bob@example.org", PASSWORD)
    assert response.status_code == 302
    response = client.get("/")
    assert response["Location"].startswith(reverse("accounts:enroll"))
    page = client.get(reverse("accounts:enroll"))
    assert page.status_code == 200
    assert b"<svg" in page.content
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=network.bob, confirmed=False)
    response = client.post(reverse("accounts:enroll"), {"code": current_code(device), "next": "/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert SecurityEvent.objects.filter(user=network.bob, kind=SecurityEvent.Kind.TOTP_ENROLLED).exists()


def test_family_members_sign_in_without_a_second_factor(network: Network) -> None:
    client = Client()
    post_login(client, "carla@example.org", PASSWORD)
    page = client.get("/")
    assert page.status_code == 200
    assert "This is your family's space" in page.content.decode()


def test_two_factor_can_be_turned_off_for_a_demo(network: Network, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MFA_REQUIRED_FOR_STAFF = False
    client = Client()
    post_login(client, "alice@example.org", PASSWORD)
    assert client.get("/").status_code == 200


def test_sign_out_ends_the_session(network: Network) -> None:
    client = Client()
    post_login(client, "carla@example.org", PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "Sign in" in client.get("/").content.decode()


def test_an_open_redirect_after_sign_in_is_refused(network: Network) -> None:
    client = Client()
    totp_device(network.alice)
    post_login(client, "alice@example.org", PASSWORD)
    device = totp_device(network.alice)
    response = client.post(reverse("accounts:verify"), {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"
