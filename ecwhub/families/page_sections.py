"""The families app's sections of the family page and of the export: priority flags, the
duplicated-coordination flag, merges, intakes, and the household and its people in the export."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from ecwhub.accounts.models import Role
from ecwhub.consent.models import DataCategory
from ecwhub.consent.sections import (
    TIMELINE_SECTION,
    ExportSection,
    PageSection,
    Readable,
    ReadableEntry,
    SectionContext,
    TimelineEvent,
    TimelineSource,
    choice_label,
    field_facts,
    register_export_section,
    register_page_section,
    register_timeline_source,
    row_category,
    span,
    timeline_sources,
    when,
)
from ecwhub.consent.selectors import rows_visible

from .display import person_name
from .models import (
    DEMOGRAPHIC_FIELDS,
    HOUSEHOLD_DEMOGRAPHIC_FIELDS,
    HOUSEHOLD_IDENTITY_FIELDS,
    IDENTITY_FIELDS,
    INSURANCE_FIELDS,
    PRIORITY_FLAG_CATEGORY,
    HouseholdMerge,
    IntakeRecord,
    PersonMerge,
    PersonRelation,
    PriorityFlag,
    PriorityFlagRecord,
)
from .selectors import duplication_statuses, household_flag_for

FLAG_CATEGORIES = tuple(sorted(set(PRIORITY_FLAG_CATEGORY.values())))
MERGE_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN})


def _flags(context: SectionContext) -> dict[str, Any] | None:
    flags = list(
        rows_visible(context.opened, PriorityFlagRecord.objects.filter(ended_at__isnull=True)).order_by(
            "created_at", "id"
        )
    )
    if not flags:
        return None
    context.show(*{f.category for f in flags})
    labels = dict(PriorityFlag.choices)
    category_labels = dict(DataCategory.choices)
    return {
        "priority_flags": [(labels.get(f.flag, f.flag), category_labels.get(f.category, f.category)) for f in flags]
    }


def _duplication(context: SectionContext) -> dict[str, Any] | None:
    membership = context.opened.membership
    flag = household_flag_for(household=context.opened.household, membership=membership) if membership else None
    if flag is None:
        return None
    status = duplication_statuses([flag])[flag.household_id]
    return {"duplication_flag": flag, "duplication_asked_at": status.last_asked}


class _MergeView:
    def __init__(self, row: PersonMerge | HouseholdMerge, label: str) -> None:
        self.row = row
        self.label = label


def _merges(context: SectionContext) -> dict[str, Any] | None:
    opened = context.opened
    merges = [_MergeView(m, _("Two records of one person")) for m in rows_visible(opened, PersonMerge.objects.all())]
    merges += [
        _MergeView(
            m,
            _("Two records of one person, and of their family")
            if "person" in json.loads(m.snapshot or "{}")
            else _("Two records of this family"),
        )
        for m in rows_visible(opened, HouseholdMerge.objects.all())
    ]
    if not merges:
        return None
    merges.sort(key=lambda m: m.row.merged_at, reverse=True)
    return {"merges": merges, "household": opened.household}


def _intakes(context: SectionContext) -> dict[str, Any] | None:
    intakes = list(rows_visible(context.opened, IntakeRecord.objects.select_related("organization"))[:20])
    return {"intakes": intakes} if intakes else None


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


_PERSON_FIELDS = {
    DataCategory.IDENTITY_CONTACT: IDENTITY_FIELDS,
    DataCategory.DEMOGRAPHICS: DEMOGRAPHIC_FIELDS,
    DataCategory.INSURANCE: INSURANCE_FIELDS,
}
_HOUSEHOLD_FIELDS = {
    DataCategory.IDENTITY_CONTACT: HOUSEHOLD_IDENTITY_FIELDS,
    DataCategory.DEMOGRAPHICS: HOUSEHOLD_DEMOGRAPHIC_FIELDS,
}


def _export_people(context: SectionContext) -> dict[str, Any]:
    opened = context.opened
    household = opened.household
    family: dict[str, Any] = {"id": str(household.pk), "registered_by": household.registered_by.name}
    for category, names in _HOUSEHOLD_FIELDS.items():
        if opened.may_see(category):
            family.update({name: _value(getattr(household, name)) for name in names})
            context.show(category)
    people = []
    for person in opened.members:
        record: dict[str, Any] = {"id": str(person.pk)}
        for category, names in _PERSON_FIELDS.items():
            if opened.may_see(category, person):
                record.update({name: _value(getattr(person, name)) for name in names})
                context.show(category)
        people.append(record)
    relations = rows_visible(opened, PersonRelation.objects.filter(to_person__in=[p.pk for p in opened.members]))
    return {
        "household": family,
        "people": people,
        "person_relations": [
            {"from": str(r.from_person_id), "to": str(r.to_person_id), "kind": r.kind}
            for r in relations.order_by("created_at", "id")
        ],
    }


def _export_records(context: SectionContext) -> dict[str, Any]:
    opened = context.opened
    flags = list(rows_visible(opened, PriorityFlagRecord.objects.select_related("recorded_in")))
    context.show(*{f.category for f in flags})
    return {
        "priority_flags": [
            {
                "flag": flag.flag,
                "category": flag.category,
                "person": str(flag.person_id) if flag.person_id else None,
                "recorded_at": flag.created_at.isoformat(),
                "recorded_in": flag.recorded_in.name,
                "ended_at": _value(flag.ended_at),
            }
            for flag in flags
        ],
        "intakes": [
            {
                "taken_at": i.taken_at.isoformat(),
                "organization": i.organization.name,
                "place": i.place,
                "outcome": i.outcome,
            }
            for i in rows_visible(opened, IntakeRecord.objects.select_related("organization"))
        ],
        "merges": [
            {"kind": "person", "merged_at": mg.merged_at.isoformat(), "undone_at": _value(mg.undone_at)}
            for mg in rows_visible(opened, PersonMerge.objects.all())
        ]
        + [
            {"kind": "family", "merged_at": mg.merged_at.isoformat(), "undone_at": _value(mg.undone_at)}
            for mg in rows_visible(opened, HouseholdMerge.objects.all())
        ],
    }


def _readable_people(context: SectionContext) -> list[Readable]:
    opened = context.opened
    household = opened.household
    facts: list[tuple[str, str]] = [(_("Registered by"), household.registered_by.name)]
    for category, names in _HOUSEHOLD_FIELDS.items():
        if opened.may_see(category):
            facts.extend(field_facts(household, names))
            context.show(category)
    people = []
    for person in opened.members:
        person_facts: list[tuple[str, str]] = []
        for category, names in _PERSON_FIELDS.items():
            if opened.may_see(category, person):
                person_facts.extend(field_facts(person, names))
                context.show(category)
        people.append(ReadableEntry(title=person_name(person), facts=tuple(person_facts)))
    return [
        Readable(_("Your family"), (ReadableEntry(facts=tuple(facts)),)),
        Readable(_("People"), tuple(people)),
    ]


def _readable_records(context: SectionContext) -> list[Readable]:
    opened = context.opened
    flags = list(rows_visible(opened, PriorityFlagRecord.objects.select_related("recorded_in")).order_by("created_at"))
    context.show(*{f.category for f in flags})
    flag_lines = tuple(
        _("%(situation)s (told to %(organization)s, %(dates)s)")
        % {
            "situation": choice_label(PriorityFlag.choices, flag.flag),
            "organization": flag.recorded_in.name,
            "dates": span(flag.created_at, flag.ended_at),
        }
        for flag in flags
    )
    intakes = rows_visible(opened, IntakeRecord.objects.select_related("organization")).order_by("taken_at")
    intake_lines = tuple(
        _("%(when)s: %(organization)s, %(place)s (%(outcome)s)")
        % {
            "when": when(i.taken_at),
            "organization": i.organization.name,
            "place": choice_label(IntakeRecord.Place.choices, i.place),
            "outcome": choice_label(IntakeRecord.Outcome.choices, i.outcome),
        }
        for i in intakes
    )
    merges: list[tuple[str, PersonMerge | HouseholdMerge]] = [
        (_("Two records of one person joined"), m) for m in rows_visible(opened, PersonMerge.objects.all())
    ]
    merges += [(_("Two records of this family joined"), m) for m in rows_visible(opened, HouseholdMerge.objects.all())]
    merge_lines = tuple(
        f"{label}: {when(m.merged_at)}"
        + (" " + _("(undone %(when)s)") % {"when": when(m.undone_at)} if m.undone_at else "")
        for label, m in sorted(merges, key=lambda pair: pair[1].merged_at)
    )
    parts = [
        Readable(
            _("Situations you told us about"),
            (ReadableEntry(lines=flag_lines),) if flag_lines else (),
            _("None recorded."),
        ),
        Readable(_("Intakes"), (ReadableEntry(lines=intake_lines),) if intake_lines else (), _("None recorded.")),
    ]
    if merge_lines:
        parts.append(Readable(_("Records joined"), (ReadableEntry(lines=merge_lines),)))
    return parts


# The timeline shows the newest events; older ones are in the sections below and in the export.
TIMELINE_SHOWN = 30


def _timeline(context: SectionContext) -> dict[str, Any] | None:
    """Everything that happened to the family, newest first, from every app's timeline source:
    each read through the opened family, so only rows the viewer may see appear."""
    events = [event for source in timeline_sources() for event in source.events(context)]
    if not events:
        return None
    events.sort(key=lambda e: e.at, reverse=True)
    shown = events[:TIMELINE_SHOWN]
    context.show(*{e.category for e in shown})
    return {"events": shown, "more": len(events) - len(shown)}


def _intake_events(context: SectionContext) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            at=i.taken_at,
            kind=_("Intake"),
            text=_("%(organization)s, %(place)s (%(outcome)s)")
            % {
                "organization": i.organization.name,
                "place": i.get_place_display(),
                "outcome": i.get_outcome_display(),
            },
            category=row_category(i),
        )
        for i in rows_visible(context.opened, IntakeRecord.objects.select_related("organization"))
    ]


def register() -> None:
    register_page_section(PageSection(TIMELINE_SECTION, 30, "families/_timeline_section.html", _timeline))
    register_timeline_source(TimelineSource("intakes", (DataCategory.IDENTITY_CONTACT,), _intake_events))
    register_page_section(PageSection("duplication", 10, "families/_duplication_section.html", _duplication))
    register_page_section(
        PageSection("priority-flags", 40, "families/_flags_section.html", _flags, categories=FLAG_CATEGORIES)
    )
    register_page_section(PageSection("merges", 50, "families/_merges_section.html", _merges, roles=MERGE_ROLES))
    register_page_section(PageSection("intakes", 60, "families/_intakes_section.html", _intakes))
    register_export_section(ExportSection("people", 10, _export_people, _readable_people))
    register_export_section(ExportSection("family-records", 30, _export_records, _readable_records))
