"""Referrals: a family referred to a service for one or more of its needs, and every step of the
loop until the family got (or did not get) what it needed.

A referral's state moves only by the rules of ``workflow.RULES``, through
``services.referral_transition``; each move is an append-only ``ReferralEvent``. ``version`` counts
the moves: two people answering the same referral at once cannot both win.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.consent.models import DataCategory
from ecwhub.core.languages import Language
from ecwhub.core.rows import FamilyRow
from ecwhub.directory.models import Location, Service
from ecwhub.families.models import ContactMethod, Household, Person
from ecwhub.screening.models import IdentifiedNeed

from .workflow import BusinessStatus, NeedResult, Reason, Side, Status

IDEMPOTENCY_KEY_MAX = 255


class Handoff(models.TextChoices):
    """How the family is introduced to the service."""

    NONE = "none", _("The service contacts the family")
    WARM_CALL = "warm_call", _("Three-way call: coordinator, family and service")
    WARM_VISIT = "warm_visit", _("Introduction in person")
    FAMILY_CALLS = "family_calls", _("The family contacts the service")


class Referral(models.Model):
    FAMILY_ROW = FamilyRow.fixed(DataCategory.REFERRALS)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="referrals")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("for"),
        help_text=_("The person the referral is about; empty for the whole family."),
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service"))
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("location")
    )
    referring_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="referrals_sent")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The member organization that offers the service; empty for a service outside the network,
    # whose loop the referrer closes by hand.
    receiving_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    business_status = models.CharField(_("latest step"), max_length=24, choices=BusinessStatus.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    need_result = models.CharField(_("result"), max_length=16, choices=NeedResult.choices, blank=True)
    service_delivered = models.CharField(_("service delivered"), max_length=300, blank=True)
    note = models.TextField(_("note for the service"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    handoff = models.CharField(_("introduction"), max_length=16, choices=Handoff.choices, default=Handoff.NONE)
    contact_method = models.CharField(
        _("how the family prefers to be contacted"), max_length=16, choices=ContactMethod.choices, blank=True
    )
    contact_times = models.CharField(_("best times to reach the family"), max_length=200, blank=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    # The language the service should speak with the family, sent with the referral (the receiver
    # may not read the family's demographics): taken from the person referred, or the family.
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    dialect = models.CharField(_("dialect"), max_length=100, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    # Warnings the referrer saw and sent anyway (codes of ``checks.Warning``), kept for quality review.
    warnings_overridden = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # What the timers did (``timers.referral_timers_run``), so each fires once: the receiving
    # organization reminded to answer, the hub administrators told it is still unanswered.
    answer_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A client's Idempotency-Key, per user: a retried create returns the first referral.
    idempotency_key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["receiving_organization", "status"]),
            models.Index(fields=["referring_organization", "status"]),
            models.Index(fields=["household", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="referral_status_valid"),
            models.CheckConstraint(
                condition=Q(business_status="") | Q(business_status__in=BusinessStatus.values),
                name="referral_business_status_valid",
            ),
            models.CheckConstraint(condition=Q(reason="") | Q(reason__in=Reason.values), name="referral_reason_valid"),
            models.CheckConstraint(
                condition=Q(need_result="") | Q(need_result__in=NeedResult.values), name="referral_result_valid"
            ),
            # Completed means a result; a result means completed.
            models.CheckConstraint(
                condition=(Q(status=Status.COMPLETED) & ~Q(need_result=""))
                | (~Q(status=Status.COMPLETED) & Q(need_result="")),
                name="referral_completed_has_result",
            ),
            models.UniqueConstraint(
                fields=["referred_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="referral_idempotency_key_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {str(self.id)[:8]}"

    @property
    def reference(self) -> str:
        return str(self.id)[:8].upper()

    @property
    def outside_network(self) -> bool:
        return self.receiving_organization_id is None


class ReferralNeed(models.Model):
    """A need of the family the referral is for."""

    FAMILY_ROW = FamilyRow.by_field("need__category", household="referral__household", person="need__person")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="needs")
    need = models.ForeignKey(IdentifiedNeed, on_delete=models.CASCADE, related_name="referrals")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "need"], name="referral_need_once")]

    def __str__(self) -> str:
        return f"{self.referral_id} → {self.need_id}"


class ReferralEvent(models.Model):
    """One move or step of a referral: who, for which organization and side, when, from which
    state to which, why, and a note. Append-only."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.REFERRALS, household="referral__household", person="referral__person")

    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=12, choices=Side.choices)
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    business_status = models.CharField(max_length=24, choices=BusinessStatus.choices, blank=True)
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    need_result = models.CharField(max_length=16, choices=NeedResult.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["referral", "seq"]
        constraints = [models.UniqueConstraint(fields=["referral", "seq"], name="referral_event_seq_once")]

    def __str__(self) -> str:
        return f"{self.referral_id} #{self.seq} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("referral events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("referral events are append-only")


class ServiceReferralTerms(models.Model):
    """A service's own time limits for referrals, in business days; empty: the network's default
    (``REFERRAL_ANSWER_DAYS``, ``REFERRAL_OUTCOME_DAYS``)."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="referral_terms", verbose_name=_("service")
    )
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Business days to accept or decline a referral; empty for the network's default."),
    )
    outcome_days = models.PositiveSmallIntegerField(
        _("days to an outcome"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Business days from accepting a referral to its outcome; empty for the network's default."),
    )

    class Meta:
        verbose_name = _("referral terms of a service")
        verbose_name_plural = _("referral terms of services")
        constraints = [
            models.CheckConstraint(
                condition=Q(answer_days__isnull=True) | Q(answer_days__gte=1),
                name="referral_terms_answer_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(outcome_days__isnull=True) | Q(outcome_days__gte=1),
                name="referral_terms_outcome_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self.service)


class ReferralFollowUp(models.Model):
    """A task for the referring coordinator: the referral was accepted and no outcome came within
    the service's limit. ``due`` is when the outcome was due; ``done_at`` when the coordinator
    followed up. One per referral."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.REFERRALS, household="referral__household", person="referral__person")

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="followup")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due = models.DateTimeField(_("outcome was due"))
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("referral follow-up")
        verbose_name_plural = _("referral follow-ups")
        indexes = [models.Index(fields=["assigned_to", "done_at"])]

    def __str__(self) -> str:
        return f"Follow-up {self.referral}"


class FeedbackAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class FeedbackMethod(models.TextChoices):
    LINK = "link", _("By the family, with the link sent to them")
    IN_PERSON = "in_person", _("In person, with the coordinator")


class ReferralFeedbackLink(models.Model):
    """The link a family answers with after a completed referral: its id is signed into the link
    (``feedback.feedback_token``); ``used_at`` makes it single-use and ``expires_at`` ends it.
    ``language`` is the language the family was asked in."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.REFERRALS, household="referral__household", person="referral__person")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="feedback_link")
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("referral feedback link")
        verbose_name_plural = _("referral feedback links")

    def __str__(self) -> str:
        return f"Feedback link {self.referral}"


class ReferralFeedback(models.Model):
    """What the family said after a completed referral: whether they got what they needed, were
    treated with respect and could use their language, and a comment. One per referral."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.REFERRALS, household="referral__household", person="referral__person")
    COMMENT_MAX = 1000

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="feedback")
    got_what_needed = models.CharField(
        _("did your family get what it needed?"), max_length=8, choices=FeedbackAnswer.choices
    )
    respectful = models.BooleanField(_("were you treated with respect?"))
    language_ok = models.BooleanField(_("could you use your language?"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(_("how it was given"), max_length=12, choices=FeedbackMethod.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("family's feedback on a referral")
        verbose_name_plural = _("families' feedback on referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(got_what_needed__in=FeedbackAnswer.values), name="referral_feedback_answer_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=FeedbackMethod.values), name="referral_feedback_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.referral}"
