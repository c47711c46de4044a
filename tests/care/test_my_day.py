"""The coordinator's "my day": items from each of care's sources (care tasks due today and
overdue, referral follow-ups, new alerts, families waiting on a reply), each with the family's
name read through the policy; another coordinator's families are absent; every read is audited;
empty sections say so; the page is for coordinators only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.care.agenda import Section, day_items
from ecwhub.care.care_tasks import task_create
from ecwhub.care.models import CareTask
from ecwhub.care.services import contact_record
from ecwhub.consent.models import AuditEntry, RelationshipKind
from ecwhub.consent.services import relationship_start
from ecwhub.referrals.models import ReferralFeedback, ReferralFollowUp
from ecwhub.referrals.services import ReferralInput, referral_create
from ecwhub.screening.models import ScreeningAlert
from tests.care.conftest import consent_to_behavioral_health, screened
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family
from tests.referrals.conftest import World, make_world

pytestmark = pytest.mark.django_db

DESIGNATED = RelationshipKind.DESIGNATED_COORDINATOR


def _member(user: User) -> Membership:
    return Membership.objects.get(user=user, is_active=True)


@pytest.fixture
def dora(network: Network) -> User:
    user = User.objects.create_user("dora@example.org", "x", first_name="Dora", last_name="Díaz")
    membership_add(acting_user=None, user=user, organization=network.frc, role=Role.COORDINATOR)
    return user


@pytest.fixture
def day(network: Network, dora: User) -> tuple[World, Family]:
    """Alice coordinates the world's family (with work from every source); Dora coordinates another."""
    world = make_world(network)
    mine, theirs = world.family, make_family(network)
    relationship_start(acting_user=None, household=mine.household, kind=DESIGNATED, user=network.alice)
    relationship_start(acting_user=None, household=theirs.household, kind=DESIGNATED, user=dora)
    alice = _member(network.alice)
    today = timezone.localdate()
    task_create(acting_user=network.alice, membership=alice, household=mine.household, kind="contact_due", due=today)
    task_create(
        acting_user=network.alice,
        membership=alice,
        household=mine.household,
        kind="case_review",
        due=today - timedelta(days=3),
    )
    task_create(
        acting_user=network.alice, membership=alice, household=mine.household, kind="other", due=today + timedelta(1)
    )
    # Dora's work on her family, in the same organization (Alice may see the family, not its tasks on her day).
    for kind, due in (("contact_due", today), ("other", today - timedelta(days=2))):
        CareTask.objects.create(
            household=theirs.household, owner=dora, kind=kind, due=due, created_from="by_hand", created_by=dora
        )
    referral, _ = referral_create(
        acting_user=network.alice,
        membership=alice,
        data=ReferralInput(household_id=mine.household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]),
        send=True,
    )
    ReferralFollowUp.objects.create(
        referral=referral, assigned_to=network.alice, due=timezone.now() - timedelta(days=2)
    )
    ReferralFeedback.objects.create(
        referral=referral, got_what_needed="no", respectful=True, language_ok=True, method="link"
    )
    for family in (mine, theirs):
        consent_to_behavioral_health(network, family)
        response = screened(family, network, instrument="epds", totals={"epds-total": 15})
        ScreeningAlert.objects.create(
            response=response,
            household=family.household,
            kind="self-harm",
            protocol="self-harm",
            category="behavioral_health",
        )
    return world, theirs


def _section(page: str, key: str) -> str:
    start = page.index(f'id="day-{key}"')
    end = page.find("<section", start)
    return page[start : end if end != -1 else len(page)]


def test_my_day_lists_every_source_for_the_coordinators_families_only(
    network: Network, day: tuple[World, Family]
) -> None:
    world, theirs = day
    mine = world.family.household
    found = day_items(network.alice, _member(network.alice), timezone.localdate())
    keys = {section: sorted(item.key for item in items) for section, items in found.items()}
    assert keys == {
        Section.TODAY: ["contact_due"],
        Section.OVERDUE: ["case_review", "referral_follow_up"],
        Section.ALERTS: ["screening_alert"],
        Section.WAITING: ["feedback_not_helped"],
    }
    assert {item.household_id for items in found.values() for item in items} == {mine.pk}

    client = signed_in(Client(), network.alice)
    response = client.get("/care/my-day/")
    assert response.status_code == 200
    page = response.content.decode()
    assert str(theirs.household.pk) not in page
    today = _section(page, "today")
    assert "Call or visit: the family&#x27;s contact is due" in today and "María García López" in today
    assert f"/care/families/{mine.pk}/encounters/new/" in today
    overdue = _section(page, "overdue")
    assert "Review the family&#x27;s case" in overdue and "Follow up on a referral" in overdue
    assert "/referrals/" in overdue
    alerts = _section(page, "alerts")
    assert f"/families/{mine.pk}/alerts/" in alerts
    waiting = _section(page, "waiting")
    assert "did not give it what it needed" in waiting
    # A label never names a code.
    for code in ("contact_due", "case_review", "self-harm", "feedback_not_helped"):
        assert f">{code}<" not in page and f" {code} " not in page

    # Reached since the feedback: the family is no longer waiting.
    contact_record(
        acting_user=network.alice,
        membership=_member(network.alice),
        household=mine,
        method="phone",
        outcome="reached",
    )
    page = client.get("/care/my-day/").content.decode()
    assert "No family is waiting on a reply from you." in _section(page, "waiting")
    # The reached contact also closed the contact-due task.
    assert "Nothing is due today." in _section(page, "today")


def test_every_read_of_my_day_is_audited(network: Network, day: tuple[World, Family]) -> None:
    world, theirs = day
    mine = str(world.family.household.pk)
    signed_in(Client(), network.alice).get("/care/my-day/")
    entries = AuditEntry.objects.filter(actor_id=network.alice.pk, action=AuditEntry.Action.READ)
    details = {e.detail: e for e in entries.filter(detail__startswith="my day")}
    assert set(details) == {
        "my day",
        "my day: care tasks",
        "my day: referral follow-ups",
        "my day: alerts",
        "my day: families waiting on a reply",
    }
    assert {str(e.household_id) for e in details.values()} == {mine}
    assert "identity_contact" in details["my day"].categories
    assert "behavioral_health" in details["my day: alerts"].categories
    assert not entries.filter(household_id=theirs.household.pk, detail__startswith="my day").exists()


def test_an_empty_day_says_so(network: Network) -> None:
    page = signed_in(Client(), network.alice).get("/care/my-day/").content.decode()
    for text in (
        "Nothing is due today.",
        "Nothing is overdue.",
        "No new alert for the families you coordinate.",
        "No family is waiting on a reply from you.",
    ):
        assert text in page


def test_the_home_links_to_my_day_and_only_coordinators_have_one(network: Network) -> None:
    home = signed_in(Client(), network.alice).get("/").content.decode()
    assert 'href="/care/my-day/"' in home
    assert signed_in(Client(), network.bob).get("/care/my-day/").status_code == 404
    assert signed_in(Client(), network.admin).get("/care/my-day/").status_code == 404


def test_a_family_alice_no_longer_may_see_drops_out(network: Network, day: tuple[World, Family]) -> None:
    world, _theirs = day
    from ecwhub.consent.models import Consent

    Consent.objects.filter(household=world.family.household).update(withdrawn_at=timezone.now() - timedelta(seconds=1))
    found = day_items(network.alice, _member(network.alice), timezone.localdate())
    assert all(not items for items in found.values())
