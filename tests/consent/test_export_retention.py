"""Family data export and the retention rule."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.consent.audit import audit_verify
from ecwhub.consent.export import family_export, family_export_html, family_export_open
from ecwhub.consent.models import AuditEntry, Consent, Relationship
from ecwhub.consent.retention import apply_retention
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Household, Person
from tests.conftest import Network
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def m(user) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=user)


def test_the_export_holds_what_the_requester_may_see_and_is_audited(network: Network, family: Family) -> None:
    opened = family_export_open(user=network.alice, membership=m(network.alice), household_id=family.household.pk)
    data = family_export(opened)
    assert data["household"]["postal_code"] == "91801"
    names = {p.get("given_name") for p in data["people"]}
    assert names == {"María", "Sofía", "Diego"}
    assert "insurance_status" in data["people"][0]
    assert "behavioral_health" not in data["categories_included"]
    assert data["consents"][0]["whole_network"] is True
    assert data["relationships"][0]["kind"] == "registering_organization"
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, household_id=family.household.pk).get()
    assert entry.actor_id == network.alice.pk
    assert "identity_contact" in entry.categories
    html = family_export_html(opened)
    assert "María" in html and "Everything the hub holds about your family" in html


def test_the_family_member_exports_their_own_family(network: Network, family: Family) -> None:
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    data = family_export(
        family_export_open(user=network.carla, membership=m(network.carla), household_id=family.household.pk)
    )
    assert {p["given_name"] for p in data["people"]} == {"María", "Sofía", "Diego"}


def test_the_export_command_refuses_someone_who_may_not_see_the_family(network: Network, family: Family) -> None:
    with pytest.raises(CommandError, match="may not see it"):
        call_command("export_family", str(family.household.pk), "--as", "bob@example.org")
    with pytest.raises(CommandError, match="may not see it"):
        call_command("export_family", "not-a-uuid", "--as", "alice@example.org")
    out = StringIO()
    call_command("export_family", str(family.household.pk), "--as", "alice@example.org", stdout=out)
    assert json.loads(out.getvalue())["household"]["id"] == str(family.household.pk)


def _age(household: Household, days: int) -> None:
    past = timezone.now() - timedelta(days=days)
    Household.objects.filter(pk=household.pk).update(updated_at=past, created_at=past)
    Consent.objects.filter(household=household).update(given_at=past, expires_at=past + timedelta(days=365))
    Relationship.objects.filter(household=household).update(started_at=past)


def test_retention_deidentifies_inactive_families_and_keeps_the_fact(network: Network) -> None:
    old = make_family(network)
    recent = make_family(network)
    _age(old.household, 2000)
    cutoff = timezone.now() - timedelta(days=1000)
    assert apply_retention(cutoff=cutoff, mode="deidentify", dry_run=True).matched == 1
    assert Person.objects.get(pk=old.mother.pk).given_name == "María"
    result = apply_retention(cutoff=cutoff, mode="deidentify")
    assert result.changed == 1
    mother = Person.objects.get(pk=old.mother.pk)
    assert (
        mother.given_name == "—" and mother.phone == "" and mother.date_of_birth.month == 1 == mother.date_of_birth.day
    )
    household = Household.objects.get(pk=old.household.pk)
    assert household.postal_code == "918" and household.deidentified_at is not None
    assert Person.objects.get(pk=recent.mother.pk).given_name == "María"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DEIDENTIFY, household_id=old.household.pk).count() == 1
    assert apply_retention(cutoff=cutoff, mode="deidentify").changed == 0, "already de-identified"
    assert audit_verify().ok


def test_retention_purge_deletes_the_family_but_not_its_audit_trail(network: Network) -> None:
    old = make_family(network)
    _age(old.household, 2000)
    before = AuditEntry.objects.filter(household_id=old.household.pk).count()
    out = StringIO()
    call_command("apply_retention", "--mode", "purge", "--inactive-days", "1000", stdout=out)
    assert "1 families" in out.getvalue()
    assert not Household.objects.filter(pk=old.household.pk).exists()
    assert not Person.objects.filter(household_id=old.household.pk).exists()
    assert AuditEntry.objects.filter(household_id=old.household.pk).count() == before + 1
    assert AuditEntry.objects.filter(household_id=old.household.pk, action=AuditEntry.Action.PURGE).exists()
    assert audit_verify().ok


def test_retention_refuses_a_period_that_is_too_short(db: None) -> None:
    with pytest.raises(CommandError, match="--inactive-days"):
        call_command("apply_retention", "--inactive-days", "3")


def test_the_export_holds_screens_needs_and_the_care_record_in_the_categories_allowed(
    network: Network, family: Family
) -> None:
    from ecwhub.care.models import CareEvent
    from ecwhub.care.services import household_tier_recompute
    from tests.care.conftest import consent_to_behavioral_health, screened

    screened(family, network, instrument="hunger-vital-sign", totals={"hvs": 1}, needs=("food-insecurity",))
    screened(family, network, instrument="epds", totals={"epds-total": 14})
    CareEvent.objects.create(
        person=family.child, household=family.household, kind="well_child_visit", date=timezone.localdate()
    )
    household_tier_recompute([family.household.pk])

    data = family_export(
        family_export_open(user=network.alice, membership=m(network.alice), household_id=family.household.pk)
    )
    assert [s["instrument"] for s in data["screenings"]] == ["hunger-vital-sign"]  # EPDS: behavioral health
    assert [(n["need"], n["status"]) for n in data["needs"]] == [("food-insecurity", "identified")]
    assert data["care_events"][0]["kind"] == "well_child_visit"
    assert data["tier"] is not None and not any("EPDS" in r for r in data["tier"]["reasons"])

    consent_to_behavioral_health(network, family)
    opened = family_export_open(user=network.alice, membership=m(network.alice), household_id=family.household.pk)
    data = family_export(opened)
    assert [s["instrument"] for s in data["screenings"]] == ["hunger-vital-sign", "epds"]
    assert data["screenings"][1]["results"][0]["total"] == 14
    # The printable page says the same in words: no code of the JSON reaches it.
    html = family_export_html(opened)
    assert "Edinburgh Postnatal Depression Scale" in html and "Food insecurity" in html and "Well-child visit" in html
    assert "epds" not in html and "food-insecurity" not in html and "well_child_visit" not in html

    with pytest.raises(NotFound):
        family_export_open(user=network.bob, membership=m(network.bob), household_id=family.household.pk)
