"""The CDC "Learn the Signs. Act Early." checklists (2022) as instruments: any milestone "not yet"
reached is a developmental concern to discuss with the doctor; "not sure" is not; a declined item
never counts as reached."""

from __future__ import annotations

import pytest

from ecwhub.core.needs import Need
from ecwhub.screening.catalog import MILESTONE_AGES, milestone_for_age, milestone_id, shipped_milestones
from ecwhub.screening.scoring import DECLINED, load_instrument, score

FULL = (9, 18, 30)


def test_the_bright_futures_screening_ages_are_shipped() -> None:
    shipped = shipped_milestones()
    assert set(FULL) <= set(shipped)
    assert set(shipped) == set(MILESTONE_AGES)


@pytest.mark.parametrize("months", [9, 18, 30])
def test_the_full_checklists_cover_every_domain(months: int) -> None:
    instrument = load_instrument(milestone_id(months))
    domains = {item.link_id.split("-")[1] for item in instrument.items}
    assert domains == {"social", "language", "cognitive", "movement"}
    expected = {9: 13, 18: 15, 30: 15}[months]
    assert len(instrument.items) == expected


@pytest.mark.parametrize("months", MILESTONE_AGES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_item_and_option_reads_in_both_languages(months: int, language: str) -> None:
    instrument = load_instrument(milestone_id(months))
    assert instrument.es_source == "translation"
    for item in instrument.items:
        assert item.text.get(language).strip()
        assert item.text.en != item.text.es
        assert [o.display.get(language) for o in item.options] == (
            ["Yes", "Not sure", "Not yet"] if language == "en" else ["Sí", "No estoy seguro/a", "Todavía no"]
        )


def _all(months: int, answer: object) -> dict[str, object]:
    return {item.link_id: answer for item in load_instrument(milestone_id(months)).items}


@pytest.mark.parametrize("months", MILESTONE_AGES)
def test_all_reached_is_negative(months: int) -> None:
    result = score(load_instrument(milestone_id(months)), _all(months, "yes"))  # type: ignore[arg-type]
    assert result.facts["developmental-concern"].status == "negative"
    assert not result.findings and not result.needs


@pytest.mark.parametrize("months", MILESTONE_AGES)
def test_one_not_yet_is_a_concern_with_its_evidence(months: int) -> None:
    instrument = load_instrument(milestone_id(months))
    answers = _all(months, "yes")
    last = instrument.items[-1].link_id
    answers[last] = "not-yet"
    result = score(instrument, answers)  # type: ignore[arg-type]
    assert result.facts["developmental-concern"].status == "positive"
    (finding,) = result.findings
    assert finding.code == "developmental-concern"
    assert [(c.system, c.code) for c in finding.also] == [("http://hl7.org/fhir/sid/icd-10-cm", "R62.0")]
    assert [e.link_id for e in finding.evidence] == [last]
    assert result.need_codes == {Need.DEVELOPMENTAL_SERVICES.value}


@pytest.mark.parametrize("months", MILESTONE_AGES)
def test_not_sure_is_not_a_concern(months: int) -> None:
    result = score(load_instrument(milestone_id(months)), _all(months, "not-sure"))  # type: ignore[arg-type]
    assert result.facts["developmental-concern"].status == "negative"


@pytest.mark.parametrize("months", MILESTONE_AGES)
def test_a_declined_item_leaves_the_checklist_incomplete_not_reached(months: int) -> None:
    instrument = load_instrument(milestone_id(months))
    answers = _all(months, "yes")
    first = instrument.items[0].link_id
    answers[first] = DECLINED
    result = score(instrument, answers)  # type: ignore[arg-type]
    assert result.facts["developmental-concern"].status == "incomplete"
    assert result.declined == (first,)
    # A "not yet" elsewhere still counts, declined or not.
    answers[instrument.items[1].link_id] = "not-yet"
    assert score(instrument, answers).facts["developmental-concern"].status == "positive"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (0, None),
        (1, None),
        (2, 2),
        (8, 6),
        (9, 9),
        (17, 15),
        (18, 18),
        (29, 24),
        (30, 30),
        (47, 36),
        (48, 48),
        (59, 48),
        (60, 60),
        (71, 60),
        (72, None),
    ],
)
def test_the_checklist_for_a_childs_age(months: int, expected: int | None) -> None:
    assert milestone_for_age(months) == (milestone_id(expected) if expected else None)
