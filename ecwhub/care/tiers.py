"""The tier engine: a pure function from a household's facts and the rule rows to a tier and its reasons.

``tier_for`` reads nothing from the database, so the rules can be tested (and property-tested)
without one. The tier is the highest tier any holding rule raises the family to (tier 1,
universal services, when none holds). A child's EPSDT medical necessity sets tier 3 before any
rule is looked at: no rule can lower it, because rules only ever raise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ecwhub.core.needs import Need

UNIVERSAL, SHORT_TERM, COMPREHENSIVE = 1, 2, 3


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the engine sees it (``RiskRule.spec()`` builds one from a row)."""

    name: str
    tier: int
    kind: str
    need: str = ""
    instrument: str = ""
    score_rule: str = ""
    threshold: int | None = None
    finding_code: str = ""
    urgent_kind: str = ""
    explanation: str = ""
    explanation_es: str = ""
    order: int = 100


@dataclass(frozen=True)
class HouseholdFacts:
    """What the rules may look at, for one household, as of one day."""

    open_needs: frozenset[str] = frozenset()
    # (instrument, score rule) -> the latest total of that instrument's response in the household
    totals: Mapping[tuple[str, str], int] = field(default_factory=dict)
    findings: frozenset[str] = frozenset()
    urgent: frozenset[str] = frozenset()
    child_ages_months: tuple[int, ...] = ()
    no_medical_home: bool = False


@dataclass(frozen=True)
class EpsdtFact:
    """A child's EPSDT medical necessity in force."""

    recorded_on: date


@dataclass(frozen=True)
class Reason:
    """One reason for the tier: which rule (or EPSDT) held and the values that made it hold."""

    rule: str
    tier: int
    kind: str
    en: str
    es: str
    values: Mapping[str, Any] = field(default_factory=dict)
    # The consent category of the facts behind the reason: a viewer sees the reason only when the
    # policy lets them see that category of the family's data.
    category: str = "identified_needs"

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "tier": self.tier,
            "kind": self.kind,
            "en": self.en,
            "es": self.es,
            "values": dict(self.values),
            "category": self.category,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Reason:
        return cls(
            raw["rule"],
            raw["tier"],
            raw["kind"],
            raw["en"],
            raw["es"],
            raw.get("values", {}),
            raw.get("category", "identified_needs"),
        )

    def text(self, language: str | None = None) -> str:
        language = language or translation.get_language() or "en"
        spanish = language.startswith("es")
        with translation.override("es" if spanish else "en"):
            if self.kind == EPSDT_KIND:
                return str(EPSDT_TEXT) % {"date": self.values.get("date", "")}
            values = dict(self.values)
            if values.get("need") in Need.values:
                values["need"] = str(Need(values["need"]).label).lower()
            template = self.es if spanish and self.es else self.en
            return template.format_map(_Blank(values))


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


EPSDT_KIND = "epsdt"
# Depression screens and their needs are behavioral health; safety is its own category
# (the same split as the screening app's rows).
_BEHAVIORAL_INSTRUMENTS = frozenset({"epds", "phq-2-9"})
_NEED_CATEGORIES = {
    "intimate-partner-violence": "interpersonal_safety",
    "maternal-mental-health": "behavioral_health",
    "child-mental-health": "behavioral_health",
}
_FLAG_CATEGORIES = {"self-harm": "behavioral_health", "interpersonal-safety": "interpersonal_safety"}


def reason_category(rule: RuleSpec) -> str:
    """The consent category of what makes ``rule`` hold."""
    if rule.kind == "need_identified":
        return _NEED_CATEGORIES.get(rule.need, "identified_needs")
    if rule.kind == "instrument_total_at_least":
        return "behavioral_health" if rule.instrument in _BEHAVIORAL_INSTRUMENTS else "screening_results"
    if rule.kind == "finding":
        return "screening_results"
    if rule.kind == "urgent_flag":
        return _FLAG_CATEGORIES.get(rule.urgent_kind, "behavioral_health")
    if rule.kind in ("no_medical_home", "child_age_under"):
        return "demographics"
    return "identified_needs"


EPSDT_TEXT = _("EPSDT medical necessity (recorded %(date)s)")


def _holds(rule: RuleSpec, facts: HouseholdFacts) -> dict[str, Any] | None:
    """The values that make the rule hold, or None when it does not."""
    kind = rule.kind
    if kind == "need_identified":
        return {"need": rule.need} if rule.need in facts.open_needs else None
    if kind == "instrument_total_at_least":
        total = facts.totals.get((rule.instrument, rule.score_rule))
        if total is None or rule.threshold is None or total < rule.threshold:
            return None
        return {"instrument": rule.instrument.upper(), "total": total, "threshold": rule.threshold}
    if kind == "finding":
        return {"finding": rule.finding_code} if rule.finding_code in facts.findings else None
    if kind == "no_medical_home":
        return {} if facts.no_medical_home else None
    if kind == "child_age_under":
        if rule.threshold is None:
            return None
        young = [age for age in facts.child_ages_months if 0 <= age < rule.threshold]
        return {"months": min(young), "threshold": rule.threshold} if young else None
    if kind == "count_of_needs_at_least":
        count = len(facts.open_needs)
        if rule.threshold is None or count < rule.threshold:
            return None
        return {"count": count, "threshold": rule.threshold}
    if kind == "urgent_flag":
        return {"flag": rule.urgent_kind} if rule.urgent_kind in facts.urgent else None
    return None


def tier_for(
    facts: HouseholdFacts, rules: Iterable[RuleSpec], epsdt: Sequence[EpsdtFact] = ()
) -> tuple[int, tuple[Reason, ...]]:
    """The household's tier and every reason for it, EPSDT first, then the holding rules from the
    highest tier down (in rule order within a tier)."""
    reasons: list[Reason] = []
    tier = UNIVERSAL
    if epsdt:
        first = min(e.recorded_on for e in epsdt)
        # That a child has an EPSDT medical necessity is care-plan information every coordinator
        # acts on; the clinician's reason stays clinical (EpsdtNecessity.reason, not shown here).
        reasons.append(Reason(EPSDT_KIND, COMPREHENSIVE, EPSDT_KIND, "", "", {"date": first.isoformat()}, "care_plan"))
        tier = COMPREHENSIVE
    held: list[tuple[RuleSpec, dict[str, Any]]] = []
    for rule in rules:
        values = _holds(rule, facts)
        if values is not None:
            held.append((rule, values))
    held.sort(key=lambda pair: (-pair[0].tier, pair[0].order, pair[0].name))
    seen: set[tuple[str, ...]] = set()
    for rule, values in held:
        tier = max(tier, rule.tier)
        # "EPDS 14" once, from the highest rule on that total, not again from the tier-2 cut-point.
        key = (rule.kind, rule.need, rule.instrument, rule.score_rule, rule.finding_code, rule.urgent_kind)
        if key in seen:
            continue
        seen.add(key)
        reasons.append(
            Reason(
                rule.name, rule.tier, rule.kind, rule.explanation, rule.explanation_es, values, reason_category(rule)
            )
        )
    return tier, tuple(reasons)


def explain(tier: int, reasons: Sequence[Reason], language: str | None = None) -> str:
    """'Tier 3 because: housing instability, EPDS 14, no medical home' in the given language."""
    language = language or translation.get_language() or "en"
    with translation.override("es" if language.startswith("es") else "en"):
        if not reasons:
            return str(_("Tier %(tier)d: universal services, no rule raised this family.") % {"tier": tier})
        return str(
            _("Tier %(tier)d because: %(reasons)s")
            % {
                "tier": tier,
                "reasons": ", ".join(r.text(language) for r in reasons),
            }
        )


def rules_version(rules: Iterable[RuleSpec]) -> str:
    """A short fingerprint of the rule set, stored with each assignment."""
    canonical = json.dumps(
        [[getattr(r, f) for f in RuleSpec.__dataclass_fields__] for r in sorted(rules, key=lambda r: r.name)],
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def latest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
