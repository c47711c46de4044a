"""The hub administrator's escalated referrals: those the timers reported to the hub
(``escalated_at``) that still wait for the receiving organization's answer.

The hub administrator reads no family records: the list shows the referral's reference, the
receiving organization, the service and how long it has waited, never the family, the person or
the needs. From it they remind the organization again, or cancel the referral for lack of
capacity (through ``services.referral_transition``, as the hub's side, so the referrer is told).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.core.errors import NotFound

from .models import Referral, ReferralEvent
from .services import RECEIVING_ROLES, event_record, staff_notice
from .timers import SUBJECT_REMINDER, business_days_between
from .workflow import AWAITING_ANSWER, Side

HUB_REMINDED = "reminded-by-hub"


def is_hub_admin(membership: Membership | None) -> bool:
    return (
        membership is not None
        and membership.is_active
        and membership.role == Role.HUB_ADMIN
        and membership.organization.is_hub
    )


@dataclass(frozen=True)
class EscalatedRow:
    referral: Referral
    days_waiting: int
    escalated_at: datetime
    reminders: int


def escalated_referrals(*, membership: Membership | None, now: datetime | None = None) -> list[EscalatedRow]:
    """The escalated referrals still waiting for an answer, longest waiting first (only for a hub
    administrator; ``NotFound`` otherwise). Reads no family data: nothing of a family is loaded."""
    if not is_hub_admin(membership):
        raise NotFound
    now = now or timezone.now()
    referrals = (
        Referral.objects.filter(escalated_at__isnull=False, status__in=AWAITING_ANSWER)
        .select_related("service", "receiving_organization")
        .only(
            "id",
            "status",
            "version",
            "sent_at",
            "escalated_at",
            "service__name",
            "receiving_organization__name",
        )
        .order_by("sent_at", "id")
    )
    rows = list(referrals)
    reminded = dict(
        ReferralEvent.objects.filter(referral__in=[r.pk for r in rows], action=HUB_REMINDED)
        .values("referral_id")
        .annotate(n=Count("id"))
        .values_list("referral_id", "n")
    )
    return [
        EscalatedRow(
            referral=r,
            days_waiting=business_days_between(r.sent_at, now) if r.sent_at else 0,
            escalated_at=r.escalated_at,  # type: ignore[arg-type]  # filtered on not null
            reminders=reminded.get(r.pk, 0),
        )
        for r in rows
    ]


def escalation_remind(*, acting_user: User, membership: Membership | None, referral_id: uuid.UUID | str) -> int:
    """Remind the receiving organization's staff again (an e-mail each, in their language, with a
    key of its own so it is sent even though the timer's reminder was), and record it on the
    referral as an event ``reminded-by-hub``. Like the timers' reminders it is not activity: the
    version and ``updated_at`` stay, so nobody's open form conflicts. Returns how many were told.

    ``NotFound`` for anyone but a hub administrator, or a referral that is not escalated and
    waiting for an answer."""
    if not is_hub_admin(membership):
        raise NotFound
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update()
            .filter(pk=referral_id, escalated_at__isnull=False, status__in=AWAITING_ANSWER)
            .first()
        )
        if referral is None or referral.receiving_organization_id is None:
            raise NotFound
        event = event_record(
            referral, acting_user, membership, Side.HUB, HUB_REMINDED, referral.status, referral.status
        )
        staff = User.objects.filter(
            memberships__organization_id=referral.receiving_organization_id,
            memberships__role__in=RECEIVING_ROLES,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
        told = 0
        for user in staff:
            if user.email:
                told += 1
            staff_notice(
                user, referral, f"timer:hub-reminder-{event.seq}", SUBJECT_REMINDER, "referrals/email/reminder.txt"
            )
        audit_write(
            user=acting_user,
            membership=membership,
            household_id=referral.household_id,
            categories=[DataCategory.REFERRALS],
            purpose=Purpose.CARE_COORDINATION,
            detail=f"referral {referral.pk} {HUB_REMINDED}",
        )
        return told
