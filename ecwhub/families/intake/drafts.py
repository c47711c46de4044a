"""Unfinished intakes.

A draft keeps what was entered, valid or not (that is its point: a home visit is interrupted, the
coordinator finishes later), in the shape of the typed input (``caregiver``, ``children``,
``details``) with looser types: a date is the text typed so far, a choice any text. The check that
moves a draft on to the next step takes typed input, which the page reads from its forms and the
API from the draft (``intake_draft_parse``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from ecwhub.accounts.models import Membership, User

from ..models import INTAKE_DRAFT_LIFETIME_DAYS, IntakeDraft
from .access import intake_membership_check
from .input import IntakeError, IntakeInput, IntakePeopleInput, IntakeT, intake_check, intake_parse, intake_people_check

# Step 1: the caregiver and the children; step 2: the details. Step 3 (match and complete) holds
# nothing of its own.
INTAKE_STEPS = (1, 2)


class _Draft(BaseModel):
    model_config = ConfigDict(frozen=True)


class CaregiverDraft(_Draft):
    """``CaregiverInput`` as entered so far."""

    relationship: str = ""
    given_name: str = ""
    family_name: str = ""
    second_family_name: str = ""
    preferred_name: str = ""
    name_original_script: str = ""
    date_of_birth: str = Field(default="", description="as typed so far (YYYY-MM-DD once complete)")
    date_of_birth_estimated: bool = False
    is_pregnant: bool = False
    phone: str = ""
    email: str = ""
    preferred_contact_method: str = ""
    preferred_language: str = ""
    dialect: str = ""
    interpreter_needed: bool = False
    postal_code: str = ""
    place: str = ""
    consent_given: bool = False
    consent_method: str = ""
    consent_witness: str = ""
    consent_network_wide: bool = False
    consent_sensitive: list[str] = Field(default_factory=list)
    consent_behavioral_health: bool = False


class ChildDraft(_Draft):
    """``ChildInput`` as entered so far. A row left empty is skipped (except the first)."""

    given_name: str = ""
    family_name: str = ""
    second_family_name: str = ""
    date_of_birth: str = Field(default="", description="as typed so far (YYYY-MM-DD once complete)")
    date_of_birth_estimated: bool = False
    sex: str = ""

    def is_empty(self) -> bool:
        texts = (self.given_name, self.family_name, self.second_family_name, self.date_of_birth)
        return not any(t.strip() for t in texts) and not self.date_of_birth_estimated and self.sex in ("", "unknown")


class DetailsDraft(_Draft):
    """``DetailsInput`` as entered so far."""

    street: str = ""
    unit: str = ""
    city: str = ""
    text_ok: bool = False
    best_times: str = ""
    safe_to_leave_message: bool | None = None
    is_legal_guardian: bool = False
    sex: str = ""
    insurance_status: str = ""
    medi_cal_plan: str = ""
    medi_cal_id: str = ""
    children_insurance: str = ""
    school_or_child_care: str = ""
    flags: list[str] = Field(default_factory=list)


class IntakeDraftData(_Draft):
    """What a draft holds: each part is null until its step has been saved."""

    caregiver: CaregiverDraft | None = None
    children: list[ChildDraft] = Field(default_factory=list)
    details: DetailsDraft | None = None


def intake_start(*, acting_user: User, membership: Membership | None) -> IntakeDraft:
    """A new, empty intake draft for the user in their organization."""
    membership = intake_membership_check(membership)
    now = timezone.now()
    return IntakeDraft.objects.create(
        author=acting_user,
        organization=membership.organization,
        step=1,
        data=IntakeDraftData().model_dump_json(),
        expires_at=now + timedelta(days=INTAKE_DRAFT_LIFETIME_DAYS),
    )


def intake_draft_get(*, acting_user: User, draft_id: uuid.UUID | str) -> IntakeDraft | None:
    """The user's own unexpired draft, or None (someone else's draft is never found)."""
    try:
        return IntakeDraft.objects.get(pk=draft_id, author=acting_user, expires_at__gt=timezone.now())
    except (IntakeDraft.DoesNotExist, ValueError, TypeError, ValidationError):  # missing, or not a UUID
        return None


def intake_draft_data(draft: IntakeDraft) -> IntakeDraftData:
    return IntakeDraftData.model_validate_json(draft.data or "{}")


def intake_draft_merge(held: IntakeDraftData, entered: IntakeDraftData, step: int) -> IntakeDraftData:
    """``held`` with the part of ``step`` replaced by what was ``entered`` for it: an unticked box
    or an emptied field must not leave the earlier value behind."""
    if step == 1:
        return held.model_copy(update={"caregiver": entered.caregiver, "children": entered.children})
    return held.model_copy(update={"details": entered.details})


def intake_save_step(
    *,
    acting_user: User,
    draft: IntakeDraft,
    entered: IntakeDraftData,
    step: int,
    complete: IntakePeopleInput | None = None,
) -> dict[str, list[str]]:
    """Keep what was ``entered`` for ``step`` in the draft, valid or not: partial progress is never
    lost. With ``complete`` (the intake up to this step, read into typed input by the caller: step
    1 needs ``IntakePeopleInput``, step 2 ``IntakeInput``), check the rules between its fields and,
    when they hold, move the draft on. Returns the field errors of that check (empty when it passed
    or did not run). Raises IntakeError when the draft is not the user's."""
    if draft.author_id != acting_user.pk:
        raise IntakeError({"__all__": [_("This intake is not yours.")]})
    if step not in INTAKE_STEPS:
        raise ValueError(f"an intake has no step {step} to save")
    merged = intake_draft_merge(intake_draft_data(draft), entered, step)
    draft.data = merged.model_dump_json()
    draft.updated_at = timezone.now()
    draft.expires_at = draft.updated_at + timedelta(days=INTAKE_DRAFT_LIFETIME_DAYS)
    fields = ["data", "updated_at", "expires_at"]
    errors: dict[str, list[str]] = {}
    if complete is not None:
        try:
            if step == 1:
                intake_people_check(complete)
            elif isinstance(complete, IntakeInput):
                intake_check(complete)
            else:
                raise TypeError("step 2 is checked on the whole intake (IntakeInput)")
        except IntakeError as error:
            errors = error.fields
        else:
            draft.step = max(draft.step, step + 1)
            fields.append("step")
    draft.save(update_fields=fields)
    return errors


def intake_draft_parse(data: IntakeDraftData, model: type[IntakeT]) -> IntakeT:
    """What a draft holds as typed input (``IntakePeopleInput`` for step 1, ``IntakeInput`` for
    both). Empty child rows after the first are skipped, as on the page; errors keep the draft's
    numbering of the children. Raises IntakeError naming every field at fault."""
    kept = [index for index, child in enumerate(data.children) if index == 0 or not child.is_empty()]
    payload = {
        "caregiver": data.caregiver.model_dump() if data.caregiver is not None else {},
        "children": [data.children[index].model_dump() for index in kept],
        "details": data.details.model_dump() if data.details is not None else {},
    }
    try:
        return intake_parse(model, payload)
    except IntakeError as error:
        raise IntakeError({_draft_path(path, kept): messages for path, messages in error.fields.items()}) from None


def _draft_path(path: str, kept: list[int]) -> str:
    parts = path.split(".")
    if len(parts) > 1 and parts[0] == "children" and parts[1].isdigit():
        parts[1] = str(kept[int(parts[1])])
    return ".".join(parts)
