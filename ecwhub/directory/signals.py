"""Signals the directory sends so other parts of the hub (the search index) can follow its changes."""

import logging
from collections.abc import Iterable
from uuid import UUID

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("ecwhub.directory")

# Sent after the transaction that changed one or more listings commits, with ``service_ids``: a
# list of the UUIDs of every service created, edited, verified or imported.
services_changed = Signal()


def _send(sender: object, ids: list[UUID]) -> None:
    # The change is committed already: a failing listener is logged, never reported as a failed change.
    for receiver, outcome in services_changed.send_robust(sender=sender, service_ids=ids):
        if isinstance(outcome, Exception):
            logger.error(
                "services_changed listener failed",
                exc_info=outcome,
                extra={"listener": getattr(receiver, "__qualname__", str(receiver)), "services": len(ids)},
            )


def announce_services_changed(service_ids: Iterable[UUID], *, sender: object) -> None:
    """Send ``services_changed`` once the surrounding transaction commits (nothing is sent on rollback)."""
    ids = list(dict.fromkeys(service_ids))
    if ids:
        transaction.on_commit(lambda: _send(sender, ids))
