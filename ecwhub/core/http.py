"""What every JSON endpoint shares: the error body, the paginated list, and status codes.

Kept apart from ``ecwhub.api`` (which builds the one ``NinjaAPI`` and adds every app's router) so
that routers, middleware and error views import these without importing the API module back.

Errors always have the same body::

    {"error": {"code": "invalid", "message": "...", "fields": {"page": ["..."]}}}
"""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Schema
from ninja.pagination import PaginationBase
from pydantic import Field

ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


# Every integer the API accepts is bounded, so a number no database column (or no page offset)
# can hold is refused by validation, naming the field, before any query runs
# (tests/core/test_api_robustness.py checks the whole OpenAPI description for unbounded integers).
MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1  # the largest row id (BigAutoField) either database stores

PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description="1-based page number")]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


def invalid(fields: dict[str, list[str]], message: str = "") -> JsonResponse:
    """422 with the fields at fault: the answer to bad input everywhere in the API."""
    from django.utils.translation import gettext as _

    return error_response(422, "invalid", message or _("Some fields are not valid."), fields)


class ErrorDetail(Schema):
    code: str = Field(description="machine-readable: invalid, not_found, conflict, …")
    message: str = Field(description="for people, in the caller's language")
    fields: dict[str, list[str]] = Field(description="the fields at fault and why")


class ErrorOut(Schema):
    """The body of every error answer."""

    error: ErrorDetail


class Page(PaginationBase):
    """``?page=N&page_size=M`` (M at most API_MAX_PAGE_SIZE)."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def paginate_queryset(self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any) -> Any:  # type: ignore[override]
        count = queryset.count()
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": max(1, -(-count // pagination.page_size)),
        }
