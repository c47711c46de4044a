"""Who is acting, and in which membership: one answer for pages and for the API.

A person may hold several memberships (a clinician who also coordinates, an analyst at the plan
who is also a parent). Every request acts in exactly one, chosen explicitly:

- pages: the one picked in the membership switcher (kept in the session, checked on every request
  by ``MembershipMiddleware``);
- the API with a bearer token: the membership the token was made for;
- the API with the browser session: the session's membership, unless the
  ``X-Acting-Organization`` header names another of the user's own (``<slug>`` or ``<slug>:<role>``).

A token made before tokens carried a membership acts in the user's only membership, or in the one
the header names; with several and no header the request is refused (400) — never "the first one".
"""

from __future__ import annotations

from collections.abc import Collection

from django.http import HttpRequest
from ninja.errors import HttpError

from ecwhub.core.errors import NotFound

from .middleware import memberships_for
from .models import ApiToken, Membership, User

HEADER = "HTTP_X_ACTING_ORGANIZATION"


def _by_header(value: str, rows: list[Membership]) -> Membership:
    slug, _, role = value.strip().partition(":")
    found = [m for m in rows if m.organization.slug == slug and (not role or m.role == role)]
    if not found:
        raise HttpError(403, "X-Acting-Organization names none of your active memberships.")
    if len(found) > 1:
        raise HttpError(400, "You hold several roles there: send X-Acting-Organization as <slug>:<role>.")
    return found[0]


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership this request acts in, or None (signed out, or no active membership)."""
    token: ApiToken | None = getattr(request, "api_token", None)
    header = request.META.get(HEADER, "")
    if token is not None:
        rows = memberships_for(request)
        if token.membership_id is not None:
            chosen = next((m for m in rows if m.pk == token.membership_id), None)
            if chosen is None:
                return None  # the membership ended: the token acts for nobody
            if header and _by_header(header, rows).pk != chosen.pk:
                raise HttpError(403, "This token acts in another membership than X-Acting-Organization names.")
            return chosen
        if header:
            return _by_header(header, rows)
        if len(rows) > 1:
            raise HttpError(
                400, "You hold several memberships: send X-Acting-Organization, or use a token made for one."
            )
        return rows[0] if rows else None
    if header and request.path.startswith("/api/"):
        return _by_header(header, memberships_for(request))
    return getattr(request, "membership", None)


def acting_member(request: HttpRequest, roles: Collection[str]) -> tuple[User, Membership]:
    """The signed-in user and the membership they act in, when its role is one of ``roles``;
    ``NotFound`` otherwise (the same answer as for a page or record that does not exist)."""
    user = request.user
    if not user.is_authenticated:
        raise NotFound
    membership = current_membership(request)
    if membership is None or membership.role not in roles:
        raise NotFound
    return user, membership  # type: ignore[return-value]
