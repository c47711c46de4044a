"""The contact frequency timer: a family not reached within its tier's frequency gets one "contact
due" task for its designated coordinator (the timer runs twice, opens it once); a contact that
reaches the family closes it; no task for a family without a designated coordinator; the hub
administrator's frequency per tier is followed. Tasks by hand from the family page, and the
transfer's move of open tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.care.care_tasks import TaskError, care_tasks_reassign, contact_timers_run, task_create
from ecwhub.care.models import CareTask, Contact, ContactFrequency, TierAssignment
from ecwhub.care.services import contact_record, household_tier_recompute
from ecwhub.consent.models import AuditEntry, Relationship, RelationshipKind
from ecwhub.consent.services import relationship_start
from ecwhub.core.errors import NotFound
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db

DESIGNATED = RelationshipKind.DESIGNATED_COORDINATOR


def _alice(network: Network) -> Membership:
    return Membership.objects.get(user=network.alice)


def _designate(family: Family, user: User, at: datetime) -> None:
    relationship_start(acting_user=None, household=family.household, kind=DESIGNATED, user=user)
    Relationship.objects.filter(household=family.household, kind=DESIGNATED).update(started_at=at)


def _tier(family: Family, tier: int) -> None:
    household_tier_recompute([family.household.pk])
    TierAssignment.objects.filter(household=family.household).update(tier=tier)


def _open(family: Family) -> list[CareTask]:
    return list(CareTask.objects.filter(household=family.household, kind="contact_due", done_at__isnull=True))


@pytest.fixture(autouse=True)
def default_frequency(db: None) -> None:
    # The defaults come from a data migration; a transactional test elsewhere may have flushed them.
    for tier, days in ((3, 7), (2, 30), (1, 90)):
        ContactFrequency.objects.update_or_create(tier=tier, defaults={"days": days})


def test_a_family_not_reached_in_time_gets_one_task_closed_by_a_reached_contact(network: Network) -> None:
    family = make_family(network)
    start = timezone.now()
    _designate(family, network.alice, start)
    _tier(family, 3)
    assert contact_timers_run(start + timedelta(days=6)).opened == 0
    assert _open(family) == []

    later = start + timedelta(days=8)
    assert contact_timers_run(later).opened == 1
    assert contact_timers_run(later).opened == 0  # run twice: nothing opened twice
    call_command("care_timers")  # and the command (at the real now: not yet due, nothing opened)
    [task] = _open(family)
    assert (task.owner, task.created_from) == (network.alice, "contact_frequency")
    assert task.due == timezone.localdate(start) + timedelta(days=7)

    # An attempt that does not reach the family leaves it open; one that does closes it.
    alice = _alice(network)
    contact_record(
        acting_user=network.alice, membership=alice, household=family.household, method="phone", outcome="not_reached"
    )
    assert _open(family) == [task]
    contact = contact_record(
        acting_user=network.alice, membership=alice, household=family.household, method="phone", outcome="reached"
    )
    task.refresh_from_db()
    assert (task.done_at, task.done_by) == (contact.at, network.alice)
    # Reached now: the next task falls due a week after this contact, not before.
    assert contact_timers_run(contact.at + timedelta(days=6)).opened == 0
    assert contact_timers_run(contact.at + timedelta(days=8)).opened == 1


def test_no_task_for_a_family_without_a_designated_coordinator(network: Network) -> None:
    family = make_family(network)
    _tier(family, 3)
    # Only an organization as the designated coordinator (data from before persons were named).
    relationship_start(acting_user=None, household=family.household, kind=DESIGNATED, organization=network.frc)
    assert contact_timers_run(timezone.now() + timedelta(days=400)).opened == 0
    assert not CareTask.objects.exists()


def test_the_frequency_of_each_tier_is_the_administrators(network: Network) -> None:
    high, low = make_family(network), make_family(network)
    start = timezone.now()
    for family, tier in ((high, 3), (low, 1)):
        _designate(family, network.alice, start)
        _tier(family, tier)
    assert contact_timers_run(start + timedelta(days=30)).opened == 1
    assert len(_open(high)) == 1 and _open(low) == []

    ContactFrequency.objects.filter(tier=1).update(days=20)
    assert contact_timers_run(start + timedelta(days=30)).opened == 1
    [task] = _open(low)
    assert task.due == timezone.localdate(start) + timedelta(days=20)


def test_the_database_keeps_one_open_contact_task_per_family(network: Network) -> None:
    family = make_family(network)
    values = {"household": family.household, "owner": network.alice, "kind": "contact_due", "created_from": "by_hand"}
    CareTask.objects.create(due=timezone.localdate(), **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTask.objects.create(due=timezone.localdate(), **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTask.objects.create(**{**values, "kind": "nap"}, due=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFrequency.objects.filter(tier=3).update(days=0)


def test_tasks_by_hand_from_the_family_page(network: Network) -> None:
    family = make_family(network)
    client = signed_in(Client(), network.alice)
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    assert 'id="tasks-title"' in page and "No open task for this family." in page
    today = timezone.localdate()
    url = f"/care/families/{family.household.pk}/tasks/"
    response = client.post(url, {"kind": "case_review", "due": today.isoformat(), "note": "Before the team meeting"})
    assert response.status_code == 302
    task = CareTask.objects.get(household=family.household)
    assert (task.kind, task.owner, task.created_by, task.created_from, task.note) == (
        "case_review",
        network.alice,
        network.alice,
        "by_hand",
        "Before the team meeting",
    )
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    assert "Review the family&#x27;s case" in page and "Before the team meeting" in page

    bad = client.post(url, {"kind": "case_review", "due": (today + timedelta(days=800)).isoformat()}, follow=True)
    assert "Due: Choose a due date within a year of today." in bad.content.decode()
    missing = client.post(url, {"due": today.isoformat()}, follow=True)
    assert "What: Choose what the task is." in missing.content.decode()
    assert CareTask.objects.count() == 1

    done = client.post(f"/care/families/{family.household.pk}/tasks/{task.pk}/done/")
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.done_by == network.alice and task.done_at is not None
    # Done once: again is not found.
    assert client.post(f"/care/families/{family.household.pk}/tasks/{task.pk}/done/").status_code == 404
    assert AuditEntry.objects.filter(detail=f"care task {task.pk} done").count() == 1


def test_a_task_of_another_family_or_a_hidden_family_is_not_found(network: Network) -> None:
    family, other = make_family(network), make_family(network)
    alice = _alice(network)
    task = task_create(
        acting_user=network.alice, membership=alice, household=other.household, kind="other", due=timezone.localdate()
    )
    client = signed_in(Client(), network.alice)
    assert client.post(f"/care/families/{family.household.pk}/tasks/{task.pk}/done/").status_code == 404
    hidden = make_family(network, consent=False)
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    outsider = signed_in(Client(), network.oscar)
    today = timezone.localdate().isoformat()
    response = outsider.post(f"/care/families/{hidden.household.pk}/tasks/", {"kind": "other", "due": today})
    assert response.status_code == 404
    with pytest.raises(NotFound):
        task_create(
            acting_user=network.oscar,
            membership=Membership.objects.get(user=network.oscar),
            household=hidden.household,
            kind="other",
            due=timezone.localdate(),
        )
    with pytest.raises(TaskError) as error:
        task_create(
            acting_user=network.alice,
            membership=alice,
            household=family.household,
            kind="nap",
            due=timezone.localdate(),
        )
    assert error.value.field == "kind"
    task.refresh_from_db()
    assert task.done_at is None and CareTask.objects.count() == 1


def test_open_tasks_move_with_the_designated_coordinator(network: Network) -> None:
    family = make_family(network)
    dora = User.objects.create_user("dora@example.org", "x", first_name="Dora")
    membership_add(acting_user=None, user=dora, organization=network.frc, role=Role.COORDINATOR)
    alice = _alice(network)
    open_task = task_create(
        acting_user=network.alice, membership=alice, household=family.household, kind="other", due=timezone.localdate()
    )
    done = task_create(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        kind="case_review",
        due=timezone.localdate(),
    )
    CareTask.objects.filter(pk=done.pk).update(done_at=timezone.now(), done_by=network.alice)
    with transaction.atomic():
        moved = care_tasks_reassign(
            acting_user=network.alice,
            membership=alice,
            household_id=family.household.pk,
            from_user=network.alice,
            to_user=dora,
        )
    assert moved == 1
    open_task.refresh_from_db()
    done.refresh_from_db()
    assert (open_task.owner, done.owner) == (dora, network.alice)
    assert AuditEntry.objects.filter(detail=f"care tasks {open_task.pk} moved to user {dora.pk}").count() == 1
    assert not Contact.objects.exists()


def test_the_hub_administrator_sets_each_tiers_frequency_in_the_admin(network: Network) -> None:
    client = signed_in(Client(), network.admin)
    row = ContactFrequency.objects.get(tier=2)
    url = f"/admin/care/contactfrequency/{row.pk}/change/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"tier": 2, "days": 0})
    assert refused.status_code == 200
    assert "days" in refused.context["adminform"].form.errors
    assert client.post(url, {"tier": 2, "days": 14}).status_code == 302
    row.refresh_from_db()
    assert row.days == 14
    # A coordinator does not reach the admin's page.
    assert signed_in(Client(), network.alice).get(url).status_code in (302, 403, 404)
