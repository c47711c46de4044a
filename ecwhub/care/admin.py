"""The hub administrator reads and changes the risk rules here (every save recomputes the tiers),
and the coordinators' profiles (caseload ceiling, languages, neighbourhoods) that rank the
suggestions of a designated coordinator.

Only the rules, the profiles and the contact frequency of each tier are in the admin site: tier
assignments, EPSDT records, care events, contacts and care tasks are family data, read through the
pages that apply the access policy.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Role

from .models import ContactFrequency, CoordinatorProfile, RiskRule
from .tasks import recompute_all_tiers

M = TypeVar("M", bound=Model)


def _is_hub_admin(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.memberships.filter(role=Role.HUB_ADMIN, is_active=True).exists())  # type: ignore[union-attr]


class HubAdminOnly(admin.ModelAdmin[M]):
    """Care's settings, managed by hub administrators through their membership (the admin group's
    model list is the accounts app's; these belong to care). Saving stamps ``updated_at``."""

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

    def save_model(self, request: HttpRequest, obj: M, form: ModelForm[M], change: bool) -> None:
        obj.updated_at = timezone.now()  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)


@admin.register(RiskRule)
class RiskRuleAdmin(HubAdminOnly[RiskRule]):
    list_display = ("name", "tier", "kind", "condition_summary", "explanation", "active", "order", "updated_at")
    list_filter = ("active", "tier", "kind")
    # No list_editable: each saved rule recomputes every family's tier, once per form.
    search_fields = ("name", "explanation", "explanation_es")
    ordering = ("order", "name")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("name", "tier", "active", "order")}),
        (
            _("Condition"),
            {
                "fields": ("kind", "need", "instrument", "score_rule", "threshold", "finding_code", "urgent_kind"),
                "description": _("Fill only the fields the chosen condition uses; the form says which are missing."),
            },
        ),
        (_("Explanation"), {"fields": ("explanation", "explanation_es")}),
        (_("Source"), {"fields": ("source", "updated_at")}),
    )

    @admin.display(description=_("parameters"))
    def condition_summary(self, rule: RiskRule) -> str:
        parts = [
            f"{name}={getattr(rule, name)}"
            for name in ("need", "instrument", "score_rule", "threshold", "finding_code", "urgent_kind")
            if getattr(rule, name) not in ("", None)
        ]
        return ", ".join(parts)

    def save_model(self, request: HttpRequest, obj: RiskRule, form: ModelForm[RiskRule], change: bool) -> None:
        super().save_model(request, obj, form, change)
        recompute_all_tiers.enqueue()

    def delete_model(self, request: HttpRequest, obj: RiskRule) -> None:
        super().delete_model(request, obj)
        recompute_all_tiers.enqueue()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        recompute_all_tiers.enqueue()


@admin.register(CoordinatorProfile)
class CoordinatorProfileAdmin(HubAdminOnly[CoordinatorProfile]):
    list_display = ("user", "caseload_ceiling", "languages", "dialects", "neighbourhoods", "updated_at")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    raw_id_fields = ("user",)
    readonly_fields = ("updated_at",)


@admin.register(ContactFrequency)
class ContactFrequencyAdmin(HubAdminOnly[ContactFrequency]):
    """How often each tier's families should be reached; ``care_timers`` opens a "contact due" task
    for the designated coordinator of a family not reached in time (from its next run)."""

    list_display = ("tier", "days", "updated_at")
    ordering = ("-tier",)
    readonly_fields = ("updated_at",)
