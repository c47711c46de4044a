"""Keep the search index in step with the directory.

The directory's own write paths (HSDS import, listing edits, verification, the demo seed) send
``directory.signals.services_changed`` after they commit; edits made elsewhere (the admin site)
are caught by the model signals. Handlers only say *which* services changed;
``search_index_rebuild`` does the work after the transaction commits, so a rolled-back edit never
reaches the index.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ecwhub.accounts.models import Organization
from ecwhub.directory.models import Service, ServiceLanguage, ServiceNeed
from ecwhub.directory.signals import services_changed

from .index import search_index_rebuild


def _refresh(*service_ids: Any) -> None:
    ids = [i for i in service_ids if i is not None]
    if ids:
        transaction.on_commit(lambda: search_index_rebuild(service_ids=ids))


@receiver([post_save, post_delete], sender=Service)
def _service_changed(sender: type, instance: Service, **kwargs: Any) -> None:
    _refresh(instance.pk)


@receiver([post_save, post_delete], sender=ServiceNeed)
@receiver([post_save, post_delete], sender=ServiceLanguage)
def _service_part_changed(sender: type, instance: ServiceNeed | ServiceLanguage, **kwargs: Any) -> None:
    _refresh(instance.service_id)


@receiver(post_save, sender=Organization)
def _organization_changed(sender: type, instance: Organization, created: bool, **kwargs: Any) -> None:
    if not created:
        _refresh(*instance.services.values_list("pk", flat=True))


@receiver(services_changed)
def _services_changed(sender: object, service_ids: list[Any], **kwargs: Any) -> None:
    # Sent after commit already: rebuild now.
    search_index_rebuild(service_ids=service_ids)
