"""The append-only, keyed and chained audit log.

The log is split into partitions (``AUDIT_PARTITIONS``), each a chain of its own with a head row
(``AuditHead``). An append locks one head — the first one no other writer holds, so appends run
side by side on PostgreSQL — and chains its entries onto it: each entry carries its partition, its
number in the partition (``seq``) and an HMAC-SHA256, under the newest key of ``AUDIT_LOG_KEYS``,
of its own fields and of the MAC of the entry before it. Changing, removing or reordering an entry
breaks its link, and nobody without the key can compute a new one.

What a chain alone cannot show is an end cut off with the head moved back onto what is left:
``audit_checkpoint`` writes the heads, signed, to files outside the database
(``AUDIT_CHECKPOINT_DIR``), and ``audit_verify`` checks the log reaches every checkpoint.
docs/privacy.md says what is detected and what is not.

Entries written before the log was keyed (``key_id`` empty, chain version 1) are plain SHA-256
links at the start of partition 1, as many as ``AUDIT_UNKEYED_ENTRIES`` says (set once, at the
upgrade); the first keyed entry after them covers their last hash and so seals them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import random
import tempfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ecwhub.accounts.models import Membership, User
from ecwhub.core.logging import request_id_var

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
UNKEYED = ""  # key_id of the entries written before the log was keyed (chain version 1)
CHECKPOINT_FORMAT = "ecwhub-audit-checkpoint/1"


# --- Keys -------------------------------------------------------------------------------------


def key_id(key: str) -> str:
    """A short name for a key, stored with each entry and checkpoint; it reveals nothing of the key."""
    return hashlib.sha256(b"ecwhub audit key id\n" + key.encode()).hexdigest()[:16]


def _keys() -> dict[str, bytes]:
    """The configured keys by their id, newest first."""
    keys = settings.AUDIT_LOG_KEYS
    if isinstance(keys, str):
        keys = [key.strip() for key in keys.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured("AUDIT_LOG_KEYS is not set: the audit log cannot be signed or verified.")
    return {key_id(key): key.encode() for key in keys}


def _signing_key() -> tuple[str, bytes]:
    return next(iter(_keys().items()))


# --- What an entry's link covers ----------------------------------------------------------------


def _fields(entry: AuditEntry) -> list[object]:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    return [
        at,
        entry.actor_id,
        entry.organization_id,
        entry.role,
        entry.action,
        str(entry.household_id) if entry.household_id else None,
        str(entry.person_id) if entry.person_id else None,
        entry.categories,
        entry.purpose,
        entry.request_id,
        entry.detail,
    ]


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, sort_keys=True).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """Chain version 1 (unkeyed entries): SHA-256 of the previous hash and the entry's fields."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + _json(_fields(entry))).hexdigest()


def entry_mac(key: bytes, prev_hash: str, entry: AuditEntry) -> str:
    """Chain version 2: HMAC-SHA256 of the previous MAC, the entry's fields and its place."""
    place = [entry.partition, entry.seq, entry.key_id]
    message = b"ecwhub audit entry 2\n" + prev_hash.encode() + b"\n" + _json([*_fields(entry), *place])
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- Appending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    """What one access was: the caller fills it, ``audit_append`` chains and stores it."""

    action: str
    actor_id: int | None = None
    organization_id: int | None = None
    role: str = ""
    household_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    categories: Sequence[str] = ()
    purpose: str = ""
    detail: str = ""


def audit_line(
    user: User | None,
    membership: Membership | None,
    action: str,
    *,
    household_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    categories: Sequence[str] = (),
    purpose: str = "",
    detail: str = "",
) -> AuditLine:
    """The line of an action taken by ``user`` in ``membership``: the actor, their organization and
    role (none of them when there is no user or membership) and what the action was about."""
    return AuditLine(
        action=action,
        actor_id=user.pk if user else None,
        organization_id=membership.organization_id if membership else None,
        role=membership.role if membership else "",
        household_id=household_id,
        person_id=person_id,
        categories=categories,
        purpose=purpose,
        detail=detail,
    )


def audit_write(
    *,
    user: User | None,
    membership: Membership | None,
    household_id: uuid.UUID | None,
    categories: Sequence[str],
    detail: str,
    person_id: uuid.UUID | None = None,
    purpose: str = "care_coordination",
    action: str = AuditEntry.Action.WRITE,
) -> None:
    """One entry for a change of family data (or of who may see it): who, in which membership,
    about whom, which categories, and what (``detail``: ids and kinds, never names)."""
    audit_append(
        [
            audit_line(
                user,
                membership,
                action,
                household_id=household_id,
                person_id=person_id,
                categories=categories,
                purpose=purpose,
                detail=detail,
            )
        ]
    )


class AuditChainError(RuntimeError):
    """The log cannot be appended to or anchored as it is: someone tampered with it."""


def _start_partitions(partitions: int) -> bool:
    """Create the heads of partitions 1…``partitions`` that do not exist yet; whether any was missing.

    A head removed from under existing entries is tampering, not a start: refused."""
    existing = set(AuditHead.objects.filter(id__lte=partitions).values_list("id", flat=True))
    missing = [number for number in range(1, partitions + 1) if number not in existing]
    if not missing:
        return False
    headless = AuditEntry.objects.filter(partition__in=missing).exclude(partition__in=AuditHead.objects.values("id"))
    if headless.exists():
        raise AuditChainError("a head of the audit log is missing while its entries remain; run audit_verify")
    AuditHead.objects.bulk_create(
        [AuditHead(id=number, last_hash=GENESIS, count=0) for number in missing], ignore_conflicts=True
    )
    return True


def _claim_head() -> AuditHead:
    """Lock the head of a partition for this transaction.

    The first partition no other transaction holds (``SKIP LOCKED``). A head this transaction
    holds already is never skipped, so a transaction that appends again finds one at once and never
    waits while it holds a head: only a transaction that holds none waits, for a random partition,
    when every one is busy. No two transactions can wait for each other's heads. SQLite ignores
    row locks: it runs one write transaction at a time.
    """
    partitions = settings.AUDIT_PARTITIONS
    free = AuditHead.objects.select_for_update(skip_locked=True).filter(id__lte=partitions).order_by("id")
    head = free.first()
    if head is None and _start_partitions(partitions):
        head = free.first()
    if head is None:
        head = AuditHead.objects.select_for_update().get(id=random.randint(1, partitions))
    return head


def audit_append(lines: Iterable[AuditLine]) -> list[AuditEntry]:
    """Append entries in order, in one transaction, chained onto the head of one partition."""
    rows = list(lines)
    if not rows:
        return []
    request_id = request_id_var.get()
    request_id = "" if request_id == "-" else request_id
    signing_id, key = _signing_key()
    with transaction.atomic():
        head = _claim_head()
        previous, seq = head.last_hash, head.count
        now = timezone.now()
        entries = []
        for line in rows:
            seq += 1
            entry = AuditEntry(
                at=now,
                actor_id=line.actor_id,
                organization_id=line.organization_id,
                role=line.role,
                action=line.action,
                household_id=line.household_id,
                person_id=line.person_id,
                categories=",".join(sorted(set(line.categories))),
                purpose=line.purpose,
                request_id=request_id,
                detail=line.detail[:200],
                partition=head.id,
                seq=seq,
                key_id=signing_id,
                prev_hash=previous,
            )
            entry.hash = entry_mac(key, previous, entry)
            previous = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries)
        head.last_hash, head.count = previous, seq
        head.save(update_fields=["last_hash", "count"])
    return entries


# --- Checkpoints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The heads of the log at one moment, as a signed file outside the database recorded them."""

    name: str
    written_at: datetime
    heads: Mapping[int, tuple[int, str]]  # partition: (entries counted, MAC of the last one)


class CheckpointError(ValueError):
    """A checkpoint file that cannot be trusted: unreadable, altered, or signed with an unknown key."""


def _checkpoint_mac(key: bytes, body: Mapping[str, object]) -> str:
    return hmac.new(key, b"ecwhub audit checkpoint 1\n" + _json(body), hashlib.sha256).hexdigest()


def _checkpoint_directory() -> Path | None:
    directory = settings.AUDIT_CHECKPOINT_DIR
    return Path(directory) if directory else None


def read_checkpoint(path: Path, keys: Mapping[str, bytes]) -> Checkpoint:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        body = {name: value for name, value in document.items() if name != "mac"}
        if body.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(f"checkpoint {path.name} is not an audit checkpoint")
        key = keys.get(body["key_id"])
        if key is None:
            raise CheckpointError(f"checkpoint {path.name} is signed with a key that is not in AUDIT_LOG_KEYS")
        if not hmac.compare_digest(_checkpoint_mac(key, body), str(document["mac"])):
            raise CheckpointError(f"checkpoint {path.name} was altered (its signature does not match)")
        heads = {int(head["partition"]): (int(head["count"]), str(head["hash"])) for head in body["heads"]}
        return Checkpoint(path.name, datetime.fromisoformat(body["written_at"]), heads)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, CheckpointError):
            raise
        raise CheckpointError(f"checkpoint {path.name} cannot be read ({type(error).__name__})") from error


def read_checkpoints() -> list[Checkpoint]:
    """Every checkpoint in ``AUDIT_CHECKPOINT_DIR``, oldest first; ``CheckpointError`` for the first bad one."""
    directory = _checkpoint_directory()
    if directory is None or not directory.is_dir():
        return []
    keys = _keys()
    return [read_checkpoint(path, keys) for path in sorted(directory.glob("checkpoint-*.json"))]


def _write_checkpoint(heads: Mapping[int, tuple[int, str]]) -> Path:
    directory = _checkpoint_directory()
    if directory is None:
        raise ImproperlyConfigured("AUDIT_CHECKPOINT_DIR is not set: there is nowhere to write the checkpoint.")
    directory.mkdir(parents=True, exist_ok=True)
    signing_id, key = _signing_key()
    now = timezone.now().astimezone(UTC)
    body: dict[str, object] = {
        "format": CHECKPOINT_FORMAT,
        "written_at": now.isoformat(timespec="microseconds"),
        "key_id": signing_id,
        "heads": [
            {"partition": partition, "count": count, "hash": last} for partition, (count, last) in sorted(heads.items())
        ],
    }
    document = {**body, "mac": _checkpoint_mac(key, body)}
    path = directory / f"checkpoint-{now:%Y%m%dT%H%M%S%fZ}.json"
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".checkpoint-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # hashes only: readable by whoever verifies
        os.link(temporary, path)  # never replaces an existing checkpoint
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return path


# --- Verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""
    partition: int | None = None
    # The heads verified (partition: entries, last MAC) and the checkpoints the log was found to reach.
    heads: Mapping[int, tuple[int, str]] = field(default_factory=dict)
    checkpoints: int = 0
    latest_checkpoint: datetime | None = None


class _Broken(Exception):
    def __init__(self, problem: str, entry: AuditEntry | None = None, partition: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.entry_id = entry.pk if entry is not None else None
        self.partition = entry.partition if entry is not None else partition


def _walk(
    head: AuditHead,
    keys: Mapping[str, bytes],
    pins: Mapping[tuple[int, int], tuple[str, Checkpoint]],
    start: tuple[int, str],
    chunk_size: int,
) -> int:
    """Verify one partition from the entry after ``start`` (entries, MAC) up to ``head``; how many were checked."""
    seq, previous = start
    keyed = False
    if seq:
        # Starting after a checkpointed entry: it was verified when the checkpoint was written.
        keyed = AuditEntry.objects.filter(partition=head.id, seq=seq).exclude(key_id=UNKEYED).exists()
    entries = AuditEntry.objects.filter(partition=head.id, seq__gt=seq, seq__lte=head.count).order_by("seq")
    checked = 0
    if head.count == seq:
        entries = entries.none()  # nothing to read (most partitions, most of the time)
    for entry in entries.iterator(chunk_size=chunk_size):
        if entry.seq != seq + 1 or entry.prev_hash != previous:
            raise _Broken("does not follow the entry before it", entry)
        if entry.key_id == UNKEYED:
            if keyed or head.id != 1 or entry.seq > settings.AUDIT_UNKEYED_ENTRIES:
                unsigned = AuditEntry.objects.filter(partition=1, key_id=UNKEYED).count()
                raise _Broken(
                    "is unsigned where the log is signed: only the first AUDIT_UNKEYED_ENTRIES="
                    f"{settings.AUDIT_UNKEYED_ENTRIES} entries of partition 1, written before the log was keyed, "
                    f"may be (partition 1 holds {unsigned} unsigned entries)",
                    entry,
                )
            sound = entry_hash(previous, entry) == entry.hash
        else:
            key = keys.get(entry.key_id)
            if key is None:
                raise _Broken("is signed with a key that is not in AUDIT_LOG_KEYS", entry)
            keyed = True
            sound = hmac.compare_digest(entry_mac(key, previous, entry), entry.hash)
        if not sound:
            raise _Broken("its content does not match its MAC", entry)
        pin = pins.get((head.id, entry.seq))
        if pin is not None and pin[0] != entry.hash:
            raise _Broken(f"differs from the checkpoint of {pin[1].written_at:%Y-%m-%d %H:%M} UTC", entry)
        seq, previous = entry.seq, entry.hash
        checked += 1
    if seq != head.count or previous != head.last_hash:
        raise _Broken(f"entries are missing at the end of partition {head.id}", partition=head.id)
    return checked


def audit_verify(*, from_latest_checkpoint: bool = False, chunk_size: int = 5000) -> Verification:
    """Check every partition's chain up to its head, and that the log reaches every checkpoint.

    The checkpoints are read first, then the heads, then the entries: appends commit their
    entries and head together, so every entry a head counts is there to be read, and entries
    appended while the walk runs (a live server) are left for the next run instead of looking like
    a log that lost its end. ``from_latest_checkpoint`` starts each partition at the newest
    checkpoint's head instead of its first entry (what ``audit_checkpoint`` checks before it
    anchors a new one); the full walk is the default.
    """
    try:
        checkpoints = read_checkpoints()
    except CheckpointError as error:
        return Verification(False, 0, None, str(error))
    keys = _keys()
    heads = {head.id: head for head in AuditHead.objects.order_by("id")}
    pins: dict[tuple[int, int], tuple[str, Checkpoint]] = {}
    latest: dict[int, tuple[int, str]] = {}
    for checkpoint in checkpoints:
        for partition, (count, last) in checkpoint.heads.items():
            head = heads.get(partition)
            if head is None or head.count < count:
                have = head.count if head else 0
                return Verification(
                    False,
                    0,
                    None,
                    f"entries are missing at the end of partition {partition}: the checkpoint of "
                    f"{checkpoint.written_at:%Y-%m-%d %H:%M} UTC counted {count}, the log has {have}",
                    partition,
                )
            if count:
                pinned = pins.setdefault((partition, count), (last, checkpoint))
                if pinned[0] != last:
                    return Verification(False, 0, None, f"checkpoints disagree about partition {partition}", partition)
            latest[partition] = max(latest.get(partition, (0, GENESIS)), (count, last))
    checked = 0
    try:
        for number, head in heads.items():
            start = latest.get(number, (0, GENESIS)) if from_latest_checkpoint else (0, GENESIS)
            checked += _walk(head, keys, pins, start, chunk_size)
    except _Broken as broken:
        return Verification(False, checked, broken.entry_id, broken.problem, broken.partition)
    # What lies beyond the heads read at the start: entries appended during the walk (their heads,
    # read again now, count them: an append commits its entries and its head together), or entries
    # that no head counts — a head removed or moved back, or entries slipped in after it.
    tops = dict(AuditEntry.objects.order_by().values_list("partition").annotate(last=Max("seq")))
    counts = dict(AuditHead.objects.values_list("id", "count"))
    for number, last in sorted(tops.items()):
        if number not in counts:
            return Verification(False, checked, None, f"the head of partition {number} is missing", number)
        if last > counts[number]:
            return Verification(False, checked, None, f"partition {number} holds entries beyond its head", number)
    return Verification(
        True,
        checked,
        heads={number: (head.count, head.last_hash) for number, head in heads.items() if head.count},
        checkpoints=len(checkpoints),
        latest_checkpoint=checkpoints[-1].written_at if checkpoints else None,
    )


def audit_checkpoint(*, full: bool = False) -> tuple[Path, Verification]:
    """Verify the log (from the newest checkpoint on, or ``full``y) and anchor its heads in a new
    signed checkpoint file. Raises ``AuditChainError`` rather than anchor a broken log."""
    result = audit_verify(from_latest_checkpoint=not full)
    if not result.ok:
        raise AuditChainError(f"the audit log is broken, no checkpoint written: {result.problem}")
    return _write_checkpoint(result.heads), result
