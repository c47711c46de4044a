"""Unfinished intakes are listed for their author by the family's name as entered, with the step
reached (the link resumes there) and the day the draft is deleted if not finished."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import formats, timezone

from ecwhub.families.models import IntakeDraft
from tests.conftest import Network, signed_in
from tests.families.conftest import step1, step2

pytestmark = pytest.mark.django_db


def _start(client: Client) -> str:
    response = client.post("/families/intake/")
    match = re.search(r"/families/intake/([0-9a-f-]+)/step/1/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def test_drafts_are_listed_by_the_caregivers_name_with_step_and_expiry(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    empty = _start(client)
    named = _start(client)
    client.post(f"/families/intake/{named}/step/1/", {**step1(**{"cg-phone": ""}), "action": "save"})
    further = _start(client)
    client.post(f"/families/intake/{further}/step/1/", {**step1(**{"cg-given_name": "Lucía"}), "action": "next"})
    assert IntakeDraft.objects.get(pk=further).step == 2

    html = client.get("/families/intake/").content.decode()
    assert f'<a href="/families/intake/{named}/step/1/">Rosa Mendoza Cruz</a>' in html
    assert f'<a href="/families/intake/{further}/step/2/">Lucía Mendoza Cruz</a>' in html
    assert f'<a href="/families/intake/{empty}/step/1/">Family not named yet</a>' in html
    assert "Step 1 of 3: who and how to reach" in html
    assert "Step 2 of 3: details" in html
    expires = IntakeDraft.objects.get(pk=named).expires_at
    day = formats.date_format(timezone.localtime(expires), "DATE_FORMAT")
    assert f"deleted on {day} if not finished" in html
    assert "Intake saved" not in html

    spanish = signed_in(Client(), network.alice)
    spanish.cookies["django_language"] = "es"
    es = spanish.get("/families/intake/").content.decode()
    assert "Paso 2 de 3: detalles" in es and "Familia aún sin nombre" in es


def test_a_draft_at_the_match_step_resumes_there(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft = _start(client)
    client.post(f"/families/intake/{draft}/step/1/", {**step1(), "action": "next"})
    client.post(f"/families/intake/{draft}/step/2/", {**step2(), "action": "next"})
    assert IntakeDraft.objects.get(pk=draft).step == 3
    html = client.get("/families/intake/").content.decode()
    assert f'<a href="/families/intake/{draft}/match/">Rosa Mendoza Cruz</a>' in html
    assert "Step 3 of 3: is the family known to the network?" in html


def test_another_users_drafts_are_not_listed(network: Network) -> None:
    _start(signed_in(Client(), network.alice))
    IntakeDraft.objects.update(author=network.bob)
    assert "Unfinished intakes" not in signed_in(Client(), network.alice).get("/families/intake/").content.decode()
