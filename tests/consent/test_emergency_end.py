"""A hub administrator reviews an emergency access with a note, and may end it before it expires:
the record closes at once, the end is audited, and the family's disclosure report says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import AuditEntry, BreakGlass, DataCategory, Purpose
from ecwhub.consent.policy import decide
from ecwhub.consent.services import break_glass_open
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db

REASON = "Child found alone at the pantry, need the caregiver's phone"


def _grant(network: Network, family: Family) -> BreakGlass:
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    return break_glass_open(
        acting_user=network.oscar,
        membership=Membership.objects.get(user=network.oscar),
        household=family.household,
        reason=REASON,
    )


def _opens(network: Network, family: Family) -> bool:
    return decide(
        user=network.oscar,
        membership=Membership.objects.get(user=network.oscar),
        household=family.household,
        category=DataCategory.IDENTITY_CONTACT,
        purpose=Purpose.CARE_COORDINATION,
    ).allowed


def _post(client: Client, grant: BreakGlass, **data: str) -> list[str]:
    response = client.post(f"/agreements/emergency-access/{grant.pk}/reviewed/", data)
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    client.get(response.url)  # the page shows (and so uses up) the messages
    return said


def test_an_administrator_ends_an_emergency_access_early_with_a_note(network: Network, family: Family) -> None:
    grant = _grant(network, family)
    assert _opens(network, family)
    admin = signed_in(Client(), network.admin)

    said = _post(admin, grant, note="Caregiver reached by the clinic.", end="1")

    assert said == ["Emergency access ended. It no longer opens the family's record."]
    assert not _opens(network, family), "an ended access must close the record at once"
    grant.refresh_from_db()
    assert grant.revoked_by == network.admin and grant.reviewed_by == network.admin
    assert grant.review_note == "Caregiver reached by the clinic."
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.BREAK_GLASS_ENDED, household_id=family.household.pk, actor_id=network.admin.pk
    ).exists()
    page = admin.get("/agreements/emergency-access/").content.decode()
    assert "ended early" in page and "Caregiver reached by the clinic." in page
    assert "End this access now" not in page
    # The family reads the early end in its disclosure report.
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    report = signed_in(Client(), network.carla).get("/my-family/disclosures/").content.decode()
    assert "Emergency access ended early" in report
    # Ending it again says so and writes nothing more.
    assert _post(admin, grant, note="Second try to end it.", end="1") == ["This emergency access had already ended."]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.BREAK_GLASS_ENDED).count() == 1


def test_ending_needs_a_reason_and_writes_nothing_without_one(network: Network, family: Family) -> None:
    grant = _grant(network, family)
    said = _post(signed_in(Client(), network.admin), grant, note="ok", end="1")
    assert said == ["Say in a few words why the access ends now (at least 10 characters)."]
    grant.refresh_from_db()
    assert grant.revoked_at is None and grant.reviewed_at is None and _opens(network, family)


def test_a_review_keeps_its_note_and_an_expired_access_cannot_be_ended(network: Network, family: Family) -> None:
    grant = _grant(network, family)
    BreakGlass.objects.filter(pk=grant.pk).update(
        started_at=timezone.now() - timedelta(hours=5), expires_at=timezone.now() - timedelta(hours=1)
    )
    admin = signed_in(Client(), network.admin)
    assert _post(admin, grant, note="Expired", end="1") == ["This emergency access had already ended."]
    assert _post(admin, grant, note="Checked with the clinic manager.") == ["Emergency access marked as reviewed."]
    grant.refresh_from_db()
    assert grant.review_note == "Checked with the clinic manager." and grant.revoked_at is None


def test_only_a_hub_administrator_ends_an_emergency_access(network: Network, family: Family) -> None:
    grant = _grant(network, family)
    response = signed_in(Client(), network.alice).post(
        f"/agreements/emergency-access/{grant.pk}/reviewed/", {"note": "Not mine to end", "end": "1"}
    )
    assert response.status_code == 404
    assert _opens(network, family)
