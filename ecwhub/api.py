"""The JSON API: one NinjaAPI that every app adds its router to.

Errors always have the same body (``ecwhub.core.http``)::

    {"error": {"code": "invalid", "message": "...", "fields": {"page": ["..."]}}}

Routers never import this module: what they share (errors, pagination, the acting membership)
lives in ``ecwhub.core.http`` and ``ecwhub.accounts.acting``.

Authentication is the browser session (with CSRF for writes) or a bearer token
(``Authorization: Bearer ecw_...``, see ``manage.py create_api_token``).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import AnonRateThrottle, UserRateThrottle

from ecwhub.accounts.middleware import user_is_verified
from ecwhub.accounts.services import api_token_authenticate
from ecwhub.core.http import ERROR_CODES, ErrorOut, error_response
from ecwhub.core.throttle import budget_spend, budget_wait


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = api_token_authenticate(token)
        if row is None:
            return None
        # The token's membership is the one the request acts in (ecwhub.accounts.acting).
        request.api_token = row  # type: ignore[attr-defined]
        request.user = row.user
        return row.user


class Session(APIKeyCookie):
    """The signed-in browser session; writes need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # A caller who is not signed in has no session to protect: the answer is 401 (sign in),
        # not a 403 for a missing CSRF token. A signed-in session's writes still need the token.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and (user_is_verified(user) or not user.requires_two_factor):  # type: ignore[union-attr]
            return user
        return None


class _RateFromSettings:
    """A request budget read from settings.RATE_LIMITS on every request (so deployments and tests
    can change it), counted atomically across server processes (ecwhub.core.throttle)."""

    setting: str = ""
    _waits = threading.local()  # one throttle object serves every thread: its answer is per thread

    def __init__(self) -> None:
        super().__init__(settings.RATE_LIMITS[self.setting])  # type: ignore[call-arg]

    def allow_request(self, request: HttpRequest) -> bool:
        allowed, period = self.parse_rate(settings.RATE_LIMITS[self.setting])  # type: ignore[attr-defined]
        key = self.get_cache_key(request)  # type: ignore[attr-defined]
        if key is None:
            return True
        spent = budget_spend(self.cache, key, allowed, period)  # type: ignore[attr-defined]
        self._waits.after = None if spent.within else budget_wait(self.cache, key, period)  # type: ignore[attr-defined]
        return spent.within

    def wait(self) -> float | None:
        return getattr(self._waits, "after", None)


class AnonymousBudget(_RateFromSettings, AnonRateThrottle):
    setting = "api_anonymous"


class UserBudget(_RateFromSettings, UserRateThrottle):
    setting = "api"


# A JSON string may spell half of a UTF-16 pair (\ud800); such text cannot be stored, encrypted
# or sent anywhere, so it is refused as the body is read, naming where it was sent.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class UnencodableText(Exception):
    def __init__(self, fields: list[str]) -> None:
        super().__init__("lone surrogates in the request body")
        self.fields = fields


def _unencodable(value: Any, path: tuple[str, ...], found: list[str]) -> None:
    if isinstance(value, str):
        if _LONE_SURROGATE.search(value):
            found.append(".".join(path) or "__all__")
    elif isinstance(value, dict):
        for key, item in value.items():
            if _LONE_SURROGATE.search(str(key)):
                found.append(".".join(path) or "__all__")  # the key itself cannot be named
                continue
            _unencodable(item, (*path, str(key)), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _unencodable(item, (*path, str(index)), found)


class JsonBody(Parser):
    """JSON bodies, refusing text that is not valid Unicode (see ``UnencodableText``)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        found: list[str] = []
        _unencodable(data, (), found)
        if found:
            raise UnencodableText(found)
        return data


# The error answers every operation may give, documented with the one error body (ecwhub.core.http).
_ERROR_ANSWERS = {
    400: "a body that is not JSON, or an X-Acting-Organization header that is needed or malformed",
    401: "no valid credentials (code unauthenticated), or a session without two-factor (two_factor_required)",
    403: "the acting membership may not do this, or a session write without the CSRF token",
    404: "no such record, or one the caller may not see (the same answer)",
    413: "the request body is over the upload limit",
    422: "invalid input: `fields` names each field at fault and why",
    429: "over the request budget: Retry-After says when the window ends",
}


class HubAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI description also lists each operation's error answers."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error.pop("$defs", {}))
        components["ErrorOut"] = error
        reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                statuses = {429}
                if operation.get("security"):
                    statuses |= {400, 401, 403}
                if operation.get("parameters") or "requestBody" in operation:
                    statuses.add(422)
                if "requestBody" in operation:
                    statuses |= {400, 413}
                if "{" in path or method != "get":  # a write acts in a membership that may not do it
                    statuses.add(404)
                responses = operation.setdefault("responses", {})
                for status in sorted(statuses):
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": _ERROR_ANSWERS[status], "content": reference}
        return schema


api = HubAPI(
    title="ECW Hub API",
    version="1",
    description=(
        "The Early Childhood Wellness Hub's JSON API. Authenticate with the browser session or a bearer token. "
        'Every error body is `{"error": {"code", "message", "fields"}}`; lists are paginated with '
        "`page` and `page_size`."
    ),
    auth=[BearerToken(), Session()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Request budgets: per user once authenticated, per address before.
    throttle=[AnonymousBudget(), UserBudget()],
    parser=JsonBody(),
)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(location) or "__all__", []).append(str(error.get("msg", "invalid")))
    return error_response(422, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "too_large", _("The request is too large."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, UnencodableText):  # ninja wraps what the parser raises
        message = _("This text holds a character that is not valid Unicode.")
        return error_response(
            422, "invalid", _("Some fields are not valid."), {name: [message] for name in exc.__cause__.fields}
        )
    return error_response(exc.status_code, ERROR_CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with the request id; the body says nothing about the data involved.
    logging.getLogger("ecwhub.api").exception("unhandled API error", extra={"error_type": type(exc).__name__})
    return error_response(500, "server_error", _("Something went wrong on our side. Quote the request id to support."))


def _add_routers() -> None:
    from ecwhub.accounts.api import router as accounts_router
    from ecwhub.care.api import router as care_router
    from ecwhub.directory.api import listing_router as directory_listing_router
    from ecwhub.directory.api import router as directory_hsds_router
    from ecwhub.directory.search.api import router as directory_search_router
    from ecwhub.families.api import router as families_router
    from ecwhub.referrals.api import router as referrals_router
    from ecwhub.screening.api import router as screening_router

    api.add_router("/v1/", accounts_router)
    api.add_router("/v1/", families_router)
    api.add_router("/v1/", care_router)
    api.add_router("/v1/", screening_router)
    api.add_router("/v1/", referrals_router)
    api.add_router("/v1/", directory_search_router)
    api.add_router("/hsds/", directory_hsds_router)
    api.add_router("/v1/", directory_listing_router)


_add_routers()
