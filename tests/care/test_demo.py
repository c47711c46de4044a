"""The demo network carries preventive-care histories, EPSDT records, contacts and tiers."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from ecwhub.accounts.models import Membership, Role
from ecwhub.care.models import (
    CareEvent,
    CareTask,
    ChildSurveillance,
    Contact,
    ContactParticipant,
    ContactTopic,
    EpsdtNecessity,
    Funding,
    TierAssignment,
)
from ecwhub.families.models import Household

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


def test_the_demo_has_tiers_overdue_children_epsdt_and_contacts() -> None:
    call_command("seed_demo", "--families", "120", "--seed", "2026", "--today", TODAY.isoformat(), stdout=StringIO())
    households = Household.objects.count()
    assert TierAssignment.objects.count() == households
    tiers = dict(TierAssignment.objects.values("tier").annotate(n=Count("pk")).values_list("tier", "n"))
    assert set(tiers) == {1, 2, 3}, tiers
    assert CareEvent.objects.filter(kind="well_child_visit").count() > households
    assert ChildSurveillance.objects.filter(overdue_count__gt=0).exists()
    assert (
        ChildSurveillance.objects.filter(overdue_count=0).count()
        > ChildSurveillance.objects.filter(overdue_count__gt=0).count()
    )
    epsdt = EpsdtNecessity.objects.values_list("household_id", flat=True)
    assert epsdt
    assert set(TierAssignment.objects.filter(household_id__in=epsdt).values_list("tier", flat=True)) == {3}
    assert Contact.objects.exists()
    # Encounters of every kind, with minutes, participants (some dyadic), topics and funding.
    assert set(Contact.objects.values_list("method", flat=True)) == set(Contact.Method.values)
    reached = Contact.objects.filter(reached=True)
    assert not reached.filter(minutes__isnull=True).exists()
    assert reached.filter(dyadic=True).exists() and reached.filter(dyadic=False).exists()
    assert ContactParticipant.objects.exists() and ContactTopic.objects.exists()
    assert set(reached.exclude(funding="").values_list("funding", flat=True)) == set(Funding.values)
    # Tasks due today and past due for the demo coordinators.
    owners = set(CareTask.objects.values_list("owner_id", flat=True))
    assert owners and owners <= set(Membership.objects.filter(role=Role.COORDINATOR).values_list("user_id", flat=True))
    assert CareTask.objects.filter(due=TODAY, done_at__isnull=True).exists()
    assert CareTask.objects.filter(due__lt=TODAY, done_at__isnull=True).exists()
    # Tier explanations name real reasons.
    explained = TierAssignment.objects.filter(tier=3).exclude(reasons=[]).first()
    assert explained is not None and explained.reasons[0]["kind"]
