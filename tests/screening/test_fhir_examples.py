"""The saved real FHIR examples (HL7 Gravity SDOH Clinical Care, US Core screening examples) go
through the hub's screens and come out with the same codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecwhub.accounts.models import Membership
from ecwhub.screening import services
from ecwhub.screening.models import ScreeningAnswer, ScreeningResult
from ecwhub.screening.scoring import load_instrument
from tests.conftest import Network
from tests.shared_data import shared_path

from .conftest import ScreenFamily

pytestmark = pytest.mark.django_db


def _example(folder: str, name: str) -> dict[str, Any]:
    path = shared_path("data", "fhir", folder, name)
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _membership(network: Network) -> Membership:
    return Membership.objects.get(user=network.alice)


def test_the_gravity_hunger_vital_sign_response_scores_as_the_example_says(
    network: Network, screen_family: ScreenFamily
) -> None:
    example = _example(
        "gravity-sdohcc-2.3.0-examples", "QuestionnaireResponse-SDOHCC-QuestionnaireResponseHungerVitalSignExample.json"
    )
    expected = _example(
        "gravity-sdohcc-2.3.0-examples", "Observation-SDOHCC-ObservationResponseHungerVitalSignQuestion3Example.json"
    )
    instrument = load_instrument("hunger-vital-sign")
    response = services.screening_start(
        acting_user=network.alice,
        membership=_membership(network),
        household=screen_family.household,
        person=screen_family.mother,
        instrument_id="hunger-vital-sign",
        language="en",
    )
    asked = {item.link_id for item in instrument.items}
    for item in example["item"]:
        if item["linkId"] not in asked:
            continue  # the calculated result (88124-3) is the hub's to compute
        services.screening_answer(
            acting_user=network.alice,
            membership=_membership(network),
            response=response,
            link_id=item["linkId"],
            answer=[a["valueCoding"]["code"] for a in item["answer"]],
        )
        stored = ScreeningAnswer.objects.get(response=response, link_id=item["linkId"])
        assert stored.answer_code == item["answer"][0]["valueCoding"]["code"]
    services.screening_complete(acting_user=network.alice, membership=_membership(network), response=response)
    result = ScreeningResult.objects.get(response=response, code=expected["code"]["coding"][0]["code"])
    value = expected["valueCodeableConcept"]["coding"][0]
    assert (result.status, result.value_system, result.value_code) == ("positive", value["system"], value["code"])


AHC_ITEMS = ["71802-3", "88122-7", "88123-5", "93030-5", "95615-1", "95616-9", "95617-7", "95618-5"]


@pytest.mark.parametrize("loinc", AHC_ITEMS)
def test_us_core_ahc_item_examples_are_stored_with_their_codes(
    network: Network, screen_family: ScreenFamily, loinc: str
) -> None:
    example = _example("us-core-screening-examples", f"Observation-AHC-HRSN-item-example-{loinc}.json")
    question = example["code"]["coding"][0]
    answer = example["valueCodeableConcept"]["coding"][0]
    response = services.screening_start(
        acting_user=network.alice,
        membership=_membership(network),
        household=screen_family.household,
        person=screen_family.mother,
        instrument_id="ahc-hrsn-core",
        language="es",
    )
    services.screening_answer(
        acting_user=network.alice,
        membership=_membership(network),
        response=response,
        link_id=f"/{question['code']}",
        answer=[answer["code"]],
    )
    stored = ScreeningAnswer.objects.get(response=response)
    assert (stored.question_system, stored.question_code) == (question["system"], question["code"])
    assert (stored.answer_system, stored.answer_code) == (answer["system"], answer["code"])
