"""The export holds the intake's new facts; retention removes them with the rest of the personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.consent.export import family_export, family_export_open
from ecwhub.consent.models import Consent, Relationship
from ecwhub.consent.retention import apply_retention
from ecwhub.families.intake.complete import intake_complete
from ecwhub.families.intake.drafts import intake_start
from ecwhub.families.merging import person_merge
from ecwhub.families.models import Household, IntakeDraft, Person, PersonMerge, PriorityFlagRecord
from tests.conftest import Network
from tests.families.conftest import as_lists, step1, step2, typed

pytestmark = pytest.mark.django_db


def _intake(network: Network) -> Household:
    data = as_lists(
        {
            **step1(**{"cg-consent_sensitive": ["immigration_sensitive"]}),
            **step2(**{"d-flags": ["refugee", "unhoused"]}),
        }
    )
    membership = Membership.objects.get(user=network.alice)
    return intake_complete(acting_user=network.alice, membership=membership, intake=typed(data)).household


def test_the_export_includes_contact_preferences_school_flags_and_intakes(network: Network) -> None:
    household = _intake(network)
    data = family_export(
        family_export_open(
            user=network.alice, membership=Membership.objects.get(user=network.alice), household_id=household.pk
        )
    )
    caregiver = next(p for p in data["people"] if p.get("given_name") == "Rosa")
    assert caregiver["safe_to_leave_message"] is False and caregiver["best_times"] == "weekday mornings"
    child = next(p for p in data["people"] if p.get("given_name") == "Mateo")
    assert child["school_or_child_care"] == "Head Start Garvey"
    assert {f["flag"] for f in data["priority_flags"]} == {"refugee", "unhoused"}
    assert data["intakes"][0]["place"] == "home_visit" and data["intakes"][0]["organization"] == "Casa Familia FRC"
    json.dumps(data)  # JSON-ready


def test_retention_removes_flags_merge_snapshots_and_expired_drafts(network: Network) -> None:
    household = _intake(network)
    membership = Membership.objects.get(user=network.alice)
    caregiver = household.members.get(relationship="caregiver")
    twin = Person.objects.create(
        household=household,
        relationship="caregiver",
        given_name="Rosa",
        family_name="Mendosa",
        date_of_birth=caregiver.date_of_birth,
        preferred_language="es",
    )
    person_merge(acting_user=network.alice, membership=membership, survivor=caregiver, merged=twin)
    old = intake_start(acting_user=network.alice, membership=membership)
    IntakeDraft.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    fresh = intake_start(acting_user=network.alice, membership=membership)
    past = timezone.now() - timedelta(days=2000)
    Household.objects.filter(pk=household.pk).update(updated_at=past)
    Consent.objects.filter(household=household).update(given_at=past, expires_at=past + timedelta(days=365))
    Relationship.objects.filter(household=household).update(started_at=past)
    result = apply_retention(cutoff=timezone.now() - timedelta(days=1000), mode="deidentify")
    assert result.changed == 1
    assert not PriorityFlagRecord.objects.filter(household=household).exists()
    assert PersonMerge.objects.get().snapshot == "{}"
    child = household.members.get(relationship="child")
    assert child.school_or_child_care == "" and household.members.get(pk=caregiver.pk).best_times == ""
    assert list(IntakeDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
