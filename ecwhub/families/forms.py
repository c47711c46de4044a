"""The shared intake form, in two short steps for a phone.

Step 1: who (the caregiver and the children), how to reach them, language, consent, and where the
intake is taken. Step 2: details (address, contact preferences, insurance, school or child care,
priority-population flags). The forms parse and check each field; ``families.services`` runs
the same forms for the HTML pages and the API, so the rules exist once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.consent.models import DataCategory
from ecwhub.core.languages import Language

from .models import (
    PRIORITY_FLAG_CATEGORY,
    ContactMethod,
    InsuranceStatus,
    IntakeRecord,
    MediCalPlan,
    Person,
    PriorityFlag,
)

# North American Numbering Plan: ten digits, area code and exchange each start with 2–9. A
# leading country code 1 and any spaces, dots, dashes or parentheses are accepted and dropped.
_PHONE_DIGITS = re.compile(r"^1?([2-9]\d{2})([2-9]\d{2})(\d{4})$")
_PHONE_CHARS = re.compile(r"^[\d\s().+-]+$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
# A Medi-Cal Client Index Number: eight digits and a check letter.
_CIN = re.compile(r"^\d{8}[A-Z]$")
EARLIEST_BIRTH = date(1900, 1, 1)
MAX_CHILDREN = 8
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a real date, for example 2021-03-14 (year-month-day).")}


def phone_normalize(value: str) -> str:
    """``(626) 555-0142``, ``626.555.0142`` or ``+1 626 555 0142`` → ``626-555-0142``; raises
    ValidationError for anything that is not a North American number."""
    value = value.strip()
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
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


class CaregiverForm(forms.Form):
    """Step 1: who is taking part, how to reach them, their language, and their consent."""

    # Only a parent, caregiver or legal guardian gives consent for the family (consent.services);
    # a grandmother raising her grandchildren is recorded as their caregiver or legal guardian.
    relationship = forms.ChoiceField(
        label=_("Role in the family"),
        choices=[
            (Person.Relationship.CAREGIVER, Person.Relationship.CAREGIVER.label),
            (Person.Relationship.LEGAL_GUARDIAN, Person.Relationship.LEGAL_GUARDIAN.label),
        ],
        initial=Person.Relationship.CAREGIVER,
    )
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    second_family_name = forms.CharField(label=_("Second family name"), max_length=100, required=False)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    name_original_script = forms.CharField(label=_("Name in original script"), max_length=200, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT, error_messages=DATE_ERRORS)
    date_of_birth_estimated = forms.BooleanField(label=_("The date of birth is estimated"), required=False)
    is_pregnant = forms.BooleanField(label=_("Pregnant"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=25,
        required=False,
        help_text=_("US number, 10 digits."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    preferred_contact_method = forms.ChoiceField(
        label=_("Best way to reach"), choices=[("", "—"), *ContactMethod.choices], required=False
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices, initial="es")
    dialect = forms.CharField(
        label=_("Dialect or variety"),
        max_length=100,
        required=False,
        help_text=_("For example Mixteco de San Juan Mixtepec."),
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    postal_code = forms.CharField(
        label=_("ZIP code"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    place = forms.ChoiceField(label=_("Where is this intake taken?"), choices=IntakeRecord.Place.choices)
    consent_given = forms.BooleanField(
        label=_(
            "The caregiver agrees that the network's members may share the family's information to "
            "coordinate care and make referrals."
        ),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("How was consent given?"),
        choices=[("signed_on_device", _("Signed on this device")), ("verbal_witnessed", _("Verbally, with a witness"))],
        initial="signed_on_device",
    )
    consent_witness = forms.CharField(label=_("Witness (for verbal consent)"), max_length=200, required=False)
    consent_network_wide = forms.BooleanField(
        label=_("Share with the whole network (otherwise only with my organization)"), required=False, initial=True
    )
    consent_sensitive = forms.MultipleChoiceField(
        label=_("Also share these sensitive categories (only if the caregiver says so)"),
        choices=[
            (DataCategory.IMMIGRATION_SENSITIVE, DataCategory.IMMIGRATION_SENSITIVE.label),
            (DataCategory.CHILD_PROTECTION, DataCategory.CHILD_PROTECTION.label),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_phone(self) -> str:
        return phone_normalize(self.cleaned_data["phone"])

    def clean_postal_code(self) -> str:
        return zip_check(self.cleaned_data["postal_code"])

    def clean_date_of_birth(self) -> date:
        value: date = self.cleaned_data["date_of_birth"]
        birth_date_check(value, who="caregiver")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("consent_given"):
            self.add_error(
                "consent_given",
                _("The hub keeps a family's information only with their consent. Ask, and tick the box."),
            )
        if data.get("consent_method") == "verbal_witnessed" and not (data.get("consent_witness") or "").strip():
            self.add_error("consent_witness", _("Verbal consent needs the name of a witness."))
        if not data.get("phone") and not data.get("email") and data.get("preferred_contact_method") != "in_person":
            self.add_error("phone", _("Give a phone number or an e-mail, or choose “In person only”."))
        return data


class ChildForm(forms.Form):
    """One child (or older sibling) in step 1. A row left fully empty is skipped."""

    given_name = forms.CharField(label=_("Child's given name"), max_length=100)
    family_name = forms.CharField(label=_("Child's family name"), max_length=100)
    second_family_name = forms.CharField(label=_("Second family name"), max_length=100, required=False)
    date_of_birth = forms.DateField(label=_("Child's date of birth"), widget=DATE_INPUT, error_messages=DATE_ERRORS)
    date_of_birth_estimated = forms.BooleanField(label=_("Estimated"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN, required=False)

    def clean_date_of_birth(self) -> date:
        value: date = self.cleaned_data["date_of_birth"]
        birth_date_check(value, who="child")
        return value


class BaseChildFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(form.cleaned_data for form in self.forms):
            raise ValidationError(_("Add at least one child (or the expected baby's caregiver as pregnant)."))


ChildFormSet = forms.formset_factory(
    ChildForm, formset=BaseChildFormSet, extra=0, min_num=1, max_num=MAX_CHILDREN, validate_max=True
)


class DetailsForm(forms.Form):
    """Step 2: the details that can wait until the family is recognised or registered."""

    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    unit = forms.CharField(label=_("Apartment or unit"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    text_ok = forms.BooleanField(label=_("Text messages are fine"), required=False)
    best_times = forms.CharField(
        label=_("Best times to reach"), max_length=200, required=False, help_text=_("For example weekday mornings.")
    )
    safe_to_leave_message = forms.ChoiceField(
        label=_("Is it safe to leave a message?"),
        choices=[("", _("Not asked")), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
    )
    is_legal_guardian = forms.BooleanField(label=_("The caregiver is a legal guardian of the children"), required=False)
    sex = forms.ChoiceField(
        label=_("Caregiver's sex"), choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN, required=False
    )
    insurance_status = forms.ChoiceField(
        label=_("Caregiver's insurance"),
        choices=InsuranceStatus.choices,
        initial=InsuranceStatus.UNKNOWN,
        required=False,
    )
    medi_cal_plan = forms.ChoiceField(
        label=_("Medi-Cal plan"), choices=[("", "—"), *MediCalPlan.choices], required=False
    )
    medi_cal_id = forms.CharField(
        label=_("Medi-Cal id (CIN)"), max_length=16, required=False, help_text=_("Eight digits and a letter.")
    )
    children_insurance = forms.ChoiceField(
        label=_("Children's insurance"),
        choices=InsuranceStatus.choices,
        initial=InsuranceStatus.UNKNOWN,
        required=False,
    )
    school_or_child_care = forms.CharField(label=_("Children's school or child care"), max_length=200, required=False)
    flags = forms.MultipleChoiceField(
        label=_("Priority populations"),
        help_text=_(
            "Refugee and undocumented need consent for immigration-sensitive information; "
            "foster care for child protection."
        ),
        choices=[(flag.value, flag.label) for flag in PRIORITY_FLAG_CATEGORY],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_medi_cal_id(self) -> str:
        value = self.cleaned_data["medi_cal_id"].strip().upper()
        if value and not _CIN.match(value):
            raise ValidationError(_("A Medi-Cal id (CIN) is eight digits and a letter, for example 91234567A."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("medi_cal_plan") and data.get("insurance_status") != InsuranceStatus.MEDI_CAL:
            self.add_error("medi_cal_plan", _("A Medi-Cal plan goes with the insurance “Medi-Cal”."))
        return data


def flags_consent_check(flags: list[str], consent_sensitive: list[str]) -> list[str]:
    """The sensitive flags chosen without the consent that covers them (``PRIORITY_FLAG_CATEGORY``)."""
    sensitive = {str(DataCategory.IMMIGRATION_SENSITIVE), str(DataCategory.CHILD_PROTECTION)}
    return [
        flag
        for flag in flags
        if PRIORITY_FLAG_CATEGORY[PriorityFlag(flag)] in sensitive
        and PRIORITY_FLAG_CATEGORY[PriorityFlag(flag)] not in consent_sensitive
    ]


class LinkForm(forms.Form):
    """Step 3: link to a family the hub knows, or create a new one."""

    choice = forms.CharField(max_length=40)
