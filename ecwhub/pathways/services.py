"""Operations on pathways. Each runs in one transaction, checks who acts and what they send
(``PathwayError`` naming the field), appends its ``PathwayEvent`` and writes its audit entry.

Who acts: the access policy first (the family's care plan, for care coordination: a pathway of a
family the user may not see is not found); then the pathway's own rule: a care coordinator who is
the pathway's coordinator or works in its organization does the work; a supervisor of that
organization (``Membership.is_supervisor``), who neither coordinates the pathway nor submitted its
closure, reviews the closure.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.care.coordinators import coordinator_membership, current_designation
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import FamilyAccess
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Household, Person
from ecwhub.referrals.models import Referral
from ecwhub.referrals.workflow import Status as ReferralStatus
from ecwhub.screening.models import IdentifiedNeed
from ecwhub.screening.services import needs_mark_addressed

from .models import Pathway, PathwayDefinition, PathwayEvent, PathwayStep, StepKind, payer_of
from .workflow import (
    WORKING,
    Action,
    Actor,
    Closure,
    PathwayError,
    check_transition,
)

NOTE_MAX = 2000
# Referrals that can still bring the step about (or did).
LINKABLE_REFERRALS = frozenset(
    {
        ReferralStatus.DRAFT,
        ReferralStatus.REQUESTED,
        ReferralStatus.RECEIVED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.ON_HOLD,
        ReferralStatus.COMPLETED,
    }
)
CAREGIVERS = (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)


# --- Who may act --------------------------------------------------------------------------------


def _active_coordinator(user: User, membership: Membership | None) -> bool:
    return (
        membership is not None
        and membership.is_active
        and user.is_active
        and membership.role == Role.COORDINATOR
        and membership.organization.is_active
    )


def family_access(user: User, membership: Membership | None, household: Household) -> FamilyAccess:
    return FamilyAccess(user=user, membership=membership, household=household, purpose=Purpose.CARE_COORDINATION)


def may_see(user: User, membership: Membership | None, household: Household, *, write: bool = False) -> bool:
    """The policy's answer for the family's pathways (its care plan), for care coordination."""
    if membership is None:
        return False
    return bool(family_access(user, membership, household).decide(DataCategory.CARE_PLAN, write=write))


def is_family_coordinator(user: User, membership: Membership | None, household: Household) -> bool:
    """The user is the family's coordinator: its designated coordinator, or a care coordinator in
    the designated coordinator's organization (a colleague covering); a family without one is
    coordinated by the organization that registered it."""
    if not _active_coordinator(user, membership):
        return False
    assert membership is not None
    designation = current_designation(household)
    if designation is None:
        return household.registered_by_id == membership.organization_id
    if designation.user_id is None:
        return designation.organization_id == membership.organization_id
    if designation.user_id == user.pk:
        return True
    theirs = coordinator_membership(designation.user) if designation.user else None
    return theirs is not None and theirs.organization_id == membership.organization_id


def may_work(user: User, membership: Membership | None, pathway: Pathway) -> bool:
    """A care coordinator who is the pathway's coordinator or works in its organization."""
    if not _active_coordinator(user, membership):
        return False
    assert membership is not None
    return pathway.coordinator_id == user.pk or membership.organization_id == pathway.organization_id


def may_review(user: User, membership: Membership | None, pathway: Pathway) -> bool:
    """A supervisor of the pathway's organization who is neither its coordinator nor the person
    who submitted the closure (nobody approves their own work)."""
    if not _active_coordinator(user, membership):
        return False
    assert membership is not None
    return (
        membership.is_supervisor
        and membership.organization_id == pathway.organization_id
        and user.pk != pathway.coordinator_id
        and user.pk != pathway.submitted_by_id
    )


def pathway_for_action(*, pathway_id: uuid.UUID | str, user: User, membership: Membership | None) -> Pathway:
    """The pathway, locked for the change, when the user may see and change the family's care plan;
    ``NotFound`` otherwise (missing and forbidden look the same). Call inside a transaction."""
    try:
        pathway = (
            Pathway.objects.select_for_update(of=("self",))
            .select_related("household", "definition", "organization")
            .get(pk=pathway_id)
        )
    except (Pathway.DoesNotExist, ValueError, ValidationError):
        raise NotFound from None
    if not may_see(user, membership, pathway.household, write=True):
        raise NotFound
    return pathway


# --- Events -------------------------------------------------------------------------------------


def _event(
    pathway: Pathway,
    *,
    kind: str,
    actor: User | None,
    membership: Membership | None,
    from_status: str,
    action: str = "",
    reason: str = "",
    note: str = "",
    step: PathwayStep | None = None,
) -> PathwayEvent:
    seq = (pathway.events.aggregate(m=Max("seq"))["m"] or 0) + 1
    event = PathwayEvent.objects.create(
        pathway=pathway,
        seq=seq,
        kind=kind,
        action=action,
        from_status=from_status,
        to_status=pathway.status,
        reason=reason,
        note=note,
        step=step,
        actor=actor,
        organization=membership.organization if membership else None,
    )
    audit_write(
        user=actor,
        membership=membership,
        household_id=pathway.household_id,
        person_id=pathway.person_id,
        categories=[DataCategory.CARE_PLAN],
        detail=f"pathway {pathway.pk} {kind}" + (f" step {step.order}" if step else ""),
    )
    return event


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise PathwayError("note", _("Keep the note under 2,000 characters."))
    return note


def _payer(household: Household, person: Person | None) -> str:
    """The payer of the person the pathway concerns or, for the whole family, of its first caregiver."""
    if person is None:
        person = household.members.filter(relationship__in=CAREGIVERS).order_by("created_at", "id").first()
    return payer_of(person)


# --- Opening ------------------------------------------------------------------------------------


def definitions_for_need(need: str) -> list[PathwayDefinition]:
    """The active definitions that address ``need``."""
    return list(PathwayDefinition.objects.filter(active=True, needs__need=need).order_by("name", "id"))


def pathway_open(
    *,
    acting_user: User,
    membership: Membership | None,
    need: IdentifiedNeed,
    definition: PathwayDefinition,
    person: Person | None = None,
    initiated_on: datetime.date | None = None,
) -> Pathway:
    """Open a pathway of ``definition`` for the need's family (and the person it concerns: the
    need's person unless ``person`` is given), copying the definition's steps, limits and outcome
    as they are now, each step due its time limit after the initiation.

    Raises ``NotFound`` when the user may not change the family's care plan; ``PathwayError`` when
    they are not the family's coordinator, the family does not want help with the need, the
    definition is inactive or does not address the need, the person is not in the family, the
    date is in the future, or the same pathway is already open for the person."""
    household = need.household
    if not may_see(acting_user, membership, household, write=True):
        raise NotFound
    if not is_family_coordinator(acting_user, membership, household):
        raise PathwayError("__all__", _("Only the family's care coordinator opens a pathway."))
    assert membership is not None
    if need.status != IdentifiedNeed.Status.WANTS_HELP:
        raise PathwayError("need", _("Open a pathway for a need the family wants help with."))
    if not definition.active or not definition.needs.filter(need=need.need).exists():
        raise PathwayError("definition", _("This pathway does not address that need."))
    person = person or need.person
    if person is not None and person.household_id != household.pk:
        raise PathwayError("person", _("Choose someone in the family."))
    today = timezone.localdate()
    initiated_on = initiated_on or today
    if initiated_on > today:
        raise PathwayError("initiated_on", _("The initiation date cannot be in the future."))
    steps = list(definition.steps.order_by("order"))
    try:
        with transaction.atomic():
            pathway = Pathway.objects.create(
                household=household,
                person=person,
                definition=definition,
                definition_version=definition.version,
                name=definition.name,
                outcome=definition.outcome,
                confirm_after_days=definition.confirm_after_days,
                time_limit_days=definition.time_limit_days,
                need=need,
                coordinator=acting_user,
                organization=membership.organization,
                payer=_payer(household, person),
                initiated_on=initiated_on,
                due_on=initiated_on + datetime.timedelta(days=definition.time_limit_days),
                last_progress_at=timezone.now(),
            )
            PathwayStep.objects.bulk_create(
                [
                    PathwayStep(
                        pathway=pathway,
                        order=s.order,
                        title=s.title,
                        kind=s.kind,
                        required=s.required,
                        time_limit_days=s.time_limit_days,
                        need=s.need,
                        due_on=initiated_on + datetime.timedelta(days=s.time_limit_days),
                    )
                    for s in steps
                ]
            )
            _event(pathway, kind=PathwayEvent.Kind.OPENED, actor=acting_user, membership=membership, from_status="")
    except IntegrityError:
        raise PathwayError("definition", _("This pathway is already open for this person.")) from None
    return pathway


# --- Steps --------------------------------------------------------------------------------------


def _step(pathway: Pathway, step_id: int | str) -> PathwayStep:
    try:
        return pathway.steps.select_for_update().get(pk=step_id)
    except (PathwayStep.DoesNotExist, ValueError, ValidationError):
        raise NotFound from None


def _check_working(user: User, membership: Membership | None, pathway: Pathway) -> None:
    if not may_work(user, membership, pathway):
        raise PathwayError(
            "__all__", _("Only the pathway's coordinator or a coordinator of their organization acts on it.")
        )
    if pathway.status not in WORKING:
        raise PathwayError("__all__", _("The closure of this pathway is under review or done: its steps are final."))


def _done(pathway: Pathway, step: PathwayStep, by: User | None) -> None:
    now = timezone.now()
    step.completed_at = now
    step.completed_by = by
    step.save(update_fields=["completed_at", "completed_by"])
    pathway.last_progress_at = now
    pathway.version += 1
    pathway.save(update_fields=["last_progress_at", "version"])


def pathway_step_complete(
    *,
    acting_user: User,
    membership: Membership | None,
    pathway_id: uuid.UUID | str,
    step_id: int | str,
    outcome_since: datetime.date | None = None,
    note: str = "",
) -> PathwayStep:
    """Mark a step done. A confirmation step confirms the outcome: ``outcome_since`` (the day it
    has held since) is required, and the outcome is confirmed only once the definition's delay
    has passed (employment: 30 days employed). A referral step completes with its referral only.
    Raises ``NotFound`` / ``PathwayError`` naming the field."""
    note = _clean_note(note)
    with transaction.atomic():
        pathway = pathway_for_action(pathway_id=pathway_id, user=acting_user, membership=membership)
        _check_working(acting_user, membership, pathway)
        step = _step(pathway, step_id)
        if step.done:
            raise PathwayError("step", _("This step is already done."))
        if step.kind == StepKind.REFERRAL:
            raise PathwayError("step", _("A referral step is done when its referral is completed: link the referral."))
        kind = PathwayEvent.Kind.STEP_COMPLETED
        if step.kind == StepKind.CONFIRMATION:
            _confirm(pathway, outcome_since)
            kind = PathwayEvent.Kind.OUTCOME_CONFIRMED
        elif outcome_since is not None:
            raise PathwayError("outcome_since", _("Only the step that confirms the outcome takes this date."))
        _done(pathway, step, acting_user)
        _event(
            pathway,
            kind=kind,
            actor=acting_user,
            membership=membership,
            from_status=pathway.status,
            note=note,
            step=step,
        )
    return step


def _confirm(pathway: Pathway, outcome_since: datetime.date | None) -> None:
    today = timezone.localdate()
    if outcome_since is None:
        raise PathwayError("outcome_since", _("Give the day since when the outcome holds."))
    if outcome_since > today:
        raise PathwayError("outcome_since", _("The outcome cannot hold from a day in the future."))
    if outcome_since < pathway.initiated_on:
        raise PathwayError("outcome_since", _("The outcome must have come about after the pathway opened."))
    confirmable = outcome_since + datetime.timedelta(days=pathway.confirm_after_days)
    if confirmable > today:
        raise PathwayError(
            "outcome_since",
            _("The outcome must hold for %(days)d days before it is confirmed: confirm it on or after %(date)s.")
            % {"days": pathway.confirm_after_days, "date": confirmable.isoformat()},
        )
    pathway.outcome_since = outcome_since
    pathway.outcome_confirmed_on = today
    pathway.save(update_fields=["outcome_since", "outcome_confirmed_on"])


def pathway_step_link_referral(
    *,
    acting_user: User,
    membership: Membership | None,
    pathway_id: uuid.UUID | str,
    step_id: int | str,
    referral_id: uuid.UUID | str,
) -> PathwayStep:
    """Link a referral of the family to a referral step. A referral already completed completes
    the step at once; otherwise the step completes when the referral does (``referral_completed``).
    Raises ``NotFound`` / ``PathwayError`` naming the field."""
    with transaction.atomic():
        pathway = pathway_for_action(pathway_id=pathway_id, user=acting_user, membership=membership)
        _check_working(acting_user, membership, pathway)
        step = _step(pathway, step_id)
        if step.kind != StepKind.REFERRAL:
            raise PathwayError("step", _("Only a referral step links to a referral."))
        if step.done:
            raise PathwayError("step", _("This step is already done."))
        if not family_access(acting_user, membership, pathway.household).decide(DataCategory.REFERRALS):
            raise PathwayError("referral", _("Choose one of the family's referrals."))
        try:
            referral = Referral.objects.select_for_update().get(pk=referral_id, household_id=pathway.household_id)
        except (Referral.DoesNotExist, ValueError, ValidationError):
            raise PathwayError("referral", _("Choose one of the family's referrals.")) from None
        if referral.status not in LINKABLE_REFERRALS:
            raise PathwayError(
                "referral", _("This referral was closed without the service: choose another or refer again.")
            )
        step.referral = referral
        step.save(update_fields=["referral"])
        _event(
            pathway,
            kind=PathwayEvent.Kind.REFERRAL_LINKED,
            actor=acting_user,
            membership=membership,
            from_status=pathway.status,
            step=step,
            note=f"referral {referral.pk}",
        )
        if referral.status == ReferralStatus.COMPLETED:
            _done(pathway, step, acting_user)
            _event(
                pathway,
                kind=PathwayEvent.Kind.STEP_COMPLETED,
                actor=acting_user,
                membership=membership,
                from_status=pathway.status,
                step=step,
                note=_("The linked referral was already completed."),
            )
    return step


def referral_completed(referral: Referral) -> int:
    """The referral hook: a completed referral completes the open referral steps linked to it.
    Runs inside the referral's transaction. Returns how many steps it completed."""
    steps = list(
        PathwayStep.objects.select_for_update()
        .filter(referral=referral, completed_at__isnull=True, pathway__status__in=WORKING)
        .select_related("pathway")
    )
    for step in steps:
        pathway = step.pathway
        _done(pathway, step, None)
        _event(
            pathway,
            kind=PathwayEvent.Kind.STEP_COMPLETED,
            actor=None,
            membership=None,
            from_status=pathway.status,
            step=step,
            note=_("Completed with its referral."),
        )
    return len(steps)


# --- Closure and review -------------------------------------------------------------------------


def pathway_submit(
    *,
    acting_user: User,
    membership: Membership | None,
    pathway_id: uuid.UUID | str,
    closure: str,
    reason: str = "",
    note: str = "",
) -> Pathway:
    """Submit the pathway's closure for a supervisor's review: complete (the outcome confirmed and
    every required step done) or finished incomplete (with a coded reason). Raises ``NotFound`` /
    ``PathwayError`` naming the field."""
    note = _clean_note(note)
    action = {Closure.COMPLETE: Action.SUBMIT_COMPLETE, Closure.INCOMPLETE: Action.SUBMIT_INCOMPLETE}.get(
        closure  # type: ignore[call-overload]
    )
    if action is None:
        raise PathwayError("closure", _("Choose how the pathway closes."))
    with transaction.atomic():
        pathway = pathway_for_action(pathway_id=pathway_id, user=acting_user, membership=membership)
        if not may_work(acting_user, membership, pathway):
            raise PathwayError(
                "__all__", _("Only the pathway's coordinator or a coordinator of their organization acts on it.")
            )
        rule = check_transition(action=action, status=pathway.status, actor=Actor.COORDINATOR, reason=reason, note=note)
        if rule.outcome:
            missing = pathway.steps.filter(required=True, completed_at__isnull=True).count()
            if missing:
                raise PathwayError("closure", _("Every required step must be done before the pathway is complete."))
            if pathway.outcome_confirmed_on is None:
                raise PathwayError("closure", _("Confirm the outcome first."))
        from_status = pathway.status
        pathway.status = rule.target
        pathway.closure = closure
        pathway.incomplete_reason = reason if closure == Closure.INCOMPLETE else ""
        pathway.submitted_by = acting_user
        pathway.submitted_at = timezone.now()
        pathway.version += 1
        pathway.save(
            update_fields=["status", "closure", "incomplete_reason", "submitted_by", "submitted_at", "version"]
        )
        _event(
            pathway,
            kind=PathwayEvent.Kind.SUBMITTED,
            action=action,
            actor=acting_user,
            membership=membership,
            from_status=from_status,
            reason=pathway.incomplete_reason,
            note=note,
        )
    return pathway


def pathway_review(
    *,
    acting_user: User,
    membership: Membership | None,
    pathway_id: uuid.UUID | str,
    approve: bool,
    note: str = "",
) -> Pathway:
    """A supervisor's review of a submitted closure: approve it (the pathway is then complete, or
    finished incomplete, and counts; a complete pathway's need is marked addressed) or send it
    back with a note (it opens again). Raises
    ``NotFound`` / ``PathwayError`` naming the field."""
    note = _clean_note(note)
    with transaction.atomic():
        pathway = pathway_for_action(pathway_id=pathway_id, user=acting_user, membership=membership)
        if not may_review(acting_user, membership, pathway):
            raise PathwayError(
                "__all__",
                _("Only a supervisor of the pathway's organization, who did not submit it, reviews its closure."),
            )
        if approve:
            action = Action.APPROVE_COMPLETE if pathway.closure == Closure.COMPLETE else Action.APPROVE_INCOMPLETE
        else:
            action = Action.SEND_BACK
        rule = check_transition(
            action=action, status=pathway.status, actor=Actor.SUPERVISOR, closure=pathway.closure, note=note
        )
        if action == Action.APPROVE_COMPLETE:
            confirmable = pathway.confirmable_from
            if (
                pathway.outcome_confirmed_on is None
                or confirmable is None
                or pathway.outcome_confirmed_on < confirmable
            ):
                raise PathwayError("__all__", _("The outcome was not confirmed as the pathway requires."))
        from_status = pathway.status
        reason = pathway.incomplete_reason
        pathway.status = rule.target
        pathway.reviewed_by = acting_user
        fields = ["status", "reviewed_by", "version"]
        if action == Action.APPROVE_COMPLETE and pathway.need_id is not None:
            # The outcome is confirmed and reviewed: the need the pathway opened from is met.
            needs_mark_addressed(need_ids=[pathway.need_id], changed_by=acting_user)
        if approve:
            pathway.closed_at = timezone.now()
            pathway.payer = _payer(pathway.household, pathway.person)
            fields += ["closed_at", "payer"]
        else:
            pathway.closure = ""
            pathway.incomplete_reason = ""
            fields += ["closure", "incomplete_reason"]
        pathway.version += 1
        pathway.save(update_fields=fields)
        _event(
            pathway,
            kind=PathwayEvent.Kind.APPROVED if approve else PathwayEvent.Kind.SENT_BACK,
            action=action,
            actor=acting_user,
            membership=membership,
            from_status=from_status,
            reason=reason if approve else "",
            note=note,
        )
    return pathway
