"""The hub administrator sets a service's own referral time limits here (docs/referrals.md).

Only the limits are in the admin site: referrals, their events and follow-up tasks are family
data, read through the pages that apply the access policy.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from ecwhub.accounts.models import Role

from .models import ServiceReferralTerms


def _is_hub_admin(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.memberships.filter(role=Role.HUB_ADMIN, is_active=True).exists())  # type: ignore[union-attr]


@admin.register(ServiceReferralTerms)
class ServiceReferralTermsAdmin(admin.ModelAdmin[ServiceReferralTerms]):
    """A service's limits in business days; an empty field uses the network's default."""

    list_display = ("service", "answer_days", "outcome_days")
    search_fields = ("service__name", "service__organization__name")
    autocomplete_fields = ("service",)

    # Hub administrators manage the limits through their membership, like the risk rules.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_hub_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_hub_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_hub_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_hub_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_hub_admin(request)
