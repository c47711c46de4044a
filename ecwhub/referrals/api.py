"""Referral endpoints: the same services and selectors as the pages. A referral the caller may not
see (or has no side in) is 404, exactly as one that does not exist; every read is audited by the
selectors, every write by the services.

Errors keep the one body (``ecwhub.core.http``): bad input is 422 naming the field as sent, a rule
of ``workflow`` that refuses a move is 422 naming the rule, a stale ``version`` or an
``Idempotency-Key`` reused for another referral is 409 ``conflict``; nothing is written then.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field, field_validator

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.core.errors import NotFound
from ecwhub.core.http import ErrorOut, PageNumber, error_response, invalid
from ecwhub.families.models import ContactMethod

from . import selectors, services
from .api_audit import audit_course_read, audit_refused_change, audit_refused_create
from .models import IDEMPOTENCY_KEY_MAX, Handoff, Referral
from .selectors import OpenedReferral
from .services import (
    NOTE_MAX,
    RECEIVING_ROLES,
    REFERRING_ROLES,
    SERVICE_DELIVERED_MAX,
    IdempotencyMismatch,
    ReferralConflict,
    ReferralError,
    ReferralInput,
)
from .workflow import (
    Action,
    BusinessStatus,
    NeedResult,
    Reason,
    Side,
    WorkflowError,
    allowed_actions,
    allowed_steps,
)
from .workflow import Status as ReferralStatus

router = Router(tags=["referrals"])

# Who may call each endpoint (the services then decide which side of a referral the caller is on).
# Staff on either side read and answer; a family member reads and cancels their own family's
# referrals; the hub administrator reads a referral's course (never the family) to cancel it or
# mark it entered in error.
READER_ROLES = RECEIVING_ROLES | {Role.FAMILY_MEMBER, Role.HUB_ADMIN}
VERSION_MAX = 2_147_483_647  # the largest value of the version column (PositiveIntegerField)

# The service names the input at fault by its domain name; the API by the field as sent.
API_FIELDS = {
    "household": "household_id",
    "service": "service_id",
    "needs": "need_ids",
    "person": "person_id",
    "location": "location_id",
    "warnings": "acknowledged_warnings",
}


# --- Schemas -------------------------------------------------------------------------------------


class ReferralCodeOut(Schema):
    code: str
    label: str = Field(description="in the caller's language")


class ReferralServiceOut(Schema):
    id: uuid.UUID
    name: str


class ReferralOrganizationOut(Schema):
    slug: str
    name: str


class ReferralPersonOut(Schema):
    id: uuid.UUID
    given_name: str
    family_name: str


class ReferralNeedOut(Schema):
    id: uuid.UUID
    need: ReferralCodeOut
    status: str


class ReferralEventOut(Schema):
    seq: int
    at: datetime
    side: ReferralCodeOut
    organization: str | None = Field(description="the organization that acted (staff sides)")
    action: str
    from_status: str
    to_status: str
    business_status: str
    reason: str
    need_result: str
    note: str | None = Field(description="present for the referring and receiving staff")


class ReferralReasonOut(Schema):
    code: str
    label: str


class ReferralActionOut(Schema):
    action: str
    label: str
    to_status: str
    reasons: list[ReferralReasonOut] = Field(description="one of these is required when not empty")
    outcome: bool = Field(description="needs need_result and service_delivered")
    note: bool = Field(description="needs a note")


class ReferralStepOut(Schema):
    step: str
    label: str
    needs_when: bool = Field(description="needs appointment_at")


class ReferralOut(Schema):
    id: uuid.UUID
    reference: str
    version: int = Field(description="send it back with a change: a stale one is answered 409")
    status: ReferralCodeOut
    business_status: ReferralCodeOut | None
    reason: ReferralCodeOut | None
    need_result: ReferralCodeOut | None
    service_delivered: str
    household_id: uuid.UUID
    person: ReferralPersonOut | None = Field(description="the person it is about, when the caller may see them")
    needs: list[ReferralNeedOut] = Field(description="the needs the caller may see")
    service: ReferralServiceOut
    location_id: uuid.UUID | None
    referring_organization: ReferralOrganizationOut
    receiving_organization: ReferralOrganizationOut | None = Field(description="empty outside the network")
    outside_network: bool
    urgent: bool
    handoff: str | None
    contact_method: str | None
    contact_times: str | None
    note: str | None = Field(description="the note for the service (referring and receiving staff)")
    appointment_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    sides: list[str] = Field(description="the caller's sides: referrer, receiver, family, hub")
    allowed_actions: list[ReferralActionOut] = Field(description="POST …/transitions (send: POST …/send)")
    allowed_steps: list[ReferralStepOut] = Field(description="POST …/steps")
    events: list[ReferralEventOut]


class ReferralListItem(Schema):
    id: uuid.UUID
    reference: str
    version: int
    status: ReferralCodeOut
    business_status: ReferralCodeOut | None
    household_id: uuid.UUID
    service: ReferralServiceOut
    referring_organization: ReferralOrganizationOut
    receiving_organization: ReferralOrganizationOut | None
    urgent: bool
    appointment_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    updated_at: datetime


class ReferralPage(Schema):
    items: list[ReferralListItem]
    count: int
    page: int
    page_size: int
    pages: int


class ReferralListFilters(Schema):
    box: Literal["sent", "received"] = Field("sent", description="what the caller's organization sent or received")
    tab: Literal["new", "waiting", "scheduled", "overdue", "open", "closed", "all"] = "open"
    mine: bool = Field(False, description="sent: only the referrals the caller made")
    page: PageNumber = 1
    page_size: int = Field(25, ge=1, le=100)


class ReferralBlockOut(Schema):
    code: str = Field(description="consent or agreement")
    categories: list[str] = Field(description="the data categories sharing does not cover")
    text: str


class ReferralWarningOut(Schema):
    code: str
    text: str


class ReferralChecksOut(Schema):
    blocks: list[ReferralBlockOut] = Field(description="sending is refused until each is resolved")
    warnings: list[ReferralWarningOut] = Field(description="how the service may not fit; sending is allowed")


class ReferralCreateIn(Schema):
    household_id: uuid.UUID
    service_id: uuid.UUID
    need_ids: list[uuid.UUID] = Field(max_length=50, description="the family's open needs the referral is for")
    person_id: uuid.UUID | None = Field(None, description="the person it is about; empty for the whole family")
    location_id: uuid.UUID | None = Field(None, description="one of the service's locations")
    note: str = Field("", max_length=NOTE_MAX, description="for the service")
    urgent: bool = False
    handoff: str = Field(Handoff.NONE.value, max_length=16, description="one of " + ", ".join(Handoff.values))
    contact_method: str = Field("", max_length=16, description="empty or one of " + ", ".join(ContactMethod.values))
    contact_times: str = Field("", max_length=200)
    send: bool = Field(True, description="send at once (false: keep a draft to send with POST …/send)")

    def referral_input(self) -> ReferralInput:
        return ReferralInput(
            household_id=self.household_id,
            service_id=self.service_id,
            need_ids=self.need_ids,
            person_id=self.person_id,
            location_id=self.location_id,
            note=self.note,
            urgent=self.urgent,
            handoff=self.handoff,
            contact_method=self.contact_method,
            contact_times=self.contact_times,
        )


Version = Annotated[int, Field(ge=1, le=VERSION_MAX, description="the version the caller read")]
Code = Annotated[str, Field(max_length=64)]


class ReferralSendIn(Schema):
    version: Version
    acknowledged_warnings: list[Code] | None = Field(
        None,
        max_length=50,
        description="the warning codes the caller read (GET …/checks): a new warning since then refuses the send",
    )


class ReferralTransitionIn(Schema):
    action: str = Field(max_length=32, description="one of " + ", ".join(Action.values))
    version: Version
    reason: str = Field("", max_length=32, description="a coded reason, when the action requires one")
    note: str = Field("", max_length=NOTE_MAX)
    need_result: str = Field("", max_length=16, description="complete: one of " + ", ".join(NeedResult.values))
    service_delivered: str = Field("", max_length=SERVICE_DELIVERED_MAX, description="complete: what was delivered")


class ReferralStepIn(Schema):
    step: str = Field(max_length=32, description="one of " + ", ".join(BusinessStatus.values))
    version: Version
    note: str = Field("", max_length=NOTE_MAX)
    appointment_at: datetime | None = Field(None, description="appointment-scheduled: its date and time")

    @field_validator("appointment_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """Any offset becomes UTC, which every database stores; a moment without one is read in
        the hub's time zone."""
        if value is None:
            return None
        try:
            aware = value if value.tzinfo is not None else django_timezone.make_aware(value)
            return aware.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise ValueError("a date and time between the years 1 and 9999") from error


# --- Shaping answers ----------------------------------------------------------------------------


def _code(choices: Any, value: str) -> dict[str, str] | None:
    if not value:
        return None
    try:
        return {"code": value, "label": str(choices(value).label)}
    except ValueError:
        return {"code": value, "label": value}


def _organization(organization: Any) -> dict[str, str] | None:
    return {"slug": organization.slug, "name": organization.name} if organization is not None else None


def _detail(opened: OpenedReferral) -> dict[str, Any]:
    referral, sides = opened.referral, opened.sides
    # The hub administrator sees the referral's course, never the family (``opened`` is None);
    # notes are written for the staff of both sides.
    private = opened.opened is not None
    staff = bool(sides & {Side.REFERRER, Side.RECEIVER})
    person = opened.person
    return {
        "id": referral.pk,
        "reference": referral.reference,
        "version": referral.version,
        "status": _code(ReferralStatus, referral.status),
        "business_status": _code(BusinessStatus, referral.business_status),
        "reason": _code(Reason, referral.reason),
        "need_result": _code(NeedResult, referral.need_result),
        "service_delivered": referral.service_delivered,
        "household_id": referral.household_id,
        "person": (
            {"id": person.pk, "given_name": person.given_name, "family_name": person.family_name} if person else None
        ),
        "needs": [
            {
                "id": rn.need.pk,
                "need": {"code": rn.need.need, "label": rn.need.get_need_display()},
                "status": rn.need.status,
            }
            for rn in opened.needs
        ],
        "service": {"id": referral.service.pk, "name": referral.service.name},
        "location_id": referral.location_id,
        "referring_organization": _organization(referral.referring_organization),
        "receiving_organization": _organization(referral.receiving_organization),
        "outside_network": referral.outside_network,
        "urgent": referral.urgent,
        "handoff": referral.handoff if private else None,
        "contact_method": referral.contact_method if private else None,
        "contact_times": referral.contact_times if private else None,
        "note": referral.note if staff else None,
        "appointment_at": referral.appointment_at if private else None,
        "created_at": referral.created_at,
        "sent_at": referral.sent_at,
        "answered_at": referral.answered_at,
        "closed_at": referral.closed_at,
        "updated_at": referral.updated_at,
        "sides": sorted(sides),
        "allowed_actions": [
            {
                "action": rule.action,
                "label": str(Action(rule.action).label),
                "to_status": rule.target,
                "reasons": [{"code": r, "label": str(Reason(r).label)} for r in rule.reasons],
                "outcome": rule.outcome,
                "note": rule.note,
            }
            for rule in allowed_actions(referral.status, sides)
        ],
        "allowed_steps": [
            {
                "step": step.business_status,
                "label": str(BusinessStatus(step.business_status).label),
                "needs_when": step.needs_when,
            }
            for step in allowed_steps(referral.status, sides)
        ],
        "events": [
            {
                "seq": event.seq,
                "at": event.at,
                "side": _code(Side, event.side),
                "organization": (
                    event.organization.name
                    if event.organization is not None and event.side in (Side.REFERRER, Side.RECEIVER, Side.HUB)
                    else None
                ),
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "business_status": event.business_status,
                "reason": event.reason,
                "need_result": event.need_result,
                "note": event.note if staff else None,
            }
            for event in opened.events
        ],
    }


def _after_write(referral: Referral, user: User, membership: Membership) -> dict[str, Any]:
    """The referral as the caller now sees it (audited): the referral the service loaded and changed,
    with its needs and events read again and the policy asked again. A move can end the caller's
    view of the family (a closed referral the policy no longer shows): the change is made, so the
    answer is then the referral's course without the family's data."""
    try:
        opened = selectors.referral_open(
            referral_id=referral.pk, user=user, membership=membership, detail="api", referral=referral
        )
    except NotFound:
        sides = services.sides_of(referral, user, membership)
        return _detail(OpenedReferral(referral, sides, None))
    audit_course_read(opened, user=user, membership=membership)
    return _detail(opened)


def _refused(error: Exception) -> HttpResponse:
    """The one answer for each refusal of the services; nothing was written."""
    if isinstance(error, IdempotencyMismatch):
        return error_response(409, "conflict", str(error), {error.field: [str(error)]})
    if isinstance(error, ReferralConflict):
        current = error.current
        message = _(
            "Someone changed this referral since you read it: it is now “%(status)s” (version %(version)d). "
            "Read it again; nothing was changed."
        ) % {"status": ReferralStatus(current.status).label, "version": current.version}
        return error_response(409, "conflict", message, {"version": [str(current.version)], "status": [current.status]})
    if isinstance(error, WorkflowError):
        field = API_FIELDS.get(error.field, error.field)
        message = _("Not allowed by the referral rules (%(rule)s): %(reason)s") % {
            "rule": error.rule,
            "reason": str(error),
        }
        return invalid({field: [str(error)]}, message)
    if isinstance(error, ReferralError):
        return invalid({API_FIELDS.get(error.field, error.field): [str(error)]})
    raise error


def _change(
    request: HttpRequest,
    roles: frozenset[str],
    referral_id: uuid.UUID,
    what: str,
    write: Callable[[User, Membership], Referral],
) -> Any:
    """One change to an existing referral: the acting member, the service's write, and either the
    referral as the caller now sees it or the refusal (audited; nothing written)."""
    user, membership = acting_member(request, roles)
    try:
        referral = write(user, membership)
    except (ReferralError, WorkflowError, ReferralConflict) as error:
        audit_refused_change(user=user, membership=membership, referral_id=referral_id, what=what)
        return _refused(error)
    return _after_write(referral, user, membership)


# --- Endpoints ----------------------------------------------------------------------------------

WRITE_ANSWERS: dict[int, Any] = {200: ReferralOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/referrals",
    response={**WRITE_ANSWERS, 201: ReferralOut},
    summary="Refer a family to a service for some of its needs (sent at once unless send is false)",
    description=(
        "201 with the new referral. With an `Idempotency-Key` header (1 to 255 visible ASCII characters, "
        "such as a UUID), a retried request answers 200 with the first referral and the header "
        "`Idempotent-Replayed: true`, creating nothing; the same key with a different body is 409 `conflict`. "
        "422 names the field at fault (`service_id`, `need_ids`, ..., `Idempotency-Key`), or `consent` / "
        "`agreement` when the family's consent or an agreement does not cover sending; nothing is written then."
    ),
)
def referral_create(
    request: HttpRequest,
    payload: ReferralCreateIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description=f"makes retries safe: 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters, such as a UUID",
    ),
) -> Any:
    user, membership = acting_member(request, REFERRING_ROLES)
    try:
        if idempotency_key is not None:
            services.check_idempotency_key(idempotency_key)
        referral, created = services.referral_create(
            acting_user=user,
            membership=membership,
            data=payload.referral_input(),
            send=payload.send,
            idempotency_key=idempotency_key or "",
        )
    except (ReferralError, WorkflowError) as error:
        audit_refused_create(user=user, membership=membership, household_id=payload.household_id, field=error.field)
        return _refused(error)
    if not created:
        response["Idempotent-Replayed"] = "true"
        return Status(200, _after_write(referral, user, membership))
    return Status(201, _after_write(referral, user, membership))


@router.get(
    "/referrals",
    response=ReferralPage,
    summary="Referrals the caller's organization sent or received, of families the caller may see, by tab",
)
def referral_list(request: HttpRequest, filters: Query[ReferralListFilters]) -> Any:
    try:
        user, membership = acting_member(request, RECEIVING_ROLES)
    except NotFound:
        # A role with no inbox (a family member, an analyst, the hub administrator) lists nothing.
        return {"items": [], "count": 0, "page": 1, "page_size": filters.page_size, "pages": 1}
    page = selectors.referrals_page(
        user=user,
        membership=membership,
        box=filters.box,
        tab=filters.tab,
        page_number=filters.page,
        per_page=filters.page_size,
        mine_only=filters.mine,
    )
    return {
        "items": [
            {
                "id": r.pk,
                "reference": r.reference,
                "version": r.version,
                "status": _code(ReferralStatus, r.status),
                "business_status": _code(BusinessStatus, r.business_status),
                "household_id": r.household_id,
                "service": {"id": r.service.pk, "name": r.service.name},
                "referring_organization": _organization(r.referring_organization),
                "receiving_organization": _organization(r.receiving_organization),
                "urgent": r.urgent,
                "appointment_at": r.appointment_at,
                "created_at": r.created_at,
                "sent_at": r.sent_at,
                "updated_at": r.updated_at,
            }
            for r in page.object_list
        ],
        "count": page.paginator.count,
        "page": page.number,
        "page_size": filters.page_size,
        "pages": page.paginator.num_pages,
    }


@router.get(
    "/referrals/{referral_id}",
    response=ReferralOut,
    summary="One referral: status, needs, service, events, and what the caller may do next",
)
def referral_read(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    user, membership = acting_member(request, READER_ROLES)
    opened = selectors.referral_open(referral_id=referral_id, user=user, membership=membership, detail="api")
    audit_course_read(opened, user=user, membership=membership)
    return _detail(opened)


@router.get(
    "/referrals/{referral_id}/checks",
    response=ReferralChecksOut,
    summary="Before sending: what blocks it (consent, agreement) and how the service may not fit",
)
def referral_checks(request: HttpRequest, referral_id: uuid.UUID) -> Any:
    user, membership = acting_member(request, REFERRING_ROLES)
    opened = selectors.referral_open(referral_id=referral_id, user=user, membership=membership, detail="api checks")
    if Side.REFERRER not in opened.sides:
        raise NotFound
    result = services.referral_check(opened.referral, user=user, membership=membership, access=opened.access)
    return {
        "blocks": [{"code": b.code, "categories": list(b.categories), "text": b.text} for b in result.blocks],
        "warnings": [{"code": w.code, "text": w.text} for w in result.warnings],
    }


@router.post(
    "/referrals/{referral_id}/send",
    response=WRITE_ANSWERS,
    summary="Send a draft (422 on consent or agreement when sharing is not covered)",
)
def referral_send(request: HttpRequest, referral_id: uuid.UUID, payload: ReferralSendIn) -> Any:
    return _change(
        request,
        REFERRING_ROLES,
        referral_id,
        "send",
        lambda user, membership: services.referral_send(
            acting_user=user,
            membership=membership,
            referral_id=referral_id,
            version=payload.version,
            acknowledged=payload.acknowledged_warnings,
        ),
    )


@router.post(
    "/referrals/{referral_id}/transitions",
    response=WRITE_ANSWERS,
    summary="Move a referral by one rule of the lifecycle (accept, reject, start, hold, complete, cancel...)",
)
def referral_transition(request: HttpRequest, referral_id: uuid.UUID, payload: ReferralTransitionIn) -> Any:
    return _change(
        request,
        READER_ROLES,
        referral_id,
        payload.action,
        lambda user, membership: services.referral_transition(
            acting_user=user,
            membership=membership,
            referral_id=referral_id,
            action=payload.action,
            version=payload.version,
            reason=payload.reason,
            note=payload.note,
            need_result=payload.need_result,
            service_delivered=payload.service_delivered,
        ),
    )


@router.post(
    "/referrals/{referral_id}/steps",
    response=WRITE_ANSWERS,
    summary="Record a step inside the current state (contact attempted, appointment scheduled, no-show...)",
)
def referral_step(request: HttpRequest, referral_id: uuid.UUID, payload: ReferralStepIn) -> Any:
    return _change(
        request,
        RECEIVING_ROLES,
        referral_id,
        payload.step,
        lambda user, membership: services.referral_step(
            acting_user=user,
            membership=membership,
            referral_id=referral_id,
            step=payload.step,
            version=payload.version,
            note=payload.note,
            at=payload.appointment_at,
        ),
    )
