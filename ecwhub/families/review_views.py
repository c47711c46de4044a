"""The clerical review queue (pairs the batch linkage could not decide), merge undo, and the
duplication-of-services list. Every family shown goes through the access policy and is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_append, audit_line
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.policy import households_visible
from ecwhub.consent.selectors import audit_reads, household_open, rows_visible

from .display import person_name
from .duplication import (
    NOTE_MAX_LENGTH,
    DuplicationError,
    duplication_agreement_request,
    duplication_mark_reviewed,
)
from .intake.access import INTAKE_ROLES
from .merging import MergeError, household_unmerge, person_unmerge
from .models import HouseholdMerge, Person, PersonMerge
from .selectors import caregiver_names, coordination_duplicates, duplication_statuses

REVIEW_ROLES = INTAKE_ROLES
ALREADY_DECIDED = gettext_lazy("This pair was already decided: it is no longer waiting in the queue.")


def _is_hub_admin(membership: Membership) -> bool:
    return membership.role == Role.HUB_ADMIN and membership.organization.is_hub


@dataclass(frozen=True)
class Side:
    person: Person
    name: str
    date_of_birth: date | None
    phone: str
    postal_code: str
    registered_by: str


@dataclass(frozen=True)
class ReviewRow:
    review: Any
    a: Side
    b: Side
    percent: int
    reasons: list[str]


def _visible(user: User, membership: Membership, category: str, write: bool = False) -> Any:
    return households_visible(
        user=user, membership=membership, category=category, purpose=Purpose.CARE_COORDINATION, write=write
    )


def _side(person: Person, demographics: set[uuid.UUID]) -> Side:
    return Side(
        person=person,
        name=person_name(person),
        date_of_birth=person.date_of_birth if person.household_id in demographics else None,
        phone=person.phone,
        postal_code=person.household.postal_code,
        registered_by=person.household.registered_by.name,
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Pending pairs whose two families the user may see, most probable first, side by side.
    A hub administrator (who reads no family records) sees how many wait, and the duplication list."""
    from ecwhub.identity.models import MatchReview

    user, membership = acting_member(request, REVIEW_ROLES | {Role.HUB_ADMIN})
    pending = MatchReview.objects.filter(status=MatchReview.Status.PENDING, person_b__isnull=False)
    if membership.role == Role.HUB_ADMIN:
        if not _is_hub_admin(membership):
            raise Http404
        return render(request, "families/review_queue.html", {"admin_view": True, "pending_count": pending.count()})
    visible = _visible(user, membership, DataCategory.IDENTITY_CONTACT)
    queryset = (
        pending.filter(person_a__household__in=visible, person_b__household__in=visible)
        .select_related("person_a__household__registered_by", "person_b__household__registered_by")
        .order_by("-probability", "id")
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page", 1))
    reviews = list(page.object_list)
    household_ids = {r.person_a.household_id for r in reviews} | {
        r.person_b.household_id for r in reviews if r.person_b is not None
    }
    demographics = set(
        _visible(user, membership, DataCategory.DEMOGRAPHICS).filter(pk__in=household_ids).values_list("pk", flat=True)
    )
    rows = [
        ReviewRow(
            review=r,
            a=_side(r.person_a, demographics),
            b=_side(r.person_b, demographics),  # type: ignore[arg-type]  # person_b__isnull=False
            # A probability is never certainty: 0.999 reads "99%", not "100%".
            percent=min(99, round(r.probability * 100)),
            reasons=[str(t) for t in r.reason_texts],
        )
        for r in reviews
    ]
    audit_reads(
        user=user,
        membership=membership,
        household_ids=sorted(household_ids, key=str),
        categories=[DataCategory.IDENTITY_CONTACT],
        purpose=Purpose.CARE_COORDINATION,
        detail="review queue",
    )
    if demographics:
        audit_reads(
            user=user,
            membership=membership,
            household_ids=sorted(demographics, key=str),
            categories=[DataCategory.DEMOGRAPHICS],
            purpose=Purpose.CARE_COORDINATION,
            detail="review queue",
        )
    return render(request, "families/review_queue.html", {"admin_view": False, "rows": rows, "page": page})


@login_required
@require_POST
def review_decide(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    """ "Same person": the two records (and their families, when they differ) are merged, which can
    be undone from the family's page. "Different people": the pair leaves the queue."""
    from ecwhub.identity.models import MatchReview
    from ecwhub.identity.services import ReviewAlreadyDecided, match_review_resolve

    user, membership = acting_member(request, REVIEW_ROLES)
    writable = _visible(user, membership, DataCategory.IDENTITY_CONTACT, write=True)
    decidable = MatchReview.objects.filter(
        pk=review_id,
        status=MatchReview.Status.PENDING,
        person_b__isnull=False,
        person_a__household__in=writable,
        person_b__household__in=writable,
    )
    # Asked first as a yes/no, so that a refusal reads no record.
    review = decidable.select_related("person_a", "person_b").first() if decidable.exists() else None
    if review is None:
        # Decided a moment ago by someone else (a "same" decision even takes the pair out of the
        # table), or never a pair this user may decide: one answer for both, so nothing leaks.
        messages.error(request, ALREADY_DECIDED)
        return redirect("families:review_queue")
    decision = request.POST.get("decision", "")
    if decision not in ("same", "different"):
        messages.error(request, _("Choose “same person” or “different people”."))
        return redirect("families:review_queue")
    survivor, merged = review.person_a, review.person_b
    assert merged is not None  # filtered above
    audit_reads(
        user=user,
        membership=membership,
        household_ids=sorted({survivor.household_id, merged.household_id}, key=str),
        categories=[DataCategory.IDENTITY_CONTACT],
        purpose=Purpose.CARE_COORDINATION,
        detail=f"review decision: {decision}",
    )
    try:
        match_review_resolve(acting_user=user, membership=membership, review=review, status=decision)
    except MergeError as error:
        messages.error(request, str(error))
        return redirect("families:review_queue")
    except ReviewAlreadyDecided:
        messages.error(request, ALREADY_DECIDED)
        return redirect("families:review_queue")
    if decision == "same":
        messages.success(request, _("The two records are now one. You can undo this from the family's page."))
    else:
        messages.success(request, _("Recorded as different people."))
    return redirect("families:review_queue")


@login_required
@require_POST
def merge_undo(request: HttpRequest, household_id: uuid.UUID, merge_id: uuid.UUID) -> HttpResponse:
    user, membership = acting_member(request, REVIEW_ROLES)
    opened = household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        detail="merge undo",
    )
    household = opened.household
    person_merge_row = rows_visible(opened, PersonMerge.objects.filter(pk=merge_id)).first()
    household_merge_row = rows_visible(opened, HouseholdMerge.objects.filter(pk=merge_id)).first()
    if person_merge_row is None and household_merge_row is None:
        raise Http404
    try:
        if person_merge_row is not None:
            person_unmerge(acting_user=user, membership=membership, merge=person_merge_row)
        else:
            assert household_merge_row is not None
            household_unmerge(acting_user=user, membership=membership, merge=household_merge_row)
    except MergeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The merge was undone: both records are back as they were."))
    return redirect("families:detail", household_id=household.pk)


@login_required
def duplication_list(request: HttpRequest) -> HttpResponse:
    """Families coordinated by two or more organizations. The hub administrator sees every flag
    (a reference and organizations, never names); a coordinator sees the flags on the families
    their organization coordinates and may see."""
    user, membership = acting_member(request, REVIEW_ROLES | {Role.HUB_ADMIN})
    hidden = 0
    if membership.role == Role.HUB_ADMIN:
        if not _is_hub_admin(membership):
            raise Http404
        every = coordination_duplicates()
        statuses = duplication_statuses(every)
        # A reviewed flag leaves the list until its organizations change.
        flags = [f for f in every if statuses[f.household_id].reviewed is None]
        hidden = len(every) - len(flags)
        names: dict[uuid.UUID, str] = {}
    else:
        mine = coordination_duplicates(organization=membership.organization)
        visible = set(
            _visible(user, membership, DataCategory.IDENTITY_CONTACT)
            .filter(pk__in=[f.household_id for f in mine])
            .values_list("pk", flat=True)
        )
        flags = [f for f in mine if f.household_id in visible]
        statuses = duplication_statuses(flags)
        names = caregiver_names(visible) if flags else {}
        if flags:
            audit_reads(
                user=user,
                membership=membership,
                household_ids=[f.household_id for f in flags],
                categories=[DataCategory.IDENTITY_CONTACT],
                purpose=Purpose.CARE_COORDINATION,
                detail="duplication flags",
            )
    if membership.role == Role.HUB_ADMIN and flags:
        # The administrator reads who coordinates which family (no family data): recorded too.
        audit_append(
            [
                audit_line(
                    user,
                    membership,
                    AuditEntry.Action.READ,
                    detail=f"duplication flags ({len(flags)} families)",
                )
            ]
        )
    page = Paginator(flags, 50).get_page(request.GET.get("page", 1))
    rows = [(flag, names.get(flag.household_id, ""), statuses[flag.household_id]) for flag in page.object_list]
    return render(
        request,
        "families/duplication.html",
        {
            "rows": rows,
            "page": page,
            "admin_view": membership.role == Role.HUB_ADMIN,
            "hidden": hidden,
            "note_max_length": NOTE_MAX_LENGTH,
        },
    )


def _duplication_admin(request: HttpRequest) -> tuple[User, Membership]:
    user, membership = acting_member(request, {Role.HUB_ADMIN})
    if not _is_hub_admin(membership):
        raise Http404
    return user, membership


@login_required
@require_POST
def duplication_ask(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """The hub administrator asks the organizations coordinating one family to agree who leads."""
    user, membership = _duplication_admin(request)
    try:
        sent = duplication_agreement_request(acting_user=user, membership=membership, household_id=household_id)
    except DuplicationError as error:
        messages.error(request, error.message)
    else:
        reference = str(household_id)[:8]
        messages.success(
            request,
            ngettext(
                "Reference %(reference)s: %(n)d coordinator was asked to agree who leads.",
                "Reference %(reference)s: %(n)d coordinators were asked to agree who leads.",
                sent.notified,
            )
            % {"reference": reference, "n": sent.notified},
        )
        if sent.unreached:
            messages.warning(
                request,
                _("Nobody to notify at %(organizations)s: add a coordinator there.")
                % {"organizations": ", ".join(sent.unreached)},
            )
    return redirect("families:duplication")


@login_required
@require_POST
def duplication_review(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    """The hub administrator marks one family's flag reviewed, with a note."""
    user, membership = _duplication_admin(request)
    try:
        duplication_mark_reviewed(
            acting_user=user, membership=membership, household_id=household_id, note=request.POST.get("note", "")
        )
    except DuplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Reference %(reference)s marked as reviewed: it returns if its organizations change.")
            % {"reference": str(household_id)[:8]},
        )
    return redirect("families:duplication")
