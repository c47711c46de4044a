"""Pathways for the demo families, in every state, and a supervisor who reviews their closures.

Pathways open from needs the families want help with, coordinated by the family's designated
coordinator when it works at the organization that registered the family, otherwise by that
organization's first coordinator (by e-mail; the well-known ``coordinator@…`` at the main family
resource center). In every organization with another coordinator, the first of them (by
e-mail) is marked ``is_supervisor`` and reviews the organization's closures; at the main center
that is ``demo_supervisor()``, who reviews the well-known coordinator's closures.
Rows are written in bulk with their events, as the services would have left them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from ecwhub.accounts.models import Membership, Role
from ecwhub.consent.models import Relationship, RelationshipKind
from ecwhub.pathways.models import Pathway, PathwayDefinition, PathwayEvent, PathwayStep, StepKind, payer_of
from ecwhub.pathways.workflow import Closure, IncompleteReason, Status
from ecwhub.screening.models import IdentifiedNeed

from .clock import reference_time
from .data import MAIN_FRC_SLUG, demo_email

# How many pathways to open (at most), and the fates given in turn where a supervisor reviews.
PATHWAYS_MAX = 120
FATES = (
    "open",
    "complete",
    "stalled",
    "awaiting_complete",
    "incomplete",
    "awaiting_incomplete",
    "sent_back",
    "open",
    "complete",
)


def demo_supervisor() -> Membership | None:
    """The main center's supervisor: its first coordinator by e-mail other than the well-known
    coordinator, whose closures they review."""
    return (
        Membership.objects.filter(organization__slug=MAIN_FRC_SLUG, role=Role.COORDINATOR, is_active=True)
        .exclude(user__email=demo_email("coordinator"))
        .select_related("user", "organization")
        .order_by("user__email")
        .first()
    )


def seed_pathways(*, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-pathways")
    now = reference_time(today)
    if demo_supervisor() is None:
        return {}
    # Each organization's pathways are coordinated by its first coordinator (by e-mail; the
    # well-known one at the main center) and reviewed by another of its coordinators, when it has one.
    coordinators: dict[int, int] = {}
    supervisors: dict[int, int] = {}
    well_known = Membership.objects.filter(
        user__email=demo_email("coordinator"), role=Role.COORDINATOR, is_active=True
    ).first()
    if well_known is not None:
        coordinators[well_known.organization_id] = well_known.user_id
    memberships = list(
        Membership.objects.filter(role=Role.COORDINATOR, is_active=True).select_related("user").order_by("user__email")
    )
    for membership in memberships:
        coordinators.setdefault(membership.organization_id, membership.user_id)
    chosen = []
    for membership in memberships:
        organization_id = membership.organization_id
        if organization_id in supervisors or coordinators[organization_id] == membership.user_id:
            continue
        if membership.user.email == demo_email("coordinator"):
            continue
        supervisors[organization_id] = membership.user_id
        chosen.append(membership.pk)
    Membership.objects.filter(pk__in=chosen).update(is_supervisor=True)
    staff: dict[int, set[int]] = {}
    for membership in memberships:
        staff.setdefault(membership.organization_id, set()).add(membership.user_id)
    designated = dict(
        Relationship.objects.filter(
            kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True, user__isnull=False
        ).values_list("household_id", "user_id")
    )
    definitions: dict[str, list[PathwayDefinition]] = {}
    for definition in PathwayDefinition.objects.filter(active=True).prefetch_related("needs", "steps"):
        for row in definition.needs.all():
            definitions.setdefault(row.need, []).append(definition)
    needs = (
        IdentifiedNeed.objects.filter(status=IdentifiedNeed.Status.WANTS_HELP, need__in=list(definitions))
        .select_related("household", "person")
        .order_by("identified_at", "id")
    )
    counts: dict[str, int] = {}
    seen: set[tuple[object, object, int]] = set()
    reviewed = 0
    for need in needs:
        if sum(counts.values()) >= PATHWAYS_MAX:
            break
        organization_id = need.household.registered_by_id
        coordinator_id = coordinators.get(organization_id)
        designated_id = designated.get(need.household_id)
        if designated_id is not None and designated_id in staff.get(organization_id, set()):
            coordinator_id = designated_id  # the family's own designated coordinator, when the demo gave one
        if coordinator_id is None:
            continue
        definition = rng.choice(definitions[need.need])
        key = (need.household_id, need.person_id, definition.pk)
        if key in seen:
            continue
        seen.add(key)
        reviewer = supervisors.get(organization_id)
        if reviewer == coordinator_id:
            reviewer = None  # nobody reviews their own pathways
        if reviewer is not None:
            # In turn, so that a small demo still shows every state.
            fate = FATES[reviewed % len(FATES)]
            reviewed += 1
        else:
            fate = rng.choice(["open", "open", "stalled"])
        _pathway(rng, now, need, definition, coordinator_id, organization_id, reviewer, fate)
        counts[fate] = counts.get(fate, 0) + 1
    return counts


def _pathway(
    rng: random.Random,
    now: datetime,
    need: IdentifiedNeed,
    definition: PathwayDefinition,
    coordinator_id: int,
    organization_id: int,
    reviewer_id: int | None,
    fate: str,
) -> None:
    today = now.date()
    steps = sorted(definition.steps.all(), key=lambda s: s.order)
    closing = fate in ("complete", "incomplete", "awaiting_complete", "awaiting_incomplete")
    if fate == "stalled":
        started = today - timedelta(days=rng.randint(30, definition.time_limit_days + 30))
    elif closing:
        started = today - timedelta(
            days=rng.randint(definition.confirm_after_days + 20, definition.time_limit_days + 40)
        )
    else:
        started = today - timedelta(days=rng.randint(1, 12))
    opened_at = datetime.combine(started, now.timetz())
    pathway = Pathway(
        household_id=need.household_id,
        person=need.person,
        definition=definition,
        definition_version=definition.version,
        name=definition.name,
        outcome=definition.outcome,
        confirm_after_days=definition.confirm_after_days,
        time_limit_days=definition.time_limit_days,
        need=need,
        coordinator_id=coordinator_id,
        organization_id=organization_id,
        payer=payer_of(need.person),
        initiated_on=started,
        due_on=started + timedelta(days=definition.time_limit_days),
        last_progress_at=opened_at,
        created_at=opened_at,
    )
    done_upto = {
        "open": rng.randint(0, 1),
        "stalled": 1 if len(steps) > 2 else 0,
        "sent_back": len(steps) - 1,
    }.get(fate, len(steps) if fate in ("complete", "awaiting_complete") else rng.randint(0, len(steps) - 1))
    events: list[tuple[str, str, str, str, str, int | None, datetime]] = [
        ("opened", "", "open", "", "", coordinator_id, opened_at)
    ]
    moment = opened_at
    rows = []
    for index, step in enumerate(steps):
        row = PathwayStep(
            order=step.order,
            title=step.title,
            kind=step.kind,
            required=step.required,
            time_limit_days=step.time_limit_days,
            need=step.need,
            due_on=started + timedelta(days=step.time_limit_days),
        )
        if index < done_upto:
            moment = min(moment + timedelta(days=rng.randint(2, 12)), now - timedelta(hours=1))
            row.completed_at = moment
            row.completed_by_id = coordinator_id
            if step.kind == StepKind.CONFIRMATION:
                pathway.outcome_since = min(moment.date() - timedelta(days=definition.confirm_after_days), today)
                pathway.outcome_since = max(pathway.outcome_since, started)
                pathway.outcome_confirmed_on = max(
                    moment.date(), pathway.outcome_since + timedelta(days=definition.confirm_after_days)
                )
            elif step.kind == StepKind.REFERRAL:
                # The demo's referrals have their own stories: no referral is linked, the step stays open.
                row.completed_at = None
                row.completed_by_id = None
                rows.append(row)
                continue
            events.append(("step_completed", "open", "open", "", "", coordinator_id, moment))
        rows.append(row)
    if fate == "complete" or fate == "awaiting_complete":
        for row in rows:
            if row.kind == StepKind.REFERRAL:
                row.required = False  # completed outside the hub's referrals in the demo
    pathway.last_progress_at = moment
    if closing or fate == "sent_back":
        complete = fate in ("complete", "awaiting_complete") and pathway.outcome_confirmed_on is not None
        reason = "" if complete else rng.choice(list(IncompleteReason.values))
        submitted = min(moment + timedelta(days=1), now - timedelta(minutes=30))
        pathway.closure = Closure.COMPLETE if complete else Closure.INCOMPLETE
        pathway.incomplete_reason = reason
        pathway.submitted_by_id = coordinator_id
        pathway.submitted_at = submitted
        pathway.status = Status.AWAITING_REVIEW
        note = "See the family's file." if reason == IncompleteReason.OTHER else ""
        events.append(("submitted", "open", "awaiting_review", reason, note, coordinator_id, submitted))
        if fate in ("complete", "incomplete"):
            closed = min(submitted + timedelta(days=rng.randint(1, 5)), now - timedelta(minutes=10))
            pathway.status = Status.COMPLETE if complete else Status.FINISHED_INCOMPLETE
            pathway.reviewed_by_id = reviewer_id
            pathway.closed_at = closed
            events.append(("approved", "awaiting_review", pathway.status, reason, "", reviewer_id, closed))
        elif fate == "sent_back":
            back = min(submitted + timedelta(days=2), now - timedelta(minutes=10))
            pathway.status = Status.OPEN
            pathway.closure = ""
            pathway.incomplete_reason = ""
            pathway.reviewed_by_id = reviewer_id
            events.append(("sent_back", "awaiting_review", "open", "", "Call the family once more.", reviewer_id, back))
    pathway.save(force_insert=True)
    for row in rows:
        row.pathway = pathway
    PathwayStep.objects.bulk_create(rows)
    PathwayEvent.objects.bulk_create(_events(pathway, events, organization_id))


def _events(
    pathway: Pathway, events: Iterable[tuple[str, str, str, str, str, int | None, datetime]], organization_id: int
) -> list[PathwayEvent]:
    return [
        PathwayEvent(
            pathway=pathway,
            seq=seq,
            kind=kind,
            from_status=source,
            to_status=target,
            reason=reason,
            note=note,
            actor_id=actor,
            organization_id=organization_id if actor else None,
            at=at,
        )
        for seq, (kind, source, target, reason, note, actor, at) in enumerate(events, start=1)
    ]
