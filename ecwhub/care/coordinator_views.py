"""Pages of the designated coordinator: assign and transfer from the family page, and the hub
administrator's page of families without one and coordinators over their ceiling.

Views parse, call one service, and redirect back to the family page; the family is opened through
the access policy (``household_open``), so a family the user may not see is not found."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import AuditEntry, Purpose
from ecwhub.consent.selectors import household_open
from ecwhub.families.models import Household

from . import coordinators
from .forms import CoordinatorAssignForm, CoordinatorTransferForm
from .models import CoordinatorAssignment

DESIGNATING_ROLES = frozenset(Role) - {Role.FAMILY_MEMBER, Role.HUB_ADMIN, Role.ANALYST}


def _back(household_id: uuid.UUID) -> HttpResponse:
    return redirect("families:detail", household_id=household_id)


def _errors(request: HttpRequest, form: CoordinatorAssignForm | CoordinatorTransferForm) -> None:
    for name, errors in form.errors.items():
        for error in errors:
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {error}" if label else str(error))


def _open(request: HttpRequest, household_id: uuid.UUID) -> tuple[User, Membership, Household]:
    user, membership = acting_member(request, DESIGNATING_ROLES)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        detail="designated coordinator",
    )
    return user, membership, opened.household


def _designate(
    request: HttpRequest,
    household_id: uuid.UUID,
    form_class: type[CoordinatorAssignForm] | type[CoordinatorTransferForm],
    act: Callable[[User, Membership, Household, dict[str, Any]], CoordinatorAssignment],
    done: str,
) -> HttpResponse:
    """Open the family, check the form, make the one change, say what came of it, go back."""
    user, membership, household = _open(request, household_id)
    form = form_class(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return _back(household_id)
    try:
        event = act(user, membership, household, form.cleaned_data)
    except coordinators.CoordinatorError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"name": event.to_user})
    return _back(household_id)


@login_required
@require_POST
def assign(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    return _designate(
        request,
        household_id,
        CoordinatorAssignForm,
        lambda user, membership, household, data: coordinators.coordinator_assign(
            acting_user=user,
            membership=membership,
            household=household,
            coordinator=data["coordinator"],
            note=data["note"],
        ),
        _("%(name)s is now the family's designated coordinator."),
    )


@login_required
@require_POST
def transfer(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    return _designate(
        request,
        household_id,
        CoordinatorTransferForm,
        lambda user, membership, household, data: coordinators.coordinator_transfer(
            acting_user=user,
            membership=membership,
            household=household,
            to=data["to"],
            handoff_note=data["handoff_note"],
        ),
        _("The family was transferred to %(name)s, with your handoff note."),
    )


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """The hub administrator's view: active families without a designated coordinator, counted by
    registering organization, and coordinators over their ceiling. Numbers only: no family record
    is read."""
    user, membership = acting_member(request, {Role.HUB_ADMIN})
    without = coordinators.families_without_coordinator()
    over = coordinators.coordinators_over_ceiling()
    audit_write(
        user=user,
        membership=membership,
        household_id=None,
        categories=[],
        detail="designated coordinator coverage (counts)",
        purpose=Purpose.QUALITY_IMPROVEMENT,
        action=AuditEntry.Action.READ,
    )
    return render(
        request,
        "care/coordinators.html",
        {"without": without, "without_total": sum(n for _name, n in without), "over": over},
    )
