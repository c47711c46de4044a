"""Reads of account data that depend on who is asking."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Membership, Organization, Role, User


def _is_hub_admin(user: User) -> bool:
    return Membership.objects.filter(user=user, role=Role.HUB_ADMIN, is_active=True, organization__kind="hub").exists()


def organizations_visible_to_admin(user: User) -> QuerySet[Organization]:
    """Organizations whose administration ``user`` may see: all for hub administrators,
    otherwise those where the user is an active organization administrator."""
    queryset = Organization.objects.annotate(
        active_members=Count("memberships", filter=Q(memberships__is_active=True))
    ).order_by("name")
    if user.is_superuser or _is_hub_admin(user):
        return queryset
    return queryset.filter(memberships__user=user, memberships__is_active=True, memberships__is_org_admin=True)


def organization_get_for_admin(user: User, slug: str) -> Organization:
    """The organization, if ``user`` administers it; 404 whether it is missing or not theirs."""
    organization = organizations_visible_to_admin(user).filter(slug=slug).first()
    if organization is None:
        raise Http404
    return organization
