"""Everything the hub holds about one family, for the family (or its coordinator) to take away.

Only the categories the requester may see are included; the export itself is audited. The same
data serves the machine-readable (JSON) and the human-readable (HTML) forms.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from ecwhub.accounts.models import Membership, User
from ecwhub.families.models import (
    DEMOGRAPHIC_FIELDS,
    HOUSEHOLD_DEMOGRAPHIC_FIELDS,
    HOUSEHOLD_IDENTITY_FIELDS,
    IDENTITY_FIELDS,
    INSURANCE_FIELDS,
    Household,
    HouseholdMerge,
    IntakeRecord,
    Person,
    PersonMerge,
    PersonRelation,
    PriorityFlagRecord,
    SensitiveNote,
)

from .models import AuditEntry, Consent, DataCategory, Purpose, Relationship
from .policy import decide
from .selectors import audit_reads, disclosures

EXPORT_FORMAT_VERSION = "1"
_PERSON_FIELDS = {
    DataCategory.IDENTITY_CONTACT: IDENTITY_FIELDS,
    DataCategory.DEMOGRAPHICS: DEMOGRAPHIC_FIELDS,
    DataCategory.INSURANCE: INSURANCE_FIELDS,
}
_HOUSEHOLD_FIELDS = {
    DataCategory.IDENTITY_CONTACT: HOUSEHOLD_IDENTITY_FIELDS,
    DataCategory.DEMOGRAPHICS: HOUSEHOLD_DEMOGRAPHIC_FIELDS,
}


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


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


def family_export(*, user: User, membership: Membership | None, household: Household) -> dict[str, Any]:
    """The export as a dictionary (JSON-ready). Audited as one EXPORT entry with the categories
    included. The caller has checked that ``household`` may be opened at all."""
    purpose = Purpose.CARE_COORDINATION
    allowed = [
        c
        for c in DataCategory
        if decide(user=user, membership=membership, household=household, category=c, purpose=purpose)
    ]
    people = []
    for person in Person.objects.filter(household=household).order_by("created_at", "id"):
        visible = [
            c
            for c in _PERSON_FIELDS
            if c in allowed
            and decide(
                user=user, membership=membership, household=household, category=c, purpose=purpose, person=person
            )
        ]
        record: dict[str, Any] = {"id": str(person.pk)}
        for category in visible:
            record.update({name: _value(getattr(person, name)) for name in _PERSON_FIELDS[category]})
        people.append(record)
    family: dict[str, Any] = {"id": str(household.pk), "registered_by": household.registered_by.name}
    for category, names in _HOUSEHOLD_FIELDS.items():
        if category in allowed:
            family.update({name: _value(getattr(household, name)) for name in names})
    consents = Consent.objects.filter(household=household).prefetch_related("organizations", "categories", "purposes")
    relationships = Relationship.objects.filter(household=household).select_related("organization", "user")
    data = {
        "format": "ecwhub-family-export",
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "categories_included": sorted(allowed),
        "household": family,
        "people": people,
        "consents": [_consent(c) for c in consents],
        "relationships": [
            {
                "kind": r.kind,
                "organization": r.organization.name if r.organization else None,
                "person": r.user.get_full_name() if r.user else None,
                "started_at": r.started_at.isoformat(),
                "ended_at": r.ended_at.isoformat() if r.ended_at else None,
            }
            for r in relationships
        ],
        "sensitive_notes": [
            {
                "category": note.category,
                "person": str(note.person_id) if note.person_id else None,
                "text": note.text,
                "recorded_at": note.created_at.isoformat(),
                "recorded_in": note.recorded_in.name,
            }
            for note in SensitiveNote.objects.filter(household=household, category__in=allowed).select_related(
                "recorded_in"
            )
        ],
        "priority_flags": [
            {
                "flag": flag.flag,
                "category": flag.category,
                "person": str(flag.person_id) if flag.person_id else None,
                "recorded_at": flag.created_at.isoformat(),
                "recorded_in": flag.recorded_in.name,
                "ended_at": flag.ended_at.isoformat() if flag.ended_at else None,
            }
            for flag in PriorityFlagRecord.objects.filter(household=household, category__in=allowed).select_related(
                "recorded_in"
            )
        ],
        "person_relations": [
            {"from": str(r.from_person_id), "to": str(r.to_person_id), "kind": r.kind}
            for r in PersonRelation.objects.filter(from_person__household=household).order_by("created_at", "id")
        ]
        if DataCategory.DEMOGRAPHICS in allowed
        else [],
        "intakes": [
            {
                "taken_at": i.taken_at.isoformat(),
                "organization": i.organization.name,
                "place": i.place,
                "outcome": i.outcome,
            }
            for i in IntakeRecord.objects.filter(household=household).select_related("organization")
        ],
        "merges": [
            {"kind": "person", "merged_at": mg.merged_at.isoformat(), "undone_at": _value(mg.undone_at)}
            for mg in PersonMerge.objects.filter(household=household)
        ]
        + [
            {"kind": "family", "merged_at": mg.merged_at.isoformat(), "undone_at": _value(mg.undone_at)}
            for mg in HouseholdMerge.objects.filter(survivor=household)
        ],
        **_screening_and_care(household, allowed),
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
            for d in disclosures(household=household)
        ],
    }
    audit_reads(
        user=user,
        membership=membership,
        household_ids=[household.pk],
        categories=allowed,
        purpose=purpose,
        action=AuditEntry.Action.EXPORT,
        detail="family export",
    )
    return data


def _screening_and_care(household: Household, allowed: list[DataCategory]) -> dict[str, Any]:
    """Screens, needs, alerts, the tier and the care record, each row only in a category the
    requester may see (the rows carry their category; see docs/screening.md and docs/care.md)."""
    from ecwhub.care.models import CareEvent, Contact, EpsdtNecessity, TierAssignment
    from ecwhub.screening.models import IdentifiedNeed, ScreeningAlert, ScreeningResponse

    responses = (
        ScreeningResponse.objects.filter(household=household, category__in=allowed)
        .prefetch_related("answers", "results", "findings")
        .order_by("started_at", "id")
    )
    tier = TierAssignment.objects.filter(household=household).first()
    return {
        "screenings": [
            {
                "id": str(r.pk),
                "person": str(r.person_id),
                "instrument": r.instrument,
                "version": r.instrument_version,
                "language": r.language,
                "mode": r.mode,
                "status": r.status,
                "started_at": r.started_at.isoformat(),
                "completed_at": _value(r.completed_at),
                "answers": [
                    {
                        "question": a.link_id,
                        "code": a.question_code,
                        "answer": a.answer_code,
                        "value": a.value,
                        "declined": a.declined,
                    }
                    for a in r.answers.all()
                    if a.category in allowed
                ],
                "results": [
                    {"rule": x.rule, "code": x.code, "status": x.status, "total": x.total}
                    for x in r.results.all()
                    if x.category in allowed
                ],
                "findings": [
                    {"code": f"{x.system}|{x.code}", "display": x.display, "score": x.score}
                    for x in r.findings.all()
                    if x.category in allowed
                ],
            }
            for r in responses
        ],
        "needs": [
            {
                "need": n.need,
                "person": str(n.person_id) if n.person_id else None,
                "status": n.status,
                "family_priority": n.priority,
                "identified_at": n.identified_at.isoformat(),
            }
            for n in IdentifiedNeed.objects.filter(household=household, category__in=allowed).order_by(
                "identified_at", "id"
            )
        ],
        "alerts": [
            {"kind": a.kind, "raised_at": a.raised_at.isoformat(), "acknowledged_at": _value(a.acknowledged_at)}
            for a in ScreeningAlert.objects.filter(household=household, category__in=allowed).order_by("raised_at")
        ],
        "tier": {
            "tier": tier.tier,
            "reasons": [r["en"] for r in tier.reasons if r.get("category") in allowed],
            "computed_at": tier.computed_at.isoformat(),
        }
        if tier is not None and DataCategory.CARE_PLAN in allowed
        else None,
        "care_events": [
            {"person": str(e.person_id), "kind": e.kind, "date": e.date.isoformat(), "source": e.source}
            for e in CareEvent.objects.filter(household=household).order_by("date", "id")
        ]
        if DataCategory.CARE_PLAN in allowed
        else [],
        "contacts": [
            {"at": c.at.isoformat(), "method": c.method, "reached": c.reached, "organization": c.organization.name}
            for c in Contact.objects.filter(household=household).select_related("organization").order_by("at", "id")
        ]
        if DataCategory.CASE_NOTES in allowed
        else [],
        "epsdt_medical_necessity": [
            {
                "person": str(x.person_id),
                "recorded_on": x.recorded_on.isoformat(),
                "reason": x.reason,
                "ended_at": _value(x.ended_at),
            }
            for x in EpsdtNecessity.objects.filter(household=household).order_by("recorded_on", "id")
        ]
        if DataCategory.CLINICAL in allowed
        else [],
    }


def family_export_html(data: dict[str, Any]) -> str:
    """The same export, as a page a person can read and print."""
    return render_to_string("exports/family.html", {"export": data})
