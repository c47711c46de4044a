"""Password reset through a real SMTP server (aiosmtpd on a free local port)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import SecurityEvent, User
from tests.conftest import PASSWORD, Network

# The reset link is queued in the outbox and sent once the request's changes commit: real commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # Committed requests also commit the rate limiter's counters (the database cache): start and end at zero.
    cache.clear()
    yield
    cache.clear()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def _link(message: Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert match, body
    return match.group(1)


def test_a_reset_link_arrives_by_smtp_and_sets_a_new_password(network: Network, smtp: Inbox) -> None:
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": "carla@example.org"})
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "carla@example.org"
    assert message["Subject"] == "Choose a new ECW Hub password"
    link = _link(message)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    new_password = "a brand new passphrase 2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    network.carla.refresh_from_db()
    assert network.carla.check_password(new_password)
    assert SecurityEvent.objects.filter(user=network.carla, kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(network: Network, smtp: Inbox) -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.status_code == 200
    assert "If an account uses that address" in response.content.decode()
    assert smtp.messages == []


def test_an_expired_reset_link_says_so(network: Network, smtp: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "carla@example.org"})
    link = _link(smtp.messages[0])
    later = default_token_generator._now() + __import__("datetime").timedelta(hours=2)  # type: ignore[attr-defined]
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    response = client.get(link, follow=True)
    body = response.content.decode()
    assert "This link no longer works" in body
    assert "expired or was already used" in body
    assert User.objects.get(pk=network.carla.pk).check_password(PASSWORD)


def test_a_used_reset_link_cannot_be_used_twice(network: Network, smtp: Inbox) -> None:
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "carla@example.org"})
    link = _link(smtp.messages[0])
    form = client.get(link, follow=True)
    url = form.redirect_chain[-1][0]
    new_password = "a brand new passphrase 2026"
    client.post(url, {"new_password1": new_password, "new_password2": new_password})
    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_reset_requests_are_rate_limited(network: Network, smtp: Inbox, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "2/h"}
    client = Client()
    for _ in range(2):
        assert client.post(reverse("accounts:password_reset"), {"email": "carla@example.org"}).status_code == 302
    response = client.post(reverse("accounts:password_reset"), {"email": "carla@example.org"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert len(smtp.messages) == 2


def test_a_weak_new_password_is_refused_with_the_reason(network: Network, smtp: Inbox) -> None:
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "carla@example.org"})
    form = client.get(_link(smtp.messages[0]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert User.objects.get(pk=network.carla.pk).check_password(PASSWORD)


# The worker closes its database connection when it finishes, as a real worker process does;
# that needs a test outside the wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_backend_the_mail_waits_for_the_worker(network: Network, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    try:
        Client().post(reverse("accounts:password_reset"), {"email": "carla@example.org"})
        assert mail.outbox == []
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["carla@example.org"]
    finally:
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
