"""Pathway pages: the hub administrator's definitions (with a preview), a pathway's page (steps,
referrals, outcome, closure), the supervisor's review queue, and the counts.

Views parse, call one service, and render or redirect; a pathway is read through
``selectors.pathway_open_for_user`` (policy and audit), so one the user may not see is not found.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.selectors import household_open, rows_visible
from ecwhub.core.errors import NotFound
from ecwhub.referrals.selectors import NEED_CATEGORIES
from ecwhub.screening.models import IdentifiedNeed

from . import services
from .definitions import DefinitionError, definition_check, definition_save, may_edit_definitions
from .definitions import definition_input as stored_input
from .forms import (
    CountsForm,
    DefinitionForm,
    LinkReferralForm,
    OpenForm,
    ReviewForm,
    StepCompleteForm,
    StepFormSet,
    SubmitForm,
    definition_input,
)
from .models import PathwayDefinition, StepKind
from .selectors import CountBy, count_scope, pathway_counts, pathway_open_for_user, review_queue
from .workflow import Closure, PathwayError

STAFF = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})


def _error(request: HttpRequest, error: PathwayError, labels: dict[str, str]) -> None:
    label = labels.get(error.field, "")
    messages.error(request, f"{label}: {error}" if label else str(error))


def _form_errors(request: HttpRequest, form: object) -> None:
    for name, errors in form.errors.items():  # type: ignore[attr-defined]
        label = form.fields[name].label if name in form.fields else ""  # type: ignore[attr-defined]
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


# --- Definitions ----------------------------------------------------------------------------------


def _admin(request: HttpRequest) -> tuple[User, Membership]:
    user, membership = acting_member(request, {Role.HUB_ADMIN})
    if not may_edit_definitions(user, membership):
        raise NotFound
    return user, membership


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    _admin(request)
    rows = PathwayDefinition.objects.prefetch_related("needs", "steps").order_by("-active", "name")
    return render(request, "pathways/definitions.html", {"definitions": rows})


@login_required
def definition_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    """Create or edit a definition. "Preview" shows the pathway as a coordinator would open it
    (steps and due dates from today), with the faults found, without saving."""
    user, membership = _admin(request)
    instance = None
    if key is not None:
        instance = PathwayDefinition.objects.filter(key=key).first()
        if instance is None:
            raise NotFound
    preview = None
    if request.method == "POST":
        form = DefinitionForm(request.POST)
        steps = StepFormSet(request.POST, prefix="steps")
        typed = form.is_valid() & steps.is_valid()
        data, indexes = definition_input(form, steps)
        # The service's rules run even when some fields did not parse: every fault shows at once,
        # one message per field (a field that did not parse keeps its own message).
        errors = definition_check(data, instance=instance)
        if typed and not errors:
            if "preview" in request.POST:
                preview = data
            else:
                try:
                    saved = definition_save(
                        acting_user=user,
                        membership=membership,
                        data=data,
                        instance=instance,
                    )
                except DefinitionError as error:
                    errors = error.errors
                else:
                    messages.success(
                        request,
                        _("“%(name)s” saved (version %(version)d). Pathways already open keep their steps.")
                        % {"name": saved.name, "version": saved.version},
                    )
                    return redirect("pathways:definitions")
        _show_errors(form, steps, indexes, errors)
    elif instance is not None:
        stored = stored_input(instance)
        form = DefinitionForm(
            initial={
                "key": stored.key,
                "name": stored.name,
                "description": stored.description,
                "needs": stored.needs,
                "outcome": stored.outcome,
                "confirm_after_days": stored.confirm_after_days,
                "time_limit_days": stored.time_limit_days,
                "source": stored.source,
                "active": stored.active,
            }
        )
        steps = StepFormSet(
            prefix="steps",
            initial=[
                {
                    "order": s.order,
                    "title": s.title,
                    "kind": s.kind,
                    "time_limit_days": s.time_limit_days,
                    "required": s.required,
                    "need": s.need,
                }
                for s in stored.steps
            ],
        )
    else:
        form = DefinitionForm()
        steps = StepFormSet(prefix="steps")
    today = timezone.localdate()
    preview_steps = []
    if preview is not None:
        preview_steps = [
            (s, today + datetime.timedelta(days=s.time_limit_days or 0), StepKind(s.kind).label)
            for s in sorted(preview.steps, key=lambda s: s.order or 0)
        ]
    return render(
        request,
        "pathways/definition_edit.html",
        {
            "form": form,
            "steps": steps,
            "instance": instance,
            "preview": preview,
            "preview_steps": preview_steps,
            "preview_due": today + datetime.timedelta(days=preview.time_limit_days or 0) if preview else None,
        },
    )


def _show_errors(form: DefinitionForm, steps: Any, indexes: list[int], errors: dict[str, list[str]]) -> None:
    """The service's faults, each at its field (a step's at that step's field)."""
    for name, found in errors.items():
        if name.startswith("steps-") and name.count("-") >= 2:
            _prefix, index, field = name.split("-", 2)
            target, field_name = steps.forms[indexes[int(index)]], field
        elif name == "steps":
            target, field_name = form, None
        else:
            target, field_name = form, name
        if field_name is not None and field_name in target.errors:
            continue
        for message in found:
            target.add_error(field_name, message)


# --- A family's pathways --------------------------------------------------------------------------


@login_required
@require_POST
def open_pathway(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership = acting_member(request, {Role.COORDINATOR})
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.CARE_PLAN,
        optional=NEED_CATEGORIES,
        detail="open a pathway",
    )
    back = redirect("families:detail", household_id=household_id)
    form = OpenForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return back
    need = rows_visible(opened, IdentifiedNeed.objects.filter(pk=form.cleaned_data["need"])).first()
    definition = PathwayDefinition.objects.filter(pk=form.cleaned_data["definition"]).first()
    if need is None or definition is None:
        messages.error(request, _("Choose a need of the family and a pathway for it."))
        return back
    try:
        pathway = services.pathway_open(acting_user=user, membership=membership, need=need, definition=definition)
    except PathwayError as error:
        _error(request, error, {"need": _("Need"), "definition": _("Pathway")})
        return back
    messages.success(request, _("The pathway “%(name)s” is open.") % {"name": pathway.name})
    return redirect("pathways:detail", pathway_id=pathway.pk)


@login_required
def detail(request: HttpRequest, pathway_id: uuid.UUID) -> HttpResponse:
    user, membership = acting_member(request, STAFF)
    found = pathway_open_for_user(pathway_id=pathway_id, user=user, membership=membership)
    return render(
        request,
        "pathways/detail.html",
        {
            "p": found.pathway,
            "steps": found.steps,
            "events": found.events,
            "referrals": found.referrals,
            "may_work": found.may_work and found.pathway.status == "open",
            "may_review": found.may_review and found.pathway.status == "awaiting_review",
            "submit_form": SubmitForm(),
            "review_form": ReviewForm(),
            "today": timezone.localdate(),
        },
    )


def _act(request: HttpRequest, pathway_id: uuid.UUID, roles: frozenset[str]) -> tuple[User, Membership]:
    """The acting user, after an audited read of the pathway (not found when they may not see it)."""
    user, membership = acting_member(request, roles)
    pathway_open_for_user(pathway_id=pathway_id, user=user, membership=membership)
    return user, membership


@login_required
@require_POST
def step_complete(request: HttpRequest, pathway_id: uuid.UUID, step_id: int) -> HttpResponse:
    user, membership = _act(request, pathway_id, frozenset({Role.COORDINATOR}))
    form = StepCompleteForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("pathways:detail", pathway_id=pathway_id)
    try:
        services.pathway_step_complete(
            acting_user=user,
            membership=membership,
            pathway_id=pathway_id,
            step_id=step_id,
            outcome_since=form.cleaned_data["outcome_since"],
            note=form.cleaned_data["note"],
        )
    except PathwayError as error:
        _error(request, error, {"outcome_since": str(form.fields["outcome_since"].label), "note": _("Note")})
    else:
        messages.success(request, _("Step done."))
    return redirect("pathways:detail", pathway_id=pathway_id)


@login_required
@require_POST
def step_link(request: HttpRequest, pathway_id: uuid.UUID, step_id: int) -> HttpResponse:
    user, membership = _act(request, pathway_id, frozenset({Role.COORDINATOR}))
    form = LinkReferralForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("pathways:detail", pathway_id=pathway_id)
    try:
        step = services.pathway_step_link_referral(
            acting_user=user,
            membership=membership,
            pathway_id=pathway_id,
            step_id=step_id,
            referral_id=form.cleaned_data["referral"],
        )
    except PathwayError as error:
        _error(request, error, {"referral": _("Referral")})
    else:
        messages.success(
            request,
            _("Referral linked: the step is done.")
            if step.done
            else _("Referral linked: the step will be done when the referral is completed."),
        )
    return redirect("pathways:detail", pathway_id=pathway_id)


@login_required
@require_POST
def submit(request: HttpRequest, pathway_id: uuid.UUID) -> HttpResponse:
    user, membership = _act(request, pathway_id, frozenset({Role.COORDINATOR}))
    form = SubmitForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("pathways:detail", pathway_id=pathway_id)
    closure = form.cleaned_data["closure"]
    try:
        services.pathway_submit(
            acting_user=user,
            membership=membership,
            pathway_id=pathway_id,
            closure=closure,
            reason=form.cleaned_data["reason"] if closure == Closure.INCOMPLETE else "",
            note=form.cleaned_data["note"],
        )
    except PathwayError as error:
        labels = {name: str(f.label) for name, f in form.fields.items()}
        _error(request, error, labels)
    else:
        messages.success(request, _("The closure was sent to a supervisor for review."))
    return redirect("pathways:detail", pathway_id=pathway_id)


# --- Supervisors ------------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user, membership = acting_member(request, {Role.COORDINATOR})
    if not membership.is_supervisor:
        raise NotFound
    return render(request, "pathways/queue.html", {"rows": review_queue(user=user, membership=membership)})


@login_required
@require_POST
def review(request: HttpRequest, pathway_id: uuid.UUID) -> HttpResponse:
    user, membership = _act(request, pathway_id, frozenset({Role.COORDINATOR}))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("pathways:detail", pathway_id=pathway_id)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.pathway_review(
            acting_user=user,
            membership=membership,
            pathway_id=pathway_id,
            approve=approve,
            note=form.cleaned_data["note"],
        )
    except PathwayError as error:
        _error(request, error, {"note": _("Note")})
        return redirect("pathways:detail", pathway_id=pathway_id)
    messages.success(request, _("Closure approved.") if approve else _("Sent back to the coordinator."))
    return redirect("pathways:queue")


@login_required
def counts(request: HttpRequest) -> HttpResponse:
    """Completed, finished-incomplete and awaiting-review pathways, for the hub administrator (the
    whole network) or a supervisor (their organization). Numbers only."""
    user, membership = acting_member(request, {Role.HUB_ADMIN, Role.COORDINATOR})
    scope = count_scope(user, membership)
    if scope is None:
        raise NotFound
    today = timezone.localdate()
    form = CountsForm(request.GET or {"start": today.replace(day=1), "end": today, "by": CountBy.COORDINATOR})
    rows = []
    if form.is_valid():
        rows = pathway_counts(
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            by=form.cleaned_data["by"],
            organization_id=scope.organization_id,
        )
        audit_write(
            user=user,
            membership=membership,
            household_id=None,
            categories=[],
            detail="pathway counts",
            purpose=Purpose.QUALITY_IMPROVEMENT,
            action=AuditEntry.Action.READ,
        )
    totals = (
        sum(r.completed for r in rows),
        sum(r.finished_incomplete for r in rows),
        sum(r.awaiting_review for r in rows),
    )
    by_label = dict(form.fields["by"].choices).get(form.cleaned_data.get("by", "") if form.is_valid() else "", "")  # type: ignore[attr-defined]
    return render(request, "pathways/counts.html", {"form": form, "rows": rows, "totals": totals, "by_label": by_label})
