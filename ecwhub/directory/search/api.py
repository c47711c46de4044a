"""``GET /api/v1/directory/search``: the same search as the page, as JSON."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from ecwhub.core.http import invalid
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

from .forms import SearchForm
from .selectors import SearchInputError, SearchResult, directory_search
from .views import family_for_search

router = Router(tags=["directory"])

_PARAMETERS = (
    "Query parameters (the same as the search page): `q` words (typos are corrected, Spanish words accepted); "
    "`need` (repeat for several); `language` (BCP 47 code) and `dialect`; `location` (ZIP code, city of the "
    "hub's state, or address) and `miles` (2, 5, 10, 25 or 50; default 25); `order` (`relevance`, the default, "
    "or `distance`: nearest first, needs a place); `child_age_months`; `insurance`; `free`, `open_now`, "
    "`evenings`, `weekends`, `accepting` (true/false); `family` (a family's id: its ZIP code, language and "
    "children's ages are read through the access policy, and warnings are given for it); `page`, `page_size`."
)


class MatchedNeedOut(Schema):
    code: str
    label: str


class SearchResultOut(Schema):
    service_id: uuid.UUID
    name: str
    organization: str
    description: str
    phone: str
    email: str
    url: str
    score: float = Field(description="higher is better; see docs/search.md for the formula")
    distance_km: float | None
    distance_mi: float | None
    matched_needs: list[MatchedNeedOut]
    language_match: bool
    dialect_match: bool
    open_now: bool | None = Field(description="None when the directory does not know the hours")
    open_evenings: bool
    open_weekends: bool
    accepting_referrals: bool
    accepts_electronic_referrals: bool
    is_free: bool
    min_age_months: int | None
    max_age_months: int | None
    reasons: list[str] = Field(description="why it matched, in the caller's language")
    warnings: list[str] = Field(description="what may stand in the way (for the family, when one is given)")


class SearchOut(Schema):
    items: list[SearchResultOut]
    count: int
    page: int
    page_size: int
    pages: int
    corrections: dict[str, str] = Field(description="misspelled word → the word searched for instead")
    ignored_words: list[str] = Field(description="query words (or two-word phrases) no service uses")
    language: str
    order: str = Field(
        description="the order of the items: `relevance` (best match first) or `distance` (nearest first)"
    )
    latitude: float | None = Field(description="the point distances are measured from (a ZIP centroid or address)")
    longitude: float | None


def _form_parameters(form: type[forms.Form]) -> list[dict[str, Any]]:
    """The search form's fields as OpenAPI query parameters: the form stays the one parser (the page
    and the API), and the description (and the generated requests of tests/core/test_api_fuzz.py)
    knows every parameter with its type and bounds."""
    parameters = []
    for name, field in form.base_fields.items():
        schema: dict[str, Any]
        if isinstance(field, forms.ChoiceField):
            values = [str(key) for key, _label in field.choices if key]  # type: ignore[misc, union-attr]
        if isinstance(field, forms.MultipleChoiceField):
            schema = {"type": "array", "items": {"type": "string", "enum": values}}
        elif isinstance(field, forms.ChoiceField):
            schema = {"type": "string", "enum": values}
        elif isinstance(field, forms.IntegerField):
            schema = {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
        elif isinstance(field, forms.BooleanField):
            schema = {"type": "boolean"}
        elif isinstance(field, forms.UUIDField):
            schema = {"type": "string", "format": "uuid"}
        else:
            schema = {"type": "string", "maxLength": field.max_length}  # type: ignore[attr-defined]
        schema = {key: value for key, value in schema.items() if value is not None}
        parameters.append({"in": "query", "name": name, "required": False, "schema": schema})
    return parameters


def _result_out(result: SearchResult) -> SearchResultOut:
    service = result.service
    organization = service.organization.name if service.organization else ""
    if not organization and service.directory_organization_id:
        organization = service.directory_organization.name  # type: ignore[union-attr]
    return SearchResultOut(
        service_id=service.pk,
        name=service.name,
        organization=organization,
        description=service.description,
        phone=service.phone,
        email=service.email,
        url=service.url,
        score=result.score,
        distance_km=None if result.distance_km is None else round(result.distance_km, 2),
        distance_mi=None if result.distance_mi is None else round(result.distance_mi, 2),
        matched_needs=[MatchedNeedOut(code=n, label=str(Need(n).label)) for n in result.matched_needs],
        language_match=result.language_match,
        dialect_match=result.dialect_match,
        open_now=result.open_now,
        open_evenings=result.open_evenings,
        open_weekends=result.open_weekends,
        accepting_referrals=service.accepting_referrals,
        accepts_electronic_referrals=service.accepts_electronic_referrals,
        is_free=service.is_free,
        min_age_months=service.min_age_months,
        max_age_months=service.max_age_months,
        reasons=result.reasons,
        warnings=result.warnings,
    )


@router.get(
    "/directory/search",
    response={200: SearchOut},
    summary="Search the directory of services",
    description=_PARAMETERS,
    openapi_extra={
        "parameters": _form_parameters(SearchForm),
        "responses": {
            404: {
                "description": "`family` names no family the caller may see",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
            }
        },
    },
)
def search(request: HttpRequest) -> SearchOut | HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        return invalid(fields)
    family = family_for_search(request, form.cleaned_data["family"])
    try:
        page = directory_search(form.params(), family=family)
    except SearchInputError as error:
        return invalid(error.fields)
    return SearchOut(
        items=[_result_out(r) for r in page.results],
        count=page.count,
        page=page.page,
        page_size=page.page_size,
        pages=page.pages,
        corrections=page.corrections,
        ignored_words=page.ignored_words,
        language=page.language if page.language in Language.values else "",
        order=page.order,
        latitude=page.point.latitude if page.point else None,
        longitude=page.point.longitude if page.point else None,
    )
