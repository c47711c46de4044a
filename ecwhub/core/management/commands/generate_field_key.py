"""Print a new random key for FIELD_ENCRYPTION_KEYS (docs/encryption.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ecwhub.core.crypto import generate_key


class Command(BaseCommand):
    help = (
        "Print a new Fernet key for FIELD_ENCRYPTION_KEYS. Put it first in the list, keep the older keys, "
        "then run rotate_field_keys (docs/encryption.md)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key())
