"""The review queue: deciding a pair in the uncertain band."""

from datetime import date

import pytest

from ecwhub.families.models import Household, Person
from ecwhub.identity.models import MatchReview
from ecwhub.identity.services import ReviewAlreadyDecided, match_review_decide
from tests.conftest import Network

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(network: Network) -> MatchReview:
    people = []
    for organization, given in ((network.frc, "Rocío"), (network.food_bank, "Chío")):
        household = Household.objects.create(registered_by=organization, preferred_language="es", postal_code="91801")
        people.append(
            Person.objects.create(
                household=household,
                relationship="caregiver",
                given_name=given,
                family_name="Vega",
                date_of_birth=date(1990, 5, 6),
                preferred_language="es",
            )
        )
    return MatchReview.objects.create(
        person_a=people[0],
        person_b=people[1],
        probability=0.7,
        match_weight=1.2,
        reasons=[["given_nickname", ["Rocío", "Chío"]], ["dob_same", []]],
    )


def test_a_reviewer_decides_a_pending_pair(network: Network, review: MatchReview) -> None:
    decided = match_review_decide(acting_user=network.alice, review=review, status="same")
    review.refresh_from_db()
    assert review.status == MatchReview.Status.SAME == decided.status
    assert review.decided_by == network.alice and review.decided_at is not None


def test_a_decided_pair_cannot_be_decided_again(network: Network, review: MatchReview) -> None:
    match_review_decide(acting_user=network.alice, review=review, status="different")
    with pytest.raises(ReviewAlreadyDecided):
        match_review_decide(acting_user=network.admin, review=review, status="same")
    review.refresh_from_db()
    assert review.status == MatchReview.Status.DIFFERENT and review.decided_by == network.alice


def test_only_same_or_different_are_decisions(network: Network, review: MatchReview) -> None:
    with pytest.raises(ValueError, match="status"):
        match_review_decide(acting_user=network.alice, review=review, status="pending")
    review.refresh_from_db()
    assert review.status == MatchReview.Status.PENDING and review.decided_at is None


def test_reasons_are_rendered_in_words(review: MatchReview) -> None:
    texts = [str(text) for text in review.reason_texts]
    assert texts == ["given name and its nickname: Rocío / Chío", "same date of birth"]
