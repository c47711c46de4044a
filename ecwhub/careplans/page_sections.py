"""What this app adds to other apps' pages and registries: the care team and plan on the family
page, the case review and "my day" sources
(``review.py``), and the goals an encounter can link to (``care.encounter_links``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ecwhub.accounts.models import Role
from ecwhub.care.agenda import register_day_source, register_review_source
from ecwhub.care.encounter_links import EncounterLinkKind, register_encounter_link
from ecwhub.consent.models import DataCategory
from ecwhub.consent.sections import (
    ExportSection,
    PageSection,
    Readable,
    ReadableEntry,
    SectionContext,
    choice_label,
    register_export_section,
    register_page_section,
    when,
)

from .forms import TeamMemberForm
from .models import BarrierReason, GoalStatus, TeamRole
from .review import DAY_SOURCES, REVIEW_SOURCES
from .selectors import goal_choices, goals_of_encounter, may_change_plan, plan_view
from .services import goal_encounters_link

SECTION_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})


def _section(context: SectionContext) -> dict[str, Any] | None:
    """The care team (with the designated coordinator) and the active goals, with a link to the
    whole plan; nothing for a reader who may not see the family's care plan."""
    opened = context.opened
    if not opened.may_see(DataCategory.CARE_PLAN):
        return None
    view = plan_view(opened, notes=False, closed_goals=False, needs=False)
    context.show(*view.shown)
    may_change = may_change_plan(opened)
    people = [(str(p.pk), f"{p.given_name} {p.family_name}") for p in opened.members]
    return {
        "view": view,
        "household": opened.household,
        "may_change": may_change,
        "team_form": TeamMemberForm(people=people, auto_id="team-%s") if may_change else None,
    }


def _export(context: SectionContext) -> dict[str, Any]:
    """The team, the team notes the reader may see, and the plan, as codes and ISO dates."""
    view = plan_view(context.opened)
    return {
        "care_team": [
            {"role": m.role, "person": str(m.person_id) if m.person_id else None, "organization": _org(m)}
            for m in view.members
        ],
        "team_notes": [{"at": n.at.isoformat(), "category": n.category, "text": n.text} for n in view.notes],
        "goals": [
            {
                "text": g.goal.text,
                "language": g.goal.language,
                "target_date": g.goal.target_date.isoformat(),
                "status": g.goal.status,
                "needs": [n.need for n in g.needs],
                "progress": [
                    {"on": p.on.isoformat(), "by_family": p.by_family, "note": p.note, "status": p.status or None}
                    for p in g.progress
                ],
                "barriers": [_barrier(b) for b in g.barriers],
            }
            for g in view.goals
        ],
        "barriers": [_barrier(b) for b in view.other_barriers],
    }


def _org(member: Any) -> str | None:
    return member.organization.name if member.organization_id else None


def _barrier(barrier: Any) -> dict[str, Any]:
    return {
        "reason": barrier.reason,
        "text": barrier.text,
        "need": barrier.need.need if barrier.need_id else None,
        "recorded_at": barrier.recorded_at.isoformat(),
        "resolved_at": barrier.resolved_at.isoformat() if barrier.resolved_at else None,
    }


def _readable(context: SectionContext) -> list[Readable]:
    view = plan_view(context.opened)
    context.show(*view.shown)
    entries = []
    if view.members:
        entries.append(
            ReadableEntry(
                title=_("Care team"),
                lines=tuple(
                    f"{choice_label(TeamRole.choices, m.role)}: "
                    + (f"{m.person.given_name} {m.person.family_name}" if m.person else str(_org(m)))
                    for m in view.members
                ),
            )
        )
    for g in view.goals:
        lines = [
            _("%(when)s: %(note)s") % {"when": when(p.on), "note": p.note}
            + (f" ({choice_label(GoalStatus.choices, p.status)})" if p.status else "")
            for p in g.progress
        ]
        lines += [
            _("Barrier: %(reason)s") % {"reason": choice_label(BarrierReason.choices, b.reason)} for b in g.barriers
        ]
        entries.append(
            ReadableEntry(
                title=g.goal.text,
                facts=(
                    (_("Target date"), when(g.goal.target_date)),
                    (_("Status"), choice_label(GoalStatus.choices, g.goal.status)),
                ),
                lines=tuple(lines),
            )
        )
    if view.notes:
        entries.append(ReadableEntry(title=_("Team notes"), lines=tuple(f"{when(n.at)}: {n.text}" for n in view.notes)))
    return [Readable(_("Care team and plan"), tuple(entries), _("Nothing recorded yet."))]


def register() -> None:
    register_page_section(
        PageSection(
            "care-plan",
            16,
            "careplans/_family_section.html",
            _section,
            categories=(DataCategory.CARE_PLAN,),
            roles=SECTION_ROLES,
        )
    )
    register_export_section(ExportSection("careplans", 65, _export, _readable))
    for source in REVIEW_SOURCES:
        register_review_source(source)
    for day_source in DAY_SOURCES:
        register_day_source(day_source)
    register_encounter_link(
        EncounterLinkKind(
            key="goals",
            order=10,
            label=_goals_label,
            choices=goal_choices,
            save=goal_encounters_link,
            shown=goals_of_encounter,
        )
    )


def _goals_label() -> str:
    return _("Goals worked on")
