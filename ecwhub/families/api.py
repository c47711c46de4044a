"""Family endpoints. Every read goes through the access policy and leaves an audit entry."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import FAMILY_STAFF_ROLES, Role
from ecwhub.consent.models import DataCategory
from ecwhub.consent.policy import purpose_for
from ecwhub.consent.selectors import OpenedHousehold, household_open, households_page, members_visible
from ecwhub.core.errors import NotFound
from ecwhub.core.http import ErrorOut, PageNumber, error_response, invalid

from .intake.access import INTAKE_ROLES
from .intake.complete import PossibleDuplicates, intake_complete, intake_complete_unless_known
from .intake.drafts import (
    IntakeDraftData,
    intake_draft_data,
    intake_draft_get,
    intake_draft_merge,
    intake_draft_parse,
    intake_save_step,
    intake_start,
)
from .intake.input import IntakeError, IntakeInput, IntakePeopleInput
from .intake.match import intake_candidates
from .models import Household, IntakeDraft, Person

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
    page: PageNumber = 1
    page_size: int = Field(25, ge=1, le=100)
    zip: str = Field("", max_length=10, pattern=r"^[0-9]{0,5}$", description="five-digit ZIP code")


# Staff who work with families' records, and a family member for their own family.
FAMILY_READERS = FAMILY_STAFF_ROLES | {Role.FAMILY_MEMBER}


def _household_out(
    household: Household, categories: list[str], members: list[Person], opened: OpenedHousehold | None = None
) -> HouseholdOut:
    """The family as the caller may see it: ``categories`` about the family; about each member,
    what ``opened`` says may be seen about them (a list shows identity and contact only)."""
    demographics = DataCategory.DEMOGRAPHICS in categories

    def sees(category: str, person: Person) -> bool:
        return opened.may_see(category, person) if opened is not None else category in categories

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
                date_of_birth=p.date_of_birth if sees(DataCategory.DEMOGRAPHICS, p) else None,
                preferred_language=p.preferred_language if sees(DataCategory.DEMOGRAPHICS, p) else None,
                dialect=p.dialect if sees(DataCategory.DEMOGRAPHICS, p) else None,
                insurance_status=p.insurance_status if sees(DataCategory.INSURANCE, p) else None,
            )
            for p in members
        ],
    )


@router.get("/families", response=HouseholdPage, summary="Families the caller may see (identity and contact)")
def families(request: HttpRequest, filters: Query[ListFilters]) -> HouseholdPage:
    try:
        user, membership = acting_member(request, FAMILY_READERS)
    except NotFound:
        # A role that reads no family records (the hub administrator) sees an empty list.
        return HouseholdPage(items=[], count=0, page=1, page_size=filters.page_size, pages=1)
    page = households_page(
        user=user,
        membership=membership,
        purpose=purpose_for(membership),
        page_number=filters.page,
        per_page=filters.page_size,
        postal_code=filters.zip,
    )
    return HouseholdPage(
        items=[
            _household_out(h, [DataCategory.IDENTITY_CONTACT], h.visible_members)  # type: ignore[attr-defined]
            for h in page.object_list
        ],
        count=page.paginator.count,
        page=page.number,
        page_size=filters.page_size,
        pages=page.paginator.num_pages,
    )


@router.get(
    "/families/{household_id}", response=HouseholdOut, summary="One family, with the categories the caller may see"
)
def family(request: HttpRequest, household_id: uuid.UUID) -> HouseholdOut:
    user, membership = acting_member(request, FAMILY_READERS)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose_for(membership),
        optional=[DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE],
        detail="api",
    )
    return _household_out(opened.household, list(opened.categories), members_visible(opened), opened)


# --- Intake --------------------------------------------------------------------------------------
# The request bodies are the intake's typed input (``families.intake.input``): the OpenAPI shows
# every field with its type, and a bad value is answered 422 naming it as sent
# (``caregiver.phone``, ``children.0.date_of_birth``), with the message the intake page shows.


class IntakeCompleteIn(IntakeInput):
    """A whole intake (``caregiver``, ``children``, ``details``) and what to do with it."""

    link_household_id: uuid.UUID | None = Field(
        None, description="the family to link to (from /intakes/match); empty to create a new family"
    )
    create_new: bool = Field(
        False,
        description="create a new family even though /intakes/match finds families the caller may see "
        "(without it, such an intake is answered 409 with the code possible_duplicates)",
    )


class CandidatePersonOut(Schema):
    person_id: uuid.UUID
    name: str
    date_of_birth: date | None
    probability: float
    reasons: list[str]
    entered_as: str


class CandidateFamilyOut(Schema):
    household_id: uuid.UUID
    probability: float
    registered_by: str
    people: list[CandidatePersonOut]


class IntakeMatchOut(Schema):
    families: list[CandidateFamilyOut]
    hidden_match: bool = Field(description="a possible match exists that the caller may not see")


class IntakeOut(Schema):
    intake_id: uuid.UUID
    household_id: uuid.UUID
    outcome: str


def _intake_error(error: IntakeError) -> HttpResponse:
    return invalid(error.fields)


@router.post(
    "/intakes/match",
    response={200: IntakeMatchOut, 422: ErrorOut},
    summary="Families the network probably knows already, for the people of an intake (step 1 fields)",
)
def intake_match(request: HttpRequest, payload: IntakePeopleInput) -> Any:
    user, membership = acting_member(request, INTAKE_ROLES)
    try:
        matches = intake_candidates(acting_user=user, membership=membership, intake=payload)
    except IntakeError as error:
        return _intake_error(error)
    return IntakeMatchOut(
        families=[
            CandidateFamilyOut(
                household_id=f.household_id,
                probability=f.probability,
                registered_by=f.registered_by,
                people=[CandidatePersonOut(**vars(p)) for p in f.people],
            )
            for f in matches.families
        ],
        hidden_match=matches.hidden_match,
    )


@router.post(
    "/intakes",
    response={201: IntakeOut, 409: ErrorOut, 422: ErrorOut},
    summary="Complete an intake: create the family, or link it to one from /intakes/match",
)
def intake_create(request: HttpRequest, payload: IntakeCompleteIn) -> Any:
    user, membership = acting_member(request, INTAKE_ROLES)
    try:
        if payload.link_household_id is None and not payload.create_new:
            # Before a new record is created, the hub looks for the family (as the intake page
            # does); identical intakes sent at once take turns, so only the first creates it.
            record = intake_complete_unless_known(acting_user=user, membership=membership, intake=payload)
        else:
            record = intake_complete(
                acting_user=user, membership=membership, intake=payload, link_household_id=payload.link_household_id
            )
    except PossibleDuplicates as known:
        return error_response(
            409,
            "possible_duplicates",
            _("The network probably knows this family already: link to it, or set create_new."),
            {"link_household_id": [str(f.household_id) for f in known.matches.families]},
        )
    except IntakeError as error:
        return _intake_error(error)
    return Status(201, IntakeOut(intake_id=record.pk, household_id=record.household_id, outcome=record.outcome))


class DraftIn(IntakeDraftData):
    """A step of an unfinished intake: ``caregiver`` and ``children`` for step 1, ``details`` for
    step 2 (the other parts are ignored). Kept even when not valid."""

    step: int = Field(1, ge=1, le=2, description="the step these fields belong to")
    advance: bool = Field(False, description="check the step and move on when it is valid")


class DraftOut(Schema):
    id: uuid.UUID
    step: int = Field(description="the furthest step reached (3: ready to match and complete)")
    expires_at: str
    intake: IntakeDraftData = Field(description="what the draft holds, as entered")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="with advance: the fields at fault (caregiver.phone, children.0.sex...)"
    )


def _draft_out(draft: IntakeDraft, errors: dict[str, list[str]] | None = None) -> DraftOut:
    return DraftOut(
        id=draft.pk,
        step=draft.step,
        expires_at=draft.expires_at.isoformat(),
        intake=intake_draft_data(draft),
        errors=errors or {},
    )


@router.post(
    "/intake-drafts", response={201: DraftOut, 422: ErrorOut}, summary="Start an intake draft (partial progress)"
)
def intake_draft_start(request: HttpRequest) -> Any:
    user, membership = acting_member(request, INTAKE_ROLES)
    try:
        draft = intake_start(acting_user=user, membership=membership)
    except IntakeError as error:
        return _intake_error(error)
    return Status(201, _draft_out(draft))


@router.get("/intake-drafts/{draft_id}", response=DraftOut, summary="One of the caller's own unfinished intakes")
def intake_draft_read(request: HttpRequest, draft_id: uuid.UUID) -> Any:
    user, _membership = acting_member(request, INTAKE_ROLES)
    draft = intake_draft_get(acting_user=user, draft_id=draft_id)
    if draft is None:
        raise NotFound
    return _draft_out(draft)


@router.put(
    "/intake-drafts/{draft_id}",
    response=DraftOut,
    summary="Save a step of a draft (kept even when not valid); with advance, check it and move on",
)
def intake_draft_save(request: HttpRequest, draft_id: uuid.UUID, payload: DraftIn) -> Any:
    user, _membership = acting_member(request, INTAKE_ROLES)
    draft = intake_draft_get(acting_user=user, draft_id=draft_id)
    if draft is None:
        raise NotFound
    entered = IntakeDraftData(caregiver=payload.caregiver, children=payload.children, details=payload.details)
    errors: dict[str, list[str]] = {}
    complete: IntakePeopleInput | None = None
    if payload.advance:
        # The step is checked with everything entered so far (step 2 checks step 1 again).
        merged = intake_draft_merge(intake_draft_data(draft), entered, payload.step)
        try:
            complete = intake_draft_parse(merged, IntakePeopleInput if payload.step == 1 else IntakeInput)
        except IntakeError as error:
            errors = error.fields
    errors |= intake_save_step(acting_user=user, draft=draft, entered=entered, step=payload.step, complete=complete)
    return _draft_out(draft, errors)
