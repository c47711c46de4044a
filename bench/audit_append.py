"""How many audited requests per second the audit log takes, with several writers at once.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub python bench/audit_append.py
    SECRET_KEY=x DATABASE_URL=postgres://... python bench/audit_append.py --threads 1,4,8 --seconds 5
    SECRET_KEY=x python bench/audit_append.py            # SQLite (one writer at a time, whatever the threads)

The benchmark uses a database of its own: on PostgreSQL one named ``ecwhub_bench_audit`` on the
server ``DATABASE_URL`` points at (created and dropped through that server's ``postgres``
database; the database named in the URL is never opened), on SQLite
``var/bench/audit_append.sqlite3``. It migrates it and fills the log with ``--entries`` entries
(200,000 by default) so that appends land on a log of a realistic size; later runs reuse it.

Each writer is a thread with its own connection that appends, for ``--seconds``, what one audited
request appends: ``--lines`` entries (50 by default: a page of ``GET /api/v1/families``) in one
``audit_append``, optionally holding its transaction ``--hold-ms`` longer (a service that appends
and then goes on writing). It prints appends per second (requests), entries per second and the
p50/p95 time of one append, for each number of threads and each layout of the log:

- **one head** (``AUDIT_PARTITIONS=1``): every append waits for the single head row, the way the
  log worked before it was partitioned (the figures "before");
- **partitions** (``AUDIT_PARTITIONS=8`` by default, ``--partitions``): an append takes the first
  head no other writer holds (the figures "after").
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from typing import Any

from _setup import BenchDatabase, secret_key_required

SQLITE_NAME = "audit_append.sqlite3"
POSTGRES_NAME = "ecwhub_bench_audit"
FILL_BATCH = 5000


def log_size(database: BenchDatabase) -> str:
    from django.db import connection

    from ecwhub.consent.models import AuditEntry

    entries = AuditEntry.objects.count()
    if database.engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('consent_auditentry')")
            size = cursor.fetchone()[0]
    else:
        size = database.file_size()
    what = "table and indexes" if database.engine == "postgresql" else "file"
    return f"{entries:,} entries, {size / 1_000_000:.0f} MB ({what})"


def _lines(count: int, seed: int) -> list[Any]:
    import uuid

    from ecwhub.consent.audit import AuditLine

    return [
        AuditLine(
            action="read",
            actor_id=seed % 1000,
            organization_id=seed % 40,
            role="coordinator",
            household_id=uuid.uuid4(),
            categories=["identity_contact", "demographics", "needs"],
            purpose="care_coordination",
            detail="families list",
        )
        for _ in range(count)
    ]


def fill(entries: int) -> None:
    from ecwhub.consent.audit import audit_append
    from ecwhub.consent.models import AuditEntry

    have = AuditEntry.objects.count()
    while have < entries:
        batch = min(FILL_BATCH, entries - have)
        audit_append(_lines(batch, have))
        have += batch
        print(f"  filling the log: {have:,} / {entries:,} entries", end="\r", flush=True)
    print()


def run_writers(threads: int, seconds: float, lines: int, hold_ms: float) -> tuple[int, list[float]]:
    """(appends made, duration of each in seconds) with ``threads`` writers for ``seconds``."""
    from django.db import connection, transaction

    from ecwhub.consent.audit import audit_append

    barrier = threading.Barrier(threads + 1)
    durations: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(index: int) -> None:
        try:
            connection.ensure_connection()
            batch = _lines(lines, index)
            barrier.wait()
            while not stop.is_set():
                started = time.perf_counter()
                with transaction.atomic():
                    audit_append(batch)
                    if hold_ms:
                        time.sleep(hold_ms / 1000)
                durations[index].append(time.perf_counter() - started)
        except BaseException as error:  # reported after the run
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=writer, args=(index,), daemon=True) for index in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join(60)
    if errors:
        raise errors[0]
    every = [duration for per_thread in durations for duration in per_thread]
    return len(every), every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000, help="entries in the log before measuring (200000)")
    parser.add_argument("--threads", default="1,2,4,8,16", help="numbers of writers, comma-separated (1,2,4,8,16)")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement (5)")
    parser.add_argument("--lines", type=int, default=50, help="entries per append, one request's worth (50)")
    parser.add_argument("--hold-ms", type=float, default=0.0, help="time the transaction stays open after (0)")
    parser.add_argument("--partitions", type=int, default=8, help="partitions of the 'after' layout (8)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    secret_key_required()
    database = BenchDatabase.named(POSTGRES_NAME, SQLITE_NAME)
    os.environ["CONN_MAX_AGE"] = "0"
    database.create(fresh=args.fresh)
    database.start_django()
    from django.conf import settings

    fill(args.entries)
    threads = [int(value) for value in args.threads.split(",")]
    print(f"engine: {database.engine}; log: {log_size(database)}")
    print(
        f"each append: {args.lines} entries in one transaction"
        + (f", held {args.hold_ms:g} ms more" if args.hold_ms else "")
        + f"; {args.seconds:g} s per figure; {os.cpu_count()} CPU cores"
    )
    print(f"{'layout':<16} {'threads':>7} {'appends/s':>10} {'entries/s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for layout, partitions in (("one head", 1), (f"{args.partitions} partitions", args.partitions)):
        settings.AUDIT_PARTITIONS = partitions
        for count in threads:
            appends, durations = run_writers(count, args.seconds, args.lines, args.hold_ms)
            rate = appends / args.seconds
            p50 = statistics.median(durations) * 1000
            p95 = statistics.quantiles(durations, n=20)[-1] * 1000 if len(durations) > 1 else p50
            print(f"{layout:<16} {count:>7} {rate:>10.0f} {rate * args.lines:>10.0f} {p50:>8.1f} {p95:>8.1f}")
    print(f"log after the run: {log_size(database)}")
    from ecwhub.consent.audit import audit_verify

    started = time.perf_counter()
    result = audit_verify()
    print(
        f"audit_verify: {'intact' if result.ok else result.problem}, {result.checked:,} entries "
        f"in {len(result.heads)} partitions, {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
