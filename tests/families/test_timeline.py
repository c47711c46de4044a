"""The family's timeline: contacts, screens, needs, care events and alerts in one list, newest
first, each row only if the viewer may see its category; the page's one audit entry names them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.care.models import CareEvent, Contact
from ecwhub.consent.models import AuditEntry
from tests.care.conftest import consent_to_behavioral_health, days_ago, screened
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db


def _timeline(body: str) -> list[str]:
    found = re.search(r'<section aria-labelledby="timeline-title">(.*?)</section>', body, re.S)
    assert found, "no timeline on the family page"
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def _history(network: Network, family: Family) -> None:
    screened(
        family, network, instrument="hunger-vital-sign", totals={"hvs": 1}, needs=("food-insecurity",), at=days_ago(9)
    )
    screened(family, network, instrument="epds", totals={"epds-total": 15}, at=days_ago(6))
    CareEvent.objects.create(
        person=family.child,
        household=family.household,
        kind="well_child_visit",
        date=timezone.localdate() - timedelta(days=3),
    )
    Contact.objects.create(
        household=family.household,
        organization=network.frc,
        by=network.alice,
        method="phone",
        reached=False,
        at=timezone.now() - timedelta(days=1),
    )


def test_the_timeline_lists_what_happened_newest_first(network: Network, family: Family) -> None:
    _history(network, family)
    consent_to_behavioral_health(network, family)
    body = signed_in(Client(), network.alice).get(f"/families/{family.household.pk}/").content.decode()
    events = _timeline(body)
    kinds = [e.split("·")[1].strip() for e in events]
    # The need was recorded today (when the test wrote it), then the contact, the visit, the screens.
    assert kinds == ["Need", "Contact", "Care", "Screen", "Screen"], events
    assert any("Well-child visit" in e and "Sofía" in e for e in events)
    assert any("Edinburgh Postnatal Depression Scale" in e for e in events)
    assert any(e.endswith("Food insecurity: Identified") for e in events), events
    entry = AuditEntry.objects.filter(actor_id=network.alice.pk, household_id=family.household.pk).latest("at")
    assert {"case_notes", "care_plan", "behavioral_health"} <= set(entry.categories.split(","))


def test_a_screen_outside_the_consent_is_not_on_the_timeline(network: Network, family: Family) -> None:
    _history(network, family)  # no behavioral-health consent: the EPDS stays off the page
    events = _timeline(signed_in(Client(), network.alice).get(f"/families/{family.household.pk}/").content.decode())
    assert not any("Edinburgh" in e or "EPDS" in e for e in events)
    assert any("Hunger Vital Sign" in e for e in events)
