"""Ten reviewers answer "same person" for one pair at the same moment: one merge (one row, the
families and the person together), and every other reviewer is told that the pair was already
decided; nobody meets an error page."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from ecwhub.accounts.models import Membership
from ecwhub.families.merging import MergeError
from ecwhub.families.models import Household, HouseholdMerge, Person, PersonMerge
from ecwhub.identity.models import MatchReview
from ecwhub.identity.services import ReviewAlreadyDecided, match_review_resolve
from tests.concurrency.conftest import errors, postgresql_only, together
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

REVIEWERS = 10
MERGED = "The two records are now one. You can undo this from the family's page."
TOO_LATE = "This pair was already decided: it is no longer waiting in the queue."


def _pair(network: Network) -> tuple[Family, Family, MatchReview]:
    """The same mother registered twice, in two families."""
    first, second = make_family(network), make_family(network)
    Person.objects.filter(pk=second.mother.pk).update(family_name="Garsia", date_of_birth=date(1992, 3, 4))
    review = MatchReview.objects.create(
        person_a=first.mother, person_b=second.mother, probability=0.71, match_weight=1.3, reasons=[]
    )
    return first, second, review


def test_ten_same_person_answers_through_the_page_merge_once_and_tell_the_others(network: Network) -> None:
    first, second, review = _pair(network)
    households, people = Household.objects.count(), Person.objects.count()
    # Django's test client re-raises a view's exception through a signal every client listens to,
    # so in threads it would blame them all: each answers with its own status code instead.
    browsers = [signed_in(Client(raise_request_exception=False), network.alice) for _ in range(REVIEWERS)]

    outcomes = together(REVIEWERS, lambda i: browsers[i].post(f"/families/review/{review.pk}/", {"decision": "same"}))

    assert errors(outcomes) == []
    responses = [outcome.value for outcome in outcomes]
    failed = [r.status_code for r in responses if r.status_code >= 500]
    assert failed == [], f"{len(failed)} of {REVIEWERS} reviewers met an error page"
    # Every reviewer is sent back to the queue with a message, whether they waited for the first
    # decision or arrived after it was committed (the pair is then gone from the table).
    assert {response.status_code for response in responses} == {302}
    said = [[str(m) for m in get_messages(r.wsgi_request)] for r in responses if r.status_code == 302]
    assert [messages for messages in said if messages == [MERGED]] == [[MERGED]]
    assert all(messages in ([MERGED], [TOO_LATE]) for messages in said), said

    assert HouseholdMerge.objects.count() == 1 and PersonMerge.objects.count() == 0
    assert Household.objects.count() == households - 1
    assert Person.objects.count() == people - 1
    assert not Person.objects.filter(pk=second.mother.pk).exists()
    assert Person.objects.filter(household=first.household).count() == 5  # 3 + 3 - the mother counted twice


def test_ten_same_person_decisions_merge_once_and_the_others_find_it_decided(network: Network) -> None:
    first, second, review = _pair(network)
    membership = Membership.objects.get(user=network.alice)

    outcomes = together(
        REVIEWERS,
        lambda i: match_review_resolve(
            acting_user=network.alice, membership=membership, review=review, status=MatchReview.Status.SAME
        ),
    )

    unexpected = [o.error for o in outcomes if o.error is not None and not isinstance(o.error, ReviewAlreadyDecided)]
    assert unexpected == [], f"not the domain's answer: {unexpected!r}"
    assert len([o for o in outcomes if o.error is None]) == 1
    assert HouseholdMerge.objects.count() == 1 and PersonMerge.objects.count() == 0
    assert not Person.objects.filter(pk=second.mother.pk).exists()
    assert Person.objects.filter(household=first.household).count() == 5


def test_same_and_different_at_once_record_one_decision(network: Network) -> None:
    membership = Membership.objects.get(user=network.alice)
    decisions = [MatchReview.Status.SAME, MatchReview.Status.DIFFERENT]
    for _ in range(3):
        first, second, review = _pair(network)

        outcomes = together(
            2,
            lambda i, r=review: match_review_resolve(
                acting_user=network.alice, membership=membership, review=r, status=decisions[i]
            ),
        )

        assert [type(o.error) for o in outcomes if o.error is not None] == [ReviewAlreadyDecided]
        merged = not Person.objects.filter(pk=second.mother.pk).exists()
        if merged:  # "same" went first; the pair is kept in the merge's snapshot
            assert outcomes[0].error is None and not MatchReview.objects.filter(pk=review.pk).exists()
        else:
            assert outcomes[1].error is None and MatchReview.objects.get(pk=review.pk).status == "different"
            assert Household.objects.filter(pk__in=[first.household.pk, second.household.pk]).count() == 2


def test_two_pairs_sharing_a_record_decided_at_once_merge_one_and_the_other_is_told_it_changed(
    network: Network,
) -> None:
    """The same mother registered three times: pairs (first, second) and (third, second) are
    both answered "same" at the same moment. Merging one moves the other pair onto the survivor,
    so the second reviewer is looking at an out-of-date pair."""
    membership = Membership.objects.get(user=network.alice)
    for _ in range(3):
        first, second, review = _pair(network)
        third = make_family(network)
        other = MatchReview.objects.create(
            person_a=third.mother, person_b=second.mother, probability=0.7, match_weight=1.2, reasons=[]
        )
        reviews = [review, other]

        outcomes = together(
            2,
            lambda i, reviews=reviews: match_review_resolve(
                acting_user=network.alice, membership=membership, review=reviews[i], status=MatchReview.Status.SAME
            ),
        )

        refused = [o.error for o in outcomes if o.error is not None]
        assert len(refused) == 1 and isinstance(refused[0], MergeError), refused
        assert "changed a moment ago" in str(refused[0])
        assert not Person.objects.filter(pk=second.mother.pk).exists()
        assert HouseholdMerge.objects.filter(merged_household_id=second.household.pk).count() == 1
        # The pair left over now joins the survivor and the third record, and waits for a reviewer again.
        (left,) = MatchReview.objects.filter(status="pending", pk__in=[review.pk, other.pk])
        winner = first if outcomes[0].error is None else third
        assert {left.person_a_id, left.person_b_id} == {
            winner.mother.pk,
            (third if winner is first else first).mother.pk,
        }


def test_two_pairs_sharing_a_record_answered_at_once_through_the_page_give_messages_not_errors(
    network: Network,
) -> None:
    changed = "These records changed a moment ago. Nothing was changed; look at them again."
    for _ in range(3):
        browsers = [signed_in(Client(raise_request_exception=False), network.alice) for _ in range(2)]
        _first, second, review = _pair(network)
        third = make_family(network)
        other = MatchReview.objects.create(
            person_a=third.mother, person_b=second.mother, probability=0.7, match_weight=1.2, reasons=[]
        )
        paths = [f"/families/review/{review.pk}/", f"/families/review/{other.pk}/"]

        outcomes = together(
            2, lambda i, paths=paths, browsers=browsers: browsers[i].post(paths[i], {"decision": "same"})
        )

        assert errors(outcomes) == []
        responses = [outcome.value for outcome in outcomes]
        assert [r.status_code for r in responses] == [302, 302]
        said = [[str(m) for m in get_messages(r.wsgi_request)] for r in responses]
        assert [MERGED] in said and all(messages in ([MERGED], [changed]) for messages in said), said
        assert not Person.objects.filter(pk=second.mother.pk).exists()


def test_ten_undos_of_one_decision_at_once_restore_everything_once(network: Network) -> None:
    first, second, review = _pair(network)
    households, people = Household.objects.count(), Person.objects.count()
    client = signed_in(Client(), network.alice)
    assert client.post(f"/families/review/{review.pk}/", {"decision": "same"}).status_code == 302
    (merge,) = HouseholdMerge.objects.all()
    browsers = [signed_in(Client(raise_request_exception=False), network.alice) for _ in range(REVIEWERS)]
    path = f"/families/{first.household.pk}/merges/{merge.pk}/undo/"

    outcomes = together(REVIEWERS, lambda i: browsers[i].post(path))

    assert errors(outcomes) == []
    responses = [outcome.value for outcome in outcomes]
    assert {r.status_code for r in responses} == {302}, [r.status_code for r in responses]
    said = [[str(m) for m in get_messages(r.wsgi_request)] for r in responses]
    undone = "The merge was undone: both records are back as they were."
    assert said.count([undone]) == 1, said
    assert all(messages in ([undone], ["This merge was already undone."]) for messages in said), said
    assert (Household.objects.count(), Person.objects.count()) == (households, people)
    assert Person.objects.get(pk=second.mother.pk).household_id == second.household.pk
