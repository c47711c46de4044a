"""Needs a referral gave back: the referral was declined, could not be completed, or was cancelled
(by the hub's timer, the referrer or the hub administrator, not by the family and not because the
need was met, was referred elsewhere or was sent twice) in the last ``RETURN_DAYS`` days, and the
need is still open with no open referral for it. The worklist shows such a need with the reason
and a way to refer again, and ranks the family as if it had screened positive when the referral
closed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, QuerySet

from ecwhub.referrals.models import ReferralEvent, ReferralNeed
from ecwhub.referrals.services import OPEN_NEED_STATUSES
from ecwhub.referrals.workflow import OPEN, Reason, Side, Status

RETURN_DAYS = 60
RETURNED = (Status.REJECTED, Status.FAILED, Status.CANCELLED)
# A cancellation for these reasons gives nothing back to do.
NOT_RETURNED = (Reason.FAMILY_DECLINED, Reason.NEED_RESOLVED, Reason.REFERRED_ELSEWHERE, Reason.DUPLICATE)


def returned_needs(at: datetime) -> QuerySet[ReferralNeed]:
    """The (referral, need) rows that put a need back on the worklist at ``at``."""
    by_family = ReferralEvent.objects.filter(referral=OuterRef("referral"), side=Side.FAMILY)
    referred_again = ReferralNeed.objects.filter(need=OuterRef("need"), referral__status__in=OPEN)
    return (
        ReferralNeed.objects.filter(
            referral__status__in=RETURNED,
            referral__closed_at__gte=at - timedelta(days=RETURN_DAYS),
            referral__closed_at__lte=at,
            need__status__in=OPEN_NEED_STATUSES,
        )
        .exclude(referral__status=Status.CANCELLED, referral__reason__in=NOT_RETURNED)
        .exclude(Exists(by_family))
        .exclude(Exists(referred_again))
    )


def latest_returned_at(household_ids: Sequence[uuid.UUID], at: datetime) -> dict[uuid.UUID, datetime]:
    """For each household with a need given back, when the latest such referral closed."""
    return dict(
        returned_needs(at)
        .filter(referral__household_id__in=list(household_ids))
        .values("referral__household_id")
        .annotate(last=Max("referral__closed_at"))
        .values_list("referral__household_id", "last")
    )
