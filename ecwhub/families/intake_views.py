"""The intake pages: start or resume, step 1 (who, how to reach, language, consent), step 2
(details), step 3 (families the hub may already know: link, or create). Thin: parse (the forms,
then the typed input), call ``families.intake``, render."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, User

from .forms import (
    draft_from_form_data,
    forms_add_errors,
    intake_forms,
    intake_forms_initial,
    intake_from_forms,
    people_from_forms,
)
from .intake.access import INTAKE_ROLES
from .intake.complete import intake_complete
from .intake.drafts import intake_draft_data, intake_draft_get, intake_draft_merge, intake_save_step, intake_start
from .intake.input import IntakeError, IntakeInput, IntakePeopleInput
from .intake.match import intake_candidates
from .models import IntakeDraft

NEW_FAMILY = "new"


def _intake_staff(request: HttpRequest) -> tuple[User, Membership]:
    return acting_member(request, INTAKE_ROLES)


def _draft(request: HttpRequest, draft_id: uuid.UUID) -> tuple[User, Membership, IntakeDraft]:
    user, membership = _intake_staff(request)
    draft = intake_draft_get(acting_user=user, draft_id=draft_id)
    if draft is None:
        raise Http404
    return user, membership, draft


@login_required
def intake_home(request: HttpRequest) -> HttpResponse:
    """Start a new intake, or resume one of the user's unfinished ones."""
    user, membership = _intake_staff(request)
    if request.method == "POST":
        draft = intake_start(acting_user=user, membership=membership)
        return redirect("families:intake_step", draft_id=draft.pk, step=1)
    drafts = IntakeDraft.objects.filter(
        author=user, organization=membership.organization, expires_at__gt=timezone.now()
    ).order_by("-updated_at")[:20]
    return render(request, "families/intake_home.html", {"drafts": [_draft_row(d) for d in drafts]})


# What each step asks, as its page is titled.
STEP_NAMES = {
    1: gettext_lazy("who and how to reach"),
    2: gettext_lazy("details"),
    3: gettext_lazy("is the family known to the network?"),
}


@dataclass(frozen=True)
class DraftRow:
    """An unfinished intake as its author sees it listed: the family's name as entered (the
    caregiver's), the step reached and where to resume it."""

    draft: IntakeDraft
    name: str
    step: int
    step_name: str
    url: str


def _draft_row(draft: IntakeDraft) -> DraftRow:
    caregiver = intake_draft_data(draft).caregiver
    names = (caregiver.given_name, caregiver.family_name, caregiver.second_family_name) if caregiver else ()
    step = min(max(draft.step, 1), 3)
    url = reverse("families:intake_match", kwargs={"draft_id": draft.pk}) if step == 3 else _step_url(draft, step)
    return DraftRow(draft, " ".join(n.strip() for n in names if n.strip()), step, str(STEP_NAMES[step]), url)


def _step_url(draft: IntakeDraft, step: int) -> str:
    return reverse("families:intake_step", kwargs={"draft_id": draft.pk, "step": step})


@login_required
def intake_step(request: HttpRequest, draft_id: uuid.UUID, step: int) -> HttpResponse:
    """Steps 1 and 2: save (and come back later) or go on; errors are shown on their fields."""
    user, _membership, draft = _draft(request, draft_id)
    if step not in (1, 2) or step > draft.step:
        return HttpResponseRedirect(_step_url(draft, min(draft.step, 2)))
    if request.method == "POST":
        action = request.POST.get("action", "next")
        entered = draft_from_form_data(request.POST, step, add_child=action == "add_child")
        if action != "next":
            intake_save_step(acting_user=user, draft=draft, entered=entered, step=step)
            if action == "add_child":
                return redirect("families:intake_step", draft_id=draft.pk, step=1)
            messages.success(request, _("Saved. You can finish this intake later from the intake page."))
            return redirect("families:intake_home")
        # The step is checked with everything entered so far (step 2 checks step 1 again).
        forms = intake_forms(intake_draft_merge(intake_draft_data(draft), entered, step))
        errors: dict[str, list[str]] = {}
        complete: IntakePeopleInput | None = None
        try:
            complete = people_from_forms(forms) if step == 1 else intake_from_forms(forms)
        except IntakeError as failure:
            errors = failure.fields
        errors |= intake_save_step(acting_user=user, draft=draft, entered=entered, step=step, complete=complete)
        if complete is not None and not errors:
            if step == 2:
                return redirect("families:intake_match", draft_id=draft.pk)
            return redirect("families:intake_step", draft_id=draft.pk, step=2)
        forms_add_errors(forms, errors)
        status = 400
    else:
        # The saved values, without flagging what is not filled in yet.
        forms = intake_forms_initial(intake_draft_data(draft))
        status = 200
    template = "families/intake_step1.html" if step == 1 else "families/intake_step2.html"
    context = {"draft": draft, "forms": forms, "step": step, "show_errors": status == 400}
    return render(request, template, context, status=status)


def _draft_intake(draft: IntakeDraft) -> IntakeInput | None:
    """The draft's intake as typed input, read through the page's forms (None if it is not valid)."""
    try:
        return intake_from_forms(intake_forms(intake_draft_data(draft)))
    except IntakeError:
        return None


@login_required
def intake_match(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    """Step 3: the families the hub may already know, ranked; link to one or create a new family."""
    user, membership, draft = _draft(request, draft_id)
    if draft.step < 3:
        return HttpResponseRedirect(_step_url(draft, draft.step))
    intake = _draft_intake(draft)
    if intake is None:
        return HttpResponseRedirect(_step_url(draft, 1))
    error = ""
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        shown = int(request.POST.get("shown", "0") or 0) if request.POST.get("shown", "0").isdigit() else 0
        try:
            record = intake_complete(
                acting_user=user,
                membership=membership,
                intake=intake,
                link_household_id=None if choice == NEW_FAMILY else choice or "-",
                draft=draft,
                candidates_shown=shown,
            )
        except IntakeError as failure:
            error = " ".join(" ".join(v) for v in failure.fields.values())
        else:
            if record.outcome == record.Outcome.LINKED:
                messages.success(request, _("The intake was added to the family the hub already knew."))
            else:
                messages.success(request, _("The family was registered."))
            return redirect("families:detail", household_id=record.household_id)
    try:
        matches = intake_candidates(acting_user=user, membership=membership, intake=intake)
    except IntakeError:
        return HttpResponseRedirect(_step_url(draft, 1))
    return render(
        request,
        "families/intake_match.html",
        {"draft": draft, "matches": matches, "error": error, "new_family": NEW_FAMILY},
        status=400 if error else 200,
    )


@login_required
@require_POST
def intake_discard(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    user, _membership, draft = _draft(request, draft_id)
    IntakeDraft.objects.filter(pk=draft.pk, author=user).delete()
    messages.success(request, _("The unfinished intake was deleted."))
    return redirect("families:intake_home")
