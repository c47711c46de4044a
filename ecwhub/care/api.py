"""Care endpoints: the worklist and the overdue children, through the same selectors as the pages,
and a family's encounters (read and recorded through the same services as the encounter form)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Role
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.selectors import OpenedHousehold, household_open, rows_visible
from ecwhub.core.errors import NotFound
from ecwhub.core.http import ErrorOut, PageNumber, RowId, invalid
from ecwhub.core.languages import Language
from ecwhub.screening.models import IdentifiedNeed

from .encounter_links import encounter_link_kinds
from .models import MINUTES_MAX, Contact
from .selectors import OverdueRow, Window, WorklistFilters, WorklistRow, overdue_page, worklist_page
from .services import CareError, EncounterFacts, contact_record

router = Router(tags=["care"])
# The worklists rank families by their tier, which is care plan: the roles that read care plans.
WORKLIST_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN})


class Filters(Schema):
    page: PageNumber = 1
    page_size: int = Field(25, ge=1, le=100)
    coordinator: RowId | None = Field(None, description="user id of the designated coordinator")
    organization: RowId | None = Field(None, description="organization working with the family")
    language: Language | None = Field(None, description="the family's preferred language")
    zip: str = Field("", max_length=5, pattern=r"^([0-9]{5})?$", description="five-digit ZIP code")
    tier: int | None = Field(None, ge=1, le=3)

    def worklist(self) -> WorklistFilters:
        return WorklistFilters(
            coordinator=self.coordinator,
            organization=self.organization,
            language=self.language.value if self.language else "",
            postal_code=self.zip,
            tier=self.tier,
        )


class ReasonOut(Schema):
    rule: str
    tier: int
    text: str


class WorklistItem(Schema):
    household_id: uuid.UUID
    caregivers: list[str]
    children: list[str]
    tier: int
    explanation: str
    reasons: list[ReasonOut]
    reasons_not_shown: int
    epsdt: bool
    preferred_language: str
    postal_code: str
    latest_positive_screen_at: datetime | None
    last_contact_at: datetime | None
    overdue_children: int


class WorklistOut(Schema):
    items: list[WorklistItem]
    count: int
    page: int
    page_size: int
    pages: int


class OverdueItem(Schema):
    household_id: uuid.UUID
    person_id: uuid.UUID
    child_name: str
    overdue: list[str]
    overdue_since: date | None


class OverdueOut(Schema):
    items: list[OverdueItem]
    count: int
    page: int
    page_size: int
    pages: int


def _page(request: HttpRequest, filters: Filters, selector: Callable[..., Window]) -> Window | None:
    """The page ``selector`` gives the acting member, counted; None for a role that has no worklists
    (they get an empty list, as if no family were there)."""
    try:
        user, membership = acting_member(request, WORKLIST_ROLES)
    except NotFound:
        return None
    return selector(
        user=user,
        membership=membership,
        filters=filters.worklist(),
        page_number=filters.page,
        per_page=filters.page_size,
        with_count=True,
    )


def _listing(page: Window | None, filters: Filters, item: Callable[[Any], dict[str, object]]) -> dict[str, object]:
    if page is None:
        return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size, "pages": 1}
    return {
        "items": [item(row) for row in page.object_list],
        "count": page.count,
        "page": page.number,
        "page_size": filters.page_size,
        "pages": page.num_pages,
    }


def _worklist_item(row: WorklistRow) -> dict[str, object]:
    return {
        "household_id": row.household.pk,
        "caregivers": row.caregivers,
        "children": row.children,
        "tier": row.tier.tier,
        "explanation": row.tier.explanation(),
        "reasons": [{"rule": r.rule, "tier": r.tier, "text": r.text()} for r in row.tier.reasons],
        "reasons_not_shown": row.tier.hidden,
        "epsdt": row.tier.epsdt,
        "preferred_language": row.household.preferred_language,
        "postal_code": row.household.postal_code,
        "latest_positive_screen_at": row.latest_positive_screen_at,
        "last_contact_at": row.last_contact_at,
        "overdue_children": row.overdue_children,
    }


def _overdue_item(row: OverdueRow) -> dict[str, object]:
    return {
        "household_id": row.household.pk,
        "person_id": row.child.pk,
        "child_name": row.child_name,
        "overdue": row.overdue_kinds,
        "overdue_since": row.oldest_overdue_on,
    }


@router.get(
    "/care/worklist",
    response=WorklistOut,
    summary="Families to reach first (tier, newest positive screen, longest without contact)",
)
def worklist(request: HttpRequest, filters: Query[Filters]) -> dict[str, object]:
    return _listing(_page(request, filters, worklist_page), filters, _worklist_item)


@router.get("/care/overdue", response=OverdueOut, summary="Children overdue for Bright Futures visits and screenings")
def overdue(request: HttpRequest, filters: Query[Filters]) -> dict[str, object]:
    return _listing(_page(request, filters, overdue_page), filters, _overdue_item)


# --- Encounters ------------------------------------------------------------------------------------

ENCOUNTERS_SHOWN = 100


class EncounterIn(Schema):
    method: str = Field(
        description="phone, text, email, home_visit, in_person, video, accompanied_visit, group_session"
    )
    outcome: str = Field(
        description="reached, declined, not_reached, left_message, wrong_number, not_delivered (what came of it)"
    )
    minutes: int | None = Field(None, ge=1, le=MINUTES_MAX)
    participants: list[uuid.UUID] = Field(default_factory=list, description="ids of the family's members")
    topics: list[str] = Field(
        default_factory=list,
        description="development, parenting, basic_needs, health_care, mental_health, benefits, housing, legal, "
        "school, other",
    )
    topics_other: str = Field("", max_length=200)
    interpreter_used: bool = False
    interpreter_language: str = Field("", description="a language code of the hub, when an interpreter took part")
    needs: list[uuid.UUID] = Field(default_factory=list, description="ids of the family's identified needs")
    funding: str = Field("", description="medi_cal_plan, epsdt, mhsa, grant, other, or empty")
    note: str = Field("", max_length=4000)
    links: dict[str, list[str]] = Field(
        default_factory=dict, description="for each registered encounter link kind (goals, pathways…), the ids"
    )


class EncounterOut(Schema):
    id: int
    at: datetime
    method: str
    outcome: str
    reached: bool
    organization: str
    minutes: int | None
    participants: list[uuid.UUID]
    dyadic: bool
    topics: list[str]
    topics_other: str
    interpreter_used: bool
    interpreter_language: str
    needs: list[uuid.UUID]
    funding: str
    note: str
    links: dict[str, list[str]]


def _open(request: HttpRequest, household_id: uuid.UUID, detail: str) -> tuple[OpenedHousehold, Any]:
    user, membership = acting_member(request, WORKLIST_ROLES)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.CASE_NOTES,
        optional=[DataCategory.IDENTITY_CONTACT, DataCategory.IDENTIFIED_NEEDS],
        detail=detail,
    )
    return opened, membership


def _encounter(opened: OpenedHousehold, contact: Contact) -> dict[str, object]:
    """The encounter as the caller may see it: only the members and needs the policy shows them."""
    members = {p.pk for p in opened.members}
    needs = set(
        rows_visible(opened, IdentifiedNeed.objects.filter(pk__in=[n.pk for n in contact.needs.all()])).values_list(
            "pk", flat=True
        )
    )
    return {
        "id": contact.pk,
        "at": contact.at,
        "method": contact.method,
        "outcome": contact.outcome,
        "reached": contact.reached,
        "organization": contact.organization.name,
        "minutes": contact.minutes,
        "participants": [p.pk for p in contact.participants.all() if p.pk in members],
        "dyadic": contact.dyadic,
        "topics": [t.topic for t in contact.topics.all()],
        "topics_other": contact.topics_other,
        "interpreter_used": contact.interpreter_used,
        "interpreter_language": contact.interpreter_language,
        "needs": [n.pk for n in contact.needs.all() if n.pk in needs],
        "funding": contact.funding,
        "note": contact.note,
        "links": {kind.key: shown for kind in encounter_link_kinds() if (shown := kind.shown(contact))},
    }


@router.get(
    "/care/families/{household_id}/encounters",
    response=list[EncounterOut],
    summary="A family's contacts and encounters, newest first (the last 100), with their facts",
)
def encounters(request: HttpRequest, household_id: uuid.UUID) -> list[dict[str, object]]:
    opened, _membership = _open(request, household_id, "encounters (API)")
    contacts = (
        rows_visible(opened, Contact.objects.select_related("organization"))
        .prefetch_related("participants", "needs", "topics")
        .order_by("-at", "-id")[:ENCOUNTERS_SHOWN]
    )
    return [_encounter(opened, contact) for contact in contacts]


@router.post(
    "/care/families/{household_id}/encounters",
    response={201: EncounterOut, 422: ErrorOut},
    summary="Record an encounter with the family (its links saved in the same transaction)",
)
def encounter_create(request: HttpRequest, household_id: uuid.UUID, payload: EncounterIn) -> Any:
    opened, membership = _open(request, household_id, "encounter recorded (API)")
    facts = EncounterFacts(
        minutes=payload.minutes,
        participants=payload.participants,
        topics=payload.topics,
        topics_other=payload.topics_other,
        interpreter_used=payload.interpreter_used,
        interpreter_language=payload.interpreter_language,
        needs=payload.needs,
        funding=payload.funding,
        note=payload.note,
        links=payload.links,
    )
    try:
        contact = contact_record(
            acting_user=opened.user,
            membership=membership,
            household=opened.household,
            method=payload.method,
            outcome=payload.outcome,
            facts=facts,
        )
    except CareError as error:
        field = error.field if error.field in EncounterIn.model_fields else f"links.{error.field}"
        response: HttpResponse = invalid({field: [str(error)]})
        return response
    return Status(201, _encounter(opened, contact))
