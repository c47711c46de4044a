"""Health check, security headers, logs, static files and settings."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from tests.conftest import Network, signed_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_reports_database_and_migrations() -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_pages_carry_the_security_headers(network: Network) -> None:
    response = Client().get("/accounts/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_kept_and_an_unsafe_one_replaced(db: None) -> None:
    assert Client().get("/health/", HTTP_X_REQUEST_ID="abc-123-def-456")["X-Request-ID"] == "abc-123-def-456"
    replaced = Client().get("/health/", HTTP_X_REQUEST_ID="x\nforged log line")["X-Request-ID"]
    assert "\n" not in replaced and len(replaced) == 32


@pytest.mark.django_db
def test_request_logs_name_the_route_not_the_path_or_the_person(
    network: Network, caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in(Client(), network.alice)
    with caplog.at_level(logging.INFO, logger="ecwhub.request"):
        client.get("/accounts/organizations/casa/?search=Alice+%C3%81lvarez")
    records = [r for r in caplog.records if r.name == "ecwhub.request"]
    assert records
    record = records[-1]
    assert record.route == "accounts:organization"  # type: ignore[attr-defined]
    assert record.user_id == network.alice.pk  # type: ignore[attr-defined]
    serialized = json.dumps(record.__dict__, default=str)
    for secret in ("alice@example.org", "Álvarez", "casa", "search"):
        assert secret not in serialized


def test_logs_are_json_lines_with_the_request_id() -> None:
    from pythonjsonlogger.json import JsonFormatter

    from ecwhub.core.logging import RequestIdFilter, request_id_var

    formatter = JsonFormatter(**{k: v for k, v in django_settings.LOGGING["formatters"]["json"].items() if k != "()"})
    token = request_id_var.set("req-1234abcd")
    try:
        record = logging.LogRecord("ecwhub.test", logging.INFO, __file__, 1, "hello", None, None)
        RequestIdFilter().filter(record)
        line = json.loads(formatter.format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "req-1234abcd"
    assert line["level"] == "INFO"
    assert line["message"] == "hello"
    assert "time" in line


@pytest.mark.django_db
def test_error_pages_are_the_same_for_missing_and_forbidden(network: Network) -> None:
    client = signed_in(Client(), network.bob)
    missing = client.get("/accounts/organizations/no-such-org/")
    forbidden = client.get("/accounts/organizations/casa/")
    assert missing.status_code == forbidden.status_code == 404


def test_passwords_are_hashed_with_argon2() -> None:
    # conftest swaps in a fast hasher for tests; the configured one is what production uses.
    from ecwhub import settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def _settings_process(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ECWHUB_HTTPS", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "ecwhub.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_deployment_without_a_secret_key_refuses_to_start() -> None:
    result = _settings_process({}, "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_defaults_pass_djangos_deployment_checks(tmp_path: Path) -> None:
    env = {
        "SECRET_KEY": "k" * 60 + "-production-like-secret-value",
        "ALLOWED_HOSTS": "hub.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = (
        "import django, sys; django.setup(); from django.conf import settings as s;"
        "from django.core.management import call_command;"
        "assert not s.DEBUG and s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE and s.SECURE_SSL_REDIRECT;"
        "assert s.SECURE_HSTS_SECONDS >= 31536000;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = _settings_process(env, code)
    assert result.returncode == 0, result.stderr[-2000:]


def test_static_files_collect_with_hashed_names(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert manifest["css/hub.css"].startswith("css/hub.") and manifest["css/hub.css"] != "css/hub.css"
    assert "js/htmx.min.js" in manifest
    assert (tmp_path / (manifest["css/hub.css"] + ".gz")).exists()


def test_error_records_lose_the_request_path_before_they_are_written() -> None:
    from django.test import RequestFactory

    from ecwhub.core.logging import RedactRequestFilter

    request = RequestFactory().get("/families/?q=Mar%C3%ADa+Garc%C3%ADa")
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (request.path,), None
    )
    record.request = request  # type: ignore[attr-defined]
    record.status_code = 500  # type: ignore[attr-defined]
    RedactRequestFilter().filter(record)
    text = record.getMessage() + json.dumps({k: str(v) for k, v in record.__dict__.items()})
    assert "María" not in text and "Mar%C3%ADa" not in text and "/families/" not in text
    assert record.status_code == 500  # type: ignore[attr-defined]
