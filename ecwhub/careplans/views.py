"""The care team and plan pages: the staff page of a family's team, notes, goals and barriers;
the family's own plan, where they comment on a goal; and the care team's weekly case review.

Views parse, call one service, and redirect (or show the form again with its errors, field by
field); the family is opened through the access policy, so a family the user may not see is not
found, and each page audits what it showed."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.care.agenda import ReviewReason, review_items
from ecwhub.consent.models import DataCategory
from ecwhub.consent.selectors import OpenedHousehold, audit_opened
from ecwhub.core.errors import NotFound
from ecwhub.families.display import person_name

from . import selectors, services
from .forms import BarrierForm, CommentForm, GoalForm, PlanForm, ProgressForm, ReviewForm, TeamMemberForm, TeamNoteForm
from .models import GoalStatus
from .review import REASON_CATEGORIES

STAFF_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})
FAMILY = frozenset({Role.FAMILY_MEMBER})
GOAL_CHOICE_CHARS = 60
# Families shown per reason on the overview, and per page of one reason's list.
REVIEW_OVERVIEW = 10
REVIEW_PAGE = 50


def _form_address(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A form's address: POST does the work; GET (reloading the page shown after a refused form,
    an address kept from it) goes back to the page the form is on, which checks access itself."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            return view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if "household_id" in kwargs:
            return redirect("careplans:plan", household_id=kwargs["household_id"])
        return redirect("careplans:family_plan")

    return wrapper


def _reason_labels() -> dict[str, str]:
    return {
        ReviewReason.CRISIS: _("Families in crisis"),
        ReviewReason.STALLED_PATHWAY: _("Stalled pathways"),
        ReviewReason.OVERDUE_FOLLOW_UP: _("Overdue follow-ups"),
        ReviewReason.NEW_POSITIVE_SCREEN: _("New positive screens"),
        ReviewReason.FAILED_REFERRAL: _("Referrals that failed"),
    }


# --- The staff page -------------------------------------------------------------------------------


def _back(household_id: uuid.UUID | str) -> HttpResponse:
    return redirect("careplans:plan", household_id=household_id)


def _people(opened: OpenedHousehold) -> list[tuple[str, str]]:
    return [(str(p.pk), person_name(p)) for p in opened.members]


def _page(
    request: HttpRequest,
    user: User,
    membership: Membership,
    household_id: uuid.UUID,
    bound: dict[str, PlanForm] | None = None,
) -> HttpResponse:
    opened = selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    household = opened.household
    view = selectors.plan_view(opened)
    bound = bound or {}
    needs = [(str(n.pk), str(n.get_need_display())) for n in view.needs]  # type: ignore[attr-defined]
    goals = [
        (str(g.goal.pk), Truncator(g.goal.text).chars(GOAL_CHOICE_CHARS))
        for g in view.goals
        if g.goal.status == GoalStatus.ACTIVE
    ]
    may_change = selectors.may_change_plan(opened)
    context: dict[str, Any] = {
        "household": household,
        "view": view,
        "may_see_plan": opened.may_see(DataCategory.CARE_PLAN),
        "may_change": may_change,
        "team_form": bound.get("team") or TeamMemberForm(people=_people(opened), auto_id="team-%s"),
        "note_form": bound.get("note") or TeamNoteForm(auto_id="note-%s"),
        "goal_form": bound.get("goal")
        or GoalForm(needs=needs, auto_id="goal-%s", initial={"language": household.preferred_language}),
        "barrier_form": bound.get("barrier") or BarrierForm(goals=goals, needs=needs, auto_id="barrier-%s"),
        "goals": [
            (g, bound.get(f"progress-{g.goal.pk}") or ProgressForm(auto_id=f"progress-{g.goal.pk}-%s"))
            for g in view.goals
        ],
    }
    audit_opened(opened, {DataCategory.IDENTITY_CONTACT, *view.shown}, "care team and plan")
    return render(request, "careplans/plan.html", context, status=400 if bound else 200)


def _staff(request: HttpRequest) -> tuple[User, Membership]:
    return acting_member(request, STAFF_ROLES)


@login_required
def plan(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership = _staff(request)
    return _page(request, user, membership, household_id)


@login_required
@_form_address
def team_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership = _staff(request)
    opened = selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    form = TeamMemberForm(request.POST, people=_people(opened), auto_id="team-%s")
    if form.is_valid():
        people = {str(p.pk): p for p in opened.members}
        try:
            services.team_member_add(
                acting_user=user,
                membership=membership,
                household=opened.household,
                role=form.cleaned_data["role"],
                person=people.get(form.cleaned_data["person"] or ""),
                member=form.member(),
                organization=form.cleaned_data["organization"],
            )
        except services.PlanError as error:
            form.apply(error, TeamMemberForm.ALIASES)
        else:
            messages.success(request, _("The care team has a new member."))
            return _back(household_id)
    return _page(request, user, membership, household_id, {"team": form})


@login_required
@_form_address
def team_remove(request: HttpRequest, household_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    user, membership = _staff(request)
    selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    if not selectors.member_in_family(member_id, household_id):
        raise NotFound
    try:
        services.team_member_remove(acting_user=user, membership=membership, member_id=member_id)
    except services.PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The member has left the care team."))
    return _back(household_id)


@login_required
@_form_address
def note_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership = _staff(request)
    opened = selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    form = TeamNoteForm(request.POST, auto_id="note-%s")
    if form.is_valid():
        try:
            services.team_note_add(
                acting_user=user,
                membership=membership,
                household=opened.household,
                text=form.cleaned_data["text"],
                category=form.cleaned_data["category"],
            )
        except services.PlanError as error:
            form.apply(error)
        else:
            messages.success(request, _("Your note is on the team's page."))
            return _back(household_id)
    return _page(request, user, membership, household_id, {"note": form})


@login_required
@_form_address
def goal_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership = _staff(request)
    opened = selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    view = selectors.plan_view(opened, notes=False)
    needs = [(str(n.pk), str(n.get_need_display())) for n in view.needs]  # type: ignore[attr-defined]
    form = GoalForm(request.POST, needs=needs, auto_id="goal-%s")
    if form.is_valid():
        try:
            services.goal_create(
                acting_user=user,
                membership=membership,
                household=opened.household,
                text=form.cleaned_data["text"],
                language=form.cleaned_data["language"],
                target_date=form.cleaned_data["target_date"],
                need_ids=form.cleaned_data["needs"],
            )
        except services.PlanError as error:
            form.apply(error)
        else:
            messages.success(request, _("The goal is in the family's plan."))
            return _back(household_id)
    return _page(request, user, membership, household_id, {"goal": form})


@login_required
@_form_address
def progress_add(request: HttpRequest, household_id: uuid.UUID, goal_id: uuid.UUID) -> HttpResponse:
    user, membership = _staff(request)
    selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    form = ProgressForm(request.POST, auto_id=f"progress-{goal_id}-%s")
    if form.is_valid():
        if not selectors.goal_in_family(goal_id, household_id):
            raise NotFound
        try:
            services.goal_progress_add(
                acting_user=user,
                membership=membership,
                goal_id=goal_id,
                note=form.cleaned_data["note"],
                on=form.cleaned_data["on"],
                status=form.cleaned_data["status"],
            )
        except services.PlanError as error:
            form.apply(error)
        else:
            messages.success(request, _("The goal's progress is recorded."))
            return _back(household_id)
    return _page(request, user, membership, household_id, {f"progress-{goal_id}": form})


@login_required
@_form_address
def barrier_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    user, membership = _staff(request)
    opened = selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    view = selectors.plan_view(opened, notes=False)
    needs = [(str(n.pk), str(n.get_need_display())) for n in view.needs]  # type: ignore[attr-defined]
    goals = [(str(g.goal.pk), "") for g in view.goals if g.goal.status == GoalStatus.ACTIVE]
    form = BarrierForm(request.POST, goals=goals, needs=needs, auto_id="barrier-%s")
    if form.is_valid():
        try:
            services.barrier_record(
                acting_user=user,
                membership=membership,
                household=opened.household,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                goal_id=form.cleaned_data["goal"] or None,
                need_id=form.cleaned_data["need"] or None,
            )
        except services.PlanError as error:
            form.apply(error)
        else:
            messages.success(request, _("The barrier is recorded."))
            return _back(household_id)
    return _page(request, user, membership, household_id, {"barrier": form})


@login_required
@_form_address
def barrier_resolve(request: HttpRequest, household_id: uuid.UUID, barrier_id: int) -> HttpResponse:
    user, membership = _staff(request)
    selectors.staff_plan_open(user=user, membership=membership, household_id=household_id)
    if not selectors.barrier_in_family(barrier_id, household_id):
        raise NotFound
    try:
        services.barrier_resolve(acting_user=user, membership=membership, barrier_id=barrier_id)
    except services.PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The barrier is marked resolved."))
    return _back(household_id)


# --- The family's own plan ----------------------------------------------------------------------


def _family_page(
    request: HttpRequest, user: User, membership: Membership, bound: dict[str, CommentForm] | None = None
) -> HttpResponse:
    opened = selectors.own_plan_open(user=user, membership=membership)
    if opened is None:
        return render(request, "consent/my_family_unlinked.html")
    view = selectors.plan_view(opened, notes=False)
    bound = bound or {}
    goals = [(g, bound.get(str(g.goal.pk)) or CommentForm(auto_id=f"comment-{g.goal.pk}-%s")) for g in view.goals]
    audit_opened(opened, view.shown, "own care plan")
    return render(
        request,
        "careplans/family_plan.html",
        {"view": view, "goals": goals, "household": opened.household},
        status=400 if bound else 200,
    )


@login_required
def family_plan(request: HttpRequest) -> HttpResponse:
    user, membership = acting_member(request, FAMILY)
    return _family_page(request, user, membership)


@login_required
@_form_address
def family_comment(request: HttpRequest, goal_id: uuid.UUID) -> HttpResponse:
    user, membership = acting_member(request, FAMILY)
    form = CommentForm(request.POST, auto_id=f"comment-{goal_id}-%s")
    if form.is_valid():
        try:
            services.family_comment_add(
                acting_user=user, membership=membership, goal_id=goal_id, note=form.cleaned_data["note"]
            )
        except services.PlanError as error:
            form.apply(error)
        else:
            messages.success(request, _("Thank you: your comment is on your plan, and your team will answer it."))
            return redirect("careplans:family_plan")
    return _family_page(request, user, membership, {str(goal_id): form})


# --- The weekly case review ---------------------------------------------------------------------


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The families the user's organization coordinates that the team should talk about this week,
    by reason, each once per reason; only families the user may read. The overview shows the first
    few of each reason; one reason's whole list pages (``?reason=…&page=…``)."""
    user, membership = acting_member(request, frozenset({Role.COORDINATOR}))
    form = ReviewForm(request.GET if request.GET else None)
    days, since, only, page = form.choice()
    found = review_items(user, membership, since)
    by_reason = {str(reason): items for reason, items in found.items() if not only or str(reason) == only}
    limit = REVIEW_PAGE if only else REVIEW_OVERVIEW
    families = selectors.review_families(
        user=user,
        membership=membership,
        found=by_reason,
        categories=REASON_CATEGORIES,
        limit=limit,
        offset=(page - 1) * limit if only else 0,
    )
    labels = _reason_labels()
    sections = []
    for reason in ReviewReason:
        if str(reason) not in families:
            continue
        rows, total = families[str(reason)]
        sections.append((str(reason), labels.get(reason, str(reason)), rows, total))
    pager = None
    if only:
        _key, _label, rows, total = sections[0]
        pager = {
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page * limit < total else None,
            "first": (page - 1) * limit + 1 if rows else 0,
            "last": (page - 1) * limit + len(rows),
            "total": total,
        }
    return render(
        request,
        "careplans/review.html",
        {"form": form, "days": days, "sections": sections, "only": only, "pager": pager},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
