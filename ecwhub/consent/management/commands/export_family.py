import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecwhub.accounts.models import User
from ecwhub.consent.export import family_export, family_export_html, family_export_open
from ecwhub.core.errors import NotFound


class Command(BaseCommand):
    help = (
        "Export everything the hub holds about one family, as the given user may see it "
        "(JSON or a readable HTML page). The export is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("household", help="the family's id (UUID)")
        parser.add_argument("--as", dest="email", required=True, help="e-mail of the user the export is made for")
        parser.add_argument(
            "--organization",
            help="short name (slug) of the organization the user acts in; needed when they hold several memberships",
        )
        parser.add_argument("--format", choices=["json", "html"], default="json")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(
        self,
        *args: Any,
        household: str,
        email: str,
        organization: str | None,
        format: str,
        output: Path | None,
        **options: Any,
    ) -> None:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError("--as: no active user has that e-mail address")
        memberships = list(user.active_memberships())
        if organization:
            memberships = [m for m in memberships if m.organization.slug == organization]
        if len(memberships) != 1:
            raise CommandError(
                "--organization: the user holds no active membership there"
                if organization or not memberships
                else "--organization: the user holds several memberships; name the one the export is made in"
            )
        try:
            opened = family_export_open(user=user, membership=memberships[0], household_id=household)
        except NotFound:
            raise CommandError("household: no such family, or this user may not see it") from None
        if format == "json":
            text = json.dumps(family_export(opened), ensure_ascii=False, indent=2)
        else:
            text = family_export_html(opened)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {output}")
        else:
            self.stdout.write(text)
