"""Recompute every household's tier and its children's surveillance (run nightly: due and
overdue change with the calendar, not only with the data)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from ecwhub.care.services import tiers_recompute_all


class Command(BaseCommand):
    help = "Recompute risk tiers and child surveillance for every household, with progress."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done:,} of {total:,} households")

        count = tiers_recompute_all(progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Recomputed {count:,} households in {elapsed:.1f} s."))
