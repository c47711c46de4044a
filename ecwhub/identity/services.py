"""Writes of the identity app that a person triggers (the batch linkage writes in :mod:`.batch`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, User
from ecwhub.families.merging import MergeError, household_merge, person_merge
from ecwhub.families.models import Household, Person

from .models import MatchReview


def _out_of_date() -> MergeError:
    """What the reviewer saw is no longer what is stored: a record of the pair was merged or moved meanwhile."""
    return MergeError("__all__", _("These records changed a moment ago. Nothing was changed; look at them again."))


class ReviewAlreadyDecided(Exception):
    """The pair was decided already (by someone else, or in another tab)."""


def match_review_decide(*, acting_user: User, review: MatchReview, status: str) -> MatchReview:
    """Record a reviewer's decision on a pending pair: "same" or "different".

    The caller has checked that the user may see both records (access policy) and audits the
    read; this records who decided and when. Raises ``ValueError`` for another status and
    :class:`ReviewAlreadyDecided` when the pair is no longer pending. The row is locked and
    re-read, so of two reviewers deciding at once the second waits for the first and then finds
    the pair decided, or gone: a "same" decision merges the two records, and the merge removes
    the pair that pointed at both (it is kept in the merge's snapshot and comes back on undo).
    """
    if status not in (MatchReview.Status.SAME, MatchReview.Status.DIFFERENT):
        raise ValueError(f"status: must be 'same' or 'different', not {status!r}")
    with transaction.atomic():
        locked = MatchReview.objects.select_for_update().filter(pk=review.pk).first()
        if locked is None or locked.status != MatchReview.Status.PENDING:
            raise ReviewAlreadyDecided(str(review.pk))
        locked.status = status
        locked.decided_by = acting_user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def match_review_resolve(*, acting_user: User, membership: Membership, review: MatchReview, status: str) -> MatchReview:
    """Decide a pending pair and act on it, in one transaction: "different" only records the
    decision; "same" also merges the two records, with their two families when they differ, as one
    merge (one row, which the family's page undoes in one step).

    The caller has checked that the user may change both families and audited the read.
    Raises ``ValueError`` for another status, :class:`ReviewAlreadyDecided` when someone decided
    the pair first, and ``MergeError`` (nothing written) when the merge cannot be done, for
    instance because one of the records was merged into a third one a moment ago.
    """
    if status not in (MatchReview.Status.SAME, MatchReview.Status.DIFFERENT):
        raise ValueError(f"status: must be 'same' or 'different', not {status!r}")
    with transaction.atomic():
        if status == MatchReview.Status.DIFFERENT:
            return match_review_decide(acting_user=acting_user, review=review, status=status)
        if review.person_b_id is None:
            raise ValueError("review: the other record is in an agency file, so there is nothing to merge it with")
        pair = (review.person_a_id, review.person_b_id)  # the two records the reviewer saw
        # Families first, as every merge locks them (merging.py): the merge then moves rows that
        # point at these records, other pairs among them, which a reviewer locking the pair first
        # and the families second could be holding, and the two would wait for each other.
        families = dict(Person.objects.filter(pk__in=pair).values_list("pk", "household_id"))
        locked = {h.pk for h in Household.objects.select_for_update().filter(pk__in=families.values()).order_by("pk")}
        decided = match_review_decide(acting_user=acting_user, review=review, status=status)
        if (decided.person_a_id, decided.person_b_id) != pair or len(families) != 2 or set(families.values()) != locked:
            # A record of the pair was merged with a third one since the reviewer saw it: merging
            # the moved pair would join records the reviewer never compared.
            raise _out_of_date()
        survivor, merged = Person.objects.get(pk=pair[0]), Person.objects.get(pk=pair[1])
        if not {survivor.household_id, merged.household_id} <= locked:
            raise _out_of_date()
        if survivor.household_id != merged.household_id:
            # One decision, one merge: the families and the person's two records together, so one
            # undo on the family's page takes the whole decision back.
            household_merge(
                acting_user=acting_user,
                membership=membership,
                survivor=survivor.household,
                merged=merged.household,
                people=(survivor, merged),
            )
        else:
            person_merge(acting_user=acting_user, membership=membership, survivor=survivor, merged=merged)
    return decided
