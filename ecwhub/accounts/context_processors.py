from typing import Any

from django.http import HttpRequest

from .middleware import memberships_for


def membership(request: HttpRequest) -> dict[str, Any]:
    return {
        "current_membership": getattr(request, "membership", None),
        "memberships": memberships_for(request) if hasattr(request, "user") else [],
    }
