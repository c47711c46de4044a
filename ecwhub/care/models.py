"""Risk tiers, EPSDT medical necessity, care events (surveillance) and contacts.

Tiers follow HealthySteps' three levels of service: 1 universal, 2 short-term support,
3 comprehensive. The rules that raise a family's tier are rows (``RiskRule``) that the hub
administrator reads and changes in the admin site; a clinician's EPSDT medical-necessity record
for a child keeps the family at tier 3 whatever the rules say.
"""

from __future__ import annotations

import re
import string
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.consent.models import DataCategory
from ecwhub.core.fields import EncryptedTextField
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need
from ecwhub.core.rows import FamilyRow
from ecwhub.families.models import Household, Person

from .tiers import RuleSpec

# The families a coordinator can carry as their designated coordinator, unless their profile says.
DEFAULT_CASELOAD_CEILING = 40


class Tier(models.IntegerChoices):
    UNIVERSAL = 1, _("Tier 1: universal")
    SHORT_TERM = 2, _("Tier 2: short-term support")
    COMPREHENSIVE = 3, _("Tier 3: comprehensive")


class RuleKind(models.TextChoices):
    NEED_IDENTIFIED = "need_identified", _("A need is identified and open")
    INSTRUMENT_TOTAL_AT_LEAST = "instrument_total_at_least", _("An instrument's latest total is at least")
    FINDING = "finding", _("A screening finding is present")
    NO_MEDICAL_HOME = "no_medical_home", _("A child has no medical home")
    CHILD_AGE_UNDER = "child_age_under", _("A child is younger than")
    COUNT_OF_NEEDS_AT_LEAST = "count_of_needs_at_least", _("Number of open needs is at least")
    URGENT_FLAG = "urgent_flag", _("An urgent flag was raised")


# The parameters each kind of condition needs (the other parameter fields must stay empty).
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    RuleKind.NEED_IDENTIFIED: ("need",),
    RuleKind.INSTRUMENT_TOTAL_AT_LEAST: ("instrument", "score_rule", "threshold"),
    RuleKind.FINDING: ("finding_code",),
    RuleKind.NO_MEDICAL_HOME: (),
    RuleKind.CHILD_AGE_UNDER: ("threshold",),
    RuleKind.COUNT_OF_NEEDS_AT_LEAST: ("threshold",),
    RuleKind.URGENT_FLAG: ("urgent_kind",),
}
PARAMETER_FIELDS = ("need", "instrument", "score_rule", "finding_code", "urgent_kind", "threshold")
# The placeholders an explanation may use, filled from the facts that made the rule hold.
EXPLANATION_PLACEHOLDERS = frozenset({"need", "instrument", "total", "threshold", "months", "count", "finding", "flag"})


class RiskRule(models.Model):
    """One condition that raises a family to a tier, with the words that explain it.

    The condition is structured (a kind and its typed parameters), so that the admin can
    validate it field by field and the engine never evaluates free text."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    tier = models.PositiveSmallIntegerField(_("raises the family to"), choices=Tier.choices)
    kind = models.CharField(_("condition"), max_length=32, choices=RuleKind.choices)
    need = models.CharField(_("need"), max_length=48, choices=Need.choices, blank=True)
    instrument = models.CharField(
        _("instrument"), max_length=48, blank=True, help_text=_("Instrument id, for example epds or phq-2-9.")
    )
    score_rule = models.CharField(
        _("score rule"),
        max_length=48,
        blank=True,
        help_text=_("The scoring rule whose total is compared, e.g. epds-total."),
    )
    threshold = models.PositiveIntegerField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("A total (instrument), a number of needs, or an age in months (child younger than)."),
    )
    finding_code = models.CharField(_("finding code"), max_length=64, blank=True)
    urgent_kind = models.CharField(
        _("urgent flag"), max_length=32, blank=True, help_text=_("self-harm or interpersonal-safety")
    )
    explanation = models.CharField(
        _("explanation (English)"),
        max_length=200,
        help_text=_(
            "Shown after 'tier N because:'. May use {need}, {instrument}, {total}, {threshold}, {months}, "
            "{count}, {finding}, {flag}."
        ),
    )
    explanation_es = models.CharField(_("explanation (Spanish)"), max_length=200)
    source = models.TextField(_("source"), blank=True, help_text=_("Where the rule and its threshold come from."))
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=[1, 2, 3]), name="riskrule_tier_valid"),
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="riskrule_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> RuleSpec:
        return RuleSpec(
            name=self.name,
            tier=self.tier,
            kind=self.kind,
            need=self.need,
            instrument=self.instrument,
            score_rule=self.score_rule,
            threshold=self.threshold,
            finding_code=self.finding_code,
            urgent_kind=self.urgent_kind,
            explanation=self.explanation,
            explanation_es=self.explanation_es,
            order=self.order,
        )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        wanted = RULE_PARAMETERS.get(self.kind)
        if wanted is None:
            raise ValidationError({"kind": _("Choose a condition.")})
        for field in PARAMETER_FIELDS:
            value = getattr(self, field)
            present = value is not None and value != ""
            if field in wanted and not present:
                errors.setdefault(field, []).append(str(_("This condition needs a value here.")))
            if field not in wanted and present:
                errors.setdefault(field, []).append(str(_("Leave this empty: the condition does not use it.")))
        if self.kind == RuleKind.URGENT_FLAG and self.urgent_kind and self.urgent_kind not in URGENT_KINDS:
            errors.setdefault("urgent_kind", []).append(
                _("Unknown urgent flag; use one of: %(kinds)s.") % {"kinds": ", ".join(sorted(URGENT_KINDS))}
            )
        if self.kind == RuleKind.INSTRUMENT_TOTAL_AT_LEAST and self.instrument and self.score_rule:
            problem = _score_rule_problem(self.instrument, self.score_rule, self.threshold)
            if problem:
                errors.setdefault(problem[0], []).append(problem[1])
        if self.kind in (RuleKind.CHILD_AGE_UNDER, RuleKind.COUNT_OF_NEEDS_AT_LEAST) and self.threshold == 0:
            errors.setdefault("threshold", []).append(str(_("Use a number above zero.")))
        for field in ("explanation", "explanation_es"):
            problem_text = _template_problem(getattr(self, field))
            if problem_text:
                errors.setdefault(field, []).append(problem_text)
        if errors:
            raise ValidationError(errors)


URGENT_KINDS = frozenset({"self-harm", "interpersonal-safety"})


def _score_rule_problem(instrument: str, score_rule: str, threshold: int | None) -> tuple[str, str] | None:
    from ecwhub.screening.scoring import load_instrument

    # Only a shipped instrument's id: never a path the loader would open.
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,47}", instrument):
        return ("instrument", str(_("No instrument with this id.")))
    try:
        loaded = load_instrument(instrument)
    except (ValueError, OSError, KeyError):
        return ("instrument", str(_("No instrument with this id.")))
    try:
        low, high = loaded.score_range(score_rule)
    except (KeyError, ValueError):
        return ("score_rule", str(_("This instrument has no total with this id.")))
    if threshold is not None and not low <= threshold <= high:
        return ("threshold", str(_("The total goes from %(low)d to %(high)d.") % {"low": low, "high": high}))
    return None


def _template_problem(text: str) -> str | None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return str(_("Unbalanced braces in the explanation."))
    unknown = names - EXPLANATION_PLACEHOLDERS
    if unknown:
        return str(_("Unknown placeholder: %(names)s.") % {"names": ", ".join("{" + n + "}" for n in sorted(unknown))})
    return None


NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class TierAssignment(models.Model):
    """A household's current tier, why, and the ordering keys of the worklist.

    Recomputed (``care.tiers.household_tier_recompute``) when screening results, needs, EPSDT
    records or the rules change; ``rules_version`` says which rule set produced it."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, person=None)

    household = models.OneToOneField(Household, primary_key=True, on_delete=models.CASCADE, related_name="tier")
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.UNIVERSAL)
    reasons = models.JSONField(_("reasons"), default=list)
    epsdt = models.BooleanField(_("EPSDT medical necessity"), default=False)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    rules_version = models.CharField(_("rules version"), max_length=16)
    latest_positive_screen_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # The same two dates as sort keys, "never" as the epoch: never screened positive sorts last,
    # never contacted first, and one plain index serves the order on every database (SQLite has no
    # NULLS FIRST/LAST in an index).
    positive_rank = models.DateTimeField(default=NEVER, editable=False)
    contact_rank = models.DateTimeField(default=NEVER, editable=False)

    class Meta:
        verbose_name = _("tier assignment")
        # The worklist's order exactly, so a page walks the index and stops when it has its rows.
        indexes = [
            models.Index(fields=["-tier", "-positive_rank", "contact_rank", "household"], name="care_tier_worklist")
        ]
        constraints = [models.CheckConstraint(condition=Q(tier__in=[1, 2, 3]), name="tierassignment_tier_valid")]

    def __str__(self) -> str:
        return f"Tier {self.tier} for {self.household_id}"


class TierChange(models.Model):
    """The tier's history: one row each time a family's tier or its reasons change (at the first
    tier too), never updated, so the dashboards can say who moved between tiers and why."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, person=None)

    id = models.BigAutoField(primary_key=True)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    from_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    to_tier = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    rules_version = models.CharField(max_length=16)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        indexes = [models.Index(fields=["household", "changed_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(to_tier__in=[1, 2, 3]), name="tierchange_tier_valid"),
        ]

    def __str__(self) -> str:
        return f"Tier {self.from_tier} → {self.to_tier}"


class EpsdtNecessity(models.Model):
    """A clinician's record that a child has an EPSDT medically necessary need; while it is in force
    the family's tier is comprehensive whatever the rules say. Ended, never deleted."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CLINICAL)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="epsdt_necessities")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    reason = EncryptedTextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_in = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField(_("date"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("EPSDT medical necessity")
        indexes = [models.Index(fields=["household", "ended_at"])]

    def __str__(self) -> str:
        return f"EPSDT {str(self.id)[:8]}"


class CareEventKind(models.TextChoices):
    WELL_CHILD_VISIT = "well_child_visit", _("Well-child visit")
    DEVELOPMENTAL_SCREENING = "developmental_screening", _("Developmental screening")
    AUTISM_SCREENING = "autism_screening", _("Autism screening")
    CAREGIVER_DEPRESSION_SCREENING = "caregiver_depression_screening", _("Caregiver depression screening")
    LEAD_SCREENING = "lead_screening", _("Lead screening")
    IMMUNIZATION_CHECK = "immunization_check", _("Immunization check")


class CareEvent(models.Model):
    """Something done for a child's preventive care (a visit, a screening), which the
    surveillance counts as done for the periodicity point whose window contains its date."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN)

    class Source(models.TextChoices):
        RECORDED = "recorded", _("Recorded by staff")
        SCREENING = "screening", _("Screening in the hub")
        CLINIC = "clinic", _("Reported by the clinic")
        DEMO = "demo", _("Demo data")

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_events")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=40, choices=CareEventKind.choices)
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.RECORDED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("care event")
        indexes = [models.Index(fields=["person", "kind", "date"]), models.Index(fields=["household", "date"])]
        constraints = [models.CheckConstraint(condition=Q(kind__in=CareEventKind.values), name="careevent_kind_valid")]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class Funding(models.TextChoices):
    """What pays for an encounter (so that billing can be built on it)."""

    MEDI_CAL_PLAN = "medi_cal_plan", _("Medi-Cal managed care plan")
    EPSDT = "epsdt", _("EPSDT")
    MHSA = "mhsa", _("MHSA (Mental Health Services Act)")
    GRANT = "grant", _("Grant")
    OTHER = "other", _("Other")


class Topic(models.TextChoices):
    DEVELOPMENT = "development", _("Child development")
    PARENTING = "parenting", _("Parenting")
    BASIC_NEEDS = "basic_needs", _("Basic needs")
    HEALTH_CARE = "health_care", _("Health care")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    BENEFITS = "benefits", _("Benefits")
    HOUSING = "housing", _("Housing")
    LEGAL = "legal", _("Legal")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


# Written out (not taken from the choices) so that a migration's constraint never changes silently.
CONTACT_METHODS = (
    "phone",
    "text",
    "home_visit",
    "in_person",
    "video",
    "email",
    "accompanied_visit",
    "group_session",
)
FUNDING_SOURCES = ("medi_cal_plan", "epsdt", "mhsa", "grant", "other")
TOPICS = (
    "development",
    "parenting",
    "basic_needs",
    "health_care",
    "mental_health",
    "benefits",
    "housing",
    "legal",
    "school",
    "other",
)
LANGUAGE_CODES = ("en", "es", "yue", "cmn", "vi", "mix", "zap", "quc", "tl", "ko", "hy", "ar", "km", "ase", "other")
MINUTES_MAX = 600


class Contact(models.Model):
    """A coordinator reached (or tried to reach) the family: how, and what came of it. Only a
    contact that reached the family feeds "longest without contact".

    An encounter is a contact with its facts: minutes, who took part (a caregiver and a child
    together make it dyadic), the topics (``ContactTopic``), an interpreter and their language, the
    needs worked on, the funding source and a note (encrypted). What else it worked on (goals,
    pathways) is linked by the apps that own them (``care.encounter_links``)."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CASE_NOTES, person=None)

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")
        HOME_VISIT = "home_visit", _("Home visit")
        IN_PERSON = "in_person", _("In person at the organization")
        VIDEO = "video", _("Video call")
        EMAIL = "email", _("E-mail")
        ACCOMPANIED_VISIT = "accompanied_visit", _("Accompanied well-child visit")
        GROUP_SESSION = "group_session", _("Group session")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the family")
        NOT_REACHED = "not_reached", _("Not reached: no answer")
        LEFT_MESSAGE = "left_message", _("Not reached: left a message")
        WRONG_NUMBER = "wrong_number", _("Not reached: wrong or disconnected number")
        NOT_DELIVERED = "not_delivered", _("Not reached: the message or e-mail was not delivered")
        DECLINED = "declined", _("Reached, but the family did not want to talk now")

    id = models.BigAutoField(primary_key=True)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    method = models.CharField(_("how"), max_length=24, choices=Method.choices)
    reached = models.BooleanField(_("reached the family"), default=True)
    # Empty on contacts recorded before the outcome was asked (``reached`` says what is known).
    outcome = models.CharField(_("what came of it"), max_length=16, choices=Outcome.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The encounter's facts (empty on contacts recorded before they were asked).
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    participants = models.ManyToManyField(
        Person, through="ContactParticipant", blank=True, related_name="+", verbose_name=_("who took part")
    )
    # A caregiver and a child took part together (set from the participants when they are written).
    dyadic = models.BooleanField(_("caregiver and child together"), default=False)
    topics_other = models.CharField(_("other topic"), max_length=200, blank=True)
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    interpreter_language = models.CharField(
        _("interpreter's language"), max_length=8, choices=Language.choices, blank=True
    )
    needs = models.ManyToManyField(
        "screening.IdentifiedNeed", blank=True, related_name="+", verbose_name=_("needs worked on")
    )
    funding = models.CharField(_("funding source"), max_length=16, choices=Funding.choices, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("contact")
        indexes = [models.Index(fields=["household", "-at"])]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=CONTACT_METHODS), name="contact_method_valid"),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gte=1, minutes__lte=MINUTES_MAX),
                name="contact_minutes_range",
            ),
            models.CheckConstraint(condition=Q(funding__in=["", *FUNDING_SOURCES]), name="contact_funding_valid"),
            # An interpreter's language is said exactly when an interpreter was used.
            models.CheckConstraint(
                condition=Q(interpreter_used=False, interpreter_language="")
                | Q(interpreter_used=True, interpreter_language__in=LANGUAGE_CODES),
                name="contact_interpreter_language",
            ),
            models.CheckConstraint(
                condition=Q(
                    outcome__in=[
                        "",
                        "reached",
                        "not_reached",
                        "left_message",
                        "wrong_number",
                        "not_delivered",
                        "declined",
                    ]
                ),
                name="contact_outcome_valid",
            ),
            # The outcome and "reached" never disagree.
            models.CheckConstraint(
                condition=Q(outcome="")
                | Q(outcome__in=["reached", "declined"], reached=True)
                | (~Q(outcome__in=["reached", "declined"]) & Q(reached=False)),
                name="contact_outcome_agrees_with_reached",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk}"

    @property
    def outcome_label(self) -> str:
        """What came of the contact, in words (for a contact recorded before the outcome was asked,
        what ``reached`` says)."""
        if self.outcome:
            return str(self.get_outcome_display())  # type: ignore[attr-defined]
        return str(_("Reached the family") if self.reached else _("Not reached"))


class ContactParticipant(models.Model):
    """A person of the family who took part in an encounter. An explicit row (not Django's hidden
    many-to-many table) so that merging two records of one person moves it like any other row."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CASE_NOTES, household="contact__household")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="participant_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "person"], name="contact_participant_once")]

    def __str__(self) -> str:
        return f"{self.contact_id} · {self.person_id}"


# An outcome that reached someone in the family.
CONTACT_REACHED = frozenset({Contact.Outcome.REACHED, Contact.Outcome.DECLINED})


class ContactTopic(models.Model):
    """One topic an encounter dealt with (from a fixed list, so that topics are countable)."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CASE_NOTES, household="contact__household", person=None)

    id = models.BigAutoField(primary_key=True)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)

    class Meta:
        verbose_name = _("encounter topic")
        constraints = [
            models.UniqueConstraint(fields=["contact", "topic"], name="contact_topic_once"),
            models.CheckConstraint(condition=Q(topic__in=TOPICS), name="contact_topic_valid"),
        ]

    def __str__(self) -> str:
        return self.topic


class ContactFrequency(models.Model):
    """How often the family's designated coordinator should reach a family of each tier. The hub
    administrator changes it in the admin site; ``care_timers`` opens a "contact due" task for a
    family not reached in time."""

    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("every (days)"), help_text=_("Reach a family of this tier at least once in this many days.")
    )
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["-tier"]
        verbose_name = _("contact frequency")
        verbose_name_plural = _("contact frequencies")
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=[1, 2, 3]), name="contactfrequency_tier_valid"),
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=365), name="contactfrequency_days_range"),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier}: {self.days} days"

    def clean(self) -> None:
        if self.days is not None and not 1 <= self.days <= 365:
            raise ValidationError({"days": _("Use a number of days from 1 to 365.")})


# When the hub administrator has not set a tier's frequency.
DEFAULT_CONTACT_DAYS = {3: 7, 2: 30, 1: 90}


class CareTask(models.Model):
    """Something a coordinator has to do for a family by a date: reach it (opened by the contact
    frequency timer, closed by a contact that reaches the family), review its case, or anything
    else written by hand. Done, never deleted."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CASE_NOTES, person=None)

    class Kind(models.TextChoices):
        CONTACT_DUE = "contact_due", _("Contact the family")
        CASE_REVIEW = "case_review", _("Review the family's case")
        OTHER = "other", _("Other task")

    class Source(models.TextChoices):
        CONTACT_FREQUENCY = "contact_frequency", _("Contact frequency of the family's tier")
        BY_HAND = "by_hand", _("Written by a person")

    id = models.BigAutoField(primary_key=True)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("for")
    )
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    due = models.DateField(_("due"))
    created_from = models.CharField(_("from"), max_length=24, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("care task")
        indexes = [
            models.Index(fields=["owner", "due"], condition=Q(done_at__isnull=True), name="care_task_open_by_owner"),
            models.Index(fields=["household", "done_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["contact_due", "case_review", "other"]), name="caretask_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(created_from__in=["contact_frequency", "by_hand"]), name="caretask_source_valid"
            ),
            # Done says when; a task opened by a person says who.
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True) | Q(done_at__isnull=False),
                name="caretask_done_agrees",
            ),
            # One open "contact due" task per family: the timer can run twice, or on two machines.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(kind="contact_due", done_at__isnull=True),
                name="caretask_one_open_contact_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Task {self.pk}"


class ChildSurveillance(models.Model):
    """A child's surveillance summary as of ``computed_on`` (recomputed with the tiers, and nightly by
    ``recompute_tiers``), so the overdue worklist and the population rates are database queries."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN)

    person = models.OneToOneField(Person, primary_key=True, on_delete=models.CASCADE, related_name="surveillance")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    overdue_count = models.PositiveSmallIntegerField(default=0)
    due_count = models.PositiveSmallIntegerField(default=0)
    done_count = models.PositiveSmallIntegerField(default=0)
    missed_count = models.PositiveSmallIntegerField(default=0)
    overdue_kinds = models.CharField(max_length=200, blank=True)
    oldest_overdue_on = models.DateField(null=True, blank=True)
    computed_on = models.DateField()

    class Meta:
        verbose_name = _("child surveillance")
        indexes = [
            models.Index(fields=["household"]),
            models.Index(
                fields=["oldest_overdue_on", "person"], condition=Q(overdue_count__gt=0), name="care_overdue_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Surveillance {str(self.person_id)[:8]}"


class SurveillanceChange(models.Model):
    """A child's surveillance history: one row each time what is overdue changes."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN)

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    from_overdue = models.PositiveSmallIntegerField(null=True, blank=True)
    to_overdue = models.PositiveSmallIntegerField()
    overdue_kinds = models.CharField(max_length=200, blank=True)
    changed_on = models.DateField()
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("surveillance change")
        indexes = [models.Index(fields=["person", "changed_at"])]

    def __str__(self) -> str:
        return f"Overdue {self.from_overdue} → {self.to_overdue}"


def _zip_codes_valid(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(z, str) and re.fullmatch(r"\d{5}", z) for z in value):
        raise ValidationError(_("Enter five-digit ZIP codes, as a list."))


def _languages_valid(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) and code in Language.values for code in value):
        raise ValidationError(
            _("Enter language codes from the hub's list: %(codes)s.") % {"codes": ", ".join(Language.values)}
        )


class CoordinatorProfile(models.Model):
    """What the suggestions of a designated coordinator know about a coordinator: the languages and
    dialects they speak, the neighbourhoods (ZIP codes) they cover, and how many families they can
    carry. Edited by the hub administrator in the admin site; a coordinator without a profile has the
    default ceiling and no languages or neighbourhoods recorded."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_profile", verbose_name=_("user")
    )
    caseload_ceiling = models.PositiveSmallIntegerField(
        _("caseload ceiling"),
        default=DEFAULT_CASELOAD_CEILING,
        help_text=_("How many families this coordinator can be the designated coordinator of."),
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[_languages_valid],
        help_text=_('Language codes, for example ["es", "mix"].'),
    )
    dialects = models.CharField(
        _("dialects"), max_length=200, blank=True, help_text=_("Dialects spoken, separated by commas.")
    )
    neighbourhoods = models.JSONField(
        _("neighbourhoods"),
        default=list,
        blank=True,
        validators=[_zip_codes_valid],
        help_text=_('ZIP codes covered, for example ["91801", "91803"].'),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("coordinator profile")
        verbose_name_plural = _("coordinator profiles")
        constraints = [models.CheckConstraint(condition=Q(caseload_ceiling__gt=0), name="coordinator_ceiling_positive")]

    def __str__(self) -> str:
        return f"Coordinator profile {self.user_id}"


class CoordinatorAssignment(models.Model):
    """The history of a family's designated coordinator: one row for each assignment, transfer or
    end, never updated. The relationship that grants access is ``consent.Relationship``; this row
    says who moved it, from whom to whom, and the handoff note."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CASE_NOTES, person=None)

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("Assigned")
        TRANSFER = "transfer", _("Transferred")
        END = "end", _("Ended")

    id = models.BigAutoField(primary_key=True)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("coordinator assignment")
        indexes = [models.Index(fields=["household", "-at"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["assign", "transfer", "end"]), name="coordinator_kind_valid"),
            # An assignment names the new coordinator, an end the old one, a transfer both.
            models.CheckConstraint(
                condition=Q(kind="assign", to_user__isnull=False)
                | Q(kind="transfer", to_user__isnull=False)
                | Q(kind="end", to_user__isnull=True),
                name="coordinator_assignment_parties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
