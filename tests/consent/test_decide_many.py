"""``decide_many`` is ``decide`` asked about many categories at once: the same answers, reasons and
bases, in a constant number of queries.

The worlds are the access matrix's (``test_access_matrix``: random agreements, consents, referral
and care-team relationships, every role at every organization), with more drawn on top: a consent
about the teenager alone, emergency access for a coordinator with no relationship, a young person's
restriction, a person asked about, a write, and every purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import hypothesis
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import DataCategory, Purpose, YouthRestriction
from ecwhub.consent.policy import FamilyAccess, decide, decide_many
from ecwhub.consent.services import break_glass_open, consent_record
from tests.consent.test_access_matrix import (  # noqa: F401 (fixtures used by name)
    Cast,
    World,
    build,
    cast,
    category_sets,
    clinic,
    purpose_sets,
    situations,
    worlds,
)

from .conftest import Family

pytestmark = pytest.mark.django_db

EVERY_CATEGORY = list(DataCategory)
# Relationship, agreements, consents, emergency access; for a family member their own person and a
# young person's restriction. Whatever the number of categories.
MOST_QUERIES = 4


@dataclass(frozen=True)
class Extras:
    teen_consent: tuple[frozenset[str], frozenset[str], bool] | None  # categories, purposes, network-wide
    break_glass: bool  # the unrelated organization's coordinator opens the family in an emergency
    teen_private: bool  # the teenager keeps their information from their mother
    about: str  # whom the decision is about: "family", "mother", "child", "teen"
    purpose: str
    write: bool


extras = st.builds(
    Extras,
    teen_consent=st.none() | st.tuples(category_sets, purpose_sets, st.booleans()),
    break_glass=st.booleans(),
    teen_private=st.booleans(),
    about=st.sampled_from(["family", "mother", "child", "teen"]),
    purpose=st.sampled_from(list(Purpose)),
    write=st.booleans(),
)


def _add(people: Cast, family: Family, extra: Extras) -> None:
    network = people.network
    if extra.teen_consent is not None:
        categories, purposes, network_wide = extra.teen_consent
        consent_record(
            acting_user=network.alice,
            membership=Membership.objects.get(user=network.alice),
            household=family.household,
            given_by=family.teen,
            person=family.teen,
            method="signed_on_device",
            categories=categories,
            purposes=purposes,
            network_wide=network_wide,
            organizations=() if network_wide else (people.organizations["other"],),
            text_version="2026-1",
            language="es",
        )
    if extra.break_glass:
        coordinator = people.staff["unrelated"]["coordinator"]
        break_glass_open(
            acting_user=coordinator,
            membership=Membership.objects.get(user=coordinator, is_active=True),
            household=family.household,
            reason="Child found alone at the clinic, need the caregiver's phone",
        )
    if extra.teen_private:
        YouthRestriction.objects.create(youth=family.teen, hidden_from=family.mother)


def _order(first: str) -> list[str]:
    return [first, *(who for who in ("family", "mother", "child", "teen") if who != first)]


@hypothesis.settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds, extra=extras)
def test_decide_many_gives_every_category_the_answer_decide_gives(cast: Cast, world: World, extra: Extras) -> None:  # noqa: F811
    with transaction.atomic():
        family = build(cast, world)
        _add(cast, family, extra)
        person = None if extra.about == "family" else getattr(family, extra.about)
        at = timezone.now()
        for drawn, _ in situations(cast, world):
            # Read again: a cached link from a user to their person would belong to an earlier world.
            user = User.objects.get(pk=drawn.pk)
            membership = Membership.objects.filter(user=user, is_active=True).select_related("organization").first()
            asked = dict(
                user=user,
                membership=membership,
                household=family.household,
                purpose=extra.purpose,
                person=person,
                write=extra.write,
                at=at,
            )
            with CaptureQueriesContext(connection) as queries:
                many = decide_many(categories=EVERY_CATEGORY, **asked)  # type: ignore[arg-type]
            one_by_one = {str(c): decide(category=c, **asked) for c in EVERY_CATEGORY}  # type: ignore[arg-type]
            where = f"{membership.role if membership else None} {user.email} {world!r} {extra!r}"
            assert many == one_by_one, where
            assert len(queries) <= MOST_QUERIES, (where, [q["sql"] for q in queries.captured_queries])
            # One access asked about the family and each member in turn, as a family's page asks.
            shared = FamilyAccess(
                user=user, membership=membership, household=family.household, purpose=extra.purpose, at=at
            )
            for who in _order(extra.about):
                about = None if who == "family" else getattr(family, who)
                for write in (extra.write, not extra.write):
                    fresh = {
                        str(c): decide(**{**asked, "person": about, "write": write, "category": c})  # type: ignore[arg-type]
                        for c in EVERY_CATEGORY
                    }
                    assert shared.decide_many(EVERY_CATEGORY, person=about, write=write) == fresh, (where, who, write)
        transaction.set_rollback(True)


def test_one_access_decides_the_family_and_each_person_on_facts_read_once(cast: Cast) -> None:  # noqa: F811
    """The family's page asks about the family and then about each member: still one read of each fact."""
    world = World((), (), "none", frozenset(), frozenset({DataCategory.REFERRALS}), frozenset({Purpose.REFERRAL}))
    family = build(cast, world)
    _add(
        cast,
        family,
        Extras(
            (frozenset({DataCategory.BEHAVIORAL_HEALTH}), frozenset({Purpose.CARE_COORDINATION}), True),
            break_glass=False,
            teen_private=False,
            about="family",
            purpose=Purpose.CARE_COORDINATION,
            write=False,
        ),
    )
    coordinator = cast.staff["own"]["coordinator"]
    membership = Membership.objects.select_related("organization").get(user=coordinator, is_active=True)
    access = FamilyAccess(
        user=coordinator, membership=membership, household=family.household, purpose=Purpose.CARE_COORDINATION
    )
    with CaptureQueriesContext(connection) as queries:
        answers = {
            who: access.decide_many(EVERY_CATEGORY, person=person)
            for who, person in (("family", None), ("teen", family.teen), ("child", family.child))
        }
    assert not answers["family"][DataCategory.BEHAVIORAL_HEALTH]
    assert answers["teen"][DataCategory.BEHAVIORAL_HEALTH].basis == (
        "relationship",
        "registering organization",
        "consent",
    )
    assert not answers["child"][DataCategory.BEHAVIORAL_HEALTH]
    assert access.people_with_own_consent() == {family.teen.pk}
    assert len(queries) <= MOST_QUERIES
