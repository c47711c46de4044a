"""The family a search is for, read through the access policy (and audited)."""

from __future__ import annotations

import uuid

from django.utils import timezone

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import purpose_for
from ecwhub.consent.selectors import household_open, members_visible
from ecwhub.families.models import Person

from .selectors import FamilyContext


def family_context_open(*, user: User, membership: Membership | None, household_id: uuid.UUID | str) -> FamilyContext:
    """The ZIP code, language and children's ages of a family the user may see for care coordination.

    Raises Http404, like a family that does not exist, when the user may not. Ages and language
    are used only when the user may see demographics, insurance only when they may see insurance;
    ``household_open`` writes the audit entry naming what was read."""
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose_for(membership) if membership else Purpose.CARE_COORDINATION,
        optional=[DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE],
        detail="directory search",
    )
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
    )
