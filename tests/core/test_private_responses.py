"""Pages and answers about families are never kept by a browser or a shared cache."""

from __future__ import annotations

import pytest
from django.test import Client

from ecwhub.accounts.services import api_token_create
from tests.conftest import Network, signed_in

pytestmark = pytest.mark.django_db


def _no_store(response: object) -> bool:
    value = response.headers.get("Cache-Control", "")  # type: ignore[attr-defined]
    return "no-store" in {part.strip() for part in value.split(",")}


@pytest.mark.parametrize("path", ["/", "/families/", "/care/worklist/", "/families/intake/"])
def test_a_signed_in_page_is_not_stored(network: Network, path: str) -> None:
    response = signed_in(Client(), network.alice).get(path)
    assert response.status_code == 200
    assert _no_store(response)


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/families", "/api/v1/organizations", "/api/hsds/services"])
def test_an_api_answer_is_not_stored(network: Network, path: str) -> None:
    _, token = api_token_create(acting_user=network.alice, name="laptop")
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert _no_store(response)
    assert _no_store(signed_in(Client(), network.alice).get(path))


def test_an_api_error_is_not_stored(network: Network) -> None:
    assert _no_store(Client().get("/api/v1/me"))
    assert _no_store(signed_in(Client(), network.alice).get("/api/v1/families/not-an-id"))
