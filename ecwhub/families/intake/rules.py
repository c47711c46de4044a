"""The intake's rules, written once.

A rule on one value (a phone number, a ZIP code, a date of birth, a Medi-Cal id) raises Django's
``ValidationError`` with the message people see; a rule between values (a witness for verbal
consent, a way to reach the family, a Medi-Cal plan only with Medi-Cal, a sensitive flag only with
its consent) returns the messages by field. The page's forms (``families.forms``) and the typed
input (``families.intake.input``) both call these functions, so a value is judged the same way
whether a coordinator types it or an API client sends it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from ecwhub.consent.models import DataCategory

from ..models import PRIORITY_FLAG_CATEGORY, ContactMethod, InsuranceStatus, PriorityFlag

# North American Numbering Plan: ten digits, area code and exchange each start with 2–9. A
# leading country code 1 and any spaces, dots, dashes or parentheses are accepted and dropped.
# The digits 0-9 only: Python's \d also takes other scripts' digits (١٢, ０１), which would be stored
# as typed and never match, dial or text.
_PHONE_DIGITS = re.compile(r"^1?([2-9][0-9]{2})([2-9][0-9]{2})([0-9]{4})$")
_PHONE_CHARS = re.compile(r"^[0-9\s().+-]+$")
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
# A Medi-Cal Client Index Number: eight digits and a check letter.
_CIN = re.compile(r"^[0-9]{8}[A-Z]$")
EARLIEST_BIRTH = date(1900, 1, 1)
MAX_CHILDREN = 8
DATE_MESSAGE = _("Enter a real date, for example 2021-03-14 (year-month-day).")
NO_CHILD_MESSAGE = _("Add at least one child (or the expected baby's caregiver as pregnant).")
FLAGS_CONSENT_MESSAGE = _(
    "The family's consent does not cover this: add the category in step 1 "
    "(immigration-sensitive for refugee or undocumented, child protection for foster care), "
    "or leave the flag out."
)
# The sensitive categories a caregiver may add to the intake's consent.
SENSITIVE_CONSENT_CATEGORIES = (DataCategory.IMMIGRATION_SENSITIVE, DataCategory.CHILD_PROTECTION)
# Who may be the caregiver of an intake: only a parent, caregiver or legal guardian gives consent
# for the family (consent.services); a grandmother raising her grandchildren is recorded as their
# caregiver or legal guardian.
CAREGIVER_ROLES = ("caregiver", "legal_guardian")
CONSENT_METHODS = ("signed_on_device", "verbal_witnessed")
SAFE_TO_LEAVE_MESSAGE = {"yes": True, "no": False}


def phone_normalize(value: str) -> str:
    """``(626) 555-0142``, ``626.555.0142`` or ``+1 626 555 0142`` → ``626-555-0142``; raises
    ValidationError for anything that is not a North American number."""
    value = value.strip()
    if not value:
        return ""
    digits = re.sub(r"[^0-9]", "", value)
    match = _PHONE_DIGITS.match(digits) if _PHONE_CHARS.match(value) else None
    if match is None:
        raise ValidationError(
            _(
                "Enter a 10-digit US phone number, for example 626-555-0142. The area code and the next "
                "three digits cannot start with 0 or 1."
            ),
            code="phone",
        )
    return "-".join(match.groups())


def birth_date_check(value: date | None, *, who: str) -> None:
    if value is None:
        return
    if value > timezone.localdate():
        if who == "child":
            raise ValidationError(
                _(
                    "A child's date of birth cannot be after today. For a baby on the way, tick "
                    "“pregnant” for the caregiver instead."
                ),
                code="future",
            )
        raise ValidationError(_("The date of birth cannot be after today."), code="future")
    if value < EARLIEST_BIRTH:
        raise ValidationError(_("The date of birth is too far in the past. Check the year."), code="past")


def zip_check(value: str) -> str:
    value = value.strip()
    if value and not _ZIP.match(value):
        raise ValidationError(_("Enter a five-digit ZIP code, for example 91801."), code="zip")
    return value


def medi_cal_id_normalize(value: str) -> str:
    value = value.strip().upper()
    if value and not _CIN.match(value):
        raise ValidationError(_("A Medi-Cal id (CIN) is eight digits and a letter, for example 91234567A."))
    return value


def consent_check(given: bool) -> bool:
    if not given:
        raise ValidationError(
            _("The hub keeps a family's information only with their consent. Ask, and tick the box."), code="consent"
        )
    return given


def caregiver_problems(
    *, consent_method: str, consent_witness: str, phone: str, email: str, preferred_contact_method: str
) -> dict[str, StrPromise]:
    """The caregiver's fields that do not hold together, with the reason (empty when they do)."""
    problems: dict[str, StrPromise] = {}
    if consent_method == "verbal_witnessed" and not consent_witness.strip():
        problems["consent_witness"] = _("Verbal consent needs the name of a witness.")
    if not phone and not email and preferred_contact_method != ContactMethod.IN_PERSON:
        problems["phone"] = _("Give a phone number or an e-mail, or choose “In person only”.")
    return problems


def details_problems(*, insurance_status: str, medi_cal_plan: str) -> dict[str, StrPromise]:
    """The details that do not hold together, with the reason (empty when they do)."""
    if medi_cal_plan and insurance_status != InsuranceStatus.MEDI_CAL:
        return {"medi_cal_plan": _("A Medi-Cal plan goes with the insurance “Medi-Cal”.")}
    return {}


def flags_consent_check(flags: Iterable[str], consent_sensitive: Iterable[str]) -> list[str]:
    """The sensitive flags chosen without the consent that covers them (``PRIORITY_FLAG_CATEGORY``)."""
    sensitive = {str(category) for category in SENSITIVE_CONSENT_CATEGORIES}
    consented = {str(category) for category in consent_sensitive}
    return [
        flag
        for flag in flags
        if PRIORITY_FLAG_CATEGORY[PriorityFlag(flag)] in sensitive
        and PRIORITY_FLAG_CATEGORY[PriorityFlag(flag)] not in consented
    ]
