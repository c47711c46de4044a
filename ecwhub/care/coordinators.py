"""The family's designated care coordinator: one per family across the network, assigned with
ranked suggestions, transferred with a handoff note, and the hub's view of who has none and who
carries too many.

The relationship that grants access is ``consent.Relationship`` (kind designated coordinator),
written only through ``consent.services.relationship_start`` / ``relationship_end``; the database
allows one active per family (constraint ``one_designated_coordinator``), so two people assigning
at the same moment cannot both win: the loser gets ``CoordinatorError``. ``CoordinatorAssignment``
rows keep the history (who, from whom, to whom, when, the note).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import decide
from ecwhub.consent.services import relationship_end, relationship_start
from ecwhub.core.errors import NotFound
from ecwhub.core.languages import Language
from ecwhub.families.models import Household
from ecwhub.referrals.followups import followups_reassign

from .care_tasks import care_tasks_reassign
from .models import DEFAULT_CASELOAD_CEILING, CoordinatorAssignment, CoordinatorProfile

DESIGNATED = RelationshipKind.DESIGNATED_COORDINATOR
HANDOFF_MIN = 20
NOTE_MAX = 2000
SUGGESTIONS_SHOWN = 5
TRANSFER_REASON = "transferred to another designated coordinator"
END_REASON = "designated coordinator ended"

# The weights of a suggestion's rank. Speaking the family's language matters most (the seeds: a
# coordinator, often a community health worker, who shares the family's language and experience);
# then room in the caseload; then the organization that registered the family; then the area.
LANGUAGE_POINTS = 40
DIALECT_POINTS = 20
ROOM_POINTS = 20
OVER_CEILING_POINTS = -50
ORGANIZATION_POINTS = 15
NEIGHBOURHOOD_POINTS = 10


class CoordinatorError(ValueError):
    """Bad input or a refused assignment; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def active_designated() -> Q:
    return Q(kind=DESIGNATED, ended_at__isnull=True)


def current_designation(household: Household) -> Relationship | None:
    """The family's active designated coordinator relationship (a person, or an organization in
    data written before assignments named a person), or None."""
    return (
        Relationship.objects.filter(active_designated(), household=household)
        .select_related("user", "organization")
        .first()
    )


def _works_with(membership: Membership, household: Household) -> bool:
    """The user's organization works with the family: it registered the family, or it (or one of
    its active members) has an active relationship with it."""
    if household.registered_by_id == membership.organization_id:
        return True
    members = Membership.objects.filter(organization_id=membership.organization_id, is_active=True).values("user_id")
    return (
        Relationship.objects.filter(household=household, ended_at__isnull=True)
        .filter(Q(organization_id=membership.organization_id) | Q(user_id__in=members))
        .exists()
    )


def may_designate(*, user: User, membership: Membership | None, household: Household) -> bool:
    """A coordinator, or an organization administrator, of an organization working with the family."""
    if membership is None or not membership.is_active or not user.is_active:
        return False
    if membership.role != Role.COORDINATOR and not membership.is_org_admin:
        return False
    return _works_with(membership, household)


def _check_actor(user: User, membership: Membership | None, household: Household) -> Membership:
    # Someone who may not see the family is told it does not exist (nothing leaks).
    if membership is None or not decide(
        user=user,
        membership=membership,
        household=household,
        category=DataCategory.IDENTITY_CONTACT,
        purpose=Purpose.CARE_COORDINATION,
    ):
        raise NotFound
    if not may_designate(user=user, membership=membership, household=household):
        raise CoordinatorError(
            "__all__",
            _(
                "Only a care coordinator or an organization administrator of an organization working "
                "with the family can choose its designated coordinator."
            ),
        )
    return membership


def coordinator_membership(user: User) -> Membership | None:
    """The user's active care coordinator membership (the first, by organization name), or None."""
    return (
        Membership.objects.filter(
            user=user, role=Role.COORDINATOR, is_active=True, organization__is_active=True, user__is_active=True
        )
        .select_related("organization")
        .order_by("organization__name", "id")
        .first()
    )


def _check_coordinator(user: User | None) -> Membership:
    found = coordinator_membership(user) if user is not None else None
    if found is None:
        raise CoordinatorError("coordinator", _("Choose a person who works as an active care coordinator."))
    return found


def _history(
    *,
    household: Household,
    kind: str,
    acting_user: User,
    membership: Membership,
    from_user: User | None,
    to_user: User | None,
    note: str,
) -> CoordinatorAssignment:
    event = CoordinatorAssignment.objects.create(
        household=household,
        kind=kind,
        from_user=from_user,
        to_user=to_user,
        by=acting_user,
        organization=membership.organization,
        note=note,
    )
    audit_write(
        user=acting_user,
        membership=membership,
        household_id=household.pk,
        categories=[DataCategory.CASE_NOTES],
        detail=f"designated coordinator {kind} {event.pk}"
        + (f" from user {from_user.pk}" if from_user else "")
        + (f" to user {to_user.pk}" if to_user else ""),
    )
    return event


def _start(acting_user: User, membership: Membership, household: Household, coordinator: User) -> Relationship:
    """Start the designated relationship; the database refuses a second active one for the family
    (a concurrent assignment that committed first), which the caller hears as CoordinatorError."""
    try:
        with transaction.atomic():
            return relationship_start(
                acting_user=acting_user, membership=membership, household=household, kind=DESIGNATED, user=coordinator
            )
    except IntegrityError:
        raise CoordinatorError(
            "coordinator",
            _("Someone else has just given this family a designated coordinator: reload the page to see who."),
        ) from None


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise CoordinatorError("note", _("Keep the note under 2,000 characters."))
    return note


def coordinator_assign(
    *, acting_user: User, membership: Membership | None, household: Household, coordinator: User, note: str = ""
) -> CoordinatorAssignment:
    """Make ``coordinator`` the family's designated care coordinator, when it has none.

    Guarantees: the relationship (through ``relationship_start``), the history row and the audit
    entries are written together or not at all. Raises ``NotFound`` when the acting user may not
    see the family; ``CoordinatorError`` when they may not choose its coordinator, the person is
    not an active care coordinator, the family already has one (transfer instead), or another
    assignment won a race for it."""
    _check_actor(acting_user, membership, household)
    assert membership is not None
    note = _clean_note(note)
    _check_coordinator(coordinator)
    with transaction.atomic():
        if Relationship.objects.filter(active_designated(), household=household).exists():
            raise CoordinatorError(
                "coordinator", _("This family already has a designated coordinator: transfer the family instead.")
            )
        _start(acting_user, membership, household, coordinator)
        return _history(
            household=household,
            kind=CoordinatorAssignment.Kind.ASSIGN,
            acting_user=acting_user,
            membership=membership,
            from_user=None,
            to_user=coordinator,
            note=note,
        )


def coordinator_transfer(
    *, acting_user: User, membership: Membership | None, household: Household, to: User, handoff_note: str
) -> CoordinatorAssignment:
    """Move the family from its designated coordinator to ``to``, with a handoff note (at least 20
    characters): the old relationship ends (with the reason), the new one starts, the open
    referral follow-ups of the old coordinator on this family move to the new one, and the history
    keeps the note. All in one transaction.

    Raises ``NotFound`` when the acting user may not see the family; ``CoordinatorError`` naming
    the field for a short note, a person who is not an active care coordinator, a family without a
    coordinator (assign instead), or a transfer to the current coordinator."""
    _check_actor(acting_user, membership, household)
    assert membership is not None
    handoff_note = (handoff_note or "").strip()
    if len(handoff_note) < HANDOFF_MIN:
        raise CoordinatorError(
            "handoff_note",
            _("Write a handoff note of at least %(count)d characters for the new coordinator.")
            % {"count": HANDOFF_MIN},
        )
    handoff_note = _clean_note(handoff_note)
    _check_coordinator(to)
    with transaction.atomic():
        current = Relationship.objects.select_for_update().filter(active_designated(), household=household).first()
        if current is None:
            raise CoordinatorError("to", _("This family has no designated coordinator yet: assign one instead."))
        if current.user_id == to.pk:
            raise CoordinatorError("to", _("This person is already the family's designated coordinator."))
        from_user = current.user
        relationship_end(
            acting_user=acting_user,
            membership=membership,
            household=household,
            kind=DESIGNATED,
            user=current.user,
            organization=current.organization,
            reason=TRANSFER_REASON,
        )
        _start(acting_user, membership, household, to)
        if from_user is not None:
            # The old coordinator's open work on the family moves with it: referral follow-ups
            # and care tasks (done ones stay with who did them).
            for reassign in (followups_reassign, care_tasks_reassign):
                reassign(
                    acting_user=acting_user,
                    membership=membership,
                    household_id=household.pk,
                    from_user=from_user,
                    to_user=to,
                )
        return _history(
            household=household,
            kind=CoordinatorAssignment.Kind.TRANSFER,
            acting_user=acting_user,
            membership=membership,
            from_user=from_user,
            to_user=to,
            note=handoff_note,
        )


def coordinator_history(household: Household) -> list[CoordinatorAssignment]:
    return list(
        CoordinatorAssignment.objects.filter(household=household)
        .select_related("from_user", "to_user", "by", "organization")
        .order_by("-at", "-id")
    )


# Suggestions


@dataclass
class Suggestion:
    """A coordinator the family could be given, with the rank's reasons in words."""

    user: User
    organization: Organization
    caseload: int
    ceiling: int
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def over_ceiling(self) -> bool:
        return self.caseload >= self.ceiling


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _dialect_match(family_dialect: str, spoken: str) -> bool:
    wanted = _folded(family_dialect)
    if not wanted:
        return False
    return any(wanted == d or wanted in d or (d and d in wanted) for d in (_folded(x) for x in spoken.split(",")))


def caseloads(user_ids: list[int] | None = None) -> Counter[int]:
    """Active designated families per coordinator (one query)."""
    rows = Relationship.objects.filter(active_designated(), user__isnull=False)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    return Counter(dict(rows.values("user_id").annotate(n=Count("id")).values_list("user_id", "n")))


def _coordinators() -> list[Membership]:
    """Every active care coordinator membership, one per person (the first by organization name)."""
    seen: set[int] = set()
    chosen = []
    for membership in (
        Membership.objects.filter(
            role=Role.COORDINATOR, is_active=True, organization__is_active=True, user__is_active=True
        )
        .select_related("user", "organization")
        # What a suggestion shows and ranks by: the person's name and e-mail, the organization's
        # name (a network's 500 coordinators: every other column would be read for nothing).
        .only(
            "id",
            "user_id",
            "organization_id",
            "role",
            "is_active",
            "user__id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__is_active",
            "organization__id",
            "organization__name",
            "organization__is_active",
        )
        .order_by("organization__name", "id")
    ):
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            chosen.append(membership)
    return chosen


def coordinator_suggestions(household: Household, *, exclude: User | None = None) -> list[Suggestion]:
    """The network's active care coordinators ranked for this family, best first, each with the
    reasons of its rank: speaks the family's language (and dialect), room in the caseload under
    the coordinator's ceiling, works at the organization that registered the family, covers the
    family's ZIP code. Reads the family's language, dialect, ZIP code and registering organization
    only; the caller opened the family through the access policy."""
    memberships = [m for m in _coordinators() if exclude is None or m.user_id != exclude.pk]
    user_ids = [m.user_id for m in memberships]
    profiles = {
        p.user_id: p
        for p in CoordinatorProfile.objects.filter(user_id__in=user_ids).only(
            "user_id", "caseload_ceiling", "languages", "dialects", "neighbourhoods"
        )
    }
    loads = caseloads(user_ids)
    family_language = household.preferred_language
    language_label = Language(family_language).label if family_language in Language.values else family_language
    # The reasons that read the same for every coordinator, translated once (not 500 times).
    speaks = _("Speaks %(language)s, the family's language.") % {"language": language_label}
    speaks_dialect = _("Speaks the family's dialect (%(dialect)s).") % {"dialect": household.dialect}
    does_not_speak = _("Does not speak %(language)s (or it is not recorded).") % {"language": language_label}
    works_there = _("Works at the organization that registered the family.")
    covers = _("Covers the family's neighbourhood (ZIP code %(zip)s).") % {"zip": household.postal_code}
    suggestions = []
    for membership in memberships:
        profile = profiles.get(membership.user_id)
        ceiling = profile.caseload_ceiling if profile else DEFAULT_CASELOAD_CEILING
        item = Suggestion(membership.user, membership.organization, loads.get(membership.user_id, 0), ceiling)
        languages = profile.languages if profile else []
        if family_language in languages:
            item.score += LANGUAGE_POINTS
            item.reasons.append(speaks)
            if household.dialect and profile and _dialect_match(household.dialect, profile.dialects):
                item.score += DIALECT_POINTS
                item.reasons.append(speaks_dialect)
        else:
            item.reasons.append(does_not_speak)
        if item.over_ceiling:
            item.score += OVER_CEILING_POINTS
            item.reasons.append(
                _("At or over their caseload ceiling: %(caseload)d of %(ceiling)d families.")
                % {"caseload": item.caseload, "ceiling": ceiling}
            )
        else:
            room = ceiling - item.caseload
            item.score += round(ROOM_POINTS * room / ceiling)
            item.reasons.append(
                ngettext(
                    "Has room for %(room)d more family (%(caseload)d of %(ceiling)d).",
                    "Has room for %(room)d more families (%(caseload)d of %(ceiling)d).",
                    room,
                )
                % {"room": room, "caseload": item.caseload, "ceiling": ceiling}
            )
        if membership.organization_id == household.registered_by_id:
            item.score += ORGANIZATION_POINTS
            item.reasons.append(works_there)
        if household.postal_code and profile and household.postal_code in profile.neighbourhoods:
            item.score += NEIGHBOURHOOD_POINTS
            item.reasons.append(covers)
        suggestions.append(item)
    suggestions.sort(key=lambda s: (-s.score, s.caseload, s.user.get_full_name(), s.user.pk))
    return suggestions


# The hub administrator's page: numbers and references only.


@dataclass(frozen=True)
class OverCeiling:
    name: str
    organization: str
    caseload: int
    ceiling: int


def families_without_coordinator() -> list[tuple[str, int]]:
    """Active families (not de-identified) without a designated coordinator, counted by the
    organization that registered them, largest first: (organization name, count)."""
    with_one = Relationship.objects.filter(active_designated()).values("household_id")
    rows = (
        Household.objects.filter(deidentified_at__isnull=True)
        .exclude(pk__in=with_one)
        .values("registered_by__name")
        .annotate(n=Count("id"))
        .order_by("-n", "registered_by__name")
    )
    return [(row["registered_by__name"], row["n"]) for row in rows]


def coordinators_over_ceiling() -> list[OverCeiling]:
    """Coordinators designated for more families than their ceiling, most over first."""
    loads = caseloads()
    if not loads:
        return []
    profiles = dict(
        CoordinatorProfile.objects.filter(user_id__in=list(loads)).values_list("user_id", "caseload_ceiling")
    )
    over = {u: n for u, n in loads.items() if n > profiles.get(u, DEFAULT_CASELOAD_CEILING)}
    organizations: dict[int, list[str]] = defaultdict(list)
    for user_id, name in (
        Membership.objects.filter(user_id__in=list(over), role=Role.COORDINATOR, is_active=True)
        .order_by("organization__name")
        .values_list("user_id", "organization__name")
    ):
        organizations[user_id].append(name)
    users = {u.pk: u for u in User.objects.filter(pk__in=list(over))}
    rows = [
        OverCeiling(
            name=users[u].get_full_name() or users[u].email,
            organization=", ".join(organizations.get(u, [])) or "—",
            caseload=n,
            ceiling=profiles.get(u, DEFAULT_CASELOAD_CEILING),
        )
        for u, n in over.items()
    ]
    return sorted(rows, key=lambda r: (-(r.caseload - r.ceiling), r.name))
