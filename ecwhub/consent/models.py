"""Data sharing agreements, family consents, break-the-glass, and the tamper-evident audit log."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.families.models import Household, Person


class DataCategory(models.TextChoices):
    IDENTITY_CONTACT = "identity_contact", _("Identity and contact")
    DEMOGRAPHICS = "demographics", _("Demographics")
    INSURANCE = "insurance", _("Insurance")
    SCREENING_RESULTS = "screening_results", _("Screening results")
    IDENTIFIED_NEEDS = "identified_needs", _("Identified needs")
    CARE_PLAN = "care_plan", _("Care plan and goals")
    REFERRALS = "referrals", _("Referrals")
    CASE_NOTES = "case_notes", _("Case notes")
    CLINICAL = "clinical", _("Clinical")
    BEHAVIORAL_HEALTH = "behavioral_health", _("Behavioral health")
    LEGAL = "legal", _("Legal")
    IMMIGRATION_SENSITIVE = "immigration_sensitive", _("Immigration-sensitive")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    INTERPERSONAL_SAFETY = "interpersonal_safety", _("Interpersonal safety")


# Never shared unless a consent and an agreement name them explicitly; never in a default form.
SENSITIVE_CATEGORIES = frozenset(
    {
        DataCategory.BEHAVIORAL_HEALTH,
        DataCategory.LEGAL,
        DataCategory.IMMIGRATION_SENSITIVE,
        DataCategory.CHILD_PROTECTION,
        DataCategory.INTERPERSONAL_SAFETY,
    }
)
DEFAULT_CONSENT_CATEGORIES = tuple(c for c in DataCategory if c not in SENSITIVE_CATEGORIES)


class Purpose(models.TextChoices):
    CARE_COORDINATION = "care_coordination", _("Care coordination")
    REFERRAL = "referral", _("Referral")
    QUALITY_IMPROVEMENT = "quality_improvement", _("Quality improvement and analytics")
    BILLING = "billing", _("Billing")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def in_force(self, at: datetime | None = None) -> AgreementQuerySet:
        """Signed, started, not ended and not terminated at ``at`` (now by default)."""
        at = at or timezone.now()
        day = timezone.localdate(at)
        return self.filter(
            Q(terminated_at__isnull=True) | Q(terminated_at__gt=at),
            effective_from__lte=day,
        ).filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))


class Agreement(models.Model):
    """A data sharing agreement between the hub and members (or between members)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    parties = models.ManyToManyField(Organization, related_name="agreements", verbose_name=_("parties"))
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    signed_document = models.CharField(
        _("signed document reference"), max_length=300, help_text=_("Where the signed copy is kept.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    terminated_at = models.DateTimeField(null=True, blank=True)
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    termination_reason = models.TextField(blank=True)

    objects: ClassVar[AgreementQuerySet] = AgreementQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-effective_from", "title"]
        verbose_name = _("data sharing agreement")
        verbose_name_plural = _("data sharing agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=models.F("effective_from")),
                name="agreement_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementCategory(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(max_length=32, choices=DataCategory.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "category"], name="agreement_category_unique"),
            models.CheckConstraint(condition=Q(category__in=DataCategory.values), name="agreement_category_valid"),
        ]

    def __str__(self) -> str:
        return self.category


class AgreementPurpose(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "purpose"], name="agreement_purpose_unique"),
            models.CheckConstraint(condition=Q(purpose__in=Purpose.values), name="agreement_purpose_valid"),
        ]

    def __str__(self) -> str:
        return self.purpose


def default_consent_expiry() -> datetime:
    return timezone.now() + timedelta(days=365)


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, at: datetime | None = None) -> ConsentQuerySet:
        at = at or timezone.now()
        return self.filter(given_at__lte=at, expires_at__gt=at).filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at)
        )


class Consent(models.Model):
    """A family's permission to share its information: with whom, what, what for, until when."""

    class Method(models.TextChoices):
        SIGNED_ON_DEVICE = "signed_on_device", _("Signed on a device")
        PAPER_SCANNED = "paper_scanned", _("Signed on paper (scanned)")
        VERBAL_WITNESSED = "verbal_witnessed", _("Given verbally, with a witness")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="consents")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
        help_text=_("Only this person's information; empty for the whole family."),
    )
    network_wide = models.BooleanField(_("the whole network"), default=False)
    organizations = models.ManyToManyField(Organization, blank=True, related_name="+", verbose_name=_("organizations"))
    method = models.CharField(_("how consent was given"), max_length=20, choices=Method.choices)
    text_version = models.CharField(_("consent text version"), max_length=40)
    language = models.CharField(_("language of the consent text"), max_length=8)
    # RESTRICT: a person who gave consent cannot be deleted alone, but their whole family can.
    given_by = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="+", verbose_name=_("given by"))
    witness = models.CharField(_("witness"), max_length=200, blank=True)
    document = models.CharField(_("scanned document reference"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_in = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=default_consent_expiry)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    objects: ClassVar[ConsentQuerySet] = ConsentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("given_at")), name="consent_expires_after_given"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["signed_on_device", "paper_scanned", "verbal_witnessed"]),
                name="consent_method_valid",
            ),
            models.CheckConstraint(
                condition=~Q(method="verbal_witnessed") | ~Q(witness=""), name="verbal_consent_has_witness"
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {str(self.id)[:8]}"

    @property
    def is_in_force(self) -> bool:
        now = timezone.now()
        return self.given_at <= now < self.expires_at and (self.withdrawn_at is None or self.withdrawn_at > now)


class ConsentCategory(models.Model):
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(max_length=32, choices=DataCategory.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "category"], name="consent_category_unique"),
            models.CheckConstraint(condition=Q(category__in=DataCategory.values), name="consent_category_valid"),
        ]

    def __str__(self) -> str:
        return self.category


class ConsentPurpose(models.Model):
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "purpose"], name="consent_purpose_unique"),
            models.CheckConstraint(condition=Q(purpose__in=Purpose.values), name="consent_purpose_valid"),
        ]

    def __str__(self) -> str:
        return self.purpose


class YouthRestriction(models.Model):
    """A young person (12 or older) keeps their own information from a member of their family."""

    youth = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="restrictions")
    hidden_from = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(youth=models.F("hidden_from")), name="youth_not_self")]

    def __str__(self) -> str:
        return f"Restriction {self.pk}"


class BreakGlassQuerySet(models.QuerySet["BreakGlass"]):
    def active(self, at: datetime) -> BreakGlassQuerySet:
        """Started, not expired and not ended early at ``at``."""
        return self.filter(started_at__lte=at, expires_at__gt=at).filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=at)
        )


class BreakGlass(models.Model):
    """Emergency access to one family's record, with a written reason, for a limited time. A hub
    administrator reviews it, may write a note, and may end it before it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    revoked_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[BreakGlassQuerySet] = BreakGlassQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("started_at")), name="break_glass_ends_later"),
            models.CheckConstraint(condition=~Q(reason=""), name="break_glass_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Emergency access {str(self.id)[:8]}"


class AuditEntry(models.Model):
    """One line of the append-only, chained audit log (``consent.audit``).

    Entries hold ids, never names. ``household_id`` is a plain UUID, not a foreign key, so that
    purging a family keeps the fact that it was seen (and purged). The log is split into
    partitions, each a chain of its own: ``seq`` counts the entries of the partition from 1,
    ``prev_hash`` is the MAC of the entry before it in the partition and ``hash`` this entry's
    HMAC-SHA256 under the audit key named by ``key_id``. ``key_id`` empty: an entry written before
    the log was keyed (chain version 1, a plain SHA-256), kept as it was.
    """

    class Action(models.TextChoices):
        READ = "read", _("Viewed")
        WRITE = "write", _("Changed")
        EXPORT = "export", _("Exported")
        BREAK_GLASS = "break_glass", _("Emergency access opened")
        BREAK_GLASS_ENDED = "break_glass_ended", _("Emergency access ended early")
        CONSENT_GIVEN = "consent_given", _("Consent recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        AGREEMENT_CREATED = "agreement_created", _("Agreement recorded")
        AGREEMENT_TERMINATED = "agreement_terminated", _("Agreement terminated")
        PURGE = "purge", _("Record purged")
        DEIDENTIFY = "deidentify", _("Record de-identified")
        RELATIONSHIP_STARTED = "relationship_started", _("Started working with the family")
        RELATIONSHIP_ENDED = "relationship_ended", _("Stopped working with the family")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True)
    organization_id = models.BigIntegerField(null=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=24, choices=Action.choices)
    household_id = models.UUIDField(null=True, db_index=True)
    person_id = models.UUIDField(null=True)
    categories = models.CharField(max_length=400, blank=True)
    purpose = models.CharField(max_length=32, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    partition = models.PositiveSmallIntegerField(default=1)
    seq = models.BigIntegerField(default=0)
    key_id = models.CharField(max_length=16, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["partition", "seq"], name="audit_entry_partition_seq")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("the audit log is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("the audit log is append-only")


class AuditHead(models.Model):
    """The head of one partition of the log (``id`` is the partition's number): a writer locks
    it, chains its entries onto ``last_hash`` and counts them in ``count``. Writers that find a
    partition locked take another one, so appends run side by side, one per partition."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Audit partition {self.id} ({self.count} entries)"


class RelationshipKind(models.TextChoices):
    REGISTERING_ORGANIZATION = "registering_organization", _("Registered the family")
    DESIGNATED_COORDINATOR = "designated_coordinator", _("Designated care coordinator")
    CARE_TEAM = "care_team", _("Care team member")
    REFERRAL_RECIPIENT = "referral_recipient", _("Receiving a referral")


class Relationship(models.Model):
    """Why a person or an organization works with a family. The access policy reads only this
    table, so the parts that create relationships (intake, coordinator assignment, care teams,
    referrals) plug in by writing rows through ``consent.services.relationship_start``."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(max_length=32, choices=RelationshipKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    # Who made the relationship and who ended it: a relationship grants access, so both are
    # events (also written to the audit log). Empty: the hub itself (a batch, the demo data).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "household"]), models.Index(fields=["user", "household"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(organization__isnull=False), name="relationship_has_a_party"
            ),
            models.CheckConstraint(condition=Q(kind__in=RelationshipKind.values), name="relationship_kind_valid"),
            # One designated care coordinator per family across the whole network, held by the
            # database so that two people assigning at the same moment cannot both win.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(kind="designated_coordinator", ended_at__isnull=True),
                name="one_designated_coordinator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
