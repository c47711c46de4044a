"""Two people merging (or undoing a merge of) the same records at the same moment.

Whatever the interleaving, one of them wins and the other gets a ``MergeError`` that says what
happened (never a database error, a deadlock or a missing-row exception), and the records are
whole: every person in exactly one existing family, every merge row pointing at an existing one.
Each race runs a few rounds on fresh families, because one round may happen not to interleave.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ecwhub.accounts.models import Membership
from ecwhub.families.merging import MergeError, household_merge, household_unmerge, person_merge, person_unmerge
from ecwhub.families.models import Household, HouseholdMerge, Person, PersonMerge
from tests.concurrency.conftest import Outcome, postgresql_only, together
from tests.conftest import Network
from tests.consent.conftest import Family, make_family

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 4


def _alice(network: Network) -> Membership:
    return Membership.objects.get(user=network.alice)


def _split(outcomes: list[Outcome]) -> tuple[list[Any], list[MergeError]]:
    """(values of the calls that went through, their MergeErrors); any other exception fails the test."""
    unexpected = [o.error for o in outcomes if o.error is not None and not isinstance(o.error, MergeError)]
    assert unexpected == [], f"not a merge error: {unexpected!r}"
    return [o.value for o in outcomes if o.error is None], [
        o.error for o in outcomes if isinstance(o.error, MergeError)
    ]


def _records_are_whole() -> None:
    households = set(Household.objects.values_list("pk", flat=True))
    assert set(Person.objects.values_list("household_id", flat=True)) <= households
    assert set(PersonMerge.objects.values_list("household_id", flat=True)) <= households
    assert set(HouseholdMerge.objects.values_list("survivor_id", flat=True)) <= households


def _twin(family: Family) -> Person:
    """The mother registered a second time in her own family."""
    mother = family.mother
    return Person.objects.create(
        household=family.household,
        relationship=mother.relationship,
        given_name=mother.given_name,
        family_name="Garsia",
        date_of_birth=mother.date_of_birth,
        preferred_language=mother.preferred_language,
        phone="626-555-0123",
    )


def _race(network: Network, calls: list[Callable[[Membership], Any]]) -> list[Outcome]:
    membership = _alice(network)
    return together(len(calls), lambda i: calls[i](membership))


def test_the_same_two_families_merged_twice_at_once_merge_once(network: Network) -> None:
    for _ in range(ROUNDS):
        first, second = make_family(network), make_family(network)
        people = Person.objects.count()

        def merge(membership: Membership, first: Family = first, second: Family = second) -> HouseholdMerge:
            return household_merge(
                acting_user=network.alice, membership=membership, survivor=first.household, merged=second.household
            )

        done, refused = _split(_race(network, [merge, merge]))
        assert len(done) == 1 and len(refused) == 1
        assert HouseholdMerge.objects.filter(survivor=first.household).count() == 1
        assert not Household.objects.filter(pk=second.household.pk).exists()
        assert Person.objects.filter(household=first.household).count() == 6 and Person.objects.count() == people
        _records_are_whole()


def test_two_families_merged_into_each_other_at_once_merge_once(network: Network) -> None:
    for _ in range(ROUNDS):
        first, second = make_family(network), make_family(network)

        def one_way(membership: Membership, a: Family = first, b: Family = second) -> HouseholdMerge:
            return household_merge(
                acting_user=network.alice, membership=membership, survivor=a.household, merged=b.household
            )

        def other_way(membership: Membership, a: Family = first, b: Family = second) -> HouseholdMerge:
            return household_merge(
                acting_user=network.alice, membership=membership, survivor=b.household, merged=a.household
            )

        done, refused = _split(_race(network, [one_way, other_way]))
        assert len(done) == 1 and len(refused) == 1
        survivors = Household.objects.filter(pk__in=[first.household.pk, second.household.pk])
        assert survivors.count() == 1 and Person.objects.filter(household=survivors.get()).count() == 6
        _records_are_whole()


def test_one_family_merged_into_two_others_at_once_goes_to_one(network: Network) -> None:
    for _ in range(ROUNDS):
        first, second, shared = make_family(network), make_family(network), make_family(network)

        def into(target: Family, shared: Family = shared) -> Callable[[Membership], HouseholdMerge]:
            return lambda membership: household_merge(
                acting_user=network.alice, membership=membership, survivor=target.household, merged=shared.household
            )

        done, refused = _split(_race(network, [into(first), into(second)]))
        assert len(done) == 1 and len(refused) == 1
        (winner,) = done
        assert not Household.objects.filter(pk=shared.household.pk).exists()
        assert Person.objects.filter(household=winner.survivor).count() == 6
        loser = second if winner.survivor_id == first.household.pk else first
        assert Person.objects.filter(household=loser.household).count() == 3
        _records_are_whole()


def test_two_records_of_one_person_merged_both_ways_at_once_merge_once(network: Network) -> None:
    for _ in range(ROUNDS):
        family = make_family(network)
        twin = _twin(family)

        def keep_mother(membership: Membership, f: Family = family, t: Person = twin) -> PersonMerge:
            return person_merge(acting_user=network.alice, membership=membership, survivor=f.mother, merged=t)

        def keep_twin(membership: Membership, f: Family = family, t: Person = twin) -> PersonMerge:
            return person_merge(acting_user=network.alice, membership=membership, survivor=t, merged=f.mother)

        done, refused = _split(_race(network, [keep_mother, keep_twin]))
        assert len(done) == 1 and len(refused) == 1
        assert Person.objects.filter(pk__in=[family.mother.pk, twin.pk]).count() == 1
        assert PersonMerge.objects.filter(household=family.household).count() == 1
        _records_are_whole()


def test_a_person_merge_and_a_merge_of_that_family_at_once_both_finish_or_one_is_refused(network: Network) -> None:
    for _ in range(ROUNDS):
        family, other = make_family(network), make_family(network)
        twin = _twin(family)

        def merge_people(membership: Membership, f: Family = family, t: Person = twin) -> PersonMerge:
            return person_merge(acting_user=network.alice, membership=membership, survivor=f.mother, merged=t)

        def merge_families(membership: Membership, f: Family = family, o: Family = other) -> HouseholdMerge:
            return household_merge(
                acting_user=network.alice, membership=membership, survivor=o.household, merged=f.household
            )

        done, refused = _split(_race(network, [merge_people, merge_families]))
        assert len(done) >= 1 and len(done) + len(refused) == 2
        assert not Household.objects.filter(pk=family.household.pk).exists(), "the family merge always goes through"
        people = Person.objects.filter(household=other.household).count()
        assert people == (6 if len(done) == 2 else 7)
        _records_are_whole()


def test_the_same_person_merge_undone_twice_at_once_is_undone_once(network: Network) -> None:
    for _ in range(ROUNDS):
        family = make_family(network)
        twin = _twin(family)
        merge = person_merge(acting_user=network.alice, membership=_alice(network), survivor=family.mother, merged=twin)

        def undo(membership: Membership, m: PersonMerge = merge) -> Person:
            return person_unmerge(acting_user=network.alice, membership=membership, merge=m)

        done, refused = _split(_race(network, [undo, undo]))
        assert len(done) == 1 and len(refused) == 1
        assert "already undone" in str(refused[0])
        assert Person.objects.filter(pk=twin.pk).count() == 1
        assert Person.objects.filter(household=family.household).count() == 4
        _records_are_whole()


def test_the_same_family_merge_undone_twice_at_once_is_undone_once(network: Network) -> None:
    for _ in range(ROUNDS):
        first, second = make_family(network), make_family(network)
        merge = household_merge(
            acting_user=network.alice, membership=_alice(network), survivor=first.household, merged=second.household
        )

        def undo(membership: Membership, m: HouseholdMerge = merge) -> Household:
            return household_unmerge(acting_user=network.alice, membership=membership, merge=m)

        done, refused = _split(_race(network, [undo, undo]))
        assert len(done) == 1 and len(refused) == 1
        assert "already undone" in str(refused[0])
        assert Person.objects.filter(household=first.household).count() == 3
        assert Person.objects.filter(household=second.household).count() == 3
        _records_are_whole()


def test_an_undo_and_a_later_merge_of_the_same_family_at_once_leave_a_consistent_history(network: Network) -> None:
    for _ in range(ROUNDS):
        first, second, third = make_family(network), make_family(network), make_family(network)
        merge = household_merge(
            acting_user=network.alice, membership=_alice(network), survivor=first.household, merged=second.household
        )

        def undo(membership: Membership, m: HouseholdMerge = merge) -> Household:
            return household_unmerge(acting_user=network.alice, membership=membership, merge=m)

        def merge_on(membership: Membership, a: Family = first, c: Family = third) -> HouseholdMerge:
            return household_merge(
                acting_user=network.alice, membership=membership, survivor=c.household, merged=a.household
            )

        done, refused = _split(_race(network, [undo, merge_on]))
        assert len(done) >= 1 and len(done) + len(refused) == 2
        merge.refresh_from_db()
        if merge.undone_at is None:  # the later merge came first: it must be undone first
            assert "later merges" in str(refused[0])
            assert Person.objects.filter(household=third.household).count() == 9
        else:
            assert Person.objects.filter(household=second.household).count() == 3
        _records_are_whole()


def test_a_refused_merge_leaves_nothing_half_written(network: Network) -> None:
    """The loser's transaction is rolled back whole: no merge row, no audit entry of its own."""
    from ecwhub.consent.models import AuditEntry

    first, second = make_family(network), make_family(network)
    before = AuditEntry.objects.filter(detail__startswith="family merge").count()

    def merge(membership: Membership) -> HouseholdMerge:
        return household_merge(
            acting_user=network.alice, membership=membership, survivor=first.household, merged=second.household
        )

    done, refused = _split(_race(network, [merge, merge]))
    assert len(done) == 1 and len(refused) == 1
    # The winner's two entries (one per family), none from the loser.
    assert AuditEntry.objects.filter(detail__startswith="family merge").count() == before + 2
    assert HouseholdMerge.objects.count() == 1
    assert Person.objects.filter(household=first.household, date_of_birth=date(1992, 4, 3)).count() == 2
