"""The coordinator's day: "my day", the encounter form, and the family's care tasks.

Views parse, call one selector or service, and render; the family is opened through the access
policy (``household_open``, audited) and a family the user may not see is not found.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Role
from ecwhub.consent.models import DataCategory, Purpose
from ecwhub.consent.selectors import OpenedHousehold, household_open, members_visible, rows_visible
from ecwhub.families.display import person_name
from ecwhub.referrals.services import OPEN_NEED_STATUSES
from ecwhub.screening.models import IdentifiedNeed

from . import care_tasks, services
from .agenda import Section, day_items
from .encounter_links import encounter_link_kinds
from .forms import EncounterForm, TaskForm
from .my_day import family_labels, one_audit
from .views import WORKLIST_ROLES, _open_for_write

DAY_ROLES = frozenset({Role.COORDINATOR})
SECTION_TEXT = {
    Section.TODAY: (
        lambda: _("Due today: visits and calls"),
        lambda: _("Nothing is due today."),
    ),
    Section.OVERDUE: (lambda: _("Overdue"), lambda: _("Nothing is overdue.")),
    Section.ALERTS: (lambda: _("New alerts"), lambda: _("No new alert for the families you coordinate.")),
    Section.WAITING: (
        lambda: _("Families waiting on a reply"),
        lambda: _("No family is waiting on a reply from you."),
    ),
}


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    """What the coordinator has to do today, from every app that gives them work."""
    user, membership = acting_member(request, DAY_ROLES)
    today = timezone.localdate()
    with one_audit():
        found = day_items(user, membership, today)
        labels = family_labels(user, membership, [item.household_id for items in found.values() for item in items])
    sections = [
        {
            "key": str(section),
            "title": SECTION_TEXT[section][0](),
            "empty": SECTION_TEXT[section][1](),
            "items": [(item, labels[item.household_id]) for item in found[section]],
        }
        for section in (Section.TODAY, Section.OVERDUE, Section.ALERTS, Section.WAITING)
    ]
    return render(request, "care/my_day.html", {"sections": sections, "today": today})


def _family_choices(opened: OpenedHousehold) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The members the user may see, and the family's open needs they may see."""
    people = [
        (str(p.pk), f"{person_name(p)} ({p.get_relationship_display()})")  # type: ignore[attr-defined]
        for p in members_visible(opened)
    ]
    needs = [
        (str(n.pk), str(n.get_need_display()))  # type: ignore[attr-defined]
        for n in rows_visible(opened, IdentifiedNeed.objects.filter(status__in=OPEN_NEED_STATUSES)).order_by(
            "identified_at", "id"
        )
    ]
    return people, needs


@login_required
def encounter_new(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """Record an encounter with the family: one page, its facts and what it worked on."""
    user, membership = acting_member(request, WORKLIST_ROLES)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.CASE_NOTES,
        optional=[DataCategory.IDENTITY_CONTACT, DataCategory.IDENTIFIED_NEEDS],
        detail="encounter form",
    )
    people, needs = _family_choices(opened)
    links = [
        (kind.key, kind.label(), kind.choices(opened.household, user, membership)) for kind in encounter_link_kinds()
    ]
    form = EncounterForm(request.POST or None, participants=people, needs=needs, links=links)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        facts = services.EncounterFacts(
            minutes=data["minutes"],
            participants=[uuid.UUID(p) for p in data["participants"]],
            topics=list(data["topics"]),
            topics_other=data["topics_other"],
            interpreter_used=bool(data["interpreter_used"]),
            interpreter_language=data["interpreter_language"],
            needs=[uuid.UUID(n) for n in data["needs"]],
            funding=data["funding"],
            note=data["note"],
            links=form.links(),
        )
        try:
            contact = services.contact_record(
                acting_user=user,
                membership=membership,
                household=opened.household,
                method=data["method"],
                outcome=data["outcome"],
                facts=facts,
            )
        except services.CareError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                _("Encounter recorded: %(how)s — %(outcome)s.")
                % {"how": contact.get_method_display(), "outcome": contact.outcome_label},  # type: ignore[attr-defined]
            )
            return redirect(reverse("families:detail", kwargs={"household_id": household_id}) + "#contacts-title")
    return render(
        request,
        "care/encounter_form.html",
        {
            "form": form,
            "household": opened.household,
            "link_fields": [form[key] for key in form.link_keys],
            "check_fields": [form["participants"], form["topics"], form["needs"]],
        },
    )


def _to_tasks(household_id: uuid.UUID) -> HttpResponse:
    return redirect(reverse("families:detail", kwargs={"household_id": household_id}) + "#tasks-title")


@login_required
@require_POST
def task_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership, opened = _open_for_write(request, household_id, DataCategory.CASE_NOTES)
    form = TaskForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}" if name in form.fields else str(error))
        return _to_tasks(household_id)
    try:
        care_tasks.task_create(
            acting_user=user,
            membership=membership,
            household=opened.household,
            kind=form.cleaned_data["kind"],
            due=form.cleaned_data["due"],
            note=form.cleaned_data["note"],
        )
    except care_tasks.TaskError as error:
        label = form.fields[error.field].label if error.field in form.fields else ""
        messages.error(request, f"{label}: {error}" if label else str(error))
    else:
        messages.success(request, _("Task added."))
    return _to_tasks(household_id)


@login_required
@require_POST
def task_done(request: HttpRequest, household_id: uuid.UUID, task_id: int) -> HttpResponse:
    user, membership, opened = _open_for_write(request, household_id, DataCategory.CASE_NOTES)
    care_tasks.task_mark_done(acting_user=user, membership=membership, household=opened.household, task_id=task_id)
    messages.success(request, _("Task marked done."))
    return _to_tasks(household_id)
