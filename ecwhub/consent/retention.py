"""The retention rule: families inactive for a configured period are de-identified or purged.

A family is inactive when its record has not changed, and no consent has been given or
relationship started, since the cut-off. The audit log keeps the fact (not the content) of
each purge or de-identification: entries hold only the household's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ecwhub.families.models import (
    Household,
    HouseholdMerge,
    IntakeDraft,
    Person,
    PersonMerge,
    PriorityFlagRecord,
)

from .audit import AuditLine, audit_append
from .models import AuditEntry, Consent, Relationship


@dataclass(frozen=True)
class RetentionResult:
    mode: str
    cutoff: datetime
    matched: int
    changed: int


def inactive_households(cutoff: datetime) -> QuerySet[Household]:
    recent_consent = Consent.objects.filter(household=OuterRef("pk"), given_at__gte=cutoff)
    recent_relationship = Relationship.objects.filter(household=OuterRef("pk"), started_at__gte=cutoff)
    return Household.objects.filter(updated_at__lt=cutoff, deidentified_at__isnull=True).exclude(
        Exists(recent_consent) | Exists(recent_relationship)
    )


def _deidentify(household: Household, now: datetime) -> None:
    household.street = household.unit = ""
    household.postal_code = household.postal_code[:3]  # ZIP3 keeps area statistics, not the place
    household.deidentified_at = now
    household.save(update_fields=["street", "unit", "postal_code", "deidentified_at"])
    for person in Person.objects.filter(household=household):
        person.given_name = person.family_name = "—"
        person.second_family_name = person.preferred_name = person.name_original_script = ""
        person.phone = person.email = person.medi_cal_id = ""
        person.best_times = person.school_or_child_care = ""
        # Year of birth only: ages stay countable, people stay unrecognisable.
        person.date_of_birth = date(person.date_of_birth.year, 1, 1)
        person.account = None
        person.save()
    # Priority-population flags are sensitive facts about identifiable people: gone, not blurred.
    PriorityFlagRecord.objects.filter(household=household).delete()
    # Merge snapshots hold every value of the merged records; the history keeps only that a merge happened.
    PersonMerge.objects.filter(household=household).update(snapshot="{}")
    HouseholdMerge.objects.filter(survivor=household).update(snapshot="{}")


def intake_drafts_expired_delete(now: datetime | None = None) -> int:
    """Unfinished intakes are personal data too: delete those past their expiry."""
    deleted, _ = IntakeDraft.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def apply_retention(*, cutoff: datetime, mode: str, dry_run: bool = False, batch_size: int = 200) -> RetentionResult:
    """De-identify (``mode="deidentify"``) or delete (``mode="purge"``) every inactive family.
    Each batch is one transaction with its audit entries, so a failure leaves no half-done family."""
    if mode not in ("deidentify", "purge"):
        raise ValueError("mode must be 'deidentify' or 'purge'")
    ids = list(inactive_households(cutoff).order_by("id").values_list("pk", flat=True))
    if not dry_run:
        intake_drafts_expired_delete()
    if dry_run:
        return RetentionResult(mode, cutoff, len(ids), 0)
    action = AuditEntry.Action.PURGE if mode == "purge" else AuditEntry.Action.DEIDENTIFY
    changed = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            households = list(Household.objects.select_for_update().filter(pk__in=batch))
            now = timezone.now()
            done = [h.pk for h in households]  # delete() clears the instance's pk
            for household in households:
                if mode == "purge":
                    household.delete()
                else:
                    _deidentify(household, now)
            audit_append(AuditLine(action=action, household_id=pk, detail="retention rule") for pk in done)
            changed += len(households)
    return RetentionResult(mode, cutoff, len(ids), changed)
