"""Intake form data for the tests: a caregiver and one child, as the pages post them."""

from __future__ import annotations

from typing import Any

import pytest


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


@pytest.fixture
def intake_data() -> dict[str, list[str]]:
    return as_lists({**step1(), **step2()})


@pytest.fixture
def family(network):  # type: ignore[no-untyped-def]
    from tests.consent.conftest import make_family

    return make_family(network)
