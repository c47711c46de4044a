"""Care listens to screening: when a screen is completed or a need changes status, the family's
tier is recomputed at once, so the coordinator sees the new needs and tier after the screen.

A receiver (rather than a call from screening's services) keeps the dependency one way: screening
knows nothing of tiers. The receiver only calls the recompute service, inside the same
transaction, so a rolled-back screen leaves the tier as it was.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from ecwhub.screening.models import NeedStatusChange, ScreeningResponse

from .services import household_tier_recompute


@receiver(post_save, sender=ScreeningResponse, dispatch_uid="care_tier_after_screen")
def _screen_completed(sender: type, instance: ScreeningResponse, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.status == ScreeningResponse.Status.COMPLETED and (update_fields is None or "status" in update_fields):
        household_tier_recompute([instance.household_id])


@receiver(post_save, sender=NeedStatusChange, dispatch_uid="care_tier_after_need_change")
def _need_changed(sender: type, instance: NeedStatusChange, created: bool = False, **kwargs: Any) -> None:
    # During screening_complete the response's own save recomputes; this covers later changes.
    if created and instance.source_response_id is None:
        household_tier_recompute([instance.need.household_id])
