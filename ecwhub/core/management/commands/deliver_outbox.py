"""Send the notifications waiting in the outbox (docs/notifications.md).

``deliver_outbox --once`` sends every message due now and exits (for cron or a scheduler);
without it the command keeps going, looking for due messages every ``--interval`` seconds, until
it is stopped (SIGTERM or SIGINT end it after the message in hand). Any number may run at once.
Both delete sent messages older than ``OUTBOX_KEEP_SENT_DAYS`` (the loop once an hour).
"""

from __future__ import annotations

import signal
import time
from datetime import timedelta
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from ecwhub.core.outbox import DeliveryReport, deliver_due, sent_purge

# Deleting old sent messages is cheap but need not happen on every pass of the loop.
PURGE_EVERY_SECONDS = 3600


class Command(BaseCommand):
    help = "Send due notifications from the outbox; with --once, send what is due and exit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send every message due now, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=2.0,
            help="Seconds to wait when nothing is due before looking again (default 2).",
        )

    def handle(self, *args: object, **options: object) -> None:
        self.stopping = False
        self.verbosity = int(options["verbosity"])  # type: ignore[call-overload]
        if options["once"]:
            sent_purge(older_than=timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS))
            self._report(self._pass())
            return
        interval = float(options["interval"])  # type: ignore[arg-type]
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            last_purge = 0.0
            while not self.stopping:
                # A long-lived process: drop connections the database closed or that outlived CONN_MAX_AGE.
                close_old_connections()
                if time.monotonic() - last_purge >= PURGE_EVERY_SECONDS:
                    last_purge = time.monotonic()
                    sent_purge(older_than=timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS))
                report = self._pass()
                self._report(report)
                if report.attempted == 0:
                    self._sleep(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            close_old_connections()

    def _pass(self) -> DeliveryReport:
        return deliver_due(should_stop=lambda: self.stopping)

    def _report(self, report: DeliveryReport) -> None:
        if report.attempted and self.verbosity >= 1:
            self.stdout.write(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        # In short steps, so a stop signal is honoured promptly.
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, deadline - time.monotonic()))
