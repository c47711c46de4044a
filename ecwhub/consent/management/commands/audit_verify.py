from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecwhub.consent.audit import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain from the first entry; report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            where = f"entry {result.first_broken_id}" if result.first_broken_id else "the end of the log"
            raise CommandError(
                f"audit log broken at {where}: {result.problem} ({result.checked} entries before it are intact)"
            )
        self.stdout.write(f"audit log intact: {result.checked} entries verified")
