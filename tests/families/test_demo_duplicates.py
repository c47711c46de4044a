"""The demo network holds families known twice (review queue) and coordinated twice (flags)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import User
from ecwhub.demo import data
from ecwhub.families.models import Household, Person
from ecwhub.families.selectors import coordination_duplicates
from ecwhub.identity.models import MatchReview
from tests.conftest import signed_in


@pytest.mark.django_db
def test_the_demo_has_families_known_twice_and_coordinated_twice() -> None:
    # Seeded for today: agreements and consents are in force now, as the pages check them.
    today = timezone.localdate()
    call_command("seed_demo", "--families", "80", "--today", today.isoformat(), stdout=StringIO())
    assert Household.objects.count() == 80  # the second records replace, they do not add
    reviews = list(MatchReview.objects.select_related("person_a__household", "person_b__household"))
    assert len(reviews) == 15
    variations = 0
    for review in reviews:
        a, b = review.person_a, review.person_b
        assert b is not None and a.household_id != b.household_id
        assert a.household.registered_by_id != b.household.registered_by_id
        assert a.household.postal_code == b.household.postal_code
        assert review.reasons and 0 < review.probability < 1
        births = [
            set(
                Person.objects.filter(household=p.household, relationship="child").values_list(
                    "date_of_birth", flat=True
                )
            )
            for p in (a, b)
        ]
        variations += (a.family_name, a.second_family_name, a.given_name, a.phone) != (
            b.family_name,
            b.second_family_name,
            b.given_name,
            b.phone,
        ) or not births[1] <= births[0]
    assert variations == 15  # every second record differs the way front desks differ
    flags = coordination_duplicates()
    assert len(flags) == 8 and all(len(f.organizations) == 2 for f in flags)
    # The demo coordinator (main family resource center) has real cases in the queue and flags.
    coordinator = User.objects.get(email=data.demo_email("coordinator"))
    client = signed_in(Client(), coordinator)
    queue = client.get("/families/review/").content.decode()
    assert "likely the same person" in queue
    assert "Duplicated coordination" not in queue
    listing = client.get("/families/duplication/").content.decode()
    mine = coordination_duplicates(organization=coordinator.memberships.get().organization)
    assert mine and any(f"/families/{flag.household_id}/" in listing for flag in mine)
    assert Person.objects.filter(household_id=mine[0].household_id).exists()
