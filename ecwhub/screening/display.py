"""How a screen's answers, results and findings are said: in the reader's language, a total with
the band or the side of the threshold it is in, a finding by its title, codes by the short name of
their system (for staff, behind a <details>). The result page and the family's printable export
both say them this way."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecwhub.consent.selectors import OpenedHousehold

from . import scoring, selectors
from .models import ScreeningResponse
from .scoring import DECLINED


@dataclass(frozen=True)
class EvidenceView:
    question: str
    answer: str


def answer_label(item: scoring.Item, answer: scoring.Answer | None, language: str) -> str:
    if answer is None:
        return ""
    if answer is DECLINED:
        return _("Prefer not to answer")
    codes = (answer,) if isinstance(answer, str) else tuple(answer)
    labels = []
    for code in codes:
        option = item.option(code)
        labels.append(option.display.get(language) if option else code)
    return "; ".join(labels)


def evidence_views(evidence: list[dict[str, object]], language: str) -> list[EvidenceView]:
    views = []
    for entry in evidence:
        try:
            instrument = scoring.load_instrument(str(entry["instrument"]))
            item = instrument.item(str(entry["link_id"]))
        except (KeyError, scoring.InstrumentError):
            continue
        raw = entry.get("answer")
        answer: scoring.Answer = raw if isinstance(raw, str) else tuple(raw or ())  # type: ignore[arg-type]
        views.append(EvidenceView(item.text.get(language), answer_label(item, answer, language)))
    return views


@dataclass(frozen=True)
class ResultView:
    """One rule's row of the results table: its score (a total, or the answers it reads) and its
    outcome, which names the band or the side of the threshold the total is in."""

    rule: str
    label: str
    score: str
    outcome: str
    positive: bool
    code: str


def answers_by_item(opened: OpenedHousehold, response: ScreeningResponse) -> dict[str, scoring.Answer]:
    """The answers the viewer may see, by linkId (several codes for a multiple choice)."""
    given: dict[str, list[str]] = {}
    declined: set[str] = set()
    for answer in selectors.answers_shown(opened, response):
        if answer.declined and not answer.answer_code:
            declined.add(answer.link_id)
        else:
            given.setdefault(answer.link_id, []).append(answer.answer_code)
    shown: dict[str, scoring.Answer] = {link_id: DECLINED for link_id in declined}
    shown.update({link_id: codes[0] if len(codes) == 1 else tuple(codes) for link_id, codes in given.items()})
    return shown


def outcome_label(
    instrument: scoring.Instrument, rule: scoring.Rule, status: str, total: int | None, language: str
) -> str:
    """ "Severe (20–27)" for a banded total, "Positive (3–6)" for a thresholded one, else the status."""
    if rule.type != "sum" or total is None or (not rule.bands and rule.threshold is None):
        return status
    band, low, high = instrument.band_of(rule.id, total)
    name = band.label.get(language) if band is not None and band.label is not None else status
    return f"{name} ({low}–{high})"


def result_views(
    instrument: scoring.Instrument,
    opened: OpenedHousehold,
    response: ScreeningResponse,
    answers: dict[str, scoring.Answer],
    language: str,
) -> list[ResultView]:
    views = []
    for row in selectors.results_of(opened, response):
        if row.status == "not-applicable":
            continue
        status = row.get_status_display()
        try:
            rule = instrument.rule(row.rule)
        except KeyError:
            views.append(ResultView(row.rule, rule_label(row.rule), "—", status, row.status == "positive", ""))
            continue
        if rule.type == "sum":
            score = str(row.total) if row.total is not None else "—"
            outcome = outcome_label(instrument, rule, status, row.total, language)
            positive = row.total is not None and (
                (rule.threshold is not None and row.total >= rule.threshold)
                or ((band := instrument.band_of(rule.id, row.total)[0]) is not None and band.outcome.concludes)
            )
        else:
            # The answers the rule read, each once: an answered item never shows as "—".
            labels = [
                answer_label(instrument.item(link_id), answers[link_id], language)
                for link_id in rule.items
                if link_id in answers
            ]
            score = "; ".join(dict.fromkeys(labels)) or "—"
            outcome = status
            positive = row.status == "positive"
        views.append(
            ResultView(
                row.rule,
                rule_label(row.rule),
                score,
                outcome,
                positive,
                coding_label(row.code_system, row.code) if row.code else "",
            )
        )
    return views


# Short names of the code systems, for the staff's <details>; never a URL or a URN on a page.
CODE_SYSTEM_NAMES = {
    scoring.LOINC_SYSTEM: "LOINC",
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes": "Gravity SDOH",
    scoring.FINDING_SYSTEM: "ECW Hub",
}


def coding_label(system: str, code: str) -> str:
    return f"{CODE_SYSTEM_NAMES.get(system, 'ECW Hub')} {code}"


def finding_title(instrument: scoring.Instrument, rule: str, code: str, language: str) -> str:
    """The finding in words, in the page's language (the stored display is the coding's, for systems)."""
    title = instrument.finding_title(rule, code)
    if title is not None:
        return title.get(language)
    # A finding of an older version of the instrument: its rule's name, which is translated.
    return rule_label(rule)


def has_item(instrument: scoring.Instrument, link_id: str) -> bool:
    try:
        instrument.item(link_id)
    except KeyError:
        return False
    return True


RULE_LABELS = {
    "epds-total": gettext_lazy("EPDS total score"),
    "epds-self-harm": gettext_lazy("EPDS item 10 (thoughts of self-harm)"),
    "phq2": gettext_lazy("PHQ-2 score"),
    "phq9": gettext_lazy("PHQ-9 score"),
    "phq9-self-harm": gettext_lazy("PHQ-9 item 9 (thoughts of self-harm)"),
    "food-insecurity": gettext_lazy("Food insecurity"),
    "housing-instability": gettext_lazy("Housing instability"),
    "homelessness": gettext_lazy("Homelessness"),
    "inadequate-housing": gettext_lazy("Inadequate housing"),
    "transportation-insecurity": gettext_lazy("Transportation insecurity"),
    "utility-insecurity": gettext_lazy("Utility insecurity"),
    "interpersonal-safety": gettext_lazy("Interpersonal safety score"),
    "developmental-concern": gettext_lazy("Milestones not yet reached"),
}


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))
