"""Care pages: the worklist of families to reach first, the overdue children, the surveillance
rates, and the family page's care actions (EPSDT, contacts, visits done).

Views parse, call one selector or service, and render; every read of family data goes through
the access policy and is audited (in ``care.selectors`` or ``consent.selectors.household_open``).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.policy import purpose_for
from ecwhub.consent.selectors import OpenedHousehold, household_open, members_visible, rows_visible
from ecwhub.core.errors import NotFound
from ecwhub.core.languages import Language
from ecwhub.families.models import InsuranceStatus, Person

from . import selectors, services
from .forms import CareEventForm, ContactForm, EpsdtForm, OverdueFilterForm, WorklistFilterForm
from .models import CareEventKind, Contact, EpsdtNecessity

# The worklists rank families by their tier, which is care plan: the roles that read care plans.
WORKLIST_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN})
RATES_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.ANALYST})


def _query(form: WorklistFilterForm) -> str:
    if not form.is_bound or not form.is_valid():
        return ""
    kept = {k: v for k, v in form.data.items() if k != "page" and v not in ("", None)}
    return urlencode(kept) + "&" if kept else ""


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """Families to reach first: highest tier, newest positive screen, longest without contact."""
    user, membership = acting_member(request, WORKLIST_ROLES)
    form = WorklistFilterForm(request.GET or None, membership=membership)
    page = selectors.worklist_page(
        user=user,
        membership=membership,
        filters=form.filters() if form.is_bound else selectors.WorklistFilters(),
        page_number=request.GET.get("page", 1),
    )
    return render(
        request,
        "care/worklist.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "query": _query(form),
            "contact_methods": Contact.Method.choices,
            "contact_outcomes": Contact.Outcome.choices,
        },
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Children overdue for a well-child visit or a screening, longest overdue first."""
    user, membership = acting_member(request, WORKLIST_ROLES)
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
    user, membership = acting_member(request, RATES_ROLES)
    purpose = purpose_for(membership)
    by = request.GET.get("by", "postal_code")
    if by not in selectors.RATE_GROUPS:
        by = "postal_code"
    rows = selectors.surveillance_rates(user=user, membership=membership, by=by, purpose=purpose)
    # Groups are stored codes (cmn, medi_cal): a person reads their labels.
    named = dict({"language": Language.choices, "insurance": InsuranceStatus.choices}.get(by, []))
    shown = [(str(named.get(row.group, row.group)) if row.group else "—", row) for row in rows]
    labels = {
        "postal_code": _("ZIP code"),
        "language": _("Language"),
        "insurance": _("Insurance"),
    }
    return render(
        request,
        "care/rates.html",
        {"rows": shown, "by": by, "groups": labels, "min_cell": selectors.MIN_CELL},
    )


def _open_for_write(
    request: HttpRequest, household_id: uuid.UUID, category: str
) -> tuple[User, Membership, OpenedHousehold]:
    """The family, opened for the category the action writes (the service checks the write)."""
    user, membership = acting_member(request, WORKLIST_ROLES)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=category,
        optional=[DataCategory.IDENTITY_CONTACT],
        detail="care action",
    )
    return user, membership, opened


def _child(opened: OpenedHousehold, person_id: uuid.UUID) -> Person:
    person = next((p for p in members_visible(opened) if p.pk == person_id), None)
    if person is None:
        raise NotFound
    return person


def _back(household_id: uuid.UUID) -> HttpResponse:
    return redirect("families:detail", household_id=household_id)


@login_required
@require_POST
def epsdt_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership, opened = _open_for_write(request, household_id, DataCategory.CLINICAL)
    form = EpsdtForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the service is medically necessary."))
        return _back(household_id)
    try:
        services.epsdt_record(
            acting_user=user,
            membership=membership,
            person=_child(opened, form.cleaned_data["person"]),
            reason=form.cleaned_data["reason"],
        )
    except services.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("EPSDT medical necessity recorded: the family is now in tier 3."))
    return _back(household_id)


@login_required
@require_POST
def epsdt_end(request: HttpRequest, household_id: uuid.UUID, record_id: uuid.UUID) -> HttpResponse:
    """A clinician ends a child's EPSDT medical necessity (the need was met): the family's tier is
    recomputed without it. A record of another family, or one the user may not see, is not found."""
    user, membership, opened = _open_for_write(request, household_id, DataCategory.CLINICAL)
    record = rows_visible(opened, EpsdtNecessity.objects.filter(pk=record_id)).first()
    if record is None:
        raise NotFound
    try:
        services.epsdt_end(acting_user=user, membership=membership, record=record)
    except services.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("EPSDT medical necessity ended: the family's tier was recomputed without it."))
    return _back(household_id)


@login_required
@require_POST
def contact_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership, opened = _open_for_write(request, household_id, DataCategory.CASE_NOTES)
    form = ContactForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                label = form.fields[name].label if name in form.fields else ""
                messages.error(request, f"{label}: {error}" if label else str(error))
    else:
        try:
            contact = services.contact_record(
                acting_user=user,
                membership=membership,
                household=opened.household,
                method=form.cleaned_data["method"],
                outcome=form.cleaned_data["outcome"],
            )
        except services.CareError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Contact recorded: %(how)s — %(outcome)s.")
                % {"how": contact.get_method_display(), "outcome": contact.outcome_label},
            )
    return _after_contact(request, household_id)


def _after_contact(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """Back where the contact was recorded: the worklist with the same filters and page (its
    query, sent as ``next``), or the family's page."""
    next_url = request.POST.get("next", "")
    worklist_url = reverse("care:worklist")
    if next_url == "worklist":
        return redirect(worklist_url)
    if (next_url == worklist_url or next_url.startswith(worklist_url + "?")) and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return _back(household_id)


@login_required
@require_POST
def event_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership, opened = _open_for_write(request, household_id, DataCategory.CARE_PLAN)
    form = CareEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what was done and when."))
        return _back(household_id)
    try:
        services.care_event_record(
            acting_user=user,
            membership=membership,
            person=_child(opened, form.cleaned_data["person"]),
            kind=form.cleaned_data["kind"],
            day=form.cleaned_data["date"],
        )
    except services.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Recorded as done."))
    return _back(household_id)
