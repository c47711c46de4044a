"""Changes that grant or use access are events: relationships (who started and ended them, in the
row and in the audit log the family reads), and every screening write."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import AuditEntry, Relationship, RelationshipKind
from ecwhub.consent.services import relationship_end, relationship_start
from ecwhub.screening import services as screening
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family
from tests.screening.conftest import make_screen_family

pytestmark = pytest.mark.django_db


def _m(user: object) -> Membership:
    return Membership.objects.filter(user=user, is_active=True).first()  # type: ignore[return-value]


def test_starting_and_ending_a_relationship_records_who_and_why(network: Network, family: Family) -> None:
    alice = _m(network.alice)
    before = AuditEntry.objects.count()
    relationship = relationship_start(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    assert relationship.started_by == network.alice
    started = AuditEntry.objects.get(
        action=AuditEntry.Action.RELATIONSHIP_STARTED,
        household_id=family.household.pk,
        detail__startswith="referral_recipient",
    )
    assert (started.actor_id, started.organization_id) == (network.alice.pk, network.frc.pk)
    assert str(relationship.pk) in started.detail and "referral_recipient" in started.detail
    # Starting it again is not a second relationship, nor a second event.
    again = relationship_start(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    assert again.pk == relationship.pk
    assert AuditEntry.objects.count() == before + 1

    ended = relationship_end(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
        reason="The family got what they needed",
    )
    assert ended == 1
    relationship.refresh_from_db()
    assert relationship.ended_by == network.alice and relationship.end_reason == "The family got what they needed"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RELATIONSHIP_ENDED).count() == 1
    # Nothing active is left to end: no event.
    assert (
        relationship_end(
            acting_user=network.alice,
            membership=alice,
            household=family.household,
            kind=RelationshipKind.REFERRAL_RECIPIENT,
            organization=network.food_bank,
        )
        == 0
    )
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RELATIONSHIP_ENDED).count() == 1
    assert (
        Relationship.objects.filter(household=family.household, kind=RelationshipKind.REFERRAL_RECIPIENT).count() == 1
    )


def test_the_family_reads_who_started_working_with_them(network: Network, family: Family) -> None:
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    relationship_start(
        acting_user=network.alice,
        membership=_m(network.alice),
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    page = signed_in(Client(), network.carla).get(reverse("consent:my_family_disclosures"))
    assert page.status_code == 200
    assert "Started working with the family" in page.content.decode()


def test_every_screening_write_is_audited(network: Network) -> None:
    family = make_screen_family(network)
    alice = _m(network.alice)
    response = screening.screening_start(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        person=family.mother,
        instrument_id="phq-2-9",
        language="en",
    )
    screening.screening_answer(
        acting_user=network.alice, membership=alice, response=response, link_id="/44250-9", answer=["LA6568-5"]
    )
    writes = AuditEntry.objects.filter(action=AuditEntry.Action.WRITE, household_id=family.household.pk)
    details = [w.detail for w in writes.order_by("id")]
    assert details[0] == f"screen {response.pk} started (phq-2-9)"
    assert details[1] == f"screen {response.pk} answered /44250-9"
    assert all(w.categories == "behavioral_health" and w.person_id == family.mother.pk for w in writes)
