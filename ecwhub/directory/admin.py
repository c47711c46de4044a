from django.contrib import admin

from .models import Service, ServiceLanguage, ServiceNeed


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
