"""The access policy checked against every combination of who, where, agreement, consent and category.

What this covers: the policy itself, ``decide`` (one family) and ``households_visible`` (the
database filter), for every role × the user's organization (the one that registered the family,
another member working with it through a referral, a member with no relationship) × the state of
that organization's agreement (none, in force, in force naming every category, expired,
terminated) × the family's consent (none, given, expired, withdrawn, only identity and
demographics, every category including the sensitive ones) × every data category × two purposes
(care coordination and quality improvement). Family members are checked against their own family
and five others. Hub administrators exist only at the hub, which is party to every agreement.

The expected answer comes from ``expected()`` below: the policy's documented rules written out
again, without calling ``ecwhub.consent.policy``, so a change to the rules has to be made in both
places on purpose. Note what the rules say about sensitive categories: another organization sees
one only when the consent and its agreement both name it; the registering organization needs the
consent only (it needs no agreement to see the family it registered).

A property-based test then draws random consents (network-wide or naming organizations),
agreements (any parties, categories, purposes, in force or not), referral and care-team
relationships, and checks every role at every organization the same way.

What it does not cover: emergency access and a young person's restriction (``test_policy.py``),
and the pages and the API, whose own matrix comes later (``test_no_idor.py`` walks every route as
people who must not see a family). The last tests here prove that the suite's audit guard
(``tests/audit_guard.py``) catches a family read that leaves no audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product

import hypothesis
import pytest
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from ecwhub.accounts.models import Membership, Organization, OrganizationKind, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import Agreement, DataCategory, Purpose, RelationshipKind
from ecwhub.consent.policy import decide, households_visible
from ecwhub.consent.selectors import audit_reads
from ecwhub.consent.services import (
    agreement_create,
    agreement_terminate,
    consent_record,
    consent_withdraw,
    relationship_end,
    relationship_start,
)
from ecwhub.families.models import Household, Person
from tests.audit_guard import AuditGuard, reads_family_records
from tests.conftest import PASSWORD, Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db

# --- The rules, written out again ------------------------------------------------------------------

C = DataCategory
CARE_COORDINATION = Purpose.CARE_COORDINATION
REFERRAL = Purpose.REFERRAL
QUALITY_IMPROVEMENT = Purpose.QUALITY_IMPROVEMENT
EVERY_CATEGORY = frozenset(C)
SENSITIVE = frozenset(
    {C.BEHAVIORAL_HEALTH, C.LEGAL, C.IMMIGRATION_SENSITIVE, C.CHILD_PROTECTION, C.INTERPERSONAL_SAFETY}
)
NOT_SENSITIVE = EVERY_CATEGORY - SENSITIVE
CARE = frozenset({CARE_COORDINATION, REFERRAL})

# What each role may read at most, and for what: from the policy's documentation.
MAY_READ: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Role.HUB_ADMIN: (frozenset(), frozenset()),  # runs the network, reads no family records
    Role.COORDINATOR: (EVERY_CATEGORY - {C.CLINICAL}, CARE),
    Role.CLINICIAN: (EVERY_CATEGORY, CARE),
    Role.PROVIDER_STAFF: (
        frozenset({C.IDENTITY_CONTACT, C.DEMOGRAPHICS, C.INSURANCE, C.IDENTIFIED_NEEDS, C.REFERRALS, C.CASE_NOTES}),
        CARE,
    ),
    Role.ANALYST: (frozenset(), frozenset()),  # counts (households_counted), never reads a family's record
    Role.FAMILY_MEMBER: (EVERY_CATEGORY, frozenset({CARE_COORDINATION})),
}


@dataclass(frozen=True)
class Terms:
    """An agreement or a consent as written on paper: what, what for, and where it stands."""

    categories: frozenset[str]
    purposes: frozenset[str]
    in_force: bool
    covers_us: bool = True  # a consent: network-wide, or naming the user's organization


@dataclass(frozen=True)
class Situation:
    """One user and one family, in plain terms."""

    role: str
    registered_the_family: bool = False  # the user's organization registered it
    works_with_the_family: bool = False  # the user or their organization has a relationship in force
    is_the_family: bool = False  # a family member looking at their own family
    agreements: tuple[Terms, ...] = ()  # agreements the user's organization is party to
    consents: tuple[Terms, ...] = ()  # the family's consents


def expected(situation: Situation, category: str, purpose: str) -> bool:
    """May this user see this category of this family's data for this purpose?"""
    categories, purposes = MAY_READ[situation.role]
    if category not in categories or purpose not in purposes:
        return False
    if situation.role == Role.FAMILY_MEMBER:
        return situation.is_the_family
    # Care needs someone who works with the family; quality improvement is organization-level.
    if purpose in CARE and not situation.works_with_the_family:
        return False
    # Another organization sees only what an agreement in force names, category and purpose.
    if not situation.registered_the_family and not any(
        a.in_force and category in a.categories and purpose in a.purposes for a in situation.agreements
    ):
        return False
    # And the family must have said yes to exactly this. Categories are matched by name, so a
    # sensitive category is covered only by a consent (and an agreement) that names it.
    return any(
        c.in_force and c.covers_us and category in c.categories and purpose in c.purposes for c in situation.consents
    )


# --- Setting up the network as the product does -------------------------------------------------------

PURPOSES_AGREED = (CARE_COORDINATION, REFERRAL, QUALITY_IMPROVEMENT)
STAFF = (Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF, Role.ANALYST)
ROLES = (Role.HUB_ADMIN, *STAFF, Role.FAMILY_MEMBER)
PURPOSES_CHECKED = (CARE_COORDINATION, QUALITY_IMPROVEMENT)


def membership(user: User) -> Membership:
    return Membership.objects.select_related("organization").get(user=user, is_active=True)


def staff_at(organization: Organization, roles: tuple[str, ...] = STAFF) -> dict[str, User]:
    people = {}
    for role in roles:
        user = User.objects.create_user(f"{role}@{organization.slug}.example.org", PASSWORD)
        membership_add(acting_user=None, user=user, organization=organization, role=role)
        people[role] = user
    return people


def another_family(network: Network, member: User) -> Household:
    """A family registered elsewhere, in which ``member`` is the caregiver with a sign-in."""
    household = Household.objects.create(registered_by=network.food_bank, preferred_language="en")
    Person.objects.create(
        household=household,
        relationship=Person.Relationship.CAREGIVER,
        given_name="Dana",
        family_name="Other",
        date_of_birth=timezone.localdate() - timedelta(days=30 * 365),
        preferred_language="en",
        account=member,
    )
    return household


def agree(
    network: Network,
    organization: Organization,
    categories: frozenset[str],
    purposes: tuple[str, ...] = PURPOSES_AGREED,
    status: str = "active",
    parties: tuple[Organization, ...] = (),
) -> Agreement:
    today = timezone.localdate()
    start, until = {
        "active": (today - timedelta(days=30), None),
        "ends_today": (today - timedelta(days=30), today),
        "expired": (today - timedelta(days=400), today - timedelta(days=35)),
        "terminated": (today - timedelta(days=30), None),
        "not_yet": (today + timedelta(days=10), None),
    }[status]
    admin = membership(network.admin)
    agreement = agreement_create(
        acting_user=network.admin,
        membership=admin,
        title=f"Hub and {organization.name}",
        parties=parties or (network.hub, organization),
        categories=categories,
        purposes=purposes,
        effective_from=start,
        effective_until=until,
        signed_document="DSA-TEST",
    )
    if status == "terminated":
        agreement_terminate(acting_user=network.admin, membership=admin, agreement=agreement, reason="Program ended")
    return agreement


def consent(
    network: Network,
    family: Family,
    categories: frozenset[str],
    purposes: tuple[str, ...] = PURPOSES_AGREED,
    status: str = "given",
    organizations: tuple[Organization, ...] = (),
) -> None:
    now = timezone.now()
    given_at, expires_at = (
        (now - timedelta(days=400), now - timedelta(days=35)) if status == "expired" else (None, None)
    )
    recorded = consent_record(
        acting_user=network.alice,
        membership=membership(network.alice),
        household=family.household,
        given_by=family.mother,
        method="signed_on_device",
        categories=categories,
        purposes=purposes,
        network_wide=not organizations,
        organizations=organizations,
        text_version="2026-1",
        language="es",
        given_at=given_at,
        expires_at=expires_at,
    )
    if status == "withdrawn":
        consent_withdraw(
            acting_user=network.alice, membership=membership(network.alice), consent=recorded, reason="family asked"
        )


@dataclass(frozen=True)
class Case:
    label: str
    household: Household
    situation: Situation


@dataclass
class Findings:
    checks: int = 0
    unexpected_disclosures: list[str] = field(default_factory=list)
    wrongful_denials: list[str] = field(default_factory=list)

    def check(
        self,
        user: User,
        cases: list[Case],
        categories: Iterable[str] = C,
        purposes: Iterable[str] = PURPOSES_CHECKED,
    ) -> list[tuple[Case, str]]:
        """Ask ``decide`` about each family, and ``households_visible`` once for all of them, for
        every category and purpose; compare both with ``expected``. Returns what was allowed."""
        member = Membership.objects.filter(user=user, is_active=True).select_related("organization").first()
        ids = [case.household.pk for case in cases]
        allowed = []
        for category, purpose in product(categories, purposes):
            visible = households_visible(user=user, membership=member, category=category, purpose=purpose)
            listed = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
            for case in cases:
                want = expected(case.situation, category, purpose)
                decided = decide(
                    user=user, membership=member, household=case.household, category=category, purpose=purpose
                )
                for source, got in (("decide", bool(decided)), ("households_visible", case.household.pk in listed)):
                    self.checks += 1
                    where = f"{case.label} {case.situation.role} {category} {purpose} ({source})"
                    if got and not want:
                        self.unexpected_disclosures.append(where)
                    elif want and not got:
                        self.wrongful_denials.append(where)
                if want:
                    allowed.append((case, category))
        return allowed

    def summary(self) -> str:
        problems = self.unexpected_disclosures + self.wrongful_denials
        return (
            f"{self.checks} checks: {len(self.unexpected_disclosures)} unexpected disclosures, "
            f"{len(self.wrongful_denials)} wrongful denials" + "".join(f"\n  {p}" for p in problems[:40])
        )


# --- The matrix ------------------------------------------------------------------------------------------

ORGANIZATIONS = ("own", "other", "unrelated")
AGREEMENTS = ("none", "active", "active_all_categories", "expired", "terminated")
CONSENTS = ("none", "given", "expired", "withdrawn", "partial", "sensitive_included")
STATES = list(product(ORGANIZATIONS, AGREEMENTS))
PARTIAL = frozenset({C.IDENTITY_CONTACT, C.DEMOGRAPHICS})
AGREEMENT_CATEGORIES = {
    "active": NOT_SENSITIVE,
    "active_all_categories": EVERY_CATEGORY,
    "expired": EVERY_CATEGORY,
    "terminated": EVERY_CATEGORY,
}
CONSENT_CATEGORIES = {
    "given": NOT_SENSITIVE,
    "expired": NOT_SENSITIVE,
    "withdrawn": NOT_SENSITIVE,
    "partial": PARTIAL,
    "sensitive_included": EVERY_CATEGORY,
}
# Per state: five staff-side roles (hub administrator and the four staff roles) against the six
# families, and each family's own member against all six families (their own and five others).
COMBINATIONS_PER_STATE = (len(ROLES) - 1) * len(CONSENTS) * len(C) * len(PURPOSES_CHECKED) + len(CONSENTS) * len(
    CONSENTS
) * len(C) * len(PURPOSES_CHECKED)

MATRIX = Findings()
MATRIX_STATES: set[tuple[str, str]] = set()
SENSITIVE_ALLOWED_IN: set[tuple[str, str, str]] = set()


@pytest.fixture
def clinic(db: None) -> Organization:
    return Organization.objects.create(name="Garvey Community Clinic", slug="garvey", kind=OrganizationKind.CLINIC)


@pytest.mark.parametrize(("where", "agreement"), STATES, ids=["-".join(s) for s in STATES])
def test_every_role_and_category_gets_the_documented_answer(
    network: Network, clinic: Organization, where: str, agreement: str
) -> None:
    """One state per (user's organization, its agreement), holding six families, one per consent state."""
    organization = {"own": network.frc, "other": network.food_bank, "unrelated": clinic}[where]
    agreements: tuple[Terms, ...] = ()
    if agreement != "none":
        agree(network, organization, AGREEMENT_CATEGORIES[agreement], status=agreement.removesuffix("_all_categories"))
        in_force = agreement.startswith("active")
        agreements = (Terms(AGREEMENT_CATEGORIES[agreement], frozenset(PURPOSES_AGREED), in_force),)

    families: dict[str, Family] = {}
    consents: dict[str, tuple[Terms, ...]] = {}
    family_members: dict[str, User] = {}
    for state in CONSENTS:
        family = families[state] = make_family(network, consent=False)
        if where == "other":
            relationship_start(
                acting_user=None,
                household=family.household,
                kind=RelationshipKind.REFERRAL_RECIPIENT,
                organization=organization,
            )
        consents[state] = ()
        if state != "none":
            status = state if state in ("expired", "withdrawn") else "given"
            consent(network, family, CONSENT_CATEGORIES[state], status=status)
            consents[state] = (Terms(CONSENT_CATEGORIES[state], frozenset(PURPOSES_AGREED), status == "given"),)
        member = family_members[state] = User.objects.create_user(f"family-{state}@example.org", PASSWORD)
        membership_add(acting_user=None, user=member, organization=network.hub, role=Role.FAMILY_MEMBER)
        family.mother.account = member
        family.mother.save(update_fields=["account"])

    findings = Findings()
    people = {**staff_at(organization), Role.HUB_ADMIN: network.admin}  # hub admins exist only at the hub
    for role, user in people.items():
        staff = role in STAFF
        cases = [
            Case(
                f"[{where} organization, agreement {agreement}, consent {state}]",
                families[state].household,
                Situation(
                    role,
                    registered_the_family=staff and where == "own",
                    works_with_the_family=staff and where in ("own", "other"),
                    agreements=agreements,  # the hub is party to it too
                    consents=consents[state],
                ),
            )
            for state in CONSENTS
        ]
        for case, category in findings.check(user, cases):
            if staff and category in SENSITIVE:
                SENSITIVE_ALLOWED_IN.add((where, agreement, case.label.rsplit(" ", 1)[1].rstrip("]")))
    for own_state, member in family_members.items():
        cases = [
            Case(
                f"[family member of the family with consent {own_state}, agreement {agreement}, consent {state}]",
                families[state].household,
                Situation(Role.FAMILY_MEMBER, is_the_family=state == own_state),
            )
            for state in CONSENTS
        ]
        findings.check(member, cases)

    # The same answers where people meet them: the family page, the API and the export.
    PAGES.states += 1
    for role, user in people.items():
        client = signed_in(Client(), user)
        staff = role in STAFF
        purpose = QUALITY_IMPROVEMENT if role == Role.ANALYST else CARE_COORDINATION
        for state in CONSENTS:
            situation = Situation(
                role,
                registered_the_family=staff and where == "own",
                works_with_the_family=staff and where in ("own", "other"),
                agreements=agreements,
                consents=consents[state],
            )
            household = families[state].household.pk
            shown = expected(situation, C.IDENTITY_CONTACT, purpose)
            exportable = role != Role.ANALYST and expected(situation, C.IDENTITY_CONTACT, CARE_COORDINATION)
            for url, allowed in (
                (f"/families/{household}/", shown and role != Role.HUB_ADMIN),
                (f"/api/v1/families/{household}", shown),
                (f"/families/{household}/export.json", exportable and role != Role.HUB_ADMIN),
            ):
                status = client.get(url).status_code
                PAGES.requests += 1
                assert status == (200 if allowed else 404), (
                    f"{role} at {where}, agreement {agreement}, consent {state}: GET {url} -> {status}"
                )

    MATRIX.checks += findings.checks
    MATRIX.unexpected_disclosures += findings.unexpected_disclosures
    MATRIX.wrongful_denials += findings.wrongful_denials
    MATRIX_STATES.add((where, agreement))
    assert findings.checks == 2 * COMBINATIONS_PER_STATE
    assert not findings.unexpected_disclosures and not findings.wrongful_denials, findings.summary()


@dataclass
class PageTally:
    states: int = 0
    requests: int = 0


PAGES = PageTally()


def test_the_matrix_found_no_unexpected_disclosure_and_no_wrongful_denial() -> None:
    if len(MATRIX_STATES) < len(STATES):
        pytest.skip("the summary needs the whole matrix in this process (run this module without -k or -n)")
    combinations = len(STATES) * COMBINATIONS_PER_STATE
    print(  # shown with -rA
        f"access matrix: {combinations} combinations of organization × agreement × consent × role × category "
        f"× purpose, each asked of decide and households_visible: {MATRIX.summary()}"
    )
    print(f"pages, API and export: {PAGES.requests} requests over {PAGES.states} states, all as expected")
    assert MATRIX.checks == 2 * combinations
    assert PAGES.requests > 0
    assert not MATRIX.unexpected_disclosures, MATRIX.summary()
    assert not MATRIX.wrongful_denials, MATRIX.summary()
    # Sensitive categories reach staff only with a consent naming them and, beyond the
    # registering organization, an agreement naming them too.
    assert {state for state in SENSITIVE_ALLOWED_IN if state[0] != "own"} == {
        ("other", "active_all_categories", "sensitive_included")
    }
    assert {state for state in SENSITIVE_ALLOWED_IN if state[0] == "own"} == {
        ("own", agreement, "sensitive_included") for agreement in AGREEMENTS
    }


# --- Random consents and agreements ------------------------------------------------------------------

PARTIES = ("hub", "own", "other", "unrelated")


@dataclass(frozen=True)
class AgreementDraw:
    parties: frozenset[str]
    categories: frozenset[str]
    purposes: frozenset[str]
    status: str


@dataclass(frozen=True)
class ConsentDraw:
    organizations: frozenset[str]  # empty: the whole network
    categories: frozenset[str]
    purposes: frozenset[str]
    status: str


@dataclass(frozen=True)
class World:
    agreements: tuple[AgreementDraw, ...]
    consents: tuple[ConsentDraw, ...]
    other_relationship: str  # the second organization's relationship with the family
    care_team: frozenset[str]  # roles at the unrelated organization put on the care team in person
    checked_categories: frozenset[str]  # a few categories per world keep the run short
    checked_purposes: frozenset[str]


category_sets = st.frozensets(st.sampled_from(list(C)), min_size=1)
purpose_sets = st.frozensets(st.sampled_from(list(Purpose)), min_size=1)
agreement_draws = st.builds(
    AgreementDraw,
    parties=st.frozensets(st.sampled_from(PARTIES), min_size=2),
    categories=category_sets,
    purposes=purpose_sets,
    status=st.sampled_from(["active", "ends_today", "expired", "terminated", "not_yet"]),
)
consent_draws = st.builds(
    ConsentDraw,
    organizations=st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(PARTIES), min_size=1)),
    categories=category_sets,
    purposes=purpose_sets,
    status=st.sampled_from(["given", "expired", "withdrawn"]),
)
worlds = st.builds(
    World,
    agreements=st.lists(agreement_draws, max_size=3).map(tuple),
    consents=st.lists(consent_draws, max_size=3).map(tuple),
    other_relationship=st.sampled_from(["none", "active", "ended"]),
    care_team=st.frozensets(st.sampled_from(STAFF)),
    checked_categories=st.frozensets(st.sampled_from(list(C)), min_size=1, max_size=2),
    checked_purposes=st.frozensets(st.sampled_from(list(Purpose)), min_size=1, max_size=1),
)


@dataclass
class Cast:
    network: Network
    organizations: dict[str, Organization]
    staff: dict[str, dict[str, User]]  # organization key → role → user
    outsider_family: Household


@pytest.fixture
def cast(network: Network, clinic: Organization) -> Cast:
    organizations = {"hub": network.hub, "own": network.frc, "other": network.food_bank, "unrelated": clinic}
    staff = {key: staff_at(organizations[key]) for key in ("own", "other", "unrelated")}
    membership_add(acting_user=None, user=network.oscar, organization=network.hub, role=Role.FAMILY_MEMBER)
    return Cast(network, organizations, staff, another_family(network, network.oscar))


def situations(cast: Cast, world: World) -> list[tuple[User, Situation]]:
    network = cast.network

    def agreements_of(key: str) -> tuple[Terms, ...]:
        return tuple(
            Terms(a.categories, a.purposes, a.status in ("active", "ends_today"))
            for a in world.agreements
            if key in a.parties
        )

    def consents_for(key: str) -> tuple[Terms, ...]:
        return tuple(
            Terms(c.categories, c.purposes, c.status == "given", not c.organizations or key in c.organizations)
            for c in world.consents
        )

    people = [
        (network.admin, Situation(Role.HUB_ADMIN, agreements=agreements_of("hub"), consents=consents_for("hub"))),
        (network.carla, Situation(Role.FAMILY_MEMBER, is_the_family=True)),
        (network.oscar, Situation(Role.FAMILY_MEMBER, is_the_family=False)),
    ]
    for key, staff in cast.staff.items():
        for role, user in staff.items():
            works = (
                key == "own"
                or (key == "other" and world.other_relationship == "active")
                or (key == "unrelated" and role in world.care_team)
            )
            situation = Situation(
                role,
                registered_the_family=key == "own",
                works_with_the_family=works,
                agreements=agreements_of(key),
                consents=consents_for(key),
            )
            people.append((user, situation))
    return people


def build(cast: Cast, world: World) -> Family:
    network, organizations = cast.network, cast.organizations
    family = make_family(network, consent=False)
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    if world.other_relationship != "none":
        other = organizations["other"]
        relationship_start(
            acting_user=None, household=family.household, kind=RelationshipKind.REFERRAL_RECIPIENT, organization=other
        )
        if world.other_relationship == "ended":
            relationship_end(
                acting_user=None,
                household=family.household,
                kind=RelationshipKind.REFERRAL_RECIPIENT,
                organization=other,
            )
    for role in world.care_team:
        relationship_start(
            acting_user=None,
            household=family.household,
            kind=RelationshipKind.CARE_TEAM,
            user=cast.staff["unrelated"][role],
        )
    for a in world.agreements:
        parties = tuple(organizations[key] for key in sorted(a.parties))
        agree(network, parties[0], a.categories, tuple(a.purposes), a.status, parties=parties)
    for c in world.consents:
        named = tuple(organizations[key] for key in sorted(c.organizations))
        consent(network, family, c.categories, tuple(c.purposes), c.status, organizations=named)
    return family


@hypothesis.settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
def test_random_consents_and_agreements_get_the_documented_answer(cast: Cast, world: World) -> None:
    findings = Findings()
    # Each drawn world lives in its own transaction, rolled back, so worlds never mix.
    with transaction.atomic():
        family = build(cast, world)
        for user, situation in situations(cast, world):
            cases = [Case(repr(world), family.household, situation)]
            findings.check(user, cases, world.checked_categories, world.checked_purposes)
        transaction.set_rollback(True)
    assert not findings.unexpected_disclosures and not findings.wrongful_denials, findings.summary()


# --- The audit guard catches a read without an audit entry ------------------------------------------------


def _read_without_audit(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(h.postal_code for h in Household.objects.all()))


def _read_with_audit(request: HttpRequest) -> HttpResponse:
    households = list(Household.objects.all())
    audit_reads(
        user=request.user,  # type: ignore[arg-type]
        membership=None,
        household_ids=[h.pk for h in households],
        categories=[C.IDENTITY_CONTACT],
        purpose=CARE_COORDINATION,
    )
    return HttpResponse(", ".join(h.postal_code for h in households))


def _audit_rolled_back(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        response = _read_with_audit(request)
        transaction.set_rollback(True)
    return response


def _count_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(Household.objects.count() + Person.objects.count()))


def _refusal(request: HttpRequest) -> HttpResponse:
    Household.objects.first()
    raise Http404


urlpatterns = [
    path("read/", _read_without_audit, name="read-without-audit"),
    path("audited/", _read_with_audit, name="read-with-audit"),
    path("rolled-back/", _audit_rolled_back, name="audit-rolled-back"),
    path("count/", _count_only, name="count-only"),
    path("refused/", _refusal, name="refusal"),
]


def test_the_audit_guard_reports_a_family_read_without_an_audit_entry(
    network: Network, audit_guard: AuditGuard, client: Client
) -> None:
    make_family(network)
    with override_settings(ROOT_URLCONF=__name__):
        for url in ("/audited/", "/count/", "/refused/"):
            client.get(url)
        assert audit_guard.expect_unaudited() == []

        client.get("/read/")
        client.get("/rolled-back/")
    found = audit_guard.expect_unaudited()
    assert [read.route for read in found] == ["read-without-audit", "audit-rolled-back"]
    assert all('"families_household"' in read.sql and read.request_id != "-" for read in found)
    assert audit_guard.requests_checked == 5


@pytest.mark.parametrize(
    ("sql", "is_read"),
    [
        ('SELECT "families_household"."id", "families_household"."postal_code" FROM "families_household"', True),
        (
            'SELECT DISTINCT "families_person"."id" FROM "families_person" WHERE "families_person"."account_id" = 3',
            True,
        ),
        ('SELECT COUNT(*) AS "__count" FROM "families_household"', False),
        ('SELECT 1 AS "a" FROM "families_household" WHERE "families_household"."id" = 1 LIMIT 1', False),
        ('SELECT (1) AS "a" FROM "families_household" LIMIT 1', False),
        ('SELECT %s AS "a" FROM "families_person" WHERE "families_person"."account_id" = %s LIMIT 1', False),
        ('SELECT "consent_consent"."id" FROM "consent_consent" WHERE "consent_consent"."household_id" = 1', False),
        ('UPDATE "families_household" SET "postal_code" = 91801', False),
        ('SELECT "families_householdnote"."id" FROM "families_householdnote"', False),
    ],
)
def test_the_audit_guard_knows_a_record_read_from_a_count_or_a_check(sql: str, is_read: bool) -> None:
    assert reads_family_records(sql) is is_read
