"""Print the current two-factor code of a demo user, so the demo can be signed into without a phone.

Only the accounts ``seed_demo`` creates (addresses at the demo domain, which RFC 2606 reserves, so
no real person has one) qualify: for anyone else the code is their second factor, and printing it
to whoever can run a management command would remove that factor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecwhub.accounts.models import User
from ecwhub.demo.data import DEMO_EMAIL_DOMAIN


class Command(BaseCommand):
    help = (
        "Print the current six-digit two-factor code of a demo user's authenticator app "
        f"(accounts at @{DEMO_EMAIL_DOMAIN} that seed_demo created; no one else)."
    )
    # A code lives 30 seconds: print it without waiting for the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the user's e-mail address")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip().lower()
        # Refused before the database is asked, so the answer says nothing about who has an account.
        if not email.endswith(f"@{DEMO_EMAIL_DOMAIN}"):
            raise CommandError(
                f"demo_totp shows the codes of demo accounts only (addresses at @{DEMO_EMAIL_DOMAIN}, "
                f"created by seed_demo); {email!r} is not one. Everyone else reads their code from "
                "their own authenticator app."
            )
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email!r}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
        if device is None:
            raise CommandError(f"{email} has no confirmed authenticator app, so there is no code to show.")
        totp = TOTP(key=device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
