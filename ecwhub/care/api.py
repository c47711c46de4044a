"""Care endpoints: the worklist and the overdue children, through the same selectors as the pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Role
from ecwhub.core.errors import NotFound
from ecwhub.core.http import PageNumber, RowId
from ecwhub.core.languages import Language

from .selectors import OverdueRow, Window, WorklistFilters, WorklistRow, overdue_page, worklist_page

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
