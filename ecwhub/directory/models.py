"""Services offered by the network's member organizations."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need


class Service(models.Model):
    """A service a member organization offers (shaped after the HSDS ``service`` table)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.ACTIVE)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    url = models.URLField(_("website"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    min_age_months = models.PositiveIntegerField(_("minimum age (months)"), null=True, blank=True)
    max_age_months = models.PositiveIntegerField(_("maximum age (months)"), null=True, blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    accepting_referrals = models.BooleanField(_("accepting referrals"), default=True)
    typical_wait_days = models.PositiveIntegerField(_("typical wait (days)"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age_months__isnull=True)
                | Q(max_age_months__isnull=True)
                | Q(min_age_months__lte=models.F("max_age_months")),
                name="service_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceNeed(models.Model):
    """A need (from the shared vocabulary) that a service meets."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(_("need"), max_length=48, choices=Need.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "need"], name="service_need_unique"),
            models.CheckConstraint(condition=Q(need__in=Need.values), name="service_need_valid"),
        ]

    def __str__(self) -> str:
        return self.get_need_display()


class ServiceLanguage(models.Model):
    """A language (and optionally a dialect) in which staff deliver the service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    dialect = models.CharField(_("dialect"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "language", "dialect"], name="service_language_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} {self.dialect}".strip()
