from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecwhub.core.http import error_response

from .models import ROLE_PRIORITY, Membership


def user_is_verified(user: object) -> bool:
    """True once the user has passed their second factor in this session (set by django-otp)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


SESSION_MEMBERSHIP_KEY = "ecwhub_membership_id"


def memberships_for(request: HttpRequest) -> list[Membership]:
    user = request.user
    if not user.is_authenticated:
        return []
    if not hasattr(request, "_ecwhub_memberships"):
        rows = list(user.active_memberships())  # type: ignore[union-attr]
        rows.sort(key=lambda m: (ROLE_PRIORITY.index(m.role), m.organization.name))  # type: ignore[arg-type]
        request._ecwhub_memberships = rows  # type: ignore[attr-defined]
    return request._ecwhub_memberships  # type: ignore[attr-defined,no-any-return]


class MembershipMiddleware:
    """Sets ``request.membership``: the organization and role the user is acting in now.

    The user picks it when they hold several; the choice lives in the session and is checked
    against the user's active memberships on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            rows = memberships_for(request)
            chosen = request.session.get(SESSION_MEMBERSHIP_KEY)
            current = next((m for m in rows if m.pk == chosen), rows[0] if rows else None)
            request.membership = current  # type: ignore[attr-defined]
        return self.get_response(request)


# Pages a signed-in user who still owes a second factor may reach.
_OPEN_TO_UNVERIFIED = ("accounts:verify", "accounts:enroll", "accounts:logout", "set_language")


class TwoFactorRequiredMiddleware:
    """Staff who signed in with a password but not yet with their TOTP code get only the
    two-factor pages (and sign-out). Enforced here so no view can forget it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def _open(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(name) for name in _OPEN_TO_UNVERIFIED)
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user_is_verified(user)
            and user.requires_two_factor  # type: ignore[union-attr]
            and not request.path.startswith(("/static/", "/health/"))
            and request.path not in self._open()
        ):
            if request.path.startswith("/api/"):
                return error_response(401, "two_factor_required", "Complete two-factor sign-in first.")
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = reverse("accounts:verify" if has_device else "accounts:enroll")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
