"""Reads of family data, through the access policy, each leaving its audit entry.

Views, API handlers and exports read families only through these functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404

from ecwhub.accounts.models import Membership, Organization, User
from ecwhub.families.models import SENSITIVE_NOTE_CATEGORIES, Household, SensitiveNote

from .audit import AuditLine, audit_append
from .models import AuditEntry, DataCategory, Purpose
from .policy import decide, households_visible


def audit_reads(
    *,
    user: User,
    membership: Membership | None,
    household_ids: Iterable[uuid.UUID],
    categories: Sequence[str],
    purpose: str,
    action: str = AuditEntry.Action.READ,
    detail: str = "",
) -> None:
    audit_append(
        AuditLine(
            action=action,
            actor_id=user.pk,
            organization_id=membership.organization_id if membership else None,
            role=membership.role if membership else "",
            household_id=household_id,
            categories=categories,
            purpose=purpose,
            detail=detail,
        )
        for household_id in household_ids
    )


@dataclass(frozen=True)
class OpenedHousehold:
    household: Household
    categories: tuple[str, ...]
    break_glass: bool


def household_open(
    *,
    user: User,
    membership: Membership | None,
    household_id: uuid.UUID | str,
    purpose: str,
    required: str = DataCategory.IDENTITY_CONTACT,
    optional: Iterable[str] = (),
    detail: str = "",
) -> OpenedHousehold:
    """The household, if the user may see its ``required`` category for ``purpose``; 404 otherwise
    (the same answer as for a household that does not exist). Also says which ``optional``
    categories may be shown, and audits exactly what was opened."""
    try:
        household = Household.objects.get(pk=household_id)
    except (Household.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    decision = decide(user=user, membership=membership, household=household, category=required, purpose=purpose)
    if not decision:
        raise Http404
    shown = [required] + [
        c
        for c in optional
        if c != required and decide(user=user, membership=membership, household=household, category=c, purpose=purpose)
    ]
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[household.pk],
        categories=shown,
        purpose=purpose,
        detail=("break-glass " if decision.break_glass else "") + detail,
    )
    return OpenedHousehold(household, tuple(shown), decision.break_glass)


def households_page(
    *,
    user: User,
    membership: Membership | None,
    purpose: str,
    page_number: int | str = 1,
    per_page: int = 25,
    category: str = DataCategory.IDENTITY_CONTACT,
    postal_code: str = "",
) -> Page[Household]:
    """One page of the households the user may see, filtered in the database; audits the rows shown."""
    queryset = households_visible(user=user, membership=membership, category=category, purpose=purpose)
    if postal_code:
        queryset = queryset.filter(postal_code=postal_code)
    queryset = queryset.order_by("-updated_at", "id").prefetch_related("members")
    page = Paginator(queryset, per_page).get_page(page_number)
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[h.pk for h in page.object_list],
        categories=[category],
        purpose=purpose,
        detail="list",
    )
    return page


@dataclass(frozen=True)
class Disclosure:
    at: datetime
    action: str
    action_label: str
    who: str
    organization: str
    role: str
    categories: tuple[str, ...]
    purpose: str
    emergency: bool


def disclosures(*, household: Household) -> list[Disclosure]:
    """Who saw or changed what about this family, and when (the accounting of disclosures).
    The caller has opened the household through ``household_open``, which audited this read."""
    entries = list(AuditEntry.objects.filter(household_id=household.pk).order_by("-at", "-id"))
    users = {u.pk: u for u in User.objects.filter(pk__in={e.actor_id for e in entries if e.actor_id})}
    organizations = {
        o.pk: o for o in Organization.objects.filter(pk__in={e.organization_id for e in entries if e.organization_id})
    }
    labels = dict(AuditEntry.Action.choices)
    result = []
    for entry in entries:
        user = users.get(entry.actor_id) if entry.actor_id else None
        organization = organizations.get(entry.organization_id) if entry.organization_id else None
        result.append(
            Disclosure(
                at=entry.at,
                action=entry.action,
                action_label=str(labels.get(entry.action, entry.action)),
                who=(user.get_full_name() or user.email) if user else "",
                organization=organization.name if organization else "",
                role=entry.role,
                categories=tuple(c for c in entry.categories.split(",") if c),
                purpose=entry.purpose,
                emergency=entry.action == AuditEntry.Action.BREAK_GLASS or entry.detail.startswith("break-glass"),
            )
        )
    return result


def sensitive_notes_open(
    *, user: User, membership: Membership | None, household: Household
) -> dict[str, list[SensitiveNote]]:
    """The family's notes in the sensitive categories the user may see, by category; audits the
    categories shown (only those that hold notes)."""
    allowed = [
        category
        for category in SENSITIVE_NOTE_CATEGORIES
        if decide(
            user=user, membership=membership, household=household, category=category, purpose=Purpose.CARE_COORDINATION
        )
    ]
    if not allowed:
        return {}
    notes: dict[str, list[SensitiveNote]] = {}
    for note in SensitiveNote.objects.filter(household=household, category__in=allowed).select_related("recorded_in"):
        notes.setdefault(note.category, []).append(note)
    if notes:
        audit_reads(
            user=user,
            membership=membership,
            household_ids=[household.pk],
            categories=sorted(notes),
            purpose=Purpose.CARE_COORDINATION,
            detail="sensitive notes",
        )
    return notes
