"""Writes of the identity app that a person triggers (the batch linkage writes in :mod:`.batch`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ecwhub.accounts.models import User

from .models import MatchReview


class ReviewAlreadyDecided(Exception):
    """The pair was decided already (by someone else, or in another tab)."""


def match_review_decide(*, acting_user: User, review: MatchReview, status: str) -> MatchReview:
    """Record a reviewer's decision on a pending pair: "same" or "different".

    The caller has checked that the user may see both records (access policy) and audits the
    read; this records who decided and when. Raises ``ValueError`` for another status and
    :class:`ReviewAlreadyDecided` when the pair is no longer pending (the row is locked, so two
    reviewers cannot both decide it).
    """
    if status not in (MatchReview.Status.SAME, MatchReview.Status.DIFFERENT):
        raise ValueError(f"status: must be 'same' or 'different', not {status!r}")
    with transaction.atomic():
        locked = MatchReview.objects.select_for_update().get(pk=review.pk)
        if locked.status != MatchReview.Status.PENDING:
            raise ReviewAlreadyDecided(str(locked.pk))
        locked.status = status
        locked.decided_by = acting_user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked
