"""Referral pages: refer a family, the referral (its checks, its course, the actions the reader's
side may take), the lists of referrals sent and received, the printable referral, and the family's
own referrals.

Views parse, call one selector or service, and render. Every read of a family goes through the
access policy and is audited (``selectors``); every change through ``services``.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.forms import ConsentForm
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.policy import may_change_consent
from ecwhub.consent.selectors import household_open, members_visible, rows_visible
from ecwhub.consent.services import ConsentError, consent_record
from ecwhub.core.errors import NotFound
from ecwhub.directory.models import Service, ServiceAtLocation
from ecwhub.directory.services import ListingEdit, ListingError, location_label, service_update
from ecwhub.families.display import person_name
from ecwhub.screening.models import IdentifiedNeed

from . import escalations, feedback, followups, outside, pdf, selectors, services
from .checks import carried_categories
from .forms import ActionForm, ReferralForm, SendForm, StepForm
from .models import ReferralNeed
from .outside import EVENT_LABELS, may_email
from .pdf import printed
from .selectors import FILTERS, Box
from .services import (
    OPEN_NEED_STATUSES,
    RECEIVING_ROLES,
    REFERRING_ROLES,
    ReferralConflict,
    ReferralError,
    ReferralInput,
)
from .workflow import (
    CLOSED,
    RULES_BY_ACTION,
    STEPS,
    Action,
    BusinessStatus,
    Reason,
    Side,
    Status,
    WorkflowError,
    allowed_actions,
    allowed_steps,
)

LIST_ROLES = REFERRING_ROLES | RECEIVING_ROLES
STAFF_ROLES = LIST_ROLES | {Role.HUB_ADMIN}
TAB_LABELS = {
    "new": gettext_lazy("New"),
    "waiting": gettext_lazy("Waiting on the service"),
    "scheduled": gettext_lazy("Scheduled"),
    "overdue": gettext_lazy("Overdue"),
    "open": gettext_lazy("All open"),
    "closed": gettext_lazy("Closed"),
    "all": gettext_lazy("All"),
}
# The receiving organization reads the same list from its side.
RECEIVED_TAB_LABELS = {**TAB_LABELS, "waiting": gettext_lazy("Waiting on us")}


def _error_fields(error: Exception) -> tuple[str, str]:
    return getattr(error, "field", "__all__"), str(error)


# --- Refer a family -----------------------------------------------------------------------------


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    """Refer a family to a service: from a directory search result chosen for the family, or from a
    need on the family's page (then the coordinator picks the service in the directory)."""
    user, membership = acting_member(request, REFERRING_ROLES)
    params = request.POST if request.method == "POST" else request.GET
    household_id = params.get("household", "")
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.REFERRALS,
        optional=[DataCategory.IDENTITY_CONTACT, DataCategory.DEMOGRAPHICS, *selectors.NEED_CATEGORIES],
        detail="new referral",
    )
    household = opened.household
    service = _service(params.get("service", ""))
    if service is None:
        # No service chosen yet: find one for the family (the search starts from its open needs).
        return redirect(reverse("directory_search:search") + f"?family={household.pk}")
    needs = list(rows_visible(opened, IdentifiedNeed.objects.filter(status__in=OPEN_NEED_STATUSES)))
    members = members_visible(opened)
    locations = [
        (str(place.location_id), location_label(place.location))
        for place in ServiceAtLocation.objects.filter(service=service).select_related("location")
    ]
    caregiver = next((m for m in members if m.relationship in ("caregiver", "legal_guardian")), None)
    offered = set(service.needs.values_list("need", flat=True))
    wanted = set(params.getlist("need"))
    initial: dict[str, Any] = {
        "needs": [str(n.pk) for n in needs if str(n.pk) in wanted or (not wanted and n.need in offered)],
        "contact_method": caregiver.preferred_contact_method if caregiver else "",
        "contact_times": caregiver.best_times if caregiver else "",
    }
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        needs=needs,
        members=members,
        locations=locations,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral, _created = services.referral_create(
                acting_user=user,
                membership=membership,
                data=ReferralInput(
                    household_id=household.pk,
                    service_id=service.pk,
                    need_ids=data["needs"],
                    person_id=data["person"] or None,
                    location_id=data["location"] or None,
                    note=data["note"],
                    urgent=data["urgent"],
                    handoff=data["handoff"],
                    contact_method=data["contact_method"],
                    contact_times=data["contact_times"],
                ),
            )
        except ReferralError as error:
            field, message = _error_fields(error)
            form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("referrals:detail", referral_id=referral.pk)
    return render(
        request,
        "referrals/new.html",
        {
            "form": form,
            "household": household,
            "reference": str(household.pk)[:8],
            "service": service,
            "title": ", ".join(person_name(m) for m in members if m.relationship == "caregiver"),
            "no_needs": not needs,
        },
        status=400 if request.method == "POST" else 200,
    )


def _service(value: str) -> Service | None:
    try:
        return Service.objects.select_related("organization").filter(pk=uuid.UUID(value)).first() if value else None
    except ValueError:
        return None


# --- One referral -------------------------------------------------------------------------------


def _acting(request: HttpRequest) -> tuple[User, Membership]:
    return acting_member(request, STAFF_ROLES | {Role.FAMILY_MEMBER})


@login_required
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user, membership = _acting(request)
    view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership)
    referral = view.referral
    if Side.RECEIVER in view.sides and referral.status == Status.REQUESTED and not referral.outside_network:
        # The receiving organization opened it: it is received (and the referrer sees it was seen).
        # Someone else moving it at the same moment is no harm: the page shows where it is now.
        with contextlib.suppress(ReferralConflict):
            services.referral_transition(
                acting_user=user,
                membership=membership,
                referral_id=referral.pk,
                action=Action.RECEIVE,
                version=referral.version,
            )
        view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership, detail="referral")
    if Side.FAMILY in view.sides:
        return redirect("referrals:family")
    return render(request, "referrals/detail.html", _detail_context(request, view, user, membership))


def _detail_context(
    request: HttpRequest,
    view: selectors.OpenedReferral,
    user: User,
    membership: Membership,
    *,
    failed: tuple[str, ActionForm | StepForm] | None = None,
    conflict: bool = False,
) -> dict[str, Any]:
    referral = view.referral
    action_forms = []
    for rule in allowed_actions(referral.status, view.sides):
        if rule.action in (Action.SEND, Action.EXPIRE, Action.RECEIVE):
            continue
        form: Any = ActionForm(initial={"action": rule.action, "version": referral.version}, action=rule.action)
        if failed is not None and failed[0] == rule.action:
            form = failed[1]
        action_forms.append((rule, Action(rule.action).label, form))
    step_forms = []
    for step in allowed_steps(referral.status, view.sides):
        form = StepForm(initial={"step": step.business_status, "version": referral.version})
        if failed is not None and failed[0] == step.business_status:
            form = failed[1]
        step_forms.append((step, BusinessStatus(step.business_status).label, form))
    context: dict[str, Any] = {
        "view": view,
        "referral": referral,
        "action_forms": action_forms,
        "step_forms": step_forms,
        "conflict": conflict,
        "is_receiver": Side.RECEIVER in view.sides,
        "is_referrer": Side.REFERRER in view.sides,
        "history": history(view),
        "family_name": _family_name(view),
        "may_email": may_email(referral, view.sides),
        **feedback.detail_context(view),
    }
    if referral.status == Status.DRAFT and Side.REFERRER in view.sides:
        result = services.referral_check(referral, user=user, membership=membership)
        context["check"] = result
        context["send_form"] = SendForm(
            initial={"version": referral.version, "acknowledged": ",".join(w.code for w in result.warnings)}
        )
        if result.consent_missing and may_change_consent(
            user=user, membership=membership, household=referral.household
        ):
            context["consent_form"] = _consent_form(view, None)
    return context


@dataclass(frozen=True)
class HistoryLine:
    at: Any
    who: str
    what: str
    change: str
    reason: str
    result: str
    note: str


def history(view: selectors.OpenedReferral) -> list[HistoryLine]:
    """The referral's events in words: when, which organization (and side), what happened."""
    actions = {
        **dict(Action.choices),
        **dict(BusinessStatus.choices),
        **EVENT_LABELS,
        **feedback.EVENT_LABELS,
        "create": _("Created as a draft"),
    }
    statuses = dict(Status.choices)
    sides = dict(Side.choices)
    lines = []
    for event in view.events:
        who = event.organization.name if event.organization else str(sides.get(event.side, event.side))
        change = ""
        if event.from_status and event.from_status != event.to_status:
            change = f"{statuses.get(event.from_status, '')} → {statuses.get(event.to_status, '')}"
        lines.append(
            HistoryLine(
                at=event.at,
                who=who,
                what=str(actions.get(event.action, event.action)),
                change=change,
                reason=event.get_reason_display() if event.reason else "",
                result=event.get_need_result_display() if event.need_result else "",
                note=event.note,
            )
        )
    return lines


def _family_name(view: selectors.OpenedReferral) -> str:
    if view.person is not None:
        return person_name(view.person)
    caregivers = [person_name(m) for m in view.members if m.relationship in ("caregiver", "legal_guardian")]
    if caregivers:
        return ", ".join(caregivers)
    return _("Family %(reference)s") % {"reference": str(view.referral.household_id)[:8]}


def _consent_form(view: selectors.OpenedReferral, data: QueryDict | None) -> ConsentForm:
    """The consent form, filled for this referral: the receiving organization, the categories the
    referral carries, for referrals (and care coordination), given verbally with a witness."""
    referral = view.referral
    form = ConsentForm(
        data,
        household=referral.household,
        members=view.members,
        initial={
            "scope": ConsentForm.CHOSEN,
            "organizations": [referral.receiving_organization_id],
            "categories": carried_categories([rn.need for rn in view.needs]),
            "purposes": [Purpose.REFERRAL, Purpose.CARE_COORDINATION],
            "method": "verbal_witnessed",
        },
    )
    return form


@login_required
@require_POST
def referral_consent(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Record the family's consent on the spot, from the referral that needs it, then back to it."""
    user, membership = acting_member(request, REFERRING_ROLES)
    view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership, detail="consent")
    household = view.referral.household
    if Side.REFERRER not in view.sides or not may_change_consent(user=user, membership=membership, household=household):
        raise NotFound
    form = _consent_form(view, request.POST)
    if form.is_valid():
        try:
            consent_record(acting_user=user, membership=membership, household=household, **form.service_arguments())
        except ConsentError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("referrals:detail", referral_id=referral_id)
    context = _detail_context(request, view, user, membership)
    context["consent_form"] = form
    return render(request, "referrals/detail.html", context, status=400)


@login_required
@require_POST
def referral_send_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user, membership = acting_member(request, REFERRING_ROLES)
    form = SendForm(request.POST)
    view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership, detail="send")
    if not form.is_valid():
        raise Http404
    acknowledged = [c for c in form.cleaned_data["acknowledged"].split(",") if c]
    if acknowledged and not form.cleaned_data["confirm"]:
        context = _detail_context(request, view, user, membership)
        form.add_error("confirm", _("Read the warnings, then tick the box to send anyway."))
        context["send_form"] = form
        return render(request, "referrals/detail.html", context, status=400)
    try:
        services.referral_send(
            acting_user=user,
            membership=membership,
            referral_id=referral_id,
            version=form.cleaned_data["version"],
            acknowledged=acknowledged,
        )
    except ReferralConflict:
        messages.error(request, _("Someone else changed this referral while you were reading it. Here it is now."))
    except (WorkflowError, ReferralError) as error:
        messages.error(request, str(error))
    else:
        if view.referral.outside_network:
            messages.success(
                request, _("Referral ready. Print it or e-mail it to the service, and record what came of it here.")
            )
        else:
            messages.success(request, _("Referral sent. The service has been told to look at it."))
    return redirect("referrals:detail", referral_id=referral_id)


@login_required
@require_POST
def referral_act(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """One action or step from the referral's page. A conflict (someone else moved it first) shows
    the referral as it is now, with what the user typed kept in the form."""
    user, membership = _acting(request)
    is_step = "step" in request.POST
    form: ActionForm | StepForm = (
        StepForm(request.POST) if is_step else ActionForm(request.POST, action=request.POST.get("action", ""))
    )
    key = request.POST.get("step" if is_step else "action", "")
    if not form.is_valid():
        view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership)
        return _render_failed(request, view, user, membership, key, form)
    data = form.cleaned_data
    try:
        if is_step:
            if data["step"] not in STEPS:
                raise WorkflowError("step", _("Unknown step."))
            moved = services.referral_step(
                acting_user=user,
                membership=membership,
                referral_id=referral_id,
                step=data["step"],
                version=data["version"],
                note=data["note"],
                at=data["appointment_at"],
            )
        else:
            moved = services.referral_transition(
                acting_user=user,
                membership=membership,
                referral_id=referral_id,
                action=data["action"],
                version=data["version"],
                reason=data["reason"],
                note=data["note"],
                need_result=data["need_result"],
                service_delivered=data["service_delivered"],
            )
    except ReferralConflict:
        view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership)
        bound = request.POST.copy()
        bound["version"] = str(view.referral.version)
        kept: ActionForm | StepForm = StepForm(bound) if is_step else ActionForm(bound, action=key)
        kept.is_valid()
        return _render_failed(request, view, user, membership, key, kept, conflict=True)
    except (WorkflowError, ReferralError) as error:
        view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership)
        field, message = _error_fields(error)
        form.add_error(field if field in form.fields else None, message)
        return _render_failed(request, view, user, membership, key, form)
    if Side.FAMILY in services.sides_of(moved, user, membership):
        messages.success(request, _("Done. The people working with your family have been told."))
        return redirect("referrals:family")
    messages.success(request, _("Saved."))
    return redirect("referrals:detail", referral_id=referral_id)


def _render_failed(
    request: HttpRequest,
    view: selectors.OpenedReferral,
    user: User,
    membership: Membership,
    key: str,
    form: ActionForm | StepForm,
    *,
    conflict: bool = False,
) -> HttpResponse:
    if Side.FAMILY in view.sides:
        messages.error(request, _("That could not be done. Please try again."))
        return redirect("referrals:family")
    context = _detail_context(request, view, user, membership, failed=(key, form), conflict=conflict)
    return render(request, "referrals/detail.html", context, status=409 if conflict else 400)


@login_required
def referral_print(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The referral on paper: for a service outside the hub, handed to the family or sent to the service."""
    user, membership = acting_member(request, REFERRING_ROLES)
    view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership, detail="print")
    if Side.REFERRER not in view.sides:
        raise NotFound
    return render(request, "referrals/print.html", {"referral": view.referral, "p": printed(view)})


# --- Lists --------------------------------------------------------------------------------------


@login_required
def my_referrals(request: HttpRequest) -> HttpResponse:
    """The referrals the user's organization sent or received, by tab."""
    user, membership = acting_member(request, LIST_ROLES)
    default_box = Box.RECEIVED if membership.role == Role.PROVIDER_STAFF else Box.SENT
    box = request.GET.get("box", default_box)
    if box not in (Box.SENT, Box.RECEIVED):
        box = default_box
    return _list(request, user, membership, box)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user, membership = acting_member(request, LIST_ROLES)
    return _list(request, user, membership, Box.RECEIVED)


def _list(request: HttpRequest, user: User, membership: Membership, box: str) -> HttpResponse:
    tab = request.GET.get("tab", "new" if box == Box.RECEIVED else "open")
    if tab not in FILTERS:
        tab = "open"
    mine = box == Box.SENT and request.GET.get("mine") == "1"
    page = selectors.referrals_page(
        user=user, membership=membership, box=box, tab=tab, page_number=request.GET.get("page", 1), mine_only=mine
    )
    counts = selectors.box_counts(user=user, membership=membership, box=box)
    services_full = []
    if box == Box.RECEIVED:
        services_full = list(
            Service.objects.filter(organization_id=membership.organization_id, accepts_electronic_referrals=True)
        )
    return render(
        request,
        "referrals/list.html",
        {
            "page": page,
            "rows": page.object_list,
            "box": box,
            "tab": tab,
            "mine": mine,
            "tabs": [
                (key, (RECEIVED_TAB_LABELS if box == Box.RECEIVED else TAB_LABELS)[key], counts[key]) for key in FILTERS
            ],
            "status_labels": dict(Status.choices),
            "step_labels": dict(BusinessStatus.choices),
            "services": services_full,
            "may_edit_services": membership.role == Role.PROVIDER_STAFF or membership.is_org_admin,
            "followups": followups.followups_open(user=user, membership=membership) if box == Box.SENT else [],
        },
    )


@login_required
@require_POST
def service_capacity(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    """From the inbox: mark a service full (referrers are warned) or open again."""
    user, _membership = acting_member(request, RECEIVING_ROLES)
    full = request.POST.get("full") == "1"
    try:
        service_update(acting_user=user, service_id=service_id, edit=ListingEdit(accepting_referrals=not full))
    except ListingError as error:
        messages.error(request, str(error))
    else:
        if full:
            messages.success(
                request, _("Marked full. People referring to it now see that it is not accepting referrals.")
            )
        else:
            messages.success(request, _("Open again: the service accepts referrals."))
    return redirect(reverse("referrals:mine") + "?box=received")


# --- The family's own referrals ----------------------------------------------------------------


@login_required
def family_referrals(request: HttpRequest) -> HttpResponse:
    """A family member's referrals, in their language: where to, what for, where it stands, who
    will contact them and when; they may say they no longer want one."""
    user, membership = acting_member(request, frozenset({Role.FAMILY_MEMBER}))
    opened, referrals = selectors.own_referrals(user=user, membership=membership)
    if opened is None:
        return render(request, "consent/my_family_unlinked.html")
    needs: dict[uuid.UUID, list[str]] = {}
    for row in rows_visible(opened, ReferralNeed.objects.filter(referral__in=referrals)).select_related("need"):
        needs.setdefault(row.referral_id, []).append(row.need.get_need_display())
    cancel_rule = RULES_BY_ACTION[Action.CANCEL]
    answered, to_answer = feedback.feedback_visible(opened, referrals), feedback.open_links(opened, referrals)
    rows = []
    for referral in referrals:
        cancel = None
        if Side.FAMILY in cancel_rule.sides and referral.status in cancel_rule.sources:
            cancel = ActionForm(
                initial={"action": Action.CANCEL, "version": referral.version, "reason": "family-declined"},
                action=Action.CANCEL,
            )
        rows.append(
            (referral, needs.get(referral.pk, []), cancel, referral.pk in answered, to_answer.get(referral.pk, ""))
        )
    return render(
        request,
        "referrals/family.html",
        {"rows": rows, "closed": sorted(CLOSED), "household": opened.household},
    )


# --- Outside the hub: the PDF and the e-mail to the service -------------------------------------


@login_required
def referral_pdf(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The printed referral as a PDF, audited as an export of the family's referral."""
    user, membership = acting_member(request, REFERRING_ROLES)
    view = selectors.referral_open(
        referral_id=referral_id, user=user, membership=membership, detail="pdf", action=AuditEntry.Action.EXPORT
    )
    if Side.REFERRER not in view.sides:
        raise NotFound
    response = HttpResponse(pdf.referral_pdf(printed(view)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{view.referral.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def referral_email_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """E-mail the referral to the service outside the hub; the loop stays open for the outcome."""
    user, membership = acting_member(request, REFERRING_ROLES)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        raise Http404 from None
    try:
        outside.referral_email_to_service(
            acting_user=user, membership=membership, referral_id=referral_id, version=version
        )
    except ReferralConflict:
        messages.error(request, _("Someone else changed this referral while you were reading it. Here it is now."))
    except (WorkflowError, ReferralError) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("E-mailed to the service. Record here what came of it when you hear from them or the family.")
        )
    return redirect("referrals:detail", referral_id=referral_id)


# --- The hub administrator's escalations, the coordinator's follow-ups ----------------------------


@login_required
def escalations_list(request: HttpRequest) -> HttpResponse:
    """Referrals the timers escalated to the hub that still wait for an answer: never the family."""
    _user, membership = acting_member(request, frozenset({Role.HUB_ADMIN}))
    rows = escalations.escalated_referrals(membership=membership)
    return render(request, "referrals/escalations.html", {"rows": rows})


@login_required
@require_POST
def escalation_act(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Remind the receiving organization again, or cancel the referral for lack of capacity."""
    user, membership = acting_member(request, frozenset({Role.HUB_ADMIN}))
    if not escalations.is_hub_admin(membership):
        raise NotFound
    what = request.POST.get("do", "")
    if what == "remind":
        told = escalations.escalation_remind(acting_user=user, membership=membership, referral_id=referral_id)
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(n)d person at the organization.",
                "Reminder sent to %(n)d people at the organization.",
                told,
            )
            % {"n": told},
        )
    elif what == "cancel":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            raise Http404 from None
        try:
            services.referral_transition(
                acting_user=user,
                membership=membership,
                referral_id=referral_id,
                action=Action.CANCEL,
                version=version,
                reason=Reason.NO_CAPACITY,
                note=request.POST.get("note", ""),
            )
        except ReferralConflict:
            messages.error(request, _("The referral changed while you were reading the list. Here it is now."))
        except (WorkflowError, ReferralError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Cancelled for lack of capacity. The referring organization has been told."))
    else:
        raise Http404
    return redirect("referrals:escalations")


@login_required
@require_POST
def followup_done(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The coordinator followed up on a referral that had no outcome in time."""
    user, membership = acting_member(request, REFERRING_ROLES)
    try:
        followups.followup_mark_done(
            acting_user=user, membership=membership, referral_id=referral_id, note=request.POST.get("note", "")
        )
    except ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Follow-up recorded."))
    return redirect(reverse("referrals:mine") + "?box=sent")


@login_required
@require_POST
def feedback_in_person(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The coordinator records the family's answers, asked in person, from the referral's page."""
    user, membership = acting_member(request, REFERRING_ROLES)
    form = feedback.InPersonFeedbackForm(request.POST)
    if form.is_valid():
        try:
            feedback.feedback_record_in_person(
                acting_user=user,
                membership=membership,
                referral_id=referral_id,
                answers=form.answers(form.cleaned_data["language"]),
            )
        except ReferralError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The family's answers are recorded. Thank you."))
        return redirect("referrals:detail", referral_id=referral_id)
    view = selectors.referral_open(referral_id=referral_id, user=user, membership=membership, detail="feedback")
    context = _detail_context(request, view, user, membership)
    if "feedback_form" not in context:
        return redirect("referrals:detail", referral_id=referral_id)
    context["feedback_form"] = form
    return render(request, "referrals/detail.html", context, status=400)
