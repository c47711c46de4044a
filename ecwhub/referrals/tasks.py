"""Background work for referrals: thin, idempotent, safe to run twice."""

from __future__ import annotations

import contextvars
from dataclasses import asdict

from django_tasks import task

from ecwhub.core.logging import request_id_var

from .timers import referral_timers_run


@task()
def run_referral_timers() -> dict[str, int]:
    """Fire the referral timers that are due (reminders, escalations, follow-ups, expiry); returns
    how many of each fired. A scheduler enqueues it every 15 minutes (docs/referrals.md).

    It belongs to no request: its log lines are the system's, whoever enqueued it."""
    return contextvars.Context().run(_outside_request)


def _outside_request() -> dict[str, int]:
    request_id_var.set("-")
    return asdict(referral_timers_run())
