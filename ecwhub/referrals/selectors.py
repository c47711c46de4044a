"""Reads of referrals, through the access policy, each audited.

A referral is family data (category "referrals"): the referring side reads it for care
coordination, the receiving side for the referral (``services.purpose_of``). Lists are filtered in
the database to the families the policy lets the user see; one referral is opened with its family
(``household_open``), so what the page shows of the family is what the policy allows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.policy import FamilyAccess, households_visible
from ecwhub.consent.selectors import (
    OpenedHousehold,
    audit_reads,
    household_open,
    members_visible,
    own_household_id,
    rows_visible,
)
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Person
from ecwhub.screening.models import ROW_CATEGORIES

from .models import Referral, ReferralEvent, ReferralNeed
from .services import REFERRAL_RELATED, may_read, purpose_of, referral_access, sides_of
from .workflow import AWAITING_ANSWER, CLOSED, OPEN, UNDER_WAY, BusinessStatus, Side, Status

PER_PAGE = 25
NEED_CATEGORIES = tuple(c for c in ROW_CATEGORIES if c != DataCategory.SCREENING_RESULTS)


class Box:
    """The lists: what the user's organization sent, and what it received."""

    SENT = "sent"
    RECEIVED = "received"


# The inbox's tabs: which referrals each shows.
FILTERS: dict[str, Q] = {
    "new": Q(status__in=AWAITING_ANSWER),
    "waiting": Q(status__in=UNDER_WAY) & ~Q(business_status=BusinessStatus.APPOINTMENT_SCHEDULED),
    "scheduled": Q(status__in=UNDER_WAY, business_status=BusinessStatus.APPOINTMENT_SCHEDULED),
    # Past its timers: not answered after the reminder, or no outcome by the follow-up's date.
    "overdue": Q(status__in=AWAITING_ANSWER, answer_reminded_at__isnull=False)
    | Q(status__in=UNDER_WAY, followup__isnull=False, followup__done_at__isnull=True),
    "open": Q(status__in=OPEN),
    "closed": Q(status__in=CLOSED),
    "all": Q(),
}


@dataclass
class OpenedReferral:
    referral: Referral
    sides: frozenset[str]
    opened: OpenedHousehold | None
    needs: list[ReferralNeed] = field(default_factory=list)
    events: list[ReferralEvent] = field(default_factory=list)
    person: Person | None = None
    members: list[Person] = field(default_factory=list)
    # The user's access to the family that decided this read (None: the hub's course only).
    access: FamilyAccess | None = None

    @property
    def family_side(self) -> bool:
        return Side.FAMILY in self.sides


def referral_open(
    *,
    referral_id: uuid.UUID | str,
    user: User,
    membership: Membership | None,
    detail: str = "referral",
    action: str = AuditEntry.Action.READ,
    referral: Referral | None = None,
) -> OpenedReferral:
    """One referral with its family, needs and events, as far as the user may see them; audited
    (``action``: an export, such as the PDF, is audited as one). ``NotFound`` when the user has no
    side in it or the policy does not let them see it. ``referral``: the referral with
    ``services.REFERRAL_RELATED``, as a service just loaded and changed it (it is not read again;
    the policy is still asked, as for any read)."""
    if referral is None or str(referral.pk) != str(referral_id) or not _loaded_with_related(referral):
        try:
            referral = Referral.objects.select_related(*REFERRAL_RELATED).filter(pk=referral_id).get()
        except (Referral.DoesNotExist, ValueError, ValidationError):
            raise NotFound from None
    sides = sides_of(referral, user, membership)
    # One access for the request: whether the user may act on the referral, and what they may see
    # of the family, are decided on the same facts, read once.
    access = referral_access(referral, user, membership, sides)
    if not may_read(referral, user, membership, sides, access):
        raise NotFound
    events = list(referral.events.select_related("actor", "organization").order_by("seq"))
    if sides == {Side.HUB}:
        # The hub administrator sees the referral's course, never the family.
        return OpenedReferral(referral, sides, None, events=events)
    purpose = Purpose.CARE_COORDINATION if Side.FAMILY in sides else purpose_of(sides)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=referral.household_id,
        purpose=purpose,
        required=DataCategory.REFERRALS,
        optional=[DataCategory.IDENTITY_CONTACT, DataCategory.DEMOGRAPHICS, *NEED_CATEGORIES],
        audit=False,
        access=access if access.purpose == purpose else None,
    )
    needs = list(rows_visible(opened, ReferralNeed.objects.filter(referral=referral).select_related("need")))
    members = members_visible(opened)
    person = next((m for m in members if m.pk == referral.person_id), None)
    shown = {DataCategory.REFERRALS, *(rn.need.category for rn in needs)}
    if members:
        shown.add(DataCategory.IDENTITY_CONTACT)
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[referral.household_id],
        categories=sorted(shown),
        purpose=purpose,
        action=action,
        detail=("break-glass " if opened.break_glass else "") + f"{detail} {referral.pk}",
    )
    return OpenedReferral(referral, sides, opened, needs, events, person, members, access)


def _loaded_with_related(referral: Referral) -> bool:
    return all(Referral._meta.get_field(name).is_cached(referral) for name in REFERRAL_RELATED)  # type: ignore[union-attr]


def _visible(user: User, membership: Membership, purpose: str) -> QuerySet[Referral]:
    households = households_visible(
        user=user, membership=membership, category=DataCategory.REFERRALS, purpose=purpose
    ).values("pk")
    return Referral.objects.filter(household__in=households)


def referrals_page(
    *,
    user: User,
    membership: Membership | None,
    box: str,
    tab: str = "open",
    page_number: int | str = 1,
    per_page: int = PER_PAGE,
    mine_only: bool = False,
) -> Page[Referral]:
    """A page of the referrals the user's organization sent (``Box.SENT``; ``mine_only``: those the
    user made) or received (``Box.RECEIVED``), of families the policy lets them see, newest
    first, filtered by ``tab`` (``FILTERS``). Audits the families shown."""
    if membership is None or membership.role in (Role.FAMILY_MEMBER, Role.ANALYST, Role.HUB_ADMIN):
        return Paginator(Referral.objects.none(), per_page).get_page(1)
    condition = FILTERS.get(tab, FILTERS["open"])
    if box == Box.RECEIVED:
        purpose = Purpose.REFERRAL
        queryset = _visible(user, membership, purpose).filter(receiving_organization_id=membership.organization_id)
        queryset = queryset.exclude(status=Status.DRAFT)
    else:
        purpose = Purpose.CARE_COORDINATION
        queryset = _visible(user, membership, purpose).filter(referring_organization_id=membership.organization_id)
        if mine_only:
            queryset = queryset.filter(referred_by=user)
    queryset = queryset.filter(condition).select_related(
        "service", "receiving_organization", "referring_organization", "person", "household"
    )
    page: Page[Referral] = Paginator(queryset.order_by("-updated_at", "id"), per_page).get_page(page_number)
    page.object_list = list(page.object_list)
    audit_reads(
        user=user,
        membership=membership,
        household_ids=list(dict.fromkeys(r.household_id for r in page.object_list)),
        categories=[DataCategory.REFERRALS],
        purpose=purpose,
        detail=f"referrals {box}",
    )
    return page


def box_counts(*, user: User, membership: Membership | None, box: str) -> dict[str, int]:
    """How many referrals each tab holds (numbers only; nothing about a family is shown)."""
    if membership is None or membership.role in (Role.FAMILY_MEMBER, Role.ANALYST, Role.HUB_ADMIN):
        return dict.fromkeys(FILTERS, 0)
    if box == Box.RECEIVED:
        queryset = (
            _visible(user, membership, Purpose.REFERRAL)
            .filter(receiving_organization_id=membership.organization_id)
            .exclude(status=Status.DRAFT)
        )
    else:
        queryset = _visible(user, membership, Purpose.CARE_COORDINATION).filter(
            referring_organization_id=membership.organization_id
        )
    return {tab: queryset.filter(condition).count() for tab, condition in FILTERS.items()}


def family_referrals(opened: OpenedHousehold) -> list[Referral]:
    """The opened family's referrals the reader may see (drafts only for staff), newest first."""
    queryset = rows_visible(opened, Referral.objects.all()).select_related(
        "service", "receiving_organization", "referring_organization", "person"
    )
    if opened.membership is not None and opened.membership.role == Role.FAMILY_MEMBER:
        queryset = queryset.exclude(status__in=[Status.DRAFT, Status.ENTERED_IN_ERROR])
    return list(queryset.order_by("-created_at", "id"))


def own_referrals(*, user: User, membership: Membership | None) -> tuple[OpenedHousehold | None, list[Referral]]:
    """A family member's own family's referrals (opened and audited), or (None, []) when their
    sign-in is not linked to a family yet."""
    household_id = own_household_id(user)
    if household_id is None:
        return None, []
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.REFERRALS,
        optional=NEED_CATEGORIES,
        detail="own referrals",
    )
    return opened, family_referrals(opened)
