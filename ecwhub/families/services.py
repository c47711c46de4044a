"""The shared intake: drafts, the search for families the hub already knows, and completion
(create a new family, or link the intake to the family the hub knew).

The HTML pages and the API call these functions with the same form data (``IntakeData``: the
flat field names of ``families.forms``, each with a list of values), so the rules exist once.
Each operation runs in one transaction and raises ``IntakeError`` (field → messages) on bad
input, writing nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import AuditLine, audit_append
from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES, AuditEntry, DataCategory, Purpose, RelationshipKind
from ecwhub.consent.policy import decide, households_visible
from ecwhub.consent.selectors import audit_reads
from ecwhub.consent.services import ConsentError, consent_record, relationship_start

from .forms import CaregiverForm, ChildFormSet, DetailsForm, flags_consent_check
from .models import (
    INTAKE_DRAFT_LIFETIME_DAYS,
    PRIORITY_FLAG_CATEGORY,
    Household,
    InsuranceStatus,
    IntakeDraft,
    IntakeRecord,
    Person,
    PersonRelation,
    PriorityFlagRecord,
)

IntakeData = dict[str, list[str]]
INTAKE_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN})
INTAKE_CONSENT_TEXT_VERSION = "2026-1"
CAREGIVER_PREFIX, CHILD_PREFIX, DETAILS_PREFIX = "cg", "child", "d"
STEP_PREFIXES = {1: (f"{CAREGIVER_PREFIX}-", f"{CHILD_PREFIX}-"), 2: (f"{DETAILS_PREFIX}-",)}
# A candidate this likely is treated as the same person when an intake is linked to a family.
LINK_PERSON_THRESHOLD = 0.5


class IntakeError(ValueError):
    """Bad input for an intake. ``fields`` maps each field at fault (``__all__`` for the whole
    intake) to its messages."""

    def __init__(self, fields: Mapping[str, Sequence[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = {k: list(v) for k, v in fields.items()}


@dataclass(frozen=True)
class IntakeForms:
    caregiver: CaregiverForm
    children: Any  # ChildFormSet
    details: DetailsForm


def intake_forms(data: IntakeData | None) -> IntakeForms:
    """The three forms bound to ``data`` (unbound when ``data`` is None)."""
    if data is None:
        return IntakeForms(
            CaregiverForm(prefix=CAREGIVER_PREFIX),
            ChildFormSet(prefix=CHILD_PREFIX, initial=[{}]),
            DetailsForm(prefix=DETAILS_PREFIX),
        )
    bound = MultiValueDict(data)
    if f"{CHILD_PREFIX}-TOTAL_FORMS" not in bound:
        bound.setlist(f"{CHILD_PREFIX}-TOTAL_FORMS", ["0"])
        bound.setlist(f"{CHILD_PREFIX}-INITIAL_FORMS", ["0"])
    return IntakeForms(
        CaregiverForm(bound, prefix=CAREGIVER_PREFIX),
        ChildFormSet(bound, prefix=CHILD_PREFIX),
        DetailsForm(bound, prefix=DETAILS_PREFIX),
    )


def intake_forms_initial(data: IntakeData) -> IntakeForms:
    """Unbound forms showing what a draft holds (no errors for what is not filled in yet)."""

    def initial(form_class: Any, prefix: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, form_field in form_class.base_fields.items():
            key = f"{prefix}-{name}"
            if key in data:
                multiple = getattr(form_field.widget, "allow_multiple_selected", False)
                values[name] = data[key] if multiple else (data[key][-1] if data[key] else "")
        return values

    count = int((data.get(f"{CHILD_PREFIX}-TOTAL_FORMS") or ["1"])[-1] or 1)
    children = [initial(ChildFormSet.form, f"{CHILD_PREFIX}-{i}") for i in range(max(1, min(count, 8)))]
    return IntakeForms(
        CaregiverForm(prefix=CAREGIVER_PREFIX, initial=initial(CaregiverForm, CAREGIVER_PREFIX) or None),
        ChildFormSet(prefix=CHILD_PREFIX, initial=children),
        DetailsForm(prefix=DETAILS_PREFIX, initial=initial(DetailsForm, DETAILS_PREFIX) or None),
    )


def _errors(form: Any, prefix: str) -> dict[str, list[str]]:
    return {
        (f"{prefix}-{name}" if name != "__all__" else name): [str(m) for m in msgs]
        for name, msgs in form.errors.items()
    }


@dataclass(frozen=True)
class ValidIntake:
    caregiver: dict[str, Any]
    children: list[dict[str, Any]]
    details: dict[str, Any]


def intake_validate(data: IntakeData, *, steps: int = 2) -> ValidIntake:
    """Check step 1 (and step 2 when ``steps`` is 2). Raises IntakeError with every field error."""
    forms = intake_forms(data)
    errors: dict[str, list[str]] = {}
    if not forms.caregiver.is_valid():
        errors.update(_errors(forms.caregiver, CAREGIVER_PREFIX))
    if not forms.children.is_valid():
        for index, child_errors in enumerate(forms.children.errors):
            errors.update(_errors_dict(child_errors, f"{CHILD_PREFIX}-{index}"))
        if forms.children.non_form_errors():
            errors[f"{CHILD_PREFIX}-__all__"] = [str(m) for m in forms.children.non_form_errors()]
    details: dict[str, Any] = {}
    if steps >= 2:
        if not forms.details.is_valid():
            errors.update(_errors(forms.details, DETAILS_PREFIX))
        else:
            details = forms.details.cleaned_data
            consent_sensitive = forms.caregiver.cleaned_data.get("consent_sensitive", []) if not errors else []
            missing = flags_consent_check(details.get("flags", []), consent_sensitive)
            if missing and not errors:
                errors[f"{DETAILS_PREFIX}-flags"] = [
                    _(
                        "The family's consent does not cover this: add the category in step 1 "
                        "(immigration-sensitive for refugee or undocumented, child protection for foster care), "
                        "or leave the flag out."
                    )
                ]
    if errors:
        raise IntakeError(errors)
    children = [c for c in forms.children.cleaned_data if c]
    return ValidIntake(forms.caregiver.cleaned_data, children, details)


def _errors_dict(errors: Mapping[str, Any], prefix: str) -> dict[str, list[str]]:
    return {f"{prefix}-{name}": [str(m) for m in msgs] for name, msgs in errors.items()}


def _require_intake_role(membership: Membership | None) -> Membership:
    if membership is None or membership.role not in INTAKE_ROLES or not membership.is_active:
        raise IntakeError({"__all__": [_("Only care coordinators and clinicians take intakes.")]})
    return membership


# --- Drafts ------------------------------------------------------------------------------------


def intake_start(*, acting_user: User, membership: Membership | None) -> IntakeDraft:
    """A new, empty intake draft for the user in their organization."""
    membership = _require_intake_role(membership)
    now = timezone.now()
    return IntakeDraft.objects.create(
        author=acting_user,
        organization=membership.organization,
        step=1,
        data="{}",
        expires_at=now + timedelta(days=INTAKE_DRAFT_LIFETIME_DAYS),
    )


def intake_draft_get(*, acting_user: User, draft_id: uuid.UUID | str) -> IntakeDraft | None:
    """The user's own unexpired draft, or None (someone else's draft is never found)."""
    try:
        return IntakeDraft.objects.get(pk=draft_id, author=acting_user, expires_at__gt=timezone.now())
    except (IntakeDraft.DoesNotExist, ValueError, TypeError, ValidationError):  # missing, or not a UUID
        return None


def intake_draft_data(draft: IntakeDraft) -> IntakeData:
    raw = json.loads(draft.data or "{}")
    return {str(k): [str(v) for v in values] for k, values in raw.items()}


def intake_save_step(
    *, acting_user: User, draft: IntakeDraft, data: IntakeData, step: int, advance: bool
) -> dict[str, list[str]]:
    """Save what was entered (partial progress is never lost, valid or not). With ``advance``,
    check the step and move the draft on when it is valid; returns the field errors (empty when
    the step is valid or was not checked)."""
    if draft.author_id != acting_user.pk:
        raise IntakeError({"__all__": [_("This intake is not yours.")]})
    merged = intake_draft_data(draft)
    # The step's form replaces what the draft held for it: an unticked box sends nothing, and
    # must not leave the earlier tick behind.
    prefixes = STEP_PREFIXES.get(step, ())
    merged = {k: v for k, v in merged.items() if not k.startswith(prefixes)}
    merged.update({k: list(v) for k, v in data.items() if k != "csrfmiddlewaretoken"})
    draft.data = json.dumps(merged, ensure_ascii=False)
    draft.updated_at = timezone.now()
    draft.expires_at = draft.updated_at + timedelta(days=INTAKE_DRAFT_LIFETIME_DAYS)
    fields = ["data", "updated_at", "expires_at"]
    errors: dict[str, list[str]] = {}
    if advance:
        try:
            intake_validate(merged, steps=step)
        except IntakeError as error:
            errors = error.fields
        else:
            draft.step = max(draft.step, step + 1)
            fields.append("step")
    draft.save(update_fields=fields)
    return errors


# --- Candidates --------------------------------------------------------------------------------


@dataclass
class CandidatePerson:
    person_id: uuid.UUID
    name: str
    date_of_birth: date | None
    probability: float
    reasons: list[str]
    entered_as: str


@dataclass
class CandidateFamily:
    household_id: uuid.UUID
    probability: float
    registered_by: str
    postal_code: str
    people: list[CandidatePerson] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


@dataclass(frozen=True)
class IntakeMatches:
    families: list[CandidateFamily]
    hidden_match: bool


def _entered_people(intake: ValidIntake) -> list[dict[str, Any]]:
    caregiver = intake.caregiver
    return [{**caregiver, "sex": intake.details.get("sex", "")}, *intake.children]


def _probe(index: int, entered: list[dict[str, Any]], intake: ValidIntake) -> Any:
    from ecwhub.identity.realtime import Probe

    person = entered[index]
    caregiver = index == 0
    return Probe(
        given_name=person["given_name"],
        family_name=person["family_name"],
        second_family_name=person.get("second_family_name", ""),
        date_of_birth=person.get("date_of_birth"),
        sex=person.get("sex") or "",
        phone=intake.caregiver.get("phone", "") if caregiver else "",
        email=intake.caregiver.get("email", "") if caregiver else "",
        street=intake.details.get("street", ""),
        postal_code=intake.caregiver.get("postal_code", ""),
        household_names=tuple(
            (p["given_name"], p["family_name"], p.get("date_of_birth")) for i, p in enumerate(entered) if i != index
        ),
    )


def _raw_candidates(intake: ValidIntake) -> list[tuple[int, Any]]:
    """(index of the person entered, candidate) for every candidate of every person entered."""
    from ecwhub.identity.realtime import find_candidates

    entered = _entered_people(intake)
    return [
        (index, candidate)
        for index in range(len(entered))
        for candidate in find_candidates(_probe(index, entered, intake), limit=10)
    ]


def _name(given: str, family: str, second: str = "") -> str:
    return " ".join(part for part in (given, family, second) if part)


def intake_candidates(*, acting_user: User, membership: Membership | None, data: IntakeData) -> IntakeMatches:
    """The families the hub probably knows already, for the people entered in step 1, ranked by
    the best match probability. Only families whose identity the user may see are shown (and
    audited as shown); if others match, ``hidden_match`` says so, with no detail."""
    membership = _require_intake_role(membership)
    intake = intake_validate(data, steps=1)
    found = _raw_candidates(intake)
    entered_people = _entered_people(intake)
    # The search itself reads the network's records: it is audited even when nothing is shown.
    audit_append(
        [
            _line(
                membership,
                acting_user,
                action=AuditEntry.Action.READ,
                categories=[DataCategory.IDENTITY_CONTACT],
                purpose=Purpose.CARE_COORDINATION,
                detail=f"intake search: {len({c.household_id for _, c in found})} possible families",
            )
        ]
    )
    if not found:
        return IntakeMatches([], False)
    household_ids = {c.household_id for _, c in found}
    purpose = Purpose.CARE_COORDINATION
    visible = set(
        households_visible(
            user=acting_user, membership=membership, category=DataCategory.IDENTITY_CONTACT, purpose=purpose
        )
        .filter(pk__in=household_ids)
        .values_list("pk", flat=True)
    )
    with_demographics = set(
        households_visible(user=acting_user, membership=membership, category=DataCategory.DEMOGRAPHICS, purpose=purpose)
        .filter(pk__in=visible)
        .values_list("pk", flat=True)
    )
    households = {h.pk: h for h in Household.objects.filter(pk__in=visible).select_related("registered_by")}
    people = {p.pk: p for p in Person.objects.filter(household_id__in=visible)}
    families: dict[uuid.UUID, CandidateFamily] = {}
    for index, candidate in found:
        entered = entered_people[index]
        if candidate.household_id not in visible or candidate.person_id not in people:
            continue
        household = households[candidate.household_id]
        person = people[candidate.person_id]
        # A young person's own choice to hide their record applies here too.
        if not decide(
            user=acting_user,
            membership=membership,
            household=household,
            category=DataCategory.IDENTITY_CONTACT,
            purpose=purpose,
            person=person,
        ):
            continue
        family = families.setdefault(
            household.pk,
            CandidateFamily(household.pk, 0.0, household.registered_by.name, household.postal_code),
        )
        family.probability = max(family.probability, candidate.probability)
        existing = next((p for p in family.people if p.person_id == person.pk), None)
        if existing is not None and existing.probability >= candidate.probability:
            continue
        if existing is not None:
            family.people.remove(existing)
        family.people.append(
            CandidatePerson(
                person_id=person.pk,
                name=_name(person.given_name, person.family_name, person.second_family_name),
                date_of_birth=person.date_of_birth if household.pk in with_demographics else None,
                probability=candidate.probability,
                reasons=[str(r) for r in candidate.reasons],
                entered_as=_name(entered["given_name"], entered["family_name"], entered.get("second_family_name", "")),
            )
        )
    ranked = sorted(families.values(), key=lambda f: (-f.probability, str(f.household_id)))
    for family in ranked:
        family.people.sort(key=lambda p: -p.probability)
    if ranked:
        audit_reads(
            user=acting_user,
            membership=membership,
            household_ids=[f.household_id for f in ranked],
            categories=[DataCategory.IDENTITY_CONTACT],
            purpose=purpose,
            detail="intake match",
        )
        shown_demographics = [f.household_id for f in ranked if f.household_id in with_demographics]
        if shown_demographics:
            audit_reads(
                user=acting_user,
                membership=membership,
                household_ids=shown_demographics,
                categories=[DataCategory.DEMOGRAPHICS],
                purpose=purpose,
                detail="intake match",
            )
    return IntakeMatches(ranked, hidden_match=bool(household_ids - set(families)))


# --- Completion --------------------------------------------------------------------------------


@dataclass
class _Changes:
    """Values an intake replaced on a family the hub knew (kept in the intake record: nothing lost)."""

    rows: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    def note(self, key: str, name: str, old: Any, new: Any) -> None:
        self.rows.setdefault(key, {})[name] = [_json(old), _json(new)]


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _person_values(entered: dict[str, Any], intake: ValidIntake, *, caregiver: bool) -> dict[str, Any]:
    details = intake.details
    base = {
        "given_name": entered["given_name"].strip(),
        "family_name": entered["family_name"].strip(),
        "second_family_name": entered.get("second_family_name", "").strip(),
        "date_of_birth": entered["date_of_birth"],
        "date_of_birth_estimated": bool(entered.get("date_of_birth_estimated")),
        "preferred_language": intake.caregiver["preferred_language"],
        "dialect": intake.caregiver.get("dialect", "").strip(),
        "interpreter_needed": bool(intake.caregiver.get("interpreter_needed")),
    }
    if caregiver:
        safe = details.get("safe_to_leave_message", "")
        insurance = details.get("insurance_status") or InsuranceStatus.UNKNOWN
        base.update(
            relationship=entered["relationship"],
            preferred_name=entered.get("preferred_name", "").strip(),
            name_original_script=entered.get("name_original_script", "").strip(),
            is_pregnant=bool(entered.get("is_pregnant")),
            phone=entered.get("phone", ""),
            email=entered.get("email", ""),
            preferred_contact_method=entered.get("preferred_contact_method", ""),
            text_ok=bool(details.get("text_ok")),
            best_times=details.get("best_times", "").strip(),
            safe_to_leave_message={"yes": True, "no": False}.get(safe),
            is_legal_guardian=bool(details.get("is_legal_guardian"))
            or entered["relationship"] == Person.Relationship.LEGAL_GUARDIAN,
            sex=details.get("sex") or Person.Sex.UNKNOWN,
            insurance_status=insurance,
            medi_cal_plan=details.get("medi_cal_plan", "") if insurance == InsuranceStatus.MEDI_CAL else "",
            medi_cal_id=details.get("medi_cal_id", ""),
        )
    else:
        age_years = (timezone.localdate() - entered["date_of_birth"]).days // 365
        base.update(
            relationship=Person.Relationship.CHILD if age_years < 18 else Person.Relationship.OTHER,
            sex=entered.get("sex") or Person.Sex.UNKNOWN,
            insurance_status=details.get("children_insurance") or InsuranceStatus.UNKNOWN,
            school_or_child_care=details.get("school_or_child_care", "").strip(),
        )
    return base


# Facts that identify the record: on a link, the record the hub knew keeps them (the intake's
# spelling is kept in the intake record's changes).
_KEEP_EXISTING = frozenset(
    {"given_name", "family_name", "second_family_name", "date_of_birth", "relationship", "date_of_birth_estimated"}
)


def _update_person(person: Person, values: dict[str, Any], changes: _Changes) -> None:
    changed = []
    for name, new in values.items():
        old = getattr(person, name)
        if old == new or new in ("", None) or (name == "insurance_status" and new == InsuranceStatus.UNKNOWN):
            continue
        if name in ("sex",) and new == Person.Sex.UNKNOWN:
            continue
        if name in ("is_pregnant", "interpreter_needed", "text_ok", "is_legal_guardian") and not new:
            continue
        changes.note(str(person.pk), name, old, new)
        if name in _KEEP_EXISTING and old not in ("", None):
            continue
        setattr(person, name, new)
        changed.append(name)
    if "insurance_status" in changed and person.insurance_status != InsuranceStatus.MEDI_CAL:
        person.medi_cal_plan = ""
        changed.append("medi_cal_plan")
    if changed:
        person.save(update_fields=sorted(set(changed)))


def _household_values(intake: ValidIntake) -> dict[str, Any]:
    return {
        "preferred_language": intake.caregiver["preferred_language"],
        "dialect": intake.caregiver.get("dialect", "").strip(),
        "interpreter_needed": bool(intake.caregiver.get("interpreter_needed")),
        "street": intake.details.get("street", "").strip(),
        "unit": intake.details.get("unit", "").strip(),
        "city": intake.details.get("city", "").strip(),
        "postal_code": intake.caregiver["postal_code"],
    }


def _line(membership: Membership, user: User, **kwargs: Any) -> AuditLine:
    return AuditLine(actor_id=user.pk, organization_id=membership.organization_id, role=membership.role, **kwargs)


@transaction.atomic
def intake_complete(
    *,
    acting_user: User,
    membership: Membership | None,
    data: IntakeData,
    link_household_id: uuid.UUID | str | None = None,
    draft: IntakeDraft | None = None,
    candidates_shown: int = 0,
) -> IntakeRecord:
    """Finish an intake: create the family, or (``link_household_id``) add what the intake learnt
    to the family the hub knew, which the user must be allowed to change. Either way the family's
    consent is recorded, the organization's relationship started, the priority flags stored in
    their consent category, and the intake recorded (who, where, when). Raises IntakeError and
    writes nothing on bad input."""
    membership = _require_intake_role(membership)
    intake = intake_validate(data, steps=2)
    organization = membership.organization
    purpose = Purpose.CARE_COORDINATION
    changes = _Changes()
    if link_household_id:
        household = _linkable(acting_user, membership, link_household_id)
        caregiver, people = _link_people(household, intake, changes)
        household_values = _household_values(intake)
        updated = []
        for name, new in household_values.items():
            old = getattr(household, name)
            if new in ("", None, False) or old == new:
                continue
            changes.note("household", name, old, new)
            setattr(household, name, new)
            updated.append(name)
        household.updated_at = timezone.now()
        household.save(update_fields=[*updated, "updated_at"])
        outcome = IntakeRecord.Outcome.LINKED
    else:
        household = Household.objects.create(registered_by=organization, **_household_values(intake))
        caregiver = Person.objects.create(
            household=household, **_person_values(intake.caregiver, intake, caregiver=True)
        )
        people = [caregiver] + [
            Person.objects.create(household=household, **_person_values(child, intake, caregiver=False))
            for child in intake.children
        ]
        outcome = IntakeRecord.Outcome.CREATED
    _relate(caregiver, people)
    relationship_start(
        acting_user=acting_user,
        membership=membership,
        household=household,
        kind=RelationshipKind.REGISTERING_ORGANIZATION,
        organization=organization,
    )
    sensitive = list(intake.caregiver.get("consent_sensitive", []))
    try:
        consent_record(
            acting_user=acting_user,
            membership=membership,
            household=household,
            given_by=caregiver,
            method=intake.caregiver["consent_method"],
            categories=[*DEFAULT_CONSENT_CATEGORIES, *sensitive],
            purposes=[Purpose.CARE_COORDINATION, Purpose.REFERRAL],
            network_wide=bool(intake.caregiver.get("consent_network_wide")),
            organizations=[organization],
            text_version=INTAKE_CONSENT_TEXT_VERSION,
            language=intake.caregiver["preferred_language"],
            witness=intake.caregiver.get("consent_witness", ""),
        )
    except ConsentError as error:
        raise IntakeError({f"{CAREGIVER_PREFIX}-consent_{error.field}": [str(error)]}) from None
    flags = list(intake.details.get("flags", []))
    for flag in flags:
        category = PRIORITY_FLAG_CATEGORY[flag]  # type: ignore[index]
        subject = caregiver if flag != "foster" else None
        if not decide(
            user=acting_user,
            membership=membership,
            household=household,
            category=category,
            purpose=purpose,
            write=True,
        ):
            raise IntakeError(
                {f"{DETAILS_PREFIX}-flags": [_("The family's consent or your role does not cover this flag.")]}
            )
        PriorityFlagRecord.objects.create(
            household=household,
            person=subject,
            category=category,
            flag=flag,
            recorded_by=acting_user,
            recorded_in=organization,
        )
    record = IntakeRecord.objects.create(
        household=household,
        taken_by=acting_user,
        organization=organization,
        place=intake.caregiver["place"],
        outcome=outcome,
        candidates_shown=min(candidates_shown, 32767),
        changes=json.dumps(changes.rows, ensure_ascii=False),
    )
    audit_append(
        [
            _line(
                membership,
                acting_user,
                action=AuditEntry.Action.WRITE,
                household_id=household.pk,
                categories=sorted(
                    {DataCategory.IDENTITY_CONTACT, DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE}
                    | {PRIORITY_FLAG_CATEGORY[f] for f in flags}  # type: ignore[index]
                ),
                purpose=purpose,
                detail=f"intake {outcome} ({len(people)} people)",
            )
        ]
    )
    if draft is not None:
        IntakeDraft.objects.filter(pk=draft.pk, author=acting_user).delete()
    return record


_RELATION_OF_ROLE = {
    Person.Relationship.CAREGIVER: PersonRelation.Kind.PARENT,
    Person.Relationship.LEGAL_GUARDIAN: PersonRelation.Kind.LEGAL_GUARDIAN,
    Person.Relationship.GRANDPARENT: PersonRelation.Kind.GRANDPARENT,
}


def _relate(caregiver: Person, people: list[Person]) -> None:
    """Record how the caregiver is related to each child entered (parent, legal guardian,
    grandparent), unless the family already records it."""
    kind = (
        PersonRelation.Kind.LEGAL_GUARDIAN
        if caregiver.is_legal_guardian and caregiver.relationship != Person.Relationship.GRANDPARENT
        else _RELATION_OF_ROLE.get(caregiver.relationship)  # type: ignore[call-overload]
    )
    if kind is None:
        return
    children = [p for p in people if p.pk != caregiver.pk and p.relationship == Person.Relationship.CHILD]
    known = set(
        PersonRelation.objects.filter(from_person=caregiver, to_person__in=children).values_list(
            "to_person_id", flat=True
        )
    )
    PersonRelation.objects.bulk_create(
        PersonRelation(from_person=caregiver, to_person=child, kind=kind) for child in children if child.pk not in known
    )


def _linkable(user: User, membership: Membership, household_id: uuid.UUID | str) -> Household:
    try:
        household: Household | None = Household.objects.select_for_update().get(pk=household_id)
    except (Household.DoesNotExist, ValueError, TypeError, ValidationError):  # missing, or not a UUID
        household = None
    if household is None or not decide(
        user=user,
        membership=membership,
        household=household,
        category=DataCategory.IDENTITY_CONTACT,
        purpose=Purpose.CARE_COORDINATION,
        write=True,
    ):
        raise IntakeError({"choice": [_("That family was not found among those you may link to.")]})
    return household


def _link_people(household: Household, intake: ValidIntake, changes: _Changes) -> tuple[Person, list[Person]]:
    """Each person entered is matched to the family's member it most probably is (or added)."""
    members = {p.pk: p for p in household.members.all()}
    best: dict[int, tuple[float, uuid.UUID]] = {}
    entered = _entered_people(intake)
    for index, candidate in _raw_candidates(intake):
        if (
            candidate.person_id in members
            and candidate.probability >= LINK_PERSON_THRESHOLD
            and (index not in best or candidate.probability > best[index][0])
        ):
            best[index] = (candidate.probability, candidate.person_id)
    taken: set[uuid.UUID] = set()
    people: list[Person] = []
    for index, person in sorted(enumerate(entered), key=lambda pair: -best.get(pair[0], (0.0,))[0]):
        values = _person_values(person, intake, caregiver=index == 0)
        match = best.get(index)
        if match is not None and match[1] not in taken:
            taken.add(match[1])
            existing = members[match[1]]
            _update_person(existing, values, changes)
            people.append(existing)
        else:
            created = Person.objects.create(household=household, **values)
            changes.note(str(created.pk), "added", None, True)
            people.append(created)
        if index == 0:
            caregiver = people[-1]
    if caregiver.relationship not in (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN):
        raise IntakeError(
            {f"{CAREGIVER_PREFIX}-given_name": [_("This person is not a caregiver in the family you chose.")]}
        )
    return caregiver, people
