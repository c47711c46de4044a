"""Team notes carry a consent category, and the policy decides who reads each: the legal partner's
legal note is read by those the family's consent lets see legal information, never by a clinician
whose organization the legal consent does not name."""

from __future__ import annotations

import pytest
from django.test import Client

from ecwhub.careplans.models import TeamNote, TeamRole
from ecwhub.careplans.selectors import plan_view, staff_plan_open
from ecwhub.careplans.services import PlanError, team_member_add, team_note_add
from ecwhub.consent.models import DataCategory
from tests.careplans.conftest import Team, consent_for, member
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

LEGAL_NOTE = "Eviction notice served; tenant rights hearing on the 14th."
CASE_NOTE = "Team call: the family prefers Tuesday visits."


@pytest.fixture
def staffed(team: Team) -> Team:
    alice = team.network.alice
    for user, organization, role in (
        (team.lena, team.legal_aid, TeamRole.LEGAL_PARTNER),
        (team.dora, team.clinic, TeamRole.CLINICIAN),
    ):
        team_member_add(
            acting_user=alice,
            membership=member(alice),
            household=team.family.household,
            role=role,
            member=user,
            organization=organization,
        )
    # Legal information is shared with legal aid only.
    consent_for(team, [team.legal_aid], [DataCategory.LEGAL])
    return team


def _notes_read_by(team: Team, user: object) -> list[str]:
    opened = staff_plan_open(user=user, membership=member(user), household_id=team.family.household.pk)  # type: ignore[arg-type]
    return [n.text for n in plan_view(opened).notes]


def test_a_legal_note_is_read_by_the_legal_partner_and_not_by_the_clinician(staffed: Team) -> None:
    team = staffed
    team_note_add(
        acting_user=team.lena,
        membership=member(team.lena),
        household=team.family.household,
        text=LEGAL_NOTE,
        category=DataCategory.LEGAL,
    )
    team_note_add(
        acting_user=team.network.alice,
        membership=member(team.network.alice),
        household=team.family.household,
        text=CASE_NOTE,
        category=DataCategory.CASE_NOTES,
    )
    assert sorted(_notes_read_by(team, team.lena)) == sorted([LEGAL_NOTE, CASE_NOTE])
    assert _notes_read_by(team, team.dora) == [CASE_NOTE]
    # Alice's resource center is not named by the legal consent either.
    assert _notes_read_by(team, team.network.alice) == [CASE_NOTE]

    as_dora = signed_in(Client(), team.dora).get(f"/families/{team.family.household.pk}/plan/").content.decode()
    as_lena = signed_in(Client(), team.lena).get(f"/families/{team.family.household.pk}/plan/").content.decode()
    assert CASE_NOTE in as_dora and LEGAL_NOTE not in as_dora and "Eviction" not in as_dora
    assert LEGAL_NOTE in as_lena


def test_a_note_is_written_only_in_a_category_the_author_may_record(staffed: Team) -> None:
    team = staffed
    with pytest.raises(PlanError) as refused:
        team_note_add(
            acting_user=team.dora,
            membership=member(team.dora),
            household=team.family.household,
            text="A legal remark",
            category=DataCategory.LEGAL,
        )
    assert refused.value.field == "category"
    assert not TeamNote.objects.exists()


def test_the_note_is_encrypted_at_rest_and_case_notes_by_default(staffed: Team) -> None:
    from django.db import connection

    client = signed_in(Client(), staffed.network.alice)
    form = client.get(f"/families/{staffed.family.household.pk}/plan/").content.decode()
    assert '<option value="case_notes" selected>' in form
    response = client.post(
        f"/families/{staffed.family.household.pk}/plan/notes/", {"category": "case_notes", "text": CASE_NOTE}
    )
    assert response.status_code == 302
    note = TeamNote.objects.get()
    assert note.category == DataCategory.CASE_NOTES and note.text == CASE_NOTE
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM careplans_teamnote WHERE id = %s", [note.pk])
        stored = cursor.fetchone()[0]
    assert CASE_NOTE not in stored and "Tuesday" not in stored
