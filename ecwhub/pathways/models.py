"""Pathways (the Pathways Community HUB model): definitions the hub administrator edits, and the
pathways opened for families from those definitions.

A pathway copies its definition when it opens (steps, time limits, outcome, confirmation rule):
a later edit of the definition changes the next pathway, never one already open. Its status
moves only by ``workflow.RULES`` (``services``); each change is an append-only ``PathwayEvent``.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.care.models import Contact
from ecwhub.consent.models import DataCategory
from ecwhub.core.needs import Need
from ecwhub.core.rows import FamilyRow
from ecwhub.families.models import Household, InsuranceStatus, MediCalPlan, Person
from ecwhub.referrals.models import Referral
from ecwhub.screening.models import IdentifiedNeed

from .workflow import Closure, IncompleteReason, Status

# Limits a definition must respect (days): two years at most, one day at least.
TIME_LIMIT_MIN = 1
TIME_LIMIT_MAX = 730
CONFIRM_AFTER_MAX = 365


class StepKind(models.TextChoices):
    ACTION = "action", _("Action by the coordinator or the family")
    REFERRAL = "referral", _("Referral (completes when the referral is completed)")
    CONFIRMATION = "confirmation", _("Confirmation of the outcome")


class Payer(models.TextChoices):
    """Who pays for the family's care: the Medi-Cal plan, or the kind of coverage."""

    LA_CARE = MediCalPlan.LA_CARE.value, MediCalPlan.LA_CARE.label
    HEALTH_NET = MediCalPlan.HEALTH_NET.value, MediCalPlan.HEALTH_NET.label
    ANTHEM = MediCalPlan.ANTHEM.value, MediCalPlan.ANTHEM.label
    BLUE_SHIELD_PROMISE = MediCalPlan.BLUE_SHIELD_PROMISE.value, MediCalPlan.BLUE_SHIELD_PROMISE.label
    MOLINA = MediCalPlan.MOLINA.value, MediCalPlan.MOLINA.label
    KAISER = MediCalPlan.KAISER.value, MediCalPlan.KAISER.label
    FEE_FOR_SERVICE = MediCalPlan.FEE_FOR_SERVICE.value, MediCalPlan.FEE_FOR_SERVICE.label
    MEDI_CAL = InsuranceStatus.MEDI_CAL.value, _("Medi-Cal, plan not recorded")
    PRIVATE = InsuranceStatus.PRIVATE.value, InsuranceStatus.PRIVATE.label
    UNDERINSURED = InsuranceStatus.UNDERINSURED.value, InsuranceStatus.UNDERINSURED.label
    UNINSURED = InsuranceStatus.UNINSURED.value, InsuranceStatus.UNINSURED.label
    UNKNOWN = InsuranceStatus.UNKNOWN.value, InsuranceStatus.UNKNOWN.label


def payer_of(person: Person | None) -> str:
    """The payer of a person's care: their Medi-Cal plan, Medi-Cal without a plan, or the kind of
    coverage recorded (unknown without a person)."""
    if person is None:
        return Payer.UNKNOWN
    if person.insurance_status == InsuranceStatus.MEDI_CAL:
        return person.medi_cal_plan or Payer.MEDI_CAL
    return person.insurance_status or Payer.UNKNOWN


class PathwayDefinition(models.Model):
    """A standard pathway: what need it addresses, its steps, its measurable outcome, how the
    outcome is confirmed and its time limit, and where the definition was drawn from."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    outcome = models.CharField(_("completion outcome"), max_length=300)
    confirm_after_days = models.PositiveSmallIntegerField(
        _("confirm the outcome after (days)"),
        default=0,
        validators=[MaxValueValidator(CONFIRM_AFTER_MAX)],
        help_text=_("0: confirmed when observed; 30 for employment: the person has been employed for 30 days."),
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (days)"), validators=[MinValueValidator(TIME_LIMIT_MIN), MaxValueValidator(TIME_LIMIT_MAX)]
    )
    source = models.TextField(_("source"), help_text=_("Where this definition was drawn from."))
    active = models.BooleanField(_("active"), default=True)
    # Counts the edits: a pathway records the version it was opened from.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("pathway definition")
        verbose_name_plural = _("pathway definitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(time_limit_days__gte=TIME_LIMIT_MIN, time_limit_days__lte=TIME_LIMIT_MAX),
                name="pathway_definition_time_limit_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PathwayDefinitionNeed(models.Model):
    """A need (the hub's shared vocabulary) that a definition addresses: a family's need of that
    kind can open this pathway."""

    definition = models.ForeignKey(PathwayDefinition, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(_("need"), max_length=40, choices=Need.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["definition", "need"], name="pathway_definition_need_once")]

    def __str__(self) -> str:
        return f"{self.definition_id}:{self.need}"


class PathwayStepDefinition(models.Model):
    definition = models.ForeignKey(PathwayDefinition, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices, default=StepKind.ACTION)
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (days)"),
        validators=[MinValueValidator(TIME_LIMIT_MIN), MaxValueValidator(TIME_LIMIT_MAX)],
        help_text=_("Counted from the day the pathway opens."),
    )
    required = models.BooleanField(_("required"), default=True)
    # The need a referral step refers for (the directory search starts from it).
    need = models.CharField(_("need referred for"), max_length=40, choices=Need.choices, blank=True)

    class Meta:
        ordering = ["definition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "order"], name="pathway_step_definition_order_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["action", "referral", "confirmation"]), name="pathway_step_definition_kind"
            ),
            models.CheckConstraint(
                condition=~Q(kind="referral") | ~Q(need=""), name="pathway_step_definition_referral_need"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class DefinitionRevision(models.Model):
    """Every saved version of a definition, as it was saved (who, when, what): nothing is
    overwritten without a trace."""

    definition = models.ForeignKey(PathwayDefinition, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    content = models.JSONField()

    class Meta:
        ordering = ["definition", "version"]
        constraints = [models.UniqueConstraint(fields=["definition", "version"], name="definition_revision_once")]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.version}"


class Pathway(models.Model):
    """One pathway of one family (and the person it concerns), opened from a need the family
    wants help with. Its steps, limits and outcome are copies of the definition's at opening."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="pathways")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="pathways", verbose_name=_("for")
    )
    definition = models.ForeignKey(PathwayDefinition, on_delete=models.PROTECT, related_name="pathways")
    definition_version = models.PositiveIntegerField()
    name = models.CharField(_("pathway"), max_length=120)
    outcome = models.CharField(_("completion outcome"), max_length=300)
    confirm_after_days = models.PositiveSmallIntegerField(default=0)
    time_limit_days = models.PositiveSmallIntegerField()
    need = models.ForeignKey(IdentifiedNeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("coordinator")
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The payer of the person's care (``payer_of``) when the pathway opened, refreshed at approval.
    payer = models.CharField(_("payer"), max_length=24, choices=Payer.choices, default=Payer.UNKNOWN)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.OPEN)
    initiated_on = models.DateField(_("initiated on"))
    due_on = models.DateField(_("due by"))
    # The outcome, confirmed on a confirmation step: since when it holds, and when it was confirmed.
    outcome_since = models.DateField(_("outcome in place since"), null=True, blank=True)
    outcome_confirmed_on = models.DateField(_("outcome confirmed on"), null=True, blank=True)
    # The closure the coordinator submitted (empty while open), and its reason when incomplete.
    closure = models.CharField(_("closure"), max_length=16, choices=Closure.choices, blank=True)
    incomplete_reason = models.CharField(
        _("why it finished incomplete"), max_length=24, choices=IncompleteReason.choices, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The last step completed (or the opening): a pathway without progress for long is stalled.
    last_progress_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-initiated_on", "id"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        indexes = [
            models.Index(fields=["household", "status"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["coordinator", "status"]),
            models.Index(fields=["status", "closed_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="pathway_status_valid"),
            models.CheckConstraint(
                condition=Q(closure="") | Q(closure__in=Closure.values), name="pathway_closure_valid"
            ),
            models.CheckConstraint(
                condition=Q(incomplete_reason="") | Q(incomplete_reason__in=IncompleteReason.values),
                name="pathway_incomplete_reason_valid",
            ),
            # A submitted or closed pathway says how it closes; an open one does not.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closure="")) | (~Q(status="open") & ~Q(closure="")),
                name="pathway_closure_with_status",
            ),
            # Complete only with the outcome confirmed; incomplete only with a reason.
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(outcome_confirmed_on__isnull=False),
                name="pathway_complete_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(closure="incomplete", incomplete_reason__gt="")
                | (~Q(closure="incomplete") & Q(incomplete_reason="")),
                name="pathway_reason_with_incomplete",
            ),
            # One pathway of a definition at a time for a person (or the family).
            models.UniqueConstraint(
                fields=["household", "person", "definition"],
                condition=Q(status__in=["open", "awaiting_review"]),
                name="pathway_one_active_per_definition",
            ),
            # The same for a pathway of the whole family (NULLs are distinct in a unique index).
            models.UniqueConstraint(
                fields=["household", "definition"],
                condition=Q(status__in=["open", "awaiting_review"], person__isnull=True),
                name="pathway_one_active_per_definition_family",
            ),
        ]

    def __str__(self) -> str:
        # Opaque on purpose: no family detail in admin lists or logs.
        return f"Pathway {str(self.id)[:8]}"

    @property
    def confirmable_from(self) -> date | None:
        """The first day the outcome may be confirmed (``outcome_since`` + the confirmation delay)."""
        if self.outcome_since is None:
            return None
        return self.outcome_since + timedelta(days=self.confirm_after_days)

    @property
    def counts_as_complete(self) -> bool:
        return self.status == Status.COMPLETE


class PathwayStep(models.Model):
    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, household="pathway__household", person="pathway__person")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(_("step"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    required = models.BooleanField(_("required"), default=True)
    time_limit_days = models.PositiveSmallIntegerField()
    need = models.CharField(max_length=40, choices=Need.choices, blank=True)
    due_on = models.DateField(_("due by"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pathway", "order"]
        indexes = [models.Index(fields=["due_on", "completed_at"])]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "order"], name="pathway_step_order_once"),
            models.CheckConstraint(
                condition=~Q(kind="referral") | Q(referral__isnull=False) | Q(completed_at__isnull=True),
                name="pathway_referral_step_done_with_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"Step {self.order}"

    @property
    def done(self) -> bool:
        return self.completed_at is not None


class PathwayEvent(models.Model):
    """One change of a pathway (opened, a step done, a referral linked, the outcome confirmed, a
    closure submitted, approved or sent back): who, in which organization, when, from which
    status to which, why. Append-only."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, household="pathway__household", person="pathway__person")

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        STEP_COMPLETED = "step_completed", _("Step completed")
        REFERRAL_LINKED = "referral_linked", _("Referral linked to a step")
        OUTCOME_CONFIRMED = "outcome_confirmed", _("Outcome confirmed")
        SUBMITTED = "submitted", _("Closure submitted for review")
        APPROVED = "approved", _("Closure approved")
        SENT_BACK = "sent_back", _("Closure sent back")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    action = models.CharField(max_length=24, blank=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    reason = models.CharField(max_length=24, choices=IncompleteReason.choices, blank=True)
    note = models.TextField(blank=True)
    step = models.ForeignKey(PathwayStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # None: the hub did it (a referral completed the step).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pathway", "seq"]
        constraints = [models.UniqueConstraint(fields=["pathway", "seq"], name="pathway_event_seq_once")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq}"


class PathwayEncounter(models.Model):
    """An encounter (a care ``Contact``) that worked on a pathway."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, household="pathway__household", person="pathway__person")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="encounters")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "pathway"], name="pathway_encounter_once")]

    def __str__(self) -> str:
        return f"{self.contact_id}→{self.pathway_id}"
