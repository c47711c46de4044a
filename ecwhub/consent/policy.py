"""The access policy: the one place that answers "may this user, acting in this membership, see
(or change) this category of this family's data, for this purpose?".

A staff member may, when all of these hold:

1. their role may handle the category for the purpose (``ROLE_READ`` / ``ROLE_WRITE``);
2. they have a relationship with the family (``consent.Relationship``: their organization
   registered the family or receives a referral for it, or they are the designated coordinator or
   on the care team) — not needed for quality improvement and billing, which are organization-level;
3. their organization registered the family, or is party to a data sharing agreement in force that
   covers the category and the purpose;
4. the family has a consent in force that covers the category, the purpose and their organization
   (or the whole network). Sensitive categories are covered only when named explicitly.

Break-the-glass replaces 2–4 for a coordinator or clinician, for one family, for a limited time.
A family member sees their own family, except what a young person (12+) has kept from them, and
records (``FAMILY_WRITE``) about themselves and, as a parent or legal guardian, about the family's
children, but never about another adult or a young person who keeps their information private.
Everything else is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.families.models import Household, Person

from .models import (
    Agreement,
    AgreementCategory,
    BreakGlass,
    Consent,
    ConsentCategory,
    DataCategory,
    Purpose,
    Relationship,
    YouthRestriction,
)

ALL = frozenset(DataCategory)
CARE = frozenset({Purpose.CARE_COORDINATION, Purpose.REFERRAL})
SENSITIVE = frozenset(
    {
        DataCategory.BEHAVIORAL_HEALTH,
        DataCategory.LEGAL,
        DataCategory.IMMIGRATION_SENSITIVE,
        DataCategory.CHILD_PROTECTION,
        DataCategory.INTERPERSONAL_SAFETY,
    }
)

# What each role may read, and for which purposes, at most. Agreements and consents narrow it.
ROLE_READ: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Role.COORDINATOR: (ALL - {DataCategory.CLINICAL}, CARE),
    Role.CLINICIAN: (ALL, CARE),
    Role.PROVIDER_STAFF: (
        frozenset(
            {
                DataCategory.IDENTITY_CONTACT,
                DataCategory.DEMOGRAPHICS,
                DataCategory.INSURANCE,
                DataCategory.IDENTIFIED_NEEDS,
                DataCategory.REFERRALS,
                DataCategory.CASE_NOTES,
            }
        ),
        CARE,
    ),
    # Analysts read no family's record: they count (ROLE_COUNT). Reaching a family takes a role that
    # works with families, or emergency access.
    Role.ANALYST: (frozenset(), frozenset()),
    # Hub administrators run the network; they do not read family records.
    Role.HUB_ADMIN: (frozenset(), frozenset()),
    Role.FAMILY_MEMBER: (ALL, frozenset({Purpose.CARE_COORDINATION})),
}
# What each role may count in aggregates (numbers with small groups suppressed, never a row that
# names or describes one family), and for what. Agreements and consents narrow it as for reading.
ROLE_COUNT: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Role.ANALYST: (ALL - SENSITIVE, frozenset({Purpose.QUALITY_IMPROVEMENT})),
    Role.COORDINATOR: ROLE_READ[Role.COORDINATOR],
    Role.CLINICIAN: ROLE_READ[Role.CLINICIAN],
}
ROLE_WRITE: dict[str, frozenset[str]] = {
    Role.COORDINATOR: ALL - {DataCategory.CLINICAL},
    Role.CLINICIAN: ALL,
    Role.PROVIDER_STAFF: frozenset({DataCategory.REFERRALS, DataCategory.CASE_NOTES}),
    Role.ANALYST: frozenset(),
    Role.HUB_ADMIN: frozenset(),
    Role.FAMILY_MEMBER: frozenset(
        {
            DataCategory.IDENTITY_CONTACT,
            # A caregiver answers self-administered screens on their own phone (a depression
            # screen is behavioral health; the AHC safety questions are interpersonal safety) and
            # says which needs the family wants help with first.
            DataCategory.SCREENING_RESULTS,
            DataCategory.IDENTIFIED_NEEDS,
            DataCategory.BEHAVIORAL_HEALTH,
            DataCategory.INTERPERSONAL_SAFETY,
        }
    ),
}
FAMILY_WRITE = ROLE_WRITE[Role.FAMILY_MEMBER]
# A family member records about children only as their parent or legal guardian.
GUARDIAN_RELATIONSHIPS = frozenset({Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN})
RELATIONSHIP_PURPOSES = CARE
BREAK_GLASS_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN})
YOUTH_AGE_YEARS = 12


def purpose_for(membership: Membership) -> str:
    """What a membership reads (or, for analysts, counts) family data for: analysts for quality
    improvement only, every other role for care coordination."""
    return Purpose.QUALITY_IMPROVEMENT if membership.role == Role.ANALYST else Purpose.CARE_COORDINATION


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    basis: tuple[str, ...] = field(default=())
    break_glass: bool = False

    def __bool__(self) -> bool:
        return self.allowed


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def _agreement_covers(organization_id: int, category: str, purpose: str, at: datetime) -> bool:
    return (
        Agreement.objects.in_force(at)
        .filter(parties=organization_id, categories__category=category, purposes__purpose=purpose)
        .exists()
    )


def _consent_q(*, organization_id: int, category: str, purpose: str, at: datetime, person: Person | None) -> Q:
    consents = (
        Consent.objects.in_force(at)
        .filter(household=OuterRef("pk"), categories__category=category, purposes__purpose=purpose)
        .filter(Q(network_wide=True) | Q(organizations=organization_id))
    )
    # A consent about one person covers only that person; a family consent covers everyone.
    consents = (
        consents.filter(Q(person__isnull=True) | Q(person=person)) if person else consents.filter(person__isnull=True)
    )
    return Q(Exists(consents))


def _relationship_q(user: User, membership: Membership, at: datetime) -> Q:
    active = Relationship.objects.filter(household=OuterRef("pk"), started_at__lte=at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at)
    )
    return Q(Exists(active.filter(Q(user=user) | Q(organization=membership.organization_id))))


def _break_glass_q(user: User, at: datetime) -> Q:
    return Q(Exists(BreakGlass.objects.active(at).filter(household=OuterRef("pk"), user=user)))


def _family_q(user: User) -> Q:
    return Q(members__account=user)


def households_visible(
    *,
    user: User,
    membership: Membership | None,
    category: str,
    purpose: str,
    write: bool = False,
    at: datetime | None = None,
) -> QuerySet[Household]:
    """Households whose ``category`` data the user may see (or change) for ``purpose``, filtered in
    the database. Use it for lists, search, exports and the API."""
    return _households(
        user=user, membership=membership, category=category, purpose=purpose, write=write, at=at, rules=ROLE_READ
    )


def households_counted(
    *, user: User, membership: Membership | None, category: str, purpose: str, at: datetime | None = None
) -> QuerySet[Household]:
    """Households whose ``category`` data the user may count in an aggregate for ``purpose``
    (``ROLE_COUNT``; agreements and consents apply as for reading). Only for numbers: a caller
    never shows a row of these households, and suppresses small groups."""
    return _households(
        user=user, membership=membership, category=category, purpose=purpose, write=False, at=at, rules=ROLE_COUNT
    )


def _households(
    *,
    user: User,
    membership: Membership | None,
    category: str,
    purpose: str,
    write: bool,
    at: datetime | None,
    rules: dict[str, tuple[frozenset[str], frozenset[str]]],
) -> QuerySet[Household]:
    at = at or timezone.now()
    none = Household.objects.none()
    if membership is None or not user.is_active or not membership.is_active:
        return none
    categories, purposes = rules.get(membership.role, (frozenset(), frozenset()))
    if category not in categories or purpose not in purposes:
        return none
    if write and category not in ROLE_WRITE.get(membership.role, frozenset()):
        return none
    if membership.role == Role.FAMILY_MEMBER:
        return Household.objects.filter(_family_q(user)).distinct()
    organization_id = membership.organization_id
    condition = _consent_q(organization_id=organization_id, category=category, purpose=purpose, at=at, person=None)
    if purpose in RELATIONSHIP_PURPOSES:
        condition &= _relationship_q(user, membership, at)
    if not _agreement_covers(organization_id, category, purpose, at):
        condition &= Q(registered_by=organization_id)
    # Only when the user holds an emergency grant: the OR otherwise costs a scan of every consent.
    if (
        membership.role in BREAK_GLASS_ROLES
        and purpose == Purpose.CARE_COORDINATION
        and not write
        and BreakGlass.objects.active(at).filter(user=user).exists()
    ):
        condition |= _break_glass_q(user, at)
    return Household.objects.filter(condition)


def decide(
    *,
    user: User,
    membership: Membership | None,
    household: Household,
    category: str,
    purpose: str,
    person: Person | None = None,
    write: bool = False,
    at: datetime | None = None,
) -> Decision:
    """The decision for one family (and optionally one person in it), with the reason."""
    access = FamilyAccess(user=user, membership=membership, household=household, purpose=purpose, at=at)
    return access.decide(category, person=person, write=write)


def decide_many(
    *,
    user: User,
    membership: Membership | None,
    household: Household,
    purpose: str,
    categories: Iterable[str],
    person: Person | None = None,
    write: bool = False,
    at: datetime | None = None,
) -> dict[str, Decision]:
    """``decide`` for each of ``categories`` (the same answers, reasons and bases), in a constant
    number of queries however many categories are asked about."""
    access = FamilyAccess(user=user, membership=membership, household=household, purpose=purpose, at=at)
    return access.decide_many(categories, person=person, write=write)


class FamilyAccess:
    """One user's access, in one membership, to one family for one purpose, at one moment.

    Every answer is ``decide``'s, but the facts it rests on are read from the database at most
    once each, and only when an answer needs them: whether the user or their organization works
    with the family, which categories the organization's agreements in force cover for the
    purpose, which categories the family's consents in force cover for the purpose and the
    organization (and about whom), and whether the user holds emergency access. A page that
    decides many categories, about the family and about each of its members, asks for each fact
    once. Use one object per request: the facts are not read again if they change meanwhile."""

    def __init__(
        self,
        *,
        user: User,
        membership: Membership | None,
        household: Household,
        purpose: str,
        at: datetime | None = None,
    ) -> None:
        self.user = user
        self.membership = membership
        self.household = household
        self.purpose = purpose
        self.at = at or timezone.now()
        self._family: dict[tuple[uuid.UUID | None, bool], Decision] = {}

    def decide_many(
        self, categories: Iterable[str], *, person: Person | None = None, write: bool = False
    ) -> dict[str, Decision]:
        return {str(c): self.decide(c, person=person, write=write) for c in dict.fromkeys(categories)}

    def decide(self, category: str, *, person: Person | None = None, write: bool = False) -> Decision:
        user, membership, purpose = self.user, self.membership, self.purpose
        if membership is None or not user.is_active or not membership.is_active:
            return _deny("no active membership")
        categories, purposes = ROLE_READ.get(membership.role, (frozenset(), frozenset()))
        if category not in categories:
            return _deny(f"the {membership.role} role does not handle {category}")
        if purpose not in purposes:
            return _deny(f"the {membership.role} role does not act for {purpose}")
        if write and category not in ROLE_WRITE.get(membership.role, frozenset()):
            return _deny(f"the {membership.role} role does not change {category}")

        if membership.role == Role.FAMILY_MEMBER:
            # The same for every category: asked once per person.
            key = (person.pk if person is not None else None, write)
            if key not in self._family:
                self._family[key] = _family_decision(user, self.household, person, write, self.at)
            return self._family[key]

        basis: list[str] = []
        if purpose in RELATIONSHIP_PURPOSES:
            if not self._relationship:
                return self._fallback("no relationship with the family", write)
            basis.append("relationship")
        if self.household.registered_by_id == membership.organization_id:
            basis.append("registering organization")
        elif category in self._agreed:
            basis.append("agreement")
        else:
            return self._fallback("no agreement in force covers this", write)
        if category not in self.consented(person):
            return self._fallback("no consent in force covers this", write)
        basis.append("consent")
        return Decision(True, "allowed", tuple(basis))

    def consented(self, person: Person | None = None) -> frozenset[str]:
        """The categories the family's consents in force cover for the purpose and the user's
        organization: a consent about one person covers only that person (``person``), a family
        consent covers everyone."""
        person_id = person.pk if person is not None else None
        return frozenset(c for about, c in self._consents if about is None or about == person_id)

    def people_with_own_consent(self) -> frozenset[uuid.UUID]:
        """The people a consent in force (for the purpose and the organization) is about: only for
        them can an answer about one person differ from the answer about the family."""
        return frozenset(about for about, _ in self._consents if about is not None)

    @cached_property
    def _relationship(self) -> bool:
        assert self.membership is not None
        return (
            _relationships_in_force(self.household, self.at)
            .filter(Q(user=self.user) | Q(organization=self.membership.organization_id))
            .exists()
        )

    @cached_property
    def _agreed(self) -> frozenset[str]:
        assert self.membership is not None
        return _agreed_categories(self.membership.organization_id, self.purpose, self.at)

    @cached_property
    def _consents(self) -> tuple[tuple[uuid.UUID | None, str], ...]:
        assert self.membership is not None
        return _consented_categories(self.household, self.membership.organization_id, self.purpose, self.at)

    @cached_property
    def _break_glass(self) -> bool:
        return BreakGlass.objects.active(self.at).filter(household=self.household, user=self.user).exists()

    def _fallback(self, reason: str, write: bool) -> Decision:
        # Emergency access is for reading what is needed in the emergency, never for changing the record.
        assert self.membership is not None
        if (
            not write
            and self.membership.role in BREAK_GLASS_ROLES
            and self.purpose == Purpose.CARE_COORDINATION
            and self._break_glass
        ):
            return Decision(True, "emergency access", ("break_glass",), break_glass=True)
        return _deny(reason)


def _relationships_in_force(household: Household, at: datetime) -> QuerySet[Relationship]:
    return Relationship.objects.filter(household=household.pk, started_at__lte=at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at)
    )


def _agreed_categories(organization_id: int, purpose: str, at: datetime) -> frozenset[str]:
    """Every category an agreement in force, to which the organization is party, covers for the
    purpose (one query)."""
    agreements = Agreement.objects.in_force(at).filter(parties=organization_id, purposes__purpose=purpose)
    return frozenset(
        AgreementCategory.objects.filter(agreement__in=agreements.values("pk"))
        .values_list("category", flat=True)
        .distinct()
    )


def _consented_categories(
    household: Household, organization_id: int, purpose: str, at: datetime
) -> tuple[tuple[uuid.UUID | None, str], ...]:
    """(whom it is about, category) for every category of every consent of the family in force
    that covers the purpose and the organization (or the whole network); ``None``: the whole
    family (one query)."""
    consents = (
        Consent.objects.in_force(at)
        .filter(household=household.pk, purposes__purpose=purpose)
        .filter(Q(network_wide=True) | Q(organizations=organization_id))
    )
    return tuple(
        ConsentCategory.objects.filter(consent__in=consents.values("pk"))
        .values_list("consent__person_id", "category")
        .distinct()
    )


def _family_decision(user: User, household: Household, person: Person | None, write: bool, at: datetime) -> Decision:
    own = getattr(user, "person", None)
    if own is None or own.household_id != household.pk:
        return _deny("not this family's member")
    if person is not None and person.household_id != household.pk:
        return _deny("not a member of this family")
    if person is not None and person.pk != own.pk:
        if _youth_restricted(person, own, at):
            return _deny("a young person keeps this information private")
        if write and person.relationship != Person.Relationship.CHILD:
            return _deny("a family member records only about themselves and the family's children")
        if write and own.relationship not in GUARDIAN_RELATIONSHIPS and not own.is_legal_guardian:
            return _deny("only a parent or legal guardian records about the family's children")
    return Decision(True, "own family", ("family_member",))


def members_hidden(*, user: User, membership: Membership | None, at: datetime | None = None) -> set[uuid.UUID]:
    """The people whose identity this user may not see even in a family they may see: for a family
    member, the young people (12+) who keep their information from them; for staff, no one (their
    access is decided for the whole family, and a family they may not see is not listed at all)."""
    if membership is None or membership.role != Role.FAMILY_MEMBER:
        return set()
    own = getattr(user, "person", None)
    if own is None:
        return set()
    today = timezone.localdate(at or timezone.now())
    return {
        youth.pk
        for youth in Person.objects.filter(restrictions__hidden_from=own, restrictions__lifted_at__isnull=True).only(
            "pk", "date_of_birth"
        )
        if youth.age_in_months(today) >= YOUTH_AGE_YEARS * 12
    }


def _youth_restricted(youth: Person, viewer: Person, at: datetime) -> bool:
    if youth.age_in_months(timezone.localdate(at)) < YOUTH_AGE_YEARS * 12:
        return False
    return YouthRestriction.objects.filter(youth=youth, hidden_from=viewer, lifted_at__isnull=True).exists()


def categories_allowed(
    *, user: User, membership: Membership | None, household: Household, purpose: str, categories: Iterable[str]
) -> list[str]:
    """The subset of ``categories`` the user may see for this family (for pages showing several)."""
    categories = list(categories)
    decisions = decide_many(
        user=user, membership=membership, household=household, purpose=purpose, categories=categories
    )
    return [c for c in categories if decisions[str(c)]]


def may_change_consent(*, user: User, membership: Membership | None, household: Household) -> bool:
    """Recording or withdrawing a family's consent needs the right to change its identity data."""
    return may_change_identity(user=user, membership=membership, household=household)


def may_change_identity(*, user: User, membership: Membership | None, household: Household) -> bool:
    """Whether the user may change the family's identity and contact data (and so merge its records)."""
    return bool(
        decide(
            user=user,
            membership=membership,
            household=household,
            category=DataCategory.IDENTITY_CONTACT,
            purpose=Purpose.CARE_COORDINATION,
            write=True,
        )
    )


@dataclass(frozen=True)
class SharingGap:
    """A category that may not be shared with an organization: ``missing`` says what is lacking,
    an agreement in force ("agreement") or the family's consent ("consent")."""

    category: str
    missing: str


def sharing_gaps(
    *,
    household: Household,
    organization_id: int,
    categories: Iterable[str],
    purpose: str,
    person: Person | None = None,
    at: datetime | None = None,
) -> list[SharingGap]:
    """What stands between sharing these categories of the family with the organization for the
    purpose: for each category, no agreement in force covering it (unless the organization
    registered the family) or no consent of the family in force covering it, the purpose and the
    organization (or the whole network). Empty: everything may be shared."""
    at = at or timezone.now()
    categories = list(dict.fromkeys(categories))
    if not categories:
        return []
    agreed: frozenset[str] | None = None
    person_id = person.pk if person is not None else None
    consented: frozenset[str] | None = None
    gaps = []
    for category in categories:
        if household.registered_by_id != organization_id:
            if agreed is None:
                agreed = _agreed_categories(organization_id, purpose, at)
            if category not in agreed:
                gaps.append(SharingGap(str(category), "agreement"))
                continue
        if consented is None:
            consented = frozenset(
                c
                for about, c in _consented_categories(household, organization_id, purpose, at)
                if about is None or about == person_id
            )
        if category not in consented:
            gaps.append(SharingGap(str(category), "consent"))
    return gaps
