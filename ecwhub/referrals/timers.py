"""Referral timers: a referral nobody answers, or that nobody closes, is noticed (docs/referrals.md).

Counted in business days: Monday to Friday in the hub's time zone (``TIME_ZONE``), less the US
federal and California holidays as the ``holidays`` library knows them (with the weekday a
weekend holiday is observed on). A referral sent on a weekend or holiday counts from the start of
the next business day.

``referral_timers_run`` fires, once per referral each:

1. **reminder**: sent, not accepted or declined within the service's answer limit (N business
   days) → an e-mail to the receiving organization's staff;
2. **escalation**: N more business days after the reminder without an answer → an e-mail to the
   hub administrators, and the referral is marked escalated;
3. **follow-up**: accepted (in progress or on hold) with no outcome within the service's outcome
   limit (M business days from accepting) → a ``ReferralFollowUp`` task and an e-mail for the
   referring coordinator;
4. **expiry**: no activity at all (``updated_at``, which every transition and step moves) for
   ``REFERRAL_EXPIRE_DAYS`` business days → the referral expires (cancelled, reason "expired")
   through ``services.referral_transition``, as the hub's own timer.

Each referral is handled in its own transaction, with its row locked and its condition read again
under the lock, so two runs at once (or a run and a user answering) never fire anything twice, and
one referral that fails does not stop the others. E-mails carry a link and the referral's
reference, never the family's name or needs.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ecwhub.accounts.models import OrganizationKind, Role, User

from .models import Referral, ReferralFollowUp, ServiceReferralTerms
from .services import RECEIVING_ROLES, referral_transition, staff_notice
from .workflow import AWAITING_ANSWER, RULES_BY_ACTION, UNDER_WAY, Action, Reason

logger = logging.getLogger("ecwhub.referrals.timers")

# The states a referral can expire from: the table's rule, not a second list.
EXPIRABLE = RULES_BY_ACTION[Action.EXPIRE].sources

SUBJECT_REMINDER = gettext_lazy("ECW Hub: a referral is waiting for your answer")
SUBJECT_ESCALATION = gettext_lazy("ECW Hub: a referral has had no answer")
SUBJECT_FOLLOWUP = gettext_lazy("ECW Hub: follow up on a referral")


# --- Business days ------------------------------------------------------------------------------

# The calendar fills in each year the first time it is asked about it; a lock keeps two threads
# from filling the same year at once.
_calendar_lock = threading.Lock()


@cache
def _calendar() -> holidays.HolidayBase:
    return holidays.country_holidays("US", subdiv="CA")


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a US federal or California holiday (or the day one is observed)."""
    if day.weekday() >= 5:
        return False
    with _calendar_lock:
        return day not in _calendar()


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("business days are counted from an aware datetime")
    return timezone.localtime(moment, _zone())


def _counting_from(moment: datetime) -> datetime:
    """``moment`` in the hub's time zone; on a weekend or holiday, the start of the next business day
    (a referral sent on Saturday leaves the receiver all of Monday)."""
    local = _local(moment)
    if is_business_day(local.date()):
        return local
    return datetime.combine(_next_business_day(local.date()), time.min, tzinfo=_zone())


def add_business_days(moment: datetime, n: int) -> datetime:
    """The moment ``n`` business days after ``moment``, at the same time of day (in the hub's time
    zone, so a limit that spans a daylight-saving change keeps its clock time)."""
    if n < 0:
        raise ValueError("n must not be negative")
    start = _counting_from(moment)
    day = start.date()
    for _ in range(n):
        day = _next_business_day(day)
    return datetime.combine(day, start.time(), tzinfo=_zone())


def business_days_between(start: datetime, end: datetime) -> int:
    """Whole business days from ``start`` to ``end`` (0 when ``end`` is not later): the largest n
    with ``add_business_days(start, n) <= end``."""
    begin = _counting_from(start)
    finish = _local(end)
    if finish <= begin:
        return 0
    count = 0
    day = begin.date() + timedelta(days=1)
    while day < finish.date():
        if is_business_day(day):
            count += 1
        day += timedelta(days=1)
    if finish.date() > begin.date() and is_business_day(finish.date()) and finish.time() >= begin.time():
        count += 1
    return count


# --- Limits ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """A service's limits in business days: to answer a referral, and from accepting to an outcome."""

    answer_days: int
    outcome_days: int


def network_limits() -> Limits:
    return Limits(settings.REFERRAL_ANSWER_DAYS, settings.REFERRAL_OUTCOME_DAYS)


def service_limits() -> dict[uuid.UUID, Limits]:
    """The services with limits of their own (either one; the other is the network's)."""
    default = network_limits()
    return {
        terms.service_id: Limits(terms.answer_days or default.answer_days, terms.outcome_days or default.outcome_days)
        for terms in ServiceReferralTerms.objects.all()
    }


def limits_for(service_id: uuid.UUID, limits: dict[uuid.UUID, Limits] | None = None) -> Limits:
    if limits is None:
        limits = service_limits()
    return limits.get(service_id) or network_limits()


def answer_due(referral: Referral, limits: Limits) -> datetime | None:
    """When the receiver should have answered; None for a referral not sent."""
    return add_business_days(referral.sent_at, limits.answer_days) if referral.sent_at else None


def escalation_due(referral: Referral, limits: Limits) -> datetime | None:
    """When a reminded receiver that still has not answered is reported to the hub."""
    reminded = referral.answer_reminded_at
    return add_business_days(reminded, limits.answer_days) if reminded else None


def outcome_due(referral: Referral, limits: Limits) -> datetime | None:
    """When an accepted referral should have had its outcome."""
    return add_business_days(referral.answered_at, limits.outcome_days) if referral.answered_at else None


def expiry_due(referral: Referral) -> datetime:
    return add_business_days(referral.updated_at, settings.REFERRAL_EXPIRE_DAYS)


# --- The run --------------------------------------------------------------------------------------


@dataclass
class TimerReport:
    reminded: int = 0
    escalated: int = 0
    followed_up: int = 0
    expired: int = 0
    errors: int = 0


def referral_timers_run(*, now: datetime | None = None) -> TimerReport:
    """Fire every timer that is due at ``now`` (the current time by default; tests move it), each
    at most once per referral; returns how many fired. Safe to run any number of times, and by
    several processes at once."""
    now = now or timezone.now()
    limits = service_limits()
    default = network_limits()
    # Business days are never fewer than calendar days, so a referral younger than the shortest
    # limit in calendar days cannot be due: the database leaves those out.
    shortest_answer = min([default.answer_days, *(x.answer_days for x in limits.values())])
    shortest_outcome = min([default.outcome_days, *(x.outcome_days for x in limits.values())])
    report = TimerReport()

    # Expiry first: a referral about to expire gets no reminder.
    idle = Referral.objects.filter(
        status__in=EXPIRABLE, updated_at__lte=now - timedelta(days=settings.REFERRAL_EXPIRE_DAYS)
    )
    for pk, updated_at in idle.values_list("pk", "updated_at"):
        if add_business_days(updated_at, settings.REFERRAL_EXPIRE_DAYS) <= now:
            _guarded(report, "expired", pk, _expire, now)

    unanswered = Referral.objects.filter(
        status__in=AWAITING_ANSWER,
        receiving_organization__isnull=False,
        answer_reminded_at__isnull=True,
        sent_at__lte=now - timedelta(days=shortest_answer),
    )
    _sweep(report, "reminded", unanswered.only("pk", "service_id", "sent_at"), answer_due, _remind, now, limits)

    reminded = Referral.objects.filter(
        status__in=AWAITING_ANSWER,
        escalated_at__isnull=True,
        answer_reminded_at__lte=now - timedelta(days=shortest_answer),
    )
    _sweep(
        report,
        "escalated",
        reminded.only("pk", "service_id", "answer_reminded_at"),
        escalation_due,
        _escalate,
        now,
        limits,
    )

    under_way = Referral.objects.filter(
        status__in=UNDER_WAY,
        followup__isnull=True,
        answered_at__lte=now - timedelta(days=shortest_outcome),
    )
    _sweep(
        report, "followed_up", under_way.only("pk", "service_id", "answered_at"), outcome_due, _follow_up, now, limits
    )
    return report


def _sweep(
    report: TimerReport,
    counter: str,
    candidates: Iterable[Referral],
    due: Callable[[Referral, Limits], datetime | None],
    fire: Callable[..., bool],
    now: datetime,
    limits: dict[uuid.UUID, Limits],
) -> None:
    """Fire ``fire`` for each candidate whose timer (``due`` under its service's limits) has come."""
    for referral in candidates:
        if _due(due(referral, limits_for(referral.service_id, limits)), now):
            _guarded(report, counter, referral.pk, fire, now, limits)


def _due(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now


def _guarded(report: TimerReport, counter: str, pk: uuid.UUID, fire: Callable[..., bool], *args: Any) -> None:
    """Fire one timer for one referral and count it (it may no longer be due: then nothing). A
    failure is logged and rolls back that referral only: the others still get their timers, and
    the next run tries it again."""
    try:
        fired = fire(pk, *args)
    except Exception:
        logger.exception("referral timer failed", extra={"timer": counter, "referral": str(pk)})
        report.errors += 1
        return
    if fired:
        setattr(report, counter, getattr(report, counter) + 1)


def _locked(pk: uuid.UUID) -> Referral:
    return Referral.objects.select_for_update().select_related("service").get(pk=pk)


def _expire(pk: uuid.UUID, now: datetime) -> bool:
    with transaction.atomic():
        referral = _locked(pk)
        if referral.status not in EXPIRABLE or expiry_due(referral) > now:
            return False
        referral_transition(
            acting_user=None,
            membership=None,
            referral_id=pk,
            action=Action.EXPIRE,
            reason=Reason.EXPIRED,
            version=referral.version,
            system=True,
        )
        return True


def _remind(pk: uuid.UUID, now: datetime, limits: dict[uuid.UUID, Limits]) -> bool:
    with transaction.atomic():
        referral = _locked(pk)
        due = answer_due(referral, limits_for(referral.service_id, limits))
        if (
            referral.status not in AWAITING_ANSWER
            or referral.receiving_organization_id is None
            or referral.answer_reminded_at is not None
            or not _due(due, now)
        ):
            return False
        staff = User.objects.filter(
            memberships__organization_id=referral.receiving_organization_id,
            memberships__role__in=RECEIVING_ROLES,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
        for user in staff:
            staff_notice(user, referral, "timer:answer-reminder", SUBJECT_REMINDER, "referrals/email/reminder.txt")
        # Not a change of the referral itself: version and updated_at stay, so nobody's open form
        # conflicts and the reminder does not count as activity against expiry.
        Referral.objects.filter(pk=pk).update(answer_reminded_at=now)
        return True


def _escalate(pk: uuid.UUID, now: datetime, limits: dict[uuid.UUID, Limits]) -> bool:
    with transaction.atomic():
        referral = _locked(pk)
        service = limits_for(referral.service_id, limits)
        due = escalation_due(referral, service)
        if referral.status not in AWAITING_ANSWER or referral.escalated_at is not None or not _due(due, now):
            return False
        admins = User.objects.filter(
            memberships__organization__kind=OrganizationKind.HUB,
            memberships__role=Role.HUB_ADMIN,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
        for user in admins:
            staff_notice(
                user,
                referral,
                "timer:escalation",
                SUBJECT_ESCALATION,
                "referrals/email/escalation.txt",
                days=service.answer_days,
            )
        Referral.objects.filter(pk=pk).update(escalated_at=now)
        return True


def _follow_up(pk: uuid.UUID, now: datetime, limits: dict[uuid.UUID, Limits]) -> bool:
    with transaction.atomic():
        referral = _locked(pk)
        due = outcome_due(referral, limits_for(referral.service_id, limits))
        if (
            referral.status not in UNDER_WAY
            or due is None
            or due > now
            or ReferralFollowUp.objects.filter(referral_id=pk).exists()
        ):
            return False
        ReferralFollowUp.objects.create(
            referral=referral, assigned_to_id=referral.referred_by_id, due=due, created_at=now
        )
        staff_notice(
            referral.referred_by, referral, "timer:follow-up", SUBJECT_FOLLOWUP, "referrals/email/followup.txt"
        )
        return True
