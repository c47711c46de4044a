"""The API skeleton: authentication, error bodies, pagination, OpenAPI."""

import pytest
from django.test import Client

from ecwhub.accounts.models import ApiToken, Organization, OrganizationKind
from ecwhub.accounts.services import api_token_create, api_token_revoke
from tests.conftest import PASSWORD, Network, signed_in

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_without_credentials_the_api_answers_401_with_the_error_body(network: Network) -> None:
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "unauthenticated", "message": "Sign in or send a valid API token.", "fields": {}}
    }


def test_a_bearer_token_identifies_the_user(network: Network) -> None:
    _, token = api_token_create(acting_user=network.alice, name="laptop")
    response = Client().get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "alice@example.org"
    assert body["memberships"] == [
        {
            "organization": "casa",
            "organization_name": "Casa Familia FRC",
            "role": "coordinator",
            "title": "",
            "is_org_admin": True,
        }
    ]
    row = ApiToken.objects.get(user=network.alice)
    assert row.last_used_at is not None
    assert token.split("_", 2)[2] not in row.key_hash


@pytest.mark.parametrize("mangle", ["revoke", "wrong_secret", "garbage"])
def test_a_revoked_or_wrong_token_is_refused(network: Network, mangle: str) -> None:
    row, token = api_token_create(acting_user=network.alice, name="laptop")
    if mangle == "revoke":
        api_token_revoke(acting_user=network.alice, token=row)
    elif mangle == "wrong_secret":
        token = token[:-4] + "AAAA"
    else:
        token = "not-a-token"
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401


def test_a_session_that_has_not_passed_two_factor_cannot_use_the_api(network: Network) -> None:
    client = Client()
    client.post("/accounts/sign-in/", {"username": "alice@example.org", "password": PASSWORD})
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "two_factor_required"


def test_a_verified_session_can_use_the_api(network: Network) -> None:
    response = signed_in(Client(), network.alice).get("/api/v1/me")
    assert response.status_code == 200


def test_session_writes_need_the_csrf_token(network: Network) -> None:
    client = signed_in(Client(enforce_csrf_checks=True), network.alice)
    response = client.post("/api/v1/me")
    assert response.status_code in (401, 403, 405)


def test_lists_are_paginated(network: Network) -> None:
    for i in range(7):
        Organization.objects.create(name=f"Clinic {i:02d}", slug=f"clinic-{i}", kind=OrganizationKind.CLINIC)
    client = signed_in(Client(), network.alice)
    page = client.get("/api/v1/organizations", {"page": 2, "page_size": 4}).json()
    assert page["count"] == 10
    assert page["page"] == 2
    assert page["page_size"] == 4
    assert page["pages"] == 3
    assert [item["slug"] for item in page["items"]] == ["clinic-3", "clinic-4", "clinic-5", "clinic-6"]
    kind = client.get("/api/v1/organizations", {"kind": "food_bank"}).json()
    assert [item["slug"] for item in kind["items"]] == ["food"]


def test_bad_pagination_names_the_field(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    response = client.get("/api/v1/organizations", {"page": 0, "page_size": 10_000})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"page", "page_size"}


def test_a_missing_record_has_the_error_body(network: Network) -> None:
    response = signed_in(Client(), network.alice).get("/api/v1/organizations/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_unknown_api_path_answers_json(network: Network) -> None:
    response = Client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_api_is_rate_limited_per_user(network: Network, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/m"}
    _, token = api_token_create(acting_user=network.bob, name="script")
    statuses = [Client().get("/api/v1/me", **bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = Client().get("/api/v1/me", **bearer(token))
    assert response.json()["error"]["code"] == "rate_limited"
    # Another user's budget is untouched.
    _, other = api_token_create(acting_user=network.alice, name="laptop")
    assert Client().get("/api/v1/me", **bearer(other)).status_code == 200


def test_openapi_describes_the_api(db: None) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "ECW Hub API"
    assert {"/api/v1/me", "/api/v1/organizations", "/api/v1/organizations/{slug}"} <= set(schema["paths"])
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_the_token_command_prints_a_working_token(network: Network) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("create_api_token", "ALICE@example.org", "nightly export", "--days", "30", stdout=out)
    token = out.getvalue().strip()
    assert Client().get("/api/v1/me", **bearer(token)).json()["email"] == "alice@example.org"
    with pytest.raises(CommandError, match="no active user"):
        call_command("create_api_token", "nobody@example.org", "x")
    with pytest.raises(CommandError, match="--days"):
        call_command("create_api_token", "alice@example.org", "x", "--days", "-1")


def test_the_token_command_names_the_membership_when_there_are_several(network: Network) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    from ecwhub.accounts.models import ApiToken, Role
    from ecwhub.accounts.services import membership_add

    membership_add(acting_user=None, user=network.alice, organization=network.food_bank, role=Role.ANALYST)
    with pytest.raises(CommandError, match="membership"):
        call_command("create_api_token", "alice@example.org", "x")
    with pytest.raises(CommandError, match="no active membership"):
        call_command("create_api_token", "alice@example.org", "x", "--organization", "hub")
    out = StringIO()
    call_command("create_api_token", "alice@example.org", "analysis", "--organization", "food", stdout=out)
    token = ApiToken.objects.get(name="analysis")
    assert token.membership is not None and token.membership.role == Role.ANALYST
    assert out.getvalue().strip().startswith("ecw_")
