"""The intake as typed data.

``IntakePeopleInput`` is step 1 (the caregiver and the children), ``IntakeInput`` both steps (with
the details). The page builds them from its validated forms (``families.forms``), the API from its
JSON body (these models are its request schemas, so the OpenAPI publishes every field), and the
services of this package take them.

Each field applies the rule of ``rules`` that the form field applies, with the same message: a
string is stripped and checked for length, a date must be a real ``YYYY-MM-DD`` date in the allowed
range, a choice must be one of the model's values, a phone number or a Medi-Cal id is normalised.
The rules between fields (``intake_check``) run in the services, on the typed input, whoever built
it. Errors name the field as the typed data does: ``caregiver.phone``, ``children.0.date_of_birth``,
``details.flags``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Self, TypeVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.forms.formsets import BaseFormSet
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PrivateAttr,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from ecwhub.core.languages import Language

from ..models import PRIORITY_FLAG_CATEGORY, ContactMethod, InsuranceStatus, IntakeRecord, MediCalPlan, Person
from .rules import (
    CAREGIVER_ROLES,
    CONSENT_METHODS,
    DATE_MESSAGE,
    FLAGS_CONSENT_MESSAGE,
    MAX_CHILDREN,
    NO_CHILD_MESSAGE,
    SENSITIVE_CONSENT_CATEGORIES,
    birth_date_check,
    caregiver_problems,
    consent_check,
    details_problems,
    flags_consent_check,
    medi_cal_id_normalize,
    phone_normalize,
    zip_check,
)

# Django's own messages (and their translations) for what every form field checks.
REQUIRED = forms.Field.default_error_messages["required"]
INVALID_CHOICE = forms.ChoiceField.default_error_messages["invalid_choice"]
TOO_MANY_CHILDREN = BaseFormSet.default_error_messages["too_many_forms"]


class IntakeError(ValueError):
    """Bad input for an intake. ``fields`` maps each field at fault, named as in the typed input
    (``caregiver.phone``, ``children.0.date_of_birth``; ``__all__`` for the whole intake), to its
    messages."""

    def __init__(self, fields: Mapping[str, Sequence[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = {k: list(v) for k, v in fields.items()}


def _refuse(message: Any) -> PydanticCustomError:
    # The message goes in the context: a brace in a translation must not be read as a placeholder.
    return PydanticCustomError("intake", "{message}", {"message": str(message)})


def _django_rule(check: Callable[[Any], Any], value: Any) -> Any:
    try:
        result = check(value)
    except DjangoValidationError as error:
        raise _refuse(" ".join(str(m) for m in error.messages)) from None
    return value if result is None else result


@dataclass(frozen=True)
class Text:
    """Text as a form field reads it: stripped, at most ``max_length`` characters, and not empty
    when ``required``."""

    max_length: int
    required: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._validate, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["maxLength"] = self.max_length
        if self.required:
            json_schema["minLength"] = 1
        return json_schema

    def _validate(self, value: str) -> str:
        value = value.strip()
        if self.required and not value:
            raise _refuse(REQUIRED)
        return str(_django_rule(MaxLengthValidator(self.max_length), value))


_NO_EMPTY = object()


@dataclass(frozen=True)
class Choice:
    """One of ``values`` (a model's TextChoices values, or some of them). An empty value (``""``
    or null) is refused as missing, unless ``empty`` says what it stands for."""

    values: tuple[str, ...]
    empty: Any = _NO_EMPTY

    def __init__(self, values: Iterable[str], *, empty: Any = _NO_EMPTY) -> None:
        object.__setattr__(self, "values", tuple(str(v) for v in values))
        object.__setattr__(self, "empty", str(empty) if isinstance(empty, str) else empty)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self._validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        choice: JsonSchemaValue = {"type": "string", "enum": list(self.values)}
        return {"anyOf": [choice, {"type": "null"}]} if self.empty is None else choice

    def _validate(self, value: Any) -> Any:
        if value in ("", None):
            if self.empty is _NO_EMPTY:
                raise _refuse(REQUIRED)
            return self.empty
        if not isinstance(value, str) or value not in self.values:
            raise _refuse(INVALID_CHOICE % {"value": value})
        return value


@dataclass(frozen=True)
class IsoDate:
    """A real calendar date written ``YYYY-MM-DD`` (JSON has no date type)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self._validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "format": "date"}

    def _validate(self, value: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if value in ("", None):
            raise _refuse(REQUIRED)
        text = value.strip() if isinstance(value, str) else ""
        # date.fromisoformat also reads week dates and "20210314": only the written-out form is a date here.
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        raise _refuse(DATE_MESSAGE)


@dataclass(frozen=True)
class Rule:
    """A rule of ``rules`` applied after the type is read: its ValidationError message becomes the
    field's error, and what it returns (a normalised value) the field's value."""

    check: Callable[[Any], Any]
    schema: dict[str, Any] = field(default_factory=dict)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            functools.partial(_django_rule, self.check), handler(source)
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), **self.schema}


def _email(value: str) -> str:
    if value:
        validate_email(value)
    return value


def _children_count(children: list[Any]) -> list[Any]:
    if not children:
        raise DjangoValidationError(NO_CHILD_MESSAGE)
    if len(children) > MAX_CHILDREN:
        raise DjangoValidationError(TOO_MANY_CHILDREN % {"num": MAX_CHILDREN})
    return children


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


Name = Annotated[str, Text(100, required=True)]
CaregiverBirthDate = Annotated[date, IsoDate(), Rule(functools.partial(birth_date_check, who="caregiver"))]
ChildBirthDate = Annotated[date, IsoDate(), Rule(functools.partial(birth_date_check, who="child"))]
SexChoice = Annotated[str, Choice(Person.Sex.values, empty=Person.Sex.UNKNOWN)]
InsuranceChoice = Annotated[str, Choice(InsuranceStatus.values, empty=InsuranceStatus.UNKNOWN)]


class _Input(BaseModel):
    # Typed input is a value: once read, nothing changes it on its way through the services.
    model_config = ConfigDict(frozen=True)
    # The fields a person left as the page showed them (empty, or a value the form pre-selects:
    # Spanish, "caregiver", "unknown"). They are not facts anyone entered, so linking an intake to
    # a family the hub knew never lets them replace what the family holds. The page sets them
    # (``families.forms``); through the API, a field left out of the body is not entered either.
    _prefilled: frozenset[str] = PrivateAttr(default=frozenset())

    def entered(self, name: str) -> bool:
        """Whether ``name`` holds what someone entered (or changed), not a default."""
        return name in self.model_fields_set and name not in self._prefilled

    def with_prefilled(self, names: Iterable[str]) -> Self:
        """A copy that knows ``names`` were left as the page pre-filled them."""
        copy = self.model_copy()
        copy._prefilled = frozenset(names)
        return copy


class CaregiverInput(_Input):
    """Step 1: the caregiver, how to reach them, their language, their consent, and where the
    intake is taken."""

    relationship: Annotated[str, Choice(CAREGIVER_ROLES)] = Field(
        description="the caregiver's role in the family (only a caregiver or legal guardian gives consent)"
    )
    given_name: Name
    family_name: Name
    second_family_name: Annotated[str, Text(100)] = ""
    preferred_name: Annotated[str, Text(100)] = ""
    name_original_script: Annotated[str, Text(200)] = Field(default="", description="the name in its own script")
    date_of_birth: CaregiverBirthDate = Field(description="not after today, not before 1900")
    date_of_birth_estimated: bool = False
    is_pregnant: bool = False
    phone: Annotated[str, Text(25), Rule(phone_normalize)] = Field(
        default="",
        description="a 10-digit US number; spaces, dots, dashes, parentheses and a leading +1 are "
        "accepted and dropped; stored as 626-555-0142",
    )
    email: Annotated[str, Text(320), Rule(_email)] = Field(default="", description="an e-mail address")
    preferred_contact_method: Annotated[str | None, Choice(ContactMethod.values, empty=None)] = Field(
        default=None, description="best way to reach; a phone or an e-mail is needed unless it is in_person"
    )
    preferred_language: Annotated[str, Choice(Language.values)] = Field(description="BCP 47 tag")
    dialect: Annotated[str, Text(100)] = Field(default="", description="for example Mixteco de San Juan Mixtepec")
    interpreter_needed: bool = False
    postal_code: Annotated[str, Text(10, required=True), Rule(zip_check)] = Field(
        description="five-digit ZIP code, or ZIP+4"
    )
    place: Annotated[str, Choice(IntakeRecord.Place.values)] = Field(description="where the intake is taken")
    consent_given: Annotated[bool, Rule(consent_check)] = Field(
        description="the family agrees that the network's members share its information to coordinate care and "
        "make referrals; must be true"
    )
    consent_method: Annotated[str, Choice(CONSENT_METHODS)] = Field(description="how consent was given")
    consent_witness: Annotated[str, Text(200)] = Field(default="", description="required for verbal_witnessed consent")
    consent_network_wide: bool = Field(
        default=False, description="share with the whole network (else only this organization)"
    )
    consent_sensitive: list[Annotated[str, Choice(SENSITIVE_CONSENT_CATEGORIES)]] = Field(
        default_factory=list, description="sensitive categories the caregiver also agrees to share"
    )
    consent_behavioral_health: bool = Field(
        default=False,
        description="asked on its own: the caregiver also agrees to share behavioral-health information "
        "(depression screenings such as EPDS or PHQ-9); false unless they say so",
    )


class ChildInput(_Input):
    """Step 1: one child (or older sibling)."""

    given_name: Name
    family_name: Name
    second_family_name: Annotated[str, Text(100)] = ""
    date_of_birth: ChildBirthDate = Field(
        description="not after today (for a baby on the way, mark the caregiver pregnant), not before 1900"
    )
    date_of_birth_estimated: bool = False
    sex: SexChoice = Person.Sex.UNKNOWN.value


class DetailsInput(_Input):
    """Step 2: the details that can wait until the family is recognised or registered."""

    street: Annotated[str, Text(200)] = ""
    unit: Annotated[str, Text(40)] = ""
    city: Annotated[str, Text(100)] = ""
    text_ok: bool = Field(default=False, description="text messages are fine")
    best_times: Annotated[str, Text(200)] = Field(
        default="", description="best times to reach, for example weekday mornings"
    )
    safe_to_leave_message: Annotated[bool | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, description="null until asked: a voicemail can put a family at risk"
    )
    is_legal_guardian: bool = Field(default=False, description="the caregiver is a legal guardian of the children")
    sex: SexChoice = Field(default=Person.Sex.UNKNOWN.value, description="the caregiver's sex")
    insurance_status: InsuranceChoice = Field(
        default=InsuranceStatus.UNKNOWN.value, description="the caregiver's insurance"
    )
    medi_cal_plan: Annotated[str | None, Choice(MediCalPlan.values, empty=None)] = Field(
        default=None, description="only with the insurance medi_cal"
    )
    medi_cal_id: Annotated[str, Text(16), Rule(medi_cal_id_normalize)] = Field(
        default="", description="Medi-Cal Client Index Number: eight digits and a letter"
    )
    children_insurance: InsuranceChoice = InsuranceStatus.UNKNOWN.value
    school_or_child_care: Annotated[str, Text(200)] = Field(
        default="", description="the children's school or child care"
    )
    flags: list[Annotated[str, Choice(PRIORITY_FLAG_CATEGORY)]] = Field(
        default_factory=list,
        description="priority populations; refugee and undocumented need the immigration_sensitive consent, "
        "foster needs child_protection",
    )


class IntakePeopleInput(_Input):
    """Step 1 of an intake: who (what the search for known families needs)."""

    caregiver: CaregiverInput
    children: Annotated[list[ChildInput], Rule(_children_count, {"minItems": 1, "maxItems": MAX_CHILDREN})] = Field(
        description="the children and older siblings, at least one"
    )


class IntakeInput(IntakePeopleInput):
    """A whole intake: step 1 and the details of step 2."""

    # A factory, not a default value: the OpenAPI then shows the details' schema, not a copy of every default.
    details: DetailsInput = Field(default_factory=lambda: DetailsInput())


IntakeT = TypeVar("IntakeT", bound=IntakePeopleInput)


def error_fields(error: PydanticValidationError) -> dict[str, list[str]]:
    """A typed-input ValidationError as field → messages (``children.0.date_of_birth``)."""
    fields: dict[str, list[str]] = {}
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"]) or "__all__"
        # A field left out is missing like an empty form field, and is said so the same way.
        message = str(REQUIRED) if item["type"] == "missing" else str(item["msg"])
        fields.setdefault(path, []).append(message)
    return fields


def intake_parse(model: type[IntakeT], data: Mapping[str, Any]) -> IntakeT:
    """``data`` (JSON-shaped: ``caregiver``, ``children``, ``details``) as typed input; raises
    IntakeError naming every field at fault."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        raise IntakeError(error_fields(error)) from None


def _problems(prefix: str, problems: Mapping[str, Any]) -> dict[str, list[str]]:
    return {f"{prefix}.{name}": [str(message)] for name, message in problems.items()}


def intake_people_check(intake: IntakePeopleInput) -> None:
    """The rules between the fields of step 1. Raises IntakeError."""
    caregiver = intake.caregiver
    errors = _problems(
        "caregiver",
        caregiver_problems(
            consent_method=caregiver.consent_method,
            consent_witness=caregiver.consent_witness,
            phone=caregiver.phone,
            email=caregiver.email,
            preferred_contact_method=caregiver.preferred_contact_method or "",
        ),
    )
    if errors:
        raise IntakeError(errors)


def intake_check(intake: IntakeInput) -> None:
    """The rules between the fields of both steps. Raises IntakeError."""
    intake_people_check(intake)
    details = intake.details
    errors = _problems(
        "details",
        details_problems(insurance_status=details.insurance_status, medi_cal_plan=details.medi_cal_plan or ""),
    )
    if not errors and flags_consent_check(details.flags, intake.caregiver.consent_sensitive):
        errors["details.flags"] = [str(FLAGS_CONSENT_MESSAGE)]
    if errors:
        raise IntakeError(errors)
