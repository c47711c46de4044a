"""A listing's history reads like the listing: field labels in the page's language, needs and
languages by name, yes and no, and every moment on the page in one format."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from ecwhub.directory.services import service_verify
from tests.conftest import Network, signed_in
from tests.directory.conftest import Listings
from tests.directory.test_listing import _form

RAW = re.compile(
    r"open_slots|typical_wait_days|accepting_referrals|food-insecurity|\b(?:True|False)\b|\d{4}-\d\d-\d\dT"
)


def _history(body: str) -> str:
    return body[body.index("<h2>") :]


@pytest.mark.django_db
def test_the_history_names_fields_by_their_labels(client: Client, network: Network, listings: Listings) -> None:
    bob = signed_in(client, network.bob)
    url = f"/directory/services/{listings.pantry.pk}/edit/"
    assert bob.post(url, _form(accepting_referrals=None)).status_code == 302
    service_verify(acting_user=network.bob, service_id=listings.pantry.pk)
    history = _history(bob.get(url).content.decode())
    assert "Edited: Open slots" in history
    assert "Edited: Accepting referrals now" in history
    assert "Verified: Last verified" in history
    assert "Food insecurity, Material hardship" in history
    assert "Cantonese (Taishanese)" in history
    assert not RAW.search(history), RAW.search(history)
    # One format for every moment: the changes' times and the verification's are written alike.
    moments = re.findall(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d\d-\d\d", history)
    assert moments and len({len(re.split(r"\D", m)[0]) for m in moments}) == 1


@pytest.mark.django_db
def test_the_history_speaks_spanish(client: Client, network: Network, listings: Listings) -> None:
    bob = signed_in(client, network.bob)
    url = f"/directory/services/{listings.pantry.pk}/edit/"
    bob.post(url, _form(accepting_referrals=None))
    bob.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    with translation.override("es"):
        body = bob.get(url, headers={"Accept-Language": "es"}).content.decode()
    history = _history(body)
    assert "Editado: Cupos disponibles" in history
    assert "Editado: Aceptan referidos ahora" in history
    assert "Falta de alimentos" in history
    assert not RAW.search(history), RAW.search(history)
