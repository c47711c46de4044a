"""Tiers computed from the family's screening results, needs and EPSDT records, and kept current."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.care.models import CareEvent, CareEventKind, EpsdtNecessity, TierAssignment
from ecwhub.care.services import CareError, epsdt_end, epsdt_record, household_tier_recompute, tiers_recompute_all
from ecwhub.care.tiers import Reason, explain
from ecwhub.screening.models import IdentifiedNeed
from ecwhub.screening.services import need_set_status
from tests.care.conftest import days_ago, screened
from tests.conftest import Network
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def _visit(family: Family, days: int) -> None:
    CareEvent.objects.create(
        person=family.child,
        household=family.household,
        kind=CareEventKind.WELL_CHILD_VISIT,
        date=timezone.localdate() - timedelta(days=days),
    )


def assignment(family: Family) -> tuple[int, str]:
    row = TierAssignment.objects.get(household=family.household)
    return row.tier, explain(row.tier, [Reason.from_json(r) for r in row.reasons], "en")


def test_the_default_rules_explain_the_tier_from_the_family_screens(network: Network, family: Family) -> None:
    screened(family, network, totals={"epds-total": 14}, needs=("housing-instability",))
    household_tier_recompute([family.household.pk])
    tier, text = assignment(family)
    assert tier == 3
    # No well-child visit for the child: no medical home.
    assert text == "Tier 3 because: EPDS 14, housing instability, no medical home"


def test_a_newer_negative_screen_replaces_an_older_positive_one(network: Network, family: Family) -> None:
    _visit(family, 30)
    screened(family, network, totals={"epds-total": 14}, at=days_ago(60))
    screened(family, network, totals={"epds-total": 4}, positive=False, at=days_ago(1))
    household_tier_recompute([family.household.pk])
    assert assignment(family)[0] == 1
    row = TierAssignment.objects.get(household=family.household)
    # The newest positive screen still orders the worklist.
    assert row.latest_positive_screen_at is not None and row.latest_positive_screen_at < days_ago(50)


def test_a_need_the_family_declines_help_with_no_longer_raises_the_tier(network: Network, family: Family) -> None:
    _visit(family, 30)
    screened(family, network, instrument="ahc-hrsn-core", needs=("food-insecurity",))
    household_tier_recompute([family.household.pk])
    assert assignment(family) == (2, "Tier 2 because: food insecurity")
    need = IdentifiedNeed.objects.get(household=family.household)
    need_set_status(
        acting_user=network.alice,
        membership=Membership.objects.get(user=network.alice),
        need=need,
        status=IdentifiedNeed.Status.DECLINED_HELP,
    )
    # Recomputed by the need's status change, without an explicit call.
    assert assignment(family)[0] == 1


def test_epsdt_keeps_the_family_comprehensive_until_a_clinician_ends_it(
    network: Network, family: Family, clinician: Membership
) -> None:
    _visit(family, 30)
    household_tier_recompute([family.household.pk])
    assert assignment(family)[0] == 1
    record = epsdt_record(
        acting_user=network.oscar, membership=clinician, person=family.child, reason="Speech therapy, ICD F80.1"
    )
    tier, text = assignment(family)
    assert tier == 3 and "EPSDT medical necessity" in text
    # The nightly recompute keeps it.
    tiers_recompute_all()
    assert assignment(family)[0] == 3
    epsdt_end(acting_user=network.oscar, membership=clinician, record=record)
    assert assignment(family)[0] == 1
    assert EpsdtNecessity.objects.filter(pk=record.pk, ended_at__isnull=False).exists()


def test_only_a_clinician_may_record_epsdt(network: Network, family: Family) -> None:
    alice = Membership.objects.get(user=network.alice)
    with pytest.raises(CareError) as refused:
        epsdt_record(acting_user=network.alice, membership=alice, person=family.child, reason="x")
    assert refused.value.field == "__all__"
    assert not EpsdtNecessity.objects.exists()


def test_a_clinician_without_access_to_the_family_gets_not_found(network: Network, clinician: Membership) -> None:
    from ecwhub.accounts.models import Role
    from ecwhub.accounts.services import membership_add

    elsewhere = membership_add(acting_user=None, user=network.bob, organization=network.food_bank, role=Role.CLINICIAN)
    other = make_family(network)
    with pytest.raises(Http404):
        epsdt_record(acting_user=network.bob, membership=elsewhere, person=other.child, reason="x")


def test_epsdt_needs_a_reason_and_a_child(network: Network, family: Family, clinician: Membership) -> None:
    with pytest.raises(CareError) as empty:
        epsdt_record(acting_user=network.oscar, membership=clinician, person=family.child, reason="  ")
    assert empty.value.field == "reason"
    with pytest.raises(CareError) as adult:
        epsdt_record(acting_user=network.oscar, membership=clinician, person=family.mother, reason="x")
    assert adult.value.field == "person"


def test_a_completed_screen_changes_the_tier_the_coordinator_sees(network: Network, family: Family) -> None:
    """Through the screening app's own services: the tier and its reason follow at once."""
    from django.test import Client

    from ecwhub.screening import scoring
    from ecwhub.screening.services import screening_answer, screening_complete, screening_start
    from tests.care.conftest import consent_to_behavioral_health
    from tests.conftest import signed_in

    _visit(family, 30)
    consent_to_behavioral_health(network, family)
    alice = Membership.objects.get(user=network.alice)
    epds = scoring.load_instrument("epds")
    response = screening_start(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        person=family.mother,
        instrument_id="epds",
        language="es",
    )
    self_harm = {link for rule in epds.rules if rule.outcome.urgent == "self-harm" for link in rule.items}
    for item in epds.items:
        wanted = 0 if item.link_id in self_harm else 2
        option = next(o for o in item.options if o.score == wanted)
        screening_answer(
            acting_user=network.alice, membership=alice, response=response, link_id=item.link_id, answer=[option.code]
        )
    screening_complete(acting_user=network.alice, membership=alice, response=response)
    tier, text = assignment(family)
    assert tier == 3
    assert "EPDS 18" in text
    body = signed_in(Client(), network.alice).get("/care/worklist/").content.decode()
    assert "EPDS 18" in body
