"""Named locks held until the end of the current transaction.

Some decisions read before they write — "does the network know this family already? if not,
create it" — and two requests making the same decision at once must take turns, or both find
nothing and both write. ``named_lock`` makes them take turns: the second waits, inside its
transaction, until the first has committed, then reads what the first wrote.

On PostgreSQL it is a transaction-level advisory lock (no table, released at commit or rollback).
SQLite transactions here begin IMMEDIATE (settings): one write transaction at a time already, so
every transaction holds every lock.
"""

from __future__ import annotations

from hashlib import blake2b

from django.db import connection


class LockOutsideTransaction(RuntimeError):
    """named_lock was called outside ``transaction.atomic``: it would be released at once."""


def lock_key(name: str) -> int:
    """The signed 64-bit advisory lock key of ``name`` (stable across processes and versions)."""
    return int.from_bytes(blake2b(name.encode(), digest_size=8, person=b"ecwhub-lock").digest(), "big", signed=True)


def named_lock(name: str) -> None:
    """Wait for and hold, until the current transaction ends, the lock called ``name``."""
    if not connection.in_atomic_block:
        raise LockOutsideTransaction(name)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
