"""The shared intake form, in two short steps for a phone, and how the page turns it into the
intake's typed input.

Step 1: who (the caregiver and the children), how to reach them, language, consent, and where the
intake is taken. Step 2: details (address, contact preferences, insurance, school or child care,
priority-population flags). The forms parse each field with the rules of ``families.intake.rules``
(the typed input the API reads applies the same ones); a draft keeps what was typed
(``draft_from_form_data``), and once the forms are valid the page hands ``IntakePeopleInput`` or
``IntakeInput`` to the services (``people_from_forms``, ``intake_from_forms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from ecwhub.core.languages import Language

from .intake.drafts import CaregiverDraft, ChildDraft, DetailsDraft, IntakeDraftData
from .intake.input import IntakeInput, IntakePeopleInput, IntakeT, intake_parse
from .intake.rules import (
    CAREGIVER_ROLES,
    DATE_MESSAGE,
    MAX_CHILDREN,
    NO_CHILD_MESSAGE,
    SAFE_TO_LEAVE_MESSAGE,
    SENSITIVE_CONSENT_CATEGORIES,
    birth_date_check,
    caregiver_problems,
    consent_check,
    details_problems,
    medi_cal_id_normalize,
    phone_normalize,
    zip_check,
)
from .models import PRIORITY_FLAG_CATEGORY, ContactMethod, InsuranceStatus, IntakeRecord, MediCalPlan, Person

CAREGIVER_PREFIX, CHILD_PREFIX, DETAILS_PREFIX = "cg", "child", "d"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": DATE_MESSAGE}


class CaregiverForm(forms.Form):
    """Step 1: who is taking part, how to reach them, their language, and their consent."""

    # Only a parent, caregiver or legal guardian gives consent for the family (rules.CAREGIVER_ROLES).
    relationship = forms.ChoiceField(
        label=_("Role in the family"),
        choices=[(role, Person.Relationship(role).label) for role in CAREGIVER_ROLES],
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
        choices=[(category, category.label) for category in SENSITIVE_CONSENT_CATEGORIES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Behavioral health has its own question: a depression screening (EPDS, PHQ) can be recorded
    # only with it, and a caregiver must be asked for it on its own, never by default.
    consent_behavioral_health = forms.TypedChoiceField(
        label=_(
            "May the network's members who care for the family also see its behavioral-health information "
            "(depression screenings such as EPDS or PHQ-9, and their results)?"
        ),
        help_text=_("Ask this on its own. Answer “Yes” only if the caregiver says so."),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        empty_value=False,  # type: ignore[arg-type]  # nothing chosen is "no" (the stubs expect a string)
        initial="no",
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_phone(self) -> str:
        return phone_normalize(self.cleaned_data["phone"])

    def clean_postal_code(self) -> str:
        return zip_check(self.cleaned_data["postal_code"])

    def clean_date_of_birth(self) -> date:
        value: date = self.cleaned_data["date_of_birth"]
        birth_date_check(value, who="caregiver")
        return value

    def clean_consent_given(self) -> bool:
        return consent_check(self.cleaned_data["consent_given"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = caregiver_problems(
            consent_method=data.get("consent_method") or "",
            consent_witness=data.get("consent_witness") or "",
            phone=data.get("phone") or "",
            email=data.get("email") or "",
            preferred_contact_method=data.get("preferred_contact_method") or "",
        )
        for name, message in problems.items():
            self.add_error(name, message)
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
            raise ValidationError(NO_CHILD_MESSAGE)


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
        return medi_cal_id_normalize(self.cleaned_data["medi_cal_id"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = details_problems(
            insurance_status=data.get("insurance_status") or "", medi_cal_plan=data.get("medi_cal_plan") or ""
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return data


class LinkForm(forms.Form):
    """Step 3: link to a family the hub knows, or create a new one."""

    choice = forms.CharField(max_length=40)


# --- The page's forms and the intake's typed input and drafts ----------------------------------


@dataclass(frozen=True)
class IntakeForms:
    caregiver: CaregiverForm
    children: forms.BaseFormSet[Any]
    details: DetailsForm


# Questions answered "yes" or "no" (or not yet): a boolean in the typed input and the draft.
_YES_NO = frozenset({"safe_to_leave_message", "consent_behavioral_health"})
_YES_NO_VALUE = {True: "yes", False: "no"}


def _form_values(form_class: type[forms.Form], prefix: str, part: BaseModel | None) -> dict[str, list[str]]:
    """A draft's part as the form's posted fields (a ticked box is ``on``, an unticked one absent)."""
    if part is None:
        return {}
    values: dict[str, list[str]] = {}
    for name, form_field in form_class.base_fields.items():
        value = getattr(part, name)
        key = f"{prefix}-{name}"
        if name in _YES_NO:
            values[key] = [_YES_NO_VALUE.get(value, "")]
        elif isinstance(form_field, forms.BooleanField):
            if value:
                values[key] = ["on"]
        elif isinstance(value, list):
            values[key] = [str(v) for v in value]
        else:
            values[key] = [str(value)]
    return values


def intake_form_data(data: IntakeDraftData) -> MultiValueDict[str, str]:
    """What a draft holds, as the intake forms' posted fields."""
    posted: dict[str, list[str]] = {
        **_form_values(CaregiverForm, CAREGIVER_PREFIX, data.caregiver),
        **_form_values(DetailsForm, DETAILS_PREFIX, data.details),
        f"{CHILD_PREFIX}-TOTAL_FORMS": [str(len(data.children))],
        f"{CHILD_PREFIX}-INITIAL_FORMS": ["0"],
    }
    for index, child in enumerate(data.children):
        posted.update(_form_values(ChildForm, f"{CHILD_PREFIX}-{index}", child))
    return MultiValueDict(posted)


def intake_forms(data: IntakeDraftData | None) -> IntakeForms:
    """The three forms bound to what a draft holds (unbound when ``data`` is None)."""
    if data is None:
        return IntakeForms(
            CaregiverForm(prefix=CAREGIVER_PREFIX),
            ChildFormSet(prefix=CHILD_PREFIX, initial=[{}]),
            DetailsForm(prefix=DETAILS_PREFIX),
        )
    posted = intake_form_data(data)
    return IntakeForms(
        CaregiverForm(posted, prefix=CAREGIVER_PREFIX),
        ChildFormSet(posted, prefix=CHILD_PREFIX),
        DetailsForm(posted, prefix=DETAILS_PREFIX),
    )


def _initial(form_class: type[forms.Form], part: BaseModel | None) -> dict[str, Any] | None:
    if part is None:
        return None
    values: dict[str, Any] = {}
    for name in form_class.base_fields:
        value = getattr(part, name)
        if name in _YES_NO:
            value = _YES_NO_VALUE.get(value, "")
        if value != "":  # nothing typed: the form's own initial value stands
            values[name] = value
    return values


def intake_forms_initial(data: IntakeDraftData) -> IntakeForms:
    """Unbound forms showing what a draft holds (no errors for what is not filled in yet)."""
    children = [_initial(ChildForm, child) or {} for child in data.children[:MAX_CHILDREN]] or [{}]
    return IntakeForms(
        CaregiverForm(prefix=CAREGIVER_PREFIX, initial=_initial(CaregiverForm, data.caregiver) or None),
        ChildFormSet(prefix=CHILD_PREFIX, initial=children),
        DetailsForm(prefix=DETAILS_PREFIX, initial=_initial(DetailsForm, data.details) or None),
    )


def _entered(form_class: type[forms.Form], prefix: str, posted: MultiValueDict[str, Any]) -> dict[str, Any]:
    """The form's fields as posted, read by their widgets as the form reads them, unchecked."""
    values: dict[str, Any] = {}
    for name, form_field in form_class.base_fields.items():
        raw = form_field.widget.value_from_datadict(posted, MultiValueDict(), f"{prefix}-{name}")
        if name == "safe_to_leave_message":
            values[name] = SAFE_TO_LEAVE_MESSAGE.get(raw or "")
        elif name == "consent_behavioral_health":
            values[name] = raw == "yes"
        elif isinstance(form_field, forms.BooleanField):
            values[name] = bool(raw)
        elif isinstance(form_field, forms.MultipleChoiceField):
            values[name] = [str(v) for v in raw or []]
        else:
            values[name] = raw if isinstance(raw, str) else ""
    return values


def draft_from_form_data(posted: Mapping[str, Any], step: int, *, add_child: bool = False) -> IntakeDraftData:
    """What was typed on a step's page, valid or not, as a draft's part for that step (with
    ``add_child``, one more empty child row)."""
    data = (
        posted
        if isinstance(posted, MultiValueDict)
        else MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in posted.items()})
    )
    if step != 1:
        return IntakeDraftData(details=DetailsDraft(**_entered(DetailsForm, DETAILS_PREFIX, data)))
    total = str(data.get(f"{CHILD_PREFIX}-TOTAL_FORMS", "1") or "1")
    rows = int(total) if total.isdigit() else 1
    rows = max(0, min(rows + (1 if add_child else 0), MAX_CHILDREN))
    return IntakeDraftData(
        caregiver=CaregiverDraft(**_entered(CaregiverForm, CAREGIVER_PREFIX, data)),
        children=[ChildDraft(**_entered(ChildForm, f"{CHILD_PREFIX}-{i}", data)) for i in range(rows)],
    )


def _people_payload(forms_: IntakeForms) -> dict[str, Any] | None:
    caregiver_valid = forms_.caregiver.is_valid()
    children_valid = forms_.children.is_valid()
    if not (caregiver_valid and children_valid):
        return None
    return {
        "caregiver": forms_.caregiver.cleaned_data,
        "children": [child for child in forms_.children.cleaned_data if child],
    }


def _prefilled(form: forms.Form) -> frozenset[str]:
    """The fields left as the page showed them: empty, or at the value the form pre-selects."""
    return frozenset(form.fields) - frozenset(form.changed_data)


def _with_prefilled(intake: IntakeT, forms_: IntakeForms) -> IntakeT:
    """The typed input, knowing which of its fields nobody entered (``_Input.entered``)."""
    children = [form for form in forms_.children.forms if form.cleaned_data]
    update: dict[str, Any] = {
        "caregiver": intake.caregiver.with_prefilled(_prefilled(forms_.caregiver)),
        "children": [
            child.with_prefilled(_prefilled(form)) for child, form in zip(intake.children, children, strict=True)
        ],
    }
    if isinstance(intake, IntakeInput):
        update["details"] = intake.details.with_prefilled(_prefilled(forms_.details))
    return intake.model_copy(update=update)


def people_from_forms(forms_: IntakeForms) -> IntakePeopleInput | None:
    """Step 1 as typed input, or None while the forms show errors. Raises IntakeError if the
    typed input refuses what the forms accepted (it applies the same rules, so it should not)."""
    payload = _people_payload(forms_)
    return None if payload is None else _with_prefilled(intake_parse(IntakePeopleInput, payload), forms_)


def intake_from_forms(forms_: IntakeForms) -> IntakeInput | None:
    """Both steps as typed input, or None while the forms show errors (raises IntakeError as
    ``people_from_forms``)."""
    payload = _people_payload(forms_)
    details_valid = forms_.details.is_valid()
    if payload is None or not details_valid:
        return None
    return _with_prefilled(intake_parse(IntakeInput, {**payload, "details": forms_.details.cleaned_data}), forms_)


def forms_add_errors(forms_: IntakeForms, errors: Mapping[str, list[str]]) -> None:
    """Show the services' field errors (``caregiver.phone``, ``children.0.sex``, ``details.flags``)
    on the form fields they name; an error about no single field goes at the top of the form."""
    for path, messages in errors.items():
        parts = path.split(".")
        form: forms.Form = forms_.caregiver
        name: str | None = None
        if parts[0] in ("caregiver", "details") and len(parts) > 1:
            form = forms_.caregiver if parts[0] == "caregiver" else forms_.details
            name = parts[1]
        elif parts[0] == "children" and len(parts) > 2 and parts[1].isdigit() and int(parts[1]) < len(forms_.children):
            form, name = forms_.children.forms[int(parts[1])], parts[2]
        form.is_valid()  # an error is added to a checked form (a no-op when it was checked already)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
