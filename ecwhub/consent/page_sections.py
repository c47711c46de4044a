"""The consent app's sections of the family page (sensitive notes) and of the export (consents,
relationships, sensitive notes, and the accounting of disclosures)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ecwhub.accounts.models import Role
from ecwhub.core.languages import Language
from ecwhub.families.display import person_name
from ecwhub.families.models import SENSITIVE_NOTE_CATEGORIES

from .models import Consent, DataCategory, Purpose, Relationship, RelationshipKind
from .policy import decide
from .sections import (
    ExportSection,
    PageSection,
    Readable,
    ReadableEntry,
    SectionContext,
    choice_label,
    register_export_section,
    register_page_section,
    span,
    when,
)
from .selectors import disclosures, sensitive_notes_open

NOTE_ROLES = frozenset({"coordinator", "clinician", "provider_staff"})


def _sensitive(context: SectionContext) -> dict[str, Any] | None:
    opened = context.opened
    notes = sensitive_notes_open(opened)
    context.show(*notes)
    labels = dict(DataCategory.choices)
    writable = [
        (category, labels[category])
        for category in SENSITIVE_NOTE_CATEGORIES
        if decide(
            user=opened.user,
            membership=opened.membership,
            household=opened.household,
            category=category,
            purpose=Purpose.CARE_COORDINATION,
            write=True,
        )
    ]
    if not notes and not writable:
        return None
    return {
        "household": opened.household,
        "sensitive_notes": [(labels[category], rows) for category, rows in notes.items()],
        "sensitive_writable": writable,
    }


def _consent(consent: Consent) -> dict[str, Any]:
    return {
        "id": str(consent.pk),
        "person": str(consent.person_id) if consent.person_id else None,
        "whole_network": consent.network_wide,
        "organizations": sorted(o.name for o in consent.organizations.all()),
        "categories": sorted(c.category for c in consent.categories.all()),
        "purposes": sorted(p.purpose for p in consent.purposes.all()),
        "method": consent.method,
        "text_version": consent.text_version,
        "language": consent.language,
        "given_by": str(consent.given_by_id),
        "given_at": consent.given_at.isoformat(),
        "expires_at": consent.expires_at.isoformat(),
        "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "in_force": consent.is_in_force,
    }


def _export_consents(context: SectionContext) -> dict[str, Any]:
    """The family's consents and relationships: the terms under which its information is shared,
    which anyone who may open the family may read (a consent about a member the reader may not
    see is left out)."""
    opened = context.opened
    consents = (
        Consent.objects.filter(household=opened.household)
        .prefetch_related("organizations", "categories", "purposes")
        .order_by("given_at", "id")
    )
    relationships = Relationship.objects.filter(household=opened.household).select_related("organization", "user")
    return {
        "consents": [_consent(c) for c in consents if c.person_id is None or c.person_id in opened.people],
        "relationships": [
            {
                "kind": r.kind,
                "organization": r.organization.name if r.organization else None,
                "person": r.user.get_full_name() if r.user else None,
                "started_at": r.started_at.isoformat(),
                "ended_at": r.ended_at.isoformat() if r.ended_at else None,
            }
            for r in relationships.order_by("started_at", "id")
        ],
    }


def _export_notes(context: SectionContext) -> dict[str, Any]:
    notes = sensitive_notes_open(context.opened)
    context.show(*notes)
    return {
        "sensitive_notes": [
            {
                "category": note.category,
                "person": str(note.person_id) if note.person_id else None,
                "text": note.text,
                "recorded_at": note.created_at.isoformat(),
                "recorded_in": note.recorded_in.name,
            }
            for rows in notes.values()
            for note in rows
        ]
    }


def _export_disclosures(context: SectionContext) -> dict[str, Any]:
    return {
        "disclosures": [
            {
                "at": d.at.isoformat(),
                "action": d.action,
                "who": d.who,
                "organization": d.organization,
                "role": d.role,
                "categories": list(d.categories),
                "purpose": d.purpose,
                "emergency": d.emergency,
            }
            for d in disclosures(context.opened)
        ]
    }


def _labels(choices: Any, values: Any) -> str:
    return ", ".join(sorted(choice_label(choices, v) for v in values))


def _readable_consents(context: SectionContext) -> list[Readable]:
    opened = context.opened
    names = {p.pk: person_name(p) for p in opened.members}
    consents = (
        Consent.objects.filter(household=opened.household)
        .prefetch_related("organizations", "categories", "purposes")
        .order_by("given_at", "id")
    )
    entries = []
    for consent in consents:
        if consent.person_id is not None and consent.person_id not in opened.people:
            continue
        about = names.get(consent.person_id, "") if consent.person_id else _("the whole family")
        shared_with = (
            _("every organization of the network")
            if consent.network_wide
            else ", ".join(sorted(o.name for o in consent.organizations.all()))
        )
        facts = [
            (_("About"), about),
            (_("Shared with"), shared_with),
            (_("What may be shared"), _labels(DataCategory.choices, (c.category for c in consent.categories.all()))),
            (_("For"), _labels(Purpose.choices, (p.purpose for p in consent.purposes.all()))),
            (_("How it was given"), choice_label(Consent.Method.choices, consent.method)),
            (_("Language of the text"), choice_label(Language.choices, consent.language)),
            (_("Given"), when(consent.given_at)),
            (_("Ends"), when(consent.expires_at)),
        ]
        if consent.withdrawn_at:
            facts.append((_("Withdrawn"), when(consent.withdrawn_at)))
        facts.append((_("In force"), _("Yes") if consent.is_in_force else _("No")))
        entries.append(ReadableEntry(facts=tuple(facts)))
    relationships = Relationship.objects.filter(household=opened.household).select_related("organization", "user")
    lines = tuple(
        _("%(who)s: %(kind)s (%(dates)s)")
        % {
            "who": r.organization.name if r.organization else (r.user.get_full_name() if r.user else ""),
            "kind": choice_label(RelationshipKind.choices, r.kind),
            "dates": span(r.started_at, r.ended_at),
        }
        for r in relationships.order_by("started_at", "id")
    )
    return [
        Readable(_("Consents"), tuple(entries), _("No consent recorded.")),
        Readable(_("Who works with your family"), (ReadableEntry(lines=lines),) if lines else (), _("No one yet.")),
    ]


def _readable_notes(context: SectionContext) -> list[Readable]:
    notes = sensitive_notes_open(context.opened)
    context.show(*notes)
    entries = tuple(
        ReadableEntry(
            title=f"{choice_label(DataCategory.choices, note.category)}, {when(note.created_at)}",
            facts=((_("Recorded by"), note.recorded_in.name),),
            lines=(note.text,),
        )
        for rows in notes.values()
        for note in rows
    )
    return [Readable(_("Sensitive notes"), entries)] if entries else []


def _readable_disclosures(context: SectionContext) -> list[Readable]:
    lines = []
    for d in disclosures(context.opened):
        who = ", ".join(
            part for part in (d.who, d.organization, choice_label(Role.choices, d.role) if d.role else "") if part
        )
        said = {"when": when(d.at), "who": who or _("the hub"), "action": d.action_label}
        if d.categories:
            line = _("%(when)s: %(who)s — %(action)s: %(what)s") % {
                **said,
                "what": _labels(DataCategory.choices, d.categories),
            }
        else:
            line = _("%(when)s: %(who)s — %(action)s") % said
        if d.emergency:
            line += " " + _("(emergency access)")
        lines.append(line)
    return [
        Readable(
            _("Who has seen your family's information"),
            (ReadableEntry(lines=tuple(lines)),) if lines else (),
            _("No one yet."),
        )
    ]


def register() -> None:
    register_page_section(
        PageSection(
            "sensitive-notes",
            90,
            "consent/_sensitive_section.html",
            _sensitive,
            categories=SENSITIVE_NOTE_CATEGORIES,
            roles=NOTE_ROLES,
        )
    )
    register_export_section(ExportSection("consents", 20, _export_consents, _readable_consents))
    register_export_section(ExportSection("sensitive-notes", 40, _export_notes, _readable_notes))
    register_export_section(ExportSection("disclosures", 100, _export_disclosures, _readable_disclosures))
