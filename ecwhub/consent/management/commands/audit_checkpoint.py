from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecwhub.consent.audit import AuditChainError, audit_checkpoint


class Command(BaseCommand):
    help = (
        "Verify the audit log since the newest checkpoint and write its heads, signed, to a new checkpoint "
        "file in AUDIT_CHECKPOINT_DIR (run it regularly, e.g. every five minutes)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="verify the whole log first, not only what is new")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, result = audit_checkpoint(full=options["full"])
        except AuditChainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"checkpoint {path} written: {sum(c for c, _ in result.heads.values())} entries anchored")
