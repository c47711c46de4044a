"""Care listens to screening: when a screen is completed or a need changes status, the family's
tier is recomputed at once, so the coordinator sees the new needs and tier after the screen. And to
referrals: one that gives a need back (declined, failed, cancelled) or is sent recomputes the
family's place on the worklist.

A receiver (rather than a call from screening's services) keeps the dependency one way: screening
knows nothing of tiers. The receiver only calls the recompute service, inside the same
transaction, so a rolled-back screen leaves the tier as it was.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.dispatch import receiver

from ecwhub.referrals.models import ReferralEvent
from ecwhub.referrals.workflow import Status
from ecwhub.screening.models import NeedStatusChange, ScreeningResponse

from .models import NEVER, TierAssignment
from .returned import RETURNED
from .services import household_tier_recompute

RECOMPUTE_AFTER = frozenset({*RETURNED, Status.REQUESTED})


@receiver(post_save, sender=ScreeningResponse, dispatch_uid="care_tier_after_screen")
def _screen_completed(sender: type, instance: ScreeningResponse, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.status == ScreeningResponse.Status.COMPLETED and (update_fields is None or "status" in update_fields):
        household_tier_recompute([instance.household_id])


@receiver(post_save, sender=NeedStatusChange, dispatch_uid="care_tier_after_need_change")
def _need_changed(sender: type, instance: NeedStatusChange, created: bool = False, **kwargs: Any) -> None:
    # During screening_complete the response's own save recomputes; this covers later changes.
    if created and instance.source_response_id is None:
        household_tier_recompute([instance.need.household_id])


@receiver(post_save, sender=ReferralEvent, dispatch_uid="care_tier_after_referral")
def _referral_moved(sender: type, instance: ReferralEvent, created: bool = False, **kwargs: Any) -> None:
    # A referral that gives a need back ranks the family higher on the worklist; sending one for
    # that need takes it back down (``returned``).
    if not created or instance.from_status == instance.to_status or instance.to_status not in RECOMPUTE_AFTER:
        return
    household_id = instance.referral.household_id
    if instance.to_status == Status.REQUESTED:
        # Only a family ranked up by a need given back can move down when it is referred again.
        boosted = TierAssignment.objects.filter(household_id=household_id).exclude(
            positive_rank=Coalesce("latest_positive_screen_at", Value(NEVER))
        )
        if not boosted.exists():
            return
    household_tier_recompute([household_id])
