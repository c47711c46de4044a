"""The demo network carries care teams (with a clinician and a legal partner), goals in the
family's words in Spanish and English, progress, barriers of several reasons, and a family comment
waiting for an answer."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecwhub.careplans.models import Barrier, CareTeamMember, Goal, GoalProgress, TeamNote, TeamRole
from ecwhub.careplans.selectors import unanswered_comments
from ecwhub.consent.models import Relationship, RelationshipKind
from ecwhub.demo import data

pytestmark = pytest.mark.django_db


def test_the_demo_has_teams_plans_barriers_and_a_waiting_comment() -> None:
    call_command(
        "seed_demo",
        "--families",
        "120",
        "--seed",
        "2026",
        "--today",
        timezone.localdate().isoformat(),
        stdout=StringIO(),
    )
    roles = set(CareTeamMember.objects.values_list("role", flat=True))
    assert {TeamRole.CAREGIVER, TeamRole.CLINICIAN, TeamRole.LEGAL_PARTNER} <= roles
    staff = CareTeamMember.objects.filter(user__isnull=False)
    assert staff.exists()
    # Every staff member on a team holds the care team relationship that gives them access.
    for row in staff:
        assert Relationship.objects.filter(
            household=row.household_id, user=row.user_id, kind=RelationshipKind.CARE_TEAM, ended_at__isnull=True
        ).exists()
    assert set(Goal.objects.values_list("language", flat=True)) == {"es", "en"}
    assert Goal.objects.filter(language="es", text__isnull=False).exists()
    assert GoalProgress.objects.filter(by_family=False).exists()
    assert len(set(Barrier.objects.values_list("reason", flat=True))) >= 4
    assert TeamNote.objects.exists()
    waiting = unanswered_comments()
    assert waiting.filter(person__account__email=data.demo_email("family")).exists()
