"""Directory pages: organizations, services, and the provider's own listing editor."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

from . import models as m
from . import selectors
from .forms import ListingForm
from .history import history_rows
from .services import (
    ListingError,
    service_get_for_editor,
    service_hours,
    service_update,
    service_verify,
    services_editable_by,
)

# The service's error names that are shown beside a field of another name on the page.
FORM_FIELD_OF = {"phones": "phone_0", "new_location": "new_location_address"}


@login_required
def directory_index(request: HttpRequest) -> HttpResponse:
    organizations = selectors.organizations_listed()
    page = Paginator(organizations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/index.html",
        {
            "page": page,
            "stale_count": m.Service.objects.stale().count(),
            "my_services": services_editable_by(request.user).order_by("name"),  # type: ignore[arg-type]
        },
    )


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    stale = request.GET.get("stale") == "1"
    accepting = request.GET.get("accepting") == "1"
    need = request.GET.get("need", "")
    if need not in Need.values:
        need = ""
    services = selectors.services_listed(stale=stale, accepting=accepting, need=need)
    page = Paginator(services, 25).get_page(request.GET.get("page"))
    query = urlencode(
        {
            k: v
            for k, v in (("stale", "1" if stale else ""), ("accepting", "1" if accepting else ""), ("need", need))
            if v
        }
    )
    return render(
        request,
        "directory/service_list.html",
        {
            "page": page,
            "stale": stale,
            "accepting": accepting,
            "need": need,
            "needs": Need.choices,
            "query": f"{query}&" if query else "",
        },
    )


@login_required
def organization_detail(request: HttpRequest, organization_id: uuid.UUID) -> HttpResponse:
    organization = selectors.directory_organization_open(organization_id)
    services = selectors.services_listed().filter(directory_organization=organization)
    return render(request, "directory/organization_detail.html", {"organization": organization, "services": services})


@login_required
def service_detail(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = selectors.service_open(service_id)
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "hours": service_hours(service),
            "can_edit": services_editable_by(request.user).filter(pk=service.pk).exists(),  # type: ignore[arg-type]
            "service_languages": [
                (
                    lang.get_language_display() if lang.language != Language.OTHER else lang.dialect,
                    lang.dialect if lang.language != Language.OTHER else "",
                )
                for lang in service.languages.all()
            ],
        },
    )


@login_required
def service_edit(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = service_get_for_editor(user=request.user, service_id=service_id)  # type: ignore[arg-type]
    if request.method == "POST":
        form = ListingForm(request.POST, service=service)
        if form.is_valid():
            try:
                changes = service_update(acting_user=request.user, service_id=service.pk, edit=form.edit())  # type: ignore[arg-type]
            except ListingError as exc:
                for name, problems in exc.fields.items():
                    target = FORM_FIELD_OF.get(name, name)
                    for problem in problems:
                        form.add_error(target if target in form.fields else None, problem)
            else:
                if changes:
                    messages.success(request, _("Listing saved and marked as verified."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("directory:service_detail", service_id=service.pk)
    else:
        form = ListingForm(initial=ListingForm.initial_for(service, service_hours(service)), service=service)
    history = history_rows(service.changes.select_related("changed_by")[:50])
    return render(request, "directory/service_edit.html", {"service": service, "form": form, "history": history})


@login_required
@require_POST
def service_verify_view(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service_verify(acting_user=request.user, service_id=service_id)  # type: ignore[arg-type]
    messages.success(request, _("Listing marked as verified today."))
    return redirect("directory:service_detail", service_id=service_id)
