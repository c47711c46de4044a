"""The outbox: a notice exists if and only if its change committed, and is delivered once."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecwhub.core import outbox, sms
from ecwhub.core.models import Channel, OutboxMessage, OutboxStatus
from ecwhub.core.outbox import NotificationError, Outcome, deliver_due, notify
from tests.conftest import Network, signed_in
from tests.core.conftest import SmtpServer, free_port, point_email_at

SUBJECT = "ECW Hub: a referral needs your answer"
BODY = "A referral in ECW Hub waits for your answer.\n\nOpen it here (sign-in required): https://hub.example.org/r/1/\n"


def queue(key: str = "referral:1:user:7", recipient: str = "alice@example.org", **changes: Any) -> OutboxMessage:
    arguments: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "recipient": recipient,
        "subject": SUBJECT,
        "body": BODY,
        "language": "en",
        "key": key,
    }
    return notify(**(arguments | changes))


def later(message: OutboxMessage) -> Any:
    """The moment a message's next attempt comes."""
    message.refresh_from_db()
    return message.available_at


@pytest.mark.django_db(transaction=True)
def test_a_notice_is_sent_once_the_change_commits(smtp: SmtpServer) -> None:
    with transaction.atomic():
        message = queue(html_body="<p>A referral waits for your answer.</p>", language="es")
        # Nothing leaves before the commit, whatever the tasks backend.
        assert smtp.inbox.messages == []
    (received,) = smtp.inbox.messages
    assert received["To"] == "alice@example.org"
    assert received["Subject"] == SUBJECT
    assert received["Message-ID"] == f"<{message.pk}@ecwhub.invalid>"
    assert received["Content-Language"] == "es"
    assert received.is_multipart()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 1, "")
    assert message.sent_at is not None and message.claimed_by == "" and message.claimed_at is None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_notice(smtp: SmtpServer) -> None:
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        queue()
        raise Refused
    assert OutboxMessage.objects.count() == 0
    call_command("deliver_outbox", "--once", verbosity=0)
    assert smtp.inbox.messages == []


@pytest.mark.django_db(transaction=True)
def test_the_same_key_queues_once(smtp: SmtpServer) -> None:
    first = queue()
    # A retried operation: same event, same key, in a later transaction.
    with transaction.atomic():
        again = queue()
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    call_command("deliver_outbox", "--once", verbosity=0)
    assert smtp.inbox.subjects() == [SUBJECT]


@pytest.mark.django_db
def test_a_key_used_for_another_recipient_is_refused() -> None:
    queue()
    with pytest.raises(NotificationError) as error:
        queue(recipient="bob@example.org")
    assert error.value.field == "key"
    assert OutboxMessage.objects.get().recipient == "alice@example.org"


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_with_the_same_key() -> None:
    queue()
    row = OutboxMessage.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(
            channel=Channel.EMAIL,
            recipient="bob@example.org",
            subject=SUBJECT,
            body_text=BODY,
            language="en",
            dedup_key=row.dedup_key,
            available_at=timezone.now(),
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"recipient": "not-an-address"}, "recipient", "valid e-mail"),
        ({"subject": ""}, "subject", "needs a subject"),
        ({"subject": "Two\nlines"}, "subject", "one line"),
        ({"subject": "x" * 201}, "subject", "200"),
        ({"body": "  "}, "body", "needs a body"),
        ({"language": "fr"}, "language", "languages"),
        ({"channel": "pigeon"}, "channel", "Unknown channel"),
        ({"key": ""}, "key", "needs a key"),
        ({"key": "reset:carla@example.org"}, "key", "not by an e-mail address"),
        # Personal data: someone else's address in the text.
        ({"body": BODY + "Family contact: carla@example.org\n"}, "body", "other than the recipient's"),
        ({"subject": "About carla@example.org"}, "subject", "other than the recipient's"),
        ({"html_body": "<p>mailto:carla@example.org</p>"}, "html_body", "other than the recipient's"),
        # Text messages: a phone number, no subject, short.
        ({"channel": "sms", "recipient": "626-555-0100", "subject": ""}, "recipient", "international form"),
        ({"channel": "sms", "recipient": "+16265550100"}, "subject", "no subject"),
        ({"channel": "sms", "recipient": "+16265550100", "subject": "", "body": "x" * 1601}, "body", "1600"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_reason(changes: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(NotificationError) as error:
        queue(**changes)
    assert error.value.field == field
    assert reason in error.value.message
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_the_recipients_own_address_and_the_hubs_may_appear(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "ECW Hub <hub@example.org>"
    message = queue(body=BODY + "This notice went to alice@example.org; reply to hub@example.org.\n")
    assert message.status == OutboxStatus.PENDING


@pytest.mark.django_db
def test_a_regional_language_is_stored_as_the_hub_language() -> None:
    assert queue(language="es-MX").language == "es"


@pytest.mark.django_db
def test_bodies_are_encrypted_at_rest() -> None:
    message = queue()
    stored = (
        OutboxMessage.objects.filter(pk=message.pk)
        .annotate(stored=Cast("body_text", output_field=TextField()))
        .values_list("stored", flat=True)
        .get()
    )
    assert "hub.example.org" not in stored and stored.startswith("gAAAAA")  # a Fernet token
    assert OutboxMessage.objects.get().body_text == BODY


@pytest.mark.django_db
def test_the_database_constrains_status_and_sent_at() -> None:
    message = queue()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(status="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENT)  # without sent_at
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(claimed_by="worker-1")  # without claimed_at


@pytest.mark.django_db
def test_an_smtp_failure_is_retried_with_backoff_until_the_server_is_back(smtp: SmtpServer, settings: Any) -> None:
    point_email_at(settings, free_port())  # nothing listens there: the mail server is down
    message = queue()
    before = timezone.now()
    assert deliver_due() == outbox.DeliveryReport(retried=1)
    after = timezone.now()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == (OutboxStatus.PENDING, 1, None)
    assert message.last_error == "ConnectionRefusedError"
    assert message.claimed_by == "" and message.claim_expires_at is None
    # First retry between 15 and 30 seconds later (backoff with jitter).
    assert before + timedelta(seconds=15) <= message.available_at <= after + timedelta(seconds=30)
    # Not due yet: another pass sends nothing and counts no attempt.
    assert deliver_due().attempted == 0
    # Down again at the next attempt: the wait doubles.
    first_retry = later(message)
    assert deliver_due(now=first_retry).retried == 1
    second_delay = later(message) - first_retry
    assert timedelta(seconds=30) <= second_delay <= timedelta(seconds=60)
    # The server is back.
    point_email_at(settings, smtp.port)
    assert deliver_due(now=later(message)).sent == 1
    assert smtp.inbox.subjects() == [SUBJECT]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 3, "")


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (40, 3600)]:
        delays = [outbox.retry_delay(attempts).total_seconds() for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempts, min(delays), max(delays))
        assert len(set(delays)) > 1  # jittered


@pytest.mark.django_db
def test_after_the_last_attempt_the_notice_is_failed_for_the_administrator(
    smtp: SmtpServer, settings: Any, network: Network
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    point_email_at(settings, free_port())
    message = queue()
    assert deliver_due().retried == 1
    assert deliver_due(now=later(message)).failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 2)
    # A failed notice is never picked up again.
    assert deliver_due(now=timezone.now() + timedelta(days=30)).attempted == 0

    # The hub administrator sees it in the admin, without the recipient's full address.
    network.admin.is_staff = network.admin.is_superuser = True
    network.admin.save(update_fields=["is_staff", "is_superuser"])
    client = signed_in(Client(), network.admin)
    listing = client.get(reverse("admin:core_outboxmessage_changelist") + "?status__exact=failed")
    page = listing.content.decode()
    assert listing.status_code == 200
    assert SUBJECT in page and "ConnectionRefusedError" in page
    assert "a•••@example.org" in page and "alice@example.org" not in page

    # "Send again" gives it a new round of attempts; the mail server is back by then.
    point_email_at(settings, smtp.port)
    response = client.post(
        reverse("admin:core_outboxmessage_changelist"),
        {"action": "send_again", "_selected_action": [str(message.pk)]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert LogEntry.objects.get(object_id=str(message.pk)).user_id == network.admin.pk
    assert deliver_due().sent == 1
    assert smtp.inbox.subjects() == [SUBJECT]


@pytest.mark.django_db
def test_staff_without_the_view_permission_cannot_see_the_outbox(network: Network) -> None:
    network.bob.is_staff = True
    network.bob.save(update_fields=["is_staff"])
    client = signed_in(Client(), network.bob)
    assert client.get(reverse("admin:core_outboxmessage_changelist")).status_code == 403
    network.bob.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    listing = client.get(reverse("admin:core_outboxmessage_changelist"))
    assert listing.status_code == 200
    # Seeing the outbox does not allow acting on it.
    assert "send_again" not in listing.content.decode()


@pytest.mark.django_db
def test_a_recipient_the_server_refuses_for_good_fails_at_once(smtp: SmtpServer) -> None:
    smtp.inbox.refuse.add("gone@example.org")
    message = queue(recipient="gone@example.org")
    assert deliver_due() == outbox.DeliveryReport(failed=1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    # The error's class and code are kept; the server's text (which quotes the address) is not.
    assert message.last_error == "smtplib.SMTPRecipientsRefused 550"


@pytest.mark.django_db
def test_a_claimed_notice_is_left_to_its_worker_and_recorded_once(smtp: SmtpServer) -> None:
    message = queue()
    now = timezone.now()
    claimed = outbox._claim(worker="worker-a", cutoff=now)
    assert claimed is not None and claimed.pk == message.pk
    # While worker A holds it, nobody else sends it.
    assert deliver_due(now=now).attempted == 0
    assert outbox.deliver_message(message_id=message.pk) == Outcome.SKIPPED
    assert smtp.inbox.messages == []
    # Worker A stalls past its claim: worker B takes the message over and sends it.
    after_lease = now + outbox.CLAIM_LEASE + timedelta(seconds=1)
    assert deliver_due(now=after_lease).sent == 1
    message.refresh_from_db()
    sent_at = message.sent_at
    assert message.status == OutboxStatus.SENT and sent_at is not None
    # Worker A wakes up and sends too: the receiver gets the same Message-ID twice and can drop
    # one; the row records the delivery once, as worker B made it.
    assert outbox._deliver_claimed(claimed, worker="worker-a", transports=outbox._Transports()) == Outcome.SENT
    assert [m["Message-ID"] for m in smtp.inbox.messages] == [f"<{message.pk}@ecwhub.invalid>"] * 2
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (sent_at, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_once(smtp: SmtpServer, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no kick
    smtp.inbox.delay = 0.01  # a slow server keeps both workers busy at the same time
    messages = [queue(key=f"referral:{n}:user:7", subject=f"{SUBJECT} ({n})") for n in range(40)]
    start = threading.Barrier(2)
    reports: list[outbox.DeliveryReport] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            reports.append(deliver_due())
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    ids = [m["Message-ID"] for m in smtp.inbox.messages]
    assert sorted(ids) == sorted(f"<{m.pk}@ecwhub.invalid>" for m in messages)  # each once
    assert sum(report.sent for report in reports) == 40
    assert all(report.sent > 0 for report in reports), reports  # both worked
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT, attempts=1).count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_lost_kick_leaves_the_notice_for_deliver_outbox(smtp: SmtpServer, settings: Any) -> None:
    # The dummy tasks backend keeps the task and never runs it: as if the worker were gone.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with transaction.atomic():
        message = queue()
    assert smtp.inbox.messages == []
    call_command("deliver_outbox", "--once", verbosity=0)
    assert smtp.inbox.subjects() == [SUBJECT]
    call_command("deliver_outbox", "--once", verbosity=0)
    assert len(smtp.inbox.messages) == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_text_message_goes_through_the_sms_backend(settings: Any) -> None:
    settings.SMS_BACKEND = "ecwhub.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    body = "ECW Hub: your referral was accepted. Details: https://hub.example.org/r/1/"
    with transaction.atomic():
        message = notify(channel=Channel.SMS, recipient="+16265550123", body=body, language="es", key="referral:1:sms")
    assert sms.outbox == [
        sms.SmsMessage(to="+16265550123", body=body, language="es", reference=str(message.pk)),
    ]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert message.masked_recipient == "+1•••0123"


@pytest.mark.django_db
def test_the_default_sms_backend_writes_a_file(settings: Any, tmp_path: Path) -> None:
    settings.SMS_BACKEND = "ecwhub.core.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    message = notify(channel=Channel.SMS, recipient="+16265550123", body="Hola", language="es", key="k:1")
    assert outbox.deliver_message(message_id=message.pk) == Outcome.SENT
    (written,) = tmp_path.iterdir()
    text = written.read_text()
    assert "To: +16265550123" in text and f"Reference: {message.pk}" in text and text.endswith("Hola\n")


@pytest.mark.django_db
def test_an_sms_provider_refusal_fails_at_once(settings: Any) -> None:
    settings.SMS_BACKEND = "tests.core.test_outbox.RefusingSmsBackend"
    message = notify(channel=Channel.SMS, recipient="+16265550123", body="Hola", language="es", key="k:1")
    assert outbox.deliver_message(message_id=message.pk) == Outcome.FAILED
    message.refresh_from_db()
    assert message.last_error == "ecwhub.core.sms.PermanentSmsError"


class RefusingSmsBackend(sms.BaseSmsBackend):
    """A provider that answers "this number cannot receive texts"."""

    def send(self, message: sms.SmsMessage) -> None:
        raise sms.PermanentSmsError(f"{message.to} is a landline")


@pytest.mark.django_db
def test_old_sent_notices_are_purged_and_others_kept(smtp: SmtpServer, settings: Any) -> None:
    sent = queue(key="k:sent")
    assert outbox.deliver_message(message_id=sent.pk) == Outcome.SENT
    pending = queue(key="k:pending")
    OutboxMessage.objects.filter(pk=pending.pk).update(available_at=timezone.now() + timedelta(days=90))
    month = timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    assert outbox.sent_purge(older_than=month) == 0
    assert outbox.sent_purge(older_than=month, now=timezone.now() + month + timedelta(minutes=1)) == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [pending.pk]
