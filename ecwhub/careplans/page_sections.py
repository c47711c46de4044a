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
from ecwhub.consent.sections import PageSection, SectionContext, register_page_section

from .review import DAY_SOURCES, REVIEW_SOURCES
from .selectors import goal_choices, goals_of_encounter, plan_view
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
    return {"view": view, "household": opened.household}


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
