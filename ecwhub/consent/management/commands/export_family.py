import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from ecwhub.accounts.models import User
from ecwhub.consent.export import family_export, family_export_html
from ecwhub.consent.models import Purpose
from ecwhub.consent.selectors import household_open


class Command(BaseCommand):
    help = (
        "Export everything the hub holds about one family, as the given user may see it "
        "(JSON or a readable HTML page). The export is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("household", help="the family's id (UUID)")
        parser.add_argument("--as", dest="email", required=True, help="e-mail of the user the export is made for")
        parser.add_argument("--format", choices=["json", "html"], default="json")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, household: str, email: str, format: str, output: Path | None, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError("--as: no active user has that e-mail address")
        membership = user.active_memberships().first()
        try:
            opened = household_open(
                user=user,
                membership=membership,
                household_id=household,
                purpose=Purpose.CARE_COORDINATION,
                detail="export",
            )
        except Http404:
            raise CommandError("household: no such family, or this user may not see it") from None
        data = family_export(user=user, membership=membership, household=opened.household)
        text = json.dumps(data, ensure_ascii=False, indent=2) if format == "json" else family_export_html(data)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {output}")
        else:
            self.stdout.write(text)
