"""The network's shared directory, shaped after Open Referral HSDS 3.0.

Schema in brief:
- one model per HSDS table (DirectoryOrganization, Program, Service, Location, ServiceAtLocation, Address,
  Phone, Contact, Schedule, DirectoryLanguage, ServiceArea, RequiredDocument, Accessibility, CostOption, Funding,
  OrganizationIdentifier, Taxonomy, TaxonomyTerm, Attribute, Metadata, MetaTableDescription), HSDS id = UUID pk;
- links between HSDS tables are foreign keys without database constraints: HSDS data may name records the
  publisher did not include (the official example does), and import keeps them as given;
- a DirectoryOrganization may be a hub member (``member`` → accounts.Organization); ``Service.organization`` is that
  member (None for services of organizations outside the network);
- hub extensions on Service: needs (ServiceNeed), languages index (ServiceLanguage, derived from DirectoryLanguage),
  capacity (accepting_referrals, typical_wait_days, open_slots, accepts_electronic_referrals), last_verified_at;
- every edit of a listing writes ServiceChange rows (who, when, field, old → new).
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

# A listing nobody has confirmed for this long is flagged stale (the rule; 211 networks
# commonly re-verify listings twice a year).
STALE_AFTER_DAYS = 180


def _number() -> models.DecimalField:
    """HSDS ``number``: decimals keep the value exact on SQLite and PostgreSQL alike."""
    return models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class DirectoryOrganization(models.Model):
    """HSDS ``organization``: any organization listed in the directory, member of the hub or not."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    # A member removed from the hub takes its listing along (members normally leave by deactivation).
    member = models.OneToOneField(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="directory_listing"
    )
    name = models.TextField(_("name"))
    alternate_name = models.TextField(blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.TextField(blank=True)
    website = models.TextField(blank=True)
    tax_status = models.TextField(blank=True)
    tax_id = models.TextField(blank=True)
    year_incorporated = _number()
    legal_status = models.TextField(blank=True)
    logo = models.TextField(blank=True)
    uri = models.TextField(blank=True)
    # A plain id, not a foreign key: HSDS lets a dataset name a parent it does not contain.
    parent_organization_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("directory organization")
        verbose_name_plural = _("directory organizations")

    def __str__(self) -> str:
        return self.name


class OrganizationIdentifier(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(
        DirectoryOrganization, db_constraint=False, on_delete=models.CASCADE, related_name="identifiers"
    )
    identifier_scheme = models.TextField(blank=True)
    identifier_type = models.TextField()
    identifier = models.TextField()

    def __str__(self) -> str:
        return f"{self.identifier_type}: {self.identifier}"


class Program(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(
        DirectoryOrganization, db_constraint=False, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.TextField(_("name"))
    alternate_name = models.TextField(blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet["Service"]):
    def stale(self, now: datetime | None = None) -> "ServiceQuerySet":
        cutoff = (now or timezone.now()) - timedelta(days=STALE_AFTER_DAYS)
        return self.filter(Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=cutoff))

    def fresh(self, now: datetime | None = None) -> "ServiceQuerySet":
        cutoff = (now or timezone.now()) - timedelta(days=STALE_AFTER_DAYS)
        return self.filter(last_verified_at__gte=cutoff)


class Service(models.Model):
    """HSDS ``service`` plus the hub's capacity fields."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The hub member offering the service; None when the listing belongs to an organization outside
    # the network (imported from another HSDS publisher).
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services", null=True, blank=True
    )
    directory_organization = models.ForeignKey(
        DirectoryOrganization,
        db_constraint=False,
        on_delete=models.CASCADE,
        related_name="services",
        null=True,
        blank=True,
    )
    program = models.ForeignKey(
        Program, db_constraint=False, on_delete=models.SET_NULL, null=True, blank=True, related_name="services"
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.TextField(blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.ACTIVE)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    url = models.URLField(_("website"), max_length=2000, blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)  # HSDS eligibility_description
    min_age_months = models.PositiveIntegerField(_("minimum age (months)"), null=True, blank=True)
    max_age_months = models.PositiveIntegerField(_("maximum age (months)"), null=True, blank=True)
    # HSDS minimum_age / maximum_age are in years; kept as given so export is exact.
    minimum_age = _number()
    maximum_age = _number()
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField(blank=True)
    wait_time = models.TextField(blank=True)
    fees = models.TextField(blank=True)
    accreditations = models.TextField(blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.TextField(blank=True)
    licenses = models.TextField(blank=True)
    alert = models.TextField(blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    # Capacity, kept current by the provider.
    accepting_referrals = models.BooleanField(_("accepting referrals"), default=True)
    typical_wait_days = models.PositiveIntegerField(_("typical wait (days)"), null=True, blank=True)
    open_slots = models.PositiveIntegerField(_("open slots"), null=True, blank=True)
    accepts_electronic_referrals = models.BooleanField(_("accepts referrals through the hub"), default=False)
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ServiceQuerySet.as_manager()

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

    @property
    def is_stale(self) -> bool:
        """Not verified by its provider within STALE_AFTER_DAYS (never verified counts as stale)."""
        if self.last_verified_at is None:
            return True
        return self.last_verified_at < timezone.now() - timedelta(days=STALE_AFTER_DAYS)


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
    """A language (and optionally a dialect) in which staff deliver the service.

    An index over the HSDS language rows of the service (``DirectoryLanguage``), in the hub's own
    language codes, rebuilt by ``directory.services.service_languages_sync``.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    dialect = models.CharField(_("dialect"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "language", "dialect"], name="service_language_unique"),
        ]

    def __str__(self) -> str:
        label = str(self.get_language_display())
        # A dialect named with its language ("Mixteco de San Juan Mixtepec") is not said twice.
        if self.dialect.casefold().startswith(label.casefold()):
            return self.dialect
        return f"{label} {self.dialect}".strip()


class Location(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location_type = models.CharField(max_length=16, choices=LocationType.choices, default=LocationType.PHYSICAL)
    url = models.TextField(blank=True)
    organization = models.ForeignKey(
        DirectoryOrganization,
        db_constraint=False,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="locations",
    )
    name = models.TextField(_("name"), blank=True)
    alternate_name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True)
    latitude = _number()
    longitude = _number()
    external_identifier = models.TextField(blank=True)
    external_identifier_type = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name or str(self.id)


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, db_constraint=False, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class Address(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location = models.ForeignKey(
        Location, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="addresses"
    )
    attention = models.TextField(blank=True)
    address_1 = models.TextField()
    address_2 = models.TextField(blank=True)
    city = models.TextField()
    region = models.TextField(blank=True)
    state_province = models.TextField()
    postal_code = models.CharField(max_length=32, db_index=True)
    country = models.TextField()
    address_type = models.CharField(max_length=16, choices=LocationType.choices)

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}"


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(
        DirectoryOrganization,
        db_constraint=False,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.TextField(blank=True)
    title = models.TextField(blank=True)
    department = models.TextField(blank=True)
    email = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name or str(self.id)


class Phone(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location = models.ForeignKey(
        Location, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    organization = models.ForeignKey(
        DirectoryOrganization,
        db_constraint=False,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="phones",
    )
    contact = models.ForeignKey(
        Contact, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.TextField()
    extension = _number()
    type = models.TextField(blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.number


class Schedule(models.Model):
    """HSDS ``schedule``: iCalendar-style recurrence (freq, byday, opens_at/closes_at) with validity dates."""

    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    class Weekday(models.TextChoices):
        MO = "MO", _("Monday")
        TU = "TU", _("Tuesday")
        WE = "WE", _("Wednesday")
        TH = "TH", _("Thursday")
        FR = "FR", _("Friday")
        SA = "SA", _("Saturday")
        SU = "SU", _("Sunday")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        db_constraint=False,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = _number()
    until = models.DateField(null=True, blank=True)
    count = _number()
    wkst = models.CharField(max_length=2, choices=Weekday.choices, blank=True)
    freq = models.CharField(max_length=8, choices=Freq.choices, blank=True)
    interval = _number()
    byday = models.TextField(blank=True)  # e.g. "MO,TU,WE"
    byweekno = models.TextField(blank=True)
    bymonthday = models.TextField(blank=True)
    byyearday = models.TextField(blank=True)
    description = models.TextField(blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.TextField(blank=True)
    attending_type = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"


class DirectoryLanguage(models.Model):
    """HSDS ``language``: a language a service, location or phone line is offered in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="hsds_languages"
    )
    location = models.ForeignKey(
        Location, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.TextField(blank=True)
    code = models.TextField(blank=True)
    note = models.TextField(blank=True)  # the hub keeps the dialect here

    def __str__(self) -> str:
        return self.name or self.code


class ServiceArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="service_areas"
    )
    name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.TextField(blank=True)
    uri = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name or str(self.id)


class RequiredDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="required_documents"
    )
    document = models.TextField(blank=True)
    uri = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.document or str(self.id)


class Accessibility(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    location = models.ForeignKey(
        Location, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="accessibility"
    )
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.description or str(self.id)


class CostOption(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, db_constraint=False, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.TextField(blank=True)
    currency = models.TextField(blank=True)
    amount = _number()
    amount_description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.option or str(self.amount)


class Funding(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(
        DirectoryOrganization,
        db_constraint=False,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="funding",
    )
    service = models.ForeignKey(
        Service, db_constraint=False, on_delete=models.CASCADE, null=True, blank=True, related_name="funding"
    )
    source = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.source or str(self.id)


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.TextField()
    description = models.TextField()
    uri = models.TextField(blank=True)
    version = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    code = models.TextField(blank=True)
    name = models.TextField()
    description = models.TextField()
    parent_id = models.UUIDField(null=True, blank=True)
    taxonomy = models.TextField(blank=True)  # HSDS free-text name of the taxonomy
    language = models.TextField(blank=True)
    taxonomy_detail = models.ForeignKey(
        Taxonomy,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="terms",
        db_column="taxonomy_id",
    )
    term_uri = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """HSDS ``attribute``: links a taxonomy term to any entity (``link_entity`` + ``link_id``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    link_id = models.UUIDField(db_index=True)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, db_constraint=False, on_delete=models.CASCADE, related_name="attributes"
    )
    link_type = models.TextField(blank=True)
    link_entity = models.CharField(max_length=64)
    value = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.link_entity} {self.link_id}: {self.taxonomy_term_id}"


class Metadata(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    resource_id = models.UUIDField(db_index=True)
    resource_type = models.TextField()
    last_action_date = models.DateField()
    last_action_type = models.TextField()
    field_name = models.TextField()
    previous_value = models.TextField()
    replacement_value = models.TextField()
    updated_by = models.TextField()

    def __str__(self) -> str:
        return f"{self.resource_type} {self.field_name}"


class MetaTableDescription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.TextField(blank=True)
    language = models.TextField(blank=True)
    character_set = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name or str(self.id)


class ServiceChange(models.Model):
    """One field of a listing changed (or the listing verified): who, when, old → new."""

    class Kind(models.TextChoices):
        EDIT = "edit", _("Edited")
        VERIFY = "verify", _("Verified")
        IMPORT = "import", _("Imported")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.EDIT)
    field = models.CharField(max_length=64, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["edit", "verify", "import"]), name="service_change_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.field}"
