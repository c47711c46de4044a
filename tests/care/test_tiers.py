"""The tier engine: each kind of condition on both sides of its threshold, EPSDT, the explanation."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from ecwhub.care.tiers import EpsdtFact, HouseholdFacts, Reason, RuleSpec, explain, rules_version, tier_for


def rule(kind: str, tier: int = 2, **params: object) -> RuleSpec:
    return RuleSpec(name=f"{kind} {params}", tier=tier, kind=kind, explanation="x", explanation_es="x", **params)  # type: ignore[arg-type]


CASES = [
    # (rule, facts that make it hold, facts that do not)
    (
        rule("need_identified", need="housing-instability"),
        HouseholdFacts(open_needs=frozenset({"housing-instability"})),
        HouseholdFacts(open_needs=frozenset({"food-insecurity"})),
    ),
    (
        rule("instrument_total_at_least", instrument="epds", score_rule="epds-total", threshold=13),
        HouseholdFacts(totals={("epds", "epds-total"): 13}),
        HouseholdFacts(totals={("epds", "epds-total"): 12}),
    ),
    (
        rule("finding", finding_code="733423003"),
        HouseholdFacts(findings=frozenset({"733423003"})),
        HouseholdFacts(findings=frozenset({"32911000"})),
    ),
    (rule("no_medical_home"), HouseholdFacts(no_medical_home=True), HouseholdFacts(no_medical_home=False)),
    (
        rule("child_age_under", threshold=2),
        HouseholdFacts(child_ages_months=(30, 1)),
        HouseholdFacts(child_ages_months=(30, 2)),
    ),
    (
        rule("count_of_needs_at_least", threshold=3),
        HouseholdFacts(open_needs=frozenset({"a", "b", "c"})),
        HouseholdFacts(open_needs=frozenset({"a", "b"})),
    ),
    (
        rule("urgent_flag", urgent_kind="self-harm"),
        HouseholdFacts(urgent=frozenset({"self-harm"})),
        HouseholdFacts(urgent=frozenset({"interpersonal-safety"})),
    ),
]


@pytest.mark.parametrize(("spec", "holds", "fails"), CASES, ids=[c[0].kind for c in CASES])
def test_each_condition_raises_the_tier_only_on_its_side_of_the_threshold(
    spec: RuleSpec, holds: HouseholdFacts, fails: HouseholdFacts
) -> None:
    tier, reasons = tier_for(holds, [spec])
    assert tier == 2
    assert [r.rule for r in reasons] == [spec.name]
    assert tier_for(fails, [spec]) == (1, ())


def test_the_tier_is_the_highest_holding_rule_and_every_reason_is_given() -> None:
    rules = [
        RuleSpec("Housing", 2, "need_identified", need="housing-instability", explanation="{need}", order=1),
        RuleSpec(
            "EPDS 13",
            3,
            "instrument_total_at_least",
            instrument="epds",
            score_rule="epds-total",
            threshold=13,
            explanation="EPDS {total}",
            explanation_es="EPDS {total}",
        ),
        RuleSpec("Home", 2, "no_medical_home", explanation="no medical home", order=2),
    ]
    facts = HouseholdFacts(
        open_needs=frozenset({"housing-instability"}), totals={("epds", "epds-total"): 14}, no_medical_home=True
    )
    tier, reasons = tier_for(facts, rules)
    assert tier == 3
    with translation.override("en"):
        assert explain(tier, reasons, "en") == "Tier 3 because: EPDS 14, housing instability, no medical home"


def test_one_total_is_explained_once_even_when_two_cut_points_hold() -> None:
    rules = [
        RuleSpec(
            "EPDS 10",
            2,
            "instrument_total_at_least",
            instrument="epds",
            score_rule="epds-total",
            threshold=10,
            explanation="EPDS {total}",
        ),
        RuleSpec(
            "EPDS 13",
            3,
            "instrument_total_at_least",
            instrument="epds",
            score_rule="epds-total",
            threshold=13,
            explanation="EPDS {total}",
        ),
    ]
    tier, reasons = tier_for(HouseholdFacts(totals={("epds", "epds-total"): 15}), rules)
    assert (tier, [r.rule for r in reasons]) == (3, ["EPDS 13"])


def test_epsdt_makes_the_tier_comprehensive_with_no_rule_holding() -> None:
    tier, reasons = tier_for(HouseholdFacts(), [], [EpsdtFact(date(2026, 3, 1))])
    assert tier == 3
    assert "EPSDT" in explain(tier, reasons, "en")
    assert "2026-03-01" in reasons[0].text("en")


def test_no_rule_means_universal_services_and_says_so() -> None:
    tier, reasons = tier_for(HouseholdFacts(no_medical_home=True), [])
    assert (tier, reasons) == (1, ())
    assert "universal" in explain(tier, reasons, "en")


def test_explanations_use_the_spanish_template_and_need_label() -> None:
    spec = RuleSpec("Home", 2, "no_medical_home", explanation="no medical home", explanation_es="sin hogar médico")
    _, reasons = tier_for(HouseholdFacts(no_medical_home=True), [spec])
    assert reasons[0].text("es") == "sin hogar médico"
    assert reasons[0].text("en") == "no medical home"


def test_reasons_survive_storage_as_json() -> None:
    spec = RuleSpec(
        "Housing", 2, "need_identified", need="housing-instability", explanation="{need}", explanation_es="{need}"
    )
    _, reasons = tier_for(HouseholdFacts(open_needs=frozenset({"housing-instability"})), [spec])
    again = Reason.from_json(reasons[0].as_json())
    assert again.text("en") == reasons[0].text("en") == "housing instability"


def test_the_rules_version_changes_with_any_rule_change() -> None:
    a = [RuleSpec("Housing", 2, "need_identified", need="housing-instability")]
    b = [RuleSpec("Housing", 3, "need_identified", need="housing-instability")]
    assert rules_version(a) == rules_version(list(a))
    assert rules_version(a) != rules_version(b)
