"""A pathway's life, declared in one table: its states, the actions that move it, who may take each
action, and what each requires. Nothing else decides whether a transition is allowed.

The Pathways Community HUB model counts a pathway only when its outcome is confirmed and the
closure has been reviewed: the coordinator submits the closure (complete, with the outcome
confirmed, or finished incomplete, with a coded reason); a supervisor of the coordinator's
organization approves it, or sends it back (the pathway opens again, with the supervisor's note).

Actors: the **coordinator** (the pathway's coordinator, or a care coordinator of the same
organization) and the **supervisor** (a coordinator membership marked ``is_supervisor`` in that
organization, never the person who submitted the closure).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("pathway status", "Open")
    AWAITING_REVIEW = "awaiting_review", pgettext_lazy("pathway status", "Closure awaiting review")
    COMPLETE = "complete", pgettext_lazy("pathway status", "Complete")
    FINISHED_INCOMPLETE = "finished_incomplete", pgettext_lazy("pathway status", "Finished incomplete")


# The states in which the coordinator still works on the pathway (steps, outcome).
WORKING = frozenset({Status.OPEN})
# Not closed: one such pathway per definition and person in a family.
ACTIVE = frozenset({Status.OPEN, Status.AWAITING_REVIEW})
CLOSED = frozenset({Status.COMPLETE, Status.FINISHED_INCOMPLETE})


class Closure(models.TextChoices):
    """What a submitted closure asks the supervisor to approve."""

    COMPLETE = "complete", _("Complete: the outcome is confirmed")
    INCOMPLETE = "incomplete", _("Finished incomplete")


class IncompleteReason(models.TextChoices):
    FAMILY_DECLINED = "family_declined", _("The family declined")
    COULD_NOT_CONTACT = "could_not_contact", _("Could not contact the family")
    MOVED_AWAY = "moved_away", _("The family moved away")
    TIME_LIMIT_PASSED = "time_limit_passed", _("The time limit passed")
    NO_LONGER_ELIGIBLE = "no_longer_eligible", _("No longer eligible")
    SERVICE_NOT_AVAILABLE = "service_not_available", _("The service is not available")
    OTHER = "other", _("Other (see the note)")


class Actor(models.TextChoices):
    COORDINATOR = "coordinator", _("Care coordinator")
    SUPERVISOR = "supervisor", _("Supervisor")


class Action(models.TextChoices):
    SUBMIT_COMPLETE = "submit_complete", _("Submit the closure: complete")
    SUBMIT_INCOMPLETE = "submit_incomplete", _("Submit the closure: finished incomplete")
    APPROVE_COMPLETE = "approve_complete", _("Approve the closure: complete")
    APPROVE_INCOMPLETE = "approve_incomplete", _("Approve the closure: finished incomplete")
    SEND_BACK = "send_back", _("Send back to the coordinator")


@dataclass(frozen=True)
class Rule:
    """``action`` moves a pathway from ``source`` to ``target``; ``actor`` takes it; ``closure``
    (when set) is the submitted closure it requires; ``reason`` requires a coded reason; ``note``
    requires a note; ``outcome`` requires the outcome confirmed and every required step done."""

    action: str
    source: str
    target: str
    actor: str
    closure: str = ""
    reason: bool = False
    note: bool = False
    outcome: bool = False


S, A = Status, Action

# The table.
RULES: tuple[Rule, ...] = (
    Rule(A.SUBMIT_COMPLETE, S.OPEN, S.AWAITING_REVIEW, Actor.COORDINATOR, outcome=True),
    Rule(A.SUBMIT_INCOMPLETE, S.OPEN, S.AWAITING_REVIEW, Actor.COORDINATOR, reason=True),
    Rule(A.APPROVE_COMPLETE, S.AWAITING_REVIEW, S.COMPLETE, Actor.SUPERVISOR, closure=Closure.COMPLETE),
    Rule(A.APPROVE_INCOMPLETE, S.AWAITING_REVIEW, S.FINISHED_INCOMPLETE, Actor.SUPERVISOR, closure=Closure.INCOMPLETE),
    Rule(A.SEND_BACK, S.AWAITING_REVIEW, S.OPEN, Actor.SUPERVISOR, note=True),
)
RULES_BY_ACTION: dict[str, Rule] = {rule.action: rule for rule in RULES}


class PathwayError(ValueError):
    """A refused change, or bad input; ``field`` names the input at fault. Nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_transition(
    *, action: str, status: str, actor: str, closure: str = "", reason: str = "", note: str = ""
) -> Rule:
    """The rule that allows ``action`` from ``status`` for ``actor``, having checked what it
    requires (the outcome is checked by the service, which reads the steps); ``PathwayError``
    naming the field otherwise."""
    rule = RULES_BY_ACTION.get(action)
    if rule is None:
        raise PathwayError("action", str(_("Unknown action.")))
    if status != rule.source:
        raise PathwayError(
            "action",
            str(_("A pathway that is “%(status)s” cannot be moved that way (%(action)s)."))
            % {"status": Status(status).label, "action": Action(action).label},
        )
    if actor != rule.actor:
        raise PathwayError(
            "action",
            str(_("%(action)s is for the %(actor)s."))
            % {"action": Action(action).label, "actor": Actor(rule.actor).label},
        )
    if rule.closure and closure != rule.closure:
        raise PathwayError("action", str(_("This closure was not submitted that way.")))
    if rule.reason:
        if not reason:
            raise PathwayError("reason", str(_("Choose why the pathway finished incomplete.")))
        if reason not in IncompleteReason.values:
            raise PathwayError("reason", str(_("Unknown reason.")))
        if reason == IncompleteReason.OTHER and not note.strip():
            raise PathwayError("note", str(_("Say in the note what the other reason is.")))
    elif reason:
        raise PathwayError("reason", str(_("Only a pathway finished incomplete has a reason.")))
    if rule.note and not note.strip():
        raise PathwayError("note", str(_("Write a note saying what to change.")))
    return rule


def allowed_actions(status: str, actor: str) -> list[Rule]:
    return [rule for rule in RULES if rule.source == status and rule.actor == actor]
