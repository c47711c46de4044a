from django.contrib import admin
from django.http import HttpRequest

from .models import DirectoryOrganization, Location, Service, ServiceChange, ServiceLanguage, ServiceNeed


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
