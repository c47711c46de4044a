"""Background work for care: thin, idempotent, safe to run twice."""

import contextvars

from django_tasks import task

from ecwhub.core.logging import request_id_var

from .services import tiers_recompute_all


@task()
def recompute_all_tiers() -> int:
    """Recompute every household's tier (after a rule changed).

    The work belongs to no request: with the immediate backend it runs inline in the admin's
    request, but it shows the administrator nothing, so it runs outside that request's context
    (its log lines and reads are the system's, not the administrator's)."""
    return contextvars.Context().run(_outside_request)


def _outside_request() -> int:
    request_id_var.set("-")
    return tiers_recompute_all()
