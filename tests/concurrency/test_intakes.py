"""Ten coordinators send the same new family's intake at the same moment (``POST /api/v1/intakes``
without ``create_new``): one family is created, and the nine others are told the network knows it
already (409 ``possible_duplicates``, linking to that one family)."""

from __future__ import annotations

import pytest
from django.test import Client

from ecwhub.families.models import Household, IntakeRecord, Person
from tests.concurrency.conftest import errors, postgresql_only, together
from tests.conftest import Network, signed_in
from tests.families.conftest import intake_json

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

SENDERS = 10


def test_ten_identical_intakes_at_once_create_one_family(network: Network) -> None:
    households, people = Household.objects.count(), Person.objects.count()
    clients = [signed_in(Client(raise_request_exception=False), network.alice) for _ in range(SENDERS)]
    body = intake_json()

    outcomes = together(SENDERS, lambda i: clients[i].post("/api/v1/intakes", body, content_type="application/json"))

    assert errors(outcomes) == []
    codes = sorted(outcome.value.status_code for outcome in outcomes)
    assert codes == [201] + [409] * (SENDERS - 1), codes
    assert Household.objects.count() == households + 1
    assert Person.objects.count() == people + 2  # the mother and her child, once
    (created,) = IntakeRecord.objects.all()
    for outcome in outcomes:
        if outcome.value.status_code == 409:
            error = outcome.value.json()["error"]
            assert error["code"] == "possible_duplicates"
            assert error["fields"]["link_household_id"] == [str(created.household_id)]
