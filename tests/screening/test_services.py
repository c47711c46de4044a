"""Screens as the coordinator and the family take them: answers saved as they go, declined
answers recorded, completion all or nothing, needs with evidence and the family's priorities."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from django.db import IntegrityError

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import DataCategory
from ecwhub.screening import services
from ecwhub.screening.models import (
    Finding,
    IdentifiedNeed,
    NeedStatusChange,
    ScreeningAlert,
    ScreeningAnswer,
    ScreeningResponse,
    ScreeningResult,
)
from ecwhub.screening.scoring import DECLINED
from ecwhub.screening.services import ScreeningError
from tests.conftest import Network

from .conftest import ScreenFamily

pytestmark = pytest.mark.django_db

SAFE = {"/95618-5": "LA6270-8", "/95617-7": "LA6270-8", "/95616-9": "LA6270-8", "/95615-1": "LA6270-8"}


def _start(network: Network, family: ScreenFamily, instrument: str, language: str = "en") -> ScreeningResponse:
    return services.screening_start(
        acting_user=network.alice,
        membership=Membership.objects.get(user=network.alice),
        household=family.household,
        person=family.mother,
        instrument_id=instrument,
        language=language,
    )


def _answer(network: Network, response: ScreeningResponse, answers: Mapping[str, object]) -> list[ScreeningAlert]:
    raised = []
    for link_id, answer in answers.items():
        value = answer if answer is DECLINED else ([answer] if isinstance(answer, str) else list(answer))  # type: ignore[call-overload]
        raised += services.screening_answer(
            acting_user=network.alice,
            membership=Membership.objects.get(user=network.alice),
            response=response,
            link_id=link_id,
            answer=value,  # type: ignore[arg-type]
        )
    return raised


def _complete(network: Network, response: ScreeningResponse):  # type: ignore[no-untyped-def]
    return services.screening_complete(
        acting_user=network.alice, membership=Membership.objects.get(user=network.alice), response=response
    )


AHC_POSITIVE_FOOD = {
    "/71802-3": "LA31993-1",
    "/96778-6": ["LA9-3"],
    "/88122-7": "LA6729-3",
    "/88123-5": "LA28398-8",
    "/93030-5": "LA32-8",
    "/96779-4": "LA32-8",
    **SAFE,
}


def test_it_records_answers_with_their_codes_and_scores(network: Network, screen_family: ScreenFamily) -> None:
    response = _start(network, screen_family, "ahc-hrsn-core", "es")
    _answer(network, response, {"/88122-7": "LA6729-3", "/96778-6": ["LA28580-1", "LA32001-2"]})
    food = ScreeningAnswer.objects.get(response=response, link_id="/88122-7")
    assert (food.question_code, food.answer_code, food.answer_system) == ("88122-7", "LA6729-3", "http://loinc.org")
    assert sorted(ScreeningAnswer.objects.filter(link_id="/96778-6").values_list("answer_code", flat=True)) == [
        "LA28580-1",
        "LA32001-2",
    ]
    assert food.category == DataCategory.SCREENING_RESULTS


def test_a_declined_answer_is_recorded_not_treated_as_no(network: Network, screen_family: ScreenFamily) -> None:
    response = _start(network, screen_family, "hunger-vital-sign")
    _answer(network, response, {"/88122-7": DECLINED, "/88123-5": "LA28398-8"})
    row = ScreeningAnswer.objects.get(response=response, link_id="/88122-7")
    assert row.declined and row.answer_code == ""
    _complete(network, response)
    result = ScreeningResult.objects.get(response=response, rule="food-insecurity")
    assert result.status == "incomplete"
    assert not IdentifiedNeed.objects.filter(household=screen_family.household).exists()


def test_a_partial_screen_resumes_where_it_stopped(network: Network, screen_family: ScreenFamily) -> None:
    response = _start(network, screen_family, "ahc-hrsn-core")
    _answer(network, response, {"/71802-3": "LA31994-9", "/96778-6": ["LA9-3"]})
    again = ScreeningResponse.objects.get(pk=response.pk)
    assert again.status == ScreeningResponse.Status.IN_PROGRESS
    assert services.answers_of(again) == {"/71802-3": "LA31994-9", "/96778-6": ("LA9-3",)}
    with pytest.raises(ScreeningError) as error:
        _complete(network, again)
    assert error.value.field == "answers" and "/88122-7" in error.value.message
    assert not ScreeningResult.objects.filter(response=response).exists()
    # Changing an answer replaces it.
    _answer(network, again, {"/71802-3": "LA31993-1"})
    assert services.answers_of(again)["/71802-3"] == "LA31993-1"


def test_completion_writes_totals_findings_and_needs_with_evidence(
    network: Network, screen_family: ScreenFamily
) -> None:
    response = _start(network, screen_family, "ahc-hrsn-core")
    _answer(network, response, AHC_POSITIVE_FOOD)
    result = _complete(network, response)
    assert result.need_codes == {"food-insecurity"}
    finding = Finding.objects.get(response=response)
    assert (finding.system, finding.code) == ("http://snomed.info/sct", "733423003")
    assert {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z59.4", "display": "Lack of adequate food"} in (
        finding.also
    )
    assert finding.evidence == [{"instrument": "ahc-hrsn-core", "link_id": "/88122-7", "answer": "LA6729-3"}]
    need = IdentifiedNeed.objects.get(household=screen_family.household)
    assert (need.need, need.status, need.person) == ("food-insecurity", "identified", screen_family.mother)
    assert need.evidence == finding.evidence
    safety = ScreeningResult.objects.get(response=response, rule="interpersonal-safety")
    assert (safety.total, safety.status, safety.category) == (4, "negative", DataCategory.INTERPERSONAL_SAFETY)
    assert ScreeningResponse.objects.get(pk=response.pk).completed_at is not None


def test_a_second_positive_screen_adds_evidence_to_the_open_need(network: Network, screen_family: ScreenFamily) -> None:
    first = _start(network, screen_family, "ahc-hrsn-core")
    _answer(network, first, AHC_POSITIVE_FOOD)
    _complete(network, first)
    second = _start(network, screen_family, "hunger-vital-sign")
    _answer(network, second, {"/88122-7": "LA28398-8", "/88123-5": "LA28397-0"})
    _complete(network, second)
    need = IdentifiedNeed.objects.get(household=screen_family.household)
    assert need.source_response == second
    assert {e["instrument"] for e in need.evidence} == {"ahc-hrsn-core", "hunger-vital-sign"}
    assert NeedStatusChange.objects.filter(need=need).count() == 2


def test_completion_is_all_or_nothing(network: Network, screen_family: ScreenFamily, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    response = _start(network, screen_family, "ahc-hrsn-core")
    _answer(network, response, AHC_POSITIVE_FOOD)

    def boom(*args: object, **kwargs: object) -> None:
        raise IntegrityError("disk full")

    monkeypatch.setattr(services, "_raise_alerts", boom)
    with pytest.raises(IntegrityError):
        _complete(network, response)
    assert ScreeningResponse.objects.get(pk=response.pk).status == "in_progress"
    assert not Finding.objects.exists() and not IdentifiedNeed.objects.exists() and not ScreeningResult.objects.exists()


def test_answers_to_a_skipped_question_are_refused(network: Network, screen_family: ScreenFamily) -> None:
    response = _start(network, screen_family, "phq-2-9")
    _answer(network, response, {"/44250-9": "LA6568-5", "/44255-8": "LA6569-3"})  # PHQ-2 = 1: PHQ-9 skipped
    with pytest.raises(ScreeningError) as error:
        _answer(network, response, {"/44259-0": "LA6568-5"})
    assert error.value.field == "link_id"
    result = _complete(network, response)
    assert result.totals == {"phq2": 1}
    assert ScreeningResult.objects.get(response=response, rule="phq9").status == "not-applicable"


def test_an_unknown_option_names_the_field(network: Network, screen_family: ScreenFamily) -> None:
    response = _start(network, screen_family, "epds")
    with pytest.raises(ScreeningError) as error:
        _answer(network, response, {"/71355-2": "LA-nope"})
    assert error.value.field == "answer"
    with pytest.raises(ScreeningError) as error:
        _answer(network, response, {"/nope": "x"})
    assert error.value.field == "link_id"
    assert not ScreeningAnswer.objects.exists()


def test_epds_rows_are_behavioral_health(network: Network, screen_family: ScreenFamily) -> None:
    response = _start(network, screen_family, "epds")
    assert response.category == DataCategory.BEHAVIORAL_HEALTH
    _answer(network, response, {"/71355-2": "epds-1-0"})
    assert ScreeningAnswer.objects.get(response=response).category == DataCategory.BEHAVIORAL_HEALTH


def test_a_coordinator_without_behavioral_health_consent_cannot_give_the_epds(network: Network) -> None:
    from .conftest import make_screen_family

    family = make_screen_family(network, sensitive=False)
    with pytest.raises(ScreeningError) as error:
        _start(network, family, "epds")
    assert error.value.field == "household"
    assert _start(network, family, "ahc-hrsn-core").category == DataCategory.SCREENING_RESULTS


def test_another_organization_cannot_start_a_screen(network: Network, screen_family: ScreenFamily) -> None:
    with pytest.raises(ScreeningError):
        services.screening_start(
            acting_user=network.bob,
            membership=Membership.objects.get(user=network.bob),
            household=screen_family.household,
            person=screen_family.mother,
            instrument_id="ahc-hrsn-core",
            language="en",
        )
    assert not ScreeningResponse.objects.exists()


def test_the_family_states_its_priorities(network: Network, screen_family: ScreenFamily) -> None:
    response = _start(network, screen_family, "ahc-hrsn-core")
    answers = {**AHC_POSITIVE_FOOD, "/71802-3": "LA31994-9", "/93030-5": "LA33-6"}
    _answer(network, response, answers)
    _complete(network, response)
    needs = {n.need: n for n in IdentifiedNeed.objects.filter(household=screen_family.household)}
    assert set(needs) == {"food-insecurity", "housing-instability", "transportation-insecurity"}
    membership = Membership.objects.get(user=network.alice)
    services.need_set_status(
        acting_user=network.alice,
        membership=membership,
        need=needs["transportation-insecurity"],
        status="declined_help",
    )
    with pytest.raises(ScreeningError):
        services.needs_prioritise(
            acting_user=network.alice,
            membership=membership,
            household=screen_family.household,
            ordered=[str(needs["transportation-insecurity"].pk)],
        )
    services.needs_prioritise(
        acting_user=network.alice,
        membership=membership,
        household=screen_family.household,
        ordered=[str(needs["housing-instability"].pk), str(needs["food-insecurity"].pk)],
    )
    ordered = list(IdentifiedNeed.objects.filter(household=screen_family.household))
    assert [(n.need, n.priority, n.status) for n in ordered] == [
        ("housing-instability", 1, "wants_help"),
        ("food-insecurity", 2, "wants_help"),
        ("transportation-insecurity", None, "declined_help"),
    ]
    history = NeedStatusChange.objects.filter(need=needs["housing-instability"]).values_list("to_status", flat=True)
    assert list(history) == ["identified", "wants_help"]
    services.need_set_status(
        acting_user=network.alice, membership=membership, need=needs["food-insecurity"], status="addressed"
    )
    with pytest.raises(ScreeningError):
        services.need_set_status(
            acting_user=network.alice, membership=membership, need=needs["food-insecurity"], status="identified"
        )


def _epds_answers(total: int) -> dict[str, str]:
    """Items 1–9 adding up to ``total`` (each 0–3), item 10 (self-harm) "never"."""
    links = ["/71355-2", "/71356-0", "/71357-8", "/71358-6", "/71359-4", "/71360-2", "/71361-0", "/71362-8", "/71363-6"]
    answers = {}
    left = total
    for number, link_id in enumerate(links, start=1):
        score = min(3, left)
        left -= score
        answers[link_id] = f"epds-{number}-{score}"
    answers["/71364-4"] = "epds-10-0"
    return answers


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("total", "status", "need"), [(9, "negative", False), (10, "positive", True), (13, "positive", True)]
)
def test_epds_thresholds_through_the_whole_path(
    network: Network, screen_family: ScreenFamily, language: str, total: int, status: str, need: bool
) -> None:
    response = _start(network, screen_family, "epds", language)
    _answer(network, response, _epds_answers(total))
    _complete(network, response)
    result = ScreeningResult.objects.get(response=response, rule="epds-total")
    assert (result.total, result.status, result.code) == (total, status, "99046-5")
    assert IdentifiedNeed.objects.filter(need="maternal-mental-health").exists() is need
    assert not ScreeningAlert.objects.exists()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("first", "total", "alert"), [("LA16644-9", 10, False), ("LA6482-9", 11, True)])
def test_the_safety_threshold_through_the_whole_path(
    network: Network, screen_family: ScreenFamily, language: str, first: str, total: int, alert: bool
) -> None:
    response = _start(network, screen_family, "ahc-hrsn-core", language)
    answers = {
        **AHC_POSITIVE_FOOD,
        "/95618-5": first,
        "/95617-7": "LA10066-1",
        "/95616-9": "LA10066-1",
        "/95615-1": "LA10066-1",
    }
    raised = _answer(network, response, answers)
    assert [a.kind for a in raised] == (["interpersonal-safety"] if alert else [])
    _complete(network, response)
    result = ScreeningResult.objects.get(response=response, rule="interpersonal-safety")
    assert result.total == total
    assert IdentifiedNeed.objects.filter(need="intimate-partner-violence").exists() is alert
    if alert:
        need = IdentifiedNeed.objects.get(need="intimate-partner-violence")
        assert need.category == DataCategory.INTERPERSONAL_SAFETY
    assert ScreeningAlert.objects.count() == (1 if alert else 0)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_declined_phq2_item_skips_the_phq9_and_leaves_the_result_open(
    network: Network, screen_family: ScreenFamily, language: str
) -> None:
    response = _start(network, screen_family, "phq-2-9", language)
    _answer(network, response, {"/44250-9": "LA6571-9", "/44255-8": DECLINED})
    result = _complete(network, response)
    assert result.enabled == ("/44250-9", "/44255-8")
    assert ScreeningResult.objects.get(response=response, rule="phq2").status == "incomplete"
    assert not IdentifiedNeed.objects.exists()
