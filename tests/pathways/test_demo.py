"""The demo network carries pathways in every state, and a supervisor who reviews them."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from ecwhub.accounts.models import Membership, Role
from ecwhub.demo.data import MAIN_FRC_SLUG, demo_email
from ecwhub.demo.pathways import demo_supervisor
from ecwhub.pathways.models import Pathway, PathwayEvent
from ecwhub.pathways.workflow import Status

pytestmark = pytest.mark.django_db


def test_the_demo_has_pathways_in_every_state_and_a_supervisor() -> None:
    call_command("seed_demo", "--families", "150", "--seed", "2026", "--today", "2026-03-01", stdout=StringIO())
    supervisor = demo_supervisor()
    assert supervisor is not None and supervisor.is_supervisor
    assert supervisor.organization.slug == MAIN_FRC_SLUG and supervisor.role == Role.COORDINATOR
    assert supervisor.user.email != demo_email("coordinator")
    states = set(Pathway.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    assert PathwayEvent.objects.filter(kind="sent_back").exists()
    # Every closure was reviewed by a supervisor of the pathway's organization, never its coordinator.
    closed = list(Pathway.objects.filter(status__in=[Status.COMPLETE, Status.FINISHED_INCOMPLETE]))
    assert closed
    for pathway in closed:
        assert pathway.reviewed_by_id != pathway.coordinator_id
        assert Membership.objects.filter(
            user_id=pathway.reviewed_by_id, organization_id=pathway.organization_id, is_supervisor=True
        ).exists()
    assert Pathway.objects.filter(reviewed_by=supervisor.user).exists()
    complete = Pathway.objects.filter(status=Status.COMPLETE)
    assert all(p.outcome_confirmed_on >= p.confirmable_from for p in complete)  # type: ignore[operator]
    assert all(p.outcome_confirmed_on <= date(2026, 3, 1) for p in complete)  # type: ignore[operator]
