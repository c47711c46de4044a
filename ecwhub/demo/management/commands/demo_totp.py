"""Print the current two-factor code of a user, so the demo can be signed into without a phone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecwhub.accounts.models import User


class Command(BaseCommand):
    help = "Print the current six-digit two-factor code of a user's authenticator app (for the demo)."
    # A code lives 30 seconds: print it without waiting for the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the user's e-mail address")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email!r}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
        if device is None:
            raise CommandError(f"{email} has no confirmed authenticator app, so there is no code to show.")
        totp = TOTP(key=device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
