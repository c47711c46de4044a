"""Sensitive information: encrypted at rest, shown only when the consent names its category."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import SENSITIVE_CATEGORIES, AuditEntry, Consent, ConsentCategory, DataCategory
from ecwhub.consent.services import ConsentError, sensitive_note_record
from ecwhub.families.models import SENSITIVE_NOTE_CATEGORIES, SensitiveNote
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db

SAFETY = DataCategory.INTERPERSONAL_SAFETY
SECRET = "Partner threatened her last week; do not call the home phone"


def m(user) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=user)


def name_safety_in_the_consent(family: Family) -> None:
    ConsentCategory.objects.create(consent=Consent.objects.get(household=family.household), category=SAFETY)


def test_the_families_list_of_sensitive_categories_is_the_consent_one() -> None:
    assert set(SENSITIVE_NOTE_CATEGORIES) == {str(c) for c in SENSITIVE_CATEGORIES}


def test_a_note_is_refused_when_the_consent_does_not_name_its_category(network: Network, family: Family) -> None:
    with pytest.raises(ConsentError) as error:
        sensitive_note_record(
            acting_user=network.alice,
            membership=m(network.alice),
            household=family.household,
            category=SAFETY,
            text=SECRET,
        )
    assert error.value.field == "category"
    assert not SensitiveNote.objects.exists()


def test_a_note_is_stored_encrypted_and_read_back(network: Network, family: Family) -> None:
    name_safety_in_the_consent(family)
    note = sensitive_note_record(
        acting_user=network.alice, membership=m(network.alice), household=family.household, category=SAFETY, text=SECRET
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT text FROM families_sensitivenote WHERE id = %s",
            [note.pk.hex if connection.vendor == "sqlite" else note.pk],
        )
        raw = cursor.fetchone()[0]
    assert SECRET not in raw and "Partner" not in raw
    assert SensitiveNote.objects.get(pk=note.pk).text == SECRET
    assert AuditEntry.objects.filter(action="write", household_id=family.household.pk, categories=SAFETY).exists()


def test_the_family_page_shows_the_note_only_while_the_consent_names_it(network: Network, family: Family) -> None:
    name_safety_in_the_consent(family)
    client = signed_in(Client(), network.alice)
    response = client.post(f"/families/{family.household.pk}/sensitive/", {"category": SAFETY, "text": SECRET})
    assert response.status_code == 302
    page = client.get(f"/families/{family.household.pk}/")
    assert SECRET in page.content.decode()
    assert SAFETY in AuditEntry.objects.get(request_id=page["X-Request-ID"]).categories.split(",")
    ConsentCategory.objects.filter(category=SAFETY).delete()
    page = client.get(f"/families/{family.household.pk}/")
    assert page.status_code == 200 and SECRET not in page.content.decode()


def test_a_bad_category_from_the_page_writes_nothing(network: Network, family: Family) -> None:
    client = signed_in(Client(), network.alice)
    response = client.post(
        f"/families/{family.household.pk}/sensitive/", {"category": "identity_contact", "text": "x"}, follow=True
    )
    assert "Choose one of the sensitive categories." in response.content.decode()
    assert not SensitiveNote.objects.exists()


def test_the_export_carries_the_notes_the_requester_may_see(network: Network, family: Family) -> None:
    from ecwhub.consent.export import family_export, family_export_open

    name_safety_in_the_consent(family)
    sensitive_note_record(
        acting_user=network.alice, membership=m(network.alice), household=family.household, category=SAFETY, text=SECRET
    )
    data = family_export(
        family_export_open(user=network.alice, membership=m(network.alice), household_id=family.household.pk)
    )
    assert [n["text"] for n in data["sensitive_notes"]] == [SECRET]
