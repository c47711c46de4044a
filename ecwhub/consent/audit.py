"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
reordering any entry breaks every later link; ``manage.py audit_verify`` finds the first break.
Appends lock the single ``AuditHead`` row, which serialises writers on PostgreSQL (SQLite
serialises write transactions already).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from ecwhub.accounts.models import Membership, User
from ecwhub.core.logging import request_id_var

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
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
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(entry)).hexdigest()


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
            AuditLine(
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
        ]
    )


class AuditChainError(RuntimeError):
    """The log's head row is gone while entries remain: someone tampered with the log."""


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is not None:
        return head
    # No head: a new database (or a test database just emptied). Start the chain only if the
    # log is empty too; a head removed from under existing entries is tampering, not a start.
    if AuditEntry.objects.exists():
        raise AuditChainError("the audit log's head row is missing; run audit_verify")
    AuditHead.objects.get_or_create(id=1, defaults={"last_hash": GENESIS, "count": 0})
    return AuditHead.objects.select_for_update().get(id=1)


def audit_append(lines: Iterable[AuditLine]) -> list[AuditEntry]:
    """Append entries in order, in one transaction, chained onto the current head."""
    rows = list(lines)
    if not rows:
        return []
    request_id = request_id_var.get()
    request_id = "" if request_id == "-" else request_id
    with transaction.atomic():
        head = _locked_head()
        previous = head.last_hash
        now = timezone.now()
        entries = []
        for line in rows:
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
                prev_hash=previous,
            )
            entry.hash = entry_hash(previous, entry)
            previous = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries)
        head.last_hash = previous
        head.count += len(entries)
        head.save(update_fields=["last_hash", "count"])
    return entries


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""


def audit_verify(chunk_size: int = 5000) -> Verification:
    """Walk the chain from the start up to the head as it was when the walk began; report the
    first entry whose link or content is wrong.

    The head is read first: appends commit their entries and the head together, so every entry
    the head counts is there to be read, and entries appended while the walk runs (a live server)
    are left for the next run instead of looking like a log that lost its end.
    """
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        if AuditEntry.objects.exists():
            return Verification(False, 0, None, "the log's head row is missing")
        return Verification(True, 0)
    previous = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size):
        if checked == head.count:
            break
        if entry.prev_hash != previous:
            return Verification(False, checked, entry.pk, "does not follow the entry before it")
        if entry_hash(previous, entry) != entry.hash:
            return Verification(False, checked, entry.pk, "its content does not match its hash")
        previous = entry.hash
        checked += 1
    if head.last_hash != previous or head.count != checked:
        return Verification(False, checked, None, "entries are missing at the end of the log")
    return Verification(True, checked)
