"""Designated coordinators for the demo families: coordinators' profiles (languages, dialects,
neighbourhoods, a caseload ceiling) and caseloads, as a network that has worked for a while has them.

Each coordinator of an organization that registers families carries most of that organization's
families, matched on language where the organization has a speaker; a few families were
transferred once (with a handoff note); a few have none yet (they show on the hub administrator's
coverage page, with the families whose registering organization has no coordinator); two
coordinators carry more than their ceiling. Only coordinators of the registering organization are
designated, so no one reads a family their organization did not already work with. Bulk inserts.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta

from ecwhub.accounts.models import Membership, Role
from ecwhub.care.models import CoordinatorAssignment, CoordinatorProfile
from ecwhub.consent.models import Relationship, RelationshipKind
from ecwhub.families.models import Household, Person

from . import data
from .clock import reference_time

WITHOUT_SHARE = 0.06  # families still waiting for a designated coordinator
TRANSFERRED_SHARE = 0.05
OVER_CEILING = 2  # coordinators who carry more than their ceiling
CEILINGS = (25, 30, 35, 40)
# What coordinators speak besides English, as the network's staff do (weights).
SPOKEN = (
    ((["en", "es"], ""), 0.5),
    ((["en"], ""), 0.2),
    ((["en", "yue", "cmn"], ""), 0.12),
    ((["en", "vi"], ""), 0.08),
    ((["en", "es", "mix"], "Mixteco de San Juan Mixtepec"), 0.1),
)
WELL_KNOWN = frozenset(user.email for user in data.WELL_KNOWN_USERS)
HANDOFFS = (
    "Moving to the clinic team. Mother prefers texts after 5 pm; WIC appointment is booked for next week.",
    "Caseload rebalanced. Family is waiting on the housing application; the father speaks only Spanish.",
    "Transferred to a Cantonese speaker at the family's request; grandmother cares for the children weekdays.",
)


def _spoken(rng: random.Random) -> tuple[list[str], str]:
    roll, total = rng.random(), 0.0
    for choice, weight in SPOKEN:
        total += weight
        if roll < total:
            return choice
    return SPOKEN[0][0]


def seed_caseloads(*, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}:caseloads")
    now = reference_time(today)
    coordinators: dict[int, list[Membership]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(role=Role.COORDINATOR, is_active=True)
        .select_related("user")
        .order_by("organization_id", "user_id")
    ):
        coordinators[membership.organization_id].append(membership)
    zips: dict[int, Counter[str]] = defaultdict(Counter)
    families: dict[int, list[tuple[uuid.UUID, str, str]]] = defaultdict(list)
    taken = set(
        Relationship.objects.filter(kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True).values_list(
            "household_id", flat=True
        )
    )
    # The well-known family's coordinator is the well-known coordinator (the care plan's demo
    # designates her): the demo's journeys go from one to the other.
    taken |= set(Person.objects.filter(account__email__in=WELL_KNOWN).values_list("household_id", flat=True))
    for pk, organization_id, language, postal_code in (
        Household.objects.filter(deidentified_at__isnull=True)
        .order_by("id")
        .values_list("id", "registered_by_id", "preferred_language", "postal_code")
    ):
        zips[organization_id][postal_code] += 1
        if pk not in taken:
            families[organization_id].append((pk, language, postal_code))

    profiles: dict[int, CoordinatorProfile] = {}
    for organization_id, staff in coordinators.items():
        area = [code for code, _n in zips[organization_id].most_common(3) if code]
        for membership in staff:
            if membership.user_id in profiles:
                continue
            languages, dialect = _spoken(rng)
            if membership.user.email == data.demo_email("coordinator"):
                languages, dialect = ["en", "es", "mix"], "Mixteco de San Juan Mixtepec"
            profiles[membership.user_id] = CoordinatorProfile(
                user_id=membership.user_id,
                caseload_ceiling=rng.choice(CEILINGS),
                languages=languages,
                dialects=dialect,
                neighbourhoods=area,
                updated_at=now - timedelta(days=rng.randrange(30, 300)),
            )
    CoordinatorProfile.objects.bulk_create(profiles.values())

    relationships, history = [], []
    loads: Counter[int] = Counter()
    for organization_id, waiting in families.items():
        team = coordinators.get(organization_id)
        if not team:
            continue  # no coordinator at the registering organization: the hub's coverage page shows them
        for household_id, language, _zip in waiting:
            if rng.random() < WITHOUT_SHARE:
                continue
            speakers = [m for m in team if language in profiles[m.user_id].languages]
            pool = speakers or team
            chosen = min(pool, key=lambda m: (loads[m.user_id], rng.random()))
            started = now - timedelta(days=rng.randrange(7, 400))
            if len(team) > 1 and rng.random() < TRANSFERRED_SHARE:
                first = rng.choice([m for m in team if m.user_id != chosen.user_id])
                history.append(
                    CoordinatorAssignment(
                        household_id=household_id,
                        kind=CoordinatorAssignment.Kind.ASSIGN,
                        to_user_id=first.user_id,
                        by_id=first.user_id,
                        organization_id=organization_id,
                        at=started - timedelta(days=rng.randrange(30, 200)),
                    )
                )
                history.append(
                    CoordinatorAssignment(
                        household_id=household_id,
                        kind=CoordinatorAssignment.Kind.TRANSFER,
                        from_user_id=first.user_id,
                        to_user_id=chosen.user_id,
                        by_id=first.user_id,
                        organization_id=organization_id,
                        at=started,
                        note=rng.choice(HANDOFFS),
                    )
                )
            else:
                history.append(
                    CoordinatorAssignment(
                        household_id=household_id,
                        kind=CoordinatorAssignment.Kind.ASSIGN,
                        to_user_id=chosen.user_id,
                        by_id=chosen.user_id,
                        organization_id=organization_id,
                        at=started,
                    )
                )
            relationships.append(
                Relationship(
                    household_id=household_id,
                    kind=RelationshipKind.DESIGNATED_COORDINATOR,
                    user_id=chosen.user_id,
                    started_at=started,
                    started_by_id=chosen.user_id,
                )
            )
            loads[chosen.user_id] += 1
    Relationship.objects.bulk_create(relationships)
    CoordinatorAssignment.objects.bulk_create(history)

    # The busiest coordinators are over their ceiling: their profile says less than they carry.
    well_known = {m.user_id for staff in coordinators.values() for m in staff if m.user.email in WELL_KNOWN}
    over = [user_id for user_id, n in loads.most_common() if n > 2 and user_id not in well_known][:OVER_CEILING]
    for user_id in over:
        CoordinatorProfile.objects.filter(user_id=user_id).update(caseload_ceiling=max(1, loads[user_id] - 3))
    return {"coordinators": len(profiles), "designated": len(relationships), "over_ceiling": len(over)}
