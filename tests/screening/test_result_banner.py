"""The crisis lines are repeated on the result of a screen that raised an alert, for the people the
access policy lets see the alert's category, and for nobody else."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import Membership
from ecwhub.screening import scoring
from ecwhub.screening import services as screening
from ecwhub.screening.models import ScreeningAlert, ScreeningResponse
from tests.conftest import Network, signed_in

from .conftest import ScreenFamily, make_screen_family
from .test_result_outcomes import _fill, _quiet

pytestmark = pytest.mark.django_db

SELF_HARM = {"/71364-4": "epds-10-2"}
# AHC HRSN safety: 5 + 2 + 2 + 2 = 11, the threshold.
UNSAFE = {"/95618-5": "LA6482-9", "/95617-7": "LA10066-1", "/95616-9": "LA10066-1", "/95615-1": "LA10066-1"}


def _completed_by_the_mother(
    network: Network, family: ScreenFamily, instrument_id: str, chosen: dict
) -> ScreeningResponse:
    """The mother takes the screen on her own phone, through the same services as the pages."""
    carla = Membership.objects.get(user=network.carla)
    instrument = scoring.load_instrument(instrument_id)
    quiet = _quiet(instrument)
    answers = _fill(instrument, lambda item: chosen.get(item.link_id) or quiet(item))
    response = screening.screening_start(
        acting_user=network.carla,
        membership=carla,
        household=family.household,
        person=family.mother,
        instrument_id=instrument_id,
        language="en",
    )
    for link_id, answer in answers.items():
        screening.screening_answer(
            acting_user=network.carla, membership=carla, response=response, link_id=link_id, answer=[answer]
        )
    screening.screening_complete(acting_user=network.carla, membership=carla, response=response)
    return response


def _crisis(body: str) -> str:
    return "".join(re.findall(r'<div class="form-errors" role="alert" data-testid="crisis">(.*?)</div>', body, re.S))


def test_the_coordinator_sees_the_crisis_protocol_on_the_result_of_a_self_harm_screen(network: Network) -> None:
    family = make_screen_family(network, sensitive=True, link_carla=True)
    response = _completed_by_the_mother(network, family, "epds", SELF_HARM)
    alert = ScreeningAlert.objects.get(response=response)
    alice = signed_in(Client(), network.alice)
    body = alice.get(reverse("screening:result", args=[family.household.pk, response.pk])).content.decode()
    banner = _crisis(body)
    assert "988 Suicide &amp; Crisis Lifeline" in banner and "call 911" in banner
    assert reverse("screening:alert", args=[family.household.pk, alert.pk]) in banner
    # Followed up: the lines stay, with when it was followed up.
    alice.post(reverse("screening:alert", args=[family.household.pk, alert.pk]))
    after = _crisis(alice.get(reverse("screening:result", args=[family.household.pk, response.pk])).content.decode())
    assert "988 Suicide &amp; Crisis Lifeline" in after and "Followed up on" in after


def test_the_caregiver_sees_the_help_lines_on_her_result(network: Network) -> None:
    family = make_screen_family(network, sensitive=True, link_carla=True)
    response = _completed_by_the_mother(network, family, "epds", SELF_HARM)
    carla = signed_in(Client(), network.carla)
    banner = _crisis(carla.get(reverse("screening:mine_result", args=[response.pk])).content.decode())
    assert "call or text 988" in banner and "call 911" in banner
    assert "protocol" not in banner.lower(), "the family sees the help lines, not the staff's protocol"


def test_a_screen_without_an_alert_has_no_crisis_banner(network: Network) -> None:
    family = make_screen_family(network, sensitive=True, link_carla=True)
    response = _completed_by_the_mother(network, family, "epds", {})
    alice = signed_in(Client(), network.alice)
    body = alice.get(reverse("screening:result", args=[family.household.pk, response.pk])).content.decode()
    assert not _crisis(body) and not re.search(r"\b988\b", body)


@pytest.mark.parametrize("consent_names_safety", [True, False])
def test_the_safety_banner_follows_the_interpersonal_safety_consent(
    network: Network, consent_names_safety: bool
) -> None:
    family = make_screen_family(network, sensitive=consent_names_safety, link_carla=True)
    response = _completed_by_the_mother(network, family, "ahc-hrsn-core", UNSAFE)
    assert ScreeningAlert.objects.filter(response=response, kind="interpersonal-safety").exists()
    alice = signed_in(Client(), network.alice)
    page = alice.get(reverse("screening:result", args=[family.household.pk, response.pk]))
    assert page.status_code == 200, "the social-needs result itself is screening results"
    body = page.content.decode()
    if consent_names_safety:
        assert "1-800-799-7233" in _crisis(body)
    else:
        assert not _crisis(body) and "1-800-799-7233" not in body and "911" not in body, "the safety alert leaked"
