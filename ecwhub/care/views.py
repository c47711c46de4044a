"""Care pages: the worklist of families to reach first, the overdue children, the surveillance
rates, and the family page's care actions (EPSDT, contacts, visits done).

Views parse, call one selector or service, and render; every read of family data goes through
the access policy and is audited (in ``care.selectors`` or ``consent.selectors.household_open``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.selectors import household_open
from ecwhub.families.models import Person

from . import selectors, services
from .forms import CareEventForm, ContactForm, EpsdtForm, OverdueFilterForm, WorklistFilterForm
from .models import CareEventKind

WORKLIST_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})
RATES_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.ANALYST})


def _acting(request: HttpRequest, roles: frozenset[str]) -> tuple[User, Membership]:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or membership.role not in roles:
        raise Http404
    return request.user, membership  # type: ignore[return-value]


def _query(form: WorklistFilterForm) -> str:
    if not form.is_bound or not form.is_valid():
        return ""
    kept = {k: v for k, v in form.data.items() if k != "page" and v not in ("", None)}
    return urlencode(kept) + "&" if kept else ""


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Families to reach first: highest tier, newest positive screen, longest without contact."""
    user, membership = _acting(request, WORKLIST_ROLES)
    form = WorklistFilterForm(request.GET or None, membership=membership)
    page = selectors.worklist_page(
        user=user,
        membership=membership,
        filters=form.filters() if form.is_bound else selectors.WorklistFilters(),
        page_number=request.GET.get("page", 1),
    )
    return render(
        request, "care/worklist.html", {"form": form, "page": page, "rows": page.object_list, "query": _query(form)}
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Children overdue for a well-child visit or a screening, longest overdue first."""
    user, membership = _acting(request, WORKLIST_ROLES)
    form = OverdueFilterForm(request.GET or None, membership=membership)
    kind = form.cleaned_data.get("kind", "") if form.is_bound and form.is_valid() else ""
    page = selectors.overdue_page(
        user=user,
        membership=membership,
        filters=form.filters() if form.is_bound else selectors.WorklistFilters(),
        kind=kind,
        page_number=request.GET.get("page", 1),
    )
    kinds = dict(CareEventKind.choices)
    rows = [(row, [kinds.get(k, k) for k in row.overdue_kinds]) for row in page.object_list]
    return render(request, "care/overdue.html", {"form": form, "page": page, "rows": rows, "query": _query(form)})


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    """Share of children up to date with Bright Futures, by ZIP code, language and insurance."""
    user, membership = _acting(request, RATES_ROLES)
    purpose = Purpose.QUALITY_IMPROVEMENT if membership.role == Role.ANALYST else Purpose.CARE_COORDINATION
    by = request.GET.get("by", "postal_code")
    if by not in selectors.RATE_GROUPS:
        by = "postal_code"
    rows = selectors.surveillance_rates(user=user, membership=membership, by=by, purpose=purpose)
    labels = {
        "postal_code": _("ZIP code"),
        "language": _("Language"),
        "insurance": _("Insurance"),
    }
    return render(
        request,
        "care/rates.html",
        {"rows": rows, "by": by, "groups": labels, "min_cell": selectors.MIN_CELL},
    )


def _open_for_write(request: HttpRequest, household_id: uuid.UUID, category: str) -> tuple[User, Membership, object]:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or membership.role not in WORKLIST_ROLES:
        raise Http404
    opened = household_open(
        user=request.user,  # type: ignore[arg-type]
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=category,
        detail="care action",
    )
    return request.user, membership, opened.household  # type: ignore[return-value]


def _child(household: Any, person_id: uuid.UUID) -> Person:
    person = Person.objects.filter(pk=person_id, household=household).first()
    if person is None:
        raise Http404
    return person


def _back(household_id: uuid.UUID) -> HttpResponse:
    return redirect("families:detail", household_id=household_id)


@login_required
@require_POST
def epsdt_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership, household = _open_for_write(request, household_id, DataCategory.CLINICAL)
    form = EpsdtForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the service is medically necessary."))
        return _back(household_id)
    try:
        services.epsdt_record(
            acting_user=user,
            membership=membership,
            person=_child(household, form.cleaned_data["person"]),
            reason=form.cleaned_data["reason"],
        )
    except services.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("EPSDT medical necessity recorded: the family is now in tier 3."))
    return _back(household_id)


@login_required
@require_POST
def contact_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership, household = _open_for_write(request, household_id, DataCategory.IDENTITY_CONTACT)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how you contacted the family."))
        return _back(household_id)
    try:
        services.contact_record(
            acting_user=user,
            membership=membership,
            household=household,  # type: ignore[arg-type]
            method=form.cleaned_data["method"],
            reached=form.cleaned_data["reached"],
        )
    except services.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Contact recorded."))
    next_url = request.POST.get("next", "")
    if next_url == "worklist":
        return redirect("care:worklist")
    return _back(household_id)


@login_required
@require_POST
def event_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership, household = _open_for_write(request, household_id, DataCategory.DEMOGRAPHICS)
    form = CareEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what was done and when."))
        return _back(household_id)
    try:
        services.care_event_record(
            acting_user=user,
            membership=membership,
            person=_child(household, form.cleaned_data["person"]),
            kind=form.cleaned_data["kind"],
            day=form.cleaned_data["date"],
        )
    except services.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Recorded as done."))
    return _back(household_id)
