"""Reads for the worklists, the family page's care panel and the surveillance rates.

Every list filters households through the access policy in the database
(``consent.policy.households_visible``) and audits the rows it shows; a tier's reasons are shown
only in the categories the viewer may see for that family (an EPDS total is behavioral health).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.consent.audit import audit_append, audit_line
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import households_counted, households_visible
from ecwhub.consent.selectors import OpenedHousehold, household_open, members_visible, rows_visible
from ecwhub.core.errors import NotFound
from ecwhub.core.http import MAX_PAGE
from ecwhub.families.models import Household, Person
from ecwhub.referrals.models import Referral
from ecwhub.referrals.selectors import NEED_CATEGORIES
from ecwhub.screening.models import ScreeningResponse

from .models import CareEvent, ChildSurveillance, EpsdtNecessity, TierAssignment
from .returned import returned_needs
from .screening_facts import completion_kind
from .surveillance import Event, Item, child_surveillance, followed
from .tiers import Reason, explain

# The categories a reason can belong to (tiers.reason_category), checked once per page.
REASON_CATEGORIES = (
    DataCategory.IDENTIFIED_NEEDS,
    DataCategory.SCREENING_RESULTS,
    DataCategory.BEHAVIORAL_HEALTH,
    DataCategory.INTERPERSONAL_SAFETY,
    DataCategory.DEMOGRAPHICS,
    DataCategory.CARE_PLAN,
)
# What a worklist row can show besides the reasons: names, and the last contact (a case note).
ROW_CATEGORIES = (*REASON_CATEGORIES, DataCategory.IDENTITY_CONTACT, DataCategory.CASE_NOTES)
# Groups smaller than this are not shown in the rates (small-cell suppression).
MIN_CELL = 11


@dataclass(frozen=True)
class WorklistFilters:
    coordinator: int | None = None
    organization: int | None = None
    language: str = ""
    postal_code: str = ""
    tier: int | None = None


def _filtered(queryset: QuerySet[Household], filters: WorklistFilters, at: datetime) -> QuerySet[Household]:
    active = Relationship.objects.filter(household=OuterRef("pk"), started_at__lte=at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at)
    )
    if filters.coordinator:
        queryset = queryset.filter(
            Exists(active.filter(kind=RelationshipKind.DESIGNATED_COORDINATOR, user_id=filters.coordinator))
        )
    if filters.organization:
        queryset = queryset.filter(
            Q(registered_by_id=filters.organization) | Exists(active.filter(organization_id=filters.organization))
        )
    if filters.language:
        queryset = queryset.filter(preferred_language=filters.language)
    if filters.postal_code:
        queryset = queryset.filter(postal_code=filters.postal_code)
    if filters.tier:
        queryset = queryset.filter(tier__tier=filters.tier)
    return queryset


def _visible_among(
    *, user: User, membership: Membership | None, purpose: str, ids: Sequence[uuid.UUID], categories: Sequence[str]
) -> dict[str, set[uuid.UUID]]:
    """For each category, which of these households the user may see it for (one round trip)."""
    found: dict[str, set[uuid.UUID]] = {c: set() for c in categories}
    if not ids:
        return found
    parts = [
        households_visible(user=user, membership=membership, category=category, purpose=purpose)
        .filter(pk__in=ids)
        .annotate(category=Value(str(category), output_field=CharField()))
        .values_list("pk", "category")
        for category in categories
    ]
    parts = [p for p in parts if not _is_empty(p)]
    if not parts:
        return found
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for pk, category in union:
        found[category].add(pk)
    return found


def _is_empty(queryset: QuerySet[Any]) -> bool:
    # households_visible answers .none() when the role may not see the category at all.
    return queryset.query.is_empty()


@dataclass
class TierView:
    tier: int
    reasons: list[Reason]
    hidden: int
    epsdt: bool
    computed_at: datetime | None

    def explanation(self, language: str | None = None) -> str:
        return explain(self.tier, self.reasons, language)

    @property
    def reason_texts(self) -> list[str]:
        return [r.text() for r in self.reasons]


def tier_view(assignment: TierAssignment | None, allowed: set[str]) -> TierView:
    if assignment is None:
        return TierView(1, [], 0, False, None)
    reasons = [Reason.from_json(r) for r in assignment.reasons]
    shown = [r for r in reasons if r.category in allowed]
    return TierView(assignment.tier, shown, len(reasons) - len(shown), assignment.epsdt, assignment.computed_at)


@dataclass
class WorklistRow:
    household: Household
    caregivers: list[str]
    children: list[str]
    tier: TierView
    latest_positive_screen_at: datetime | None
    last_contact_at: datetime | None
    overdue_children: int = 0
    categories: list[str] = field(default_factory=list)
    returned: list[ReturnedNeed] = field(default_factory=list)


@dataclass(frozen=True)
class ReturnedNeed:
    """A referral that gave a need back: to which service, how it ended and why, and where to refer
    again (the directory search for the family and that need)."""

    service: str
    status: str
    reason: str
    need: str
    search_url: str


def _returned(user: User, membership: Membership | None, purpose: str, rows: list[WorklistRow]) -> None:
    """Fill each row's needs given back by a referral (``returned``), read through the policy:
    the family opened for its referrals, the referrals and needs through ``rows_visible``. The
    categories shown join the row's audit entry."""
    at = timezone.now()
    by_id = {row.household.pk: row for row in rows}
    # Ids only: which of the page's families have a need given back at all.
    given_back = returned_needs(at).filter(referral__household_id__in=list(by_id))
    candidates = set(given_back.values_list("referral__household_id", flat=True))
    search = reverse("directory_search:search")
    for household_id in candidates:
        row = by_id[household_id]
        try:
            opened = household_open(
                user=user,
                membership=membership,
                household_id=household_id,
                purpose=purpose,
                required=DataCategory.REFERRALS,
                optional=NEED_CATEGORIES,
                audit=False,
            )
        except NotFound:
            continue
        referrals = rows_visible(opened, Referral.objects.all())
        found = (
            rows_visible(opened, returned_needs(at).filter(referral__in=referrals))
            .select_related("referral__service", "need")
            .order_by("-referral__closed_at", "need__need")
        )
        for item in found:
            referral, need = item.referral, item.need
            row.returned.append(
                ReturnedNeed(
                    service=referral.service.name,
                    status=referral.status,
                    reason=referral.get_reason_display() if referral.reason else "",
                    need=need.get_need_display(),
                    search_url=f"{search}?{urlencode({'family': household_id, 'need': need.need})}",
                )
            )
            row.categories = sorted({*row.categories, DataCategory.REFERRALS, need.category})


def _name(person: Person) -> str:
    return " ".join(p for p in (person.given_name, person.family_name, person.second_family_name) if p)


def _audit_rows(user: User, membership: Membership | None, purpose: str, rows: Sequence[Any], detail: str) -> None:
    """One audit entry per row shown, with the categories shown for that row, in one append."""
    audit_append(
        audit_line(
            user,
            membership,
            AuditEntry.Action.READ,
            household_id=row.household.pk,
            categories=row.categories,
            purpose=purpose,
            detail=detail,
        )
        for row in rows
    )


@dataclass
class Window:
    """One page of a long list, without counting the whole list: counting would evaluate the access
    policy for every family, while a page only walks the ordering index until it has its rows."""

    number: int
    per_page: int
    object_list: list[Any]
    has_next: bool
    count: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int:
        if self.count is None:
            return self.number + (1 if self.has_next else 0)
        return max(1, -(-self.count // self.per_page))


def _page_number(value: int | str) -> int:
    try:
        # A page past the last is empty; one whose offset the database cannot hold is the last we count.
        return min(max(1, int(value)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _audit_empty(user: User, membership: Membership | None, purpose: str, detail: str) -> None:
    """The list was searched and showed no family: one entry without a family says so."""
    audit_append(
        [
            audit_line(
                user,
                membership,
                AuditEntry.Action.READ,
                categories=[DataCategory.IDENTITY_CONTACT],
                purpose=purpose,
                detail=f"{detail}: no family matched",
            )
        ]
    )


def worklist_queryset(
    *, user: User, membership: Membership | None, filters: WorklistFilters, purpose: str = Purpose.CARE_COORDINATION
) -> QuerySet[TierAssignment]:
    """The families to reach first, the policy applied in the query: highest tier, then newest
    positive screen, then longest without contact (never contacted first).

    Driven by the tier table and its ordering index (``care_tier_worklist``), each row checked
    against the policy: a page reads only as many rows as it needs. A family is listed once its
    tier has been computed (at a screen, a contact, an EPSDT record or the nightly recompute).
    The tier is care plan: a family is listed to those who may see its care plan."""
    at = timezone.now()
    visible = _filtered(
        households_visible(user=user, membership=membership, category=DataCategory.CARE_PLAN, purpose=purpose, at=at),
        replace(filters, tier=None),
        at,
    )
    queryset = TierAssignment.objects.filter(Exists(visible.filter(pk=OuterRef("household_id"))))
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    return queryset.order_by(*WORKLIST_ORDER)


WORKLIST_ORDER = ("-tier", "-positive_rank", "contact_rank", "household_id")


def worklist_page(
    *,
    user: User,
    membership: Membership | None,
    filters: WorklistFilters,
    page_number: int | str = 1,
    per_page: int = 25,
    purpose: str = Purpose.CARE_COORDINATION,
    with_count: bool = False,
) -> Window:
    """One page of the worklist, each row with what the user may see of it; audits the rows shown."""
    number = _page_number(page_number)
    queryset = worklist_queryset(user=user, membership=membership, filters=filters, purpose=purpose)
    offset = (number - 1) * per_page
    assignments = list(queryset[offset : offset + per_page + 1])
    count = queryset.count() if with_count else None
    window = Window(number, per_page, [], len(assignments) > per_page, count)
    assignments = assignments[:per_page]
    if not assignments:
        _audit_empty(user, membership, purpose, "care worklist")
        return window
    ids = [a.household_id for a in assignments]
    households = {h.pk: h for h in Household.objects.filter(pk__in=ids).prefetch_related("members")}
    visible = _visible_among(user=user, membership=membership, purpose=purpose, ids=ids, categories=ROW_CATEGORIES)
    overdue = dict(
        ChildSurveillance.objects.filter(household_id__in=ids, overdue_count__gt=0)
        .values("household_id")
        .annotate(n=Count("person_id"))
        .values_list("household_id", "n")
    )
    rows: list[WorklistRow] = []
    for assignment in assignments:
        household = households[assignment.household_id]
        allowed = {str(c) for c in ROW_CATEGORIES if household.pk in visible[c]}
        named = DataCategory.IDENTITY_CONTACT in allowed
        members = sorted(household.members.all(), key=lambda p: (p.created_at, str(p.pk))) if named else []
        demographics = DataCategory.DEMOGRAPHICS in allowed
        caregivers = [_name(p) for p in members if not demographics or p.relationship != Person.Relationship.CHILD]
        children = [_name(p) for p in members if demographics and p.relationship == Person.Relationship.CHILD]
        screening = DataCategory.SCREENING_RESULTS in allowed or DataCategory.BEHAVIORAL_HEALTH in allowed
        view = tier_view(assignment, allowed)
        shown = {DataCategory.CARE_PLAN} | {r.category for r in view.reasons}
        if named:
            shown.add(DataCategory.IDENTITY_CONTACT)
        if demographics:
            shown.add(DataCategory.DEMOGRAPHICS)
        contacts = DataCategory.CASE_NOTES in allowed
        if contacts and assignment.last_contact_at:
            shown.add(DataCategory.CASE_NOTES)
        rows.append(
            WorklistRow(
                household=household,
                caregivers=caregivers,
                children=children,
                tier=view,
                latest_positive_screen_at=assignment.latest_positive_screen_at if screening else None,
                last_contact_at=assignment.last_contact_at if contacts else None,
                overdue_children=overdue.get(household.pk, 0) if demographics else 0,
                categories=sorted(shown),
            )
        )
    _returned(user, membership, purpose, rows)
    window.object_list = rows
    _audit_rows(user, membership, purpose, rows, "care worklist")
    return window


@dataclass
class OverdueRow:
    household: Household
    child: Person
    child_name: str
    overdue_kinds: list[str]
    oldest_overdue_on: date | None
    overdue_count: int
    categories: list[str] = field(default_factory=list)


def overdue_queryset(
    *, user: User, membership: Membership | None, filters: WorklistFilters, kind: str = ""
) -> QuerySet[ChildSurveillance]:
    """Children with an overdue item in the families whose care plan (the surveillance summary)
    the user may see, longest overdue first; walks the partial index ``care_overdue_order``."""
    at = timezone.now()
    families = _filtered(
        households_visible(
            user=user,
            membership=membership,
            category=DataCategory.CARE_PLAN,
            purpose=Purpose.CARE_COORDINATION,
            at=at,
        ),
        filters,
        at,
    )
    queryset = ChildSurveillance.objects.filter(overdue_count__gt=0).filter(
        Exists(families.filter(pk=OuterRef("household_id")))
    )
    if kind:
        queryset = queryset.filter(overdue_kinds__contains=kind)
    return queryset.order_by("oldest_overdue_on", "person_id")


def overdue_page(
    *,
    user: User,
    membership: Membership | None,
    filters: WorklistFilters,
    kind: str = "",
    page_number: int | str = 1,
    per_page: int = 25,
    with_count: bool = False,
) -> Window:
    """One page of overdue children; audits the rows shown."""
    number = _page_number(page_number)
    queryset = overdue_queryset(user=user, membership=membership, filters=filters, kind=kind)
    offset = (number - 1) * per_page
    summaries = list(queryset.select_related("person", "household")[offset : offset + per_page + 1])
    count = queryset.count() if with_count else None
    window = Window(number, per_page, [], len(summaries) > per_page, count)
    summaries = summaries[:per_page]
    purpose = Purpose.CARE_COORDINATION
    if not summaries:
        _audit_empty(user, membership, purpose, "overdue children")
        return window
    identity = _visible_among(
        user=user,
        membership=membership,
        purpose=purpose,
        ids=[s.household_id for s in summaries],
        categories=[DataCategory.IDENTITY_CONTACT],
    )[DataCategory.IDENTITY_CONTACT]
    rows = []
    for summary in summaries:
        named = summary.household_id in identity
        rows.append(
            OverdueRow(
                household=summary.household,
                child=summary.person,
                child_name=_name(summary.person) if named else "",
                overdue_kinds=[k for k in summary.overdue_kinds.split(",") if k],
                oldest_overdue_on=summary.oldest_overdue_on,
                overdue_count=summary.overdue_count,
                categories=[str(DataCategory.CARE_PLAN)] + ([str(DataCategory.IDENTITY_CONTACT)] if named else []),
            )
        )
    window.object_list = rows
    _audit_rows(user, membership, purpose, rows, "overdue children")
    return window


@dataclass
class CarePanel:
    tier: TierView
    children: list[tuple[Person, list[Item]]]
    epsdt: list[EpsdtNecessity]
    may_record_epsdt: bool
    shown: set[str]


def care_panel(opened: OpenedHousehold, today: date | None = None) -> CarePanel | None:
    """The family page's care section, read through the opened family: the tier with the reasons
    in the categories the user may see, each child's well-child surveillance, and the EPSDT records
    (clinical). None when the user may not see the family's care plan. ``shown`` says which
    categories the panel shows, for the page's audit entry."""
    if not opened.may_see(DataCategory.CARE_PLAN):
        return None
    today = today or timezone.localdate()
    view = tier_view(rows_visible(opened, TierAssignment.objects.all()).first(), set(opened.categories))
    shown = {str(DataCategory.CARE_PLAN)} | {r.category for r in view.reasons}
    kids = [
        p
        for p in members_visible(opened)
        if p.relationship == Person.Relationship.CHILD
        and opened.may_see(DataCategory.DEMOGRAPHICS, p)
        and opened.may_see(DataCategory.CARE_PLAN, p)
        and followed(p.date_of_birth, today)
    ]
    kids.sort(key=lambda p: p.date_of_birth)
    events: dict[uuid.UUID, list[Event]] = defaultdict(list)
    for person_id, kind, day in rows_visible(opened, CareEvent.objects.all()).values_list("person_id", "kind", "date"):
        events[person_id].append(Event(kind, day))
    # A screen done in the hub counts for the surveillance point it serves (a caregiver's EPDS
    # counts for the baby's caregiver depression screening), when the viewer may see that screen.
    kid_ids = {k.pk for k in kids}
    completed = rows_visible(opened, ScreeningResponse.objects.filter(status=ScreeningResponse.Status.COMPLETED))
    for person_id, instrument, completed_at in completed.values_list("person_id", "instrument", "completed_at"):
        done = completion_kind(instrument)
        if done is None or completed_at is None:
            continue
        for kid in kids:
            if person_id == kid.pk or person_id not in kid_ids:
                events[kid.pk].append(Event(done, timezone.localdate(completed_at)))
    children = [(kid, child_surveillance(kid.date_of_birth, events[kid.pk], today)) for kid in kids]
    if children:
        shown.add(DataCategory.DEMOGRAPHICS)
    epsdt = list(rows_visible(opened, EpsdtNecessity.objects.filter(ended_at__isnull=True)).select_related("person"))
    if epsdt:
        shown.add(DataCategory.CLINICAL)
    membership = opened.membership
    return CarePanel(
        tier=view,
        children=children,
        epsdt=epsdt,
        may_record_epsdt=membership is not None
        and membership.role == Role.CLINICIAN
        and opened.may_see(DataCategory.CLINICAL),
        shown=shown,
    )


@dataclass(frozen=True)
class RateRow:
    group: str
    children: int
    up_to_date: int

    @property
    def share(self) -> float:
        return self.up_to_date / self.children if self.children else 0.0


RATE_GROUPS = {
    "postal_code": "household__postal_code",
    "language": "household__preferred_language",
    "insurance": "person__insurance_status",
}


def surveillance_rates(
    *, user: User, membership: Membership | None, by: str, purpose: str = Purpose.QUALITY_IMPROVEMENT
) -> list[RateRow]:
    """Share of followed children with nothing overdue, per ZIP code, language or insurance, among
    the families the user may see for ``purpose``. Groups under ``MIN_CELL`` children are left out.
    Counts only; one audit entry records the aggregate read."""
    if by not in RATE_GROUPS:
        raise ValueError(f"rates by {by!r}: use one of {', '.join(RATE_GROUPS)}")
    column = RATE_GROUPS[by]
    # The counted rows are care plan; the group is demographics (ZIP code, language) or insurance.
    group_category = DataCategory.INSURANCE if by == "insurance" else DataCategory.DEMOGRAPHICS
    families = households_counted(user=user, membership=membership, category=DataCategory.CARE_PLAN, purpose=purpose)
    grouped = households_counted(user=user, membership=membership, category=group_category, purpose=purpose)
    rows = (
        ChildSurveillance.objects.filter(household__in=families)
        .filter(household__in=grouped)
        .values(column)
        .annotate(children=Count("person_id"), up_to_date=Count("person_id", filter=Q(overdue_count=0)))
        .order_by(column)
    )
    result = [RateRow(str(r[column] or ""), r["children"], r["up_to_date"]) for r in rows if r["children"] >= MIN_CELL]
    audit_append(
        [
            audit_line(
                user,
                membership,
                AuditEntry.Action.READ,
                categories=[DataCategory.CARE_PLAN, group_category],
                purpose=purpose,
                detail=f"surveillance rates by {by} (aggregate)",
            )
        ]
    )
    return result
