"""The results table agrees with the findings, for every shipped instrument and every scoring rule.

For each rule the test builds answers that put the rule on each side of its threshold and in each
of its bands (or positive and negative, for an ``any_of`` rule), stores the scored screen as
``screening_complete`` would, and reads the result page as the coordinator (English) and as the
caregiver on her phone (Spanish). A finding never sits beside "Negative"; a banded or thresholded
total names the band it is in with its range; an answered item never shows as "—"; the answers
table lists every answered item.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from ecwhub.screening import scoring
from ecwhub.screening.catalog import instrument_category
from ecwhub.screening.instruments import available_instruments
from ecwhub.screening.models import Finding, ScreeningAnswer, ScreeningResponse, ScreeningResult
from ecwhub.screening.services import answer_rows, result_rows
from tests.conftest import Network, signed_in

from .conftest import ScreenFamily, make_screen_family

pytestmark = pytest.mark.django_db

Chooser = Callable[[scoring.Item], str]


def _matching(instrument: scoring.Instrument) -> set[str]:
    return {answer for rule in instrument.rules for answer in rule.answers}


def _quiet(instrument: scoring.Instrument) -> Chooser:
    """The lowest-scored option that no any_of rule looks for."""
    matching = _matching(instrument)

    def choose(item: scoring.Item) -> str:
        options = [o for o in item.options if not o.declines and o.code not in matching] or list(item.options)
        return min(options, key=lambda o: o.score or 0).code

    return choose


def _fill(instrument: scoring.Instrument, choose: Chooser) -> dict[str, scoring.Answer]:
    """Answer every item that is enabled, until answering opens no further item."""
    answers: dict[str, scoring.Answer] = {}
    while True:
        pending = [link_id for link_id in scoring.enabled_items(instrument, answers) if link_id not in answers]
        if not pending:
            return answers
        for link_id in pending:
            answers[link_id] = choose(instrument.item(link_id))


def _for_total(instrument: scoring.Instrument, rule: scoring.Rule, total: int) -> dict[str, scoring.Answer]:
    quiet = _quiet(instrument)
    lowest = {
        link_id: min(o.score for o in instrument.item(link_id).options if o.score is not None) for link_id in rule.items
    }
    chosen: dict[str, str] = {}

    def choose(item: scoring.Item) -> str:
        if item.link_id not in rule.items:
            return quiet(item)
        if item.link_id not in chosen:
            # Greedy, keeping back the lowest score of each item still to come.
            order = list(rule.items)
            spent = sum(o.score or 0 for k, c in chosen.items() if (o := instrument.item(k).option(c)) is not None)
            later = sum(lowest[k] for k in order[order.index(item.link_id) + 1 :])
            room = total - spent - later
            scored = [o for o in item.options if o.score is not None and o.score <= room and not o.declines]
            chosen[item.link_id] = max(scored, key=lambda o: o.score or 0).code
        return chosen[item.link_id]

    return _fill(instrument, choose)


def _any_of(instrument: scoring.Instrument, rule: scoring.Rule, positive: bool) -> dict[str, scoring.Answer]:
    quiet = _quiet(instrument)

    def choose(item: scoring.Item) -> str:
        if positive and item.link_id == rule.items[0]:
            return next(o.code for o in item.options if o.code in rule.answers)
        return quiet(item)

    return _fill(instrument, choose)


def _cases(instrument: scoring.Instrument) -> Iterator[tuple[str, dict[str, scoring.Answer]]]:
    for rule in instrument.rules:
        if rule.type == "sum":
            low, high = instrument.score_range(rule.id)
            targets = {low, high}
            for band in rule.bands:
                targets |= {band.min - 1, band.min}
            if rule.threshold is not None:
                targets |= {rule.threshold - 1, rule.threshold}
            for total in sorted(t for t in targets if low <= t <= high):
                yield f"{rule.id} = {total}", _for_total(instrument, rule, total)
        else:
            yield f"{rule.id} positive", _any_of(instrument, rule, True)
            yield f"{rule.id} negative", _any_of(instrument, rule, False)


def _store(family: ScreenFamily, network: Network, instrument: scoring.Instrument, answers: dict) -> ScreeningResponse:
    """The rows screening_complete writes, without going through one question at a time."""
    now = timezone.now()
    person = family.toddler if instrument.id.startswith("cdc-") else family.mother
    response = ScreeningResponse.objects.create(
        household=family.household,
        person=person,
        respondent=family.mother,
        instrument=instrument.id,
        instrument_version=instrument.version,
        language="es",
        mode=ScreeningResponse.Mode.SELF,
        status=ScreeningResponse.Status.COMPLETED,
        category=instrument_category(instrument),
        started_at=now,
        completed_at=now,
        taken_by=network.carla,
    )
    ScreeningAnswer.objects.bulk_create(
        [row for link_id, answer in answers.items() for row in answer_rows(instrument, response, link_id, answer, now)]
    )
    results, findings = result_rows(instrument, response, scoring.score(instrument, answers), now)
    ScreeningResult.objects.bulk_create(results)
    Finding.objects.bulk_create(findings)
    return response


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _table(page: str, testid: str) -> str:
    found = re.search(rf'<table data-testid="{testid}">(.*?)</table>', page, re.S)
    return found.group(1) if found else ""


@pytest.mark.parametrize("viewer", ["coordinator-en", "caregiver-es"])
@pytest.mark.parametrize("instrument_id", available_instruments())
def test_every_rule_shows_the_outcome_its_findings_call_for(network: Network, instrument_id: str, viewer: str) -> None:
    family = make_screen_family(network, sensitive=True, link_carla=True)
    instrument = scoring.load_instrument(instrument_id)
    language = viewer[-2:]
    client = signed_in(Client(), network.alice if viewer.startswith("coordinator") else network.carla)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        negative = str(ScreeningResult.Status.NEGATIVE.label)
    checked = 0
    for case, answers in _cases(instrument):
        result = scoring.score(instrument, answers)
        response = _store(family, network, instrument, answers)
        if viewer.startswith("coordinator"):
            url = reverse("screening:result", args=[family.household.pk, response.pk])
        else:
            url = reverse("screening:mine_result", args=[response.pk])
        page = client.get(url)
        assert page.status_code == 200, case
        body = page.content.decode()
        rows = {
            rule: (_text(score), _text(outcome))
            for rule, score, outcome in re.findall(
                r'<tr data-rule="([^"]+)"><td>.*?</td><td>(.*?)</td><td data-testid="outcome">(.*?)</td></tr>',
                _table(body, "results"),
                re.S,
            )
        }
        found = set(re.findall(r'data-rule="([^"]+)" data-testid="finding"', body))
        assert found == {f.rule for f in result.findings}, case
        for rule in instrument.rules:
            fact = result.facts[rule.id]
            if fact.status == "not-applicable":
                assert rule.id not in rows, case
                continue
            score, outcome = rows[rule.id]
            checked += 1
            if rule.id in found:
                assert negative not in outcome, f"{case}: a finding of {rule.id} sits beside {outcome!r}"
            if outcome == negative:
                assert rule.id not in found, case
            if rule.type == "sum" and fact.total is not None and (rule.bands or rule.threshold is not None):
                band, low, high = instrument.band_of(rule.id, fact.total)
                assert score == str(fact.total), case
                assert outcome.endswith(f"({low}–{high})") and low <= fact.total <= high, f"{case}: {outcome!r}"
                if band is not None and band.label is not None:
                    assert outcome.startswith(band.label.get(language)), f"{case}: {outcome!r}"
            answered = [link_id for link_id in rule.items if link_id in answers and link_id in result.enabled]
            if rule.type == "any_of" and answered:
                assert score != "—", f"{case}: {rule.id} was answered but shows {score!r}"
        answer_rows_shown = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", _table(body, "answers"), re.S)
        assert len(answer_rows_shown) == len(answers), f"{case}: the answers table left out an answered item"
        assert all(_text(answer) and _text(answer) != "—" for _q, answer in answer_rows_shown), case
    assert checked >= 2 * len(instrument.rules)


def test_a_severe_phq9_reads_severe_with_its_self_harm_answer(network: Network) -> None:
    """The case a user found: a PHQ-9 of 27, item 9 answered "Nearly every day"."""
    family = make_screen_family(network, sensitive=True, link_carla=True)
    instrument = scoring.load_instrument("phq-2-9")
    answers = {item.link_id: "LA6571-9" for item in instrument.items}
    response = _store(family, network, instrument, answers)
    client = signed_in(Client(), network.alice)
    body = client.get(reverse("screening:result", args=[family.household.pk, response.pk])).content.decode()
    table = _table(body, "results")
    phq9 = re.search(r'<tr data-rule="phq9">(.*?)</tr>', table, re.S)
    assert phq9 is not None and "Severe (20–27)" in _text(phq9.group(1)) and "Negative" not in phq9.group(1)
    item9 = re.search(r'<tr data-rule="phq9-self-harm">(.*?)</tr>', table, re.S)
    assert item9 is not None and "Nearly every day" in _text(item9.group(1))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    spanish = client.get(reverse("screening:result", args=[family.household.pk, response.pk])).content.decode()
    assert "Grave (20–27)" in spanish and "Negativo" not in _table(spanish, "results")


def test_stored_phq9_totals_in_a_finding_band_become_positive(network: Network) -> None:
    import importlib

    from django.apps import apps

    family = make_screen_family(network, sensitive=True, link_carla=True)
    instrument = scoring.load_instrument("phq-2-9")
    response = _store(family, network, instrument, {item.link_id: "LA6571-9" for item in instrument.items})
    # As the hub stored it before: the severe total beside its finding, "negative".
    ScreeningResult.objects.filter(response=response, rule="phq9").update(status="negative")
    migration = importlib.import_module("ecwhub.screening.migrations.0003_banded_totals_are_positive")
    migration.forwards(apps, None)
    assert ScreeningResult.objects.get(response=response, rule="phq9").status == "positive"


@pytest.mark.parametrize("viewer", ["coordinator", "caregiver"])
def test_a_spanish_result_page_speaks_spanish_and_no_code_system_jargon(network: Network, viewer: str) -> None:
    family = make_screen_family(network, sensitive=True, link_carla=True)
    client = signed_in(Client(), network.alice if viewer == "coordinator" else network.carla)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    screens = {
        # Homeless, worried about food, unsafe at home
        "ahc-hrsn-core": {"/71802-3": "LA31995-6", "/88122-7": "LA28397-0", "/95618-5": "LA6482-9"},
        "ahc-hrsn-core ": {"/71802-3": "LA31994-9", "/93030-5": "LA33-6", "/96779-4": "LA33-6"},
        "phq-2-9": {"/44250-9": "LA6571-9", "/44255-8": "LA6571-9", "/44260-8": "LA6571-9"},
        "epds": {"/71364-4": "epds-10-3"},
        "cdc-milestones-18m": {},
    }
    seen_findings = 0
    for instrument_id, chosen in screens.items():
        instrument = scoring.load_instrument(instrument_id.strip())
        quiet = _quiet(instrument)
        answers = _fill(instrument, lambda item: chosen.get(item.link_id) or quiet(item))  # noqa: B023
        if instrument.id.startswith("cdc-"):
            answers[instrument.items[0].link_id] = "not-yet"
        response = _store(family, network, instrument, answers)
        if viewer == "coordinator":
            url = reverse("screening:result", args=[family.household.pk, response.pk])
        else:
            url = reverse("screening:mine_result", args=[response.pk])
        body = client.get(url).content.decode()
        result = scoring.score(instrument, answers)
        assert result.findings, instrument_id
        for finding in result.findings:
            title = instrument.finding_title(finding.rule, finding.code)
            assert title is not None
            assert title.es in body, f"{instrument_id}: {title.es!r} is missing"
            if title.en != title.es:
                assert title.en not in body, f"{instrument_id}: the English {title.en!r} on a Spanish page"
            seen_findings += 1
            if viewer == "coordinator":
                folded = "".join(re.findall(r"<details><summary>Códigos</summary>(.*?)</details>", body, re.S))
                assert finding.code in folded, "staff keep the codes, folded away"
                shown = _text(body)
                assert shown.count(finding.code) == _text(folded).count(finding.code), "a code outside the <details>"
            else:
                assert finding.code not in _text(body), "a code reached the family"
        for jargon in ("urn:", "CodeSystem", "SDOHCC", "sct ", "http://", "https://"):
            assert jargon not in body, f"{instrument_id}: {jargon!r} on the page"
    assert seen_findings >= 8
