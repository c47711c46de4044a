"""Reads for the review queue and the duplication-of-services flags."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from ecwhub.accounts.models import Membership, Organization, Role
from ecwhub.consent.models import Relationship, RelationshipKind

from .display import person_name
from .models import DuplicationAction, Household, Person, organization_key

# Coordinating a family: being its designated coordinator or on its care team. Registering it or
# receiving a referral is not coordination, so those never raise the flag.
COORDINATING_KINDS = (RelationshipKind.DESIGNATED_COORDINATOR, RelationshipKind.CARE_TEAM)


@dataclass(frozen=True)
class DuplicationFlag:
    """A family actively coordinated by two or more organizations (the seeds ask for one
    designated care coordinator per family)."""

    household_id: uuid.UUID
    organizations: tuple[str, ...]
    organization_ids: frozenset[int]
    since: datetime

    @property
    def reference(self) -> str:
        return str(self.household_id)[:8]


def coordination_duplicates(
    *,
    household_ids: list[uuid.UUID] | None = None,
    organization: Organization | None = None,
    at: datetime | None = None,
) -> list[DuplicationFlag]:
    """Families with active coordinating relationships from two or more organizations, optionally
    only those in ``household_ids`` or involving ``organization``. The organization of a
    relationship is its ``organization``; a relationship naming only a person counts for the
    organizations where that person is an active care coordinator (a clinician or a legal partner
    on the family's care team works with the coordinator; they do not coordinate a second time)."""
    at = at or timezone.now()
    active = Relationship.objects.filter(kind__in=COORDINATING_KINDS, started_at__lte=at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at)
    )
    if household_ids is not None:
        active = active.filter(household_id__in=household_ids)
    rows = list(active.values_list("household_id", "organization_id", "user_id", "started_at"))
    user_ids = {u for _, o, u, _ in rows if o is None and u is not None}
    user_orgs: dict[int, set[int]] = defaultdict(set)
    if user_ids:
        for user_id, org_id in Membership.objects.filter(
            user_id__in=user_ids, is_active=True, role=Role.COORDINATOR
        ).values_list("user_id", "organization_id"):
            user_orgs[user_id].add(org_id)
    by_household: dict[uuid.UUID, dict[int, datetime]] = defaultdict(dict)
    for household_id, org_id, user_id, started in rows:
        for org in {org_id} if org_id is not None else user_orgs.get(user_id, set()):
            previous = by_household[household_id].get(org)
            by_household[household_id][org] = min(previous, started) if previous else started
    flagged = {h: orgs for h, orgs in by_household.items() if len(orgs) >= 2}
    if organization is not None:
        flagged = {h: orgs for h, orgs in flagged.items() if organization.pk in orgs}
    names = dict(
        Organization.objects.filter(pk__in={o for orgs in flagged.values() for o in orgs}).values_list("pk", "name")
    )
    result = [
        DuplicationFlag(
            household_id=h,
            organizations=tuple(sorted(names[o] for o in orgs)),
            organization_ids=frozenset(orgs),
            # Duplicated since the second organization started coordinating.
            since=sorted(orgs.values())[1],
        )
        for h, orgs in flagged.items()
    ]
    return sorted(result, key=lambda f: (f.since, str(f.household_id)))


@dataclass(frozen=True)
class DuplicationStatus:
    """What the hub administrator has done about one flag."""

    last_asked: datetime | None  # when the organizations were last asked to agree who leads
    reviewed: DuplicationAction | None  # the latest review, while it names the same organizations


def duplication_statuses(flags: list[DuplicationFlag]) -> dict[uuid.UUID, DuplicationStatus]:
    """The status of each flag, in one query. A review counts only while the organizations the
    flag names are the ones it named when reviewed: a change brings the flag back."""
    current = {f.household_id: organization_key(f.organization_ids) for f in flags}
    last_asked: dict[uuid.UUID, datetime] = {}
    last_review: dict[uuid.UUID, DuplicationAction] = {}
    actions = DuplicationAction.objects.filter(household_id__in=list(current)).order_by("-acted_at")
    for action in actions:
        if action.kind == DuplicationAction.Kind.ASKED:
            last_asked.setdefault(action.household_id, action.acted_at)
        else:
            last_review.setdefault(action.household_id, action)
    statuses = {}
    for household_id, key in current.items():
        review = last_review.get(household_id)
        statuses[household_id] = DuplicationStatus(
            last_asked=last_asked.get(household_id),
            reviewed=review if review is not None and review.organization_key == key else None,
        )
    return statuses


def household_flag_for(*, household: Household, membership: Membership) -> DuplicationFlag | None:
    """The duplication flag of one family, if the user's organization is one of those involved."""
    flags = coordination_duplicates(household_ids=[household.pk])
    if flags and membership.organization_id in flags[0].organization_ids:
        return flags[0]
    return None


def caregiver_names(household_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The first parent's or guardian's name of each of these households, which the caller has
    checked (``households_visible``) and audits."""
    names: dict[uuid.UUID, str] = {}
    guardians = Person.objects.filter(
        household_id__in=household_ids,
        relationship__in=(Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN),
    )
    for person in guardians.order_by("created_at", "id"):
        names.setdefault(person.household_id, person_name(person))
    return names
