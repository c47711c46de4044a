"""The audit log: append-only, hash-chained, and checked by ``audit_verify``."""

from __future__ import annotations

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ecwhub.consent.audit import AuditLine, audit_append, audit_verify
from ecwhub.consent.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entries(n: int) -> list[AuditEntry]:
    return audit_append(
        AuditLine(action="read", actor_id=i, categories=["identity_contact"], purpose="care_coordination")
        for i in range(n)
    )


def test_entries_chain_onto_each_other_and_verify() -> None:
    entries = _entries(5)
    assert entries[0].prev_hash == "0" * 64
    for before, after in pairwise(entries):
        assert after.prev_hash == before.hash
    result = audit_verify()
    assert result.ok and result.checked == 5


def test_entries_cannot_be_changed_or_deleted_through_the_application() -> None:
    entry = _entries(1)[0]
    entry.detail = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()


def _tamper(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE consent_auditentry DISABLE TRIGGER consent_auditentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE consent_auditentry ENABLE TRIGGER consent_auditentry_append_only")


def test_changing_one_entry_is_detected_at_that_entry() -> None:
    entries = _entries(6)
    _tamper("UPDATE consent_auditentry SET actor_id = %s WHERE id = %s", [999, entries[3].pk])
    result = audit_verify()
    assert not result.ok
    assert result.first_broken_id == entries[3].pk
    out = StringIO()
    with pytest.raises(CommandError, match=f"entry {entries[3].pk}"):
        call_command("audit_verify", stdout=out)


def test_removing_an_entry_is_detected_at_the_next_one() -> None:
    entries = _entries(6)
    _tamper("DELETE FROM consent_auditentry WHERE id = %s", [entries[2].pk])
    result = audit_verify()
    assert result.first_broken_id == entries[3].pk


def test_removing_the_last_entries_is_detected() -> None:
    entries = _entries(4)
    _tamper("DELETE FROM consent_auditentry WHERE id = %s", [entries[-1].pk])
    result = audit_verify()
    assert not result.ok and "missing at the end" in result.problem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level guard is PostgreSQL's trigger")
def test_postgresql_itself_refuses_to_change_the_log() -> None:
    from django.db import DatabaseError, transaction

    entry = _entries(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_auditentry SET detail = 'x' WHERE id = %s", [entry.pk])


def test_the_verify_command_reports_a_sound_log() -> None:
    _entries(3)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "3 entries" in out.getvalue() and "intact" in out.getvalue()


def test_a_missing_head_starts_a_new_chain_only_on_an_empty_log() -> None:
    from ecwhub.consent.audit import AuditChainError
    from ecwhub.consent.models import AuditHead

    AuditHead.objects.all().delete()
    first = _entries(2)
    assert first[0].prev_hash == "0" * 64 and audit_verify().ok
    AuditHead.objects.all().delete()
    with pytest.raises(AuditChainError):
        _entries(1)
    assert not audit_verify().ok


def test_verify_gives_a_consistent_answer_while_entries_are_appended() -> None:
    # A live server appends while audit_verify reads: entries committed between its reads of the
    # log and of its head must neither look missing at the end nor count as unverified.
    _entries(3)
    appended: set[str] = set()
    appending = False

    def append_before_each_read(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal appending
        table = next((t for t in ("consent_auditentry", "consent_audithead") if f'"{t}"' in sql), None)
        if table and table not in appended and not appending and sql.lstrip().upper().startswith("SELECT"):
            appended.add(table)
            appending = True
            try:
                _entries(2)
            finally:
                appending = False
        return execute(sql, params, many, context)

    with connection.execute_wrapper(append_before_each_read):
        result = audit_verify()
    assert appended == {"consent_auditentry", "consent_audithead"}
    assert result.ok, result.problem
    assert audit_verify().ok
