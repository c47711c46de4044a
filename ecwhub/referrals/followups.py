"""The referring coordinator's follow-up tasks (``ReferralFollowUp``, made by the timers when an
accepted referral has no outcome in time): listed at the top of "Referrals sent", done when the
referral closes, when the coordinator records a step on it (a referral outside the hub), or when
the coordinator says they followed up.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import households_visible
from ecwhub.consent.selectors import audit_reads
from ecwhub.core.errors import NotFound

from .models import ReferralFollowUp
from .services import (
    NOTE_MAX,
    REFERRING_ROLES,
    ReferralError,
    audit_referral,
    event_record,
    referral_for_action,
    sides_of,
)
from .workflow import Side

FOLLOWED_UP = "followed-up"


def followups_open(*, user: User, membership: Membership | None) -> list[ReferralFollowUp]:
    """The user's follow-ups not yet done, on referrals of families the policy lets them see for
    care coordination, oldest due first; audited (the referrals' reference and service are shown)."""
    if membership is None or membership.role not in REFERRING_ROLES:
        return []
    households = households_visible(
        user=user, membership=membership, category=DataCategory.REFERRALS, purpose=Purpose.CARE_COORDINATION
    ).values("pk")
    queryset = ReferralFollowUp.objects.filter(
        assigned_to=user,
        done_at__isnull=True,
        referral__referring_organization_id=membership.organization_id,
        referral__household__in=households,
    )
    # Most coordinators have none: an existence check reads nothing of a family.
    if not queryset.exists():
        return []
    tasks = list(queryset.select_related("referral__service", "referral__receiving_organization").order_by("due", "id"))
    if tasks:
        audit_reads(
            user=user,
            membership=membership,
            household_ids=list(dict.fromkeys(t.referral.household_id for t in tasks)),
            categories=[DataCategory.REFERRALS],
            purpose=Purpose.CARE_COORDINATION,
            detail="referral follow-ups",
        )
    return tasks


def followup_mark_done(
    *, acting_user: User, membership: Membership | None, referral_id: uuid.UUID | str, note: str = ""
) -> ReferralFollowUp:
    """The coordinator followed up with the service and the family: the task is done, and the
    referral's course says so (an event ``followed-up``, with the note, and the audit entry). The
    referral's state and version do not change: the outcome is still the receiver's to record.

    Raises ``NotFound`` when the user has no open follow-up on a referral they may act on, and
    ``ReferralError`` on ``note`` for a note too long; nothing is written then."""
    if len(note) > NOTE_MAX:
        raise ReferralError("note", _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX})
    with transaction.atomic():
        try:
            referral = referral_for_action(referral_id=referral_id, user=acting_user, membership=membership)
        except (ValueError, ValidationError):
            raise NotFound from None
        if Side.REFERRER not in sides_of(referral, acting_user, membership):
            raise NotFound
        task = (
            ReferralFollowUp.objects.select_for_update()
            .filter(referral=referral, assigned_to=acting_user, done_at__isnull=True)
            .first()
        )
        if task is None:
            raise NotFound
        now = timezone.now()
        task.done_at = now
        task.save(update_fields=["done_at"])
        event_record(
            referral,
            acting_user,
            membership,
            Side.REFERRER,
            FOLLOWED_UP,
            referral.status,
            referral.status,
            note=note.strip(),
        )
        audit_referral(referral, acting_user, membership, FOLLOWED_UP, Purpose.CARE_COORDINATION)
        return task


def followups_reassign(
    *, acting_user: User, membership: Membership | None, household_id: uuid.UUID, from_user: User, to_user: User
) -> int:
    """The family's designated coordinator changed: the open follow-ups ``from_user`` had on the
    family's referrals move to ``to_user`` (done ones stay with who did them). Runs in the caller's
    transaction (the transfer's); one audit entry per moved task. Returns how many moved."""
    moved = list(
        ReferralFollowUp.objects.select_for_update(of=("self",))
        .filter(referral__household_id=household_id, assigned_to=from_user, done_at__isnull=True)
        .order_by("id")
        .values_list("pk", "referral_id", "referral__person_id")
    )
    if not moved:
        return 0
    ReferralFollowUp.objects.filter(pk__in=[pk for pk, _referral, _person in moved]).update(assigned_to=to_user)
    for _pk, referral_id, person_id in moved:
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=household_id,
            person_id=person_id,
            categories=[DataCategory.REFERRALS],
            purpose=Purpose.CARE_COORDINATION,
            detail=f"referral {referral_id} follow-up moved to user {to_user.pk}",
        )
    return len(moved)
