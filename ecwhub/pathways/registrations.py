"""What the pathways app adds to the rest of the hub, registered in ``AppConfig.ready()``: the
family page's pathways section, the coordinator's "my day" (steps due today, steps overdue), the
weekly case review (stalled pathways), the encounter link kind "pathways", and the referral hook
that completes a referral step when its referral is completed."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.home import HomeCard, register_home_card
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.care.agenda import (
    AgendaItem,
    DaySource,
    ReviewReason,
    ReviewSource,
    Section,
    register_day_source,
    register_review_source,
)
from ecwhub.care.encounter_links import EncounterLinkKind, register_encounter_link
from ecwhub.care.models import Contact
from ecwhub.consent.models import DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import households_visible
from ecwhub.consent.sections import (
    ExportSection,
    PageSection,
    Readable,
    ReadableEntry,
    SectionContext,
    TimelineEvent,
    TimelineSource,
    register_export_section,
    register_page_section,
    register_timeline_source,
    row_category,
    when,
)
from ecwhub.consent.selectors import rows_visible
from ecwhub.families.models import Household
from ecwhub.referrals import hooks
from ecwhub.referrals.models import Referral
from ecwhub.referrals.selectors import NEED_CATEGORIES
from ecwhub.screening.models import IdentifiedNeed

from .models import Pathway, PathwayEncounter, PathwayEvent, PathwayStep
from .selectors import family_pathways
from .services import definitions_for_need, is_family_coordinator, may_see, referral_completed
from .workflow import ACTIVE, WORKING, Status

SECTION_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})
# A pathway is stalled when no step was completed for this long (or a step is past its limit).
STALLED_AFTER = datetime.timedelta(days=14)


# --- Family page ----------------------------------------------------------------------------------


def _section(context: SectionContext) -> dict[str, Any] | None:
    opened = context.opened
    if not opened.may_see(DataCategory.CARE_PLAN):
        return None
    pathways = family_pathways(opened)
    membership = opened.membership
    may_open = is_family_coordinator(opened.user, membership, opened.household) and may_see(
        opened.user, membership, opened.household, write=True
    )
    choices: list[tuple[IdentifiedNeed, list[Any]]] = []
    if may_open:
        needs = rows_visible(opened, IdentifiedNeed.objects.filter(status=IdentifiedNeed.Status.WANTS_HELP))
        # A definition already active for the person (or the family) is not offered again.
        active = {(p.person_id, p.definition_id) for p, _steps in pathways if p.status in ACTIVE}
        for need in needs:
            definitions = [d for d in definitions_for_need(need.need) if (need.person_id, d.pk) not in active]
            if definitions:
                choices.append((need, definitions))
                context.show(need.category)
    if not pathways and not choices:
        return None
    if pathways:
        context.show(DataCategory.CARE_PLAN)
    return {
        "household": opened.household,
        "pathways": pathways,
        "choices": choices,
        "today": timezone.localdate(),
    }


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _export(context: SectionContext) -> dict[str, Any]:
    """The family's pathways for the export: codes and ISO dates, with every step."""
    pathways = family_pathways(context.opened)
    if pathways:
        context.show(DataCategory.CARE_PLAN)
    return {
        "pathways": [
            {
                "pathway": p.name,
                "definition": p.definition.key,
                "definition_version": p.definition_version,
                "person": str(p.person_id) if p.person_id else None,
                "status": p.status,
                "initiated_on": _iso(p.initiated_on),
                "due_on": _iso(p.due_on),
                "outcome": p.outcome,
                "outcome_since": _iso(p.outcome_since),
                "outcome_confirmed_on": _iso(p.outcome_confirmed_on),
                "incomplete_reason": p.incomplete_reason or None,
                "closed_at": _iso(p.closed_at),
                "steps": [
                    {
                        "order": s.order,
                        "title": s.title,
                        "kind": s.kind,
                        "required": s.required,
                        "due_on": _iso(s.due_on),
                        "completed_at": _iso(s.completed_at),
                        "referral": str(s.referral_id) if s.referral_id else None,
                    }
                    for s in steps
                ],
            }
            for p, steps in pathways
        ]
    }


def _readable(context: SectionContext) -> list[Readable]:
    pathways = family_pathways(context.opened)
    if pathways:
        context.show(DataCategory.CARE_PLAN)
    entries = tuple(
        ReadableEntry(
            title=f"{p.name}: {p.get_status_display()}",
            facts=tuple(
                (label, value)
                for label, value in (
                    (_("Initiated on"), when(p.initiated_on)),
                    (_("Due by"), when(p.due_on)),
                    (_("Completion outcome"), p.outcome),
                    (_("Outcome confirmed"), when(p.outcome_confirmed_on)),
                    (_("Why it finished incomplete"), p.get_incomplete_reason_display() if p.incomplete_reason else ""),
                )
                if value
            ),
            lines=tuple(
                f"{s.order}. {s.title} — "
                + (
                    _("done %(on)s") % {"on": when(s.completed_at)}
                    if s.done
                    else _("due %(due)s") % {"due": when(s.due_on)}
                )
                for s in steps
            ),
        )
        for p, steps in pathways
    )
    return [Readable(_("Pathways"), entries, _("No pathway yet."))]


def _timeline(context: SectionContext) -> list[TimelineEvent]:
    events = rows_visible(context.opened, PathwayEvent.objects.select_related("pathway"))
    return [
        TimelineEvent(
            at=e.at,
            kind=_("Pathway"),
            text=f"{e.pathway.name}: {e.get_kind_display()}",
            category=row_category(e),
        )
        for e in events
    ]


# --- "My day" and the case review ------------------------------------------------------------------


def _coordinated(user: User, membership: Membership) -> QuerySet[Household]:
    """The families the user coordinates (designated coordinator, or the pathway's coordinator),
    as far as the policy lets them see the care plan. The user's own families are found first (a
    few hundred at most) and the policy is asked about those only, not about the whole network."""
    own = set(
        Relationship.objects.filter(
            user=user, kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True
        ).values_list("household_id", flat=True)
    )
    own.update(Pathway.objects.filter(coordinator=user, status__in=WORKING).values_list("household_id", flat=True))
    if not own:
        return Household.objects.none()
    visible = households_visible(
        user=user, membership=membership, category=DataCategory.CARE_PLAN, purpose=Purpose.CARE_COORDINATION
    )
    return visible.filter(pk__in=own)


def _step_items(user: User, membership: Membership, condition: Q, key: str, label: str) -> Iterable[AgendaItem]:
    if membership.role != Role.COORDINATOR:
        return []
    steps = (
        PathwayStep.objects.filter(condition, completed_at__isnull=True, pathway__status__in=WORKING)
        .filter(pathway__household__in=_coordinated(user, membership).values("pk"))
        .select_related("pathway")
        .order_by("due_on", "pathway_id", "order")
    )
    return [
        AgendaItem(
            household_id=s.pathway.household_id,
            key=key,
            label=label % {"step": s.title, "pathway": s.pathway.name},
            url=reverse("pathways:detail", kwargs={"pathway_id": s.pathway_id}),
            due=s.due_on,
        )
        for s in steps
    ]


def _due_today(user: User, membership: Membership, today: datetime.date) -> Iterable[AgendaItem]:
    return _step_items(
        user, membership, Q(due_on=today), "pathway_step", _("Pathway step due today: %(step)s (%(pathway)s)")
    )


def _overdue(user: User, membership: Membership, today: datetime.date) -> Iterable[AgendaItem]:
    return _step_items(
        user, membership, Q(due_on__lt=today), "pathway_step_overdue", _("Pathway step overdue: %(step)s (%(pathway)s)")
    )


def stalled_pathways(user: User, membership: Membership, now: datetime.datetime | None = None) -> QuerySet[Pathway]:
    """Open pathways of families the user may see in their organization's work (their own, or
    their organization's) with no step completed for 14 days, or a step past its time limit."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    visible = households_visible(
        user=user, membership=membership, category=DataCategory.CARE_PLAN, purpose=Purpose.CARE_COORDINATION
    )
    late = PathwayStep.objects.filter(completed_at__isnull=True, due_on__lt=today).values("pathway_id")
    return (
        Pathway.objects.filter(status=Status.OPEN, household__in=visible.values("pk"))
        .filter(Q(coordinator=user) | Q(organization_id=membership.organization_id))
        .filter(Q(last_progress_at__lt=now - STALLED_AFTER) | Q(pk__in=late))
        .order_by("last_progress_at", "id")
    )


def _stalled(user: User, membership: Membership, since: datetime.datetime) -> Iterable[AgendaItem]:
    # A stalled pathway stays on the review until it moves again, whenever it stalled. Plain
    # values and one reverse for the list: an organization's list can hold thousands.
    if membership.role != Role.COORDINATOR:
        return []
    placeholder = uuid.UUID(int=0)
    pattern = reverse("pathways:detail", kwargs={"pathway_id": placeholder})
    rows = stalled_pathways(user, membership).values_list("pk", "household_id", "name", "due_on", "last_progress_at")
    return [
        AgendaItem(
            household_id=household_id,
            key="stalled_pathway",
            label=_("Pathway stalled: %(pathway)s") % {"pathway": name},
            url=pattern.replace(str(placeholder), str(pk)),
            due=due_on,
            since=last_progress_at,
        )
        for pk, household_id, name, due_on, last_progress_at in rows
    ]


# --- Encounters -------------------------------------------------------------------------------------


def _encounter_choices(household: Household, user: User, membership: Membership) -> list[tuple[str, str]]:
    if not may_see(user, membership, household):
        return []
    rows = Pathway.objects.filter(household=household, status__in=WORKING).order_by("name", "id")
    return [(str(p.pk), p.name) for p in rows]


def _encounter_save(contact: Contact, ids: list[str], user: User) -> None:
    wanted = list(dict.fromkeys(ids))
    found = {
        str(p.pk): p
        for p in Pathway.objects.filter(household_id=contact.household_id, status__in=WORKING, pk__in=_uuids(wanted))
    }
    for value in wanted:
        if value not in found:
            raise ValueError(f"pathway {value} is not an open pathway of this family")
    PathwayEncounter.objects.bulk_create(
        [PathwayEncounter(contact=contact, pathway=found[v]) for v in wanted], ignore_conflicts=True
    )


def _uuids(values: list[str]) -> list[str]:
    result = []
    for value in values:
        try:
            result.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return result


def _encounter_shown(contact: Contact) -> list[str]:
    rows = PathwayEncounter.objects.filter(contact=contact).select_related("pathway").order_by("pathway__name")
    return [row.pathway.name for row in rows]


# --- Home page ---------------------------------------------------------------------------------------


def _home_review(request: HttpRequest, user: User, membership: Membership) -> dict[str, Any] | None:
    """A supervisor's home: how many closures wait for their review (a number, no family)."""
    if not membership.is_supervisor:
        return None
    visible = households_visible(
        user=user, membership=membership, category=DataCategory.CARE_PLAN, purpose=Purpose.CARE_COORDINATION
    )
    awaiting = (
        Pathway.objects.filter(
            status=Status.AWAITING_REVIEW, organization_id=membership.organization_id, household__in=visible
        )
        .exclude(Q(coordinator=user) | Q(submitted_by=user))
        .count()
    )
    return {"awaiting": awaiting}


# --- Referrals ---------------------------------------------------------------------------------------


def _on_referral(referral: Referral, event: str) -> None:
    if event == hooks.COMPLETED:
        referral_completed(referral)


def register() -> None:
    register_page_section(
        PageSection(
            "pathways",
            30,
            "pathways/_family_section.html",
            _section,
            categories=(DataCategory.CARE_PLAN, *NEED_CATEGORIES),
            roles=SECTION_ROLES,
        )
    )
    register_export_section(ExportSection("pathways", 65, _export, _readable))
    register_timeline_source(TimelineSource("pathways", (DataCategory.CARE_PLAN,), _timeline))
    register_day_source(DaySource("pathways-today", Section.TODAY, _due_today))
    register_day_source(DaySource("pathways-overdue", Section.OVERDUE, _overdue))
    register_review_source(ReviewSource("pathways-stalled", ReviewReason.STALLED_PATHWAY, _stalled))
    register_encounter_link(
        EncounterLinkKind(
            key="pathways",
            order=30,
            label=lambda: _("Pathways worked on"),
            choices=_encounter_choices,
            save=_encounter_save,
            shown=_encounter_shown,
        )
    )
    register_home_card(
        HomeCard(
            "pathways-review", 20, "pathways/_home_review_card.html", _home_review, roles=frozenset({Role.COORDINATOR})
        )
    )
    hooks.listen(_on_referral)
