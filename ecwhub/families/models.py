"""Households and the people in them.

Identifiers are random UUIDs so that a URL or an export never reveals how many families the
hub holds or who registered first.
"""

import uuid
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.core.fields import EncryptedTextField
from ecwhub.core.languages import Language
from ecwhub.core.rows import FamilyRow


class InsuranceStatus(models.TextChoices):
    MEDI_CAL = "medi_cal", _("Medi-Cal")
    PRIVATE = "private", _("Private insurance")
    UNDERINSURED = "underinsured", _("Underinsured")
    UNINSURED = "uninsured", _("Uninsured")
    UNKNOWN = "unknown", _("Unknown")


class MediCalPlan(models.TextChoices):
    """Medi-Cal managed care plans serving Los Angeles County."""

    LA_CARE = "la_care", _("L.A. Care Health Plan")
    HEALTH_NET = "health_net", _("Health Net")
    ANTHEM = "anthem", _("Anthem Blue Cross")
    BLUE_SHIELD_PROMISE = "blue_shield_promise", _("Blue Shield of California Promise")
    MOLINA = "molina", _("Molina Healthcare")
    KAISER = "kaiser", _("Kaiser Permanente")
    FEE_FOR_SERVICE = "fee_for_service", _("Fee-for-service Medi-Cal")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person only")


class Household(models.Model):
    """A family: the people who live and are cared for together."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registered_by = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="registered_households", verbose_name=_("registered by")
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, choices=Language.choices)
    dialect = models.CharField(_("dialect"), max_length=100, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    unit = models.CharField(_("apartment or unit"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, default="CA")
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    deidentified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        # Family lists are ordered newest-first, often within one ZIP code.
        indexes = [
            models.Index(fields=["postal_code", "-updated_at", "id"], name="household_zip_recent"),
            models.Index(fields=["-updated_at", "id"], name="household_recent"),
        ]

    def __str__(self) -> str:
        # Opaque on purpose: admin lists and log lines must not show names.
        return f"Household {str(self.id)[:8]}"


# Which consent category each recorded fact belongs to (the access policy decides per category).
IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "second_family_name",
    "preferred_name",
    "name_original_script",
    "phone",
    "email",
    "preferred_contact_method",
    "text_ok",
    "best_times",
    "safe_to_leave_message",
)
DEMOGRAPHIC_FIELDS = (
    "relationship",
    "date_of_birth",
    "date_of_birth_estimated",
    "sex",
    "is_pregnant",
    "preferred_language",
    "dialect",
    "interpreter_needed",
    "is_legal_guardian",
    "school_or_child_care",
)
INSURANCE_FIELDS = ("insurance_status", "medi_cal_plan", "medi_cal_id")
HOUSEHOLD_IDENTITY_FIELDS = ("street", "unit", "city", "state", "postal_code")
HOUSEHOLD_DEMOGRAPHIC_FIELDS = ("preferred_language", "dialect", "interpreter_needed")


class Person(models.Model):
    """A child, caregiver or other member of a household, with names as the family writes them."""

    class Relationship(models.TextChoices):
        CHILD = "child", _("Child")
        CAREGIVER = "caregiver", _("Parent or caregiver")
        LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
        SIBLING = "sibling", _("Older sibling")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other household member")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    relationship = models.CharField(_("role in the household"), max_length=20, choices=Relationship.choices)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    second_family_name = models.CharField(_("second family name"), max_length=100, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    name_original_script = models.CharField(_("name in original script"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    date_of_birth_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    is_pregnant = models.BooleanField(_("pregnant"), default=False)
    preferred_language = models.CharField(_("preferred language"), max_length=8, choices=Language.choices)
    dialect = models.CharField(_("dialect"), max_length=100, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    insurance_status = models.CharField(
        _("insurance"), max_length=16, choices=InsuranceStatus.choices, default=InsuranceStatus.UNKNOWN
    )
    medi_cal_plan = models.CharField(_("Medi-Cal plan"), max_length=24, choices=MediCalPlan.choices, blank=True)
    medi_cal_id = models.CharField(_("Medi-Cal id (CIN)"), max_length=16, blank=True)
    # How the family wants to be reached (identity and contact).
    preferred_contact_method = models.CharField(
        _("preferred way to reach"), max_length=10, choices=ContactMethod.choices, blank=True
    )
    text_ok = models.BooleanField(_("text messages are fine"), default=False)
    best_times = models.CharField(_("best times to reach"), max_length=200, blank=True)
    # Unknown until asked: a voicemail can put a family at risk (a partner, a landlord), so no default.
    safe_to_leave_message = models.BooleanField(_("safe to leave a message"), null=True, blank=True)
    # A caregiver can be a legal guardian too; ``relationship`` alone cannot say both.
    is_legal_guardian = models.BooleanField(_("legal guardian"), default=False)
    school_or_child_care = models.CharField(_("school or child care"), max_length=200, blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text=_("The sign-in of this person, when they use the family pages."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["date_of_birth"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(medi_cal_plan="") | Q(insurance_status="medi_cal"),
                name="person_plan_only_with_medi_cal",
            ),
        ]

    def __str__(self) -> str:
        return f"Person {str(self.id)[:8]}"

    def age_in_months(self, on: date | None = None) -> int:
        on = on or timezone.localdate()
        months = (on.year - self.date_of_birth.year) * 12 + on.month - self.date_of_birth.month
        return months - (1 if on.day < self.date_of_birth.day else 0)


# The sensitive consent categories (ecwhub.consent.models.SENSITIVE_CATEGORIES; a test keeps the two equal).
SENSITIVE_NOTE_CATEGORIES = (
    "behavioral_health",
    "legal",
    "immigration_sensitive",
    "child_protection",
    "interpersonal_safety",
)


class SensitiveNote(models.Model):
    """Information in a sensitive category (immigration status, a safety concern, a legal matter...),
    encrypted at rest. Read and written only through ``ecwhub.consent`` (policy and audit)."""

    FAMILY_ROW = FamilyRow.by_field("category")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="sensitive_notes")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("category"), max_length=32)
    text = EncryptedTextField(_("note"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_in = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=SENSITIVE_NOTE_CATEGORIES), name="sensitive_note_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Sensitive note {str(self.id)[:8]}"


class PersonRelation(models.Model):
    """How two people in a family are related, when the household role does not say it (a
    grandmother who is the legal guardian, a foster parent, a half-sibling)."""

    FAMILY_ROW = FamilyRow.fixed("demographics", household="from_person__household", person="from_person")

    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent of")
        LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian of")
        FOSTER_PARENT = "foster_parent", _("Foster parent of")
        GRANDPARENT = "grandparent", _("Grandparent of")
        SIBLING = "sibling", _("Sibling of")
        OTHER = "other", _("Other relative of")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    from_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_from")
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(_("relationship"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(from_person=models.F("to_person")), name="person_relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"Relation {str(self.id)[:8]}"


class PriorityFlag(models.TextChoices):
    """Priority populations. Each flag belongs to a consent category (``PRIORITY_FLAG_CATEGORY``)."""

    REFUGEE = "refugee", _("Refugee or asylee")
    UNDOCUMENTED = "undocumented", _("Undocumented")
    UNHOUSED = "unhoused", _("Unhoused")
    FOSTER = "foster", _("In foster care")


# Refugee status discloses immigration status as much as "undocumented" does, so both are
# immigration-sensitive; foster care is a child-protection matter. Being unhoused is a social need
# (housing), recorded under identified needs: it must reach the housing navigator without a
# sensitive-category consent, but it is not shown with identity data either.
PRIORITY_FLAG_CATEGORY = {
    PriorityFlag.REFUGEE: "immigration_sensitive",
    PriorityFlag.UNDOCUMENTED: "immigration_sensitive",
    PriorityFlag.FOSTER: "child_protection",
    PriorityFlag.UNHOUSED: "identified_needs",
}


class PriorityFlagRecord(models.Model):
    """One priority-population flag on a family or a person. The flag itself is encrypted: only the
    consent category is stored in clear, so that the policy can filter by it (as for sensitive notes)."""

    FAMILY_ROW = FamilyRow.by_field("category")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="priority_flags")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="priority_flags")
    category = models.CharField(_("category"), max_length=32)
    flag = EncryptedTextField(_("flag"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_in = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=sorted(set(PRIORITY_FLAG_CATEGORY.values()))),
                name="priority_flag_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Priority flag {str(self.id)[:8]}"


INTAKE_DRAFT_LIFETIME_DAYS = 14


class IntakeDraft(models.Model):
    """An intake in progress: what has been entered so far, encrypted, visible only to its author,
    and deleted when it expires (``ecwhub.consent.retention``) or when the intake completes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(default=1)
    data = EncryptedTextField(default="{}")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["author", "-updated_at"])]

    def __str__(self) -> str:
        return f"Intake draft {str(self.id)[:8]}"


class IntakeRecord(models.Model):
    """Who took an intake, where and when, and whether it created a family or linked to one."""

    FAMILY_ROW = FamilyRow.fixed("identity_contact", person=None)

    class Place(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home visit")
        OFFICE = "office", _("At our office")
        CLINIC = "clinic", _("Clinic or well-child visit")
        SCHOOL = "school", _("School or child care")
        PHONE = "phone", _("By phone or video")
        COMMUNITY = "community", _("Community event")
        OTHER = "other", _("Somewhere else")

    class Outcome(models.TextChoices):
        CREATED = "created", _("New family created")
        LINKED = "linked", _("Linked to a family the hub knew")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="intakes")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("where the intake was taken"), max_length=16, choices=Place.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    candidates_shown = models.PositiveSmallIntegerField(default=0)
    # On a link: the values the intake replaced or added (JSON, encrypted), so nothing is lost.
    changes = EncryptedTextField(default="{}")
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_at"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=["created", "linked"]), name="intake_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"Intake {str(self.id)[:8]}"


class PersonMerge(models.Model):
    """Two records of one person made one. ``snapshot`` (encrypted JSON) holds every value of both
    records before the merge, with its source, and the rows the merge moved, so that
    ``person_unmerge`` restores both exactly. Rows are never deleted: an undone merge keeps
    ``undone_at``."""

    FAMILY_ROW = FamilyRow.fixed("identity_contact", person="survivor")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="person_merges")
    survivor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges")
    merged_person_id = models.UUIDField()
    snapshot = EncryptedTextField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_in = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"Person merge {str(self.id)[:8]}"


class HouseholdMerge(models.Model):
    """Two records of one family made one (the members of ``merged_household_id`` moved into
    ``survivor``); the snapshot restores the merged family exactly on unmerge."""

    FAMILY_ROW = FamilyRow.fixed("identity_contact", household="survivor", person=None)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survivor = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="household_merges")
    merged_household_id = models.UUIDField()
    snapshot = EncryptedTextField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_in = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"Household merge {str(self.id)[:8]}"


class DuplicationAction(models.Model):
    """What the hub administrator did about a family coordinated by two or more organizations:
    asked those organizations to agree who leads, or marked the flag reviewed (with a note).

    One row per action, never changed: who, when, and the set of organizations the flag named
    then (``organization_key``), so a review hides the flag only while that set is the same.
    It holds no family data: the administrator acts on a reference and organization names."""

    class Kind(models.TextChoices):
        ASKED = "asked", _("Asked the organizations to agree who leads")
        REVIEWED = "reviewed", _("Marked as reviewed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="duplication_actions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The involved organizations' ids, sorted and comma-separated: "3,7".
    organization_key = models.CharField(max_length=500)
    note = models.TextField(blank=True)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acted_in = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    acted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acted_at"]
        indexes = [models.Index(fields=["household", "-acted_at"], name="dup_action_household_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["asked", "reviewed"]), name="duplication_action_kind_valid"),
            # A review says why; a request needs no words.
            models.CheckConstraint(condition=~Q(kind="reviewed") | ~Q(note=""), name="duplication_review_has_note"),
        ]

    def __str__(self) -> str:
        return f"Duplication {self.kind} {str(self.household_id)[:8]}"


def organization_key(organization_ids: Iterable[int]) -> str:
    return ",".join(str(pk) for pk in sorted(organization_ids))
