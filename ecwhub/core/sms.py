"""Text-message backends: the one place a text message leaves the hub.

``SMS_BACKEND`` names the class (docs/notifications.md). The hub ships three that need nothing
outside the machine: ``FileSmsBackend`` (the default: one file per message in ``SMS_FILE_PATH``),
``ConsoleSmsBackend`` (standard output) and ``LocmemSmsBackend`` (kept in ``outbox``, for tests).
A provider's backend (an HTTP API such as an SMS gateway) subclasses ``BaseSmsBackend`` and
implements ``send``: raise on failure, so the outbox retries with backoff, and raise
``PermanentSmsError`` when retrying cannot help (a number the provider refuses).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164: +15551234567
    body: str
    language: str
    # Stable across resends of the same notice, for providers that de-duplicate by a client reference.
    reference: str


class PermanentSmsError(Exception):
    """The provider refused the message for good; the outbox stops retrying it."""


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


def _render(message: SmsMessage, when: datetime) -> str:
    return (
        f"To: {message.to}\nReference: {message.reference}\nLanguage: {message.language}\n"
        f"Date: {when.isoformat()}\n\n{message.body}\n"
    )


class FileSmsBackend(BaseSmsBackend):
    """Writes each message to its own file, like Django's file e-mail backend."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path if path is not None else settings.SMS_FILE_PATH)

    def send(self, message: SmsMessage) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        target = self.path / f"{now:%Y%m%d-%H%M%S}-{message.reference}.txt"
        target.write_text(_render(message, now), encoding="utf-8")


class ConsoleSmsBackend(BaseSmsBackend):
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: SmsMessage) -> None:
        stream = self.stream or sys.stdout
        stream.write(_render(message, timezone.now()) + "-" * 40 + "\n")
        stream.flush()


# Messages sent through LocmemSmsBackend, in order (tests clear it).
outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def get_sms_backend() -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
