"""Signals the directory sends so other parts of the hub (the search index) can follow its changes."""

from collections.abc import Iterable
from uuid import UUID

from django.db import transaction
from django.dispatch import Signal

# Sent after the transaction that changed one or more listings commits, with ``service_ids``: a
# list of the UUIDs of every service created, edited, verified, imported or deleted.
services_changed = Signal()


def announce_services_changed(service_ids: Iterable[UUID], *, sender: object) -> None:
    """Send ``services_changed`` once the surrounding transaction commits (nothing is sent on rollback)."""
    ids = list(dict.fromkeys(service_ids))
    if ids:
        transaction.on_commit(lambda: services_changed.send(sender=sender, service_ids=ids))
