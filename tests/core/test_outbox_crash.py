"""A process that dies between the commit and the delivery loses no notification.

Real processes: ``manage.py shell`` adds a member (which queues the invitation in the same
transaction) and is killed by ``os._exit`` right after the commit, before anything is sent;
then ``manage.py deliver_outbox`` sends the invitation to a real SMTP server. The processes
share the test database: on PostgreSQL the test database itself, on SQLite a file copy of it
(the test database lives in memory, which another process cannot open).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.core.conftest import SmtpServer

ROOT = Path(__file__).resolve().parents[2]

ADD_MEMBER = """
import os
from django.db import transaction
from django.test import RequestFactory
from ecwhub.accounts.models import Organization, OrganizationKind, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.accounts.views import member_add_with_invite

alice = User.objects.create_user("alice@example.org", "correct horse battery staple")
casa = Organization.objects.create(name="Casa Familia FRC", slug="casa", kind=OrganizationKind.FAMILY_RESOURCE_CENTER)
membership_add(acting_user=None, user=alice, organization=casa, role=Role.COORDINATOR, is_org_admin=True)
request = RequestFactory().post("/", HTTP_HOST="hub.example.org", secure=True)
request.user = alice
data = {"email": "nora@example.org", "first_name": "Nora", "last_name": "Nunez", "role": "coordinator"}
with transaction.atomic():
    if os.environ.get("DIE_AFTER_COMMIT"):
        # Registered first, so it runs first once the transaction commits: before any delivery.
        transaction.on_commit(lambda: os._exit(9))
    member_add_with_invite(request=request, organization=casa, data=data)
print("member added")
"""

NOTICES = "SELECT id, recipient, subject, status, attempts, sent_at FROM core_outboxmessage"
NORA_MEMBERSHIPS = (
    "SELECT count(*) FROM accounts_membership m JOIN accounts_user u ON u.id = m.user_id"
    " WHERE u.email = 'nora@example.org'"
)


@dataclass
class SharedDatabase:
    env: dict[str, str]
    sqlite_path: Path | None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def manage(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env | extra_env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture
def shared_database(transactional_db: None, smtp: SmtpServer, tmp_path: Path) -> Iterator[SharedDatabase]:
    env = {name: value for name, value in os.environ.items() if name not in {"TASKS_BACKEND", "DATABASE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "ecwhub.settings",
        "SECRET_KEY": django_settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(django_settings.FIELD_ENCRYPTION_KEYS),
        "ALLOWED_HOSTS": "hub.example.org",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "LOG_LEVEL": "WARNING",
    }
    sqlite_path = None
    if connection.vendor == "sqlite":
        sqlite_path = tmp_path / "hub.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(sqlite_path) as copy:
            connection.connection.backup(copy)  # schema and migration history, as migrate left them
        env["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    elif connection.vendor == "postgresql":
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        user = quote(db["USER"] or "", safe="")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}/{db['NAME']}"
    else:
        pytest.skip(f"no way to share a {connection.vendor} test database with another process")
    yield SharedDatabase(env=env, sqlite_path=sqlite_path)


def test_a_process_killed_after_the_commit_loses_no_notification(
    shared_database: SharedDatabase, smtp: SmtpServer
) -> None:
    crashed = shared_database.manage("shell", "-c", ADD_MEMBER, DIE_AFTER_COMMIT="1")
    assert crashed.returncode == 9, crashed.stderr
    assert "member added" not in crashed.stdout
    # The change committed, and so did its notice, which was never sent.
    assert shared_database.rows(NORA_MEMBERSHIPS) == [(1,)]
    ((message_id, recipient, subject, status, attempts, sent_at),) = shared_database.rows(NOTICES)
    assert (recipient, subject, status, attempts, sent_at) == (
        "nora@example.org",
        "You have been added to ECW Hub",
        "pending",
        0,
        None,
    )
    assert smtp.inbox.messages == []

    delivered = shared_database.manage("deliver_outbox", "--once")
    assert delivered.returncode == 0, delivered.stderr
    assert "sent 1, to retry 0, failed 0" in delivered.stdout
    (received,) = smtp.inbox.messages
    assert received["To"] == "nora@example.org"
    assert received["Subject"] == "You have been added to ECW Hub"
    assert received["Message-ID"] == f"<{uuid.UUID(str(message_id))}@ecwhub.invalid>"
    assert "https://hub.example.org/accounts/password/reset/" in received.get_payload(decode=True).decode()
    assert [row[3:5] for row in shared_database.rows(NOTICES)] == [("sent", 1)]

    again = shared_database.manage("deliver_outbox", "--once")
    assert again.returncode == 0, again.stderr
    assert len(smtp.inbox.messages) == 1


def test_the_delivery_loop_sends_what_a_lost_kick_left_and_stops_on_sigterm(
    shared_database: SharedDatabase, smtp: SmtpServer
) -> None:
    # The dummy tasks backend never runs the kick: the notice waits for the delivery loop.
    queued = shared_database.manage("shell", "-c", ADD_MEMBER, TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend")
    assert queued.returncode == 0, queued.stderr
    assert smtp.inbox.messages == []
    loop = shared_database.start("deliver_outbox", "--interval", "0.2")
    try:
        deadline = time.monotonic() + 60
        while not smtp.inbox.messages and time.monotonic() < deadline and loop.poll() is None:
            time.sleep(0.1)
        assert smtp.inbox.subjects() == ["You have been added to ECW Hub"]
        loop.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        out, err = loop.communicate(timeout=30)
    finally:
        if loop.poll() is None:
            loop.kill()
            loop.communicate()
    assert loop.returncode == 0, err
    assert time.monotonic() - stopped_at < 5
    assert "sent 1" in out
    assert [row[3] for row in shared_database.rows(NOTICES)] == ["sent"]
    assert len(smtp.inbox.messages) == 1
