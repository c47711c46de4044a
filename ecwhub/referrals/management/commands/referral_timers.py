"""Fire the referral timers that are due: reminders, escalations, follow-up tasks and expiry
(docs/referrals.md). Production runs it every 15 minutes from cron or a systemd timer; running
it more often, or on several machines at once, fires nothing twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ecwhub.referrals.timers import referral_timers_run


class Command(BaseCommand):
    help = "Send referral reminders and escalations, create follow-up tasks and expire idle referrals."

    def handle(self, *args: object, **options: object) -> None:
        report = referral_timers_run()
        self.stdout.write(
            f"reminded {report.reminded}, escalated {report.escalated}, "
            f"follow-ups {report.followed_up}, expired {report.expired}, errors {report.errors}"
        )
        if report.errors:
            # A non-zero exit makes cron or systemd report it; the failures are in the log.
            raise CommandError(f"{report.errors} referral timer(s) failed; see the log.")
