"""The care team: family members of the household, staff of other organizations only under an
agreement in force and the family's consent (the care team relationship starts and ends with the
membership), and a young person only from 12."""

from __future__ import annotations

import pytest
from django.test import Client

from ecwhub.careplans.models import CareTeamMember, TeamRole
from ecwhub.careplans.services import PlanError, team_member_add, team_member_remove
from ecwhub.consent.models import DataCategory, Purpose, Relationship, RelationshipKind
from ecwhub.consent.policy import decide
from ecwhub.core.errors import NotFound
from tests.careplans.conftest import Team, consent_for, make_team, member
from tests.conftest import Network, signed_in
from tests.consent.conftest import make_family

pytestmark = pytest.mark.django_db

CARE_TEAM = RelationshipKind.CARE_TEAM


def _add_lena(team: Team, role: str = TeamRole.LEGAL_PARTNER) -> CareTeamMember:
    alice = team.network.alice
    return team_member_add(
        acting_user=alice,
        membership=member(alice),
        household=team.family.household,
        role=role,
        member=team.lena,
        organization=team.legal_aid,
    )


def _lena_reads_plan(team: Team) -> bool:
    return bool(
        decide(
            user=team.lena,
            membership=member(team.lena),
            household=team.family.household,
            category=DataCategory.CARE_PLAN,
            purpose=Purpose.CARE_COORDINATION,
        )
    )


def _relationships(team: Team) -> list[Relationship]:
    return list(Relationship.objects.filter(household=team.family.household, kind=CARE_TEAM, user=team.lena))


def test_staff_of_another_organization_is_refused_without_an_agreement(network: Network) -> None:
    team = make_team(network, with_agreement=False)
    with pytest.raises(PlanError) as refused:
        _add_lena(team)
    assert refused.value.field == "organization"
    assert "Legal Aid Valley" in str(refused.value) and "agreement" in str(refused.value)
    assert not CareTeamMember.objects.exists() and not _relationships(team)
    assert not _lena_reads_plan(team)


def test_staff_of_another_organization_is_refused_without_the_familys_consent(network: Network) -> None:
    team = make_team(network)
    # The family's only consent names the resource center, not legal aid.
    family = make_family(network, consent=False)
    team.family = family
    from tests.careplans.conftest import designate

    designate(network, family, network.alice)
    consent_for(team, [network.frc], list(DataCategory))
    with pytest.raises(PlanError) as refused:
        _add_lena(team)
    assert refused.value.field == "organization"
    assert "consent" in str(refused.value)
    assert not CareTeamMember.objects.exists() and not _relationships(team)


def test_staff_join_with_agreement_and_consent_and_leave_with_their_access(team: Team) -> None:
    assert not _lena_reads_plan(team)
    row = _add_lena(team)
    assert row.relationship is not None and row.relationship.kind == CARE_TEAM
    assert [r.ended_at for r in _relationships(team)] == [None]
    assert _lena_reads_plan(team)

    team_member_remove(acting_user=team.network.alice, membership=member(team.network.alice), member_id=row.pk)
    row.refresh_from_db()
    assert row.removed_at is not None and row.removed_by == team.network.alice
    assert all(r.ended_at is not None for r in _relationships(team))
    assert not _lena_reads_plan(team)
    # Removing twice is refused, and changes nothing.
    with pytest.raises(PlanError):
        team_member_remove(acting_user=team.network.alice, membership=member(team.network.alice), member_id=row.pk)


def test_a_young_person_joins_only_from_12(team: Team) -> None:
    alice = team.network.alice
    add = dict(acting_user=alice, membership=member(alice), household=team.family.household, role=TeamRole.YOUTH)
    with pytest.raises(PlanError) as refused:
        team_member_add(**add, person=team.family.child)  # born 2023
    assert refused.value.field == "person"
    assert not CareTeamMember.objects.exists()
    row = team_member_add(**add, person=team.family.teen)  # born 2012
    assert row.role == TeamRole.YOUTH and row.person == team.family.teen and row.relationship is None


def test_a_caregiver_is_an_adult_of_the_family(team: Team, network: Network) -> None:
    alice = team.network.alice
    add = dict(acting_user=alice, membership=member(alice), household=team.family.household, role=TeamRole.CAREGIVER)
    with pytest.raises(PlanError) as refused:
        team_member_add(**add, person=team.family.child)
    assert refused.value.field == "person"
    other = make_family(network)
    with pytest.raises(PlanError) as refused:
        team_member_add(**add, person=other.mother)
    assert refused.value.field == "person"
    team_member_add(**add, person=team.family.mother)
    with pytest.raises(PlanError) as twice:
        team_member_add(**add, person=team.family.mother)
    assert twice.value.field == "person"
    assert CareTeamMember.objects.count() == 1


def test_someone_who_may_not_see_the_family_cannot_change_its_team(team: Team) -> None:
    # Dora's clinic is party to the agreement, but she has no relationship with the family.
    with pytest.raises(NotFound):
        team_member_add(
            acting_user=team.dora,
            membership=member(team.dora),
            household=team.family.household,
            role=TeamRole.CAREGIVER,
            person=team.family.mother,
        )


def test_the_team_page_adds_and_removes_and_names_the_reason_of_a_refusal(network: Network) -> None:
    team = make_team(network, with_agreement=False)
    client = signed_in(Client(), network.alice)
    url = f"/families/{team.family.household.pk}/plan/team/"
    refused = client.post(
        url, {"role": TeamRole.LEGAL_PARTNER, "email": "lena@example.org", "organization": team.legal_aid.pk}
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'role="alert"' in body and "no data sharing agreement in force" in body
    assert 'id="team-organization_errors"' in body
    assert not CareTeamMember.objects.exists()

    added = client.post(url, {"role": TeamRole.CAREGIVER, "person": str(team.family.mother.pk)})
    assert added.status_code == 302
    row = CareTeamMember.objects.get()
    page = client.get(f"/families/{team.family.household.pk}/plan/")
    assert page.status_code == 200 and "María García" in page.content.decode()
    removed = client.post(f"/families/{team.family.household.pk}/plan/team/{row.pk}/remove/")
    assert removed.status_code == 302
    row.refresh_from_db()
    assert row.removed_at is not None
