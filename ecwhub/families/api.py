"""Family endpoints. Every read goes through the access policy and leaves an audit entry."""

from __future__ import annotations

import uuid
from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from ecwhub.accounts.middleware import memberships_for
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import decide
from ecwhub.consent.selectors import household_open, households_page

from .models import Household, Person

router = Router(tags=["families"])


class PersonOut(Schema):
    id: uuid.UUID
    relationship: str
    given_name: str
    family_name: str
    second_family_name: str
    preferred_name: str
    name_original_script: str
    date_of_birth: date | None = Field(None, description="present when demographics may be seen")
    preferred_language: str | None = None
    dialect: str | None = None
    insurance_status: str | None = Field(None, description="present when insurance may be seen")


class HouseholdOut(Schema):
    id: uuid.UUID
    postal_code: str
    preferred_language: str | None = None
    dialect: str | None = None
    interpreter_needed: bool | None = None
    members: list[PersonOut]
    categories: list[str] = Field(description="the data categories this answer includes")


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    count: int
    page: int
    page_size: int
    pages: int


class ListFilters(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)
    zip: str = Field("", max_length=10, pattern=r"^[0-9]{0,5}$", description="five-digit ZIP code")


def _membership(request: HttpRequest) -> tuple[User, Membership | None]:
    user: User = request.auth  # type: ignore[attr-defined]
    request.user = user
    rows = memberships_for(request)
    chosen = getattr(request, "membership", None)
    return user, chosen if chosen in rows else (rows[0] if rows else None)


def _purpose(membership: Membership | None) -> str:
    if membership is not None and membership.role == Role.ANALYST:
        return Purpose.QUALITY_IMPROVEMENT
    return Purpose.CARE_COORDINATION


def _household_out(household: Household, categories: list[str], members: list[Person]) -> HouseholdOut:
    demographics = DataCategory.DEMOGRAPHICS in categories
    insurance = DataCategory.INSURANCE in categories
    return HouseholdOut(
        id=household.pk,
        postal_code=household.postal_code,
        preferred_language=household.preferred_language if demographics else None,
        dialect=household.dialect if demographics else None,
        interpreter_needed=household.interpreter_needed if demographics else None,
        categories=sorted(categories),
        members=[
            PersonOut(
                id=p.pk,
                relationship=p.relationship,
                given_name=p.given_name,
                family_name=p.family_name,
                second_family_name=p.second_family_name,
                preferred_name=p.preferred_name,
                name_original_script=p.name_original_script,
                date_of_birth=p.date_of_birth if demographics else None,
                preferred_language=p.preferred_language if demographics else None,
                dialect=p.dialect if demographics else None,
                insurance_status=p.insurance_status if insurance else None,
            )
            for p in members
        ],
    )


@router.get("/families", response=HouseholdPage, summary="Families the caller may see (identity and contact)")
def families(request: HttpRequest, filters: Query[ListFilters]) -> HouseholdPage:
    user, membership = _membership(request)
    page = households_page(
        user=user,
        membership=membership,
        purpose=_purpose(membership),
        page_number=filters.page,
        per_page=filters.page_size,
        postal_code=filters.zip,
    )
    return HouseholdPage(
        items=[_household_out(h, [DataCategory.IDENTITY_CONTACT], list(h.members.all())) for h in page.object_list],
        count=page.paginator.count,
        page=page.number,
        page_size=filters.page_size,
        pages=page.paginator.num_pages,
    )


@router.get(
    "/families/{household_id}", response=HouseholdOut, summary="One family, with the categories the caller may see"
)
def family(request: HttpRequest, household_id: uuid.UUID) -> HouseholdOut:
    user, membership = _membership(request)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=_purpose(membership),
        optional=[DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE],
        detail="api",
    )
    people = list(opened.household.members.order_by("created_at", "id"))
    visible = [
        p
        for p in people
        if decide(
            user=user,
            membership=membership,
            household=opened.household,
            category=DataCategory.IDENTITY_CONTACT,
            purpose=_purpose(membership),
            person=p,
        )
    ]
    return _household_out(opened.household, list(opened.categories), visible)
