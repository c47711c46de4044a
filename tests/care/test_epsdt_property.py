"""Property: whatever the rules and the facts, a family with a child's EPSDT medical necessity is at
tier 3 and its explanation names EPSDT."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ecwhub.care.models import RuleKind
from ecwhub.care.tiers import EpsdtFact, HouseholdFacts, RuleSpec, explain, tier_for

NEEDS = ["housing-instability", "food-insecurity", "homelessness", "medical-home", "stress"]
FLAGS = ["self-harm", "interpersonal-safety"]

rules = st.builds(
    RuleSpec,
    name=st.text(min_size=1, max_size=12),
    tier=st.integers(min_value=1, max_value=3),
    kind=st.sampled_from(RuleKind.values),
    need=st.sampled_from(NEEDS),
    instrument=st.sampled_from(["epds", "phq-2-9"]),
    score_rule=st.sampled_from(["epds-total", "phq9"]),
    threshold=st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
    finding_code=st.sampled_from(["733423003", "32911000"]),
    urgent_kind=st.sampled_from(FLAGS),
    explanation=st.text(alphabet="abc {}total", max_size=20).filter(lambda t: t.count("{") == t.count("}") == 0),
    explanation_es=st.just(""),
    order=st.integers(min_value=0, max_value=300),
)
facts = st.builds(
    HouseholdFacts,
    open_needs=st.frozensets(st.sampled_from(NEEDS)),
    totals=st.dictionaries(
        st.sampled_from([("epds", "epds-total"), ("phq-2-9", "phq9")]), st.integers(min_value=0, max_value=30)
    ),
    findings=st.frozensets(st.sampled_from(["733423003", "32911000"])),
    urgent=st.frozensets(st.sampled_from(FLAGS)),
    child_ages_months=st.tuples(st.integers(min_value=0, max_value=100)),
    no_medical_home=st.booleans(),
)
epsdt = st.lists(st.builds(EpsdtFact, st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1))), min_size=1)


@settings(max_examples=300, deadline=None)
@given(rule_set=st.lists(rules, max_size=12), household=facts, records=epsdt)
def test_epsdt_necessity_is_never_below_comprehensive(
    rule_set: list[RuleSpec], household: HouseholdFacts, records: list[EpsdtFact]
) -> None:
    tier, reasons = tier_for(household, rule_set, records)
    assert tier == 3
    assert reasons[0].kind == "epsdt"
    assert "EPSDT" in explain(tier, reasons, "en")
    assert "EPSDT" in explain(tier, reasons, "es")


@settings(max_examples=200, deadline=None)
@given(rule_set=st.lists(rules, max_size=12), household=facts)
def test_rules_only_ever_raise_the_tier(rule_set: list[RuleSpec], household: HouseholdFacts) -> None:
    tier, reasons = tier_for(household, rule_set)
    assert tier == max([1] + [r.tier for r in reasons])
    # Adding rules never lowers the tier.
    assert tier_for(household, rule_set + rule_set[:1])[0] >= tier
