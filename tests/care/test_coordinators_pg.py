"""Two people giving the same family a designated coordinator at the same moment, in real
parallel PostgreSQL sessions (``tests/concurrency/conftest.py``): the database's one-coordinator
rule lets exactly one win; the other gets ``CoordinatorError`` (never a database error), and the
family ends with one coordinator and one assignment in its history. A few rounds on fresh
families, because one round may happen not to interleave."""

from __future__ import annotations

import pytest

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.care.coordinators import CoordinatorError, coordinator_assign
from ecwhub.care.models import CoordinatorAssignment
from ecwhub.consent.models import Relationship, RelationshipKind
from tests.concurrency.conftest import postgresql_only, together
from tests.conftest import Network
from tests.consent.conftest import make_family

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 4


def test_two_concurrent_assignments_one_wins_the_other_is_told(network: Network) -> None:
    dora = User.objects.create_user("dora@example.org", "x", first_name="Dora")
    membership_add(acting_user=None, user=dora, organization=network.frc, role=Role.COORDINATOR)
    alice = Membership.objects.get(user=network.alice)
    candidates = [network.alice, dora]
    told: list[str] = []
    for _ in range(ROUNDS):
        household = make_family(network).household

        def assign(index: int, household: object = household) -> CoordinatorAssignment:
            return coordinator_assign(
                acting_user=network.alice,
                membership=alice,
                household=household,  # type: ignore[arg-type]
                coordinator=candidates[index],
            )

        outcomes = together(2, assign)
        unexpected = [o.error for o in outcomes if o.error is not None and not isinstance(o.error, CoordinatorError)]
        assert unexpected == [], f"not a coordinator error: {unexpected!r}"
        winners = [o.value for o in outcomes if o.error is None]
        losers = [o.error for o in outcomes if o.error is not None]
        assert len(winners) == 1 and len(losers) == 1
        told.append(str(losers[0]))
        assert losers[0].field == "coordinator"  # type: ignore[union-attr]
        active = Relationship.objects.filter(
            household=household, kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True
        )
        assert list(active.values_list("user_id", flat=True)) == [winners[0].to_user_id]
        assert CoordinatorAssignment.objects.filter(household=household).count() == 1
    # At least one round raced past the check in code: the database's constraint refused it.
    assert any("Someone else has just given this family a designated coordinator" in t for t in told), told
