from django.contrib import admin

from .models import ServiceReferralTerms


@admin.register(ServiceReferralTerms)
class ServiceReferralTermsAdmin(admin.ModelAdmin):
    """A service's own referral time limits; empty fields use the network's defaults."""

    list_display = ("service", "answer_days", "outcome_days")
    search_fields = ("service__name", "service__organization__name")
    autocomplete_fields = ("service",)
