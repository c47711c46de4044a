"""The tier and the surveillance keep their history: a change appends a row, a recompute that
changes nothing appends none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ecwhub.care.models import CareEvent, SurveillanceChange, TierChange
from ecwhub.care.services import household_tier_recompute
from tests.conftest import Network
from tests.consent.conftest import Family

from .conftest import child, screened

pytestmark = pytest.mark.django_db


def test_a_tier_change_is_kept_and_an_unchanged_recompute_adds_nothing(network: Network, family: Family) -> None:
    household_tier_recompute([family.household.pk])
    (first,) = TierChange.objects.filter(household=family.household)
    assert first.from_tier is None and first.to_tier < 3
    household_tier_recompute([family.household.pk])
    assert TierChange.objects.filter(household=family.household).count() == 1
    screened(family, network, totals={"epds-total": 15})
    household_tier_recompute([family.household.pk])
    changes = list(TierChange.objects.filter(household=family.household).order_by("changed_at", "id"))
    assert [(c.from_tier, c.to_tier) for c in changes] == [(None, first.to_tier), (first.to_tier, 3)]
    assert any(r["rule"] for r in changes[-1].reasons)


def test_a_childs_overdue_items_keep_their_history(network: Network, family: Family) -> None:
    today = timezone.localdate()
    kid = child(family.household, today - timedelta(days=int(20 * 30.44)), name="Tardía")
    household_tier_recompute([family.household.pk])
    (first,) = SurveillanceChange.objects.filter(person=kid)
    assert first.from_overdue is None and first.to_overdue > 0 and first.overdue_kinds
    for kind in first.overdue_kinds.split(","):
        CareEvent.objects.create(person=kid, household=family.household, kind=kind, date=today)
    household_tier_recompute([family.household.pk])
    changes = list(SurveillanceChange.objects.filter(person=kid).order_by("id"))
    assert len(changes) == 2 and changes[1].from_overdue == first.to_overdue
    assert changes[1].to_overdue < first.to_overdue
    household_tier_recompute([family.household.pk])
    assert SurveillanceChange.objects.filter(person=kid).count() == 2
