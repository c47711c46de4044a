"""The families pages for staff: the list of families they may see, and one family's page.

Every read goes through ``consent.selectors`` (the access policy, and the audit entry); a family
the user may not see answers 404, the same as one that does not exist.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import FAMILY_STAFF_ROLES, Role
from ecwhub.consent.models import DataCategory
from ecwhub.consent.policy import households_visible, may_change_consent, purpose_for
from ecwhub.consent.sections import SectionContext, build_page, categories_of, page_sections
from ecwhub.consent.selectors import audit_opened, audit_reads, household_open, households_page

from .display import GUARDIANS, age_label, member_views, person_name, shown_categories
from .models import Household, Person

_ZIP = re.compile(r"^[0-9]{5}$")


@dataclass(frozen=True)
class FamilyRow:
    household: Household
    caregivers: list[str]
    children: list[tuple[str, str]]
    others: list[str]
    demographics: bool


def _family_row(household: Household, demographics: bool) -> FamilyRow:
    members: list[Person] = household.visible_members  # type: ignore[attr-defined]
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


NAME_MAX = 100


@login_required
@require_http_methods(["GET", "POST"])
def family_list(request: HttpRequest) -> HttpResponse:
    """The families the user may see, 25 a page, newest activity first; optionally one ZIP code and
    a name. The name is posted, never put in the address (addresses end up in logs and history),
    and the page buttons post it again."""
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    purpose = purpose_for(membership)
    data = request.POST if request.method == "POST" else request.GET
    zip_code = data.get("zip", "").strip()
    name = request.POST.get("name", "").strip()
    zip_error = name_error = ""
    if zip_code and not _ZIP.match(zip_code):
        zip_error = _("Enter a five-digit ZIP code, or leave it empty for every ZIP code.")
    if len(name) > NAME_MAX:
        name_error = _("Enter at most %(count)d letters of a name.") % {"count": NAME_MAX}
    page = households_page(
        user=user,
        membership=membership,
        purpose=purpose,
        page_number=data.get("page", 1),
        postal_code="" if zip_error else zip_code,
        name="" if name_error else name,
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
            "name": name,
            "name_error": name_error,
            "zip_query": f"{urlencode({'zip': zip_code})}&" if zip_code and not zip_error else "",
            "may_take_intake": membership.role in (Role.COORDINATOR, Role.CLINICIAN),
        },
        status=400 if zip_error or name_error else 200,
    )


@login_required
def family_detail(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """One family: members, language and contact, then the sections each app adds (tier and
    well-child care, priority flags, merges, intakes, sensitive notes…), each showing only what the
    policy allows. One audit entry records every category the page showed."""
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    purpose = purpose_for(membership)
    sections = page_sections(role=membership.role, purpose=purpose)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose,
        required=DataCategory.IDENTITY_CONTACT,
        optional=[DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE, *categories_of(sections)],
        audit=False,
    )
    household = opened.household
    members = member_views(opened)
    demographics = opened.may_see(DataCategory.DEMOGRAPHICS)
    context = SectionContext(opened, request)
    context.show(*shown_categories(members), DataCategory.IDENTITY_CONTACT)
    if demographics:
        context.show(DataCategory.DEMOGRAPHICS)
    rendered = build_page(context, sections)
    audit_opened(opened, context.shown, "family page")
    guardians = [m.name for m in members if m.demographics and m.person.relationship in GUARDIANS]
    return render(
        request,
        "families/detail.html",
        {
            "household": household,
            "title": ", ".join(guardians),
            "members": members,
            "demographics": demographics,
            "break_glass": opened.break_glass,
            "may_change_consent": may_change_consent(user=user, membership=membership, household=household),
            "reference": str(household.pk)[:8],
            "sections": rendered,
        },
    )
