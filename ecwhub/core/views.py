from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .http import error_body, error_response


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: the database answers and every migration is applied."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except DatabaseError:
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Shown when django-ratelimit refuses a request (status 429)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("rate_limited", "Too many requests. Wait a few minutes and try again."), status=429
        )
    return render(request, "core/rate_limited.html", status=429)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The same page for "missing" and "not yours": existence never leaks."""
    if request.path.startswith("/api/"):
        return error_response(404, "not_found", "Not found.")
    return render(request, "core/error.html", {"status": 404}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: an error page must not echo personal data, and must not
    # need the database that may be the reason for the error.
    return HttpResponse(loader.get_template("core/error.html").render({"status": 500}), status=500)
