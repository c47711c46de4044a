from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecwhub.consent.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit log: every partition's chain of signed entries up to its head, and that the log "
        "still reaches every checkpoint in AUDIT_CHECKPOINT_DIR. Report the first problem."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            where = f"entry {result.first_broken_id}" if result.first_broken_id else "the end of the log"
            raise CommandError(
                f"audit log broken at {where}: {result.problem} ({result.checked} entries before it are intact)"
            )
        self.stdout.write(f"audit log intact: {result.checked} entries verified in {len(result.heads)} partitions")
        if result.latest_checkpoint is None:
            self.stdout.write(
                "no checkpoint: entries removed from the end of the log would go unnoticed "
                "(run audit_checkpoint regularly; docs/privacy.md)"
            )
        else:
            self.stdout.write(
                f"the log reaches all {result.checkpoints} checkpoints, "
                f"the newest of {result.latest_checkpoint:%Y-%m-%d %H:%M:%S} UTC"
            )
