"""The hub's one way to notify someone: ``notify`` queues, ``deliver_*`` sends (docs/notifications.md).

A notice is a row of ``OutboxMessage`` written in the transaction of the change it announces, so
it exists if and only if that change committed. Sending happens afterwards, never inside that
transaction: right after the commit a task is enqueued that delivers it (at once with the embedded
tasks backend, by the worker in production), and ``manage.py deliver_outbox`` sends whatever that
missed: a process that died after the commit, a mail server that was down. Delivery is at least
once; a resend carries the same Message-ID so receivers can tell it is the same message.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import random
import re
import secrets
import smtplib
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from .models import Channel, OutboxMessage, OutboxStatus
from .sms import BaseSmsBackend, PermanentSmsError, SmsMessage, get_sms_backend

logger = logging.getLogger("ecwhub.outbox")

# First retry after 15-30 s, then about twice as long each time, never more than an hour apart:
# a mail server restarted for maintenance is caught quickly, a day-long outage does not hammer it.
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
# How long a worker may hold a message. It must outlast one send (SEND_TIMEOUT_SECONDS): a claim
# that expires while its worker is still talking to the server lets a second worker send again.
CLAIM_LEASE = timedelta(minutes=5)
SEND_TIMEOUT_SECONDS = 30

SUBJECT_MAX_LENGTH = 200
EMAIL_BODY_MAX_LENGTH = 20_000
# Ten concatenated segments: providers refuse or truncate longer texts.
SMS_BODY_MAX_LENGTH = 1_600
KEY_MAX_LENGTH = 200

_EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class NotificationError(ValueError):
    """A notice that cannot be queued; ``field`` names the argument at fault. Nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


# --- Queueing -------------------------------------------------------------------------------


def notify(
    *,
    channel: Channel | str,
    recipient: str,
    subject: str = "",
    body: str,
    html_body: str = "",
    language: str,
    key: str,
) -> OutboxMessage:
    """Queue one notice to one recipient, in the caller's transaction.

    Call it inside the ``transaction.atomic()`` block of the change the notice is about: the notice
    is committed with that change or rolled back with it. Once the transaction commits, delivery is
    kicked through the tasks backend; ``deliver_outbox`` sends anything the kick missed.

    ``key`` names the event the notice announces (``"invitation:membership:42"``), not the moment:
    a second call with the same key (a retried operation) returns the message already queued and
    queues nothing. ``language`` is the language the subject and body are written in.

    Notices carry a link, never personal data: a subject or body that contains an e-mail address
    other than the recipient's is refused, and so is a key that contains one.

    Raises ``NotificationError(field, reason)`` for invalid input, or when ``key`` already names a
    notice to another recipient; nothing is written then.
    """
    channel = _clean_channel(channel)
    language = _clean_language(language)
    recipient = recipient.strip()
    key = key.strip()
    _check(channel=channel, recipient=recipient, subject=subject, body=body, html_body=html_body)
    _check_key(key)
    message, created = OutboxMessage.objects.get_or_create(
        dedup_key=key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "subject": subject,
            "body_text": body,
            "body_html": html_body,
            "language": language,
            "available_at": timezone.now(),
        },
    )
    if not created:
        if (message.channel, message.recipient.lower()) != (channel, recipient.lower()):
            raise NotificationError("key", "This key already names a notice to another recipient.")
        return message
    # robust: the change is committed by then; a kick that cannot be enqueued is logged, and the
    # notice waits for deliver_outbox instead of turning a saved change into an error page.
    transaction.on_commit(partial(_kick, str(message.pk)), robust=True)
    return message


def _kick(message_id: str) -> None:
    deliver_notification.enqueue(message_id=message_id)


def _clean_channel(channel: Channel | str) -> Channel:
    try:
        return Channel(channel)
    except ValueError:
        raise NotificationError("channel", f"Unknown channel; use one of: {', '.join(Channel.values)}.") from None


def _clean_language(language: str) -> str:
    """A hub language code; a regional variant (``es-mx``, as ``get_language()`` may give) counts
    as its language."""
    hub_languages = dict(settings.LANGUAGES)
    code = (language or "").strip().lower()
    if code not in hub_languages:
        code = code.split("-")[0]
    if code not in hub_languages:
        raise NotificationError("language", f"Not one of the hub's languages ({', '.join(hub_languages)}).")
    return code


def _sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _check(*, channel: Channel, recipient: str, subject: str, body: str, html_body: str) -> None:
    if channel == Channel.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError:
            raise NotificationError("recipient", "Not a valid e-mail address.") from None
        if not subject.strip():
            raise NotificationError("subject", "An e-mail needs a subject.")
        if len(subject) > SUBJECT_MAX_LENGTH:
            raise NotificationError("subject", f"At most {SUBJECT_MAX_LENGTH} characters.")
        if "\n" in subject or "\r" in subject:
            raise NotificationError("subject", "A subject is one line.")
        body_limit = EMAIL_BODY_MAX_LENGTH
    else:
        if not _E164.match(recipient):
            raise NotificationError("recipient", "Not a phone number in international form (+15551234567).")
        if subject:
            raise NotificationError("subject", "A text message has no subject.")
        if html_body:
            raise NotificationError("html_body", "A text message has no HTML body.")
        body_limit = SMS_BODY_MAX_LENGTH
    if not body.strip():
        raise NotificationError("body", "A notice needs a body.")
    if len(body) > body_limit or len(html_body) > body_limit:
        raise NotificationError("body", f"At most {body_limit} characters.")
    allowed = {recipient.lower(), _sender_address().lower()}
    for field, text in (("subject", subject), ("body", body), ("html_body", html_body)):
        if any(found.lower() not in allowed for found in _EMAIL_ADDRESS.findall(text)):
            raise NotificationError(
                field,
                "Contains an e-mail address other than the recipient's; a notice carries a link, not personal data.",
            )


def _check_key(key: str) -> None:
    if not key:
        raise NotificationError("key", "A notice needs a key naming the event it is about.")
    if len(key) > KEY_MAX_LENGTH:
        raise NotificationError("key", f"At most {KEY_MAX_LENGTH} characters.")
    if _EMAIL_ADDRESS.search(key):
        raise NotificationError("key", "Name the event by ids, not by an e-mail address.")


# --- Delivery -------------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # not sent this time; another attempt is scheduled
    FAILED = "failed"  # not sent, and no more attempts: the hub administrator sees it in the admin
    SKIPPED = "skipped"  # not due, already sent, or held by another worker


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome == Outcome.SENT:
            self.sent += 1
        elif outcome == Outcome.RETRY:
            self.retried += 1
        elif outcome == Outcome.FAILED:
            self.failed += 1

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.failed


def worker_name() -> str:
    """Unique per worker: a claim names its holder, and a holder only ever finishes its own claims."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def message_id_header(message: OutboxMessage) -> str:
    """The same for every send of one notice, so a receiver can drop a resend."""
    domain = _sender_address().rpartition("@")[2] or "ecwhub.invalid"
    return f"<{message.pk}@{domain}>"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter after ``attempts`` failed attempts: 30 s, 1, 2, 4 … minutes,
    capped at an hour, each drawn between half and all of that so that messages that failed
    together (a mail server outage) do not all come back at the same second."""
    ceiling = min(RETRY_CAP, RETRY_BASE * 2 ** min(max(attempts - 1, 0), 20))
    return ceiling * random.uniform(0.5, 1.0)


def deliver_message(*, message_id: UUID | str, now: datetime | None = None) -> Outcome:
    """Send one message now if it is due and no other worker holds it (the kick after a commit).

    Safe to call any number of times: a sent message is never sent again by this function."""
    worker = worker_name()
    with _Transports() as transports:
        message = _claim(worker=worker, cutoff=now or timezone.now(), message_id=UUID(str(message_id)))
        if message is None:
            return Outcome.SKIPPED
        return _deliver_claimed(message, worker=worker, transports=transports)


def deliver_due(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> DeliveryReport:
    """Send every message due at ``now`` (default: the current time), oldest first, each one once.

    Any number of workers may run this at the same time: each message is claimed by one worker
    (``_claim``) before it is sent. A message that fails is scheduled again with backoff, after
    this drain; after ``OUTBOX_MAX_ATTEMPTS`` it is marked failed."""
    cutoff = now or timezone.now()
    worker = worker_name()
    report = DeliveryReport()
    with _Transports() as transports:
        while (limit is None or report.attempted < limit) and not should_stop():
            message = _claim(worker=worker, cutoff=cutoff)
            if message is None:
                break
            report.add(_deliver_claimed(message, worker=worker, transports=transports))
    return report


def _claim(*, worker: str, cutoff: datetime, message_id: UUID | None = None) -> OutboxMessage | None:
    """Give ``worker`` the oldest message due at ``cutoff`` (or the given one), or None.

    The conditional UPDATE is the guarantee: it matches a row only while the row is pending,
    unsent and holds no live claim, and the database applies it to one row at a time, so two
    workers reading the same candidate cannot both claim it; the loser tries the next one. On
    PostgreSQL the candidate is also read with FOR UPDATE SKIP LOCKED, so concurrent workers pick
    different rows instead of waiting on one another's lock only to lose the UPDATE.
    """
    skip_locked = connection.features.has_select_for_update_skip_locked
    # A claim lasts CLAIM_LEASE from now, or from ``cutoff`` when a caller (a test) runs ahead of the clock.
    lease_start = max(cutoff, timezone.now())
    for _ in range(20):  # only lost races repeat the loop; each one means another worker progressed
        with transaction.atomic():
            candidates = OutboxMessage.objects.due(cutoff)
            if message_id is not None:
                candidates = candidates.filter(pk=message_id)
            if skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            pk = candidates.order_by("available_at", "created_at").values_list("pk", flat=True).first()
            if pk is None:
                return None
            claimed = (
                OutboxMessage.objects.due(cutoff)
                .filter(pk=pk)
                .update(claimed_by=worker, claimed_at=lease_start, claim_expires_at=lease_start + CLAIM_LEASE)
            )
            if claimed == 1:
                return OutboxMessage.objects.get(pk=pk)
        if message_id is not None:
            return None
    return None


class _Transports:
    """One SMTP connection (and one SMS backend) per drain instead of one per message."""

    def __init__(self) -> None:
        self._email: BaseEmailBackend | None = None
        self._sms: BaseSmsBackend | None = None

    def __enter__(self) -> _Transports:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard(Channel.EMAIL)

    def email(self) -> BaseEmailBackend:
        if self._email is None:
            # Every Django e-mail backend accepts (and the SMTP one uses) the timeout.
            backend = get_connection(timeout=SEND_TIMEOUT_SECONDS)
            backend.open()
            self._email = backend
        return self._email

    def sms(self) -> BaseSmsBackend:
        if self._sms is None:
            self._sms = get_sms_backend()
        return self._sms

    def discard(self, channel: str) -> None:
        """Drop a connection after an error (it may be half-closed) or at the end of a drain."""
        if channel == Channel.EMAIL and self._email is not None:
            # A connection that cannot close cleanly is dropped all the same.
            with contextlib.suppress(Exception):
                self._email.close()
            self._email = None
        elif channel == Channel.SMS:
            self._sms = None


def _send_email(message: OutboxMessage, transports: _Transports) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        headers={"Message-ID": message_id_header(message), "Content-Language": message.language},
        connection=transports.email(),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send()


def _send_sms(message: OutboxMessage, transports: _Transports) -> None:
    transports.sms().send(
        SmsMessage(to=message.recipient, body=message.body_text, language=message.language, reference=str(message.pk))
    )


# Adding a channel: a value in models.Channel, its checks in _check, and its sender here.
SENDERS: dict[str, Callable[[OutboxMessage, _Transports], None]] = {
    Channel.EMAIL: _send_email,
    Channel.SMS: _send_sms,
}


def _deliver_claimed(message: OutboxMessage, *, worker: str, transports: _Transports) -> Outcome:
    try:
        SENDERS[message.channel](message, transports)
    except Exception as exc:
        transports.discard(message.channel)
        return _record_failure(message, exc, worker=worker)
    return _record_sent(message, worker=worker)


def _release() -> dict[str, Any]:
    return {"claimed_by": "", "claimed_at": None, "claim_expires_at": None}


def _record_sent(message: OutboxMessage, *, worker: str) -> Outcome:
    # Conditional on still holding the claim: only one worker ever records a message as sent.
    recorded = OutboxMessage.objects.filter(pk=message.pk, claimed_by=worker, sent_at__isnull=True).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        attempts=message.attempts + 1,
        last_error="",
        **_release(),
    )
    if recorded != 1:
        # The claim expired mid-send and another worker took the message over: it may be sent twice,
        # with the same Message-ID; the other worker records the delivery.
        logger.warning("notification sent after its claim expired", extra={"message_id": str(message.pk)})
    return Outcome.SENT


def describe_error(exc: BaseException) -> str:
    """The error's class and SMTP code, never its text: servers quote the rejected address in it."""
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    codes: list[int] = []
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({int(code) for code, _ in exc.recipients.values()})
    elif isinstance(exc, smtplib.SMTPResponseException):
        codes = [int(exc.smtp_code)]
    return " ".join([name, *map(str, codes)])[:200]


def _is_permanent(exc: BaseException) -> bool:
    """Retrying cannot help: the recipient itself was refused for good (5xx), or the SMS provider said so.

    Server-wide errors (authentication, a full mailbox server, a 5xx for the sender) are retried:
    they end when the operator fixes the configuration."""
    if isinstance(exc, PermanentSmsError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(int(code) >= 500 for code, _ in exc.recipients.values())
    return False


def _record_failure(message: OutboxMessage, exc: Exception, *, worker: str) -> Outcome:
    attempts = message.attempts + 1
    gave_up = _is_permanent(exc) or attempts >= settings.OUTBOX_MAX_ATTEMPTS
    error = describe_error(exc)
    changes: dict[str, Any] = {"attempts": attempts, "last_error": error, **_release()}
    if gave_up:
        changes["status"] = OutboxStatus.FAILED
    else:
        # From the claim's start: past the drain's cutoff, so one drain never tries a message twice.
        changes["available_at"] = (message.claimed_at or timezone.now()) + retry_delay(attempts)
    OutboxMessage.objects.filter(pk=message.pk, claimed_by=worker, sent_at__isnull=True).update(**changes)
    logger.warning(
        "notification not delivered",
        extra={
            "message_id": str(message.pk),
            "channel": message.channel,
            "attempt": attempts,
            "error": error,
            "gave_up": gave_up,
        },
    )
    return Outcome.FAILED if gave_up else Outcome.RETRY


# --- Administration -------------------------------------------------------------------------


def messages_retry(*, message_ids: Iterable[UUID | str]) -> list[UUID]:
    """Give failed messages a new round of attempts, starting now (the admin's "send again").

    Returns the ids of those that were failed and are pending again; other messages are left as
    they are (a pending one keeps its schedule, a sent one is never sent again)."""
    ids = [UUID(str(pk)) for pk in message_ids]
    with transaction.atomic():
        failed = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=ids, status=OutboxStatus.FAILED)
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=failed).update(
            status=OutboxStatus.PENDING, attempts=0, available_at=timezone.now()
        )
        for pk in failed:
            transaction.on_commit(partial(_kick, str(pk)), robust=True)
    return failed


def sent_purge(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete messages sent more than ``older_than`` ago: their links have expired and their
    recipients have them. Failed and pending messages stay. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _ = OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__lt=cutoff).delete()
    return deleted


@task()
def deliver_notification(message_id: str) -> str:
    """The prompt path: send one outbox message right after the transaction that queued it
    commits (at once with the default backend; by ``manage.py db_worker`` in production).
    ``manage.py deliver_outbox`` is the path that never misses: it sends whatever this did not.
    Safe to run twice: a message is claimed before it is sent and a sent message is never claimed
    again."""
    return str(deliver_message(message_id=message_id))
