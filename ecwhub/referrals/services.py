"""Operations on referrals. Each runs in one transaction, checks its input (``ReferralError`` or
``workflow.WorkflowError`` naming the field), appends its event and its audit entry, and queues its
notices in the same transaction (``core.outbox.notify``).

Who may act is decided in two steps: the access policy says whether the user may see (and change)
the family's referrals at all, through their organization's relationship with the family (a
referral the user may not see is not found); ``workflow`` says which side the user is on and what
that side may do.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose, RelationshipKind
from ecwhub.consent.policy import FamilyAccess
from ecwhub.consent.services import relationship_start
from ecwhub.core.errors import NotFound
from ecwhub.core.models import Channel
from ecwhub.core.outbox import notify
from ecwhub.directory.models import Service, ServiceAtLocation
from ecwhub.families.models import ContactMethod, Household, Person
from ecwhub.screening.models import IdentifiedNeed
from ecwhub.screening.services import needs_mark_addressed

from . import checks, hooks
from .models import IDEMPOTENCY_KEY_MAX, Handoff, Referral, ReferralEvent, ReferralFollowUp, ReferralNeed
from .workflow import (
    CLOSED,
    Action,
    NeedResult,
    Side,
    Status,
    WorkflowError,
    check_step,
    check_transition,
)

REFERRING_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN})
RECEIVING_ROLES = frozenset({Role.PROVIDER_STAFF, Role.COORDINATOR, Role.CLINICIAN})
NOTE_MAX = 4000
SERVICE_DELIVERED_MAX = 300
OPEN_NEED_STATUSES = (IdentifiedNeed.Status.IDENTIFIED, IdentifiedNeed.Status.WANTS_HELP)


class ReferralError(ValueError):
    """Bad input for a referral operation; ``field`` names the input at fault. Nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ReferralConflict(Exception):
    """Someone else changed the referral since the user read it (``version`` moved on)."""

    def __init__(self, current: Referral) -> None:
        super().__init__("the referral changed")
        self.current = current


class IdempotencyMismatch(ReferralError):
    """An ``Idempotency-Key`` already used by this user for a different request."""


# --- Sides ------------------------------------------------------------------------------------


def sides_of(referral: Referral, user: User, membership: Membership | None) -> frozenset[str]:
    """Which sides of the referral the user acts on, in this membership (none: they have no say)."""
    if membership is None or not membership.is_active or not user.is_active:
        return frozenset()
    sides: set[str] = set()
    organization_id = membership.organization_id
    if membership.role == Role.FAMILY_MEMBER:
        own = getattr(user, "person", None)
        if own is not None and own.household_id == referral.household_id:
            sides.add(Side.FAMILY)
        return frozenset(sides)
    if membership.role == Role.HUB_ADMIN and membership.organization.is_hub:
        sides.add(Side.HUB)
    if membership.role in REFERRING_ROLES and organization_id == referral.referring_organization_id:
        sides.add(Side.REFERRER)
        if referral.receiving_organization_id is None:
            # Outside the network no one receives it in the hub: the referrer closes the loop.
            sides.add(Side.RECEIVER)
    if membership.role in RECEIVING_ROLES and organization_id == referral.receiving_organization_id:
        sides.add(Side.RECEIVER)
    return frozenset(sides)


def purpose_of(sides: frozenset[str]) -> str:
    """The receiving side reads the family for the referral; everyone else for care coordination."""
    return Purpose.REFERRAL if sides == {Side.RECEIVER} else Purpose.CARE_COORDINATION


def referral_access(
    referral: Referral, user: User, membership: Membership | None, sides: frozenset[str]
) -> FamilyAccess:
    """The user's access to the referral's family for the purpose of their sides (``purpose_of``):
    one object per request, so that whether they may act on the referral and what they may read of
    the family are decided on the same facts, each read once."""
    return FamilyAccess(user=user, membership=membership, household=referral.household, purpose=purpose_of(sides))


def may_read(
    referral: Referral,
    user: User,
    membership: Membership | None,
    sides: frozenset[str],
    access: FamilyAccess | None = None,
) -> bool:
    """The policy's answer for the family's referrals. The hub administrator acts on a referral
    (cancel, entered in error) without reading the family's data. ``access``: the request's
    ``referral_access`` when the caller has one."""
    if not sides:
        return False
    if sides == {Side.HUB}:
        return True
    if access is None or access.user != user or access.purpose != purpose_of(sides):
        access = referral_access(referral, user, membership, sides)
    return bool(access.decide(DataCategory.REFERRALS, write=Side.FAMILY not in sides))


# What a referral's page and answers show with it: loaded with the referral, in one query.
REFERRAL_RELATED = (
    "household",
    "service",
    "location",
    "referring_organization",
    "receiving_organization",
    "referred_by",
)


def referral_for_action(*, referral_id: uuid.UUID | str, user: User, membership: Membership | None) -> Referral:
    """The referral, locked for the change, if the user has a side in it and the policy lets them
    see the family's referrals; ``NotFound`` otherwise (as for one that does not exist)."""
    try:
        # The referral and its household are locked, as before; the other rows are only read with
        # it (PostgreSQL locks no row on the nullable side of an outer join).
        referral = (
            Referral.objects.select_for_update(of=("self", "household"))
            .select_related(*REFERRAL_RELATED)
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError, ValidationError):
        raise NotFound from None
    if not may_read(referral, user, membership, sides_of(referral, user, membership)):
        raise NotFound
    return referral


# --- Creating and sending ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralInput:
    household_id: uuid.UUID | str
    service_id: uuid.UUID | str
    need_ids: Sequence[uuid.UUID | str]
    person_id: uuid.UUID | str | None = None
    location_id: uuid.UUID | str | None = None
    note: str = ""
    urgent: bool = False
    handoff: str = Handoff.NONE
    contact_method: str = ""
    contact_times: str = ""

    def fingerprint(self) -> str:
        data = {
            "household": str(self.household_id),
            "service": str(self.service_id),
            "needs": sorted(str(n) for n in self.need_ids),
            "person": str(self.person_id or ""),
            "location": str(self.location_id or ""),
            "note": self.note,
            "urgent": self.urgent,
            "handoff": self.handoff,
            "contact_method": self.contact_method,
            "contact_times": self.contact_times,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def check_idempotency_key(key: str) -> str:
    """A key is 1 to 255 visible ASCII characters (a UUID is what clients usually send)."""
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not all(33 <= ord(c) <= 126 for c in key):
        raise ReferralError(
            "Idempotency-Key",
            _("The Idempotency-Key header must be 1 to 255 visible ASCII characters, such as a UUID."),
        )
    return key


def _uuid(value: uuid.UUID | str | None, field: str) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ReferralError(field, _("Not a valid identifier.")) from None


def _required(value: uuid.UUID | str | None, field: str) -> uuid.UUID:
    found = _uuid(value, field)
    if found is None:
        raise ReferralError(field, _("This field is required."))
    return found


def _prepare(
    data: ReferralInput, user: User, membership: Membership | None
) -> tuple[FamilyAccess, Person | None, Service, Any, list[IdentifiedNeed]]:
    if membership is None or membership.role not in REFERRING_ROLES:
        raise ReferralError("__all__", _("Only care coordinators and clinicians make referrals."))
    household_id = _required(data.household_id, "household")
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise NotFound
    # The referrer's access to the family, for everything the create decides about it.
    access = FamilyAccess(user=user, membership=membership, household=household, purpose=Purpose.CARE_COORDINATION)
    if not access.decide(DataCategory.REFERRALS, write=True):
        raise NotFound
    service = Service.objects.filter(pk=_required(data.service_id, "service")).select_related("organization").first()
    if service is None:
        raise ReferralError("service", _("No such service in the directory."))
    if service.status == Service.Status.DEFUNCT:
        raise ReferralError("service", _("This service no longer exists."))
    location = None
    location_id = _uuid(data.location_id, "location")
    if location_id is not None:
        place = ServiceAtLocation.objects.filter(service=service, location_id=location_id).select_related("location")
        found = place.first()
        if found is None:
            raise ReferralError("location", _("The service is not offered at that location."))
        location = found.location
    person = None
    person_id = _uuid(data.person_id, "person")
    if person_id is not None:
        person = Person.objects.filter(pk=person_id, household=household).first()
        if person is None:
            raise ReferralError("person", _("That person is not in this family."))
    need_ids = [_required(n, "needs") for n in dict.fromkeys(str(n) for n in data.need_ids)]
    if not need_ids:
        raise ReferralError("needs", _("Choose the need (or needs) the referral is for."))
    needs = list(IdentifiedNeed.objects.filter(pk__in=need_ids, household=household).select_related("person"))
    if len(needs) != len(need_ids):
        raise ReferralError("needs", _("One of the needs is not a need of this family."))
    for need in needs:
        if need.status not in OPEN_NEED_STATUSES:
            raise ReferralError("needs", _("One of the needs is addressed or the family declined help with it."))
        if not access.decide(need.category, person=need.person):
            raise ReferralError("needs", _("One of the needs is not a need of this family."))
    if data.handoff not in Handoff.values:
        raise ReferralError("handoff", _("Choose how the family is introduced to the service."))
    if data.contact_method and data.contact_method not in ContactMethod.values:
        raise ReferralError("contact_method", _("Choose how the family prefers to be contacted."))
    if len(data.note) > NOTE_MAX:
        raise ReferralError("note", _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX})
    if len(data.contact_times) > 200:
        raise ReferralError("contact_times", _("At most 200 characters."))
    return access, person, service, location, needs


def referral_create(
    *,
    acting_user: User,
    membership: Membership | None,
    data: ReferralInput,
    send: bool = False,
    idempotency_key: str = "",
) -> tuple[Referral, bool]:
    """A new referral (a draft, or sent at once with ``send``). Returns (referral, created): a
    request retried with the same ``idempotency_key`` returns the first referral and creates
    nothing; the same key with different content is refused (``IdempotencyMismatch``).

    Raises ``ReferralError`` naming the field for bad input, ``NotFound`` for a family the user may
    not see, and, when sending, ``WorkflowError`` on field ``consent``/``agreement`` when sharing is
    not covered; nothing is written then."""
    # Sending is part of the request: a retry that asks otherwise is another request.
    fingerprint = hashlib.sha256(f"{data.fingerprint()}:{'send' if send else 'draft'}".encode()).hexdigest()
    if idempotency_key:
        check_idempotency_key(idempotency_key)
        previous = _replay(acting_user, idempotency_key, fingerprint)
        if previous is not None:
            return previous, False
    try:
        with transaction.atomic():
            referral = _create(acting_user, membership, data, send, idempotency_key, fingerprint)
    except IntegrityError:
        # Two requests with the same key at once: the other one won; answer as a retry.
        previous = _replay(acting_user, idempotency_key, fingerprint) if idempotency_key else None
        if previous is None:
            raise
        return previous, False
    return referral, True


def _replay(user: User, key: str, fingerprint: str) -> Referral | None:
    previous = Referral.objects.filter(referred_by=user, idempotency_key=key).first()
    if previous is not None and previous.request_fingerprint != fingerprint:
        raise IdempotencyMismatch(
            "Idempotency-Key", _("This Idempotency-Key was already used for a different referral.")
        )
    return previous


def _create(
    user: User, membership: Membership | None, data: ReferralInput, send: bool, key: str, fingerprint: str
) -> Referral:
    access, person, service, location, needs = _prepare(data, user, membership)
    assert membership is not None
    household = access.household
    receiving = service.organization if takes_hub_referrals(service) else None
    now = timezone.now()
    speaks = _language_of(household, person) if access.decide(DataCategory.DEMOGRAPHICS) else None
    referral = Referral.objects.create(
        household=household,
        person=person,
        service=service,
        location=location,
        referring_organization=membership.organization,
        referred_by=user,
        receiving_organization=receiving,
        note=data.note.strip(),
        urgent=data.urgent,
        handoff=data.handoff,
        contact_method=data.contact_method,
        contact_times=data.contact_times.strip(),
        language=speaks[0] if speaks else "",
        dialect=speaks[1] if speaks else "",
        interpreter_needed=speaks[2] if speaks else False,
        idempotency_key=key,
        request_fingerprint=fingerprint if key else "",
        created_at=now,
        updated_at=now,
    )
    ReferralNeed.objects.bulk_create(ReferralNeed(referral=referral, need=n) for n in needs)
    event_record(referral, user, membership, Side.REFERRER, "create", "", Status.DRAFT)
    audit_write(
        user=user,
        membership=membership,
        household_id=household.pk,
        person_id=person.pk if person else None,
        categories=[DataCategory.REFERRALS],
        detail=f"referral {referral.pk} created",
    )
    if send:
        _send(referral, user, membership, needs, acknowledged=None, access=access)
    return referral


def takes_hub_referrals(service: Service) -> bool:
    """A member's service that takes referrals through the hub: its staff answer in their inbox.
    Any other service (outside the network, or a member's that does not take them yet) gets a
    printed or e-mailed referral, and the referrer closes the loop by hand."""
    organization = service.organization
    return organization is not None and organization.is_active and service.accepts_electronic_referrals


def _language_of(household: Household, person: Person | None) -> tuple[str, str, bool]:
    """The language, dialect and interpreter need of the person referred (when recorded for them),
    else of the family."""
    if person is not None and person.preferred_language:
        return person.preferred_language, person.dialect, person.interpreter_needed or household.interpreter_needed
    return household.preferred_language, household.dialect, household.interpreter_needed


def referral_check(
    referral: Referral, *, user: User, membership: Membership | None, access: FamilyAccess | None = None
) -> checks.CheckResult:
    """What stands in the way of sending the referral, and how the service may not fit, for what
    the user may see of the family (demographics and insurance only when they may). ``access``: the
    user's access to the family for care coordination, when the caller has one."""
    if (
        access is None
        or access.user != user
        or access.purpose != Purpose.CARE_COORDINATION
        or access.household.pk != referral.household_id
    ):
        access = FamilyAccess(
            user=user, membership=membership, household=referral.household, purpose=Purpose.CARE_COORDINATION
        )
    needs = [rn.need for rn in referral.needs.select_related("need")]
    blocks = checks.sharing_blocks(
        household=referral.household,
        person=referral.person,
        receiving_organization_id=referral.receiving_organization_id,
        needs=needs,
    )

    demographics = bool(access.decide(DataCategory.DEMOGRAPHICS))
    insurance = bool(access.decide(DataCategory.INSURANCE))
    members = list(referral.household.members.all()) if (demographics or insurance) else []
    warnings = checks.fit_warnings(
        service=referral.service,
        household=referral.household,
        person=referral.person,
        needs=needs,
        members=members,
        demographics=demographics,
        insurance=insurance,
    )
    return checks.CheckResult(tuple(blocks), tuple(warnings))


def _send(
    referral: Referral,
    user: User,
    membership: Membership,
    needs: list[IdentifiedNeed],
    acknowledged: Sequence[str] | None,
    access: FamilyAccess | None = None,
) -> None:
    result = referral_check(referral, user=user, membership=membership, access=access)
    if result.blocks:
        first = result.blocks[0]
        raise WorkflowError(first.code, " ".join(b.text for b in result.blocks), "send: sharing not covered")
    codes = [w.code for w in result.warnings]
    if acknowledged is not None and set(codes) - set(acknowledged):
        raise WorkflowError(
            "warnings", _("The service's fit changed since you read it: read the warnings again."), "send: warnings"
        )
    rule = check_transition(action=Action.SEND, status=referral.status, sides=sides_of(referral, user, membership))
    now = timezone.now()
    referral.status = rule.target
    referral.sent_at = now
    referral.warnings_overridden = codes
    referral.version += 1
    referral.updated_at = now
    referral.save(update_fields=["status", "sent_at", "warnings_overridden", "version", "updated_at"])
    event_record(referral, user, membership, Side.REFERRER, Action.SEND, Status.DRAFT, rule.target)
    if referral.receiving_organization_id is not None:
        relationship_start(
            acting_user=user,
            membership=membership,
            household=referral.household,
            kind=RelationshipKind.REFERRAL_RECIPIENT,
            organization=referral.receiving_organization,
        )
        _notify_organization(referral, "sent")
    hooks.announce(referral, hooks.SENT)
    audit_write(
        user=user,
        membership=membership,
        household_id=referral.household_id,
        person_id=referral.person_id,
        categories=checks.carried_categories(needs),
        purpose=Purpose.REFERRAL,
        detail=f"referral {referral.pk} sent",
    )


def referral_send(
    *,
    acting_user: User,
    membership: Membership | None,
    referral_id: uuid.UUID | str,
    version: int,
    acknowledged: Sequence[str] | None = None,
) -> Referral:
    """Send a draft. ``acknowledged`` (the warning codes the user read) refuses the send when the
    fit changed since; None sends with whatever warnings hold now."""
    with transaction.atomic():
        referral = referral_for_action(referral_id=referral_id, user=acting_user, membership=membership)
        if referral.version != version:
            raise ReferralConflict(referral)
        assert membership is not None
        needs = [rn.need for rn in referral.needs.select_related("need")]
        _send(referral, acting_user, membership, needs, acknowledged)
        return referral


# --- Moving it along ---------------------------------------------------------------------------


def referral_transition(
    *,
    acting_user: User | None,
    membership: Membership | None,
    referral_id: uuid.UUID | str,
    action: str,
    version: int | None,
    reason: str = "",
    note: str = "",
    need_result: str = "",
    service_delivered: str = "",
    system: bool = False,
) -> Referral:
    """Apply one rule of the table. ``version`` is the version the user read: if the referral moved
    since, ``ReferralConflict`` (nothing written). ``system`` is the hub's own timers (no user)."""
    if action == Action.SEND:
        raise WorkflowError("action", _("Send a draft with the send action of its page."), "send: use referral_send")
    if len(note) > NOTE_MAX:
        raise ReferralError("note", _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX})
    if len(service_delivered) > SERVICE_DELIVERED_MAX:
        raise ReferralError("service_delivered", _("At most 300 characters."))
    with transaction.atomic():
        if system:
            referral = Referral.objects.select_for_update().select_related("household").get(pk=referral_id)
            sides: frozenset[str] = frozenset({str(Side.SYSTEM)})
        else:
            assert acting_user is not None
            referral = referral_for_action(referral_id=referral_id, user=acting_user, membership=membership)
            sides = sides_of(referral, acting_user, membership)
        if version is not None and referral.version != version:
            raise ReferralConflict(referral)
        rule = check_transition(
            action=action, status=referral.status, sides=sides, reason=reason, note=note, outcome=need_result
        )
        if rule.outcome and not service_delivered.strip():
            raise ReferralError("service_delivered", _("Say what service was delivered."))
        previous = referral.status
        now = timezone.now()
        referral.status = rule.target
        referral.reason = reason
        referral.need_result = need_result if rule.outcome else ""
        if rule.outcome:
            referral.service_delivered = service_delivered.strip()
            referral.business_status = "service-delivered"
        elif action == Action.RECEIVE:
            referral.business_status = "viewed"
        if rule.target in (Status.ACCEPTED, Status.REJECTED) and referral.answered_at is None:
            referral.answered_at = now
        if rule.target in CLOSED:
            referral.closed_at = now
        referral.version += 1
        referral.updated_at = now
        referral.save()
        side = _acting_side(sides, rule.sides)
        event_record(
            referral,
            acting_user,
            membership,
            side,
            action,
            previous,
            rule.target,
            reason=reason,
            need_result=referral.need_result,
            note=note.strip(),
            business_status=referral.business_status,
        )
        if rule.target in CLOSED:
            followups_close(referral, now)
        if action == Action.COMPLETE and need_result == NeedResult.RESOLVED:
            needs_mark_addressed(
                need_ids=list(referral.needs.values_list("need_id", flat=True)),
                changed_by=acting_user or referral.referred_by,
            )
        if acting_user is not None:
            audit_referral(referral, acting_user, membership, action, purpose_of(sides))
        _notify_after(referral, action, side)
        if rule.target == Status.COMPLETED:
            hooks.announce(referral, hooks.COMPLETED)
        return referral


def referral_step(
    *,
    acting_user: User,
    membership: Membership | None,
    referral_id: uuid.UUID | str,
    step: str,
    version: int | None,
    note: str = "",
    at: datetime | None = None,
) -> Referral:
    """Record a finer step inside the current state (contact attempted, appointment scheduled...)."""
    if len(note) > NOTE_MAX:
        raise ReferralError("note", _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX})
    with transaction.atomic():
        referral = referral_for_action(referral_id=referral_id, user=acting_user, membership=membership)
        sides = sides_of(referral, acting_user, membership)
        if version is not None and referral.version != version:
            raise ReferralConflict(referral)
        spec = check_step(step=step, status=referral.status, sides=sides)
        if spec.needs_when:
            if at is None:
                raise ReferralError("appointment_at", _("Give the appointment's date and time."))
            referral.appointment_at = at
        referral.business_status = spec.business_status
        referral.version += 1
        referral.updated_at = timezone.now()
        referral.save(update_fields=["business_status", "appointment_at", "version", "updated_at"])
        event_record(
            referral,
            acting_user,
            membership,
            Side.RECEIVER,
            step,
            referral.status,
            referral.status,
            business_status=spec.business_status,
            note=note.strip(),
        )
        audit_referral(referral, acting_user, membership, step, purpose_of(sides))
        if Side.REFERRER in sides:
            # Outside the hub the coordinator records the receiver's steps: that is following up.
            followups_close(referral, referral.updated_at)
        if step == "appointment-scheduled":
            _notify_after(referral, step, Side.RECEIVER)
            hooks.announce(referral, hooks.APPOINTMENT)
        return referral


def followups_close(referral: Referral, at: datetime) -> int:
    """Mark the referral's open follow-up task done (it closed, or the coordinator recorded a step
    on it). Runs in the caller's transaction; returns how many were open (0 or 1)."""
    return ReferralFollowUp.objects.filter(referral=referral, done_at__isnull=True).update(done_at=at)


def _acting_side(sides: frozenset[str], allowed: frozenset[str]) -> str:
    for side in (Side.RECEIVER, Side.REFERRER, Side.FAMILY, Side.HUB, Side.SYSTEM):
        if side in sides and side in allowed:
            return str(side)
    return sorted(sides)[0]


def audit_referral(
    referral: Referral, user: User | None, membership: Membership | None, what: str, purpose: str
) -> None:
    """The audit entry of a change to a referral: who, about which family and person, the
    referrals category, for what purpose, and what (``referral <id> <what>``)."""
    audit_write(
        user=user,
        membership=membership,
        household_id=referral.household_id,
        person_id=referral.person_id,
        categories=[DataCategory.REFERRALS],
        purpose=purpose,
        detail=f"referral {referral.pk} {what}",
    )


def event_record(
    referral: Referral,
    user: User | None,
    membership: Membership | None,
    side: str,
    action: str,
    from_status: str,
    to_status: str,
    **fields: Any,
) -> ReferralEvent:
    seq = referral.events.count() + 1
    return ReferralEvent.objects.create(
        referral=referral,
        seq=seq,
        at=timezone.now(),
        actor=user,
        organization_id=membership.organization_id if membership is not None else None,
        side=side,
        action=action,
        from_status=from_status,
        to_status=to_status,
        **fields,
    )


# --- Notices ------------------------------------------------------------------------------------


def _link(name: str, *args: object) -> str:
    return str(getattr(settings, "SITE_URL", "")).rstrip("/") + reverse(name, args=args)


SUBJECT_SENT = gettext_lazy("ECW Hub: a new referral for your organization")
SUBJECT_UPDATE = gettext_lazy("ECW Hub: a referral has news")


def staff_notice(user: User, referral: Referral, key: str, subject: Any, template: str, **context: Any) -> None:
    """One e-mail to a staff member, in their language: a referral needs a look, with its
    reference and a link behind sign-in; no name, no need. ``key`` names the event (with the user
    and the referral it makes the notice's key: a retried transaction queues nothing new)."""
    if not user.email or not user.is_active:
        return
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"link": _link("referrals:detail", referral.pk), "reference": referral.reference, **context}
        notify(
            channel=Channel.EMAIL,
            recipient=user.email,
            subject=str(subject),
            body=render_to_string(template, context),
            language=language,
            key=f"referral:{referral.pk}:{key}:user:{user.pk}",
        )


def _send_notice(user: User, referral: Referral, event: str, subject: Any, template: str) -> None:
    staff_notice(user, referral, f"{event}:v{referral.version}", subject, template)


def _notify_organization(referral: Referral, event: str) -> None:
    if referral.receiving_organization_id is None:
        return
    subject = SUBJECT_SENT if event == "sent" else SUBJECT_UPDATE
    template = "referrals/email/sent.txt" if event == "sent" else "referrals/email/update.txt"
    receivers = User.objects.filter(
        memberships__organization_id=referral.receiving_organization_id,
        memberships__role__in=RECEIVING_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    for user in receivers:
        _send_notice(user, referral, event, subject, template)


def _notify_after(referral: Referral, action: str, side: str) -> None:
    """The referrer hears of every answer and outcome from the other side; the receiver hears
    that a referral it holds was cancelled or withdrawn."""
    if referral.outside_network or action == Action.RECEIVE:
        return
    if side != Side.REFERRER:
        _send_notice(referral.referred_by, referral, action, SUBJECT_UPDATE, "referrals/email/update.txt")
    if side != Side.RECEIVER and action in (Action.CANCEL, Action.EXPIRE, Action.ENTER_IN_ERROR):
        _notify_organization(referral, action)
