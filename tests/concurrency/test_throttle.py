"""Twenty clients of one user spend one request budget at the same moment: the budget holds.

The budget's counter is shared by every server process through the cache; with the hub's database
cache (the default without Redis) each request's count is one locked row update, so none is lost.
"""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client

from ecwhub.accounts.services import api_token_create
from tests.concurrency.conftest import errors, postgresql_only, together
from tests.conftest import Network

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

CLIENTS, EACH, BUDGET = 20, 10, 60


def test_twenty_clients_at_once_get_the_budget_and_no_more(network: Network, settings) -> None:  # type: ignore[no-untyped-def]
    cache = caches["default"]
    assert type(cache).__module__ == "ecwhub.core.cache", "the test measures the hub's own database cache"
    cache.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": f"{BUDGET}/h"}
    _, token = api_token_create(acting_user=network.bob, name="script")
    headers = {"Authorization": f"Bearer {token}"}
    clients = [Client(raise_request_exception=False) for _ in range(CLIENTS)]

    def spend(index: int) -> list[int]:
        return [clients[index].get("/api/v1/me", headers=headers).status_code for _ in range(EACH)]

    outcomes = together(CLIENTS, spend)

    assert errors(outcomes) == []
    statuses = [status for outcome in outcomes for status in outcome.value]
    assert set(statuses) <= {200, 429}, sorted(set(statuses))
    assert statuses.count(200) == BUDGET, f"{statuses.count(200)} of {CLIENTS * EACH} let through, budget {BUDGET}"
    refused = clients[0].get("/api/v1/me", headers=headers)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
