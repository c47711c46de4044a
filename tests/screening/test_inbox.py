"""The coordinator's alert inbox: the open alerts of the families the policy lets them see, newest
first, each linking to its protocol page, with "followed up" on the spot; linked from the home page
and the navigation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import AuditEntry
from ecwhub.screening import services as screening
from ecwhub.screening.models import ScreeningAlert
from tests.conftest import Network, signed_in

from .conftest import ScreenFamily, make_screen_family

pytestmark = pytest.mark.django_db

UNSAFE = {"/95618-5": "LA6482-9", "/95617-7": "LA10066-1", "/95616-9": "LA10066-1", "/95615-1": "LA10066-1"}


def _alert(network: Network, family: ScreenFamily, *, by: str, safety: bool, hours_ago: int) -> ScreeningAlert:
    user = network.alice if by == "alice" else network.carla
    membership = Membership.objects.get(user=user)
    response = screening.screening_start(
        acting_user=user,
        membership=membership,
        household=family.household,
        person=family.mother,
        instrument_id="ahc-hrsn-core" if safety else "epds",
        language="en",
    )
    answers = UNSAFE if safety else {"/71364-4": "epds-10-1"}
    for link_id, answer in answers.items():
        screening.screening_answer(
            acting_user=user, membership=membership, response=response, link_id=link_id, answer=[answer]
        )
    alert = ScreeningAlert.objects.get(response=response)
    alert.raised_at = timezone.now() - timedelta(hours=hours_ago)
    alert.save(update_fields=["raised_at"])
    return alert


def _listed(body: str) -> list[str]:
    return re.findall(r'<li class="card" data-alert="([0-9a-f-]+)">', body)


def test_the_coordinator_sees_the_open_alerts_she_may_see_newest_first(network: Network) -> None:
    older = make_screen_family(network, sensitive=True)
    newer = make_screen_family(network, sensitive=True)
    # The family's consent does not name behavioral health: its self-harm alert is not hers to see.
    hidden = make_screen_family(network, sensitive=False, link_carla=True)
    self_harm = _alert(network, older, by="alice", safety=False, hours_ago=5)
    safety = _alert(network, newer, by="alice", safety=True, hours_ago=1)
    not_hers = _alert(network, hidden, by="carla", safety=False, hours_ago=0)
    followed = _alert(network, newer, by="alice", safety=False, hours_ago=2)
    screening.alert_acknowledge(
        acting_user=network.alice, membership=Membership.objects.get(user=network.alice), alert=followed
    )

    alice = signed_in(Client(), network.alice)
    page = alice.get(reverse("screening:inbox"))
    assert page.status_code == 200
    body = page.content.decode()
    assert _listed(body) == [str(safety.pk), str(self_harm.pk)]
    assert str(not_hers.pk) not in body and str(hidden.household.pk) not in body
    for alert, family in ((safety, newer), (self_harm, older)):
        assert reverse("screening:alert", args=[family.household.pk, alert.pk]) in body
    assert "Interpersonal safety: offer safety planning in private" in body
    assert "Lucía Ramírez" in body, "the coordinator may see who the screen was about"
    # Each family shown leaves its audit entry, naming the alert's category.
    audited = AuditEntry.objects.filter(detail="alert inbox", actor_id=network.alice.pk)
    assert {e.household_id for e in audited} == {older.household.pk, newer.household.pk}
    assert any("interpersonal_safety" in e.categories for e in audited)

    done = alice.post(reverse("screening:inbox"), {"household": str(older.household.pk), "alert": str(self_harm.pk)})
    assert done.status_code == 302 and done["Location"] == reverse("screening:inbox")
    self_harm.refresh_from_db()
    assert self_harm.acknowledged_by == network.alice
    assert _listed(alice.get(reverse("screening:inbox")).content.decode()) == [str(safety.pk)]


def test_an_alert_she_may_not_see_cannot_be_acknowledged_from_the_inbox(network: Network) -> None:
    hidden = make_screen_family(network, sensitive=False, link_carla=True)
    alert = _alert(network, hidden, by="carla", safety=False, hours_ago=0)
    alice = signed_in(Client(), network.alice)
    refused = alice.post(reverse("screening:inbox"), {"household": str(hidden.household.pk), "alert": str(alert.pk)})
    assert refused.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert alice.post(reverse("screening:inbox"), {"household": "x", "alert": "y"}).status_code == 404


def test_people_outside_the_family_see_an_empty_inbox_or_none(network: Network) -> None:
    family = make_screen_family(network, sensitive=True)
    alert = _alert(network, family, by="alice", safety=False, hours_ago=0)
    bob = signed_in(Client(), network.bob)
    page = bob.get(reverse("screening:inbox"))
    assert page.status_code == 200 and str(alert.pk) not in page.content.decode()
    assert "No open alert." in page.content.decode()
    carla = signed_in(Client(), network.carla)
    assert carla.get(reverse("screening:inbox")).status_code in (403, 404)


def test_the_home_page_and_the_navigation_lead_to_the_inbox(network: Network) -> None:
    family = make_screen_family(network, sensitive=True)
    alert = _alert(network, family, by="alice", safety=False, hours_ago=0)
    alice = signed_in(Client(), network.alice)
    home = alice.get(reverse("home")).content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', home, re.S)
    assert nav is not None and reverse("screening:inbox") in nav.group(1)
    card = re.search(r'<section class="card" aria-labelledby="alerts-title">(.*?)</section>', home, re.S)
    assert card is not None
    assert reverse("screening:alert", args=[family.household.pk, alert.pk]) in card.group(1)
    assert reverse("screening:inbox") in card.group(1)
    spanish = signed_in(Client(), network.alice)
    spanish.cookies["django_language"] = "es"
    assert "Alertas de evaluaciones" in spanish.get(reverse("screening:inbox")).content.decode()


def test_the_inbox_reads_a_bounded_number_of_queries_per_family_shown(network: Network) -> None:
    """Each family shown is opened through the policy (its consents, members, audit): the cost grows
    with the families on the page (at most 10 alerts a page), never with the families in the network."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice = signed_in(Client(), network.alice)
    counts = []
    for families in (1, 3):
        while ScreeningAlert.objects.count() < families:
            family = make_screen_family(network, sensitive=True)
            _alert(network, family, by="alice", safety=False, hours_ago=ScreeningAlert.objects.count())
        with CaptureQueriesContext(connection) as queries:
            assert len(_listed(alice.get(reverse("screening:inbox")).content.decode())) == families
        counts.append(len(queries))
    # Families without an open alert cost nothing.
    for _ in range(3):
        make_screen_family(network, sensitive=True)
    with CaptureQueriesContext(connection) as queries:
        alice.get(reverse("screening:inbox"))
    assert len(queries) == counts[-1]
    assert (counts[1] - counts[0]) / 2 <= 16, counts
