"""The shipped instruments score by their published rules.

Each threshold is tested on both sides, a declined answer is never read as a "no", skipped
items never count, and a broken definition is refused with the path of what is wrong.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecwhub.core.needs import Need
from ecwhub.screening.instruments import INSTRUMENTS_DIR, available_instruments
from ecwhub.screening.scoring import (
    DECLINED,
    Answer,
    AnswerError,
    Evidence,
    Instrument,
    InstrumentError,
    enabled_items,
    load_instrument,
    score,
)

SHIPPED = ["ahc-hrsn-core", "epds", "hunger-vital-sign", "phq-2-9"]

# AHC HRSN linkIds and answers
LIVING = "/71802-3"
PROBLEMS = "/96778-6"
FOOD_WORRY = "/88122-7"
FOOD_DIDNT_LAST = "/88123-5"
TRANSPORT = "/93030-5"
UTILITIES = "/96779-4"
SAFETY = ["/95618-5", "/95617-7", "/95616-9", "/95615-1"]
STEADY, WORRIED, NO_STEADY = "LA31993-1", "LA31994-9", "LA31995-6"
OFTEN, SOMETIMES, NEVER, DONT_KNOW = "LA28397-0", "LA6729-3", "LA28398-8", "LA15775-2"
YES, NO, SHUT_OFF = "LA33-6", "LA32-8", "LA32002-0"
NONE_OF_THE_ABOVE = "LA9-3"
FREQUENCY = {1: "LA6270-8", 2: "LA10066-1", 3: "LA10082-8", 4: "LA16644-9", 5: "LA6482-9"}

# PHQ
PHQ_ITEMS = ["/44250-9", "/44255-8", "/44259-0", "/44254-1", "/44251-7", "/44258-2", "/44252-5", "/44253-3", "/44260-8"]
PHQ_SELF_HARM = "/44260-8"
PHQ_ANSWER = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}

# EPDS
EPDS_ITEMS = ["/71355-2", "/71356-0", "/71357-8", "/71358-6", "/71359-4", "/71360-2", "/71361-0", "/71362-8"]
EPDS_ITEMS += ["/71363-6", "/71364-4"]
EPDS_SELF_HARM = "/71364-4"


def epds_answer(item_number: int, points: int) -> str:
    return f"epds-{item_number}-{points}"


def epds_answers(points: list[int]) -> dict[str, Answer]:
    return {link_id: epds_answer(n + 1, p) for n, (link_id, p) in enumerate(zip(EPDS_ITEMS, points, strict=True))}


def split(total: int, count: int, low: int, high: int) -> list[int]:
    """Item scores between low and high that add up to total."""
    scores = [low] * count
    remaining = total - low * count
    for i in range(count):
        step = min(high - low, remaining)
        scores[i] += step
        remaining -= step
    assert remaining == 0
    return scores


def safety(total: int) -> dict[str, Answer]:
    return {link_id: FREQUENCY[s] for link_id, s in zip(SAFETY, split(total, 4, 1, 5), strict=True)}


def ahc_all_negative() -> dict[str, Answer]:
    return {
        LIVING: STEADY,
        PROBLEMS: [NONE_OF_THE_ABOVE],
        FOOD_WORRY: NEVER,
        FOOD_DIDNT_LAST: NEVER,
        TRANSPORT: NO,
        UTILITIES: NO,
        **safety(4),
    }


@pytest.fixture(scope="module")
def ahc() -> Instrument:
    return load_instrument("ahc-hrsn-core")


@pytest.fixture(scope="module")
def hvs() -> Instrument:
    return load_instrument("hunger-vital-sign")


@pytest.fixture(scope="module")
def phq_instrument() -> Instrument:
    return load_instrument("phq-2-9")


@pytest.fixture(scope="module")
def epds() -> Instrument:
    return load_instrument("epds")


# Definitions ------------------------------------------------------------------------------------


def test_the_hub_ships_the_core_instruments() -> None:
    assert set(SHIPPED) <= set(available_instruments())


@pytest.mark.parametrize("instrument_id", SHIPPED)
def test_every_item_and_option_reads_in_english_and_spanish(instrument_id: str) -> None:
    instrument = load_instrument(instrument_id)
    assert instrument.title.en and instrument.title.es
    for item in instrument.items:
        assert item.text.en.strip() and item.text.es.strip()
        assert item.text.en != item.text.es
        for option in item.options:
            assert option.display.en.strip() and option.display.es.strip()


@pytest.mark.parametrize("instrument_id", SHIPPED)
def test_every_item_carries_its_loinc_code(instrument_id: str) -> None:
    instrument = load_instrument(instrument_id)
    assert instrument.code is not None and instrument.code.system == "http://loinc.org"
    for item in instrument.items:
        assert item.code.system == "http://loinc.org"
        assert item.link_id == f"/{item.code.code}"


@pytest.mark.parametrize("instrument_id", SHIPPED)
def test_a_translated_instrument_says_so(instrument_id: str) -> None:
    raw = json.loads((INSTRUMENTS_DIR / f"{instrument_id}.json").read_text(encoding="utf-8"))
    assert raw["es_source"] == "translation"


def test_the_spanish_text_of_the_living_situation_question(ahc: Instrument) -> None:
    item = ahc.item(LIVING)
    assert item.text.get("es") == "¿Cuál es su situación de vivienda hoy?"
    assert item.text.get("en") == "What is your living situation today?"
    option = item.option(STEADY)
    assert option is not None
    assert option.display.get("es-MX") == "Tengo un lugar estable donde vivir"


def test_phq_answers_read_naturally_in_spanish(phq_instrument: Instrument) -> None:
    displays = [o.display.es for o in phq_instrument.item(PHQ_ITEMS[0]).options]
    assert displays == ["Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días"]


@pytest.mark.parametrize(
    ("instrument_id", "rule", "bounds"),
    [
        ("ahc-hrsn-core", "interpersonal-safety", (4, 20)),
        ("phq-2-9", "phq2", (0, 6)),
        ("phq-2-9", "phq9", (0, 27)),
        ("epds", "epds-total", (0, 30)),
    ],
)
def test_sum_ranges_match_the_published_instruments(instrument_id: str, rule: str, bounds: tuple[int, int]) -> None:
    assert load_instrument(instrument_id).score_range(rule) == bounds


@pytest.mark.parametrize(
    ("item_number", "printed_scores"),
    [(1, [0, 1, 2, 3]), (2, [0, 1, 2, 3]), (4, [0, 1, 2, 3])] + [(n, [3, 2, 1, 0]) for n in (3, 5, 6, 7, 8, 9, 10)],
)
def test_epds_items_are_scored_forward_or_reversed_as_printed(
    epds: Instrument, item_number: int, printed_scores: list[int]
) -> None:
    options = epds.item(EPDS_ITEMS[item_number - 1]).options
    assert [o.score for o in options] == printed_scores


# AHC HRSN ---------------------------------------------------------------------------------------


def test_a_screen_with_no_positive_answers_identifies_nothing(ahc: Instrument) -> None:
    result = score(ahc, ahc_all_negative())
    assert result.needs == ()
    assert result.findings == ()
    assert result.urgent == ()
    assert result.incomplete == ()
    assert {fact.status for fact in result.facts.values()} == {"negative"}
    assert result.totals == {"interpersonal-safety": 4}


@pytest.mark.parametrize(
    ("answer", "needs"),
    [
        (STEADY, set()),
        (WORRIED, {Need.HOUSING_INSTABILITY}),
        (NO_STEADY, {Need.HOMELESSNESS}),
    ],
)
def test_living_situation_decides_between_instability_and_homelessness(
    ahc: Instrument, answer: str, needs: set[Need]
) -> None:
    result = score(ahc, {**ahc_all_negative(), LIVING: answer})
    assert result.need_codes == {n.value for n in needs}


def test_homelessness_carries_its_snomed_and_icd10_codes(ahc: Instrument) -> None:
    result = score(ahc, {LIVING: NO_STEADY})
    (finding,) = result.findings
    assert (finding.system, finding.code) == ("http://snomed.info/sct", "32911000")
    assert [c.code for c in finding.also] == ["Z59.0"]
    assert finding.evidence == (Evidence(LIVING, NO_STEADY),)


@pytest.mark.parametrize(
    "problems",
    [["LA31996-4"], ["LA28580-1", "LA32001-2"], ["LA31997-2", "LA31998-0", "LA31999-8", "LA32000-4"]],
)
def test_any_housing_problem_is_inadequate_housing(ahc: Instrument, problems: list[str]) -> None:
    result = score(ahc, {PROBLEMS: problems})
    assert result.need_codes == {Need.INADEQUATE_HOUSING.value}
    (need,) = result.needs
    assert need.evidence == (Evidence(PROBLEMS, tuple(problems)),)


def test_none_of_the_above_is_not_a_housing_problem(ahc: Instrument) -> None:
    result = score(ahc, {PROBLEMS: [NONE_OF_THE_ABOVE]})
    assert result.facts["inadequate-housing"].status == "negative"


def test_none_of_the_above_cannot_be_chosen_with_a_problem(ahc: Instrument) -> None:
    with pytest.raises(AnswerError, match="LA9-3"):
        score(ahc, {PROBLEMS: [NONE_OF_THE_ABOVE, "LA28580-1"]})


def test_a_single_choice_question_takes_one_answer(ahc: Instrument) -> None:
    with pytest.raises(AnswerError, match="takes one answer"):
        score(ahc, {LIVING: [STEADY, WORRIED]})


@pytest.mark.parametrize(
    ("worry", "didnt_last", "positive"),
    [
        (OFTEN, NEVER, True),
        (SOMETIMES, NEVER, True),
        (NEVER, OFTEN, True),
        (NEVER, SOMETIMES, True),
        (OFTEN, SOMETIMES, True),
        (NEVER, NEVER, False),
    ],
)
def test_food_insecurity_when_either_food_question_is_true(
    ahc: Instrument, worry: str, didnt_last: str, positive: bool
) -> None:
    result = score(ahc, {FOOD_WORRY: worry, FOOD_DIDNT_LAST: didnt_last})
    assert (Need.FOOD_INSECURITY.value in result.need_codes) is positive


@pytest.mark.parametrize(("answer", "positive"), [(YES, True), (NO, False)])
def test_transportation(ahc: Instrument, answer: str, positive: bool) -> None:
    result = score(ahc, {TRANSPORT: answer})
    assert (Need.TRANSPORTATION_INSECURITY.value in result.need_codes) is positive


@pytest.mark.parametrize(("answer", "positive"), [(YES, True), (SHUT_OFF, True), (NO, False)])
def test_utilities_threatened_or_already_shut_off(ahc: Instrument, answer: str, positive: bool) -> None:
    result = score(ahc, {UTILITIES: answer})
    assert (Need.UTILITY_INSECURITY.value in result.need_codes) is positive


@pytest.mark.parametrize(("total", "positive"), [(4, False), (10, False), (11, True), (12, True), (20, True)])
def test_interpersonal_safety_is_positive_from_eleven(ahc: Instrument, total: int, positive: bool) -> None:
    result = score(ahc, safety(total))
    assert result.totals["interpersonal-safety"] == total
    assert result.facts["interpersonal-safety"].status == ("positive" if positive else "negative")
    assert (Need.INTERPERSONAL_SAFETY.value in result.need_codes) is positive
    assert ("interpersonal-safety" in result.urgent_kinds) is positive


def test_the_safety_total_is_reported_with_its_loinc_code(ahc: Instrument) -> None:
    fact = score(ahc, safety(11)).facts["interpersonal-safety"]
    assert fact.code is not None and fact.code.code == "95614-4"
    assert fact.total == 11


@pytest.mark.parametrize("declined", SAFETY)
def test_a_declined_safety_item_leaves_the_total_incomplete(ahc: Instrument, declined: str) -> None:
    # Three items at "frequently" would reach 15 with any fourth answer; still, no total is guessed.
    answers = {**ahc_all_negative(), **{link_id: FREQUENCY[5] for link_id in SAFETY}}
    answers[declined] = DECLINED
    result = score(ahc, answers)
    assert "interpersonal-safety" not in result.totals
    assert result.facts["interpersonal-safety"].status == "incomplete"
    assert [(i.rule, i.reason, i.link_ids) for i in result.incomplete] == [
        ("interpersonal-safety", "declined", (declined,))
    ]
    assert result.urgent == ()
    assert result.declined == (declined,)


def test_an_unanswered_safety_item_is_reported_as_unanswered(ahc: Instrument) -> None:
    answers = {**ahc_all_negative(), **safety(8)}
    del answers[SAFETY[2]]
    result = score(ahc, answers)
    assert [(i.reason, i.link_ids) for i in result.incomplete] == [("unanswered", (SAFETY[2],))]


@pytest.mark.parametrize(
    ("link_id", "rule"),
    [
        (LIVING, "housing-instability"),
        (LIVING, "homelessness"),
        (PROBLEMS, "inadequate-housing"),
        (TRANSPORT, "transportation-insecurity"),
        (UTILITIES, "utility-insecurity"),
    ],
)
def test_a_declined_question_is_recorded_never_negative(ahc: Instrument, link_id: str, rule: str) -> None:
    result = score(ahc, {**ahc_all_negative(), link_id: DECLINED})
    assert result.facts[rule].status == "incomplete"
    assert any(i.rule == rule and i.reason == "declined" and i.link_ids == (link_id,) for i in result.incomplete)
    assert link_id in result.declined


def test_a_declined_food_question_does_not_hide_a_positive_one(ahc: Instrument) -> None:
    result = score(ahc, {FOOD_WORRY: DECLINED, FOOD_DIDNT_LAST: SOMETIMES})
    assert result.facts["food-insecurity"].status == "positive"
    (need,) = result.needs
    assert need.evidence == (Evidence(FOOD_DIDNT_LAST, SOMETIMES),)


def test_a_declined_food_question_next_to_a_never_is_not_a_no(ahc: Instrument) -> None:
    result = score(ahc, {FOOD_WORRY: DECLINED, FOOD_DIDNT_LAST: NEVER})
    assert result.facts["food-insecurity"].status == "incomplete"


def test_several_needs_at_once_each_with_evidence(ahc: Instrument) -> None:
    answers = {
        **ahc_all_negative(),
        LIVING: WORRIED,
        PROBLEMS: ["LA28580-1"],
        FOOD_WORRY: OFTEN,
        UTILITIES: SHUT_OFF,
        **safety(13),
    }
    result = score(ahc, answers)
    assert result.need_codes == {
        "housing-instability",
        "inadequate-housing",
        "food-insecurity",
        "utility-insecurity",
        "intimate-partner-violence",
    }
    evidence = {need.need: need.evidence for need in result.needs}
    assert evidence[Need.UTILITY_INSECURITY] == (Evidence(UTILITIES, SHUT_OFF),)
    assert {e.link_id for e in evidence[Need.INTERPERSONAL_SAFETY]} == set(SAFETY)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"/00000-0": YES}, "no item '/00000-0'"),
        ({TRANSPORT: "LA99999-9"}, "'LA99999-9' is not an option of '/93030-5'"),
        ({PROBLEMS: []}, "empty answer"),
    ],
)
def test_answers_that_do_not_fit_are_refused(ahc: Instrument, answers: dict[str, Answer], message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        score(ahc, answers)


# Hunger Vital Sign ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("worry", "didnt_last", "status", "value"),
    [
        (OFTEN, NEVER, "positive", "LA19952-3"),
        (NEVER, SOMETIMES, "positive", "LA19952-3"),
        (SOMETIMES, SOMETIMES, "positive", "LA19952-3"),
        (NEVER, NEVER, "negative", "LA19983-8"),
        (DONT_KNOW, OFTEN, "positive", "LA19952-3"),
        (DONT_KNOW, NEVER, "incomplete", None),
        (DONT_KNOW, DONT_KNOW, "incomplete", None),
    ],
)
def test_hunger_vital_sign_result(hvs: Instrument, worry: str, didnt_last: str, status: str, value: str | None) -> None:
    fact = score(hvs, {FOOD_WORRY: worry, FOOD_DIDNT_LAST: didnt_last}).facts["food-insecurity"]
    assert fact.status == status
    assert fact.code is not None and fact.code.code == "88124-3"
    assert (fact.value.code if fact.value else None) == value


def test_dont_know_or_refused_counts_as_declined(hvs: Instrument) -> None:
    result = score(hvs, {FOOD_WORRY: DONT_KNOW, FOOD_DIDNT_LAST: NEVER})
    assert result.declined == (FOOD_WORRY,)


def test_hunger_vital_sign_is_empty_when_nothing_was_answered(hvs: Instrument) -> None:
    result = score(hvs, {})
    assert result.facts["food-insecurity"].status == "incomplete"
    assert result.facts["food-insecurity"].value is None
    assert result.needs == ()


def test_positive_hunger_vital_sign_is_food_insecurity_with_its_codes(hvs: Instrument) -> None:
    result = score(hvs, {FOOD_WORRY: OFTEN, FOOD_DIDNT_LAST: NEVER})
    (finding,) = result.findings
    assert (finding.system, finding.code, finding.display) == ("http://snomed.info/sct", "733423003", "Food insecurity")
    assert [(c.system, c.code) for c in finding.also] == [("http://hl7.org/fhir/sid/icd-10-cm", "Z59.4")]
    assert finding.evidence == (Evidence(FOOD_WORRY, OFTEN),)
    assert result.need_codes == {"food-insecurity"}


# PHQ-2 / PHQ-9 ----------------------------------------------------------------------------------


def phq(*scores: int) -> dict[str, Answer]:
    return {link_id: PHQ_ANSWER[s] for link_id, s in zip(PHQ_ITEMS, scores, strict=False)}


@pytest.mark.parametrize(
    ("scores", "positive"),
    [
        ((0, 0), False),
        ((1, 1), False),
        ((2, 0), False),
        ((0, 2), False),
        ((2, 1), True),
        ((3, 0), True),
        ((3, 3), True),
    ],
)
def test_phq2_is_positive_from_three(phq_instrument: Instrument, scores: tuple[int, int], positive: bool) -> None:
    result = score(phq_instrument, phq(*scores))
    assert result.totals["phq2"] == sum(scores)
    assert result.facts["phq2"].status == ("positive" if positive else "negative")
    assert (Need.MATERNAL_MENTAL_HEALTH.value in result.need_codes) is positive


@pytest.mark.parametrize(("scores", "phq9_enabled"), [((1, 1), False), ((2, 1), True), ((0, 3), True)])
def test_phq9_items_open_only_after_a_positive_phq2(
    phq_instrument: Instrument, scores: tuple[int, int], phq9_enabled: bool
) -> None:
    enabled = enabled_items(phq_instrument, phq(*scores))
    assert enabled == (PHQ_ITEMS if phq9_enabled else PHQ_ITEMS[:2])


def test_a_declined_phq2_item_opens_nothing_and_says_why(phq_instrument: Instrument) -> None:
    result = score(phq_instrument, {PHQ_ITEMS[0]: PHQ_ANSWER[3], PHQ_ITEMS[1]: DECLINED})
    assert result.enabled == tuple(PHQ_ITEMS[:2])
    assert "phq2" not in result.totals
    assert [(i.rule, i.reason) for i in result.incomplete] == [("phq2", "declined")]


def test_answers_to_skipped_phq9_items_are_ignored(phq_instrument: Instrument) -> None:
    # PHQ-2 total 2: the PHQ-9 was not asked, so a stray answer to item 9 raises no flag.
    result = score(phq_instrument, phq(1, 1, 3, 3, 3, 3, 3, 3, 3))
    assert result.urgent == ()
    assert "phq9" not in result.totals
    assert result.facts["phq9"].status == "not-applicable"
    assert result.facts["phq9-self-harm"].status == "not-applicable"
    assert result.incomplete == ()


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (3, None),
        (4, None),
        (5, "phq9-mild"),
        (9, "phq9-mild"),
        (10, "phq9-moderate"),
        (14, "phq9-moderate"),
        (15, "phq9-moderately-severe"),
        (19, "phq9-moderately-severe"),
        (20, "phq9-severe"),
        (27, "phq9-severe"),
    ],
)
def test_phq9_severity_bands(phq_instrument: Instrument, total: int, band: str | None) -> None:
    # PHQ-2 carries 3 so that the PHQ-9 is asked; item 9 stays at 0 to keep the flag out of the way.
    rest = split(total - 3, 6, 0, 3) if total <= 21 else [3] * 6
    scores = [3, 0, *rest, 0] if total <= 21 else [3, 3, *rest, total - 24]
    answers = phq(*scores)
    result = score(phq_instrument, answers)
    assert result.totals["phq9"] == total
    bands = [f.code for f in result.findings if f.rule == "phq9"]
    assert bands == ([band] if band else [])


@pytest.mark.parametrize(
    ("total", "status", "band", "low", "high"),
    [
        (3, "negative", "None or minimal", 0, 4),
        (5, "positive", "Mild", 5, 9),
        (14, "positive", "Moderate", 10, 14),
        (19, "positive", "Moderately severe", 15, 19),
        (27, "positive", "Severe", 20, 27),
    ],
)
def test_a_phq9_total_in_a_band_with_a_finding_is_positive_and_names_its_band(
    phq_instrument: Instrument, total: int, status: str, band: str, low: int, high: int
) -> None:
    scores = [3, 0, *split(total - 3, 7, 0, 3)] if total < 27 else [3] * 9
    result = score(phq_instrument, phq(*scores))
    assert result.totals["phq9"] == total
    assert result.facts["phq9"].status == status, "a severity finding sat beside a negative result"
    found, band_low, band_high = phq_instrument.band_of("phq9", total)
    assert found is not None and found.label is not None
    assert (found.label.en, band_low, band_high) == (band, low, high)
    assert found.label.es and found.label.es != found.label.en


@pytest.mark.parametrize(("total", "side"), [(0, (0, 2)), (2, (0, 2)), (3, (3, 6)), (6, (3, 6))])
def test_a_thresholded_total_names_its_side_of_the_threshold(
    phq_instrument: Instrument, total: int, side: tuple[int, int]
) -> None:
    assert phq_instrument.band_of("phq2", total) == (None, *side)


@pytest.mark.parametrize(("points", "urgent"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item_nine_above_zero_is_urgent(phq_instrument: Instrument, points: int, urgent: bool) -> None:
    result = score(phq_instrument, phq(2, 1, 0, 0, 0, 0, 0, 0, points))
    assert ("self-harm" in result.urgent_kinds) is urgent
    if urgent:
        (flag,) = result.urgent
        assert flag.evidence == (Evidence(PHQ_SELF_HARM, PHQ_ANSWER[points]),)


def test_phq9_with_a_declined_item_has_no_total(phq_instrument: Instrument) -> None:
    answers = phq(2, 1, 1, 1, 1, 1, 1, 1, 0)
    answers[PHQ_ITEMS[4]] = DECLINED
    result = score(phq_instrument, answers)
    assert "phq9" not in result.totals
    assert result.totals["phq2"] == 3
    assert [(i.rule, i.reason, i.link_ids) for i in result.incomplete] == [("phq9", "declined", (PHQ_ITEMS[4],))]


def test_declined_self_harm_item_is_not_a_no(phq_instrument: Instrument) -> None:
    answers = phq(3, 3)
    answers[PHQ_SELF_HARM] = DECLINED
    result = score(phq_instrument, answers)
    assert result.facts["phq9-self-harm"].status == "incomplete"


# EPDS -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "finding", "need"),
    [
        (0, None, False),
        (9, None, False),
        (10, "epds-possible-depression", True),
        (12, "epds-possible-depression", True),
        (13, "epds-probable-depression", True),
        (30, "epds-probable-depression", True),
    ],
)
def test_epds_cut_offs(epds: Instrument, total: int, finding: str | None, need: bool) -> None:
    # Item 10 stays at 0 so that only the total speaks.
    points = [*split(total, 9, 0, 3), 0] if total <= 27 else [3] * 9 + [total - 27]
    result = score(epds, epds_answers(points))
    assert result.totals["epds-total"] == total
    assert [f.code for f in result.findings if f.rule == "epds-total"] == ([finding] if finding else [])
    assert (Need.MATERNAL_MENTAL_HEALTH.value in result.need_codes) is need


@pytest.mark.parametrize(("points", "urgent"), [(0, False), (1, True), (2, True), (3, True)])
def test_epds_item_ten_above_zero_is_urgent_whatever_the_total(epds: Instrument, points: int, urgent: bool) -> None:
    result = score(epds, epds_answers([0] * 9 + [points]))
    assert ("self-harm" in result.urgent_kinds) is urgent
    assert result.totals["epds-total"] == points


def test_a_declined_epds_item_leaves_the_total_incomplete(epds: Instrument) -> None:
    answers = epds_answers([3] * 10)
    answers[EPDS_ITEMS[0]] = DECLINED
    result = score(epds, answers)
    assert "epds-total" not in result.totals
    assert result.need_codes == set()
    # The self-harm answer still raises its flag: it does not depend on the total.
    assert result.urgent_kinds == {"self-harm"}


# Properties -------------------------------------------------------------------------------------

_safety_answer = st.one_of(st.sampled_from(sorted(FREQUENCY.values())), st.just(DECLINED))


@given(st.lists(_safety_answer, min_size=4, max_size=4))
def test_a_sum_is_within_its_bounds_and_never_computed_over_a_declined_item(answers: list[Answer]) -> None:
    instrument = load_instrument("ahc-hrsn-core")
    result = score(instrument, dict(zip(SAFETY, answers, strict=True)))
    if any(a is DECLINED for a in answers):
        assert "interpersonal-safety" not in result.totals
        assert result.facts["interpersonal-safety"].status == "incomplete"
    else:
        low, high = instrument.score_range("interpersonal-safety")
        assert low <= result.totals["interpersonal-safety"] <= high
        assert (result.totals["interpersonal-safety"] >= 11) == ("interpersonal-safety" in result.urgent_kinds)


@given(st.lists(st.sampled_from(range(4)), min_size=9, max_size=9))
def test_phq9_is_totalled_only_when_phq2_opened_it(scores: list[int]) -> None:
    instrument = load_instrument("phq-2-9")
    result = score(instrument, phq(*scores))
    if scores[0] + scores[1] >= 3:
        assert result.totals["phq9"] == sum(scores)
    else:
        assert "phq9" not in result.totals
        assert result.urgent == ()


# Broken definitions -----------------------------------------------------------------------------


def broken_copy(tmp_path: Path, instrument_id: str, breaks: Any) -> Path:
    raw = json.loads((INSTRUMENTS_DIR / f"{instrument_id}.json").read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    breaks(raw)
    path = tmp_path / f"{instrument_id}-broken.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def _set(path: list[Any], value: Any) -> Any:
    def apply(raw: Any) -> None:
        target = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return apply


def _delete(path: list[Any]) -> Any:
    def apply(raw: Any) -> None:
        target = raw
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return apply


@pytest.mark.parametrize(
    ("instrument_id", "breaks", "where", "problem"),
    [
        (
            "ahc-hrsn-core",
            _set(["scoring", "rules", 6, "items", 2], "/95616-0"),
            "$.scoring.rules[6].items[2]",
            "unknown linkId '/95616-0'",
        ),
        (
            "ahc-hrsn-core",
            _set(["scoring", "rules", 5, "answers", 1], "LA32002-9"),
            "$.scoring.rules[5].answers[1]",
            "'LA32002-9' is not an option",
        ),
        ("ahc-hrsn-core", _set(["scoring", "rules", 0, "need"], "housing"), "$.scoring.rules[0].need", "not a need"),
        ("ahc-hrsn-core", _set(["scoring", "rules", 0, "type"], "max"), "$.scoring.rules[0].type", "'max'"),
        ("ahc-hrsn-core", _set(["scoring", "rules", 6, "urgent"], "loud"), "$.scoring.rules[6].urgent", "'loud'"),
        ("ahc-hrsn-core", _delete(["item", 0, "text", "es"]), "$.item[0].text.es", "non-empty string"),
        (
            "ahc-hrsn-core",
            _delete(["item", 1, "answerOption", 2, "display", "es"]),
            "$.item[1].answerOption[2].display.es",
            "non-empty string",
        ),
        ("ahc-hrsn-core", _set(["item", 3, "linkId"], "/88122-7"), "$.item[3].linkId", "used twice"),
        ("ahc-hrsn-core", _set(["item", 0, "type"], "string"), "$.item[0].type", "'string'"),
        (
            "phq-2-9",
            _set(["item", 4, "enableWhen", 0, "rule"], "phq10"),
            "$.item[4].enableWhen[0].rule",
            "not a sum rule",
        ),
        (
            "phq-2-9",
            _set(["item", 4, "enableWhen", 0, "operator"], "~"),
            "$.item[4].enableWhen[0].operator",
            "'~'",
        ),
        (
            "phq-2-9",
            _set(["item", 4, "enableWhen", 0], {"question": "/44260-8", "operator": "=", "answer": "LA6568-5"}),
            "$.item[4].enableWhen[0].question",
            "not an earlier item",
        ),
        (
            "phq-2-9",
            _set(["item", 4, "enableWhen", 0], {"question": "/44250-9", "operator": "=", "answer": "LA0000-0"}),
            "$.item[4].enableWhen[0].answer",
            "not an option of '/44250-9'",
        ),
        (
            "phq-2-9",
            _set(["item", 4, "enableWhen", 0], {"operator": "=", "answer": "LA6568-5"}),
            "$.item[4].enableWhen[0]",
            "exactly one of",
        ),
        (
            "phq-2-9",
            _set(["scoring", "rules", 1, "bands", 2, "min"], 4),
            "$.scoring.rules[1].bands[2].min",
            "must rise",
        ),
        ("epds", _delete(["item", 9, "answerOption", 0, "score"]), "$.scoring.rules[0].items[9]", "score on every"),
        (
            "phq-2-9",
            _delete(["scoring", "rules", 1, "bands", 3, "label"]),
            "$.scoring.rules[1].bands[3].label",
            "object",
        ),
        ("phq-2-9", _delete(["scoring", "rules", 1, "bands", 0]), "$.scoring.rules[1].bands[0].min", "lowest total, 0"),
        (
            "ahc-hrsn-core",
            _delete(["scoring", "rules", 1, "finding", "title", "es"]),
            "$.scoring.rules[1].finding.title.es",
            "non-empty string",
        ),
    ],
)
def test_a_broken_definition_is_refused_with_its_path(
    tmp_path: Path, instrument_id: str, breaks: Any, where: str, problem: str
) -> None:
    path = broken_copy(tmp_path, instrument_id, breaks)
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path)
    assert raised.value.instrument == instrument_id
    assert raised.value.path == where
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"{instrument_id}: {where}: ")


def test_a_broken_definition_loads_by_path_given_as_text(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "hunger-vital-sign", _set(["version"], ""))
    with pytest.raises(InstrumentError, match=r"hunger-vital-sign: \$\.version"):
        load_instrument(str(path))


def test_an_intact_copy_loads_by_path(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "epds", lambda raw: None)
    assert load_instrument(path) == load_instrument("epds")


def test_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(InstrumentError, match="no such instrument"):
        load_instrument("asq-3")


def test_unreadable_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbled.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InstrumentError, match="garbled"):
        load_instrument(path)


# enableWhen on a question -----------------------------------------------------------------------


def _choice(link_id: str, codes: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "linkId": link_id,
        "code": [{"system": "http://loinc.org", "code": link_id.strip("/")}],
        "text": {"en": f"Question {link_id}", "es": f"Pregunta {link_id}"},
        "type": "choice",
        "answerOption": [{"code": c, "display": {"en": c, "es": c}, "score": i} for i, c in enumerate(codes)],
        **extra,
    }


@pytest.fixture
def skipping(tmp_path: Path) -> Instrument:
    raw = {
        "id": "skipping",
        "version": "0.1",
        "title": {"en": "Skips", "es": "Saltos"},
        "item": [
            _choice("/a", ["yes", "no"]),
            _choice("/b", ["yes", "no"], enableWhen=[{"question": "/a", "operator": "=", "answer": "yes"}]),
            _choice("/c", ["yes", "no"], enableWhen=[{"question": "/b", "operator": "exists", "answer": True}]),
            _choice(
                "/d",
                ["yes", "no"],
                enableBehavior="any",
                enableWhen=[
                    {"question": "/a", "operator": "!=", "answer": "yes"},
                    {"question": "/c", "operator": "=", "answer": "yes"},
                ],
            ),
        ],
        "scoring": {"rules": [{"id": "any-yes", "type": "any_of", "items": ["/b", "/c", "/d"], "answers": ["yes"]}]},
    }
    path = tmp_path / "skipping.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return load_instrument(path)


@pytest.mark.parametrize(
    ("answers", "enabled"),
    [
        # A condition on an unanswered question holds only for "exists": false; "!=" waits for an answer.
        ({}, ["/a"]),
        ({"/a": "no"}, ["/a", "/d"]),
        ({"/a": "yes"}, ["/a", "/b"]),
        ({"/a": "yes", "/b": "no"}, ["/a", "/b", "/c"]),
        ({"/a": "yes", "/b": DECLINED}, ["/a", "/b"]),
        ({"/a": "yes", "/b": "no", "/c": "yes"}, ["/a", "/b", "/c", "/d"]),
        # /b is skipped once /a says no, so its answer no longer opens /c.
        ({"/a": "no", "/b": "no", "/c": "yes"}, ["/a", "/d"]),
    ],
)
def test_enable_when_follows_the_answers(skipping: Instrument, answers: dict[str, Answer], enabled: list[str]) -> None:
    assert enabled_items(skipping, answers) == enabled


def test_answers_to_skipped_questions_do_not_count(skipping: Instrument) -> None:
    result = score(skipping, {"/a": "no", "/b": "yes", "/d": "no"})
    assert result.facts["any-yes"].status == "negative"
    assert result.findings == ()
