"""Screening instruments as data, scored by rules.

``load_instrument`` reads one definition (``instruments/<id>.json``, or a file by path) and
validates it completely before anything is scored: a rule naming an unknown item, an answer
that is not among an item's options or an enableWhen pointing forward raise ``InstrumentError``
with the instrument and the path of the bad entry.

``score`` is a pure function of an instrument and the answers given. It never guesses: an
item answered "prefer not to answer" (``DECLINED``) is recorded as declined, never as a "no",
and a total that needs that item is reported as incomplete instead of being computed from the
other items. Answers to items that are not enabled (a skipped PHQ-9 after a negative PHQ-2)
are ignored.

Rule types, as written in a definition's ``scoring.rules``:

``sum``
    Adds the option scores of ``items``. Computed only when every item is enabled and answered.
    ``threshold`` (total at or above it is positive) and ``bands`` (severity: the highest band
    whose ``min`` the total reaches) may each carry a ``finding``, a ``need`` and an ``urgent`` flag.
    Bands cover every total (the first starts at the lowest) and carry a ``label`` in English and
    Spanish; a total in a band that concludes something is positive.
``any_of``
    Positive when any of ``items`` has one of ``answers``; negative only when every enabled item
    was answered and none matched; incomplete otherwise.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeAlias

from ecwhub.core.needs import Need
from ecwhub.screening.instruments import INSTRUMENTS_DIR

LOINC_SYSTEM = "http://loinc.org"
FINDING_SYSTEM = "urn:ecwhub:codesystem:screening-finding"

ITEM_TYPES = frozenset({"choice", "open-choice"})
URGENT_KINDS = frozenset({"self-harm", "interpersonal-safety"})
ANSWER_OPERATORS = frozenset({"=", "!=", "exists"})
TOTAL_OPERATORS = frozenset({"=", "!=", ">", ">=", "<", "<="})
LANGUAGES = ("en", "es")


class Declined(enum.Enum):
    """The person chose "prefer not to answer" (FHIR data-absent-reason ``asked-declined``)."""

    DECLINED = "asked-declined"


DECLINED = Declined.DECLINED

Answer: TypeAlias = str | Sequence[str] | Literal[Declined.DECLINED]
Status: TypeAlias = Literal["positive", "negative", "incomplete", "not-applicable"]


class InstrumentError(ValueError):
    """A definition is malformed; the message names the instrument and the path of the bad entry."""

    def __init__(self, instrument: str, path: str, problem: str) -> None:
        self.instrument = instrument
        self.path = path
        self.problem = problem
        super().__init__(f"{instrument}: {path}: {problem}")


class AnswerError(ValueError):
    """The answers do not fit the instrument (unknown item, unknown option, several for a single choice)."""


# Definition -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    en: str
    es: str

    def get(self, language: str) -> str:
        return self.es if language.startswith("es") else self.en


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str = ""


@dataclass(frozen=True)
class AnswerOption:
    code: str
    system: str
    display: Text
    score: int | None = None
    # "None of the above": cannot be chosen together with another option.
    exclusive: bool = False
    # An option such as the Hunger Vital Sign's "don't know/refused" counts as declined.
    declines: bool = False


@dataclass(frozen=True)
class EnableWhen:
    operator: str
    answer: str | int | bool
    question: str | None = None
    rule: str | None = None


@dataclass(frozen=True)
class Item:
    link_id: str
    code: Coding
    text: Text
    type: str
    options: tuple[AnswerOption, ...]
    repeats: bool = False
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: Literal["all", "any"] = "all"

    def option(self, code: str) -> AnswerOption | None:
        for option in self.options:
            if option.code == code:
                return option
        return None


@dataclass(frozen=True)
class Outcome:
    """What a rule (or one of its bands) concludes when it is positive."""

    finding: Coding | None = None
    also: tuple[Coding, ...] = ()
    need: Need | None = None
    urgent: str | None = None
    # The finding's words for people, in English and Spanish (its coding's display is for systems).
    title: Text | None = None

    @property
    def concludes(self) -> bool:
        return self.finding is not None or self.need is not None or self.urgent is not None


@dataclass(frozen=True)
class Band:
    """A severity band: from ``min`` up to the next band's ``min`` (or the highest total)."""

    min: int
    outcome: Outcome
    label: Text | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    type: Literal["sum", "any_of"]
    items: tuple[str, ...]
    answers: frozenset[str] = frozenset()
    threshold: int | None = None
    outcome: Outcome = field(default_factory=Outcome)
    bands: tuple[Band, ...] = ()
    # The LOINC code of the observation this rule computes (a total, or a result such as 88124-3).
    code: Coding | None = None
    positive_value: Coding | None = None
    negative_value: Coding | None = None


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: Text
    code: Coding | None
    items: tuple[Item, ...]
    rules: tuple[Rule, ...]
    es_source: str

    def item(self, link_id: str) -> Item:
        for item in self.items:
            if item.link_id == link_id:
                return item
        raise KeyError(link_id)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def band_of(self, rule_id: str, total: int) -> tuple[Band | None, int, int]:
        """The band a ``sum`` rule's ``total`` falls in, with the band's lowest and highest totals.

        Without bands, the side of the threshold it is on (``None`` as the band); without a
        threshold either, the whole range."""
        rule = self.rule(rule_id)
        low, high = self.score_range(rule_id)
        reached = [band for band in rule.bands if total >= band.min]
        if reached:
            band = reached[-1]
            after = [b.min for b in rule.bands if b.min > band.min]
            return band, band.min, (after[0] - 1) if after else high
        if rule.threshold is not None:
            return (None, rule.threshold, high) if total >= rule.threshold else (None, low, rule.threshold - 1)
        return None, low, high

    def finding_title(self, rule_id: str, code: str) -> Text | None:
        """The words of a finding this rule (or one of its bands) concludes, in both languages."""
        try:
            rule = self.rule(rule_id)
        except KeyError:
            return None
        for outcome in (rule.outcome, *(band.outcome for band in rule.bands)):
            if outcome.finding is not None and outcome.finding.code == code:
                return outcome.title
        return None

    def score_range(self, rule_id: str) -> tuple[int, int]:
        """The lowest and highest total a ``sum`` rule can produce."""
        rule = self.rule(rule_id)
        low = high = 0
        for link_id in rule.items:
            scores = [o.score for o in self.item(link_id).options if o.score is not None]
            low += min(scores)
            high += max(scores)
        return low, high


# Result -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    link_id: str
    answer: str | tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    rule: str
    code: str
    system: str
    display: str
    evidence: tuple[Evidence, ...]
    also: tuple[Coding, ...] = ()


@dataclass(frozen=True)
class IdentifiedNeed:
    need: Need
    rules: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class UrgentFlag:
    kind: str
    rule: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Incomplete:
    rule: str
    reason: Literal["declined", "unanswered"]
    link_ids: tuple[str, ...]


@dataclass(frozen=True)
class RiskFact:
    """One rule's conclusion, in the shape of the observation it would become."""

    rule: str
    status: Status
    code: Coding | None = None
    total: int | None = None
    value: Coding | None = None


@dataclass(frozen=True)
class ScoreResult:
    instrument: str
    version: str
    enabled: tuple[str, ...]
    declined: tuple[str, ...]
    totals: dict[str, int]
    facts: dict[str, RiskFact]
    findings: tuple[Finding, ...]
    needs: tuple[IdentifiedNeed, ...]
    urgent: tuple[UrgentFlag, ...]
    incomplete: tuple[Incomplete, ...]

    @property
    def need_codes(self) -> set[str]:
        return {need.need.value for need in self.needs}

    @property
    def urgent_kinds(self) -> set[str]:
        return {flag.kind for flag in self.urgent}


# Loading and validation -------------------------------------------------------------------------


class _Reader:
    """Reads a raw definition, raising InstrumentError with the path of whatever is wrong."""

    def __init__(self, instrument: str) -> None:
        self.instrument = instrument

    def fail(self, path: str, problem: str) -> InstrumentError:
        return InstrumentError(self.instrument, path, problem)

    def as_obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "expected an object")
        return value

    def as_list(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, "expected a list")
        return value

    def string(self, raw: dict[str, Any], key: str, path: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{path}.{key}", "expected a non-empty string")
        return value

    def integer(self, raw: dict[str, Any], key: str, path: str) -> int:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{path}.{key}", "expected an integer")
        return value

    def text(self, raw: dict[str, Any], key: str, path: str) -> Text:
        value = self.as_obj(raw.get(key), f"{path}.{key}")
        for language in LANGUAGES:
            self.string(value, language, f"{path}.{key}")
        return Text(en=value["en"], es=value["es"])

    def coding(self, raw: Any, path: str, default_system: str = LOINC_SYSTEM) -> Coding:
        raw = self.as_obj(raw, path)
        system = raw.get("system", default_system)
        if not isinstance(system, str) or not system:
            raise self.fail(f"{path}.system", "expected a non-empty string")
        display = raw.get("display", "")
        if not isinstance(display, str):
            raise self.fail(f"{path}.display", "expected a string")
        return Coding(system=system, code=self.string(raw, "code", path), display=display)


def _read_option(reader: _Reader, raw: Any, path: str) -> AnswerOption:
    raw = reader.as_obj(raw, path)
    score = raw.get("score")
    if score is not None:
        score = reader.integer(raw, "score", path)
    return AnswerOption(
        code=reader.string(raw, "code", path),
        system=raw.get("system", LOINC_SYSTEM),
        display=reader.text(raw, "display", path),
        score=score,
        exclusive=bool(raw.get("exclusive", False)),
        declines=bool(raw.get("declines", False)),
    )


def _read_enable_when(
    reader: _Reader, raw: Any, path: str, earlier: dict[str, Item], rules: dict[str, dict[str, Any]]
) -> EnableWhen:
    raw = reader.as_obj(raw, path)
    operator = raw.get("operator")
    answer = raw.get("answer")
    if ("question" in raw) == ("rule" in raw):
        raise reader.fail(path, "needs exactly one of 'question' or 'rule'")
    if "question" in raw:
        question = reader.string(raw, "question", path)
        if question not in earlier:
            raise reader.fail(f"{path}.question", f"'{question}' is not an earlier item")
        if operator not in ANSWER_OPERATORS:
            raise reader.fail(f"{path}.operator", f"'{operator}' is not one of {sorted(ANSWER_OPERATORS)}")
        if operator == "exists":
            if not isinstance(answer, bool):
                raise reader.fail(f"{path}.answer", "'exists' takes true or false")
        elif not isinstance(answer, str) or earlier[question].option(answer) is None:
            raise reader.fail(f"{path}.answer", f"'{answer}' is not an option of '{question}'")
        return EnableWhen(question=question, operator=operator, answer=answer)
    rule_id = reader.string(raw, "rule", path)
    rule = rules.get(rule_id)
    if rule is None or rule.get("type") != "sum":
        raise reader.fail(f"{path}.rule", f"'{rule_id}' is not a sum rule")
    # The total must be known when the item is reached: its items come first and are never skipped.
    for link_id in rule.get("items", []):
        if link_id not in earlier or earlier[link_id].enable_when:
            raise reader.fail(
                f"{path}.rule", f"'{rule_id}' adds '{link_id}', which is not an earlier unconditional item"
            )
    if operator not in TOTAL_OPERATORS:
        raise reader.fail(f"{path}.operator", f"'{operator}' is not one of {sorted(TOTAL_OPERATORS)}")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise reader.fail(f"{path}.answer", "a total is compared with an integer")
    return EnableWhen(rule=rule_id, operator=operator, answer=answer)


def _read_item(
    reader: _Reader, raw: Any, path: str, earlier: dict[str, Item], rules: dict[str, dict[str, Any]]
) -> Item:
    raw = reader.as_obj(raw, path)
    link_id = reader.string(raw, "linkId", path)
    if link_id in earlier:
        raise reader.fail(f"{path}.linkId", f"'{link_id}' is used twice")
    item_type = reader.string(raw, "type", path)
    if item_type not in ITEM_TYPES:
        raise reader.fail(f"{path}.type", f"'{item_type}' is not one of {sorted(ITEM_TYPES)}")
    codes = reader.as_list(raw.get("code"), f"{path}.code")
    if not codes:
        raise reader.fail(f"{path}.code", "an item needs its LOINC code")
    raw_options = reader.as_list(raw.get("answerOption"), f"{path}.answerOption")
    options = tuple(_read_option(reader, o, f"{path}.answerOption[{i}]") for i, o in enumerate(raw_options))
    if not options:
        raise reader.fail(f"{path}.answerOption", "a choice item needs options")
    seen: set[str] = set()
    for i, option in enumerate(options):
        if option.code in seen:
            raise reader.fail(f"{path}.answerOption[{i}].code", f"'{option.code}' is listed twice")
        seen.add(option.code)
    behavior = raw.get("enableBehavior", "all")
    if behavior not in ("all", "any"):
        raise reader.fail(f"{path}.enableBehavior", "expected 'all' or 'any'")
    raw_conditions = reader.as_list(raw.get("enableWhen", []), f"{path}.enableWhen")
    conditions = tuple(
        _read_enable_when(reader, c, f"{path}.enableWhen[{i}]", earlier, rules) for i, c in enumerate(raw_conditions)
    )
    return Item(
        link_id=link_id,
        code=reader.coding(codes[0], f"{path}.code[0]"),
        text=reader.text(raw, "text", path),
        type=item_type,
        options=options,
        repeats=bool(raw.get("repeats", False)),
        enable_when=conditions,
        enable_behavior=behavior,
    )


def _read_outcome(reader: _Reader, raw: dict[str, Any], path: str) -> Outcome:
    finding = None
    title = None
    also: tuple[Coding, ...] = ()
    if "finding" in raw:
        spec = reader.as_obj(raw["finding"], f"{path}.finding")
        finding = reader.coding(spec, f"{path}.finding", default_system=FINDING_SYSTEM)
        # Every finding is shown to people: it needs its words in both languages.
        title = reader.text(spec, "title", f"{path}.finding")
        also = tuple(
            reader.coding(c, f"{path}.finding.also[{i}]")
            for i, c in enumerate(reader.as_list(spec.get("also", []), f"{path}.finding.also"))
        )
    need = None
    if "need" in raw:
        if raw["need"] not in Need.values:
            raise reader.fail(f"{path}.need", f"'{raw['need']}' is not a need code")
        need = Need(raw["need"])
    urgent = raw.get("urgent")
    if urgent is not None and urgent not in URGENT_KINDS:
        raise reader.fail(f"{path}.urgent", f"'{urgent}' is not one of {sorted(URGENT_KINDS)}")
    return Outcome(finding=finding, also=also, need=need, urgent=urgent, title=title)


def _read_rule(reader: _Reader, raw: Any, path: str, items: dict[str, Item]) -> Rule:
    raw = reader.as_obj(raw, path)
    rule_id = reader.string(raw, "id", path)
    rule_type = raw.get("type")
    if "item" in raw and "items" not in raw:
        link_ids = [reader.string(raw, "item", path)]
    else:
        link_ids = reader.as_list(raw.get("items"), f"{path}.items")
    if not link_ids:
        raise reader.fail(f"{path}.items", "a rule needs at least one item")
    for i, link_id in enumerate(link_ids):
        if link_id not in items:
            raise reader.fail(f"{path}.items[{i}]", f"unknown linkId '{link_id}'")
    code = reader.coding(raw["code"], f"{path}.code") if "code" in raw else None
    outcome = _read_outcome(reader, raw, path)
    if rule_type == "sum":
        for i, link_id in enumerate(link_ids):
            item = items[link_id]
            if item.repeats or any(o.score is None for o in item.options if not o.declines):
                raise reader.fail(
                    f"{path}.items[{i}]", f"'{link_id}' is not a single choice with a score on every option"
                )
        threshold = reader.integer(raw, "threshold", path) if "threshold" in raw else None
        bands: list[Band] = []
        for i, raw_band in enumerate(reader.as_list(raw.get("bands", []), f"{path}.bands")):
            band_path = f"{path}.bands[{i}]"
            band = reader.as_obj(raw_band, band_path)
            minimum = reader.integer(band, "min", band_path)
            if bands and minimum <= bands[-1].min:
                raise reader.fail(f"{band_path}.min", "bands must rise")
            # A band is shown to people as "Severe (20–27)": it needs its words in both languages.
            label = reader.text(band, "label", band_path)
            bands.append(Band(min=minimum, outcome=_read_outcome(reader, band, band_path), label=label))
        if threshold is None and (outcome.finding or outcome.need or outcome.urgent):
            raise reader.fail(path, "a finding, need or urgent flag on a sum needs a threshold")
        if bands:
            # Every total falls in a band, so the page can always say which one.
            low = sum(min(o.score for o in items[link_id].options if o.score is not None) for link_id in link_ids)
            if bands[0].min != low:
                raise reader.fail(f"{path}.bands[0].min", f"the first band starts at the lowest total, {low}")
        return Rule(
            id=rule_id,
            type="sum",
            items=tuple(link_ids),
            threshold=threshold,
            outcome=outcome,
            bands=tuple(bands),
            code=code,
        )
    if rule_type == "any_of":
        answers = reader.as_list(raw.get("answers"), f"{path}.answers")
        if not answers:
            raise reader.fail(f"{path}.answers", "an any_of rule needs answers")
        for i, answer in enumerate(answers):
            if not any(items[link_id].option(answer) for link_id in link_ids):
                raise reader.fail(f"{path}.answers[{i}]", f"'{answer}' is not an option of {', '.join(link_ids)}")
        values = {}
        for key in ("positive_value", "negative_value"):
            values[key] = reader.coding(raw[key], f"{path}.{key}") if key in raw else None
        return Rule(
            id=rule_id,
            type="any_of",
            items=tuple(link_ids),
            answers=frozenset(answers),
            outcome=outcome,
            code=code,
            positive_value=values["positive_value"],
            negative_value=values["negative_value"],
        )
    raise reader.fail(f"{path}.type", f"'{rule_type}' is not 'sum' or 'any_of'")


def parse_instrument(raw: Any, name: str = "instrument") -> Instrument:
    """Validate a raw definition (already parsed JSON) and build the Instrument."""
    reader = _Reader(raw.get("id", name) if isinstance(raw, dict) else name)
    raw = reader.as_obj(raw, "$")
    instrument_id = reader.string(raw, "id", "$")
    version = reader.string(raw, "version", "$")
    title = reader.text(raw, "title", "$")
    codes = reader.as_list(raw.get("code", []), "$.code")
    scoring = reader.as_obj(raw.get("scoring"), "$.scoring")
    raw_rules = reader.as_list(scoring.get("rules"), "$.scoring.rules")
    rules_by_id = {r["id"]: r for r in raw_rules if isinstance(r, dict) and isinstance(r.get("id"), str)}
    items: dict[str, Item] = {}
    for i, raw_item in enumerate(reader.as_list(raw.get("item"), "$.item")):
        item = _read_item(reader, raw_item, f"$.item[{i}]", items, rules_by_id)
        items[item.link_id] = item
    rules: list[Rule] = []
    for i, raw_rule in enumerate(raw_rules):
        rule = _read_rule(reader, raw_rule, f"$.scoring.rules[{i}]", items)
        if any(r.id == rule.id for r in rules):
            raise reader.fail(f"$.scoring.rules[{i}].id", f"'{rule.id}' is used twice")
        rules.append(rule)
    return Instrument(
        id=instrument_id,
        version=version,
        title=title,
        code=reader.coding(codes[0], "$.code[0]") if codes else None,
        items=tuple(items.values()),
        rules=tuple(rules),
        es_source=raw.get("es_source", "published"),
    )


@lru_cache(maxsize=32)
def _load_shipped(instrument_id: str) -> Instrument:
    path = INSTRUMENTS_DIR / f"{instrument_id}.json"
    if not path.is_file():
        raise InstrumentError(instrument_id, str(path), "no such instrument")
    return _load_path(path)


def _load_path(path: Path) -> Instrument:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InstrumentError(path.stem, str(path), f"cannot be read: {exc}") from exc
    return parse_instrument(raw, name=path.stem)


def load_instrument(instrument: str | Path) -> Instrument:
    """Load a shipped instrument by id (``"phq-2-9"``), or any definition file by path."""
    if isinstance(instrument, Path):
        return _load_path(instrument)
    if "/" in instrument or instrument.endswith(".json"):
        return _load_path(Path(instrument))
    return _load_shipped(instrument)


# Answers and enableWhen -------------------------------------------------------------------------


def _codes(answer: Answer) -> tuple[str, ...]:
    if answer is DECLINED:
        return ()
    if isinstance(answer, str):
        return (answer,)
    return tuple(answer)


def _check_answers(instrument: Instrument, answers: Mapping[str, Answer]) -> None:
    for link_id, answer in answers.items():
        try:
            item = instrument.item(link_id)
        except KeyError:
            raise AnswerError(f"{instrument.id}: no item '{link_id}'") from None
        if answer is DECLINED:
            continue
        if not isinstance(answer, str) and not item.repeats:
            raise AnswerError(f"{instrument.id}: '{link_id}' takes one answer")
        codes = _codes(answer)
        if not codes:
            raise AnswerError(f"{instrument.id}: '{link_id}' has an empty answer; leave it out or use DECLINED")
        for code in codes:
            if item.option(code) is None and item.type != "open-choice":
                raise AnswerError(f"{instrument.id}: '{code}' is not an option of '{link_id}'")
        exclusive = [code for code in codes if (option := item.option(code)) is not None and option.exclusive]
        if exclusive and len(codes) > 1:
            raise AnswerError(f"{instrument.id}: '{exclusive[0]}' cannot be chosen with other answers of '{link_id}'")


def _is_declined(item: Item, answer: Answer | None) -> bool:
    if answer is DECLINED:
        return True
    if answer is None:
        return False
    codes = _codes(answer)
    return bool(codes) and all((o := item.option(c)) is not None and o.declines for c in codes)


def _compare(left: int, operator: str, right: int) -> bool:
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[operator]


def _sum(instrument: Instrument, rule: Rule, answers: Mapping[str, Answer]) -> int | None:
    """The total of a sum rule's items, or None when any of them lacks a scored answer."""
    total = 0
    for link_id in rule.items:
        answer = answers.get(link_id)
        if answer is None or answer is DECLINED or not isinstance(answer, str):
            return None
        option = instrument.item(link_id).option(answer)
        if option is None or option.score is None:
            return None
        total += option.score
    return total


def _condition_holds(
    instrument: Instrument, condition: EnableWhen, answers: Mapping[str, Answer], enabled: set[str]
) -> bool:
    if condition.rule is not None:
        total = _sum(instrument, instrument.rule(condition.rule), answers)
        return (
            total is not None
            and isinstance(condition.answer, int)
            and _compare(total, condition.operator, condition.answer)
        )
    assert condition.question is not None
    # A disabled question has no answer, whatever was submitted for it (FHIR enableWhen semantics).
    answer = answers.get(condition.question) if condition.question in enabled else None
    has_answer = answer is not None and answer is not DECLINED
    if condition.operator == "exists":
        return has_answer == condition.answer
    if not has_answer or answer is None:
        # "!=" on an unanswered (or declined) question stays closed until there is an answer to compare.
        return False
    chosen = condition.answer in _codes(answer)
    return chosen if condition.operator == "=" else not chosen


def enabled_items(instrument: Instrument, answers: Mapping[str, Answer]) -> list[str]:
    """The linkIds to ask (and to score), in order, given the answers so far."""
    enabled: list[str] = []
    enabled_set: set[str] = set()
    for item in instrument.items:
        if item.enable_when:
            results = [_condition_holds(instrument, c, answers, enabled_set) for c in item.enable_when]
            if not (all(results) if item.enable_behavior == "all" else any(results)):
                continue
        enabled.append(item.link_id)
        enabled_set.add(item.link_id)
    return enabled


# Scoring ----------------------------------------------------------------------------------------


@dataclass
class _Collector:
    findings: list[Finding] = field(default_factory=list)
    needs: dict[Need, IdentifiedNeed] = field(default_factory=dict)
    urgent: list[UrgentFlag] = field(default_factory=list)

    def add(self, rule: Rule, outcome: Outcome, evidence: tuple[Evidence, ...]) -> None:
        if outcome.finding is not None:
            self.findings.append(
                Finding(
                    rule=rule.id,
                    code=outcome.finding.code,
                    system=outcome.finding.system,
                    display=outcome.finding.display,
                    evidence=evidence,
                    also=outcome.also,
                )
            )
        if outcome.need is not None:
            known = self.needs.get(outcome.need)
            if known is None:
                self.needs[outcome.need] = IdentifiedNeed(need=outcome.need, rules=(rule.id,), evidence=evidence)
            else:
                merged = known.evidence + tuple(e for e in evidence if e not in known.evidence)
                self.needs[outcome.need] = IdentifiedNeed(
                    need=outcome.need, rules=(*known.rules, rule.id), evidence=merged
                )
        if outcome.urgent is not None:
            self.urgent.append(UrgentFlag(kind=outcome.urgent, rule=rule.id, evidence=evidence))


def _evidence(link_id: str, answer: Answer) -> Evidence:
    codes = _codes(answer)
    return Evidence(link_id=link_id, answer=codes[0] if isinstance(answer, str) else codes)


def score(instrument: Instrument, answers: Mapping[str, Answer]) -> ScoreResult:
    """Apply the instrument's rules to ``answers`` (linkId → option code, list of codes, or DECLINED).

    Raises AnswerError when an answer names an unknown item or option.
    """
    _check_answers(instrument, answers)
    enabled = enabled_items(instrument, answers)
    enabled_set = set(enabled)
    # Only enabled items count; whatever was submitted for a skipped item is ignored.
    given = {link_id: answer for link_id, answer in answers.items() if link_id in enabled_set}
    declined = tuple(link_id for link_id in enabled if _is_declined(instrument.item(link_id), given.get(link_id)))

    collector = _Collector()
    totals: dict[str, int] = {}
    facts: dict[str, RiskFact] = {}
    incomplete: list[Incomplete] = []

    for rule in instrument.rules:
        active = [link_id for link_id in rule.items if link_id in enabled_set]
        if not active or (rule.type == "sum" and len(active) < len(rule.items)):
            facts[rule.id] = RiskFact(rule=rule.id, status="not-applicable", code=rule.code)
            continue
        rule_declined = tuple(link_id for link_id in active if link_id in declined)
        unanswered = tuple(link_id for link_id in active if link_id not in given)

        if rule.type == "sum":
            total = _sum(instrument, rule, given)
            if total is None:
                if rule_declined:
                    incomplete.append(Incomplete(rule=rule.id, reason="declined", link_ids=rule_declined))
                if unanswered:
                    incomplete.append(Incomplete(rule=rule.id, reason="unanswered", link_ids=unanswered))
                facts[rule.id] = RiskFact(rule=rule.id, status="incomplete", code=rule.code)
                continue
            totals[rule.id] = total
            evidence = tuple(_evidence(link_id, given[link_id]) for link_id in rule.items)
            positive = rule.threshold is not None and total >= rule.threshold
            if positive:
                collector.add(rule, rule.outcome, evidence)
            reached = [band for band in rule.bands if total >= band.min]
            if reached:
                collector.add(rule, reached[-1].outcome, evidence)
                # A band that concludes something (a finding, a need) is a positive result, whatever
                # the threshold says: a severe PHQ-9 is never "negative".
                positive = positive or reached[-1].outcome.concludes
            status: Status = "positive" if positive else "negative"
            facts[rule.id] = RiskFact(rule=rule.id, status=status, code=rule.code, total=total)
            continue

        matched = tuple(
            _evidence(link_id, given[link_id])
            for link_id in active
            if link_id in given and rule.answers.intersection(_codes(given[link_id]))
        )
        if matched:
            collector.add(rule, rule.outcome, matched)
            facts[rule.id] = RiskFact(rule=rule.id, status="positive", code=rule.code, value=rule.positive_value)
        elif rule_declined or unanswered:
            # Without a positive answer, a declined or missing item leaves the question open: never a "no".
            if rule_declined:
                incomplete.append(Incomplete(rule=rule.id, reason="declined", link_ids=rule_declined))
            if unanswered:
                incomplete.append(Incomplete(rule=rule.id, reason="unanswered", link_ids=unanswered))
            facts[rule.id] = RiskFact(rule=rule.id, status="incomplete", code=rule.code)
        else:
            facts[rule.id] = RiskFact(rule=rule.id, status="negative", code=rule.code, value=rule.negative_value)

    return ScoreResult(
        instrument=instrument.id,
        version=instrument.version,
        enabled=tuple(enabled),
        declined=declined,
        totals=totals,
        facts=facts,
        findings=tuple(collector.findings),
        needs=tuple(collector.needs.values()),
        urgent=tuple(collector.urgent),
        incomplete=tuple(incomplete),
    )
