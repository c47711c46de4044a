"""Reads of pathways, through the access policy, each audited; and the counts.

A pathway is part of the family's care plan (category ``care_plan``), read for care
coordination. One pathway is opened with its family (``household_open``): a user the policy does
not let see the family's care plan is told it does not exist. The counts are numbers only.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import households_visible
from ecwhub.consent.selectors import OpenedHousehold, audit_reads, household_open, rows_visible
from ecwhub.core.errors import NotFound
from ecwhub.referrals.models import Referral

from .models import Pathway, PathwayEvent, PathwayStep, Payer
from .services import LINKABLE_REFERRALS, may_review, may_work
from .workflow import Status


@dataclass
class OpenedPathway:
    pathway: Pathway
    opened: OpenedHousehold
    steps: list[PathwayStep]
    events: list[PathwayEvent]
    referrals: list[Referral] = field(default_factory=list)
    may_work: bool = False
    may_review: bool = False


def pathway_open_for_user(*, pathway_id: uuid.UUID | str, user: User, membership: Membership | None) -> OpenedPathway:
    """One pathway with its steps and events and, for its coordinators, the family's referrals a
    referral step may link to; audited. ``NotFound`` when the user may not see it."""
    try:
        pathway = Pathway.objects.select_related("definition", "coordinator", "organization").get(pk=pathway_id)
    except (Pathway.DoesNotExist, ValueError, ValidationError):
        raise NotFound from None
    opened = household_open(
        user=user,
        membership=membership,
        household_id=pathway.household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.CARE_PLAN,
        optional=[DataCategory.REFERRALS],
        audit=False,
    )
    if not rows_visible(opened, Pathway.objects.filter(pk=pathway.pk)).exists():
        raise NotFound  # about a person the user may not see
    pathway.household = opened.household
    steps = list(rows_visible(opened, PathwayStep.objects.filter(pathway=pathway)).select_related("referral__service"))
    events = list(
        rows_visible(opened, PathwayEvent.objects.filter(pathway=pathway)).select_related("actor", "organization")
    )
    shown = [DataCategory.CARE_PLAN]
    working = may_work(user, membership, pathway)
    referrals: list[Referral] = []
    if working and opened.may_see(DataCategory.REFERRALS):
        referrals = list(
            rows_visible(opened, Referral.objects.filter(status__in=LINKABLE_REFERRALS)).select_related("service")
        )
        shown.append(DataCategory.REFERRALS)
    if any(s.referral_id for s in steps) and opened.may_see(DataCategory.REFERRALS):
        shown.append(DataCategory.REFERRALS)
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[pathway.household_id],
        categories=sorted(set(shown)),
        purpose=Purpose.CARE_COORDINATION,
        detail=f"pathway {pathway.pk}",
    )
    return OpenedPathway(
        pathway=pathway,
        opened=opened,
        steps=steps,
        events=events,
        referrals=referrals,
        may_work=working,
        may_review=may_review(user, membership, pathway),
    )


def family_pathways(opened: OpenedHousehold) -> list[tuple[Pathway, list[PathwayStep]]]:
    """The opened family's pathways (newest first) with their steps, as far as the user may see."""
    pathways = list(
        rows_visible(opened, Pathway.objects.select_related("definition")).order_by("-initiated_on", "-created_at")
    )
    steps: dict[uuid.UUID, list[PathwayStep]] = defaultdict(list)
    for step in rows_visible(opened, PathwayStep.objects.filter(pathway__in=pathways)).order_by("pathway", "order"):
        steps[step.pathway_id].append(step)
    return [(p, steps.get(p.pk, [])) for p in pathways]


def review_queue(*, user: User, membership: Membership | None) -> list[Pathway]:
    """The closures the supervisor may review: pathways of their organization awaiting review,
    of families the policy lets them see, not their own; audited."""
    if membership is None or not membership.is_supervisor or membership.role != Role.COORDINATOR:
        return []
    visible = households_visible(
        user=user, membership=membership, category=DataCategory.CARE_PLAN, purpose=Purpose.CARE_COORDINATION
    )
    rows = list(
        Pathway.objects.filter(
            status=Status.AWAITING_REVIEW, organization_id=membership.organization_id, household__in=visible
        )
        .exclude(Q(coordinator=user) | Q(submitted_by=user))
        .select_related("coordinator", "submitted_by")
        .order_by("submitted_at", "id")
    )
    # One entry per family listed; an empty list still leaves one (the families were searched).
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[p.household_id for p in rows] or [None],  # type: ignore[list-item]
        categories=[DataCategory.CARE_PLAN],
        purpose=Purpose.CARE_COORDINATION,
        detail="pathway review queue",
    )
    return rows


# --- Counts -------------------------------------------------------------------------------------


class CountBy:
    COORDINATOR = "coordinator"
    ORGANIZATION = "organization"
    PAYER = "payer"
    MONTH = "month"

    ALL = ("coordinator", "organization", "payer", "month")


@dataclass
class CountRow:
    key: str
    label: str
    completed: int = 0
    finished_incomplete: int = 0
    awaiting_review: int = 0


def pathway_counts(
    *,
    start: datetime.date,
    end: datetime.date,
    by: str,
    organization_id: int | None = None,
) -> list[CountRow]:
    """Pathways counted in the period ``start``..``end`` (both days included), grouped ``by``
    coordinator, organization, payer or month: completed and finished incomplete by the day the
    supervisor approved the closure; awaiting review by the day the closure was submitted (those
    still awaiting review). ``organization_id``: only that organization's pathways. Numbers only."""
    if by not in CountBy.ALL:
        raise ValueError(f"unknown grouping {by!r}")
    tz = timezone.get_current_timezone()
    lower = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    upper = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    closed = Q(status__in=[Status.COMPLETE, Status.FINISHED_INCOMPLETE], closed_at__gte=lower, closed_at__lt=upper)
    awaiting = Q(status=Status.AWAITING_REVIEW, submitted_at__gte=lower, submitted_at__lt=upper)
    queryset = Pathway.objects.filter(closed | awaiting)
    if organization_id is not None:
        queryset = queryset.filter(organization_id=organization_id)
    rows: dict[str, CountRow] = {}
    values = queryset.values_list("status", "coordinator_id", "organization_id", "payer", "closed_at", "submitted_at")
    for status, coordinator_id, org_id, payer, closed_at, submitted_at in values:
        if by == CountBy.COORDINATOR:
            key = str(coordinator_id)
        elif by == CountBy.ORGANIZATION:
            key = str(org_id)
        elif by == CountBy.PAYER:
            key = payer
        else:
            moment = closed_at if status != Status.AWAITING_REVIEW else submitted_at
            key = timezone.localtime(moment).strftime("%Y-%m")
        row = rows.setdefault(key, CountRow(key=key, label=key))
        if status == Status.COMPLETE:
            row.completed += 1
        elif status == Status.FINISHED_INCOMPLETE:
            row.finished_incomplete += 1
        else:
            row.awaiting_review += 1
    _label(rows, by)
    return sorted(rows.values(), key=lambda r: (r.label.casefold(), r.key))


def _label(rows: dict[str, CountRow], by: str) -> None:
    if by == CountBy.COORDINATOR:
        users = User.objects.in_bulk([int(k) for k in rows])
        for key, row in rows.items():
            user = users.get(int(key))
            row.label = (user.get_full_name() or user.email) if user else key
    elif by == CountBy.ORGANIZATION:
        organizations = Organization.objects.in_bulk([int(k) for k in rows])
        for key, row in rows.items():
            organization = organizations.get(int(key))
            row.label = organization.name if organization else key
    elif by == CountBy.PAYER:
        labels = dict(Payer.choices)
        for key, row in rows.items():
            row.label = str(labels.get(key, _("Unknown")))


@dataclass(frozen=True)
class CountScope:
    """Whose pathways the user counts: every organization's (``organization_id`` None: the hub
    administrator) or one organization's (a supervisor's own)."""

    organization_id: int | None


def count_scope(user: User, membership: Membership | None) -> CountScope | None:
    """The user's ``CountScope``, or None when they may not count pathways."""
    if membership is None or not membership.is_active or not user.is_active:
        return None
    if membership.role == Role.HUB_ADMIN and membership.organization.is_hub:
        return CountScope(None)
    if membership.role == Role.COORDINATOR and membership.is_supervisor:
        return CountScope(membership.organization_id)
    return None
