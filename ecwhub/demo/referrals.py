"""The demo network's referral history: months of referrals from the demo coordinators and
clinicians to the network's services, in every state, so the inboxes, the family pages, the
"my referrals" lists and the timers show real work.

Each open need a family wants help with (and some only identified) may be referred; a referral
follows one of a few fates (completed with each result, declined, could not be completed,
cancelled, put on hold, left unanswered, stalled after accepting, left as a draft, entered in
error), played out on business days until the day before ``today``. Every move is checked against
the referral table (``referrals.workflow``), so the history holds only transitions the hub allows;
a referral that was declined, failed, expired or entered in error is often followed by another one
to a different service. The hub's timers are played too, up to the last time the demo's timer job
ran (``TIMERS_IDLE_DAYS`` business days before today): reminders, escalations, follow-up tasks and
expiries fired before then are recorded, and those due since are left for ``referral_timers``.

A referral to a member's service that takes hub referrals is made only when the family's consent
and an agreement in force at the time cover what it carries (``checks.carried_categories``), as
``services.referral_check`` requires; the receiving organization gets its "receiving a referral"
relationship. A referral to a service that does not take hub referrals is closed by the referrer
by hand. Completed referrals with the need resolved mark the need addressed. Rows are written in
bulk, with the audit entries the services would have written.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from ecwhub.accounts.models import Membership, Organization
from ecwhub.consent.audit import AuditLine, audit_append
from ecwhub.consent.models import (
    Agreement,
    AuditEntry,
    Consent,
    ConsentCategory,
    ConsentPurpose,
    DataCategory,
    Purpose,
    Relationship,
    RelationshipKind,
)
from ecwhub.directory.models import Service, ServiceAtLocation, ServiceNeed
from ecwhub.families.models import ContactMethod, Household
from ecwhub.referrals.checks import LONG_WAIT_DAYS, carried_categories
from ecwhub.referrals.models import Handoff, Referral, ReferralEvent, ReferralFollowUp, ReferralNeed
from ecwhub.referrals.services import RECEIVING_ROLES, REFERRING_ROLES
from ecwhub.referrals.timers import add_business_days, is_business_day
from ecwhub.referrals.workflow import (
    AWAITING_ANSWER,
    CLOSED,
    RULES_BY_ACTION,
    UNDER_WAY,
    Action,
    BusinessStatus,
    NeedResult,
    Reason,
    Side,
    Status,
    check_step,
    check_transition,
)
from ecwhub.screening.models import IdentifiedNeed, NeedStatusChange

from . import data

# How far back the history goes, and the share of referrals made in the last two weeks.
HISTORY_DAYS = 240
RECENT_SHARE = 0.14
# Which open needs were referred, by the family's say.
REFERRED_SHARE: dict[str, float] = {IdentifiedNeed.Status.WANTS_HELP: 0.95, IdentifiedNeed.Status.IDENTIFIED: 0.5}
# The demo's timer job last ran this many business days before today: what fell due since is
# waiting for ``manage.py referral_timers``.
TIMERS_IDLE_DAYS = 4
# Referrals to the well-known provider's food bank, sent in the last days and still unanswered.
INBOX_REFERRALS = 3
MAX_CHAIN = 3
EXPIRABLE = RULES_BY_ACTION[Action.EXPIRE].sources

FATES: tuple[tuple[str, float], ...] = (
    ("completed", 34),
    ("under-way", 12),
    ("failed", 8),
    ("rejected", 9),
    ("cancelled", 7),
    ("hold", 7),
    ("stalled", 7),
    ("unanswered", 7),
    ("draft", 5),
    ("error", 3),
)
RESULTS = ((NeedResult.RESOLVED, 0.6), (NeedResult.PARTLY, 0.25), (NeedResult.NOT_RESOLVED, 0.15))
REJECT_REASONS = (
    (Reason.NO_CAPACITY, 4),
    (Reason.NOT_ELIGIBLE, 4),
    (Reason.COULD_NOT_CONTACT, 3),
    (Reason.SERVICE_NOT_OFFERED, 1),
    (Reason.LANGUAGE_NOT_AVAILABLE, 1),
    (Reason.REFERRED_ELSEWHERE, 1),
    (Reason.FAMILY_DECLINED, 1),
    (Reason.OTHER, 1),
)
FAIL_REASONS = (
    (Reason.COULD_NOT_CONTACT, 5),
    (Reason.FAMILY_DECLINED, 3),
    (Reason.NOT_ELIGIBLE, 2),
    (Reason.NO_CAPACITY, 1),
    (Reason.OTHER, 1),
)
CANCEL_REASONS = (
    (Reason.FAMILY_DECLINED, 3),
    (Reason.REFERRED_ELSEWHERE, 3),
    (Reason.NEED_RESOLVED, 2),
    (Reason.NO_CAPACITY, 1),
    (Reason.LANGUAGE_NOT_AVAILABLE, 1),
    (Reason.DUPLICATE, 1),
)
HOLD_REASONS = ((Reason.WAITLISTED, 4), (Reason.FAMILY_ASKED_TO_WAIT, 2), (Reason.DOCUMENTS_NEEDED, 3))
# Reasons after which the coordinator tries another service.
TRY_AGAIN = frozenset(
    {
        Reason.NO_CAPACITY,
        Reason.NOT_ELIGIBLE,
        Reason.SERVICE_NOT_OFFERED,
        Reason.LANGUAGE_NOT_AVAILABLE,
        Reason.COULD_NOT_CONTACT,
        Reason.EXPIRED,
        Reason.OTHER,
        "",
    }
)

# Notes as staff write them: about reaching the family and the service, never who they are.
REFERRAL_NOTES = (
    "Family prefers a call after 3 pm.",
    "Caregiver works early mornings; texts are best.",
    "Please call before a home visit.",
    "Family has no car; a site near the bus line helps.",
    "Caregiver asked for a Spanish-speaking contact.",
    "Second request: the first service had a waiting list.",
    "Family would like an appointment on a Saturday if possible.",
    "Caregiver asked us to leave a voicemail rather than a text.",
)
CONTACT_TIMES = ("Weekday afternoons", "Mornings before 11", "Evenings after 5", "Any time on weekdays")
OTHER_NOTES = {
    Action.REJECT: "The program ended its intake for this school year.",
    Action.FAIL: "The family moved out of the service area.",
}
ERROR_NOTES = (
    "Sent for the wrong child in the family; a corrected referral follows.",
    "Wrong service picked from the search results; sent again to the right one.",
    "Sent twice from two devices; this copy is void.",
)
STEP_NOTES: dict[str, tuple[str, ...]] = {
    BusinessStatus.CONTACT_ATTEMPTED: ("Left a voicemail.", "No answer; will try again tomorrow.", "Sent a text."),
    BusinessStatus.FAMILY_CONTACTED: ("Spoke with the caregiver; intake set up.", "Reached the family by text."),
    BusinessStatus.APPOINTMENT_SCHEDULED: ("Intake appointment booked.", "First visit booked at the family's home."),
    BusinessStatus.NO_SHOW: ("Family did not come to the appointment; will call to rebook.",),
}
HOLD_NOTES: dict[str, str] = {
    Reason.WAITLISTED: "On the waiting list; about three weeks.",
    Reason.FAMILY_ASKED_TO_WAIT: "Family asked to start after the new baby arrives.",
    Reason.DOCUMENTS_NEEDED: "Waiting for proof of address.",
}
DELIVERED = {
    "food-insecurity": (
        "Emergency food box and weekly pantry enrollment",
        "CalFresh application submitted and approved",
        "Formula and baby food from the baby pantry",
        "WIC enrollment with a nutrition visit",
    ),
    "housing-instability": (
        "One-time rental assistance",
        "Case management and a housing stability plan",
        "Eviction defense consultation",
    ),
    "inadequate-housing": ("Tenant rights consultation and a repair request letter to the landlord",),
    "homelessness": (
        "Emergency shelter placement and rapid rehousing intake",
        "School enrollment kept under McKinney-Vento",
    ),
    "utility-insecurity": (
        "Utility bill assistance (LIHEAP application)",
        "Help with a payment plan for the electric bill",
    ),
    "transportation-insecurity": ("Rides to medical appointments arranged", "Bus passes for the month"),
    "maternal-mental-health": ("Perinatal counseling: six sessions", "Postpartum support group"),
    "developmental-services": ("Early Start evaluation and an IFSP", "Developmental evaluation and therapy plan"),
}
GENERIC_DELIVERED = ("Intake completed and services started",)


def _pick(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([value for value, _w in pairs], [weight for _v, weight in pairs])[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- Time ---------------------------------------------------------------------------------------


class _Clock:
    """Business days in the hub's time zone, as the timers count them."""

    def __init__(self, today: date) -> None:
        self.zone = ZoneInfo(settings.TIME_ZONE)
        # The history ends before today: nothing is dated after the moment the demo is seeded.
        self.end = datetime.combine(today, time.min, tzinfo=self.zone)
        self.today = today
        self.timers_ran = datetime.combine(self.business_day_before(TIMERS_IDLE_DAYS), time.min, tzinfo=self.zone)

    def business_day_before(self, n: int) -> date:
        """The business day ``n`` business days before today."""
        day = self.today
        for _ in range(n):
            day -= timedelta(days=1)
            while not is_business_day(day):
                day -= timedelta(days=1)
        return day

    def at_work(self, rng: random.Random, day: date) -> datetime:
        """A moment of office hours (8:30 to 17:00) on ``day``, or on the next business day."""
        while not is_business_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, time(8, 30), tzinfo=self.zone) + timedelta(minutes=rng.randint(0, 510))

    def later(self, rng: random.Random, moment: datetime, low: int, high: int) -> datetime:
        """``low`` to ``high`` business days after ``moment``, at a moment of office hours (the same
        day: a little later)."""
        days = rng.randint(low, high)
        if days == 0:
            return moment + timedelta(minutes=rng.randint(10, 150))
        return self.at_work(rng, add_business_days(moment, days).astimezone(self.zone).date())


# --- Who is who -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Covers:
    """An agreement or a consent, as far as sharing for referrals goes."""

    start: datetime
    until: datetime | None
    organizations: frozenset[int] | None  # None: the whole network
    categories: frozenset[str]
    purposes: frozenset[str]

    def covers(self, organization_id: int, categories: list[str], purpose: str, at: datetime) -> bool:
        return (
            self.start <= at
            and (self.until is None or at < self.until)
            and (self.organizations is None or organization_id in self.organizations)
            and purpose in self.purposes
            and all(c in self.categories for c in categories)
        )


@dataclass
class _Network:
    clock: _Clock
    agreements: list[_Covers]
    consents: dict[uuid.UUID, list[_Covers]]
    registrar: dict[uuid.UUID, int]
    referrers: dict[int, list[int]]
    receivers: dict[int, list[int]]
    membership: dict[int, tuple[int, str]]
    services: dict[str, list[Service]]
    location: dict[uuid.UUID, uuid.UUID]
    main_coordinator: int | None

    def meets(self, service: Service, kind: str) -> bool:
        return any(s.pk == service.pk for s in self.services.get(kind, []))

    def meet_both(self, kind: str, other: str) -> bool:
        """Whether one service meets both kinds of need."""
        return any(self.meets(s, other) for s in self.services.get(kind, []))

    def sharing_covered(
        self, household_id: uuid.UUID, organization_id: int, categories: list[str], at: datetime
    ) -> bool:
        """The rule of ``consent.policy.sharing_gaps`` for a family consent: each category under an
        agreement in force (or the organization registered the family) and the family's consent."""
        if self.registrar[household_id] != organization_id:
            for category in categories:
                if not any(a.covers(organization_id, [category], Purpose.REFERRAL, at) for a in self.agreements):
                    return False
        return any(c.covers(organization_id, categories, Purpose.REFERRAL, at) for c in self.consents[household_id])

    def referrer_may(self, household_id: uuid.UUID, categories: list[str], at: datetime) -> bool:
        """The registering organization's coordinators write the family's referrals under its consent."""
        organization_id = self.registrar[household_id]
        return any(
            c.covers(organization_id, categories, Purpose.CARE_COORDINATION, at) for c in self.consents[household_id]
        )


def _load(today: date) -> _Network:
    clock = _Clock(today)
    agreements = []
    for agreement in Agreement.objects.prefetch_related("parties", "categories", "purposes"):
        start = datetime.combine(agreement.effective_from, time.min, tzinfo=clock.zone)
        ends = []
        if agreement.effective_until is not None:
            ends.append(datetime.combine(agreement.effective_until + timedelta(days=1), time.min, tzinfo=clock.zone))
        if agreement.terminated_at is not None:
            ends.append(agreement.terminated_at)
        agreements.append(
            _Covers(
                start,
                min(ends) if ends else None,
                frozenset(o.pk for o in agreement.parties.all()),
                frozenset(c.category for c in agreement.categories.all()),
                frozenset(p.purpose for p in agreement.purposes.all()),
            )
        )
    consents: dict[uuid.UUID, list[_Covers]] = defaultdict(list)
    scope: dict[uuid.UUID, set[int]] = defaultdict(set)
    categories: dict[uuid.UUID, set[str]] = defaultdict(set)
    purposes: dict[uuid.UUID, set[str]] = defaultdict(set)
    for consent_id, organization_id in Consent.organizations.through.objects.values_list(
        "consent_id", "organization_id"
    ):
        scope[consent_id].add(organization_id)
    for consent_id, category in ConsentCategory.objects.values_list("consent_id", "category"):
        categories[consent_id].add(category)
    for consent_id, purpose in ConsentPurpose.objects.values_list("consent_id", "purpose"):
        purposes[consent_id].add(purpose)
    family_consents = Consent.objects.filter(person__isnull=True).order_by("given_at", "id")
    for pk, household_id, network_wide, given_at, expires_at, withdrawn_at in family_consents.values_list(
        "pk", "household_id", "network_wide", "given_at", "expires_at", "withdrawn_at"
    ):
        consents[household_id].append(
            _Covers(
                given_at,
                min(expires_at, withdrawn_at) if withdrawn_at is not None else expires_at,
                None if network_wide else frozenset(scope[pk]),
                frozenset(categories[pk]),
                frozenset(purposes[pk]),
            )
        )
    referrers: dict[int, list[int]] = defaultdict(list)
    receivers: dict[int, list[int]] = defaultdict(list)
    membership: dict[int, tuple[int, str]] = {}
    for user_id, organization_id, role in (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .order_by("user__email")
        .values_list("user_id", "organization_id", "role")
    ):
        membership.setdefault(user_id, (organization_id, role))
        if role in REFERRING_ROLES:
            referrers[organization_id].append(user_id)
        if role in RECEIVING_ROLES:
            receivers[organization_id].append(user_id)
    coordinator = Membership.objects.filter(user__email=data.demo_email("coordinator"), is_active=True).first()
    services: dict[str, list[Service]] = defaultdict(list)
    for row in (
        ServiceNeed.objects.select_related("service__organization")
        .filter(service__organization__isnull=False, service__organization__is_active=True)
        .exclude(service__status=Service.Status.DEFUNCT)
        .order_by("need", "service_id")
    ):
        services[row.need].append(row.service)
    location: dict[uuid.UUID, uuid.UUID] = {}
    for service_id, location_id in ServiceAtLocation.objects.order_by("service_id", "id").values_list(
        "service_id", "location_id"
    ):
        location.setdefault(service_id, location_id)
    return _Network(
        clock=clock,
        agreements=agreements,
        consents=consents,
        registrar=dict(Household.objects.values_list("id", "registered_by_id")),
        referrers=referrers,
        receivers=receivers,
        membership=membership,
        services=services,
        location=location,
        main_coordinator=coordinator.user_id if coordinator is not None else None,
    )


# --- One referral's story -----------------------------------------------------------------------


@dataclass
class _Story:
    """A referral played out: its row, its events, its follow-up task and its audit lines."""

    network: _Network
    rng: random.Random
    referral: Referral
    needs: list[IdentifiedNeed]
    receiver_id: int  # the user who answers (the referrer outside the network)
    events: list[ReferralEvent] = field(default_factory=list)
    followup: ReferralFollowUp | None = None
    audit: list[AuditLine] = field(default_factory=list)
    stopped: bool = False

    @property
    def status(self) -> str:
        return self.referral.status

    def _audit(self, actor_id: int, side: str, detail: str, categories: list[str], purpose: str = "") -> None:
        organization_id, role = self.network.membership[actor_id]
        self.audit.append(
            AuditLine(
                action=AuditEntry.Action.WRITE,
                actor_id=actor_id,
                organization_id=organization_id,
                role=role,
                household_id=self.referral.household_id,
                person_id=self.referral.person_id,
                categories=categories,
                purpose=purpose
                or (Purpose.REFERRAL if side == Side.RECEIVER and not self.outside else Purpose.CARE_COORDINATION),
                detail=detail,
            )
        )

    @property
    def outside(self) -> bool:
        return self.referral.receiving_organization_id is None

    def _event(
        self, at: datetime, side: str, action: str, from_status: str, actor_id: int | None, **fields: str
    ) -> None:
        organization_id = self.network.membership[actor_id][0] if actor_id is not None else None
        self.events.append(
            ReferralEvent(
                referral=self.referral,
                seq=len(self.events) + 1,
                at=at,
                actor_id=actor_id,
                organization_id=organization_id,
                side=side,
                action=action,
                from_status=from_status,
                to_status=self.referral.status,
                **fields,
            )
        )
        self.referral.version = len(self.events)
        self.referral.updated_at = at

    def create(self, at: datetime) -> None:
        self.referral.created_at = at
        self._event(at, Side.REFERRER, "create", "", self.referral.referred_by_id)
        self._audit(
            self.referral.referred_by_id,
            Side.REFERRER,
            f"referral {self.referral.pk} created",
            [DataCategory.REFERRALS],
        )

    def send(self, at: datetime) -> None:
        sides = frozenset({str(Side.REFERRER)})
        rule = check_transition(action=Action.SEND, status=self.status, sides=sides)
        self.referral.status = rule.target
        self.referral.sent_at = at
        self.referral.warnings_overridden = _warnings(self.referral.service, self.outside)
        self._event(at, Side.REFERRER, Action.SEND, Status.DRAFT, self.referral.referred_by_id)
        self._audit(
            self.referral.referred_by_id,
            Side.REFERRER,
            f"referral {self.referral.pk} sent",
            carried_categories(self.needs),
            Purpose.REFERRAL,
        )

    def move(
        self,
        at: datetime,
        action: str,
        *,
        side: str = Side.RECEIVER,
        reason: str = "",
        note: str = "",
        result: str = "",
        delivered: str = "",
    ) -> None:
        """One transition of the table, by ``side`` (the receiver's staff, or the referrer)."""
        referral = self.referral
        actor = None if side == Side.SYSTEM else self.receiver_id if side == Side.RECEIVER else referral.referred_by_id
        sides = frozenset({str(side)})
        rule = check_transition(
            action=action, status=self.status, sides=sides, reason=reason, note=note, outcome=result
        )
        previous = referral.status
        referral.status = rule.target
        referral.reason = reason
        if rule.outcome:
            referral.need_result = result
            referral.service_delivered = delivered
            referral.business_status = BusinessStatus.SERVICE_DELIVERED
        elif action == Action.RECEIVE:
            referral.business_status = BusinessStatus.VIEWED
        if rule.target in (Status.ACCEPTED, Status.REJECTED) and referral.answered_at is None:
            referral.answered_at = at
        if rule.target in CLOSED:
            referral.closed_at = at
        self._event(
            at,
            side,
            action,
            previous,
            actor,
            reason=reason,
            need_result=referral.need_result,
            note=note,
            business_status=referral.business_status,
        )
        if actor is not None:
            self._audit(actor, side, f"referral {referral.pk} {action}", [DataCategory.REFERRALS])
        if rule.target in CLOSED:
            self.stopped = True

    def step(self, at: datetime, step: str, *, appointment: datetime | None = None) -> None:
        spec = check_step(step=step, status=self.status, sides=frozenset({str(Side.RECEIVER)}))
        if spec.needs_when:
            self.referral.appointment_at = appointment
        self.referral.business_status = spec.business_status
        self._event(
            at,
            Side.RECEIVER,
            step,
            self.status,
            self.receiver_id,
            business_status=spec.business_status,
            note=self.rng.choice(STEP_NOTES[step]),
        )
        self._audit(self.receiver_id, Side.RECEIVER, f"referral {self.referral.pk} {step}", [DataCategory.REFERRALS])

    # The hub's timers, as ``referrals.timers`` fires them, up to the last run of the timer job.

    def timers_until(self, until: datetime) -> None:
        until = min(until, self.network.clock.timers_ran)
        while not self.stopped:
            referral, due = self.referral, []
            if referral.status in EXPIRABLE:
                due.append((add_business_days(referral.updated_at, settings.REFERRAL_EXPIRE_DAYS), "expire"))
            if referral.status in AWAITING_ANSWER and referral.sent_at is not None and not self.outside:
                if referral.answer_reminded_at is None:
                    due.append((add_business_days(referral.sent_at, settings.REFERRAL_ANSWER_DAYS), "remind"))
                elif referral.escalated_at is None:
                    due.append(
                        (add_business_days(referral.answer_reminded_at, settings.REFERRAL_ANSWER_DAYS), "escalate")
                    )
            if referral.status in UNDER_WAY and self.followup is None and referral.answered_at is not None:
                due.append((add_business_days(referral.answered_at, settings.REFERRAL_OUTCOME_DAYS), "follow-up"))
            if not due:
                return
            moment, timer = min(due)
            fired = moment + timedelta(minutes=self.rng.randint(1, 15))  # the job runs every 15 minutes
            if fired > until:
                return
            if timer == "expire":
                self.move(fired, Action.EXPIRE, side=Side.SYSTEM, reason=Reason.EXPIRED)
            elif timer == "remind":
                referral.answer_reminded_at = fired
            elif timer == "escalate":
                referral.escalated_at = fired
            else:
                self.followup = ReferralFollowUp(
                    referral=referral, assigned_to_id=referral.referred_by_id, due=moment, created_at=fired
                )
                done = self.network.clock.later(self.rng, fired, 0, 3)
                if self.rng.random() < 0.7 and done < self.network.clock.end:
                    self.followup.done_at = done

    def due(self, at: datetime) -> bool:
        """Whether a move planned at ``at`` happens: the timers fire first, and the story ends where
        the history does."""
        self.timers_until(at)
        return not self.stopped and at < self.network.clock.end


def _warnings(service: Service, outside: bool) -> list[str]:
    """The fit warnings the referrer read and sent anyway, as far as the listing alone tells."""
    codes = []
    if service.status != Service.Status.ACTIVE:
        codes.append("inactive")
    if not service.accepting_referrals:
        codes.append("not-accepting")
    elif service.open_slots == 0:
        codes.append("full")
    if outside:
        codes.append("outside-hub")
    if service.typical_wait_days is not None and service.typical_wait_days > LONG_WAIT_DAYS:
        codes.append("long-wait")
    return codes


def _play(story: _Story, fate: str, start: datetime) -> None:
    """Play ``fate`` from ``start``: each move happens when the history reaches it."""
    rng, clock, outside = story.rng, story.network.clock, story.outside
    story.create(start)
    if fate == "draft":
        # A draft a coordinator left: recent ones wait, older ones were withdrawn.
        at = clock.later(rng, start, 3, 8)
        if story.due(at):
            reason: str = rng.choice([Reason.DUPLICATE, Reason.REFERRED_ELSEWHERE, Reason.NEED_RESOLVED])
            story.move(at, Action.CANCEL, side=Side.REFERRER, reason=reason)
        return
    at = clock.later(rng, start, 0, 2) if rng.random() < 0.2 else start + timedelta(minutes=rng.randint(2, 25))
    if not story.due(at):
        return
    story.send(at)
    if fate == "error":
        at = clock.later(rng, at, 0, 1)
        if story.due(at):
            story.move(at, Action.ENTER_IN_ERROR, side=Side.REFERRER, note=rng.choice(ERROR_NOTES))
        return
    if not outside and rng.random() < 0.75:
        at = clock.later(rng, at, 0, 1)
        if not story.due(at):
            return
        story.move(at, Action.RECEIVE)
    if fate == "unanswered":
        return  # the timers remind, escalate, and at last expire it
    if fate == "cancelled":
        at = clock.later(rng, at, 1, 4)
        if story.due(at):
            story.move(at, Action.CANCEL, side=Side.REFERRER, reason=_pick(rng, CANCEL_REASONS))
        return
    # Most answer within the limit; some only after the reminder, or the escalation.
    at = clock.later(rng, at, *rng.choice([(0, 1), (0, 2), (1, 2), (3, 4), (5, 6)]))
    if not story.due(at):
        return
    if fate == "rejected":
        reason = _pick(rng, REJECT_REASONS)
        story.move(at, Action.REJECT, reason=reason, note=OTHER_NOTES[Action.REJECT] if reason == Reason.OTHER else "")
        return
    story.move(at, Action.ACCEPT)
    _under_way(story, fate, at)


def _under_way(story: _Story, fate: str, at: datetime) -> None:
    rng, clock = story.rng, story.network.clock
    if rng.random() < 0.5:
        at = clock.later(rng, at, 0, 2)
        if not story.due(at):
            return
        story.step(at, BusinessStatus.CONTACT_ATTEMPTED)
    if fate == "stalled":
        # Accepted, then nothing: the follow-up task comes due; some get their outcome late.
        at = clock.later(rng, at, 15, 24)
        if rng.random() < 0.5 and story.due(at):
            _finish(story, at, rng.random() < 0.7)
        else:
            story.timers_until(clock.end)
        return
    at = clock.later(rng, at, 0, 3)
    if not story.due(at):
        return
    story.step(at, BusinessStatus.FAMILY_CONTACTED)
    if rng.random() < 0.7:
        appointment = clock.later(rng, at, 2, 8)
        at += timedelta(minutes=rng.randint(2, 30))
        if not story.due(at):
            return
        story.step(at, BusinessStatus.APPOINTMENT_SCHEDULED, appointment=appointment)
        at = appointment
    else:
        at = clock.later(rng, at, 1, 4)
    if fate == "failed" and rng.random() < 0.5 and story.referral.appointment_at is not None:
        if not story.due(at):
            return
        story.step(at, BusinessStatus.NO_SHOW)
        at = clock.later(rng, at, 2, 6)
        if story.due(at):
            reason = _pick(rng, FAIL_REASONS)
            story.move(at, Action.FAIL, reason=reason, note=OTHER_NOTES[Action.FAIL] if reason == Reason.OTHER else "")
        return
    if not story.due(at):
        return
    story.move(at, Action.START)
    if fate == "failed":
        at = clock.later(rng, at, 1, 8)
        if story.due(at):
            reason = _pick(rng, FAIL_REASONS)
            story.move(at, Action.FAIL, reason=reason, note=OTHER_NOTES[Action.FAIL] if reason == Reason.OTHER else "")
        return
    if fate == "hold":
        at = clock.later(rng, at, 1, 4)
        if not story.due(at):
            return
        reason = _pick(rng, HOLD_REASONS)
        story.move(at, Action.HOLD, reason=reason, note=HOLD_NOTES[reason])
        if rng.random() < 0.4:
            story.timers_until(clock.end)  # still waiting
            return
        at = clock.later(rng, at, 5, 15)
        if not story.due(at):
            return
        story.move(at, Action.RESUME)
    if fate == "under-way":
        # A longer service (home visits, counseling): the staff keep in touch until it ends.
        for _ in range(rng.randint(1, 3)):
            at = clock.later(rng, at, 5, 12)
            if not story.due(at):
                return
            story.step(at, BusinessStatus.FAMILY_CONTACTED)
    at = clock.later(rng, at, 1, 8)
    if story.due(at):
        _finish(story, at, True)


def _finish(story: _Story, at: datetime, delivered: bool) -> None:
    rng = story.rng
    if not delivered:
        story.move(at, Action.FAIL, reason=Reason.COULD_NOT_CONTACT)
        return
    need = story.needs[0].need
    story.move(
        at,
        Action.COMPLETE,
        result=_pick(rng, RESULTS),
        delivered=rng.choice(DELIVERED.get(need, GENERIC_DELIVERED)),
        note="" if rng.random() < 0.6 else "Family said the visit went well.",
    )


# --- The whole history ----------------------------------------------------------------------------


@dataclass
class _Rows:
    referrals: list[Referral] = field(default_factory=list)
    needs: list[ReferralNeed] = field(default_factory=list)
    events: list[ReferralEvent] = field(default_factory=list)
    followups: list[ReferralFollowUp] = field(default_factory=list)
    audit: list[AuditLine] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    addressed: list[IdentifiedNeed] = field(default_factory=list)
    history: list[NeedStatusChange] = field(default_factory=list)


def seed_referrals(*, seed: int, today: date, organizations: dict[str, Organization]) -> dict[str, int]:
    """Create the demo's referral history (see the module's docstring); returns counts."""
    rng = random.Random(f"{seed}:referrals")
    network = _load(today)
    clock = network.clock
    # When each member organization started receiving referrals for each family.
    receiving: dict[tuple[uuid.UUID, int], datetime] = {}
    for household_id, organization_id, started_at in Relationship.objects.filter(
        kind=RelationshipKind.REFERRAL_RECIPIENT, ended_at__isnull=True, organization__isnull=False
    ).values_list("household_id", "organization_id", "started_at"):
        key = (household_id, organization_id)
        receiving[key] = min(started_at, receiving.get(key, started_at))
    open_needs = list(
        IdentifiedNeed.objects.filter(status__in=list(REFERRED_SHARE)).order_by("household_id", "identified_at", "id")
    )
    by_household: dict[uuid.UUID, list[IdentifiedNeed]] = defaultdict(list)
    for need in open_needs:
        by_household[need.household_id].append(need)
    main_food_bank = organizations.get(data.MAIN_FOOD_BANK_SLUG)
    rows = _Rows()
    used: set[uuid.UUID] = set()

    def chain(needs: list[IdentifiedNeed], start: datetime, fate: str | None, service: Service | None) -> None:
        """A need's referrals: one, and another after one that did not work out."""
        tried: set[uuid.UUID] = set()
        for _ in range(MAX_CHAIN):
            story = _start(rng, network, needs, start, service, tried, fate)
            if story is None:
                return
            _collect(rows, story, receiving)
            referral = story.referral
            tried.add(referral.service_id)
            if referral.status not in CLOSED or referral.closed_at is None:
                return
            if referral.status == Status.COMPLETED:
                if referral.need_result == NeedResult.RESOLVED:
                    _address(rows, needs, referral.closed_at, story.receiver_id)
                return
            error = referral.status == Status.ENTERED_IN_ERROR
            if not error and (referral.reason not in TRY_AGAIN or rng.random() < 0.35):
                return
            start = (
                referral.closed_at + timedelta(minutes=rng.randint(5, 40))
                if error
                else clock.later(rng, referral.closed_at, 1, 5)
            )
            if start >= clock.end:
                return
            fate, service = None, None

    # First a few new referrals in the well-known provider's inbox (the demo's food bank).
    if main_food_bank is not None:
        pantry = [s for s in network.services.get("food-insecurity", []) if s.organization_id == main_food_bank.pk]
        pantry = [s for s in pantry if s.accepts_electronic_referrals]
        for need in open_needs:
            if len(used) >= INBOX_REFERRALS or not pantry:
                break
            start = clock.at_work(rng, clock.business_day_before(rng.randint(1, 2)))
            if need.need != "food-insecurity" or not _ready(network, need, start, main_food_bank.pk):
                continue
            used.add(need.pk)
            chain([need], start, "unanswered", rng.choice(pantry))

    for need in open_needs:
        if need.pk in used or rng.random() >= REFERRED_SHARE.get(need.status, 0.0):
            continue
        earliest = max(need.updated_at, clock.end - timedelta(days=HISTORY_DAYS)) + timedelta(days=1)
        if earliest >= clock.end - timedelta(days=1):
            continue
        if rng.random() < RECENT_SHARE:
            earliest = max(earliest, clock.end - timedelta(days=14))
        span = (clock.end - earliest).total_seconds()
        start = clock.at_work(rng, (earliest + timedelta(seconds=rng.random() * span)).astimezone(clock.zone).date())
        if start >= clock.end:
            continue
        # Two needs the same service meets often go in one referral.
        together = [
            n
            for n in by_household[need.household_id]
            if n.pk != need.pk and n.pk not in used and n.updated_at < start and network.meet_both(need.need, n.need)
        ]
        needs = [need]
        if together and rng.random() < 0.3:
            needs.append(rng.choice(together))
        used.update(n.pk for n in needs)
        chain(needs, start, None, None)

    _showcase(rng, network, rows, open_needs, used, receiving)

    Referral.objects.bulk_create(rows.referrals, batch_size=500)
    ReferralNeed.objects.bulk_create(rows.needs, batch_size=1000)
    ReferralEvent.objects.bulk_create(rows.events, batch_size=1000)
    ReferralFollowUp.objects.bulk_create(rows.followups, batch_size=500)
    Relationship.objects.bulk_create(rows.relationships, batch_size=1000)
    IdentifiedNeed.objects.bulk_update(rows.addressed, ["status", "priority", "updated_at"], batch_size=500)
    NeedStatusChange.objects.bulk_create(rows.history, batch_size=1000)
    audit_append(rows.audit)
    return {
        "referrals": len(rows.referrals),
        "events": len(rows.events),
        "followups": len(rows.followups),
        "needs_addressed": len(rows.addressed),
    }


def _timer_due(network: _Network, referral: Referral, followed_up: bool) -> str:
    """Which timer ``referral_timers`` would fire on the referral now, if any (expiry aside)."""
    end = network.clock.end
    if referral.status in AWAITING_ANSWER and referral.receiving_organization_id is not None and referral.sent_at:
        if referral.answer_reminded_at is None:
            due = add_business_days(referral.sent_at, settings.REFERRAL_ANSWER_DAYS)
            return "reminder" if due < end else ""
        if referral.escalated_at is None:
            due = add_business_days(referral.answer_reminded_at, settings.REFERRAL_ANSWER_DAYS)
            return "escalation" if due < end else ""
    if referral.status in UNDER_WAY and referral.answered_at is not None and not followed_up:
        due = add_business_days(referral.answered_at, settings.REFERRAL_OUTCOME_DAYS)
        return "follow-up" if due < end else ""
    return ""


# What the demo always shows, whatever the seed and the day: a referral in every state, and open
# loops past each timer. (What to look for, the fate that leads there, business days ago it starts.)
SHOWCASE: tuple[tuple[str, str, int, int], ...] = (
    (Status.DRAFT, "draft", 1, 2),
    (Status.REQUESTED, "unanswered", 1, 1),
    (Status.RECEIVED, "unanswered", 1, 2),
    (Status.ACCEPTED, "completed", 2, 4),
    (Status.IN_PROGRESS, "under-way", 6, 12),
    (Status.ON_HOLD, "hold", 5, 15),
    (Status.COMPLETED, "completed", 15, 60),
    (Status.FAILED, "failed", 15, 60),
    (Status.REJECTED, "rejected", 10, 60),
    (Status.CANCELLED, "cancelled", 10, 60),
    (Status.ENTERED_IN_ERROR, "error", 10, 60),
    ("reminder", "unanswered", 3, 3),
    ("escalation", "unanswered", TIMERS_IDLE_DAYS + 3, TIMERS_IDLE_DAYS + 4),
    ("follow-up", "stalled", 16, 18),
)
SHOWCASE_TRIES = 60


def _showcase(
    rng: random.Random,
    network: _Network,
    rows: _Rows,
    open_needs: list[IdentifiedNeed],
    used: set[uuid.UUID],
    receiving: dict[tuple[uuid.UUID, int], datetime],
) -> None:
    """Make sure of what the demo must show, with needs no referral took yet (a small network
    or an unlucky seed may lack some)."""
    clock = network.clock
    for wanted, fate, low, high in SHOWCASE:

        def shows(referral: Referral, followed_up: bool, wanted: str = wanted) -> bool:
            return referral.status == wanted or _timer_due(network, referral, followed_up) == wanted

        followed = {f.referral_id for f in rows.followups}
        if any(shows(r, r.pk in followed) for r in rows.referrals):
            continue
        free = [n for n in open_needs if n.pk not in used and n.status != IdentifiedNeed.Status.ADDRESSED]
        for need in free[:SHOWCASE_TRIES]:
            start = clock.at_work(rng, clock.business_day_before(rng.randint(low, high)))
            if start >= clock.end:
                continue
            story = _start(rng, network, [need], start, None, set(), fate)
            if story is None or not shows(story.referral, story.followup is not None):
                continue
            used.add(need.pk)
            _collect(rows, story, receiving)
            referral = story.referral
            if referral.need_result == NeedResult.RESOLVED and referral.closed_at is not None:
                _address(rows, [need], referral.closed_at, story.receiver_id)
            break


def _ready(network: _Network, need: IdentifiedNeed, at: datetime, organization_id: int | None) -> bool:
    """Whether the family's registering organization may refer the need then, and (for a member's
    service that takes hub referrals) whether consent and an agreement cover sharing it."""
    household_id = need.household_id
    if not network.referrers.get(network.registrar[household_id]) or need.updated_at >= at:
        return False
    if not network.referrer_may(household_id, [DataCategory.REFERRALS, need.category], at):
        return False
    if organization_id is None:
        return True
    return network.sharing_covered(household_id, organization_id, carried_categories([need]), at)


def _start(
    rng: random.Random,
    network: _Network,
    needs: list[IdentifiedNeed],
    start: datetime,
    service: Service | None,
    tried: set[uuid.UUID],
    fate: str | None,
) -> _Story | None:
    """The next referral for ``needs``: to a service that meets them (not one tried already, not
    the referrer's own), played out; None when no service fits or sharing is not covered."""
    household_id = needs[0].household_id
    registrar = network.registrar[household_id]
    if service is None:
        kinds = {n.need for n in needs}
        candidates = [
            s
            for s in network.services.get(needs[0].need, [])
            if s.pk not in tried
            and s.organization_id != registrar
            and s.accepting_referrals
            and all(network.meets(s, kind) for kind in kinds)
        ]
        if not candidates:
            return None
        # Food needs go to the network's main food bank first, as in the real network.
        weights = [
            3.0 if s.organization and s.organization.slug == data.MAIN_FOOD_BANK_SLUG else 1.0 for s in candidates
        ]
        service = rng.choices(candidates, weights)[0]
    hub_referral = service.accepts_electronic_referrals and service.organization_id is not None
    receiving_id = service.organization_id if hub_referral else None
    if not all(_ready(network, n, start, receiving_id) for n in needs):
        return None
    referrers = network.referrers[registrar]
    referrer = referrers[rng.randrange(len(referrers))]
    if network.main_coordinator in referrers and rng.random() < 0.5:
        referrer = network.main_coordinator
    if receiving_id is not None:
        staff = network.receivers.get(receiving_id)
        if not staff:
            return None
        receiver = rng.choice(staff)
    else:
        receiver = referrer
    person_id = needs[0].person_id if all(n.person_id == needs[0].person_id for n in needs) else None
    referral = Referral(
        id=_uuid(rng),
        household_id=household_id,
        person_id=person_id,
        service=service,
        location_id=network.location.get(service.pk),
        referring_organization_id=registrar,
        referred_by_id=referrer,
        receiving_organization_id=receiving_id,
        note=rng.choice(REFERRAL_NOTES) if rng.random() < 0.6 else "",
        urgent=rng.random() < (0.3 if needs[0].need == "homelessness" else 0.06),
        handoff=_pick(
            rng,
            (
                (Handoff.NONE, 55),
                (Handoff.WARM_CALL, 20),
                (Handoff.FAMILY_CALLS, 20 if receiving_id is not None else 40),
                (Handoff.WARM_VISIT, 5),
            ),
        ),
        contact_method=_pick(
            rng, ((ContactMethod.PHONE, 5), (ContactMethod.TEXT, 3), (ContactMethod.EMAIL, 1), ("", 1))
        ),
        contact_times=rng.choice(CONTACT_TIMES) if rng.random() < 0.5 else "",
    )
    story = _Story(network, rng, referral, needs, receiver)
    _play(story, fate or _pick(rng, FATES), start)
    story.timers_until(network.clock.end)
    return story


def _collect(rows: _Rows, story: _Story, receiving: dict[tuple[uuid.UUID, int], datetime]) -> None:
    referral = story.referral
    rows.referrals.append(referral)
    rows.needs.extend(ReferralNeed(referral=referral, need=n) for n in story.needs)
    rows.events.extend(story.events)
    if story.followup is not None:
        rows.followups.append(story.followup)
    rows.audit.extend(story.audit)
    organization_id = referral.receiving_organization_id
    if referral.sent_at is not None and organization_id is not None:
        key = (referral.household_id, organization_id)
        if key not in receiving or receiving[key] > referral.sent_at:
            receiving[key] = referral.sent_at
            relationship = Relationship(
                household_id=referral.household_id,
                kind=RelationshipKind.REFERRAL_RECIPIENT,
                organization_id=organization_id,
                started_at=referral.sent_at,
                started_by_id=referral.referred_by_id,
            )
            rows.relationships.append(relationship)
            organization, role = story.network.membership[referral.referred_by_id]
            rows.audit.append(
                AuditLine(
                    action=AuditEntry.Action.RELATIONSHIP_STARTED,
                    actor_id=referral.referred_by_id,
                    organization_id=organization,
                    role=role,
                    household_id=referral.household_id,
                    detail=f"{RelationshipKind.REFERRAL_RECIPIENT} for referral {referral.pk}",
                )
            )


def _address(rows: _Rows, needs: list[IdentifiedNeed], at: datetime, by: int) -> None:
    """What ``screening.services.needs_mark_addressed`` records when a referral resolves the need."""
    for need in needs:
        previous = need.status
        need.status, need.priority, need.updated_at = IdentifiedNeed.Status.ADDRESSED, None, at
        rows.addressed.append(need)
        rows.history.append(
            NeedStatusChange(need=need, from_status=previous, to_status=need.status, changed_by_id=by, changed_at=at)
        )
