from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .middleware import memberships_for
from .models import Role


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: Promise
    roles: frozenset[str]


# The everyday pages of each role, in the header after Families and Alerts. A link is offered
# only to the roles its page lets in (tests/accounts/test_navigation.py opens every link of every
# role): my day, the worklist and intake for coordinators, the overdue list for coordinators and
# clinicians, the rates for them and analysts, the referrals for those who send or receive them.
NAV_LINKS = (
    NavLink("care:my_day", _("My day"), frozenset({Role.COORDINATOR})),
    NavLink("care:worklist", _("Worklist"), frozenset({Role.COORDINATOR})),
    NavLink("careplans:review", _("Case review"), frozenset({Role.COORDINATOR})),
    NavLink("families:intake_home", _("New intake"), frozenset({Role.COORDINATOR})),
    NavLink("care:overdue", _("Overdue"), frozenset({Role.COORDINATOR, Role.CLINICIAN})),
    NavLink("care:rates", _("Rates"), frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.ANALYST})),
    NavLink("referrals:mine", _("Referrals"), frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})),
    NavLink("referrals:escalations", _("Escalated referrals"), frozenset({Role.HUB_ADMIN})),
    NavLink("care:coordinators", _("Designated coordinators"), frozenset({Role.HUB_ADMIN})),
    NavLink("pathways:definitions", _("Pathways"), frozenset({Role.HUB_ADMIN})),
)


def nav_links(role: str | None, current_path: str) -> list[tuple[str, Promise, bool]]:
    """The role's links as (address, label, is the current page)."""
    links = []
    for link in NAV_LINKS:
        if role in link.roles:
            url = reverse(link.url_name)
            links.append((url, link.label, current_path == url))
    return links


def membership(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "membership", None)
    return {
        "current_membership": current,
        "memberships": memberships_for(request) if hasattr(request, "user") else [],
        "nav_links": nav_links(current.role if current else None, request.path),
    }
