"""The directory through the Open Referral HSDS 3.0 API (mounted at /api/hsds/).

Directory data describes services, not families: any signed-in user of the hub may read it (session
or API token, like the rest of the API). Responses follow the HSDS API: records in the HSDS JSON
shapes, lists in its paged envelope (``total_items``, ``total_pages``, ``page_number``, ``size``,
``first_page``, ``last_page``, ``empty``, ``contents``) with ``page`` and ``per_page``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone as django_timezone
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import Field, field_validator

from ecwhub.accounts.models import User
from ecwhub.core.http import PageNumber

from . import hsds
from . import models as m
from .services import (
    MAX_AGE_MONTHS,
    Hours,
    ListingEdit,
    ListingError,
    NewLocation,
    PhoneEdit,
    service_update,
    service_verify,
)

router = Router(tags=["directory (HSDS)"])

HSDS_VERSION = "3.0.1"


class PageParams(Schema):
    page: PageNumber = 1
    per_page: int = Field(25, ge=1, le=100, description="records per page (at most 100)")


class ServiceFilters(PageParams):
    search: str = Field("", max_length=200, description="words in the name or description")
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = Field(None, description="only records changed at or after this moment")
    stale: bool | None = Field(None, description="hub extension: only listings (not) verified in 180 days")
    accepting_referrals: bool | None = Field(None, description="hub extension")

    @field_validator("modified_after")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """Any offset a client sends (even +19:13) becomes UTC, which every database stores; a
        moment without one is read in the hub's time zone."""
        if value is None:
            return None
        try:
            aware = value if value.tzinfo is not None else django_timezone.make_aware(value)
            return aware.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise ValueError("a date and time between the years 1 and 9999") from error


class LocationFilters(ServiceFilters):
    postcode: str = Field("", max_length=16)


class TermFilters(PageParams):
    search: str = Field("", max_length=200)
    taxonomy_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    top_only: bool = False


class OrganizationFilters(PageParams):
    search: str = Field("", max_length=200)


def _paged(queryset: QuerySet[Any], params: PageParams, render: Any) -> dict[str, Any]:
    total = queryset.count()
    pages = max(1, -(-total // params.per_page))
    offset = (params.page - 1) * params.per_page
    contents = [render(obj) for obj in queryset[offset : offset + params.per_page]]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": params.page,
        "size": len(contents),
        "first_page": params.page == 1,
        "last_page": params.page >= pages,
        "empty": total == 0,
        "contents": contents,
    }


def _words(queryset: QuerySet[Any], search: str, *fields: str) -> QuerySet[Any]:
    for word in search.split():
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def services_filtered(filters: ServiceFilters, prefix: str = "") -> Q:
    """The HSDS service filters as one condition (``prefix`` = "service__" when filtering service_at_location)."""
    condition = Q()
    for word in filters.search.split():
        condition &= Q(**{f"{prefix}name__icontains": word}) | Q(**{f"{prefix}description__icontains": word})
    if filters.organization_id:
        condition &= Q(**{f"{prefix}directory_organization_id": filters.organization_id})
    if filters.modified_after:
        condition &= Q(**{f"{prefix}last_modified__gte": filters.modified_after})
    if filters.accepting_referrals is not None:
        condition &= Q(**{f"{prefix}accepting_referrals": filters.accepting_referrals})
    if filters.taxonomy_term_id:
        need = hsds.NEED_BY_TERM_ID.get(filters.taxonomy_term_id)
        linked = m.Attribute.objects.filter(link_entity="service", taxonomy_term_id=filters.taxonomy_term_id)
        term = Q(**{f"{prefix}id__in": linked.values("link_id")})
        if need:
            term |= Q(**{f"{prefix}needs__need": need})
        condition &= term
    if filters.taxonomy_id:
        linked = m.Attribute.objects.filter(
            link_entity="service", taxonomy_term__taxonomy_detail_id=filters.taxonomy_id
        )
        term = Q(**{f"{prefix}id__in": linked.values("link_id")})
        if filters.taxonomy_id == hsds.NEED_TAXONOMY_ID:
            term |= Q(**{f"{prefix}needs__isnull": False})
        condition &= term
    return condition


def _services(filters: ServiceFilters) -> QuerySet[m.Service]:
    queryset = m.Service.objects.filter(services_filtered(filters)).distinct()
    if filters.stale is True:
        queryset = queryset.stale()
    elif filters.stale is False:
        queryset = queryset.fresh()
    return queryset.select_related("directory_organization", "program").order_by("name", "id")


def _service_brief(service: m.Service) -> dict[str, Any]:
    out = hsds.record_json("service", service, nested=False)
    if service.directory_organization is not None:
        out["organization"] = hsds.record_json("organization", service.directory_organization, nested=False)
    if service.program is not None:
        out["program"] = hsds.record_json("program", service.program, nested=False)
    return out


@router.get("/", summary="About this HSDS API", auth=None)
def hsds_root(request: HttpRequest) -> dict[str, Any]:
    return {
        "version": HSDS_VERSION,
        "profile": "https://openreferral.org/specification/3.0",
        "openapi_url": request.build_absolute_uri("/api/openapi.json"),
    }


@router.get("/services", summary="Services (HSDS paged list)")
def services_list(request: HttpRequest, filters: Query[ServiceFilters]) -> dict[str, Any]:
    return _paged(_services(filters), filters, _service_brief)


@router.get("/services/{service_id}", summary="One service with everything HSDS says about it")
def services_detail(request: HttpRequest, service_id: uuid.UUID) -> dict[str, Any]:
    service = m.Service.objects.filter(pk=service_id).first()
    if service is None:
        raise Http404
    out = hsds.record_json("service", service)
    out["capacity"] = {  # hub extension, outside the HSDS 3.0 fields
        "accepting_referrals": service.accepting_referrals,
        "typical_wait_days": service.typical_wait_days,
        "open_slots": service.open_slots,
        "accepts_electronic_referrals": service.accepts_electronic_referrals,
        "last_verified_at": hsds.to_json(service.last_verified_at),
        "stale": service.is_stale,
    }
    return out


@router.get("/organizations", summary="Organizations (HSDS paged list)")
def organizations_list(request: HttpRequest, filters: Query[OrganizationFilters]) -> dict[str, Any]:
    queryset = _words(m.DirectoryOrganization.objects.order_by("name", "id"), filters.search, "name", "description")
    return _paged(queryset, filters, lambda org: hsds.record_json("organization", org, nested=False))


@router.get("/organizations/{organization_id}", summary="One organization with its services and locations")
def organizations_detail(request: HttpRequest, organization_id: uuid.UUID) -> dict[str, Any]:
    organization = m.DirectoryOrganization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise Http404
    return hsds.record_json("organization", organization)


@router.get("/taxonomy_terms", summary="Taxonomy terms (HSDS paged list)")
def taxonomy_terms_list(request: HttpRequest, filters: Query[TermFilters]) -> dict[str, Any]:
    queryset = _words(m.TaxonomyTerm.objects.order_by("name", "id"), filters.search, "name", "description", "code")
    if filters.taxonomy_id:
        queryset = queryset.filter(taxonomy_detail_id=filters.taxonomy_id)
    if filters.parent_id:
        queryset = queryset.filter(parent_id=filters.parent_id)
    if filters.top_only:
        queryset = queryset.filter(parent_id__isnull=True)
    return _paged(queryset, filters, lambda term: hsds.record_json("taxonomy_term", term))


@router.get("/taxonomy_terms/{term_id}", summary="One taxonomy term")
def taxonomy_terms_detail(request: HttpRequest, term_id: uuid.UUID) -> dict[str, Any]:
    term = m.TaxonomyTerm.objects.filter(pk=term_id).first()
    if term is None:
        raise Http404
    return hsds.record_json("taxonomy_term", term)


@router.get("/service_at_locations", summary="Services at locations (HSDS paged list)")
def service_at_locations_list(request: HttpRequest, filters: Query[LocationFilters]) -> dict[str, Any]:
    queryset = m.ServiceAtLocation.objects.filter(services_filtered(filters, prefix="service__"))
    if filters.stale is True:
        queryset = queryset.filter(service__in=m.Service.objects.stale())
    elif filters.stale is False:
        queryset = queryset.filter(service__in=m.Service.objects.fresh())
    if filters.postcode:
        queryset = queryset.filter(location__addresses__postal_code=filters.postcode.strip())
    # A service_at_location whose service or location the publisher left out is shown only on its own.
    queryset = queryset.filter(service__id__isnull=False, location__id__isnull=False)
    queryset = queryset.select_related("service", "location").distinct().order_by("service__name", "id")

    def render(sal: m.ServiceAtLocation) -> dict[str, Any]:
        out = hsds.record_json("service_at_location", sal, nested=False)
        out["service"] = hsds.record_json("service", sal.service, nested=False)
        out["location"] = hsds.record_json("location", sal.location, nested=False)
        return out

    return _paged(queryset, filters, render)


@router.get("/service_at_locations/{sal_id}", summary="One service at one location")
def service_at_locations_detail(request: HttpRequest, sal_id: uuid.UUID) -> dict[str, Any]:
    sal = m.ServiceAtLocation.objects.filter(pk=sal_id).first()
    if sal is None:
        raise Http404
    return hsds.record_json("service_at_location", sal)


# --- Providers keep their listing current (hub API, not part of HSDS) --------------------------------

listing_router = Router(tags=["directory listings"])


class HoursIn(Schema):
    day: str = Field(pattern=r"^(MO|TU|WE|TH|FR|SA|SU)$")
    opens_at: time
    closes_at: time


class LanguageIn(Schema):
    language: str = Field(max_length=8)
    dialect: str = Field("", max_length=100)


class PhoneIn(Schema):
    number: str = Field(max_length=40)
    description: str = Field("", max_length=200)


class NewLocationIn(Schema):
    name: str = Field("", max_length=200)
    address_1: str = Field(max_length=200)
    city: str = Field(max_length=100)
    postal_code: str = Field(max_length=10)
    state_province: str = Field("CA", max_length=40)


class ListingIn(Schema):
    """Only the parts sent are changed; send ``null`` for wait, slots or an age to clear it. ``phones``
    replaces the service's numbers (the first is its main number); ``location_ids`` replaces the places
    it is offered at (among its organization's locations); ``new_location`` adds one and offers it there."""

    description: str | None = Field(None, max_length=10000)
    accepting_referrals: bool | None = None
    typical_wait_days: int | None = Field(None, ge=0, le=10000)
    open_slots: int | None = Field(None, ge=0, le=10000)
    accepts_electronic_referrals: bool | None = None
    languages: list[LanguageIn] | None = None
    needs: list[str] | None = None
    hours: list[HoursIn] | None = None
    eligibility: str | None = Field(None, max_length=10000)
    min_age_months: int | None = Field(None, ge=0, le=MAX_AGE_MONTHS)
    max_age_months: int | None = Field(None, ge=0, le=MAX_AGE_MONTHS)
    is_free: bool | None = None
    fees_description: str | None = Field(None, max_length=2000)
    phones: list[PhoneIn] | None = None
    location_ids: list[uuid.UUID] | None = None
    new_location: NewLocationIn | None = None


class ChangeOut(Schema):
    field: str
    kind: str
    old_value: str
    new_value: str
    changed_at: datetime


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


@listing_router.patch(
    "/directory/services/{service_id}/listing",
    response=list[ChangeOut],
    summary=(
        "Update your organization's listing (capacity, description, who it is for, cost, languages, needs, "
        "hours, phones, locations)"
    ),
)
def listing_update(request: HttpRequest, service_id: uuid.UUID, payload: ListingIn) -> list[m.ServiceChange]:
    sent = payload.model_fields_set
    edit = ListingEdit(
        description=payload.description,
        accepting_referrals=payload.accepting_referrals,
        typical_wait_days=payload.typical_wait_days,
        clear_typical_wait_days="typical_wait_days" in sent and payload.typical_wait_days is None,
        open_slots=payload.open_slots,
        clear_open_slots="open_slots" in sent and payload.open_slots is None,
        accepts_electronic_referrals=payload.accepts_electronic_referrals,
        languages=None if payload.languages is None else [(x.language, x.dialect) for x in payload.languages],
        needs=payload.needs,
        hours=None if payload.hours is None else [Hours(h.day, h.opens_at, h.closes_at) for h in payload.hours],
        eligibility=payload.eligibility,
        min_age_months=payload.min_age_months,
        clear_min_age_months="min_age_months" in sent and payload.min_age_months is None,
        max_age_months=payload.max_age_months,
        clear_max_age_months="max_age_months" in sent and payload.max_age_months is None,
        is_free=payload.is_free,
        fees_description=payload.fees_description,
        phones=None if payload.phones is None else [PhoneEdit(p.number, p.description) for p in payload.phones],
        location_ids=payload.location_ids,
        new_location=None if payload.new_location is None else NewLocation(**payload.new_location.model_dump()),
    )
    try:
        return service_update(acting_user=_user(request), service_id=service_id, edit=edit)
    except ListingError as exc:
        raise ValidationError(
            [{"loc": ("body", name), "msg": problem} for name, problems in exc.fields.items() for problem in problems]
        ) from exc


@listing_router.post(
    "/directory/services/{service_id}/verify", response=ChangeOut, summary="Confirm your listing is current"
)
def listing_verify(request: HttpRequest, service_id: uuid.UUID) -> m.ServiceChange:
    return service_verify(acting_user=_user(request), service_id=service_id)
