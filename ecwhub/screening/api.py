"""Screening endpoints: the same services and selectors as the pages; reads audited; a family the
caller may not see (or a screen in a category they may not see) is 404."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import FAMILY_STAFF_ROLES, Role
from ecwhub.consent.models import DataCategory
from ecwhub.consent.policy import purpose_for
from ecwhub.consent.selectors import OpenedHousehold, members_visible
from ecwhub.core.errors import NotFound
from ecwhub.core.http import ErrorOut, invalid

from . import scoring, selectors, services
from .models import ScreeningResponse
from .scoring import DECLINED

router = Router(tags=["screening"])


class BandOut(Schema):
    label: dict[str, str] = Field(description="the band's words, by language (en, es); empty for a threshold")
    low: int
    high: int


class ScreeningResultOut(Schema):
    rule: str
    code: str
    status: str
    total: int | None
    value_system: str = ""
    value_code: str = ""
    band: BandOut | None = Field(None, description="the band (or side of the threshold) a total falls in")


def _band(instrument: scoring.Instrument | None, rule_id: str, total: int | None) -> BandOut | None:
    if instrument is None or total is None:
        return None
    try:
        rule = instrument.rule(rule_id)
    except KeyError:
        return None
    if rule.type != "sum" or (not rule.bands and rule.threshold is None):
        return None
    band, low, high = instrument.band_of(rule_id, total)
    label = {"en": band.label.en, "es": band.label.es} if band is not None and band.label is not None else {}
    return BandOut(label=label, low=low, high=high)


class FindingOut(Schema):
    rule: str
    system: str
    code: str
    display: str
    also: list[dict[str, str]]
    evidence: list[dict[str, Any]]
    score: int | None


class AnswerOut(Schema):
    link_id: str
    question_code: str
    answer_system: str
    answer_code: str
    value: int | None
    declined: bool


class ScreeningOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    instrument: str
    instrument_version: str
    language: str
    mode: str
    status: str
    category: str
    started_at: datetime
    completed_at: datetime | None
    next_item: str | None = Field(None, description="the next question to ask (in-progress screens)")
    answers: list[AnswerOut] = Field(default_factory=list)
    results: list[ScreeningResultOut] = Field(default_factory=list)
    findings: list[FindingOut] = Field(default_factory=list)


class IdentifiedNeedOut(Schema):
    id: uuid.UUID
    need: str
    person_id: uuid.UUID | None
    status: str
    priority: int | None
    evidence: list[dict[str, Any]]
    identified_at: datetime


class StartIn(Schema):
    person_id: uuid.UUID
    instrument: str = Field(max_length=40)
    language: str = Field("en", pattern="^(en|es)$")
    mode: str = Field("with_coordinator", pattern="^(self|with_coordinator)$")


class AnswerIn(Schema):
    link_id: str = Field(max_length=64)
    answer: list[str] = Field(default_factory=list, description="option codes (one unless the item repeats)")
    declined: bool = Field(False, description="prefer not to answer")


class AnswerResultOut(Schema):
    alerts: list[str] = Field(description="kinds of alert this answer raised (self-harm, interpersonal-safety)")
    next_item: str | None


# Staff who work with families, and a family member for their own family (their own screens).
SCREENING_ROLES = FAMILY_STAFF_ROLES | {Role.FAMILY_MEMBER}


def _error(error: services.ScreeningError) -> HttpResponse:
    if error.field == "household":
        raise NotFound
    return invalid({error.field: [error.message]})


def _next_item(response: ScreeningResponse) -> str | None:
    if response.status != ScreeningResponse.Status.IN_PROGRESS:
        return None
    instrument = scoring.load_instrument(response.instrument)
    answers = services.answers_of(response)
    pending = [link_id for link_id in scoring.enabled_items(instrument, answers) if link_id not in answers]
    return pending[0] if pending else None


def _screening_out(response: ScreeningResponse, opened: OpenedHousehold, detail: bool) -> ScreeningOut:
    try:
        instrument: scoring.Instrument | None = scoring.load_instrument(response.instrument)
    except scoring.InstrumentError:
        instrument = None
    out = ScreeningOut(
        id=response.pk,
        person_id=response.person_id,
        instrument=response.instrument,
        instrument_version=response.instrument_version,
        language=response.language,
        mode=response.mode,
        status=response.status,
        category=response.category,
        started_at=response.started_at,
        completed_at=response.completed_at,
        next_item=None,
        results=[
            ScreeningResultOut(
                rule=r.rule,
                code=r.code,
                status=r.status,
                total=r.total,
                value_system=r.value_system,
                value_code=r.value_code,
                band=_band(instrument, r.rule, r.total),
            )
            for r in selectors.results_of(opened, response)
        ],
        findings=[
            FindingOut(
                rule=f.rule,
                system=f.system,
                code=f.code,
                display=f.display,
                also=f.also,
                evidence=f.evidence,
                score=f.score,
            )
            for f in selectors.findings_of(opened, response)
        ],
    )
    if detail:
        out.next_item = _next_item(response)
        out.answers = [
            AnswerOut(
                link_id=a.link_id,
                question_code=a.question_code,
                answer_system=a.answer_system,
                answer_code=a.answer_code,
                value=a.value,
                declined=a.declined,
            )
            for a in selectors.answers_shown(opened, response)
        ]
    return out


def _open(request: HttpRequest, household_id: uuid.UUID, detail: str) -> tuple[Any, Any, OpenedHousehold]:
    user, membership = acting_member(request, SCREENING_ROLES)
    opened = selectors.screenings_open(
        user=user, membership=membership, household_id=household_id, purpose=purpose_for(membership), detail=detail
    )
    return user, membership, opened


@router.get(
    "/families/{household_id}/screenings",
    response=list[ScreeningOut],
    summary="A family's screens, with the results and findings in the categories the caller may see",
)
def screenings(request: HttpRequest, household_id: uuid.UUID) -> list[ScreeningOut]:
    *_rest, opened = _open(request, household_id, "screenings (api)")
    return [_screening_out(r, opened, detail=False) for r in selectors.responses_of(opened)]


@router.post(
    "/families/{household_id}/screenings",
    response={201: ScreeningOut, 422: ErrorOut},
    summary="Start a screen of one member with the current version of an instrument",
)
def screening_start(request: HttpRequest, household_id: uuid.UUID, payload: StartIn) -> Any:
    user, membership, opened = _open(request, household_id, "start screening (api)")
    person = next((p for p in members_visible(opened) if p.pk == payload.person_id), None)
    if person is None:
        return _error(services.ScreeningError("person_id", _("This person is not a member of this family.")))
    try:
        response = services.screening_start(
            acting_user=user,
            membership=membership,
            household=opened.household,
            person=person,
            instrument_id=payload.instrument,
            language=payload.language,
            mode=payload.mode,
        )
    except services.ScreeningError as error:
        return _error(error)
    return Status(201, _screening_out(response, opened, detail=True))


@router.get(
    "/families/{household_id}/screenings/{response_id}",
    response=ScreeningOut,
    summary="One screen: answers, next question, results and findings (in the categories the caller may see)",
)
def screening_detail(request: HttpRequest, household_id: uuid.UUID, response_id: uuid.UUID) -> ScreeningOut:
    *_rest, opened = _open(request, household_id, "screening (api)")
    return _screening_out(selectors.response_get(opened, response_id), opened, detail=True)


@router.post(
    "/families/{household_id}/screenings/{response_id}/answers",
    response={200: AnswerResultOut, 422: ErrorOut},
    summary="Record or replace the answer to one question (or 'declined': prefer not to answer)",
)
def screening_answer(request: HttpRequest, household_id: uuid.UUID, response_id: uuid.UUID, payload: AnswerIn) -> Any:
    user, membership, opened = _open(request, household_id, "answer screening (api)")
    response = selectors.response_get(opened, response_id)
    if payload.declined and payload.answer:
        return _error(services.ScreeningError("answer", _("Either answers or 'declined', not both.")))
    try:
        raised = services.screening_answer(
            acting_user=user,
            membership=membership,
            response=response,
            link_id=payload.link_id,
            answer=DECLINED if payload.declined else payload.answer,
        )
    except services.ScreeningError as error:
        return _error(error)
    return AnswerResultOut(alerts=[a.kind for a in raised], next_item=_next_item(response))


@router.post(
    "/families/{household_id}/screenings/{response_id}/complete",
    response={200: ScreeningOut, 422: ErrorOut},
    summary="Score the screen: results, findings and needs are written together, or nothing is",
)
def screening_complete(request: HttpRequest, household_id: uuid.UUID, response_id: uuid.UUID) -> Any:
    user, membership, opened = _open(request, household_id, "complete screening (api)")
    response = selectors.response_get(opened, response_id)
    try:
        with transaction.atomic():
            services.screening_complete(acting_user=user, membership=membership, response=response)
    except services.ScreeningError as error:
        return _error(error)
    response.refresh_from_db()
    return _screening_out(response, opened, detail=True)


@router.get(
    "/families/{household_id}/needs",
    response=list[IdentifiedNeedOut],
    summary="A family's identified needs, with status, the family's priority and the evidence",
)
def needs(request: HttpRequest, household_id: uuid.UUID) -> list[IdentifiedNeedOut]:
    user, membership = acting_member(request, SCREENING_ROLES)
    opened = selectors.needs_open(
        user=user, membership=membership, household_id=household_id, purpose=purpose_for(membership)
    )
    # The answers behind a need are screening results: shown only to those who may see those.
    answers = DataCategory.SCREENING_RESULTS in opened.categories
    return [
        IdentifiedNeedOut(
            id=n.pk,
            need=n.need,
            person_id=n.person_id,
            status=n.status,
            priority=n.priority,
            evidence=n.evidence if answers else [],
            identified_at=n.identified_at,
        )
        for n in selectors.needs_of(opened)
    ]
