"""The page each role lands on after signing in.

Other apps add cards to it (the coordinator's "families to reach first") through
``register_home_card`` in their ``AppConfig.ready()``; a card's reads run in the view, before any
template, and its template only formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ecwhub.directory.models import Service
from ecwhub.families.models import Household, Person

from .models import Membership, Organization, OrganizationKind, Role, User


@dataclass(frozen=True)
class HomeCard:
    key: str
    order: int
    template: str
    build: Callable[[HttpRequest, User, Membership], dict[str, Any] | None]
    roles: frozenset[str] = frozenset()


_CARDS: dict[str, HomeCard] = {}


def register_home_card(card: HomeCard) -> None:
    if card.key in _CARDS and _CARDS[card.key] != card:
        raise ValueError(f"two home cards are called {card.key!r}")
    _CARDS[card.key] = card


def _cards(request: HttpRequest, user: User, membership: Membership) -> list[SafeString]:
    chosen = sorted((c for c in _CARDS.values() if membership.role in c.roles), key=lambda c: (c.order, c.key))
    built = [(card, card.build(request, user, membership)) for card in chosen]
    return [SafeString(render_to_string(c.template, data, request=request)) for c, data in built if data is not None]


def _network_summary() -> dict[str, Any]:
    """Counts only: no family record is read to build them."""
    kinds = dict(OrganizationKind.choices)
    by_kind = Organization.objects.filter(is_active=True).values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    return {
        "organization_count": Organization.objects.filter(is_active=True).count(),
        "organizations_by_kind": [(kinds.get(row["kind"], row["kind"]), row["n"]) for row in by_kind],
        "service_count": Service.objects.filter(status=Service.Status.ACTIVE).count(),
        "accepting_count": Service.objects.filter(status=Service.Status.ACTIVE, accepting_referrals=True).count(),
        "household_count": Household.objects.count(),
        "child_count": Person.objects.filter(relationship=Person.Relationship.CHILD).count(),
    }


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "home/landing.html")


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return landing(request)
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return render(request, "home/no_membership.html")
    organization = membership.organization
    context: dict[str, Any] = {
        "organization": organization,
        "role": membership.role,
        "cards": _cards(request, request.user, membership),  # type: ignore[arg-type]
    }
    if membership.role in (Role.HUB_ADMIN, Role.ANALYST):
        context.update(_network_summary())
    if membership.role in (Role.COORDINATOR, Role.PROVIDER_STAFF, Role.CLINICIAN):
        context["services"] = organization.services.prefetch_related("needs", "languages").order_by("name")
        context["colleagues"] = (
            Membership.objects.filter(organization=organization, is_active=True)
            .exclude(user=request.user)
            .exclude(role=Role.FAMILY_MEMBER)
            .select_related("user")
            .order_by("user__last_name")[:12]
        )
        context["registered_households"] = organization.registered_households.count()
    if membership.role == Role.HUB_ADMIN:
        context["recent_organizations"] = Organization.objects.order_by("-created_at")[:5]
    template = {
        Role.HUB_ADMIN: "home/hub_admin.html",
        Role.COORDINATOR: "home/coordinator.html",
        Role.PROVIDER_STAFF: "home/provider_staff.html",
        Role.CLINICIAN: "home/clinician.html",
        Role.ANALYST: "home/analyst.html",
        Role.FAMILY_MEMBER: "home/family_member.html",
    }[Role(membership.role)]
    return render(request, template, context)
