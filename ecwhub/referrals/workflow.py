"""The referral's life, declared in one table: its states, the actions that move it, who may take
each action, and what each requires. Nothing else decides whether a transition is allowed.

The states are the HL7 Gravity SDOH Clinical Care referral Task statuses (``Task.status``) with
``received`` (a FHIR Task status the IG leaves optional) between sending and answering. Finer steps
(viewed, contact attempted, appointment scheduled, no-show, waitlisted, service delivered) are
business statuses (``Task.businessStatus``) recorded inside a state by the steps in ``STEPS``.

Sides: the **referrer** (the referring organization's care staff), the **receiver** (the staff of
the organization that offers the service; for a referral outside the network, which no one in the
hub receives, the referrer records the receiver's answers by hand), the **family** (a family
member, for their own family's referrals) and the **hub** administrator. ``system`` is the hub's
own timers (a referral that expires).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("referral status", "Draft")
    REQUESTED = "requested", pgettext_lazy("referral status", "Sent")
    RECEIVED = "received", pgettext_lazy("referral status", "Received")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("referral status", "Declined")
    IN_PROGRESS = "in-progress", pgettext_lazy("referral status", "In progress")
    ON_HOLD = "on-hold", pgettext_lazy("referral status", "On hold")
    COMPLETED = "completed", pgettext_lazy("referral status", "Completed")
    FAILED = "failed", pgettext_lazy("referral status", "Could not be completed")
    CANCELLED = "cancelled", pgettext_lazy("referral status", "Cancelled")
    ENTERED_IN_ERROR = "entered-in-error", pgettext_lazy("referral status", "Entered in error")


CLOSED = frozenset({Status.REJECTED, Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.ENTERED_IN_ERROR})
OPEN = frozenset(Status) - CLOSED
# Sent and not yet answered by the receiver.
AWAITING_ANSWER = frozenset({Status.REQUESTED, Status.RECEIVED})
# Answered, service not finished.
UNDER_WAY = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD})


class BusinessStatus(models.TextChoices):
    VIEWED = "viewed", _("Viewed by the service")
    CONTACT_ATTEMPTED = "contact-attempted", _("Contact attempted")
    FAMILY_CONTACTED = "family-contacted", _("Family contacted")
    APPOINTMENT_SCHEDULED = "appointment-scheduled", _("Appointment scheduled")
    NO_SHOW = "no-show", _("Missed the appointment")
    WAITLISTED = "waitlisted", _("On the waiting list")
    SERVICE_DELIVERED = "service-delivered", _("Service delivered")


class Reason(models.TextChoices):
    """Why a referral was declined, could not be completed, was put on hold or cancelled."""

    NOT_ELIGIBLE = "not-eligible", _("Not eligible")
    NO_CAPACITY = "no-capacity", _("No capacity")
    COULD_NOT_CONTACT = "could-not-contact", _("Could not contact the family")
    FAMILY_DECLINED = "family-declined", _("Family declined")
    SERVICE_NOT_OFFERED = "service-not-offered", _("Service not offered")
    REFERRED_ELSEWHERE = "referred-elsewhere", _("Referred elsewhere")
    LANGUAGE_NOT_AVAILABLE = "language-not-available", _("Language not available")
    WAITLISTED = "waitlisted", _("On the waiting list")
    FAMILY_ASKED_TO_WAIT = "family-asked-to-wait", _("The family asked to wait")
    DOCUMENTS_NEEDED = "documents-needed", _("Waiting for documents")
    NEED_RESOLVED = "need-resolved", _("The need was met another way")
    EXPIRED = "expired", _("No activity: the referral expired")
    DUPLICATE = "duplicate", _("Sent twice by mistake")
    OTHER = "other", _("Other (see the note)")


class NeedResult(models.TextChoices):
    RESOLVED = "resolved", _("Need resolved")
    PARTLY = "partly", _("Need partly resolved")
    NOT_RESOLVED = "not-resolved", _("Need not resolved")


class Side(models.TextChoices):
    REFERRER = "referrer", _("Referring organization")
    RECEIVER = "receiver", _("Receiving organization")
    FAMILY = "family", _("The family")
    HUB = "hub", _("Hub administrator")
    SYSTEM = "system", _("The hub (timer)")


REJECT_REASONS = (
    Reason.NOT_ELIGIBLE,
    Reason.NO_CAPACITY,
    Reason.COULD_NOT_CONTACT,
    Reason.FAMILY_DECLINED,
    Reason.SERVICE_NOT_OFFERED,
    Reason.REFERRED_ELSEWHERE,
    Reason.LANGUAGE_NOT_AVAILABLE,
    Reason.OTHER,
)
FAIL_REASONS = (
    Reason.NOT_ELIGIBLE,
    Reason.NO_CAPACITY,
    Reason.COULD_NOT_CONTACT,
    Reason.FAMILY_DECLINED,
    Reason.SERVICE_NOT_OFFERED,
    Reason.REFERRED_ELSEWHERE,
    Reason.LANGUAGE_NOT_AVAILABLE,
    Reason.OTHER,
)
HOLD_REASONS = (
    Reason.WAITLISTED,
    Reason.FAMILY_ASKED_TO_WAIT,
    Reason.DOCUMENTS_NEEDED,
    Reason.COULD_NOT_CONTACT,
    Reason.OTHER,
)
CANCEL_REASONS = (
    Reason.FAMILY_DECLINED,
    Reason.REFERRED_ELSEWHERE,
    Reason.NEED_RESOLVED,
    Reason.NO_CAPACITY,
    Reason.SERVICE_NOT_OFFERED,
    Reason.LANGUAGE_NOT_AVAILABLE,
    Reason.DUPLICATE,
    Reason.OTHER,
)
EXPIRE_REASONS = (Reason.EXPIRED,)


class Action(models.TextChoices):
    SEND = "send", _("Send")
    RECEIVE = "receive", _("Mark as received")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Decline")
    START = "start", _("Start the service")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resume")
    COMPLETE = "complete", _("Record the outcome: completed")
    FAIL = "fail", _("Record the outcome: could not be completed")
    CANCEL = "cancel", _("Cancel the referral")
    EXPIRE = "expire", _("Expire")
    ENTER_IN_ERROR = "enter-in-error", _("Mark as entered in error")


@dataclass(frozen=True)
class Rule:
    """``action`` moves a referral from any of ``sources`` to ``target``; ``sides`` may take it;
    ``reasons`` (when not empty) lists the coded reasons of which one is required; ``outcome``
    requires the need's result and what service was delivered; ``note`` requires a note."""

    action: str
    sources: frozenset[str]
    target: str
    sides: frozenset[str]
    reasons: tuple[str, ...] = ()
    outcome: bool = False
    note: bool = False


def _rule(
    action: Action,
    sources: set[Status],
    target: Status,
    sides: set[Side],
    *,
    reasons: tuple[Reason, ...] = (),
    outcome: bool = False,
    note: bool = False,
) -> Rule:
    return Rule(
        action=str(action),
        sources=frozenset(str(s) for s in sources),
        target=str(target),
        sides=frozenset(str(s) for s in sides),
        reasons=tuple(str(r) for r in reasons),
        outcome=outcome,
        note=note,
    )


S, A = Status, Action
REFERRER, RECEIVER, FAMILY, HUB, SYSTEM = Side.REFERRER, Side.RECEIVER, Side.FAMILY, Side.HUB, Side.SYSTEM

# The table. For a referral outside the network, the referrer also acts for the receiver
# (``sides_of`` adds RECEIVER to the referrer there), and closes the loop by hand.
RULES: tuple[Rule, ...] = (
    _rule(A.SEND, {S.DRAFT}, S.REQUESTED, {REFERRER}),
    _rule(A.RECEIVE, {S.REQUESTED}, S.RECEIVED, {RECEIVER}),
    _rule(A.ACCEPT, {S.REQUESTED, S.RECEIVED}, S.ACCEPTED, {RECEIVER}),
    _rule(A.REJECT, {S.REQUESTED, S.RECEIVED}, S.REJECTED, {RECEIVER}, reasons=REJECT_REASONS),
    _rule(A.START, {S.ACCEPTED}, S.IN_PROGRESS, {RECEIVER}),
    _rule(A.HOLD, {S.ACCEPTED, S.IN_PROGRESS}, S.ON_HOLD, {RECEIVER}, reasons=HOLD_REASONS),
    _rule(A.RESUME, {S.ON_HOLD}, S.IN_PROGRESS, {RECEIVER}),
    _rule(A.COMPLETE, {S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}, S.COMPLETED, {RECEIVER}, outcome=True),
    _rule(A.FAIL, {S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}, S.FAILED, {RECEIVER}, reasons=FAIL_REASONS),
    _rule(
        A.CANCEL,
        {S.DRAFT, S.REQUESTED, S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD},
        S.CANCELLED,
        {REFERRER, FAMILY, HUB},
        reasons=CANCEL_REASONS,
    ),
    _rule(
        A.EXPIRE,
        {S.REQUESTED, S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD},
        S.CANCELLED,
        {SYSTEM},
        reasons=EXPIRE_REASONS,
    ),
    _rule(
        A.ENTER_IN_ERROR,
        set(Status) - {S.ENTERED_IN_ERROR},
        S.ENTERED_IN_ERROR,
        {REFERRER, HUB},
        note=True,
    ),
)
RULES_BY_ACTION: dict[str, Rule] = {rule.action: rule for rule in RULES}


@dataclass(frozen=True)
class Step:
    """A finer step recorded inside a state: it sets the business status, never the status."""

    business_status: str
    states: frozenset[str]
    sides: frozenset[str]
    needs_when: bool = False  # an appointment needs its date and time


STEPS: dict[str, Step] = {
    BusinessStatus.CONTACT_ATTEMPTED: Step(
        BusinessStatus.CONTACT_ATTEMPTED,
        frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}),
        frozenset({RECEIVER}),
    ),
    BusinessStatus.FAMILY_CONTACTED: Step(
        BusinessStatus.FAMILY_CONTACTED,
        frozenset({S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}),
        frozenset({RECEIVER}),
    ),
    BusinessStatus.APPOINTMENT_SCHEDULED: Step(
        BusinessStatus.APPOINTMENT_SCHEDULED,
        frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}),
        frozenset({RECEIVER}),
        needs_when=True,
    ),
    BusinessStatus.NO_SHOW: Step(BusinessStatus.NO_SHOW, frozenset({S.ACCEPTED, S.IN_PROGRESS}), frozenset({RECEIVER})),
}


class WorkflowError(ValueError):
    """A transition or step the table does not allow, or without what it requires. ``field`` names
    the input at fault; ``rule`` names the rule that refused it."""

    def __init__(self, field: str, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


def allowed_actions(status: str, sides: frozenset[str]) -> list[Rule]:
    """The rules ``sides`` may apply to a referral in ``status``, in the table's order."""
    return [rule for rule in RULES if status in rule.sources and rule.sides & sides]


def allowed_steps(status: str, sides: frozenset[str]) -> list[Step]:
    return [step for step in STEPS.values() if status in step.states and step.sides & sides]


def check_transition(
    *, action: str, status: str, sides: frozenset[str], reason: str = "", note: str = "", outcome: str = ""
) -> Rule:
    """The rule that allows ``action`` from ``status`` for one of ``sides``, having checked what it
    requires; ``WorkflowError`` naming the rule and the field otherwise."""
    rule = RULES_BY_ACTION.get(action)
    if rule is None:
        raise WorkflowError("action", str(_("Unknown action.")), "unknown-action")
    if status not in rule.sources:
        raise WorkflowError(
            "action",
            str(_("A referral that is “%(status)s” cannot be moved that way (%(action)s)."))
            % {"status": Status(status).label, "action": Action(action).label},
            f"{action}: from {status}",
        )
    if not rule.sides & sides:
        raise WorkflowError(
            "action",
            str(_("%(action)s is not for your side of this referral; it is for: %(sides)s."))
            % {"sides": _sides_text(rule), "action": Action(action).label},
            f"{action}: by {'/'.join(sorted(rule.sides))}",
        )
    if rule.reasons:
        if not reason:
            raise WorkflowError("reason", str(_("Choose a reason.")), f"{action}: reason required")
        if reason not in rule.reasons:
            raise WorkflowError("reason", str(_("That reason does not fit this action.")), f"{action}: reason")
    elif reason:
        raise WorkflowError("reason", str(_("This action takes no reason.")), f"{action}: no reason")
    if rule.note and not note.strip():
        raise WorkflowError("note", str(_("Write a note saying why.")), f"{action}: note required")
    if rule.reasons and reason == Reason.OTHER and not note.strip():
        raise WorkflowError("note", str(_("Say in the note what the other reason is.")), f"{action}: note for other")
    if rule.outcome:
        if not outcome:
            raise WorkflowError("need_result", str(_("Say whether the need was resolved.")), f"{action}: outcome")
        if outcome not in NeedResult.values:
            raise WorkflowError("need_result", str(_("Unknown result.")), f"{action}: outcome")
    elif outcome:
        raise WorkflowError("need_result", str(_("Only a completed referral has a result.")), f"{action}: no outcome")
    return rule


def _sides_text(rule: Rule) -> str:
    return ", ".join(str(Side(s).label) for s in sorted(rule.sides))


def check_step(*, step: str, status: str, sides: frozenset[str]) -> Step:
    spec = STEPS.get(step)
    if spec is None:
        raise WorkflowError("step", str(_("Unknown step.")), "unknown-step")
    if status not in spec.states:
        raise WorkflowError(
            "step",
            str(_("This cannot be recorded on a referral that is “%(status)s”.")) % {"status": Status(status).label},
            f"{step}: in {status}",
        )
    if not spec.sides & sides:
        raise WorkflowError("step", str(_("Only the receiving organization records this.")), f"{step}: by receiver")
    return spec
