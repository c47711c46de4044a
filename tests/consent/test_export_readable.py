"""The family's printable export reads as words, in the reader's language: no placeholder, no field
name, no code, no ISO timestamp; and it fits a phone's width (tests/browser)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.care.models import CareEvent, Contact
from ecwhub.care.services import household_tier_recompute
from ecwhub.families.models import Person
from tests.care.conftest import screened
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db

RAW = [
    # placeholders and template syntax
    r"\{[a-z_]+\}",
    r"%\(",
    # field names and codes of the JSON export
    r"\bgiven_name\b",
    r"\binsurance_status\b",
    r"\bpreferred_language\b",
    r"\bunderinsured\b",
    r"\bmedi_cal\b",
    r"\bwell_child_visit\b",
    r"\bfood-insecurity\b",
    r"\bregistering_organization\b",
    r"\bsigned_on_device\b",
    r"\bidentity_contact\b",
    r"\bcare_coordination\b",
    r"\bhunger-vital-sign\b",
    # ISO timestamps
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}",
]


def _filled(network: Network, family: Family) -> None:
    Person.objects.filter(pk=family.mother.pk).update(insurance_status="underinsured", preferred_language="mix")
    screened(family, network, instrument="hunger-vital-sign", totals={"hvs": 1}, needs=("food-insecurity",))
    CareEvent.objects.create(
        person=family.child, household=family.household, kind="well_child_visit", date=timezone.localdate()
    )
    Contact.objects.create(
        household=family.household, organization=network.frc, by=network.alice, method="phone", reached=False
    )
    household_tier_recompute([family.household.pk])


def _raw_left(html: str) -> list[str]:
    return [pattern for pattern in RAW if re.search(pattern, html)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_printable_export_shows_words_not_codes(network: Network, family: Family, language: str) -> None:
    _filled(network, family)
    client = signed_in(Client(), network.alice)
    client.cookies["django_language"] = language
    html = client.get(f"/families/{family.household.pk}/export.html").content.decode()
    assert _raw_left(html) == []
    if language == "en":
        assert "Underinsured" in html or "underinsured" not in html.lower()
        for words in ("Mixtec", "Well-child visit", "Food insecurity", "Not reached", "Registered by"):
            assert words in html, words
    else:
        assert 'lang="es"' in html
        english_words = ("Everything the hub holds", "Registered by", "Well-child visit", "Mixtec", "People", "Needs")
        english_words += ("Made on", "Your family", "the whole family", "Not reached", "None recorded", "the hub")
        for english in english_words:
            assert not re.search(rf"\b{english}\b", html), f"English on the Spanish page: {english}"
        for words in ("Mixteco", "Visita de niño sano", "Falta de alimentos", "No se logró comunicar"):
            assert words.lower() in html.lower(), words


def test_the_family_reads_its_own_printable_export(network: Network, family: Family) -> None:
    _filled(network, family)
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    html = signed_in(Client(), network.carla).get("/my-family/export.html").content.decode()
    assert "María" in html and _raw_left(html) == []
