"""The audit log: append-only, keyed and chained, anchored by checkpoints, checked by ``audit_verify``."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from ecwhub.accounts.models import Membership
from ecwhub.consent.audit import (
    AuditChainError,
    AuditLine,
    audit_append,
    audit_checkpoint,
    audit_line,
    audit_verify,
    entry_hash,
    key_id,
)
from ecwhub.consent.models import AuditEntry, AuditHead
from tests.conftest import Network

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


def test_a_line_names_the_actor_their_organization_and_role(network: Network) -> None:
    membership = Membership.objects.get(user=network.alice)
    line = audit_line(network.alice, membership, AuditEntry.Action.READ, categories=["identity_contact"], detail="x")
    assert (line.actor_id, line.organization_id, line.role) == (network.alice.pk, network.frc.pk, "coordinator")
    assert (line.action, list(line.categories), line.detail) == ("read", ["identity_contact"], "x")
    # A change made by the system (no user, no membership) names nobody.
    nobody = audit_line(None, None, AuditEntry.Action.WRITE, detail="retention")
    assert (nobody.actor_id, nobody.organization_id, nobody.role) == (None, None, "")


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


# --- Someone who can write the database but holds no key ---------------------------------------

THEIR_KEY = b"a-key-of-their-own-not-the-hubs-audit-key"


@pytest.fixture
def checkpoints(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints"


def _their_mac(prev: str, entry: AuditEntry) -> str:
    """What a writer of the database computes without the key: any key of their own."""
    from ecwhub.consent.audit import entry_mac

    return entry_mac(THEIR_KEY, prev, entry)


def _rewrite(
    entry: AuditEntry, actor_id: int, link: Callable[[str, AuditEntry], str], key: str, upto: int | None = None
) -> None:
    """Change one entry and recompute the links of it and of every later entry of its partition
    (up to ``upto``), and the head: what the plain SHA-256 chain let anyone do."""
    later = list(
        AuditEntry.objects.filter(partition=entry.partition, seq__gte=entry.seq, seq__lte=upto or 2**62).order_by("seq")
    )
    previous = later[0].prev_hash
    later[0].actor_id = actor_id
    for row in later:
        row.key_id, row.prev_hash = key, previous
        row.hash = link(previous, row)
        previous = row.hash
        _tamper(
            "UPDATE consent_auditentry SET actor_id = %s, key_id = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row.actor_id, row.key_id, row.prev_hash, row.hash, row.pk],
        )
    if upto is None:
        AuditHead.objects.filter(id=entry.partition).update(last_hash=previous)


def test_a_chain_recomputed_without_the_key_is_detected() -> None:
    entries = _entries(6)
    _rewrite(entries[2], 999, _their_mac, entries[2].key_id)
    result = audit_verify()
    assert not result.ok
    assert result.first_broken_id == entries[2].pk
    assert "does not match" in result.problem


def test_a_chain_recomputed_as_an_unkeyed_one_is_detected() -> None:
    entries = _entries(6)
    _rewrite(entries[2], 999, entry_hash, "")
    result = audit_verify()
    assert not result.ok
    assert result.first_broken_id == entries[2].pk
    assert "unsigned" in result.problem


def _cut_tail(entries: list[AuditEntry], keep: int) -> None:
    """Delete the last entries and move the head back onto the last one kept."""
    for entry in entries[keep:]:
        _tamper("DELETE FROM consent_auditentry WHERE id = %s", [entry.pk])
    AuditHead.objects.filter(id=entries[0].partition).update(
        count=entries[keep - 1].seq, last_hash=entries[keep - 1].hash
    )


def test_a_truncated_tail_with_the_head_moved_back_is_detected_by_the_checkpoint(checkpoints: Path) -> None:
    entries = _entries(6)
    path, result = audit_checkpoint()
    assert path.parent == checkpoints and result.ok
    _cut_tail(entries, keep=4)
    result = audit_verify()
    assert not result.ok
    assert "missing at the end of partition 1" in result.problem and "counted 6, the log has 4" in result.problem
    with pytest.raises(CommandError, match="missing at the end"):
        call_command("audit_verify", stdout=StringIO())


def test_entries_after_the_newest_checkpoint_can_be_cut_off_unnoticed(checkpoints: Path) -> None:
    # The limit docs/privacy.md states: a checkpoint protects what it counted, nothing after it.
    entries = _entries(3)
    audit_checkpoint()
    entries += _entries(3)
    _cut_tail(entries, keep=4)
    assert audit_verify().ok


def test_a_chain_rewritten_before_a_checkpoint_is_detected_even_with_the_key(
    checkpoints: Path, settings: SettingsWrapper
) -> None:
    # A stolen key lets one recompute the chain, not the checkpoint files kept elsewhere.
    entries = _entries(4)
    audit_checkpoint()
    key = settings.AUDIT_LOG_KEYS[0].encode()
    from ecwhub.consent.audit import entry_mac

    _rewrite(entries[1], 999, lambda prev, entry: entry_mac(key, prev, entry), entries[1].key_id)
    result = audit_verify()
    assert not result.ok and result.first_broken_id == entries[3].pk and "checkpoint" in result.problem


def test_an_altered_checkpoint_is_refused(checkpoints: Path) -> None:
    _entries(3)
    path, _ = audit_checkpoint()
    document = json.loads(path.read_text())
    document["heads"][0]["count"] = 2
    path.write_text(json.dumps(document))
    result = audit_verify()
    assert not result.ok and "altered" in result.problem


def test_a_checkpoint_signed_with_another_key_is_refused(checkpoints: Path, settings: SettingsWrapper) -> None:
    _entries(2)
    ours = settings.AUDIT_LOG_KEYS
    settings.AUDIT_LOG_KEYS = ["another-key-that-the-verifier-does-not-hold", *ours]
    audit_checkpoint()
    settings.AUDIT_LOG_KEYS = ours
    result = audit_verify()
    assert not result.ok and "not in AUDIT_LOG_KEYS" in result.problem


def test_a_broken_log_is_not_anchored(checkpoints: Path) -> None:
    entries = _entries(3)
    _tamper("UPDATE consent_auditentry SET actor_id = %s WHERE id = %s", [999, entries[1].pk])
    with pytest.raises(AuditChainError, match="no checkpoint written"):
        audit_checkpoint()
    with pytest.raises(CommandError, match="no checkpoint written"):
        call_command("audit_checkpoint", stdout=StringIO())
    assert not list(checkpoints.glob("checkpoint-*.json"))


def test_the_checkpoint_command_anchors_the_heads_and_verify_reports_it(checkpoints: Path) -> None:
    _entries(3)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "3 entries anchored" in out.getvalue()
    _entries(2)
    call_command("audit_checkpoint", stdout=out)  # from the newest checkpoint on
    assert len(list(checkpoints.glob("checkpoint-*.json"))) == 2
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "5 entries verified" in out.getvalue() and "all 2 checkpoints" in out.getvalue()


def test_verify_says_when_no_checkpoint_anchors_the_log() -> None:
    _entries(1)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "no checkpoint" in out.getvalue()


# --- Keys: rotation, and the entries written before the log was keyed ------------------------------


def test_entries_signed_with_an_older_key_verify_while_it_is_listed(settings: SettingsWrapper) -> None:
    old = settings.AUDIT_LOG_KEYS[0]
    first = _entries(2)
    settings.AUDIT_LOG_KEYS = ["a-newer-audit-log-key-put-first-on-rotation", old]
    second = _entries(2)
    assert first[0].key_id == key_id(old) and second[0].key_id != first[0].key_id
    assert audit_verify().ok
    settings.AUDIT_LOG_KEYS = ["a-newer-audit-log-key-put-first-on-rotation"]
    result = audit_verify()
    assert not result.ok and result.first_broken_id == first[0].pk and "not in AUDIT_LOG_KEYS" in result.problem


def _unkeyed(n: int) -> list[AuditEntry]:
    """Entries as the hub wrote them before the log was keyed (chain version 1), in partition 1."""
    from django.utils import timezone

    AuditHead.objects.all().delete()
    previous, rows = "0" * 64, []
    for seq in range(1, n + 1):
        row = AuditEntry(at=timezone.now(), action="read", actor_id=seq, partition=1, seq=seq, prev_hash=previous)
        row.hash = entry_hash(previous, row)
        previous = row.hash
        rows.append(row)
    AuditEntry.objects.bulk_create(rows)
    AuditHead.objects.create(id=1, last_hash=previous, count=n)
    return rows


def test_unkeyed_entries_are_accepted_only_as_many_as_the_upgrade_left(settings: SettingsWrapper) -> None:
    old = _unkeyed(3)
    result = audit_verify()
    assert not result.ok and result.first_broken_id == old[0].pk and "AUDIT_UNKEYED_ENTRIES=0" in result.problem
    settings.AUDIT_UNKEYED_ENTRIES = 3
    new = _entries(2)
    assert new[0].partition == 1 and new[0].seq == 4 and new[0].prev_hash == old[-1].hash
    assert audit_verify().ok


def test_unkeyed_entries_are_sealed_by_the_first_keyed_entry_after_them(settings: SettingsWrapper) -> None:
    settings.AUDIT_UNKEYED_ENTRIES = 3
    old = _unkeyed(3)
    new = _entries(2)
    # Rewriting the unkeyed part (recomputing its SHA-256 links) breaks the keyed entry after it.
    _rewrite(old[1], 999, entry_hash, "", upto=3)
    result = audit_verify()
    assert not result.ok and result.first_broken_id == new[0].pk


def test_keyed_entries_rewritten_as_unkeyed_ones_are_detected(settings: SettingsWrapper) -> None:
    settings.AUDIT_UNKEYED_ENTRIES = 3
    old = _unkeyed(3)
    new = _entries(2)
    _rewrite(old[1], 999, entry_hash, "")
    result = audit_verify()
    assert not result.ok and result.first_broken_id == new[0].pk and "unsigned" in result.problem


# --- Partitions ---------------------------------------------------------------------------------


def test_reordering_two_entries_of_a_partition_is_detected() -> None:
    entries = _entries(4)
    a, b = entries[1], entries[2]
    _tamper("UPDATE consent_auditentry SET seq = %s WHERE id = %s", [-1, a.pk])
    _tamper("UPDATE consent_auditentry SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _tamper("UPDATE consent_auditentry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    result = audit_verify()
    assert not result.ok and result.first_broken_id == b.pk


def test_a_removed_partition_head_is_detected() -> None:
    _entries(2)
    AuditHead.objects.filter(id=1).delete()
    result = audit_verify()
    assert not result.ok and "head of partition 1 is missing" in result.problem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel sessions need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_appends_side_by_side_each_take_a_partition_of_their_own(settings: SettingsWrapper) -> None:
    import threading

    from django.db import transaction

    from tests.concurrency.conftest import together

    settings.AUDIT_PARTITIONS = 4
    _entries(1)  # the first append creates the partitions' heads
    all_holding = threading.Barrier(4)
    all_appended = threading.Barrier(4)

    def append_while_the_others_hold_theirs(index: int) -> set[int]:
        with transaction.atomic():
            first = _entries(1)
            all_holding.wait(30)  # nobody waits for a lock: each found a free partition
            later = _entries(3)
            # Nobody commits (and frees a partition a slower one could take) before all appended.
            all_appended.wait(30)
            return {entry.partition for entry in first + later}

    outcomes = together(4, append_while_the_others_hold_theirs)
    assert [outcome.error for outcome in outcomes] == [None] * 4
    assert sorted(next(iter(outcome.value)) for outcome in outcomes) == [1, 2, 3, 4]
    assert all(len(outcome.value) == 1 for outcome in outcomes)
    result = audit_verify()
    assert result.ok and result.checked == 17 and sorted(result.heads) == [1, 2, 3, 4]


def test_an_entry_slipped_in_beyond_the_head_is_detected() -> None:
    # It would show in a family's disclosure report, and block the next append to its place.
    entries = _entries(2)
    AuditEntry.objects.bulk_create(
        [AuditEntry(action="read", actor_id=7, partition=1, seq=3, key_id=entries[1].key_id, prev_hash=entries[1].hash)]
    )
    result = audit_verify()
    assert not result.ok and "beyond its head" in result.problem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel sessions need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_verify_on_a_live_log_is_intact_every_time(settings: SettingsWrapper) -> None:
    # What audit_verify met on a server serving reads: writers appending all through the walk.
    import threading

    from tests.concurrency.conftest import together

    _entries(200)
    stop = threading.Event()

    def append_or_verify(index: int) -> list[str]:
        if index:
            while not stop.is_set():
                audit_append(
                    AuditLine(action="read", actor_id=index, categories=["identity_contact"]) for _ in range(20)
                )
            return []
        try:
            return [audit_verify(chunk_size=37).problem for _ in range(3)]
        finally:
            stop.set()

    outcomes = together(3, append_or_verify)
    assert [outcome.error for outcome in outcomes] == [None] * 3
    assert outcomes[0].value == [""] * 3
    assert AuditEntry.objects.count() > 200 and audit_verify().ok
