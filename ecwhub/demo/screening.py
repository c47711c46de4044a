"""Screening histories for the demo families, so the worklists, tiers and surveillance show real
content: AHC HRSN social-needs screens with their usual positives, the Hunger Vital Sign,
PHQ-2 (PHQ-9 after a positive PHQ-2), the EPDS for caregivers of infants at the 1, 2, 4 and
6 month visits (some at 13 or more), the CDC milestone checklists at 9, 18 and 30 months (and
other ages), declined answers, a few screens left half-way, and needs with the family's say.

Answers are scored by the real instruments (``screening.scoring``), so every finding, total and
need is what the hub itself would have concluded. Rows are written with bulk inserts: a few
seconds for hundreds of families.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ecwhub.accounts.models import Membership, Role
from ecwhub.consent.models import Consent
from ecwhub.families.models import Household, Person
from ecwhub.screening import scoring
from ecwhub.screening.catalog import MILESTONE_AGES, instrument_category, milestone_id, need_category, rule_category
from ecwhub.screening.models import (
    Finding,
    IdentifiedNeed,
    NeedStatusChange,
    ScreeningAlert,
    ScreeningAnswer,
    ScreeningResponse,
    ScreeningResult,
)
from ecwhub.screening.protocols import PROTOCOL_FOR_KIND
from ecwhub.screening.services import answer_rows, evidence_json, result_rows

from .clock import reference_time

CAREGIVERS = (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)
# The visits at which Bright Futures asks about the caregiver's mood (months of the infant's age).
EPDS_VISITS = (1, 2, 4, 6)
DECLINE_RATE = 0.03


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class _Rows:
    responses: list[ScreeningResponse] = field(default_factory=list)
    answers: list[ScreeningAnswer] = field(default_factory=list)
    results: list[ScreeningResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    needs: dict[tuple[uuid.UUID, uuid.UUID, str], IdentifiedNeed] = field(default_factory=dict)
    history: list[NeedStatusChange] = field(default_factory=list)
    alerts: list[ScreeningAlert] = field(default_factory=list)
    now: datetime | None = None


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([code for code, _w in weighted], [w for _c, w in weighted])[0]


def _ahc_answers(rng: random.Random) -> dict[str, scoring.Answer]:
    housing = _pick(rng, [("LA31993-1", 0.77), ("LA31994-9", 0.2), ("LA31995-6", 0.03)])
    problems = ["LA31996-4", "LA28580-1", "LA31997-2", "LA31998-0", "LA31999-8", "LA32000-4", "LA32001-2"]
    conditions: scoring.Answer = tuple(rng.sample(problems, rng.randint(1, 2))) if rng.random() < 0.18 else ("LA9-3",)
    food_risk = rng.random() < 0.3
    food = [("LA28397-0", 0.35), ("LA6729-3", 0.65)] if food_risk else [("LA28398-8", 1.0)]
    answers: dict[str, scoring.Answer] = {
        "/71802-3": housing,
        "/96778-6": conditions,
        "/88122-7": _pick(rng, food),
        "/88123-5": _pick(rng, food if rng.random() < 0.7 else [("LA28398-8", 1.0)]),
        "/93030-5": "LA33-6" if rng.random() < 0.15 else "LA32-8",
        "/96779-4": _pick(rng, [("LA32-8", 0.86), ("LA33-6", 0.09), ("LA32002-0", 0.05)]),
    }
    # Interpersonal safety (1 never … 5 frequently): mostly "never"; about 2 in 100 reach 11.
    unsafe = rng.random() < 0.02
    for link_id in ("/95618-5", "/95617-7", "/95616-9", "/95615-1"):
        answers[link_id] = (
            _pick(rng, [("LA10082-8", 0.4), ("LA16644-9", 0.4), ("LA6482-9", 0.2)])
            if unsafe
            else _pick(rng, [("LA6270-8", 0.93), ("LA10066-1", 0.07)])
        )
    return answers


def _scored_answers(rng: random.Random, instrument: scoring.Instrument, level: float) -> dict[str, scoring.Answer]:
    """Answers to a summed instrument (EPDS, PHQ): ``level`` 0..1 moves the answers up the scale."""
    answers: dict[str, scoring.Answer] = {}
    # Thoughts of self-harm are rare even when mood is low (about 3 in 100 screens here).
    self_harm = {link_id for rule in instrument.rules if rule.outcome.urgent == "self-harm" for link_id in rule.items}
    for item in instrument.items:
        if item.link_id not in scoring.enabled_items(instrument, answers):
            continue
        options = sorted((o for o in item.options if o.score is not None), key=lambda o: o.score or 0)
        top = len(options) - 1
        index = min(top, max(0, round(rng.gauss(level * top, 0.7))))
        if item.link_id in self_harm and rng.random() < 0.97:
            index = 0
        answers[item.link_id] = options[index].code
    return answers


def _milestone_answers(rng: random.Random, instrument: scoring.Instrument, concern: bool) -> dict[str, scoring.Answer]:
    answers: dict[str, scoring.Answer] = {}
    for item in instrument.items:
        answers[item.link_id] = "not-sure" if rng.random() < 0.04 else "yes"
    if concern:
        for item in rng.sample(list(instrument.items), rng.randint(1, 3)):
            answers[item.link_id] = "not-yet"
    return answers


def _record(
    rows: _Rows,
    rng: random.Random,
    *,
    household: Household,
    person: Person,
    respondent: Person | None,
    instrument_id: str,
    answers: dict[str, scoring.Answer],
    at: datetime,
    taken_by_id: int,
    organization_id: int | None,
    complete: bool = True,
) -> None:
    instrument = scoring.load_instrument(instrument_id)
    # A few questions the family preferred not to answer (never the ones a later question depends on).
    for link_id in list(answers):
        if rng.random() < DECLINE_RATE and not any(
            c.question == link_id for item in instrument.items for c in item.enable_when
        ):
            answers[link_id] = scoring.DECLINED
    enabled = scoring.enabled_items(instrument, answers)
    answers = {k: v for k, v in answers.items() if k in enabled}
    if not complete:
        keep = enabled[: max(1, len(enabled) // 2)]
        answers = {k: v for k, v in answers.items() if k in keep}
    response = ScreeningResponse(
        id=_uuid(rng),
        household=household,
        person=person,
        respondent=respondent,
        instrument=instrument.id,
        instrument_version=instrument.version,
        language=household.preferred_language if household.preferred_language in ("en", "es") else "es",
        mode=ScreeningResponse.Mode.SELF if rng.random() < 0.25 else ScreeningResponse.Mode.WITH_COORDINATOR,
        status=ScreeningResponse.Status.COMPLETED if complete else ScreeningResponse.Status.IN_PROGRESS,
        category=instrument_category(instrument),
        started_at=at - timedelta(minutes=12),
        completed_at=at if complete else None,
        taken_by_id=taken_by_id,
        organization_id=organization_id,
    )
    rows.responses.append(response)
    for link_id, value in answers.items():
        rows.answers.extend(answer_rows(instrument, response, link_id, value, at=at - timedelta(minutes=6)))
    if not complete:
        return
    result = scoring.score(instrument, answers)
    results, findings = result_rows(instrument, response, result, at)
    rows.results.extend(results)
    rows.findings.extend(findings)
    for identified in result.needs:
        key = (household.pk, person.pk, identified.need.value)
        evidence = evidence_json(instrument.id, identified.evidence)
        need = rows.needs.get(key)
        if need is None:
            rows.needs[key] = IdentifiedNeed(
                id=_uuid(rng),
                household=household,
                person=person,
                need=identified.need.value,
                category=need_category(identified.need.value),
                source_response=response,
                evidence=evidence,
                identified_at=at,
                updated_at=at,
            )
        else:
            need.evidence = need.evidence + [e for e in evidence if e not in need.evidence]
            need.source_response = response
            need.updated_at = max(need.updated_at, at)
    for kind in dict.fromkeys(flag.kind for flag in result.urgent):
        # Alerts older than a week were followed up; the recent ones wait on the coordinator.
        old = rows.now is not None and at < rows.now - timedelta(days=7)
        rows.alerts.append(
            ScreeningAlert(
                id=_uuid(rng),
                response=response,
                household=household,
                kind=kind,
                protocol=PROTOCOL_FOR_KIND[kind],
                category=rule_category(instrument, result.urgent[0].rule),
                raised_at=at,
                acknowledged_by_id=taken_by_id if old else None,
                acknowledged_at=at + timedelta(hours=3) if old else None,
            )
        )


def _family_say(rows: _Rows, rng: random.Random, household_coordinator: dict[uuid.UUID, int], now: datetime) -> None:
    """What each family said about its needs: help wanted (in its order), declined, or addressed."""
    by_household: dict[uuid.UUID, list[IdentifiedNeed]] = {}
    for need in rows.needs.values():
        by_household.setdefault(need.household_id, []).append(need)
    for household_id, needs in by_household.items():
        user_id = household_coordinator[household_id]
        rank = 0
        for need in sorted(needs, key=lambda n: (n.identified_at, n.need)):
            rows.history.append(
                NeedStatusChange(
                    need=need,
                    from_status="",
                    to_status=IdentifiedNeed.Status.IDENTIFIED,
                    changed_by_id=user_id,
                    changed_at=need.identified_at,
                    source_response=need.source_response,
                )
            )
            roll = rng.random()
            if roll < 0.2:
                continue
            if roll < 0.6:
                rank += 1
                need.status, need.priority = IdentifiedNeed.Status.WANTS_HELP, rank
            elif roll < 0.78:
                need.status = IdentifiedNeed.Status.DECLINED_HELP
            else:
                need.status = IdentifiedNeed.Status.ADDRESSED
            changed = min(now, need.identified_at + timedelta(days=rng.randint(0, 40)))
            need.updated_at = max(need.updated_at, changed)
            rows.history.append(
                NeedStatusChange(
                    need=need,
                    from_status=IdentifiedNeed.Status.IDENTIFIED,
                    to_status=need.status,
                    priority=need.priority,
                    changed_by_id=user_id,
                    changed_at=changed,
                )
            )


def seed_screening(*, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-screening")
    now = reference_time(today)
    consenting = set(Consent.objects.in_force().values_list("household_id", flat=True))
    staff: dict[int, int] = {}
    for membership in Membership.objects.filter(role__in=[Role.COORDINATOR, Role.CLINICIAN], is_active=True).order_by(
        "-role", "user__email"
    ):
        # A coordinator where the organization has one (ordering puts coordinators last, so they win).
        staff[membership.organization_id] = membership.user_id
    fallback = next(iter(staff.values()), None)
    if fallback is None:
        return {"screenings": 0}
    rows = _Rows(now=now)
    household_coordinator: dict[uuid.UUID, int] = {}
    households = Household.objects.filter(pk__in=consenting).order_by("created_at", "id").prefetch_related("members")
    for household in households:
        members = list(household.members.all())
        caregivers = [p for p in members if p.relationship in CAREGIVERS]
        children = [p for p in members if p.relationship == Person.Relationship.CHILD]
        if not caregivers:
            continue
        caregiver = caregivers[0]
        taken_by = staff.get(household.registered_by_id or 0, fallback)
        household_coordinator[household.pk] = taken_by
        common = {
            "household": household,
            "taken_by_id": taken_by,
            "organization_id": household.registered_by_id,
        }
        earliest = max(household.created_at, now - timedelta(days=540))
        span = max(1, int((now - earliest).total_seconds() // 3600))

        def when(rng: random.Random = rng, earliest: datetime = earliest, span: int = span) -> datetime:
            return earliest + timedelta(hours=rng.randint(1, span))

        if rng.random() < 0.75:
            partial = rng.random() < 0.06
            _record(
                rows,
                rng,
                person=caregiver,
                respondent=caregiver,
                instrument_id="ahc-hrsn-core",
                answers=_ahc_answers(rng),
                at=when(),
                complete=not partial,
                **common,  # type: ignore[arg-type]
            )
        if rng.random() < 0.25:
            food = "LA28397-0" if rng.random() < 0.3 else "LA28398-8"
            _record(
                rows,
                rng,
                person=caregiver,
                respondent=caregiver,
                instrument_id="hunger-vital-sign",
                answers={"/88122-7": food, "/88123-5": _pick(rng, [("LA28398-8", 0.6), ("LA6729-3", 0.4)])},
                at=when(),
                **common,  # type: ignore[arg-type]
            )
        if rng.random() < 0.35:
            phq = scoring.load_instrument("phq-2-9")
            _record(
                rows,
                rng,
                person=caregiver,
                respondent=caregiver,
                instrument_id="phq-2-9",
                answers=_scored_answers(rng, phq, rng.choice([0.0, 0.0, 0.1, 0.2, 0.45, 0.7])),
                at=when(),
                **common,  # type: ignore[arg-type]
            )
        for child in children:
            born = datetime.combine(child.date_of_birth, now.timetz())
            age_days = (now - born).days
            # The EPDS at the infant's 1, 2, 4 and 6 month visits (most visits, not all).
            if 0 <= age_days < 365 and caregiver.relationship in CAREGIVERS:
                epds = scoring.load_instrument("epds")
                mood = rng.choice([0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6])
                for months in EPDS_VISITS:
                    at = born + timedelta(days=int(months * 30.44) + rng.randint(0, 6))
                    if at < now and rng.random() < 0.8:
                        _record(
                            rows,
                            rng,
                            person=caregiver,
                            respondent=caregiver,
                            instrument_id="epds",
                            answers=_scored_answers(rng, epds, mood),
                            at=at,
                            **common,  # type: ignore[arg-type]
                        )
            # Milestone checklists at the ages the child has passed in the last eighteen months.
            for months in MILESTONE_AGES:
                at = born + timedelta(days=int(months * 30.44) + rng.randint(0, 20))
                if at >= now or at < now - timedelta(days=540):
                    continue
                screening_age = months in (9, 18, 30)
                if rng.random() >= (0.7 if screening_age else 0.3):
                    continue
                try:
                    instrument = scoring.load_instrument(milestone_id(months))
                except scoring.InstrumentError:
                    continue  # an age the hub has no checklist for yet
                _record(
                    rows,
                    rng,
                    person=child,
                    respondent=caregiver,
                    instrument_id=instrument.id,
                    answers=_milestone_answers(rng, instrument, concern=rng.random() < 0.13),
                    at=at,
                    **common,  # type: ignore[arg-type]
                )
    _family_say(rows, rng, household_coordinator, now)
    ScreeningResponse.objects.bulk_create(rows.responses, batch_size=2000)
    ScreeningAnswer.objects.bulk_create(rows.answers, batch_size=5000)
    ScreeningResult.objects.bulk_create(rows.results, batch_size=5000)
    Finding.objects.bulk_create(rows.findings, batch_size=2000)
    IdentifiedNeed.objects.bulk_create(rows.needs.values(), batch_size=2000)
    NeedStatusChange.objects.bulk_create(rows.history, batch_size=5000)
    ScreeningAlert.objects.bulk_create(rows.alerts, batch_size=1000)
    return {
        "screenings": len(rows.responses),
        "in_progress": sum(1 for r in rows.responses if r.status == ScreeningResponse.Status.IN_PROGRESS),
        "answers": len(rows.answers),
        "findings": len(rows.findings),
        "needs": len(rows.needs),
        "alerts": len(rows.alerts),
    }
