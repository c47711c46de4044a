"""The demo network's screening histories: realistic, scored by the real instruments, deterministic."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Count

from ecwhub.demo.generator import demo_seed
from ecwhub.screening import scoring
from ecwhub.screening.models import (
    Finding,
    IdentifiedNeed,
    NeedStatusChange,
    ScreeningAlert,
    ScreeningAnswer,
    ScreeningResponse,
    ScreeningResult,
)
from ecwhub.screening.services import answers_of

TODAY = date(2026, 11, 2)


@pytest.fixture
def seeded(db: None) -> None:
    demo_seed(seed=7, families=160, today=TODAY)


def test_the_demo_families_have_screening_histories(seeded: None) -> None:
    completed = ScreeningResponse.objects.filter(status="completed")
    by_instrument = dict(completed.values_list("instrument").annotate(n=Count("id")))
    for instrument in ("ahc-hrsn-core", "hunger-vital-sign", "phq-2-9", "epds"):
        assert by_instrument.get(instrument, 0) > 0, instrument
    for months in (9, 18, 30):
        assert by_instrument.get(f"cdc-milestones-{months:02d}m", 0) > 0, months
    assert ScreeningResponse.objects.filter(status="in_progress").exists()
    assert ScreeningAnswer.objects.filter(declined=True, answer_code="").exists()
    assert ScreeningResult.objects.filter(rule="epds-total", total__gte=13).exists()
    assert ScreeningResult.objects.filter(rule="epds-total", total__lt=10).exists()
    assert Finding.objects.filter(code="developmental-concern").exists()
    statuses = set(IdentifiedNeed.objects.values_list("status", flat=True))
    assert statuses == {"identified", "wants_help", "declined_help", "addressed"}
    assert IdentifiedNeed.objects.filter(status="wants_help", priority=1).exists()
    assert NeedStatusChange.objects.count() >= IdentifiedNeed.objects.count()
    assert ScreeningAlert.objects.exists()


def test_every_demo_result_is_what_the_instrument_concludes(seeded: None) -> None:
    for response in ScreeningResponse.objects.filter(status="completed").order_by("id")[:150]:
        instrument = scoring.load_instrument(response.instrument)
        result = scoring.score(instrument, answers_of(response))
        stored = {r.rule: (r.status, r.total) for r in response.results.all()}
        assert stored == {f.rule: (f.status, f.total) for f in result.facts.values()}
        assert sorted(response.findings.values_list("code", flat=True)) == sorted(f.code for f in result.findings)


def test_milestone_checklists_are_taken_at_the_childs_age(seeded: None) -> None:
    checklists = list(
        ScreeningResponse.objects.filter(instrument__startswith="cdc-milestones").select_related("person")
    )
    at_age = 0
    for response in checklists:
        months = int(response.instrument.rsplit("-", 1)[1].rstrip("m"))
        assert response.person.relationship == "child"
        at_age += response.person.age_in_months(response.started_at.date()) in (months - 1, months, months + 1)
    # The demo's duplicate registrations later change a few birth dates (typos), hence not all.
    assert checklists and at_age >= 0.9 * len(checklists)
