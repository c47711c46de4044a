from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ecwhub.consent.retention import apply_retention


class Command(BaseCommand):
    help = "De-identify or purge the records of families inactive for longer than the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mode", choices=["deidentify", "purge"], default="deidentify")
        parser.add_argument(
            "--inactive-days",
            type=int,
            default=settings.RETENTION_INACTIVE_DAYS,
            help="days without activity before a family's record is affected (default: RETENTION_INACTIVE_DAYS)",
        )
        parser.add_argument("--dry-run", action="store_true", help="only count the families affected")

    def handle(self, *args: Any, mode: str, inactive_days: int, dry_run: bool, **options: Any) -> None:
        if inactive_days < 30:
            raise CommandError("--inactive-days must be at least 30")
        cutoff = timezone.now() - timedelta(days=inactive_days)
        result = apply_retention(cutoff=cutoff, mode=mode, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{result.matched} families inactive since {cutoff:%Y-%m-%d} would be {mode}d (dry run)")
        else:
            verb = "purged" if mode == "purge" else "de-identified"
            self.stdout.write(
                f"{result.changed} families inactive since {cutoff:%Y-%m-%d} {verb}; the audit log records each"
            )
