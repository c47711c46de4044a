"""Deciding a pair and acting on it, one reviewer after another: the outcomes a reviewer who
comes second meets (the races themselves are in tests/concurrency, on PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ecwhub.accounts.models import Membership
from ecwhub.families.merging import MergeError
from ecwhub.families.models import Household, HouseholdMerge, Person, PersonMerge
from ecwhub.identity.models import MatchReview
from ecwhub.identity.services import ReviewAlreadyDecided, match_review_decide, match_review_resolve
from tests.conftest import Network
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def _pair(network: Network, first: Family, second: Family) -> MatchReview:
    return MatchReview.objects.create(
        person_a=first.mother, person_b=second.mother, probability=0.7, match_weight=1.2, reasons=[]
    )


def test_same_person_merges_the_families_and_the_records(network: Network) -> None:
    first, second = make_family(network), make_family(network)
    review = _pair(network, first, second)
    decided = match_review_resolve(
        acting_user=network.alice, membership=Membership.objects.get(user=network.alice), review=review, status="same"
    )
    assert decided.status == "same" and decided.decided_by == network.alice
    assert not Household.objects.filter(pk=second.household.pk).exists()
    # One decision, one merge: the families and the person's two records, undone together.
    merge = HouseholdMerge.objects.get()
    assert merge.merged_household_id == second.household.pk and not PersonMerge.objects.exists()
    assert json.loads(merge.snapshot)["person"]["merged"]["id"] == str(second.mother.pk)
    # The pair pointed at both records: the merge keeps it in its snapshot, not in the queue.
    assert not MatchReview.objects.filter(pk=review.pk).exists()


def test_a_pair_removed_by_an_earlier_merge_counts_as_decided(network: Network) -> None:
    first, second = make_family(network), make_family(network)
    review = _pair(network, first, second)
    alice = Membership.objects.get(user=network.alice)
    match_review_resolve(acting_user=network.alice, membership=alice, review=review, status="same")
    for decide in (
        lambda: match_review_decide(acting_user=network.admin, review=review, status="different"),
        lambda: match_review_resolve(acting_user=network.alice, membership=alice, review=review, status="same"),
    ):
        with pytest.raises(ReviewAlreadyDecided):
            decide()
    assert HouseholdMerge.objects.count() == 1


def test_a_pair_whose_record_was_merged_with_a_third_is_out_of_date_and_nothing_is_written(
    network: Network,
) -> None:
    """The stale copy of a pair a reviewer still has on screen: its second record was merged away
    (into the first family) by another decision, which moved this pair onto the survivor."""
    first, second, third = make_family(network), make_family(network), make_family(network)
    Person.objects.filter(pk=third.mother.pk).update(date_of_birth=date(1992, 4, 3))
    alice = Membership.objects.get(user=network.alice)
    stale = _pair(network, third, second)
    match_review_resolve(
        acting_user=network.alice, membership=alice, review=_pair(network, first, second), status="same"
    )
    households, merges = Household.objects.count(), PersonMerge.objects.count()

    with pytest.raises(MergeError, match="changed a moment ago"):
        match_review_resolve(acting_user=network.alice, membership=alice, review=stale, status="same")

    assert Household.objects.count() == households and PersonMerge.objects.count() == merges
    assert MatchReview.objects.get(pk=stale.pk).status == "pending"


def test_different_people_only_records_the_decision(network: Network) -> None:
    first, second = make_family(network), make_family(network)
    review = _pair(network, first, second)
    households = Household.objects.count()
    match_review_resolve(
        acting_user=network.alice,
        membership=Membership.objects.get(user=network.alice),
        review=review,
        status="different",
    )
    assert MatchReview.objects.get(pk=review.pk).status == "different" and Household.objects.count() == households
    with pytest.raises(ValueError, match="status"):
        match_review_resolve(
            acting_user=network.alice, membership=Membership.objects.get(user=network.alice), review=review, status="x"
        )
