"""Audit entries of API reads the selectors and services leave unrecorded.

The hub administrator opens a referral to follow its course (``selectors.referral_open`` loads it
with its household and returns without an audit entry for that side): ``audit_course_read``
records that read, for the referrals category only (the family's data is not shown).

A refused request: the services read the family (under the policy) before they can refuse a
change (a create checks the household before the service, the person and the needs; a send, a
transition or a step loads the referral with its household before the rules and the version).
When they then refuse (422, 409) their transaction rolls back, and the audit entry of that read
with it. ``audit_refused_create`` and ``audit_refused_change`` record the read that was made,
outside that transaction, so a refused request is audited as the read it was.
Nothing else is written.
"""

from __future__ import annotations

import uuid

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.selectors import audit_reads

from .models import Referral
from .selectors import OpenedReferral
from .services import may_read, purpose_of, sides_of

# The create's inputs checked before the family is read: a refusal naming one of them read nothing.
CHECKED_BEFORE_THE_FAMILY = frozenset({"household", "Idempotency-Key", "__all__"})


def audit_refused_create(*, user: User, membership: Membership, household_id: uuid.UUID, field: str) -> None:
    """A create refused after the family was found and the policy let the user see it."""
    if field in CHECKED_BEFORE_THE_FAMILY:
        return
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[household_id],
        categories=[DataCategory.REFERRALS],
        purpose=Purpose.CARE_COORDINATION,
        detail=f"referral create refused ({field})",
    )


def audit_refused_change(*, user: User, membership: Membership, referral_id: uuid.UUID, what: str) -> None:
    """A change of a referral refused after it was loaded; only when the user may see it (otherwise
    the service answered "not found", which reads nothing the caller is shown)."""
    referral = Referral.objects.filter(pk=referral_id).select_related("household").first()
    if referral is None:
        return
    sides = sides_of(referral, user, membership)
    if not may_read(referral, user, membership, sides):
        return
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[referral.household_id],
        categories=[DataCategory.REFERRALS],
        purpose=purpose_of(sides),
        detail=f"referral {referral.pk} {what} refused",
    )


def audit_course_read(opened: OpenedReferral, *, user: User, membership: Membership) -> None:
    """The hub administrator read a referral's course (its statuses and events, no family data)."""
    if opened.opened is not None:
        return  # opened with the family: the selector audited it
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[opened.referral.household_id],
        categories=[DataCategory.REFERRALS],
        purpose=purpose_of(opened.sides),
        detail=f"referral {opened.referral.pk} course",
    )
