"""A phone number is stored in the digits 0-9 only: one typed with other scripts' digits (Arabic-Indic,
full-width) would never match, dial or text, so it is refused with the usual clear message."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ecwhub.families.intake.rules import phone_normalize
from ecwhub.families.models import Household, Person
from tests.conftest import Network, signed_in
from tests.families.conftest import intake_json, step1

pytestmark = pytest.mark.django_db

FOREIGN_DIGITS = ["+1 (626) 555-01١٢", "６２６-555-0142", "626-555-०१४२"]


@pytest.mark.parametrize("typed", FOREIGN_DIGITS)
def test_phone_digits_from_other_scripts_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        phone_normalize(typed)


def test_ascii_phones_are_still_normalised() -> None:
    assert phone_normalize("+1 (626) 555-0142") == "626-555-0142"


@pytest.mark.parametrize("typed", FOREIGN_DIGITS)
def test_the_api_refuses_them_naming_the_field(network: Network, typed: str) -> None:
    client = signed_in(Client(), network.alice)
    body = json.dumps(intake_json(caregiver__phone=typed))
    response = client.post("/api/v1/intakes", body, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["caregiver.phone"]
    assert not Household.objects.exists()


def test_the_intake_page_refuses_them(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    start = client.post("/families/intake/", {})
    draft = start["Location"].split("/intake/")[1].split("/")[0]
    response = client.post(
        f"/families/intake/{draft}/step/1/", {**step1(**{"cg-phone": FOREIGN_DIGITS[0]}), "action": "next"}
    )
    assert response.status_code == 400
    assert "10-digit US phone number" in response.content.decode()
    assert not Person.objects.filter(phone__contains="١").exists()


@pytest.mark.parametrize(
    ("field", "typed"),
    [("caregiver__postal_code", "٩١٧٣٣"), ("details__medi_cal_id", "٩1234567A")],
)
def test_zip_codes_and_medi_cal_ids_take_the_digits_0_9_only(network: Network, field: str, typed: str) -> None:
    client = signed_in(Client(), network.alice)
    body = json.dumps(intake_json(**{field: typed}))
    response = client.post("/api/v1/intakes", body, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field.replace("__", ".")]
