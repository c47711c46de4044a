"""Account endpoints: who am I, and the network's member organizations."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from ecwhub.core.http import Page

from .middleware import memberships_for
from .models import Organization

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organization: str
    organization_name: str
    role: str
    title: str
    is_org_admin: bool


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    preferred_language: str
    memberships: list[MembershipOut]


class OrganizationOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    phone: str
    website: str
    email: str
    city: str
    postal_code: str


@router.get("/me", response=MeOut, summary="The signed-in user and their memberships")
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    rows = memberships_for(request)
    return MeOut(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        preferred_language=user.preferred_language,
        memberships=[
            MembershipOut(
                organization=m.organization.slug,
                organization_name=m.organization.name,
                role=m.role,
                title=m.title,
                is_org_admin=m.is_org_admin,
            )
            for m in rows
        ],
    )


@router.get("/organizations", response=list[OrganizationOut], summary="Member organizations of the network")
@paginate(Page)
def organizations(request: HttpRequest, kind: str | None = None) -> object:
    queryset = Organization.objects.filter(is_active=True).order_by("name")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


@router.get("/organizations/{slug}", response=OrganizationOut, summary="One member organization")
def organization(request: HttpRequest, slug: str) -> Organization:
    return get_object_or_404(Organization, slug=slug, is_active=True)
