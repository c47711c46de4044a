"""The family a search is for, read through the access policy (and audited)."""

from __future__ import annotations

import uuid

from django.utils import timezone

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import purpose_for
from ecwhub.consent.selectors import household_open, members_visible, rows_visible
from ecwhub.families.models import Person
from ecwhub.screening.models import ROW_CATEGORIES, IdentifiedNeed

from .selectors import FamilyContext

# The needs a search for the family starts from: those not yet addressed and not declined by the family.
OPEN_NEED_STATUSES = (IdentifiedNeed.Status.IDENTIFIED, IdentifiedNeed.Status.WANTS_HELP)


def family_context_open(
    *, user: User, membership: Membership | None, household_id: uuid.UUID | str, with_needs: bool = False
) -> FamilyContext:
    """The ZIP code, language and children's ages of a family the user may see for care coordination,
    and (``with_needs``) the family's open needs.

    Raises Http404, like a family that does not exist, when the user may not. Ages and language
    are used only when the user may see demographics, insurance only when they may see insurance,
    needs only through ``rows_visible`` (each need row's own consent category, about the person it
    is about); ``household_open`` writes the audit entry naming what was read."""
    optional: list[str] = [DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE]
    if with_needs:
        # A need row's category is its own (most are identified needs; a few are behavioral health
        # or interpersonal safety): each is asked of the policy, and rows_visible keeps the allowed.
        optional.extend(c for c in ROW_CATEGORIES if c != DataCategory.SCREENING_RESULTS)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose_for(membership) if membership else Purpose.CARE_COORDINATION,
        optional=optional,
        detail="directory search",
    )
    open_needs: tuple[str, ...] = ()
    if with_needs:
        rows = rows_visible(opened, IdentifiedNeed.objects.filter(status__in=OPEN_NEED_STATUSES))
        open_needs = tuple(dict.fromkeys(rows.order_by("need").values_list("need", flat=True)))
    household = opened.household
    demographics = DataCategory.DEMOGRAPHICS in opened.categories
    insurance = DataCategory.INSURANCE in opened.categories
    members = members_visible(opened) if (demographics or insurance) else []
    today = timezone.localdate()
    children = (
        tuple(
            sorted(
                p.age_in_months(today)
                for p in members
                if p.relationship == Person.Relationship.CHILD and p.age_in_months(today) >= 0
            )
        )
        if demographics
        else ()
    )
    return FamilyContext(
        household_id=household.pk,
        postal_code=household.postal_code,
        language=household.preferred_language if demographics else "",
        dialect=household.dialect if demographics else "",
        children_age_months=children,
        insurance=frozenset(p.insurance_status for p in members) if insurance else frozenset(),
        demographics_shown=demographics,
        insurance_shown=insurance,
        open_needs=open_needs,
    )
