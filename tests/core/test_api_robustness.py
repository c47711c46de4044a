"""What the API answers to input a careless or hostile client sends: never a 500, always the error
body naming the field at fault."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ecwhub.api import api
from tests.conftest import Network, signed_in

pytestmark = pytest.mark.django_db

LARGEST_ID = str(2**63 - 1)
HUGE = ["9223372036854775808", "99999999999999999999999", "-9223372036854775809"]
ID_FILTERS = [
    ("/api/v1/care/overdue", "organization"),
    ("/api/v1/care/overdue", "coordinator"),
    ("/api/v1/care/worklist", "organization"),
    ("/api/v1/care/worklist", "coordinator"),
]


@pytest.mark.parametrize("value", [*HUGE, LARGEST_ID])
@pytest.mark.parametrize(
    ("path", "field"),
    [
        *ID_FILTERS,
        ("/api/v1/care/overdue", "page"),
        ("/api/v1/care/worklist", "page"),
        ("/api/v1/care/worklist", "tier"),
        ("/api/hsds/organizations", "page"),
        ("/api/hsds/services", "page"),
        ("/api/hsds/taxonomy_terms", "page"),
        ("/api/hsds/service_at_locations", "page"),
        ("/api/v1/organizations", "page"),
        ("/api/v1/families", "page"),
        ("/api/v1/directory/search", "page"),
    ],
)
def test_a_huge_integer_is_refused_naming_the_field(network: Network, path: str, field: str, value: str) -> None:
    response = signed_in(Client(raise_request_exception=False), network.alice).get(path, {field: value})
    if value == LARGEST_ID and (path, field) in ID_FILTERS:
        # An id the database can hold: no such row, nothing found.
        assert response.status_code == 200, response.content
        assert response.json()["count"] == 0
        return
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


def test_the_worklist_page_survives_a_huge_page_number(network: Network) -> None:
    response = signed_in(Client(raise_request_exception=False), network.alice).get("/care/worklist/", {"page": HUGE[0]})
    assert response.status_code == 200


def _integer_schemas(schema: Any, where: str, components: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every integer schema reachable from ``schema`` (following $ref into the components)."""
    found: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    walk(components[name], f"{path}<{name}>")
                return
            if node.get("type") == "integer":
                found.append((path, node))
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(schema, where)
    return found


def test_every_integer_the_api_accepts_is_bounded() -> None:
    # A number the database cannot hold (or a page whose offset it cannot hold) must be refused
    # by validation, naming the field, before any query runs.
    document = api.get_openapi_schema(path_prefix="/api")
    components = document.get("components", {}).get("schemas", {})
    unbounded = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            inputs = [p.get("schema", {}) for p in operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {})
            inputs += [media.get("schema", {}) for media in body.values()]
            for schema in inputs:
                for where, node in _integer_schemas(schema, f"{method.upper()} {path}", components):
                    if "maximum" not in node or "minimum" not in node or node["maximum"] > 2**63 - 1:
                        unbounded.append(where)
    assert unbounded == []


def _post_json(client: Client, path: str, body: str, method: str = "post") -> Any:
    return getattr(client, method)(path, body, content_type="application/json")


def test_a_body_over_the_upload_limit_is_answered_413(network: Network, settings: Any) -> None:
    from tests.families.conftest import intake_json

    body = intake_json()
    body["details"]["best_times"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    client = signed_in(Client(raise_request_exception=False), network.alice)
    response = _post_json(client, "/api/v1/intakes", json.dumps(body))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    ("field", "where"),
    [
        ("caregiver__given_name", "caregiver.given_name"),
        ("children__0__family_name", "children.0.family_name"),
        ("details__best_times", "details.best_times"),
    ],
)
def test_a_lone_surrogate_in_an_intake_is_refused_naming_the_field(network: Network, field: str, where: str) -> None:
    from ecwhub.families.models import Household
    from tests.families.conftest import intake_json

    client = signed_in(Client(raise_request_exception=False), network.alice)
    response = _post_json(client, "/api/v1/intakes", json.dumps(intake_json(**{field: "Rosa \ud800"})))
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [where]
    assert not Household.objects.exists()


NOWHERE = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("path", "method", "body", "where"),
    [
        ("/api/v1/intakes/match", "post", '{"caregiver": {"given_name": "\\udfff"}}', "caregiver.given_name"),
        (f"/api/v1/intake-drafts/{NOWHERE}", "put", '{"caregiver": {"given_name": "\\ud800"}}', "caregiver.given_name"),
        (f"/api/v1/directory/services/{NOWHERE}/listing", "patch", '{"description": "\\ud83d"}', "description"),
        (
            f"/api/v1/directory/services/{NOWHERE}/listing",
            "patch",
            '{"languages": [{"language": "es", "dialect": "\\ud800"}]}',
            "languages.0.dialect",
        ),
        (f"/api/v1/families/{NOWHERE}/screenings", "post", '{"instrument": "\\ud800"}', "instrument"),
        (f"/api/v1/families/{NOWHERE}/screenings/{NOWHERE}/answers", "post", '{"link_id": "\\ud800"}', "link_id"),
    ],
)
def test_every_write_refuses_a_lone_surrogate(network: Network, path: str, method: str, body: str, where: str) -> None:
    client = signed_in(Client(raise_request_exception=False), network.alice)
    response = _post_json(client, path, body, method)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [where]


def test_a_lone_surrogate_in_a_key_is_refused_too(network: Network) -> None:
    client = signed_in(Client(raise_request_exception=False), network.alice)
    response = _post_json(client, "/api/v1/intakes/match", '{"caregiver": {"\\ud800": "x"}, "children": []}')
    assert response.status_code == 422, response.content


def _models_in(annotation: Any, found: dict[str, set[type]]) -> None:
    """Every pydantic model and enum an annotation reaches, by the name OpenAPI gives its schema."""
    from enum import Enum
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, Enum)):
        if annotation in found.setdefault(annotation.__name__, set()):
            return
        found[annotation.__name__].add(annotation)
        if issubclass(annotation, BaseModel):
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for argument in get_args(annotation):
        _models_in(argument, found)


def test_no_two_different_schemas_share_a_name() -> None:
    # The OpenAPI description keeps one schema per name: a second class of the same name silently
    # replaces the first, and the description lies about one of the operations.
    found: dict[str, set[type]] = {}
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                wrappers = [*operation.models, *(operation.response_models or {}).values()]
                for wrapper in wrappers:
                    for field in getattr(wrapper, "model_fields", {}).values():
                        _models_in(field.annotation, found)
    shared = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes) for name, classes in found.items()}
    assert {name: where for name, where in shared.items() if len(where) > 1} == {}


def test_the_screenings_are_documented_with_their_own_schema(db: None) -> None:
    document = Client().get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    listing = document["paths"]["/api/v1/families/{household_id}/screenings"]["get"]
    item = listing["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[1]
    results = schemas[item]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    assert {"rule", "code", "status", "total", "value_system", "value_code"} <= set(schemas[results]["properties"])
    assert "service_id" not in schemas[results]["properties"]  # the directory search's result
    needs = document["paths"]["/api/v1/families/{household_id}/needs"]["get"]
    need = needs["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[1]
    assert {"id", "need", "status", "priority", "evidence"} <= set(schemas[need]["properties"])


def test_every_operation_documents_its_error_answers(db: None) -> None:
    document = Client().get("/api/openapi.json").json()
    assert "ErrorOut" in document["components"]["schemas"]
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = {"429"}
            if operation.get("security"):
                expected |= {"401", "403"}
            if operation.get("parameters") or "requestBody" in operation:
                expected.add("422")
            if "requestBody" in operation:
                expected.add("413")
            if "{" in path:
                expected.add("404")
            for status in expected:
                answer = operation["responses"].get(status, {})
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") != "#/components/schemas/ErrorOut":
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []
