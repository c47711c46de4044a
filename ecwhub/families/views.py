"""The families pages for staff: the list of families they may see, and one family's page.

Every read goes through ``consent.selectors`` (the access policy, and the audit entry); a family
the user may not see answers 404, the same as one that does not exist.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import decide, households_visible, may_change_consent
from ecwhub.consent.selectors import audit_reads, household_open, households_page, sensitive_notes_open

from .models import (
    PRIORITY_FLAG_CATEGORY,
    SENSITIVE_NOTE_CATEGORIES,
    Household,
    HouseholdMerge,
    IntakeRecord,
    Person,
    PersonMerge,
    PersonRelation,
    PriorityFlag,
    PriorityFlagRecord,
)

# The roles that work with families' records (the hub administrator runs the network and reads
# none; a family member has their own page).
FAMILY_STAFF_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF, Role.ANALYST})
GUARDIANS = (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)
_ZIP = re.compile(r"^\d{5}$")


def acting_staff(request: HttpRequest) -> tuple[User, Membership]:
    """The user and the membership they act in, if it is one that works with families; 404 otherwise."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or membership.role not in FAMILY_STAFF_ROLES:
        raise Http404
    return request.user, membership  # type: ignore[return-value]


def purpose_for(membership: Membership) -> str:
    """Analysts read records for quality improvement only; everyone else for care coordination."""
    return Purpose.QUALITY_IMPROVEMENT if membership.role == Role.ANALYST else Purpose.CARE_COORDINATION


def person_name(person: Person) -> str:
    """The name as the family writes it: given name, family name and second family name."""
    return " ".join(part for part in (person.given_name, person.family_name, person.second_family_name) if part)


def age_label(person: Person, on: date | None = None) -> str:
    """Months under two years, then years: how people speak of a young child's age."""
    months = person.age_in_months(on or timezone.localdate())
    if months < 0:
        return _("not born yet")
    if months < 24:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    years = months // 12
    return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}


@dataclass(frozen=True)
class FamilyRow:
    household: Household
    caregivers: list[str]
    children: list[tuple[str, str]]
    others: list[str]
    demographics: bool


def _family_row(household: Household, demographics: bool) -> FamilyRow:
    members = sorted(household.members.all(), key=lambda p: (p.created_at, str(p.pk)))
    if not demographics:
        # The role in the household and the date of birth are demographics: names only.
        return FamilyRow(household, [], [], [person_name(p) for p in members], False)
    return FamilyRow(
        household,
        caregivers=[person_name(p) for p in members if p.relationship in GUARDIANS],
        children=[
            (p.preferred_name or p.given_name, age_label(p))
            for p in sorted(members, key=lambda p: p.date_of_birth, reverse=True)
            if p.relationship == Person.Relationship.CHILD
        ],
        others=[],
        demographics=True,
    )


@login_required
def family_list(request: HttpRequest) -> HttpResponse:
    """The families the user may see, 25 a page, newest activity first; optionally one ZIP code."""
    user, membership = acting_staff(request)
    purpose = purpose_for(membership)
    zip_code = request.GET.get("zip", "").strip()
    zip_error = ""
    if zip_code and not _ZIP.match(zip_code):
        zip_error = _("Enter a five-digit ZIP code, or leave it empty for every ZIP code.")
    page = households_page(
        user=user,
        membership=membership,
        purpose=purpose,
        page_number=request.GET.get("page", 1),
        postal_code="" if zip_error else zip_code,
    )
    households = list(page.object_list)
    # Ages and languages are demographics: shown for the families whose demographics the user may
    # see, and audited as such (the page above audited identity and contact only).
    with_demographics: set[uuid.UUID] = set()
    if households:
        with_demographics = set(
            households_visible(user=user, membership=membership, category=DataCategory.DEMOGRAPHICS, purpose=purpose)
            .filter(pk__in=[h.pk for h in households])
            .values_list("pk", flat=True)
        )
        audit_reads(
            user=user,
            membership=membership,
            household_ids=[h.pk for h in households if h.pk in with_demographics],
            categories=[DataCategory.DEMOGRAPHICS],
            purpose=purpose,
            detail="list",
        )
    rows = [_family_row(h, h.pk in with_demographics) for h in households]
    return render(
        request,
        "families/list.html",
        {
            "page": page,
            "rows": rows,
            "zip": zip_code,
            "zip_error": zip_error,
            "zip_query": f"{urlencode({'zip': zip_code})}&" if zip_code and not zip_error else "",
            "may_take_intake": membership.role in (Role.COORDINATOR, Role.CLINICIAN),
        },
        status=400 if zip_error else 200,
    )


@dataclass(frozen=True)
class MemberView:
    person: Person
    name: str
    age: str
    relations: tuple[tuple[str, str], ...] = ()


def members_visible(
    *, user: User, membership: Membership, household: Household, purpose: str, demographics: bool
) -> list[MemberView]:
    """The household's members whose identity the user may see (a young person may keep theirs
    from their family), in the order they were registered."""
    rows = []
    for person in household.members.order_by("created_at", "id"):
        allowed = decide(
            user=user,
            membership=membership,
            household=household,
            category=DataCategory.IDENTITY_CONTACT,
            purpose=purpose,
            person=person,
        )
        if allowed:
            rows.append(MemberView(person, person_name(person), age_label(person) if demographics else ""))
    if not demographics:
        return rows
    # How members are related (demographics), between members the user may see only.
    shown = {row.person.pk: row.name for row in rows}
    labels = dict(PersonRelation.Kind.choices)
    relations: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for relation in PersonRelation.objects.filter(from_person__in=shown, to_person__in=shown).order_by("created_at"):
        relations.setdefault(relation.from_person_id, []).append(
            (str(labels.get(relation.kind, relation.kind)), shown[relation.to_person_id])
        )
    return [
        MemberView(row.person, row.name, row.age, tuple(relations.get(row.person.pk, ())))
        if row.person.pk in relations
        else row
        for row in rows
    ]


@login_required
def family_detail(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """One family: members, language, contact, and insurance when that category may be seen."""
    user, membership = acting_staff(request)
    purpose = purpose_for(membership)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose,
        required=DataCategory.IDENTITY_CONTACT,
        optional=[DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE],
    )
    household = opened.household
    demographics = DataCategory.DEMOGRAPHICS in opened.categories
    members = members_visible(
        user=user, membership=membership, household=household, purpose=purpose, demographics=demographics
    )
    may_change = may_change_consent(user=user, membership=membership, household=household)
    guardians = [m.name for m in members if demographics and m.person.relationship in GUARDIANS]
    context = {
        "household": household,
        "title": ", ".join(guardians),
        "members": members,
        "demographics": demographics,
        "insurance": DataCategory.INSURANCE in opened.categories,
        "break_glass": opened.break_glass,
        "may_change_consent": may_change,
        "reference": str(household.pk)[:8],
    }
    if purpose == Purpose.CARE_COORDINATION:
        context.update(sensitive_context(user=user, membership=membership, household=household))
        context.update(intake_context(user=user, membership=membership, household=household))
    return render(request, "families/detail.html", context)


@dataclass(frozen=True)
class MergeView:
    row: PersonMerge | HouseholdMerge
    label: str


def intake_context(*, user: User, membership: Membership, household: Household) -> dict[str, object]:
    """Priority flags in the categories the user may see (audited), the duplication flag when the
    user's organization is one of those coordinating, merges (with undo), and intakes."""
    from .review_views import household_flag_for

    allowed = [
        category
        for category in sorted(set(PRIORITY_FLAG_CATEGORY.values()))
        if decide(
            user=user, membership=membership, household=household, category=category, purpose=Purpose.CARE_COORDINATION
        )
    ]
    flags = list(
        PriorityFlagRecord.objects.filter(household=household, category__in=allowed, ended_at__isnull=True).order_by(
            "created_at", "id"
        )
    )
    if flags:
        audit_reads(
            user=user,
            membership=membership,
            household_ids=[household.pk],
            categories=sorted({f.category for f in flags}),
            purpose=Purpose.CARE_COORDINATION,
            detail="priority flags",
        )
    labels = dict(PriorityFlag.choices)
    category_labels = dict(DataCategory.choices)
    merges = [MergeView(m, _("Two records of one person")) for m in PersonMerge.objects.filter(household=household)]
    merges += [MergeView(m, _("Two records of this family")) for m in HouseholdMerge.objects.filter(survivor=household)]
    merges.sort(key=lambda m: m.row.merged_at, reverse=True)
    return {
        "priority_flags": [(labels.get(f.flag, f.flag), category_labels.get(f.category, f.category)) for f in flags],
        "duplication_flag": household_flag_for(household=household, membership=membership),
        "merges": merges if membership.role in (Role.COORDINATOR, Role.CLINICIAN) else [],
        "intakes": list(IntakeRecord.objects.filter(household=household).select_related("organization")[:20]),
    }


def sensitive_context(*, user: User, membership: Membership, household: Household) -> dict[str, object]:
    """Notes in the sensitive categories the user may see, and the categories they may add to."""
    notes = sensitive_notes_open(user=user, membership=membership, household=household)
    labels = dict(DataCategory.choices)
    writable = [
        (category, labels[category])
        for category in SENSITIVE_NOTE_CATEGORIES
        if decide(
            user=user,
            membership=membership,
            household=household,
            category=category,
            purpose=Purpose.CARE_COORDINATION,
            write=True,
        )
    ]
    return {
        "sensitive_notes": [(labels[category], rows) for category, rows in notes.items()],
        "sensitive_writable": writable,
    }
