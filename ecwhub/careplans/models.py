"""The family's care team, the team's notes, and the care plan the family sets: goals in the
family's own words, their progress, and the barriers that stand in the way.

Every row says whose it is and its consent category (``FAMILY_ROW``), so the access policy's one
row filter (``consent.selectors.rows_visible``) decides who reads it. Free text (notes, goals in the
family's words, progress, barriers) is encrypted at rest like every other free text of the hub.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.care.models import Contact
from ecwhub.consent.models import DataCategory, Relationship
from ecwhub.core.fields import EncryptedTextField
from ecwhub.core.languages import Language
from ecwhub.core.rows import FamilyRow
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import IdentifiedNeed

# The seeds' plans run for a quarter: a goal is due 13 weeks after it is set, unless the family
# chooses another date.
GOAL_WEEKS = 13


def default_target_date() -> date:
    return timezone.localdate() + timedelta(weeks=GOAL_WEEKS)


class TeamRole(models.TextChoices):
    """A member's part on the family's care team. The designated care coordinator is on every team
    too, but comes from the designation (``care.coordinators``), never from a row here."""

    CAREGIVER = "caregiver", _("Caregiver")
    YOUTH = "youth", _("Young person (12 or older)")
    CLINICIAN = "clinician", _("Clinician")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    LEGAL_PARTNER = "legal_partner", _("Legal partner (medical-legal partnership)")
    HOME_VISITING = "home_visiting", _("Home visiting and early childhood")
    SCHOOL = "school", _("School")


FAMILY_ROLES = frozenset({TeamRole.CAREGIVER, TeamRole.YOUTH})
STAFF_ROLES = frozenset(TeamRole) - FAMILY_ROLES


class CareTeamMember(models.Model):
    """One member of a family's care team: a person of the household (caregiver, young person) or
    a staff member of an organization. A staff member's access comes from the care team
    relationship (``relationship``), started and ended with the membership."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("team role"), max_length=20, choices=TeamRole.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    relationship = models.ForeignKey(
        Relationship, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("care team member")
        verbose_name_plural = _("care team members")
        indexes = [models.Index(fields=["household", "removed_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="care_team_role_valid"),
            # A family role is held by a person of the household; every other by a staff member
            # of an organization.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["caregiver", "youth"],
                        person__isnull=False,
                        user__isnull=True,
                        organization__isnull=True,
                    )
                    | (
                        ~Q(role__in=["caregiver", "youth"])
                        & Q(person__isnull=True, user__isnull=False, organization__isnull=False)
                    )
                ),
                name="care_team_member_is_family_or_staff",
            ),
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=Q(removed_at__isnull=True, person__isnull=False),
                name="care_team_person_once",
            ),
            models.UniqueConstraint(
                fields=["household", "user"],
                condition=Q(removed_at__isnull=True, user__isnull=False),
                name="care_team_user_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Team member {str(self.id)[:8]}"

    @property
    def is_family(self) -> bool:
        return self.person_id is not None


class TeamNote(models.Model):
    """A note for the care team, in the consent category its author chose: the policy decides who
    reads it (a legal partner's legal note is read only by those the family's consent lets see
    legal information)."""

    FAMILY_ROW = FamilyRow.by_field("category", person=None)

    id = models.BigAutoField(primary_key=True)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(
        _("kind of information"), max_length=32, choices=DataCategory.choices, default=DataCategory.CASE_NOTES
    )
    text = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("team note")
        verbose_name_plural = _("team notes")
        indexes = [models.Index(fields=["household", "category"])]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=DataCategory.values), name="team_note_category_valid"),
        ]

    def __str__(self) -> str:
        return f"Team note {self.pk}"


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    DROPPED = "dropped", _("Dropped")


class Goal(models.Model):
    """A goal the family set, in their own words and the language they said it in (a FHIR Goal:
    ``description`` with its language, ``target.dueDate``, ``addresses`` the needs,
    ``lifecycleStatus``/``achievementStatus`` in ``status``)."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, person=None)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(_("the goal, in the family's words"))
    language = models.CharField(_("language it was written in"), max_length=8, choices=Language.choices)
    target_date = models.DateField(_("target date"), default=default_target_date)
    status = models.CharField(_("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    needs = models.ManyToManyField(IdentifiedNeed, through="GoalNeed", related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_date", "created_at", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        indexes = [models.Index(fields=["household", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=GoalStatus.values), name="goal_status_valid"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="goal_language_valid"),
        ]

    def __str__(self) -> str:
        return f"Goal {str(self.id)[:8]}"


class GoalNeed(models.Model):
    """A need of the family the goal works on."""

    FAMILY_ROW = FamilyRow.by_field("need__category", household="goal__household", person="need__person")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="need_links")
    need = models.ForeignKey(IdentifiedNeed, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["goal", "need"], name="goal_need_once")]

    def __str__(self) -> str:
        return f"{self.goal_id} → {self.need_id}"


class GoalProgress(models.Model):
    """An update on a goal: by a staff member of the team, or a comment of the family from their
    own pages. A change of the goal's status is recorded here too (``status``), so nothing is
    overwritten without a trace. Append-only."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, household="goal__household", person=None)

    id = models.BigAutoField(primary_key=True)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField(_("date"), default=timezone.localdate)
    note = EncryptedTextField(_("what happened"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The family's comments: who in the family wrote it; staff updates: their organization.
    by_family = models.BooleanField(default=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("new status"), max_length=16, choices=GoalStatus.choices, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("goal progress")
        verbose_name_plural = _("goal progress")
        indexes = [models.Index(fields=["goal", "by_family", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(by_family=True, organization__isnull=True) | Q(by_family=False, organization__isnull=False),
                name="goal_progress_by_family_or_staff",
            ),
            models.CheckConstraint(
                condition=Q(status="") | Q(status__in=GoalStatus.values), name="goal_progress_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Progress {self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("goal progress is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class BarrierReason(models.TextChoices):
    TRANSPORTATION = "transportation", _("Transportation")
    LANGUAGE = "language", _("Language")
    DOCUMENTS = "documents", _("Documents")
    COST = "cost", _("Cost")
    HOURS = "hours", _("Hours")
    CHILD_CARE = "child_care", _("Child care")
    ELIGIBILITY = "eligibility", _("Eligibility")
    WAITLIST = "waitlist", _("Waitlist")
    IMMIGRATION_FEARS = "immigration_fears", _("Immigration fears")
    OTHER = "other", _("Other")


class Barrier(models.Model):
    """What stands between the family and a goal or a need, with a structured reason (counted for
    the gaps report) and the family's story in free text."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, person=None)

    id = models.BigAutoField(primary_key=True)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=BarrierReason.choices)
    text = EncryptedTextField(_("what happened"), blank=True)
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="barriers")
    need = models.ForeignKey(IdentifiedNeed, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("barrier")
        verbose_name_plural = _("barriers")
        indexes = [models.Index(fields=["recorded_at", "reason"]), models.Index(fields=["household", "resolved_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=BarrierReason.values), name="barrier_reason_valid"),
            models.CheckConstraint(
                condition=Q(goal__isnull=False) | Q(need__isnull=False), name="barrier_has_goal_or_need"
            ),
        ]

    def __str__(self) -> str:
        return f"Barrier {self.pk}"


class GoalEncounter(models.Model):
    """An encounter (``care.Contact``) that worked on a goal."""

    FAMILY_ROW = FamilyRow.fixed(DataCategory.CARE_PLAN, household="goal__household", person=None)

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="encounters")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["goal", "contact"], name="goal_encounter_once")]

    def __str__(self) -> str:
        return f"{self.contact_id} → {self.goal_id}"
