"""Pages for consents, disclosures, emergency access and data sharing agreements.

Families are opened only through ``consent.selectors.household_open`` (the access policy, and the
audit entry); anything a user may not see or change answers 404, the same as a missing record.
Writes go through ``consent.services``; their ``ConsentError`` lands on the form field it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import FAMILY_STAFF_ROLES, Membership, Role, User
from ecwhub.core.errors import NotFound
from ecwhub.core.languages import Language
from ecwhub.families.display import member_views, person_name
from ecwhub.families.models import Household

from .export import family_export, family_export_html, family_export_open
from .forms import (
    AgreementForm,
    ConsentForm,
    EmergencyAccessForm,
    TerminateForm,
    WithdrawForm,
    service_error_message,
)
from .models import SENSITIVE_CATEGORIES, Agreement, BreakGlass, Consent, DataCategory, Purpose
from .policy import BREAK_GLASS_ROLES, households_visible, may_change_consent, purpose_for
from .selectors import Disclosure, OpenedHousehold, disclosures, household_open, own_household_id
from .services import (
    BREAK_GLASS_DURATION,
    ConsentError,
    agreement_create,
    agreement_terminate,
    break_glass_mark_reviewed,
    break_glass_open,
    consent_record,
    consent_withdraw,
    sensitive_note_record,
)

DISCLOSURES_PER_PAGE = 50
CATEGORY_LABELS = dict(DataCategory.choices)
PURPOSE_LABELS = dict(Purpose.choices)
ROLE_LABELS = dict(Role.choices)


def _labels(values: Iterable[str], labels: Mapping[str, object]) -> list[str]:
    """Stored codes as their labels in the reader's language (an unknown code as itself)."""
    return [str(labels.get(v, v)) for v in values]


# --- Consents ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentView:
    consent: Consent
    status: str
    status_label: str
    organizations: list[str]
    categories: list[tuple[str, bool]]
    purposes: list[str]
    given_by: str
    about: str
    language: str


def _consent_status(consent: Consent) -> tuple[str, str]:
    now = timezone.now()
    if consent.withdrawn_at is not None and consent.withdrawn_at <= now:
        return "withdrawn", _("Withdrawn")
    if consent.expires_at <= now:
        return "expired", _("Expired")
    if consent.given_at > now:
        return "pending", _("Not yet in force")
    return "in_force", _("In force")


def consent_views(household: Household, *, hide_people: set[uuid.UUID] | None = None) -> list[ConsentView]:
    """The family's consents, newest first, with their labels in the reader's language. The caller
    opened the household through ``household_open``; ``hide_people`` leaves out consents about
    people the reader may not see."""
    rows = []
    consents = (
        Consent.objects.filter(household=household)
        .select_related("given_by", "person")
        .prefetch_related("organizations", "categories", "purposes")
        .order_by("-given_at", "id")
    )
    # The hub's own languages, then every language a family may speak: never a bare code.
    languages = {**dict(Language.choices), **dict(settings.LANGUAGES)}
    for consent in consents:
        if hide_people and consent.person_id in hide_people:
            continue
        status, status_label = _consent_status(consent)
        categories = sorted(c.category for c in consent.categories.all())
        rows.append(
            ConsentView(
                consent=consent,
                status=status,
                status_label=status_label,
                organizations=sorted(o.name for o in consent.organizations.all()),
                categories=[(str(CATEGORY_LABELS.get(c, c)), c in SENSITIVE_CATEGORIES) for c in categories],
                purposes=_labels(sorted(p.purpose for p in consent.purposes.all()), PURPOSE_LABELS),
                given_by=person_name(consent.given_by),
                about=person_name(consent.person) if consent.person else "",
                language=str(languages.get(consent.language, Language.OTHER.label)),
            )
        )
    return rows


def _open_for_consent(user: User, membership: Membership, household_id: uuid.UUID) -> OpenedHousehold:
    """The household, if the user may change its identity and contact data for care coordination
    (who may record a family's consent); 404 otherwise. Checked before opening, so that a refusal
    leaves no "viewed" line in the family's disclosure report."""
    may_change = households_visible(
        user=user,
        membership=membership,
        category=DataCategory.IDENTITY_CONTACT,
        purpose=Purpose.CARE_COORDINATION,
        write=True,
    )
    if not may_change.filter(pk=household_id).exists():
        raise Http404
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        detail="consents",
    )
    if not may_change_consent(user=user, membership=membership, household=opened.household):
        raise Http404
    return opened


@login_required
def consent_page(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """The family's consents, and the form to record a new one."""
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    opened = _open_for_consent(user, membership, household_id)
    household = opened.household
    members = list(household.members.order_by("created_at", "id"))
    form = ConsentForm(request.POST or None, household=household, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(acting_user=user, membership=membership, household=household, **form.service_arguments())
        except ConsentError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("consent:consents", household_id=household.pk)
    context = {
        "household": household,
        "reference": str(household.pk)[:8],
        "consents": consent_views(household),
        "form": form,
        "withdraw_form": WithdrawForm(),
    }
    return render(request, "consent/consents.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def consent_withdraw_page(request: HttpRequest, household_id: uuid.UUID, consent_id: uuid.UUID) -> HttpResponse:
    """Withdraw one consent of the family, now. Access that rested on it ends with this request."""
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    opened = _open_for_consent(user, membership, household_id)
    consent = get_object_or_404(Consent, pk=consent_id, household=opened.household)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        consent_withdraw(acting_user=user, membership=membership, consent=consent, reason=reason)
    except ConsentError as error:
        messages.error(request, service_error_message(error))
        return redirect("consent:consents", household_id=opened.household.pk)
    if may_change_consent(user=user, membership=membership, household=opened.household):
        messages.success(request, _("Consent withdrawn."))
        return redirect("consent:consents", household_id=opened.household.pk)
    # The withdrawn consent was what let this user see the family: nothing more to show them.
    messages.success(request, _("Consent withdrawn. You no longer have access to this family's record."))
    return redirect("families:list")


# --- Disclosures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureView:
    entry: Disclosure
    role: str
    categories: list[str]
    purpose: str


def _disclosure_page(request: HttpRequest, opened: OpenedHousehold) -> Page[DisclosureView]:
    rows = [
        DisclosureView(
            entry=d,
            role=str(ROLE_LABELS.get(d.role, d.role)),
            categories=_labels(d.categories, CATEGORY_LABELS),
            purpose=str(PURPOSE_LABELS.get(d.purpose, d.purpose)),
        )
        for d in disclosures(opened)
    ]
    return Paginator(rows, DISCLOSURES_PER_PAGE).get_page(request.GET.get("page", 1))


@login_required
def disclosure_report(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """Who saw or changed what about this family, and when."""
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    # The report lists reads and changes of every category; a reader sees the lines in the
    # categories they may see (``disclosures``), so the family is opened for all of them.
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=purpose_for(membership),
        optional=list(DataCategory),
        detail="disclosures",
    )
    context = {
        "household": opened.household,
        "reference": str(opened.household.pk)[:8],
        "page": _disclosure_page(request, opened),
        "own_family": False,
    }
    return render(request, "consent/disclosures.html", context)


# --- The family's own pages ----------------------------------------------------------------------


def _family_member(request: HttpRequest) -> tuple[User, Membership]:
    return acting_member(request, {Role.FAMILY_MEMBER})


def _open_own_family(
    user: User,
    membership: Membership,
    detail: str,
    optional: Iterable[str] = (DataCategory.DEMOGRAPHICS, DataCategory.INSURANCE),
) -> OpenedHousehold | None:
    """The signed-in family member's own household, opened (and audited) as a family member; None
    when their sign-in is not linked to a person of a family yet."""
    household_id = own_household_id(user)
    if household_id is None:
        return None
    return household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.IDENTITY_CONTACT,
        optional=optional,
        detail=detail,
    )


def _hidden_people(opened: OpenedHousehold) -> set[uuid.UUID]:
    """Members this family member may not see: young people (12+) who keep their information."""
    return {p.pk for p in opened.household.members.all()} - set(opened.people)


@login_required
def my_family(request: HttpRequest) -> HttpResponse:
    """The family member's own family, their consents (which they may withdraw) and a link to who
    has seen their information."""
    user, membership = _family_member(request)
    opened = _open_own_family(user, membership, detail="own family")
    if opened is None:
        return render(request, "consent/my_family_unlinked.html")
    household = opened.household
    context = {
        "household": household,
        "members": member_views(opened),
        "demographics": opened.may_see(DataCategory.DEMOGRAPHICS),
        "consents": consent_views(household, hide_people=_hidden_people(opened)),
        "withdraw_form": WithdrawForm(),
    }
    return render(request, "consent/my_family.html", context)


@login_required
@require_POST
def my_family_withdraw(request: HttpRequest, consent_id: uuid.UUID) -> HttpResponse:
    """A family member withdraws one of their family's consents."""
    user, membership = _family_member(request)
    opened = _open_own_family(user, membership, detail="withdraw consent")
    if opened is None:
        raise Http404
    consent = get_object_or_404(Consent, pk=consent_id, household=opened.household)
    if consent.person_id in _hidden_people(opened):
        raise Http404
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        consent_withdraw(acting_user=user, membership=membership, consent=consent, reason=reason)
    except ConsentError as error:
        messages.error(request, service_error_message(error))
    else:
        messages.success(
            request,
            _("Your consent has been withdrawn. From now on it allows no one to see your family's information."),
        )
    return redirect("consent:my_family")


@login_required
def my_family_disclosures(request: HttpRequest) -> HttpResponse:
    """Who has seen the family's information: the family's own accounting of disclosures."""
    user, membership = _family_member(request)
    opened = _open_own_family(user, membership, detail="own disclosures", optional=list(DataCategory))
    if opened is None:
        raise Http404
    context = {"household": opened.household, "page": _disclosure_page(request, opened), "own_family": True}
    return render(request, "consent/disclosures.html", context)


# --- Emergency access ----------------------------------------------------------------------------


@login_required
def emergency_access(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """Break the glass: a coordinator or clinician opens one family's record in an emergency.

    The form is shown for any id, so it does not tell whether a family exists; sending it for an
    id that is no family answers 404 (a recorded, reviewed action, never a silent probe)."""
    user, membership = acting_member(request, BREAK_GLASS_ROLES)
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The service needs the household only as the key of the grant: nothing of the family is
        # read before the access exists, and the service's audit entry records the opening.
        household = Household(pk=household_id)
        try:
            break_glass_open(
                acting_user=user, membership=membership, household=household, reason=form.cleaned_data["reason"]
            )
        except ConsentError as error:
            form.add_service_error(error)
        else:
            messages.warning(request, _("Emergency access is open. It has been recorded, and the family will see it."))
            return redirect("families:detail", household_id=household_id)
    context = {
        "form": form,
        "household_id": household_id,
        "reference": str(household_id)[:8],
        "hours": int(BREAK_GLASS_DURATION.total_seconds() // 3600),
    }
    return render(request, "consent/emergency.html", context, status=400 if request.method == "POST" else 200)


# --- Agreements and the review of emergency accesses (hub administrators) -------------------------


def _hub_admin(request: HttpRequest) -> tuple[User, Membership]:
    user, membership = acting_member(request, {Role.HUB_ADMIN})
    if not membership.organization.is_hub:
        raise NotFound
    return user, membership


def agreement_status(agreement: Agreement, today: date | None = None) -> tuple[str, str]:
    today = today or timezone.localdate()
    if agreement.terminated_at is not None:
        return "terminated", _("Terminated")
    if agreement.effective_until is not None and agreement.effective_until < today:
        return "ended", _("Ended")
    if agreement.effective_from > today:
        return "pending", _("Not yet in force")
    return "in_force", _("In force")


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    status: str
    status_label: str
    parties: list[str]
    categories: list[tuple[str, bool]]
    purposes: list[str]


def _agreement_view(agreement: Agreement) -> AgreementView:
    status, label = agreement_status(agreement)
    categories = sorted(c.category for c in agreement.categories.all())
    return AgreementView(
        agreement=agreement,
        status=status,
        status_label=label,
        parties=sorted(p.name for p in agreement.parties.all()),
        categories=[(str(CATEGORY_LABELS.get(c, c)), c in SENSITIVE_CATEGORIES) for c in categories],
        purposes=_labels(sorted(p.purpose for p in agreement.purposes.all()), PURPOSE_LABELS),
    )


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    _hub_admin(request)
    agreements = Agreement.objects.prefetch_related("parties", "categories", "purposes").order_by(
        "-effective_from", "title"
    )
    page = Paginator(agreements, 25).get_page(request.GET.get("page", 1))
    rows = [_agreement_view(a) for a in page.object_list]
    return render(request, "consent/agreement_list.html", {"page": page, "rows": rows})


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    user, membership = _hub_admin(request)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = agreement_create(
                acting_user=user,
                membership=membership,
                title=data["title"],
                parties=data["parties"],
                categories=data["categories"],
                purposes=data["purposes"],
                effective_from=data["effective_from"],
                effective_until=data["effective_until"],
                signed_document=data["signed_document"],
            )
        except ConsentError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("consent:agreement", agreement_id=agreement.pk)
    return render(
        request, "consent/agreement_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@login_required
def agreement_detail(request: HttpRequest, agreement_id: uuid.UUID) -> HttpResponse:
    user, membership = _hub_admin(request)
    agreement = get_object_or_404(
        Agreement.objects.select_related("created_by", "terminated_by").prefetch_related(
            "parties", "categories", "purposes"
        ),
        pk=agreement_id,
    )
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_terminate(
                acting_user=user, membership=membership, agreement=agreement, reason=form.cleaned_data["reason"]
            )
        except ConsentError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Agreement terminated. The access it gave has ended."))
            return redirect("consent:agreement", agreement_id=agreement.pk)
    return render(
        request,
        "consent/agreement_detail.html",
        {"view": _agreement_view(agreement), "agreement": agreement, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def emergency_review(request: HttpRequest) -> HttpResponse:
    """Every emergency access, newest first, for the hub administrators to review."""
    _hub_admin(request)
    grants = BreakGlass.objects.select_related("user", "organization", "reviewed_by").order_by("-started_at", "id")
    page = Paginator(grants, 25).get_page(request.GET.get("page", 1))
    return render(request, "consent/emergency_review.html", {"page": page, "now": timezone.now()})


@login_required
@require_POST
def emergency_mark_reviewed(request: HttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    user, _membership = _hub_admin(request)
    grant = get_object_or_404(BreakGlass, pk=grant_id)
    if break_glass_mark_reviewed(acting_user=user, grant=grant):
        messages.success(request, _("Emergency access marked as reviewed."))
    else:
        messages.info(request, _("This emergency access had already been reviewed."))
    return redirect("consent:emergency_review")


# --- Export: everything the hub holds about a family ----------------------------------------------


def _export_response(opened: OpenedHousehold, fmt: str) -> HttpResponse:
    if fmt == "json":
        data = family_export(opened)
        response: HttpResponse = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="family-{str(opened.household.pk)[:8]}.json"'
    else:
        response = HttpResponse(family_export_html(opened))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def family_export_page(request: HttpRequest, household_id: uuid.UUID, fmt: str) -> HttpResponse:
    """A coordinator's (or clinician's) export of a family they work with, for the family."""
    if fmt not in ("json", "html"):
        raise NotFound
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    opened = family_export_open(user=user, membership=membership, household_id=household_id)
    return _export_response(opened, fmt)


@login_required
def my_family_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """A family member's own copy of everything the hub holds about their family."""
    if fmt not in ("json", "html"):
        raise NotFound
    user, membership = _family_member(request)
    household_id = own_household_id(user)
    if household_id is None:
        raise NotFound
    opened = family_export_open(user=user, membership=membership, household_id=household_id)
    return _export_response(opened, fmt)


@login_required
@require_POST
def sensitive_note_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """Add a note in a sensitive category (stored encrypted) from the family page."""
    user, membership = acting_member(request, FAMILY_STAFF_ROLES)
    opened = household_open(
        user=user, membership=membership, household_id=household_id, purpose=Purpose.CARE_COORDINATION, detail="note"
    )
    try:
        sensitive_note_record(
            acting_user=user,
            membership=membership,
            household=opened.household,
            category=request.POST.get("category", ""),
            text=request.POST.get("text", ""),
        )
    except ConsentError as error:
        messages.error(request, _(str(error)))
    else:
        messages.success(request, _("The note is saved, encrypted."))
    return redirect("families:detail", household_id=opened.household.pk)
