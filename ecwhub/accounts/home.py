"""The page each role lands on after signing in."""

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecwhub.directory.models import Service
from ecwhub.families.models import Household, Person

from .models import Membership, Organization, OrganizationKind, Role


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
    context: dict[str, Any] = {"organization": organization, "role": membership.role}
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
