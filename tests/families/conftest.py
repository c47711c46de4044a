"""Intake data for the tests: a caregiver and one child, as the pages post them (``step1``,
``step2``) and as an API client sends them (``intake_json``), with the same facts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ecwhub.families.forms import draft_from_form_data, intake_forms, intake_from_forms
from ecwhub.families.intake.drafts import intake_draft_merge
from ecwhub.families.intake.input import IntakeInput


def step1(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "cg-relationship": "caregiver",
        "cg-given_name": "Rosa",
        "cg-family_name": "Mendoza",
        "cg-second_family_name": "Cruz",
        "cg-date_of_birth": "1994-06-12",
        "cg-phone": "(626) 555-0142",
        "cg-email": "",
        "cg-preferred_contact_method": "text",
        "cg-preferred_language": "es",
        "cg-dialect": "",
        "cg-postal_code": "91733",
        "cg-place": "home_visit",
        "cg-consent_given": "on",
        "cg-consent_method": "signed_on_device",
        "cg-consent_network_wide": "on",
        "child-TOTAL_FORMS": "1",
        "child-INITIAL_FORMS": "0",
        "child-0-given_name": "Mateo",
        "child-0-family_name": "Mendoza",
        "child-0-date_of_birth": "2023-09-02",
        "child-0-sex": "male",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def step2(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "d-street": "410 Garvey Ave",
        "d-city": "El Monte",
        "d-text_ok": "on",
        "d-best_times": "weekday mornings",
        "d-safe_to_leave_message": "no",
        "d-sex": "female",
        "d-insurance_status": "medi_cal",
        "d-medi_cal_plan": "la_care",
        "d-medi_cal_id": "91234567A",
        "d-children_insurance": "medi_cal",
        "d-school_or_child_care": "Head Start Garvey",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def as_lists(data: dict[str, Any]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in data.items()}


def typed(data: dict[str, Any]) -> IntakeInput:
    """The pages' posted fields as typed input, read as the intake page reads them (its forms)."""
    draft = intake_draft_merge(draft_from_form_data(data, 1), draft_from_form_data(data, 2), 2)
    forms = intake_forms(draft)
    intake = intake_from_forms(forms)
    assert intake is not None, (forms.caregiver.errors, forms.children.errors, forms.details.errors)
    return intake


def intake_json(**overrides: Any) -> dict[str, Any]:
    """The facts of ``step1()`` and ``step2()`` as the API's JSON body. ``overrides`` are set by
    path, ``caregiver__phone="..."`` or ``children__0__sex="..."``; None removes the key."""
    body: dict[str, Any] = {
        "caregiver": {
            "relationship": "caregiver",
            "given_name": "Rosa",
            "family_name": "Mendoza",
            "second_family_name": "Cruz",
            "date_of_birth": "1994-06-12",
            "phone": "(626) 555-0142",
            "email": "",
            "preferred_contact_method": "text",
            "preferred_language": "es",
            "dialect": "",
            "postal_code": "91733",
            "place": "home_visit",
            "consent_given": True,
            "consent_method": "signed_on_device",
            "consent_network_wide": True,
        },
        "children": [{"given_name": "Mateo", "family_name": "Mendoza", "date_of_birth": "2023-09-02", "sex": "male"}],
        "details": {
            "street": "410 Garvey Ave",
            "city": "El Monte",
            "text_ok": True,
            "best_times": "weekday mornings",
            "safe_to_leave_message": False,
            "sex": "female",
            "insurance_status": "medi_cal",
            "medi_cal_plan": "la_care",
            "medi_cal_id": "91234567A",
            "children_insurance": "medi_cal",
            "school_or_child_care": "Head Start Garvey",
        },
    }
    body = copy.deepcopy(body)
    for path, value in overrides.items():
        *parents, name = path.split("__")
        target: Any = body
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(name) if isinstance(target, list) else name
        if value is None:
            del target[key]
        else:
            target[key] = value
    return body


@pytest.fixture
def intake_data() -> dict[str, list[str]]:
    return as_lists({**step1(), **step2()})


@pytest.fixture
def family(network):  # type: ignore[no-untyped-def]
    from tests.consent.conftest import make_family

    return make_family(network)
