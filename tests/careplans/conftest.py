"""A family's care team in the making: the family resource center registered the family and Alice
is its designated coordinator; a clinic (Dora, clinician) and legal aid (Lena, whose legal-aid
membership works with families as a coordinator) may join under an agreement and the family's
consent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pytest

from ecwhub.accounts.models import Membership, Organization, OrganizationKind, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import DataCategory, Purpose, RelationshipKind
from ecwhub.consent.services import agreement_create, consent_record, relationship_start
from ecwhub.core.needs import Need
from ecwhub.screening.catalog import need_category
from ecwhub.screening.models import IdentifiedNeed
from tests.conftest import Network
from tests.consent.conftest import Family, make_family


@dataclass
class Team:
    network: Network
    family: Family
    clinic: Organization
    legal_aid: Organization
    dora: User  # clinician at the clinic
    lena: User  # legal partner at legal aid


def member(user: User) -> Membership:
    return Membership.objects.filter(user=user, is_active=True).select_related("organization").get()


def agreement(network: Network, parties: Iterable[Organization], categories: Iterable[str] | None = None) -> None:
    agreement_create(
        acting_user=network.admin,
        membership=member(network.admin),
        title="Care team agreement",
        parties=list(parties),
        categories=list(categories or DataCategory),
        purposes=[Purpose.CARE_COORDINATION, Purpose.REFERRAL],
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-12",
    )


def consent_for(team: Team, organizations: list[Organization], categories: Iterable[str]) -> None:
    """The mother consents to share ``categories`` with these organizations only."""
    consent_record(
        acting_user=team.network.alice,
        membership=member(team.network.alice),
        household=team.family.household,
        given_by=team.family.mother,
        method="signed_on_device",
        categories=list(categories),
        purposes=[Purpose.CARE_COORDINATION],
        network_wide=False,
        organizations=organizations,
        text_version="2026-1",
        language="es",
    )


def designate(network: Network, family: Family, user: User) -> None:
    relationship_start(
        acting_user=None, household=family.household, kind=RelationshipKind.DESIGNATED_COORDINATOR, user=user
    )


def need(family: Family, kind: str = Need.FOOD_INSECURITY) -> IdentifiedNeed:
    return IdentifiedNeed.objects.create(
        household=family.household, need=kind, category=need_category(kind), status=IdentifiedNeed.Status.WANTS_HELP
    )


def make_team(network: Network, *, with_agreement: bool = True) -> Team:
    family = make_family(network)
    designate(network, family, network.alice)
    clinic = Organization.objects.create(name="Valle Clinic", slug="clinic", kind=OrganizationKind.CLINIC)
    legal_aid = Organization.objects.create(name="Legal Aid Valley", slug="legal", kind=OrganizationKind.LEGAL_AID)
    dora = User.objects.create_user("dora@example.org", "x", first_name="Dora", last_name="Doctor")
    lena = User.objects.create_user("lena@example.org", "x", first_name="Lena", last_name="Lawyer")
    membership_add(acting_user=None, user=dora, organization=clinic, role=Role.CLINICIAN)
    membership_add(acting_user=None, user=lena, organization=legal_aid, role=Role.COORDINATOR)
    if with_agreement:
        agreement(network, [network.frc, clinic, legal_aid])
    return Team(network, family, clinic, legal_aid, dora, lena)


@pytest.fixture
def team(network: Network) -> Team:
    return make_team(network)


# The shared Chromium for this folder's browser tests, defined once for the package (as in tests/care).
from tests.browser.conftest import _sync_orm_beside_playwright, browser  # noqa: E402, F401
