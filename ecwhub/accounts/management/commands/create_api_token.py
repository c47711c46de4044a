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
        parser.add_argument(
            "--organization", help="short name (slug) of the organization the token acts in (when the user has several)"
        )
        parser.add_argument("--role", help="the role it acts in, when the user holds two roles in that organization")

    def handle(
        self,
        *args: Any,
        email: str,
        name: str,
        days: int,
        organization: str | None = None,
        role: str | None = None,
        **options: Any,
    ) -> None:
        if days < 0:
            raise CommandError("--days must be 0 (never expires) or more")
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError("no active user has that e-mail address")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        membership = None
        if organization or role:
            chosen = [
                m
                for m in user.active_memberships()
                if (not organization or m.organization.slug == organization) and (not role or m.role == role)
            ]
            if len(chosen) != 1:
                raise CommandError(
                    "--organization/--role: "
                    + (
                        "no active membership of this user matches"
                        if not chosen
                        else "several memberships match; add --role"
                    )
                )
            membership = chosen[0]
        try:
            _, token = api_token_create(acting_user=user, name=name, membership=membership, expires_at=expires_at)
        except MembershipError as exc:
            raise CommandError(f"{exc.field}: {exc}") from exc
        self.stdout.write(token)
