"""Completing an intake: create the family, or link the intake to the family the hub knew."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Organization, User
from ecwhub.consent.audit import audit_append, audit_line
from ecwhub.consent.models import (
    DEFAULT_CONSENT_CATEGORIES,
    AuditEntry,
    Consent,
    DataCategory,
    Purpose,
    RelationshipKind,
)
from ecwhub.consent.policy import decide, may_change_identity
from ecwhub.consent.services import ConsentError, consent_record, relationship_start
from ecwhub.core.locks import named_lock

from ..models import (
    PRIORITY_FLAG_CATEGORY,
    Household,
    InsuranceStatus,
    IntakeDraft,
    IntakeRecord,
    Person,
    PersonRelation,
    PriorityFlagRecord,
)
from .access import intake_membership_check
from .input import CaregiverInput, ChildInput, IntakeError, IntakeInput, intake_check
from .match import IntakeMatches, intake_candidates, raw_candidates

INTAKE_CONSENT_TEXT_VERSION = "2026-1"
# A candidate this likely is treated as the same person when an intake is linked to a family.
LINK_PERSON_THRESHOLD = 0.5


@dataclass
class _Changes:
    """Values an intake replaced on a family the hub knew (kept in the intake record: nothing lost)."""

    rows: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    # Whether the family's records were written to (a member added, a value filled or replaced).
    written: bool = False

    def note(self, key: str, name: str, old: Any, new: Any) -> None:
        self.rows.setdefault(key, {})[name] = [_json(old), _json(new)]


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _person_values(entered: CaregiverInput | ChildInput, intake: IntakeInput) -> dict[str, Any]:
    """The Person fields of the caregiver or of one child entered."""
    caregiver, details = intake.caregiver, intake.details
    base = {
        "given_name": entered.given_name,
        "family_name": entered.family_name,
        "second_family_name": entered.second_family_name,
        "date_of_birth": entered.date_of_birth,
        "date_of_birth_estimated": entered.date_of_birth_estimated,
        "preferred_language": caregiver.preferred_language,
        "dialect": caregiver.dialect,
        "interpreter_needed": caregiver.interpreter_needed,
    }
    if isinstance(entered, CaregiverInput):
        insurance = details.insurance_status or InsuranceStatus.UNKNOWN
        base.update(
            relationship=entered.relationship,
            preferred_name=entered.preferred_name,
            name_original_script=entered.name_original_script,
            is_pregnant=entered.is_pregnant,
            phone=entered.phone,
            email=entered.email,
            preferred_contact_method=entered.preferred_contact_method or "",
            text_ok=details.text_ok,
            best_times=details.best_times,
            safe_to_leave_message=details.safe_to_leave_message,
            is_legal_guardian=details.is_legal_guardian or entered.relationship == Person.Relationship.LEGAL_GUARDIAN,
            sex=details.sex or Person.Sex.UNKNOWN,
            insurance_status=insurance,
            medi_cal_plan=(details.medi_cal_plan or "") if insurance == InsuranceStatus.MEDI_CAL else "",
            medi_cal_id=details.medi_cal_id,
        )
    else:
        age_years = (timezone.localdate() - entered.date_of_birth).days // 365
        base.update(
            relationship=Person.Relationship.CHILD if age_years < 18 else Person.Relationship.OTHER,
            sex=entered.sex or Person.Sex.UNKNOWN,
            insurance_status=details.children_insurance or InsuranceStatus.UNKNOWN,
            school_or_child_care=details.school_or_child_care,
        )
    return base


# The caregiver's language is every member's; the caregiver's details of step 2 are theirs.
_LANGUAGE_FIELDS = ("preferred_language", "dialect", "interpreter_needed")
_CAREGIVER_DETAILS = (
    "text_ok",
    "best_times",
    "safe_to_leave_message",
    "sex",
    "insurance_status",
    "medi_cal_plan",
    "medi_cal_id",
    "is_legal_guardian",
)
_CHILD_DETAILS = {"insurance_status": "children_insurance", "school_or_child_care": "school_or_child_care"}


def _person_entered(entered: CaregiverInput | ChildInput, intake: IntakeInput) -> set[str]:
    """The Person fields of ``_person_values`` that hold what someone entered: a value the page
    pre-filled and nobody changed (Spanish, "unknown") is no new fact about a family the hub knew."""
    caregiver, details = intake.caregiver, intake.details
    names = {name for name in type(entered).model_fields if entered.entered(name)}
    names |= {name for name in _LANGUAGE_FIELDS if caregiver.entered(name)}
    if isinstance(entered, CaregiverInput):
        names |= {name for name in _CAREGIVER_DETAILS if details.entered(name)}
        if entered.entered("relationship"):
            names.add("is_legal_guardian")
    else:
        names |= {name for name, source in _CHILD_DETAILS.items() if details.entered(source)}
        if entered.entered("date_of_birth"):
            names.add("relationship")
    return names


# Facts that identify the record: on a link, the record the hub knew keeps them (the intake's
# spelling is kept in the intake record's changes).
_KEEP_EXISTING = frozenset(
    {"given_name", "family_name", "second_family_name", "date_of_birth", "relationship", "date_of_birth_estimated"}
)


def _update_person(person: Person, values: dict[str, Any], entered: set[str], changes: _Changes) -> None:
    changed = []
    for name, new in values.items():
        if name not in entered:
            continue
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
        changes.written = True


def _household_values(intake: IntakeInput) -> dict[str, Any]:
    return {
        "preferred_language": intake.caregiver.preferred_language,
        "dialect": intake.caregiver.dialect,
        "interpreter_needed": intake.caregiver.interpreter_needed,
        "street": intake.details.street,
        "unit": intake.details.unit,
        "city": intake.details.city,
        "postal_code": intake.caregiver.postal_code,
    }


def _household_entered(intake: IntakeInput) -> set[str]:
    caregiver, details = intake.caregiver, intake.details
    names = {name for name in (*_LANGUAGE_FIELDS, "postal_code") if caregiver.entered(name)}
    return names | {name for name in ("street", "unit", "city") if details.entered(name)}


def _consent_language() -> str:
    """The language the consent text was shown in: the page's (the hub has its texts in these)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE.split("-")[0]


def _consent_covered(
    household: Household,
    intake: IntakeInput,
    categories: Collection[str],
    purposes: Collection[str],
    organization: Organization,
) -> bool:
    """Whether a consent in force for the whole family already allows what the intake's consent
    allows (its categories, its purposes, and the sharing the coordinator chose: with the whole
    network when they said so; a box left as the page ticked it asks for no more than this
    organization), so linking records no second, identical consent."""
    network_wide = intake.caregiver.consent_network_wide and intake.caregiver.entered("consent_network_wide")
    consents = (
        Consent.objects.in_force()
        .filter(household=household, person__isnull=True)
        .prefetch_related("categories", "purposes", "organizations")
    )
    for consent in consents:
        if not set(categories) <= {c.category for c in consent.categories.all()}:
            continue
        if not set(purposes) <= {p.purpose for p in consent.purposes.all()}:
            continue
        if consent.network_wide or (
            not network_wide and organization.pk in {o.pk for o in consent.organizations.all()}
        ):
            return True
    return False


@transaction.atomic
def intake_complete(
    *,
    acting_user: User,
    membership: Membership | None,
    intake: IntakeInput,
    link_household_id: uuid.UUID | str | None = None,
    draft: IntakeDraft | None = None,
    candidates_shown: int = 0,
) -> IntakeRecord:
    """Finish an intake: create the family, or (``link_household_id``) add what the intake learnt
    to the family the hub knew, which the user must be allowed to change. Either way the family's
    consent is recorded, the organization's relationship started, the priority flags stored in
    their consent category, and the intake recorded (who, where, when). Raises IntakeError (the
    rules between fields, the link, the consent, the flags) and writes nothing then."""
    membership = intake_membership_check(membership)
    intake_check(intake)
    organization = membership.organization
    purpose = Purpose.CARE_COORDINATION
    changes = _Changes()
    if link_household_id:
        household = _linkable(acting_user, membership, link_household_id)
        caregiver, people = _link_people(household, intake, changes)
        household_values = _household_values(intake)
        household_entered = _household_entered(intake)
        updated = []
        for name, new in household_values.items():
            old = getattr(household, name)
            if name not in household_entered or new in ("", None, False) or old == new:
                continue
            changes.note("household", name, old, new)
            setattr(household, name, new)
            updated.append(name)
        if updated or changes.written:
            household.updated_at = timezone.now()
            household.save(update_fields=[*updated, "updated_at"])
        outcome = IntakeRecord.Outcome.LINKED
    else:
        household = Household.objects.create(registered_by=organization, **_household_values(intake))
        caregiver = Person.objects.create(household=household, **_person_values(intake.caregiver, intake))
        people = [caregiver] + [
            Person.objects.create(household=household, **_person_values(child, intake)) for child in intake.children
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
    categories = [*DEFAULT_CONSENT_CATEGORIES, *intake.caregiver.consent_sensitive]
    if intake.caregiver.consent_behavioral_health:
        categories.append(DataCategory.BEHAVIORAL_HEALTH)
    purposes = [Purpose.CARE_COORDINATION, Purpose.REFERRAL]
    if outcome == IntakeRecord.Outcome.CREATED or not _consent_covered(
        household, intake, categories, purposes, organization
    ):
        try:
            consent_record(
                acting_user=acting_user,
                membership=membership,
                household=household,
                given_by=caregiver,
                method=intake.caregiver.consent_method,
                categories=categories,
                purposes=purposes,
                network_wide=intake.caregiver.consent_network_wide,
                organizations=[organization],
                text_version=INTAKE_CONSENT_TEXT_VERSION,
                language=_consent_language(),
                witness=intake.caregiver.consent_witness,
            )
        except ConsentError as error:
            raise IntakeError({f"caregiver.consent_{error.field}": [str(error)]}) from None
    flags = list(intake.details.flags)
    # The flag is encrypted: compared here, not in the database.
    held = {
        (f.flag, f.person_id) for f in PriorityFlagRecord.objects.filter(household=household, ended_at__isnull=True)
    }
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
            raise IntakeError({"details.flags": [_("The family's consent or your role does not cover this flag.")]})
        if (flag, subject.pk if subject else None) in held:
            continue  # the family has this flag already
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
        place=intake.caregiver.place,
        outcome=outcome,
        candidates_shown=min(candidates_shown, 32767),
        changes=json.dumps(changes.rows, ensure_ascii=False),
    )
    audit_append(
        [
            audit_line(
                acting_user,
                membership,
                AuditEntry.Action.WRITE,
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
    if household is None or not may_change_identity(user=user, membership=membership, household=household):
        raise IntakeError({"link_household_id": [_("That family was not found among those you may link to.")]})
    return household


def _link_people(household: Household, intake: IntakeInput, changes: _Changes) -> tuple[Person, list[Person]]:
    """Each person entered is matched to the family's member it most probably is (or added)."""
    members = {p.pk: p for p in household.members.all()}
    best: dict[int, tuple[float, uuid.UUID]] = {}
    entered: list[CaregiverInput | ChildInput] = [intake.caregiver, *intake.children]
    for index, candidate in raw_candidates(intake, intake.details):
        if (
            candidate.person_id in members
            and candidate.probability >= LINK_PERSON_THRESHOLD
            and (index not in best or candidate.probability > best[index][0])
        ):
            best[index] = (candidate.probability, candidate.person_id)
    taken: set[uuid.UUID] = set()
    people: list[Person] = []
    for index, person in sorted(enumerate(entered), key=lambda pair: -best.get(pair[0], (0.0,))[0]):
        values = _person_values(person, intake)
        known = _person_entered(person, intake)
        match = best.get(index)
        if match is not None and match[1] not in taken:
            taken.add(match[1])
            existing = members[match[1]]
            _update_person(existing, values, known, changes)
            people.append(existing)
        else:
            # A new member speaks the family's language unless the coordinator said otherwise.
            values.update({name: getattr(household, name) for name in _LANGUAGE_FIELDS if name not in known})
            created = Person.objects.create(household=household, **values)
            changes.note(str(created.pk), "added", None, True)
            changes.written = True
            people.append(created)
        if index == 0:
            caregiver = people[-1]
    if caregiver.relationship not in (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN):
        raise IntakeError({"caregiver.given_name": [_("This person is not a caregiver in the family you chose.")]})
    return caregiver, people


# Intakes that look for the family before creating it take turns on this lock (see below).
NEW_FAMILY_LOCK = "intake:new-family"


class PossibleDuplicates(Exception):
    """The network probably knows this family already; ``matches`` are the families the user may
    link the intake to."""

    def __init__(self, matches: IntakeMatches) -> None:
        super().__init__("possible duplicates")
        self.matches = matches


def intake_complete_unless_known(
    *, acting_user: User, membership: Membership | None, intake: IntakeInput
) -> IntakeRecord:
    """Create a new family from the intake unless the hub probably knows it already (then raise
    PossibleDuplicates, writing nothing but the audit line of the search).

    The search and the creation happen under one lock, in one transaction: of ten identical
    intakes sent at the same moment, the first creates the family and the nine others, waiting
    their turn, find it. Intakes are a few a minute across a network, so taking turns costs
    nothing a person notices. Raises IntakeError as ``intake_complete`` does."""
    error: IntakeError | None = None
    with transaction.atomic():
        named_lock(NEW_FAMILY_LOCK)
        # The search is audited even when the intake then fails: it read the network's records.
        matches = intake_candidates(acting_user=acting_user, membership=membership, intake=intake)
        if not matches.families:
            try:
                with transaction.atomic():
                    return intake_complete(acting_user=acting_user, membership=membership, intake=intake)
            except IntakeError as failed:
                error = failed
    if error is not None:
        raise error
    raise PossibleDuplicates(matches)
