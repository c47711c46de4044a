"""Reads of the care team and the care plan, through the access policy: every row comes through
``rows_visible`` of a family opened with ``household_open`` (so the policy decides each row by its
consent category), and the pages audit what they showed."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext

from ecwhub.accounts.models import Membership, User
from ecwhub.care.agenda import AgendaItem
from ecwhub.care.coordinators import current_designation
from ecwhub.care.models import Contact
from ecwhub.consent.audit import audit_append, audit_line, audit_write
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import decide, households_visible
from ecwhub.consent.selectors import (
    OpenedHousehold,
    household_open,
    own_household_id,
    rows_visible,
)
from ecwhub.families.display import person_name
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import IdentifiedNeed

from .models import (
    Barrier,
    BarrierReason,
    CareTeamMember,
    Goal,
    GoalEncounter,
    GoalNeed,
    GoalProgress,
    GoalStatus,
    TeamNote,
)

# What the staff plan page may show: the team and the plan, the needs goals work on, and notes of
# any category (each note is read only if its own category may be seen).
PLAN_CATEGORIES = tuple(DataCategory)
GOAL_LABEL_CHARS = 80


@dataclass
class GoalView:
    goal: Goal
    needs: list[IdentifiedNeed] = field(default_factory=list)
    progress: list[GoalProgress] = field(default_factory=list)
    barriers: list[Barrier] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        """The family's last word on the goal has no staff answer after it."""
        return bool(self.progress) and self.progress[-1].by_family


@dataclass
class PlanView:
    household: Household
    designated: Relationship | None = None
    members: list[CareTeamMember] = field(default_factory=list)
    notes: list[TeamNote] = field(default_factory=list)
    goals: list[GoalView] = field(default_factory=list)
    other_barriers: list[Barrier] = field(default_factory=list)
    needs: list[IdentifiedNeed] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)


def staff_plan_open(*, user: User, membership: Membership | None, household_id: uuid.UUID | str) -> OpenedHousehold:
    """The family, opened for the staff plan page (``NotFound`` when the user may not see it); the
    caller audits what it showed (``consent.selectors.audit_opened``)."""
    return household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        optional=PLAN_CATEGORIES,
        audit=False,
    )


def own_plan_open(*, user: User, membership: Membership | None) -> OpenedHousehold | None:
    """A family member's own family, opened for their plan page (None: their sign-in is not linked
    to a family yet); the caller audits what it showed."""
    household_id = own_household_id(user)
    if household_id is None:
        return None
    return household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.CARE_PLAN,
        optional=(DataCategory.IDENTITY_CONTACT, DataCategory.IDENTIFIED_NEEDS),
        audit=False,
    )


def team_members(opened: OpenedHousehold) -> list[CareTeamMember]:
    return list(
        rows_visible(opened, CareTeamMember.objects.filter(removed_at__isnull=True))
        .select_related("person", "user", "organization")
        .order_by("added_at", "id")
    )


def plan_view(
    opened: OpenedHousehold, *, notes: bool = True, closed_goals: bool = True, needs: bool = True
) -> PlanView:
    """The family's team, notes and plan as far as the opened family lets the user see them;
    ``shown`` lists the categories read (for the caller's audit entry)."""
    view = PlanView(household=opened.household)
    if not opened.may_see(DataCategory.CARE_PLAN):
        if notes:
            view.notes = list(rows_visible(opened, TeamNote.objects.select_related("author", "organization")))
            view.shown.update(n.category for n in view.notes)
        return view
    view.shown.add(DataCategory.CARE_PLAN)
    view.designated = current_designation(opened.household)
    view.members = team_members(opened)
    if notes:
        view.notes = list(rows_visible(opened, TeamNote.objects.select_related("author", "organization")))
        view.shown.update(n.category for n in view.notes)
    goals = rows_visible(opened, Goal.objects.all())
    if not closed_goals:
        goals = goals.filter(status=GoalStatus.ACTIVE)
    by_goal = {g.pk: GoalView(g) for g in goals.order_by("status", "target_date", "created_at", "id")}
    if needs:
        for link in rows_visible(opened, GoalNeed.objects.filter(goal__in=list(by_goal))).select_related("need"):
            by_goal[link.goal_id].needs.append(link.need)
            view.shown.add(link.need.category)
    for progress in rows_visible(opened, GoalProgress.objects.filter(goal__in=list(by_goal))).select_related(
        "by", "person", "organization"
    ):
        by_goal[progress.goal_id].progress.append(progress)
    for barrier in rows_visible(opened, Barrier.objects.all()).select_related("need", "goal"):
        if barrier.goal_id in by_goal:
            by_goal[barrier.goal_id].barriers.append(barrier)
        elif barrier.goal_id is None:
            view.other_barriers.append(barrier)
    view.goals = list(by_goal.values())
    if needs:
        open_needs = IdentifiedNeed.objects.exclude(status=IdentifiedNeed.Status.ADDRESSED)
        view.needs = list(rows_visible(opened, open_needs))
        view.shown.update(n.category for n in view.needs)
    return view


def barrier_counts(
    *, start: datetime.datetime, end: datetime.datetime, households: QuerySet[Household] | None = None
) -> dict[str, int]:
    """Barriers recorded in [start, end), by reason (every reason, zero when none), for the gaps
    report: numbers only. ``households``: only these families (e.g. those the reader may count,
    ``consent.policy.households_counted``); the caller suppresses small groups."""
    rows = Barrier.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    if households is not None:
        rows = rows.filter(household__in=households.values("pk"))
    counted = Counter(dict(rows.order_by().values("reason").annotate(n=Count("id")).values_list("reason", "n")))
    return {reason: counted.get(reason, 0) for reason in BarrierReason.values}


def unanswered_comments() -> QuerySet[GoalProgress]:
    """Family comments on goals with no staff update after them."""
    answered = GoalProgress.objects.filter(goal=OuterRef("goal"), by_family=False, at__gt=OuterRef("at"))
    return GoalProgress.objects.filter(by_family=True).filter(~Exists(answered))


def goal_choices(household: Household, user: User, membership: Membership) -> list[tuple[str, str]]:
    """The family's active goals an encounter may be linked to: (id, the goal's first words), when
    the user may read the family's care plan; none otherwise."""
    if not decide(
        user=user,
        membership=membership,
        household=household,
        category=DataCategory.CARE_PLAN,
        purpose=Purpose.CARE_COORDINATION,
    ):
        return []
    goals = Goal.objects.filter(household=household, status=GoalStatus.ACTIVE).order_by("target_date", "id")
    return [(str(g.pk), Truncator(g.text).chars(GOAL_LABEL_CHARS)) for g in goals]


def goals_of_encounter(contact: Contact) -> list[str]:
    """What an encounter worked on of the care plan, in words that say no more than that a goal
    was worked on and when it is due (the family page shows it to whoever reads the contact)."""
    due = (
        GoalEncounter.objects.filter(contact=contact)
        .order_by("goal__target_date")
        .values_list("goal__target_date", flat=True)
    )
    return [
        gettext("A goal of the care plan, due %(date)s") % {"date": date_format(d, "SHORT_DATE_FORMAT")} for d in due
    ]


# --- The weekly case review and the coordinator's day ---------------------------------------


def team_rows(queryset: QuerySet[Any], membership: Membership, household: str = "household_id") -> QuerySet[Any]:
    """The rows whose family (the field ``household``) the membership's organization coordinates:
    its designated coordinator is an active member of the organization, or the organization itself
    is designated. The designation is looked up per row, through the one-designation-per-family
    index (a scalar subquery the database runs row by row), so a few rows are checked without
    reading every designation of the network."""
    designated = Relationship.objects.filter(
        household=OuterRef(household), kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True
    )
    staff = Membership.objects.filter(organization_id=membership.organization_id, is_active=True).values("user_id")
    return queryset.alias(
        designated_user=Subquery(designated.values("user_id")[:1]),
        designated_organization=Subquery(designated.values("organization_id")[:1]),
    ).filter(Q(designated_user__in=staff) | Q(designated_organization=membership.organization_id))


def own_households(user: User) -> QuerySet[Relationship, Any]:
    """The families the user works with in person: their designated families and care teams."""
    return Relationship.objects.filter(
        user=user,
        ended_at__isnull=True,
        kind__in=[RelationshipKind.DESIGNATED_COORDINATOR, RelationshipKind.CARE_TEAM],
    ).values("household_id")


def visible_among(
    user: User, membership: Membership, category: str, household_ids: Iterable[uuid.UUID]
) -> list[uuid.UUID]:
    """Which of these families the user may read in ``category`` for care coordination (the policy
    in the database, asked about these families only)."""
    ids = list(household_ids)
    if not ids:
        return []
    return list(
        households_visible(user=user, membership=membership, category=category, purpose=Purpose.CARE_COORDINATION)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def waiting_families(user: User, membership: Membership) -> list[tuple[uuid.UUID, datetime.datetime]]:
    """The user's own families (designated or on the team) whose care plan they may read with a
    family comment no staff update has answered yet: (household id, when the first waiting comment
    came), oldest first. The policy is asked about those families only."""
    rows = list(
        unanswered_comments()
        .filter(goal__household__in=own_households(user))
        .values("goal__household_id")
        .annotate(first=Min("at"))
        .order_by("first")
    )
    if not rows:
        return []
    allowed = set(visible_among(user, membership, DataCategory.CARE_PLAN, [r["goal__household_id"] for r in rows]))
    return [(r["goal__household_id"], r["first"]) for r in rows if r["goal__household_id"] in allowed]


@dataclass(frozen=True)
class ReviewFamily:
    household_id: uuid.UUID
    reference: str
    name: str
    url: str
    note: str
    since: datetime.datetime | None


def review_families(
    *,
    user: User,
    membership: Membership,
    found: dict[str, list[AgendaItem]],
    categories: dict[str, tuple[str, ...]],
    limit: int,
    offset: int = 0,
) -> dict[str, tuple[list[ReviewFamily], int]]:
    """The case review's families, by reason: each family once per reason, only those the user may
    see who they are (a family the user may not read never shows), ``limit`` of them from
    ``offset``, with the reason's total (the families the sources found the user may read for it).
    Names are read only for the families shown, and one audit entry is written per family shown,
    with the categories its reasons rest on (one append for the page)."""
    ordered: dict[str, list[AgendaItem]] = {}
    for reason, items in found.items():
        once: dict[uuid.UUID, AgendaItem] = {}
        for item in items:
            once.setdefault(item.household_id, item)
        ordered[reason] = list(once.values())
    # Each source read only families the user may see in its rows' categories; who the family is
    # (its name) is asked of the policy only for the families about to be shown, with some spare
    # for the rare family whose consent covers the reason but not its identity.
    window = {reason: items[offset : offset + 2 * limit] for reason, items in ordered.items()}
    ids = {item.household_id for items in window.values() for item in items}
    readable = set(visible_among(user, membership, DataCategory.IDENTITY_CONTACT, ids))
    pages: dict[str, tuple[list[AgendaItem], int]] = {}
    for reason, items in ordered.items():
        shown = [i for i in window[reason] if i.household_id in readable][:limit]
        pages[reason] = (shown, len(items))
    shown_ids = {i.household_id for items, _total in pages.values() for i in items}
    first_member: dict[uuid.UUID, Person] = {}
    for member in Person.objects.filter(household_id__in=list(shown_ids)).order_by("created_at", "id"):
        first_member.setdefault(member.household_id, member)
    result: dict[str, tuple[list[ReviewFamily], int]] = {}
    audited: dict[uuid.UUID, set[str]] = {}
    for reason, (items, total) in pages.items():
        rows = []
        for item in items:
            person = first_member.get(item.household_id)
            rows.append(
                ReviewFamily(
                    household_id=item.household_id,
                    reference=str(item.household_id)[:8],
                    name=person_name(person) if person else "",
                    url=item.url,
                    note=item.label,
                    since=item.since,
                )
            )
            audited.setdefault(item.household_id, {DataCategory.IDENTITY_CONTACT}).update(categories.get(reason, ()))
        result[reason] = (rows, total)
    if not audited:
        _audit_none(user, membership)
    # One append for the page: one entry per family shown, with the categories its reasons rest on.
    audit_append(
        audit_line(
            user,
            membership,
            AuditEntry.Action.READ,
            household_id=household_id,
            categories=sorted(shown),
            purpose=Purpose.CARE_COORDINATION,
            detail="case review",
        )
        for household_id, shown in audited.items()
    )
    return result


def _audit_none(user: User, membership: Membership) -> None:
    """The review looked through the families and showed none: the look is recorded all the same."""
    audit_write(
        user=user,
        membership=membership,
        household_id=None,
        categories=[],
        detail="case review (no family shown)",
        action=AuditEntry.Action.READ,
    )


def goal_in_family(goal_id: uuid.UUID | str, household_id: uuid.UUID | str) -> bool:
    """The goal belongs to the family (an existence check: it shows nothing)."""
    return Goal.objects.filter(pk=goal_id, household_id=household_id).exists()


def barrier_in_family(barrier_id: int | str, household_id: uuid.UUID | str) -> bool:
    return Barrier.objects.filter(pk=barrier_id, household_id=household_id).exists()


def member_in_family(member_id: uuid.UUID | str, household_id: uuid.UUID | str) -> bool:
    return CareTeamMember.objects.filter(pk=member_id, household_id=household_id).exists()


def may_change_plan(opened: OpenedHousehold) -> bool:
    """Whether the user who opened the family may change its care team and plan."""
    return bool(
        decide(
            user=opened.user,
            membership=opened.membership,
            household=opened.household,
            category=DataCategory.CARE_PLAN,
            purpose=Purpose.CARE_COORDINATION,
            write=True,
        )
    )
