"""Starting the hub: a production start refuses what is missing, the quick start and the test
suite say which mode they run in. Each test starts a real process with an environment it builds
from nothing, so nothing of the test run's own configuration leaks into it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 60 + "-production-like-secret-value"
KEY = Fernet.generate_key().decode()
AUDIT_KEY = "an-audit-log-key-of-at-least-32-characters"
SMTP = "smtp+tls://hub%40example.org:password@smtp.example.org:587"


def _env(**values: str) -> dict[str, str]:
    """Only what a process needs to find Python and its locale, plus ``values``."""
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    return {**base, "DJANGO_SETTINGS_MODULE": "ecwhub.settings", **values}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _start(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    """``django.setup()`` in a new interpreter, then ``code``."""
    return _run([sys.executable, "-c", "import django; django.setup()\n" + code], env)


def _production(tmp_path: Path, **values: str) -> dict[str, str]:
    configured = {
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "hub.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_URL": SMTP,
        "FIELD_ENCRYPTION_KEYS": KEY,
        "AUDIT_LOG_KEYS": AUDIT_KEY,
    }
    return _env(**{**configured, **values})


def test_a_start_with_nothing_configured_is_refused_and_names_every_missing_variable() -> None:
    result = _start(_env())
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for variable in ("SECRET_KEY", "EMAIL_URL", "FIELD_ENCRYPTION_KEYS", "AUDIT_LOG_KEYS"):
        assert f"{variable} is not set" in result.stderr
    assert "ECWHUB_MODE=production" in result.stderr
    assert "docs/configuration.md" in result.stderr


@pytest.mark.parametrize("variable", ["EMAIL_URL", "FIELD_ENCRYPTION_KEYS", "SECRET_KEY", "AUDIT_LOG_KEYS"])
def test_a_production_start_without_one_variable_is_refused_and_names_only_that_one(
    tmp_path: Path, variable: str
) -> None:
    env = _production(tmp_path)
    del env[variable]
    result = _start(env)
    assert result.returncode != 0
    assert f"{variable} is not set" in result.stderr
    others = {"EMAIL_URL", "FIELD_ENCRYPTION_KEYS", "SECRET_KEY", "AUDIT_LOG_KEYS"} - {variable}
    assert not any(f"{other} is not set" in result.stderr for other in others)


def test_an_empty_variable_counts_as_missing(tmp_path: Path) -> None:
    result = _start(_production(tmp_path, EMAIL_URL="", FIELD_ENCRYPTION_KEYS=" , "))
    assert result.returncode != 0
    assert "EMAIL_URL is not set" in result.stderr and "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_an_invalid_field_key_is_refused_by_its_position_never_its_value(tmp_path: Path) -> None:
    bad = "not-a-fernet-key-but-a-secret-all-the-same"
    result = _start(_production(tmp_path, FIELD_ENCRYPTION_KEYS=f"{KEY},{bad}"))
    assert result.returncode != 0
    assert "key number 2" in result.stderr and "not a valid Fernet key" in result.stderr
    assert bad not in result.stderr and KEY not in result.stderr


def test_a_short_audit_log_key_is_refused_by_its_position_never_its_value(tmp_path: Path) -> None:
    short = "too-short-a-secret"
    result = _start(_production(tmp_path, AUDIT_LOG_KEYS=f"{AUDIT_KEY},{short}"))
    assert result.returncode != 0
    assert "AUDIT_LOG_KEYS: key number 2" in result.stderr and short not in result.stderr


def test_production_does_not_read_a_key_file_left_by_the_quick_start(tmp_path: Path) -> None:
    (tmp_path / "field_keys").write_text(KEY + "\n")
    env = _production(tmp_path, ECWHUB_VAR_DIR=str(tmp_path))
    del env["FIELD_ENCRYPTION_KEYS"]
    result = _start(env)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    result = _start(_production(tmp_path, ECWHUB_MODE="demo"))
    assert result.returncode != 0
    assert "ECWHUB_MODE is 'demo'" in result.stderr and "production, embedded, test" in result.stderr


def test_a_configured_production_start_passes_djangos_deployment_checks(tmp_path: Path) -> None:
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "System check identified no issues" in result.stdout
    settings = _start(
        _production(tmp_path),
        "from django.conf import settings as s\n"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.SESSION_COOKIE_SECURE, s.DEBUG)\n",
    )
    assert settings.returncode == 0, settings.stderr[-3000:]
    assert settings.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
        "True",
        "False",
    ]


def test_the_embedded_mode_writes_mail_to_its_outbox_and_creates_its_key_once(tmp_path: Path) -> None:
    env = _env(
        ECWHUB_MODE="embedded",
        ECWHUB_VAR_DIR=str(tmp_path),
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    code = (
        "from django.conf import settings as s\n"
        "from django.core.mail import send_mail\n"
        "send_mail('Reset your password', 'A link', None, ['someone@example.org'])\n"
        "print(s.EMAIL_BACKEND)\nprint(s.EMAIL_FILE_PATH)\nprint(','.join(s.FIELD_ENCRYPTION_KEYS))\n"
        "print(','.join(s.AUDIT_LOG_KEYS))\nprint(s.AUDIT_CHECKPOINT_DIR)\n"
    )
    first = _start(env, code)
    assert first.returncode == 0, first.stderr[-3000:]
    backend, outbox, keys, audit_keys, checkpoints = first.stdout.split()
    assert audit_keys == (tmp_path / "audit_keys").read_text().strip() and audit_keys != keys
    assert stat.S_IMODE((tmp_path / "audit_keys").stat().st_mode) == 0o600
    assert Path(checkpoints) == tmp_path / "audit_checkpoints"
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(outbox) == tmp_path / "outbox"
    (message,) = list((tmp_path / "outbox").iterdir())
    assert "Subject: Reset your password" in message.read_text()
    key_file = tmp_path / "field_keys"
    assert keys == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    Fernet(keys)  # a valid key

    again = _start(env, "from django.conf import settings as s; print(','.join(s.FIELD_ENCRYPTION_KEYS))")
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.strip() == keys, "the second start reuses the key of the first"


def test_the_embedded_mode_still_needs_a_secret_key(tmp_path: Path) -> None:
    result = _start(_env(ECWHUB_MODE="embedded", ECWHUB_VAR_DIR=str(tmp_path)))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "EMAIL_URL" not in result.stderr and "FIELD_ENCRYPTION_KEYS is not set" not in result.stderr


def test_the_test_mode_keeps_mail_in_memory_and_still_needs_keys(tmp_path: Path) -> None:
    env = _env(ECWHUB_MODE="test", SECRET_KEY=SECRET, ECWHUB_VAR_DIR=str(tmp_path))
    refused = _start(env)
    assert refused.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in refused.stderr and "EMAIL_URL" not in refused.stderr
    assert not (tmp_path / "field_keys").exists(), "only the embedded mode creates a key"

    started = _start(
        {**env, "FIELD_ENCRYPTION_KEYS": KEY}, "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    )
    assert started.returncode == 0, started.stderr[-3000:]
    assert started.stdout.strip() == "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the quick start always uses its own SQLite database; it runs once, in the SQLite pass",
)
def test_the_quick_starts_environment_migrates_and_passes_the_system_checks(tmp_path: Path) -> None:
    """The steps of `./hub run` before it serves, through the script's own environment lines."""
    env = _env(DATABASE_URL=f"sqlite:///{tmp_path / 'hub.sqlite3'}", ECWHUB_VAR_DIR=str(tmp_path))
    migrate = _run(["./hub", "manage", "migrate", "--no-input", "-v", "0"], env)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    check = _run(["./hub", "manage", "check", "--fail-level", "WARNING"], env)
    assert check.returncode == 0, check.stderr[-3000:]
    assert "System check identified no issues" in check.stdout
    mail = _run(["./hub", "manage", "sendtestemail", "someone@example.org"], env)
    assert mail.returncode == 0, mail.stderr[-3000:]
    assert len(list((tmp_path / "outbox").iterdir())) == 1
    assert (tmp_path / "secret_key").stat().st_size > 0 and (tmp_path / "field_keys").stat().st_size > 0
