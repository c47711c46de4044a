"""Screens taken, the answers given, what scoring concluded, and the needs a family has.

Every row that holds a fact about a family carries the consent ``category`` it belongs to, so a
read filters rows by the categories the access policy allows the viewer
(``ecwhub.consent.policy.categories_allowed``): interpersonal-safety answers are
``interpersonal_safety``; EPDS and PHQ answers, totals and findings are ``behavioral_health``;
everything else from a screen is ``screening_results`` (answers, totals, findings) or
``identified_needs`` (needs). Nothing is encrypted here: the values are codes from the
instrument definitions, and a row the policy refuses is never read into a page.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.core.needs import Need
from ecwhub.core.rows import FamilyRow
from ecwhub.families.models import Household, Person

# The consent categories a screening row may fall in (values of consent.models.DataCategory).
ROW_CATEGORIES = ("screening_results", "identified_needs", "behavioral_health", "interpersonal_safety")


class ScreeningResponse(models.Model):
    """One administration of one instrument version to one person (a FHIR QuestionnaireResponse)."""

    FAMILY_ROW = FamilyRow.by_field("category")

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    class Mode(models.TextChoices):
        SELF = "self", _("Self-administered by the caregiver")
        WITH_COORDINATOR = "with_coordinator", _("With a coordinator")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="screenings")
    # Who the screen is about: the caregiver (AHC HRSN, PHQ, EPDS) or the child (milestones).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="screenings")
    # Who answered: the caregiver, for themselves or for their child.
    respondent = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    instrument = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(max_length=16)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    mode = models.CharField(_("how it was taken"), max_length=20, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    category = models.CharField(max_length=32)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["household", "instrument", "status"]),
            models.Index(fields=["person", "instrument", "completed_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["in_progress", "completed"]), name="screening_status_valid"),
            models.CheckConstraint(condition=Q(mode__in=["self", "with_coordinator"]), name="screening_mode_valid"),
            models.CheckConstraint(condition=Q(category__in=ROW_CATEGORIES), name="screening_category_valid"),
            models.CheckConstraint(
                condition=Q(status="in_progress", completed_at__isnull=True)
                | Q(status="completed", completed_at__isnull=False),
                name="screening_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {str(self.id)[:8]}"


class ScreeningAnswer(models.Model):
    """One answer to one item; a multiple-choice item has one row per option chosen. A declined
    item ("prefer not to answer") is one row with ``declined`` set and no answer code; an option that
    itself means declined (the Hunger Vital Sign's "don't know/refused") keeps its code and sets it."""

    FAMILY_ROW = FamilyRow.by_field("category", household="response__household", person="response__person")

    response = models.ForeignKey(ScreeningResponse, on_delete=models.CASCADE, related_name="answers")
    link_id = models.CharField(max_length=64)
    question_system = models.CharField(max_length=100, default="http://loinc.org")
    question_code = models.CharField(max_length=64)
    answer_system = models.CharField(max_length=100, blank=True)
    answer_code = models.CharField(max_length=64, blank=True)
    # The option's score in the instrument (None for unscored options and declined items).
    value = models.IntegerField(null=True, blank=True)
    declined = models.BooleanField(default=False)
    category = models.CharField(max_length=32)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "link_id", "answer_code"], name="screening_answer_once"),
            models.CheckConstraint(
                condition=Q(declined=True) | ~Q(answer_code=""),
                name="screening_answer_code_or_declined",
            ),
            models.CheckConstraint(condition=Q(category__in=ROW_CATEGORIES), name="screening_answer_category_valid"),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"


class ScreeningResult(models.Model):
    """What one scoring rule concluded (a FHIR Observation): a total such as the EPDS score, or a
    positive/negative result; ``incomplete`` when a declined or missing answer leaves it open."""

    FAMILY_ROW = FamilyRow.by_field("category")

    class Status(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        INCOMPLETE = "incomplete", _("Incomplete")
        NOT_APPLICABLE = "not-applicable", _("Not asked")

    response = models.ForeignKey(ScreeningResponse, on_delete=models.CASCADE, related_name="results")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=64)
    code_system = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    total = models.IntegerField(null=True, blank=True)
    # A coded result, e.g. the Hunger Vital Sign's 88124-3 = LA19952-3 "At risk".
    value_system = models.CharField(max_length=100, blank=True)
    value_code = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=32)
    observed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "rule", "observed_at"])]
        constraints = [
            models.UniqueConstraint(fields=["response", "rule"], name="screening_result_once"),
            models.CheckConstraint(
                condition=Q(status__in=["positive", "negative", "incomplete", "not-applicable"]),
                name="screening_result_status_valid",
            ),
            models.CheckConstraint(condition=Q(category__in=ROW_CATEGORIES), name="screening_result_category_valid"),
        ]

    def __str__(self) -> str:
        return f"Result {self.rule}"


class Finding(models.Model):
    """A positive screen's finding (SNOMED CT, ICD-10-CM Z code or Gravity category), with the
    answers that led to it."""

    FAMILY_ROW = FamilyRow.by_field("category")

    response = models.ForeignKey(ScreeningResponse, on_delete=models.CASCADE, related_name="findings")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=64)
    system = models.CharField(max_length=120)
    code = models.CharField(max_length=64)
    display = models.CharField(max_length=200)
    # Further codings of the same finding, e.g. the ICD-10-CM Z code next to the SNOMED CT concept.
    also = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(default=list, help_text="[{link_id, answer}] the answers that led to it")
    score = models.IntegerField(null=True, blank=True)
    category = models.CharField(max_length=32)
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=ROW_CATEGORIES), name="finding_category_valid"),
        ]

    def __str__(self) -> str:
        return f"Finding {self.code}"


class IdentifiedNeed(models.Model):
    """A need of the family (shared vocabulary ``core.needs.Need``), found by a screen, with the
    family's say: wants help, declines help, and which needs come first."""

    FAMILY_ROW = FamilyRow.by_field("category")

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        WANTS_HELP = "wants_help", _("Family wants help")
        DECLINED_HELP = "declined_help", _("Family declined help")
        ADDRESSED = "addressed", _("Addressed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="identified_needs")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    need = models.CharField(_("need"), max_length=40, choices=Need.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IDENTIFIED)
    # 1 = what the family wants help with first; None = not ranked.
    priority = models.PositiveSmallIntegerField(_("family priority"), null=True, blank=True)
    category = models.CharField(max_length=32)
    source_response = models.ForeignKey(
        ScreeningResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )
    evidence = models.JSONField(default=list, help_text="[{instrument, link_id, answer}]")
    identified_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = [models.F("priority").asc(nulls_last=True), "identified_at"]
        indexes = [models.Index(fields=["household", "status"]), models.Index(fields=["need", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["identified", "wants_help", "declined_help", "addressed"]),
                name="identified_need_status_valid",
            ),
            models.CheckConstraint(condition=Q(category__in=ROW_CATEGORIES), name="identified_need_category_valid"),
            # One open need of a kind per person: a later screen adds evidence to it.
            models.UniqueConstraint(
                fields=["household", "person", "need"],
                condition=~Q(status="addressed"),
                name="identified_need_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Need {self.need}"


class NeedStatusChange(models.Model):
    """Every change of a need's status or priority, with who and when (nothing overwritten without a trace)."""

    FAMILY_ROW = FamilyRow.by_field("need__category", household="need__household", person="need__person")

    need = models.ForeignKey(IdentifiedNeed, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    source_response = models.ForeignKey(
        ScreeningResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ScreeningAlert(models.Model):
    """A positive self-harm or interpersonal-safety answer: the household's coordinators are told
    at once and shown the protocol to follow, until one of them acknowledges it."""

    FAMILY_ROW = FamilyRow.by_field("category", person="response__person")

    class Kind(models.TextChoices):
        SELF_HARM = "self-harm", _("Thoughts of self-harm")
        INTERPERSONAL_SAFETY = "interpersonal-safety", _("Interpersonal safety")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(ScreeningResponse, on_delete=models.CASCADE, related_name="alerts")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    protocol = models.CharField(max_length=40)
    category = models.CharField(max_length=32)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["response", "kind"], name="screening_alert_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["self-harm", "interpersonal-safety"]), name="screening_alert_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.kind}"
