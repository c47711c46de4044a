"""The whole API against its own OpenAPI description, with inputs schemathesis generates from it:
no answer is a 5xx, and every answer has a documented status, content type and body shape.

The budget is bounded (FUZZ_EXAMPLES generated requests for each of the 30 operations, about 40 s
on the project's machines); ``ECWHUB_FUZZ_EXAMPLES`` raises it for a longer hunt.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ecwhub.accounts.services import api_token_create
from ecwhub.api import api
from tests.conftest import Network

FUZZ_EXAMPLES = int(os.environ.get("ECWHUB_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The coverage phase sends every field's boundary values (the maximum + 1, a wrong type, a missing
# required field): some 2,500 requests, about two minutes here, so it runs only on request
# (ECWHUB_FUZZ_COVERAGE=1). The bounded integers have their own test (test_api_robustness.py).
COVERAGE = os.environ.get("ECWHUB_FUZZ_COVERAGE", "") == "1"
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE, "unexpected-methods": []}}})
# The description as served at /api/openapi.json (JSON keys are strings).
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api"))), config=CONFIG
)
schema.app = get_wsgi_application()


@pytest.fixture
def token(network: Network, settings: Any) -> Iterator[str]:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "testserver"]
    # The request budget is tested on its own (test_api.py, tests/concurrency); here it would only
    # turn the later examples into 429s.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "1000000/m", "api_anonymous": "1000000/m"}
    _, secret = api_token_create(acting_user=network.alice, name="fuzz")
    # The requests go through the real WSGI handler, which closes the database connection when a
    # request ends; the test's transaction lives on it (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield secret
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_it_is_described(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
