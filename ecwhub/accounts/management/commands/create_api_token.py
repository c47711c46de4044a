from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ecwhub.accounts.models import User
from ecwhub.accounts.services import MembershipError, api_token_create


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the user's e-mail address")
        parser.add_argument("name", help="a name to recognise the token by, e.g. the script using it")
        parser.add_argument("--days", type=int, default=90, help="days until the token expires (0: never)")

    def handle(self, *args: Any, email: str, name: str, days: int, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days must be 0 (never expires) or more")
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError("no active user has that e-mail address")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            _, token = api_token_create(acting_user=user, name=name, expires_at=expires_at)
        except MembershipError as exc:
            raise CommandError(f"{exc.field}: {exc}") from exc
        self.stdout.write(token)
