"""The encounters API: a family's encounters with their facts, and recording one (the same
service as the form: each bad field named, nothing written; a family the caller may not see is
not found)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from ecwhub.accounts.models import Role
from ecwhub.accounts.services import membership_add
from ecwhub.care.models import Contact
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def _url(family: Family) -> str:
    return f"/api/v1/care/families/{family.household.pk}/encounters"


def test_an_encounter_is_recorded_and_listed_with_its_facts(network: Network, family: Family) -> None:
    client = signed_in(Client(), network.alice)
    body = {
        "method": "group_session",
        "outcome": "reached",
        "minutes": 90,
        "participants": [str(family.mother.pk), str(family.child.pk)],
        "topics": ["parenting", "development"],
        "interpreter_used": True,
        "interpreter_language": "quc",
        "funding": "grant",
        "note": "Circle of Security, week 3.",
    }
    response = client.post(_url(family), body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["method"], created["minutes"], created["dyadic"], created["funding"]) == (
        "group_session",
        90,
        True,
        "grant",
    )
    assert sorted(created["topics"]) == ["development", "parenting"]
    listed = client.get(_url(family)).json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert listed[0]["interpreter_language"] == "quc" and listed[0]["note"] == "Circle of Security, week 3."
    assert set(listed[0]["participants"]) == {str(family.mother.pk), str(family.child.pk)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 601}, "minutes"),
        ({"method": "carrier_pigeon"}, "method"),
        ({"topics": ["weather"]}, "topics"),
        ({"funding": "lottery"}, "funding"),
        ({"interpreter_used": True}, "interpreter_language"),
        ({"participants": [str(uuid.uuid4())]}, "participants"),
        ({"links": {"nowhere": ["1"]}}, "links.nowhere"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    network: Network, family: Family, changes: dict[str, object], field: str
) -> None:
    client = signed_in(Client(), network.alice)
    response = client.post(
        _url(family), {"method": "phone", "outcome": "reached", **changes}, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Contact.objects.exists()


def test_a_family_the_caller_may_not_see_is_not_found(network: Network) -> None:
    hidden = make_family(network, consent=False)
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    client = signed_in(Client(), network.oscar)
    assert client.get(_url(hidden)).status_code == 404
    response = client.post(_url(hidden), {"method": "phone", "outcome": "reached"}, content_type="application/json")
    assert response.status_code == 404
    assert not Contact.objects.exists()
