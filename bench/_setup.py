"""What every benchmark sets up the same way: a database of its own, and Django on it.

A benchmark never opens the database named in ``DATABASE_URL``: on PostgreSQL it uses a database
of its own name on that server (created and dropped through the server's ``postgres`` database),
otherwise an SQLite file under ``var/bench/``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")


def secret_key_required() -> None:
    if not os.environ.get("SECRET_KEY"):
        sys.exit("Set SECRET_KEY (any value will do for the benchmark).")


@dataclass(frozen=True)
class BenchDatabase:
    """The benchmark's own database: ``url`` to give Django, ``engine`` ("postgresql" or "sqlite")."""

    url: str
    engine: str
    sqlite_path: Path | None = None

    @classmethod
    def named(cls, postgres_name: str, sqlite_name: str | None = None) -> BenchDatabase:
        """The database ``postgres_name`` on the server ``DATABASE_URL`` points at, or, when it
        points at none, the SQLite file ``var/bench/<sqlite_name>`` (without one: PostgreSQL only)."""
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(POSTGRES_SCHEMES):
            return cls(urlunsplit(urlsplit(url)._replace(path=f"/{postgres_name}")), "postgresql")
        if sqlite_name is None:
            sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
        if url and not url.startswith("sqlite:"):
            sys.exit(f"Unsupported DATABASE_URL scheme: {url.split(':', 1)[0]} (use sqlite or postgres)")
        path = ROOT / "var" / "bench" / sqlite_name
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}", "sqlite", path)

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def _admin(self) -> Any:
        import psycopg

        parts = urlsplit(self.url)
        return psycopg.connect(
            host=parts.hostname or "localhost",
            port=parts.port or 5432,
            user=parts.username or None,
            password=parts.password or None,
            dbname="postgres",
            autocommit=True,
        )

    def create(self, *, fresh: bool = False) -> None:
        """Create the database unless it exists (dropped first with ``fresh``). SQLite creates the
        file on the first connection."""
        if fresh:
            self.drop()
        if self.engine == "sqlite":
            return
        with self._admin() as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone():
                admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        apps = sys.modules.get("django.apps")
        if apps is not None and apps.apps.ready:
            from django.db import connections

            connections.close_all()  # a database in use cannot be dropped
        if self.sqlite_path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)
            return
        with self._admin() as admin:
            force = " WITH (FORCE)" if admin.info.server_version >= 130000 else ""
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"{force}')

    def file_size(self) -> int:
        """Bytes of the SQLite file and its write-ahead log."""
        assert self.sqlite_path is not None
        files = [Path(f"{self.sqlite_path}{suffix}") for suffix in ("", "-wal")]
        return sum(file.stat().st_size for file in files if file.exists())

    def size(self) -> str:
        if self.engine == "sqlite":
            size = self.file_size()
        else:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                size = cursor.fetchone()[0]
        return f"{size / 1_000_000:.0f} MB"

    def start_django(self) -> None:
        """Point Django at this database (created if missing) and set it up, migrated.

        A measurement on this machine: the laptop mode (e-mail to var/outbox, the local keys),
        unless ``ECWHUB_MODE`` says otherwise."""
        os.environ["DATABASE_URL"] = self.url
        os.environ["DJANGO_SETTINGS_MODULE"] = "ecwhub.settings"
        os.environ.setdefault("ECWHUB_MODE", "embedded")
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        self.create()
        django.setup()
        self.migrate()

    def migrate(self) -> None:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)

    def reuse_or_rebuild(
        self, *, count: Callable[[], int], wanted: int, what: str, fresh: bool = False, slack: int = 0
    ) -> int:
        """How many ``what`` the migrated database holds; none after it is rebuilt (dropped, created
        and migrated again), which it is with ``fresh`` or when it holds a number other than
        ``wanted`` (give or take ``slack``)."""
        found = count()
        if fresh or (found and abs(found - wanted) > slack):
            print(f"rebuilding the benchmark database ({found:,} {what}, {wanted:,} wanted)")
            self.drop()
            self.create()
            self.migrate()
            return 0
        if found:
            print(f"reusing the benchmark database ({found:,} {what})")
        return found
