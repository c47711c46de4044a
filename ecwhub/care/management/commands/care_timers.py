"""Open the "contact due" tasks of families not reached within their tier's contact frequency
(docs/care.md). Production runs it every hour from cron or a systemd timer; running it more
often, or on several machines at once, opens nothing twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ecwhub.care.care_tasks import contact_timers_run


class Command(BaseCommand):
    help = "Open a contact-due task for each family not reached within its tier's contact frequency."

    def handle(self, *args: object, **options: object) -> None:
        report = contact_timers_run()
        self.stdout.write(f"families checked {report.families_checked}, contact tasks opened {report.opened}")
