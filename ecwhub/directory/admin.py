from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from .models import DirectoryOrganization, Location, Service, ServiceChange, ServiceLanguage, ServiceNeed
from .signals import announce_services_changed


class ServiceNeedInline(admin.TabularInline):
    model = ServiceNeed
    extra = 0


class ServiceLanguageInline(admin.TabularInline):
    model = ServiceLanguage
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "status", "accepting_referrals", "is_free")
    list_filter = ("status", "accepting_referrals", "is_free", "organization__kind")
    search_fields = ("name", "description", "organization__name")
    autocomplete_fields = ("organization",)
    inlines = [ServiceNeedInline, ServiceLanguageInline]
    # Verification is the provider's statement, made with "Verify listing", not an admin edit.
    readonly_fields = ("last_verified_at", "last_modified")

    def save_model(self, request: HttpRequest, obj: Service, form: ModelForm[Service], change: bool) -> None:
        # Edits made here belong in the listing's history like the provider's own.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change:
                ServiceChange.objects.bulk_create(
                    ServiceChange(
                        service=obj,
                        changed_by=request.user,  # type: ignore[misc]
                        kind=ServiceChange.Kind.EDIT,
                        field=name,
                        old_value="" if form.initial.get(name) is None else str(form.initial.get(name)),
                        new_value="" if form.cleaned_data.get(name) is None else str(form.cleaned_data.get(name)),
                    )
                    for name in form.changed_data
                )
            announce_services_changed([obj.pk], sender=ServiceAdmin)


@admin.register(DirectoryOrganization)
class DirectoryOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "member", "email", "website")
    search_fields = ("name", "description")
    autocomplete_fields = ("member",)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "location_type", "latitude", "longitude")
    search_fields = ("name", "organization__name")


@admin.register(ServiceChange)
class ServiceChangeAdmin(admin.ModelAdmin):
    """The listing history is evidence: it can be read here, never edited."""

    list_display = ("changed_at", "service", "kind", "field", "changed_by")
    list_filter = ("kind",)
    search_fields = ("service__name", "field")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
