"""Two people acting on the same pathway at the same moment, in real parallel PostgreSQL sessions
(``tests/concurrency/conftest.py``): the pathway's row lock lets exactly one win; the other is told
why (``PathwayError``, never a database error), and the history holds one event of the change."""

from __future__ import annotations

import pytest

from ecwhub.pathways.models import Pathway
from ecwhub.pathways.services import pathway_open, pathway_review, pathway_submit
from ecwhub.pathways.workflow import PathwayError, Status
from tests.concurrency.conftest import postgresql_only, together
from tests.referrals.conftest import member

from .conftest import Team, coordinator, food

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 3


def test_two_supervisors_reviewing_one_closure_one_wins(team: Team) -> None:
    sue = coordinator(team.network, "sue@example.org", team.network.frc, supervisor=True)
    reviewers = [(team.sam, member(team.sam)), (sue, member(sue))]
    for _ in range(ROUNDS):
        pathway = pathway_open(
            acting_user=team.alice, membership=member(team.alice), need=team.world.food_need, definition=food()
        )
        pathway_submit(
            acting_user=team.alice,
            membership=member(team.alice),
            pathway_id=pathway.pk,
            closure="incomplete",
            reason="moved_away",
        )

        def review(index: int, pathway_id: object = pathway.pk) -> Pathway:
            user, membership = reviewers[index]
            return pathway_review(
                acting_user=user,
                membership=membership,
                pathway_id=pathway_id,  # type: ignore[arg-type]
                approve=index == 0,
                note="" if index == 0 else "Please try once more.",
            )

        outcomes = together(2, review)
        unexpected = [o.error for o in outcomes if o.error is not None and not isinstance(o.error, PathwayError)]
        assert unexpected == []
        assert len([o for o in outcomes if o.error is None]) == 1
        pathway.refresh_from_db()
        reviews = pathway.events.filter(kind__in=["approved", "sent_back"])
        assert reviews.count() == 1
        if pathway.status == Status.OPEN:  # sent back: close it for the next round
            pathway_submit(
                acting_user=team.alice,
                membership=member(team.alice),
                pathway_id=pathway.pk,
                closure="incomplete",
                reason="moved_away",
            )
            pathway_review(acting_user=team.sam, membership=member(team.sam), pathway_id=pathway.pk, approve=True)
        assert Pathway.objects.get(pk=pathway.pk).status == Status.FINISHED_INCOMPLETE


def test_two_coordinators_opening_the_same_pathway_one_wins(team: Team) -> None:
    actors = [(team.alice, member(team.alice)), (team.dora, member(team.dora))]

    def open_it(index: int) -> Pathway:
        user, membership = actors[index]
        return pathway_open(acting_user=user, membership=membership, need=team.world.food_need, definition=food())

    outcomes = together(2, open_it)
    assert [type(o.error) for o in outcomes if o.error is not None] == [PathwayError]
    assert Pathway.objects.count() == 1
