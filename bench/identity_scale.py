"""Record linkage at the size of a state: the real-time check, Splink's incremental matching, the
batch linkage, and their accuracy on the multilingual demo population with known duplicates.

    SECRET_KEY=x .venv/bin/python bench/identity_scale.py --people 100000
    SECRET_KEY=x .venv/bin/python bench/identity_scale.py                  # 1,000,000 people

PostgreSQL only (the real-time target is a PostgreSQL figure): the database ``ecwhub_bench_identity``
on the server ``DATABASE_URL`` points at (default ``postgres://postgres@127.0.0.1:5432/``), created,
migrated and filled with ``COPY`` on the first run, reused while ``--people`` is the same.

**The data.** Households from the demo generator (``generate_household``, seed 2026: Latino
families with compound surnames, Chinese with Cantonese/Taishanese/pinyin romanisations,
Vietnamese, Armenian, Filipino and Anglo families). 6% of households are registered a second time
by another agency (``ecwhub.demo.synthetic.duplicate_household``: about 70% of the members
re-entered, each with one to three realistic differences: typos, accents dropped, a compound
surname cut, hyphenated or reordered, a nickname, another romanisation, given and family names
swapped, day and month swapped or a digit off or the year off by one, a new or missing phone, a
move). Every row carries the id of the person it really is, so the truth is known.

**What it measures.**

1. Training: ``manage.py link_records --train`` in a child process (EM for the Splink model and
   for the hub's model used by the real-time check), wall time and the child's peak RSS.
2. Batch linkage with the saved models: ``manage.py link_records`` in a child process, end to end
   (export from PostgreSQL, prepare, Splink predict, re-score with the hub's model, cluster, write
   clusters and the review queue), wall time and peak RSS (``os.wait4``); pairwise precision,
   recall and F1 of the clusters (probability ≥ 0.95) and of clusters + review band (≥ 0.5)
   against the truth.
3. Real-time: ``find_candidates`` for ``--probes`` new intakes (500), each a freshly corrupted
   re-entry of a person already in the hub, with their household members; p50/p95 in ms, the share
   whose true person is in the top 5, and pairwise precision/recall/F1 at probability ≥ 0.5 (the
   true pairs of a probe are every record of its person, the re-registered copy included).
4. Peer: Splink 5's incremental matching (``linker.inference.predict_between``: the probe against
   everyone, with the trained Splink model and its blocking rules) on the same people loaded in
   DuckDB, for the first ``--splink-probes`` probes (already prepared: only the call and reading
   the top 5 are timed), p50/p95 and top-5 share.

The machine is shared: figures taken while others run are slower than on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _setup import ROOT, BenchDatabase

POSTGRES_NAME = "ecwhub_bench_identity"
SEED = 2026
TODAY = date(2026, 11, 1)
DUPLICATE_SHARE = 0.06


# --- Filling the database -------------------------------------------------------------------------


def _row(model: Any, values: dict[str, Any]) -> tuple[list[str], list[Any]]:
    columns, row = [], []
    for model_field in model._meta.concrete_fields:
        columns.append(model_field.column)
        if model_field.attname in values:
            row.append(values[model_field.attname])
        else:
            row.append(model_field.get_default())
    return columns, row


@dataclass
class _Chunk:
    """Rows for one COPY round: households, people, their blocking keys and the truth."""

    houses: list[list[Any]] = field(default_factory=list)
    people: list[list[Any]] = field(default_factory=list)
    keys: list[tuple[Any, str]] = field(default_factory=list)
    truth: list[tuple[Any, Any]] = field(default_factory=list)

    def add(
        self, house_id: Any, registrar: Any, values: dict[str, Any], members: list[tuple[Any, dict[str, Any]]]
    ) -> None:
        from ecwhub.families.models import Household, Person
        from ecwhub.identity.records import person_keys, person_record

        self.houses.append(_row(Household, {**values, "id": house_id, "registered_by_id": registrar.pk})[1])
        for entity, member in members:
            self.people.append(_row(Person, {**member, "household_id": house_id})[1])
            self.truth.append((member["id"], entity))
            record = person_record(
                given_name=member["given_name"],
                family_name=member["family_name"],
                second_family_name=member["second_family_name"],
                preferred_name=member["preferred_name"],
                date_of_birth=member["date_of_birth"],
                sex=member["sex"],
                phone=member["phone"],
                email=member["email"],
                street=values["street"],
                postal_code=values["postal_code"],
            )
            self.keys.extend((member["id"], key) for key in person_keys(record))


def populate(people_wanted: int) -> None:
    from django.db import connection

    from ecwhub.accounts.models import Organization, OrganizationKind
    from ecwhub.demo.generator import generate_household
    from ecwhub.demo.synthetic import duplicate_household
    from ecwhub.families.models import Household, Person

    started = time.perf_counter()
    first, _ = Organization.objects.get_or_create(
        slug="bench-frc", defaults={"name": "Bench FRC", "kind": OrganizationKind.FAMILY_RESOURCE_CENTER}
    )
    second, _ = Organization.objects.get_or_create(
        slug="bench-wic", defaults={"name": "Bench food bank", "kind": OrganizationKind.FOOD_BANK}
    )
    rng = random.Random(SEED)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_identity_truth (person_id uuid PRIMARY KEY, entity uuid NOT NULL)"
        )
    raw = connection.connection
    people = households = 0
    index = 0
    h_columns = _row(Household, {})[0]
    p_columns = _row(Person, {})[0]
    with raw.cursor() as cursor:
        h_copy_sql = f"COPY families_household ({', '.join(h_columns)}) FROM STDIN"
        p_copy_sql = f"COPY families_person ({', '.join(p_columns)}) FROM STDIN"
        while people < people_wanted:
            chunk = _Chunk()
            for _ in range(5000):
                household = generate_household(seed=SEED, index=index, today=TODAY)
                index += 1
                members = [dict(member) for member in household.members]
                chunk.add(household.id, first, household.values, [(m["id"], m) for m in members])
                households += 1
                people += len(members)
                if rng.random() < DUPLICATE_SHARE:
                    values, copies = duplicate_household(rng, household.values, members)
                    chunk.add(uuid.UUID(int=rng.getrandbits(128), version=4), second, values, copies)
                    households += 1
                    people += len(copies)
                if people >= people_wanted:
                    break
            for sql, rows in (
                (h_copy_sql, chunk.houses),
                (p_copy_sql, chunk.people),
                ("COPY identity_personkey (person_id, key) FROM STDIN", chunk.keys),
                ("COPY bench_identity_truth (person_id, entity) FROM STDIN", chunk.truth),
            ):
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            print(
                f"  {people:,} people in {households:,} households ({time.perf_counter() - started:.0f} s)", flush=True
            )
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"filled: {people:,} people, {households:,} households in {time.perf_counter() - started:.0f} s", flush=True)


# --- Truth ---------------------------------------------------------------------------------------


def truth() -> tuple[dict[str, str], set[frozenset[str]]]:
    from django.db import connection

    entity_of: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id::text, entity::text FROM bench_identity_truth")
        for person, entity in cursor.fetchall():
            entity_of[person] = entity
            members[entity].append(person)
    pairs = {
        frozenset((a, b))
        for group in members.values()
        if len(group) > 1
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    }
    return entity_of, pairs


def quality(predicted: set[frozenset[str]], true_pairs: set[frozenset[str]]) -> dict[str, float]:
    hits = len(predicted & true_pairs)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": len(predicted), "true": len(true_pairs)}


# The indexes of identity_personkey (see ecwhub.identity.models.PersonKey), rebuilt after the COPY.
_KEY_INDEXES = (
    "CREATE INDEX IF NOT EXISTS person_key_lookup ON identity_personkey (key, person_id)",
    "CREATE INDEX IF NOT EXISTS identity_personkey_person_id_d0af056c ON identity_personkey (person_id)",
)


def keys_rebuild(url: str) -> int:
    """Recompute every person's blocking keys with the current key rules (``COPY``, indexes rebuilt
    after, on a second connection): what ``person_keys_rebuild`` does, at
    the speed a million people need."""
    import psycopg

    from ecwhub.families.models import Person
    from ecwhub.identity.keys import PERSON_COLUMNS, record_from_row
    from ecwhub.identity.records import person_keys

    written = 0
    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        dbname=parts.path.lstrip("/"),
    ) as writer:
        indexes = [
            name
            for (name,) in writer.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'identity_personkey' AND indexname NOT LIKE %s",
                ["%_pkey"],
            ).fetchall()
        ]
        writer.execute("TRUNCATE identity_personkey")
        for name in indexes:
            writer.execute(f'DROP INDEX "{name}"')
        with writer.cursor().copy("COPY identity_personkey (person_id, key) FROM STDIN") as copy:
            for row in Person.objects.values(*PERSON_COLUMNS).iterator(chunk_size=20000):
                for key in person_keys(record_from_row(row)):
                    copy.write_row((row["id"], key))
                    written += 1
        writer.commit()  # the foreign key's deferred checks run here; indexes cannot be built before
        for definition in _KEY_INDEXES:
            writer.execute(definition)
        writer.commit()
        writer.execute("ANALYZE identity_personkey")
    return written


# --- The batch linkage, in child processes -------------------------------------------------------


def child(args: list[str], url: str) -> tuple[float, float, str]:
    """Run ``manage.py link_records`` with ``args``; (seconds, peak RSS in MB, output)."""
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "link_records", "--skip-checks", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        print("    " + line.rstrip(), flush=True)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        sys.exit(f"link_records {' '.join(args)} failed ({process.returncode})")
    return seconds, usage.ru_maxrss / 1024, "".join(lines)


def batch_quality(true_pairs: set[frozenset[str]]) -> tuple[dict[str, float], dict[str, float]]:
    from ecwhub.identity.models import LinkClusterMember, MatchReview

    clusters: dict[Any, list[str]] = defaultdict(list)
    for cluster_id, person_id in LinkClusterMember.objects.values_list("cluster_id", "person_id").iterator(
        chunk_size=20000
    ):
        clusters[cluster_id].append(str(person_id))
    linked = {frozenset((a, b)) for group in clusters.values() for i, a in enumerate(group) for b in group[i + 1 :]}
    reviewed = {
        frozenset((str(a), str(b)))
        for a, b in MatchReview.objects.filter(status="pending", person_b__isnull=False).values_list(
            "person_a_id", "person_b_id"
        )
    }
    return quality(linked, true_pairs), quality(linked | reviewed, true_pairs)


# --- Probes ---------------------------------------------------------------------------------------


def make_probes(count: int) -> list[tuple[str, dict[str, Any], list[tuple[str, str, Any]]]]:
    """(true entity, corrupted re-entry, other household members as typed) for ``count`` people."""
    from django.db import connection

    from ecwhub.demo.synthetic import duplicate_person

    rng = random.Random(SEED + 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id::text, t.entity::text FROM families_person p "
            "JOIN bench_identity_truth t ON t.person_id = p.id "
            "WHERE p.id = t.entity ORDER BY md5(p.id::text) LIMIT %s",
            [count],
        )
        chosen = cursor.fetchall()
        ids = [row[0] for row in chosen]
        cursor.execute(
            "SELECT p.id::text, p.household_id::text, p.given_name, p.family_name, p.second_family_name, "
            "p.preferred_name, p.date_of_birth, p.sex, p.phone, p.email, h.street, h.postal_code "
            "FROM families_person p JOIN families_household h ON h.id = p.household_id WHERE p.id::text = ANY(%s)",
            [ids],
        )
        rows = {row[0]: row for row in cursor.fetchall()}
        cursor.execute(
            "SELECT household_id::text, id::text, given_name, family_name, date_of_birth FROM families_person "
            "WHERE household_id::text = ANY(%s)",
            [[row[1] for row in rows.values()]],
        )
        household: dict[str, list[tuple[str, str, str, date]]] = defaultdict(list)
        for household_id, person_id, given, family, born in cursor.fetchall():
            household[household_id].append((person_id, given, family, born))
    probes = []
    for person_id, entity in chosen:
        row = rows[person_id]
        person = dict(
            zip(
                [
                    "id",
                    "household_id",
                    "given_name",
                    "family_name",
                    "second_family_name",
                    "preferred_name",
                    "date_of_birth",
                    "sex",
                    "phone",
                    "email",
                    "street",
                    "postal_code",
                ],
                row,
                strict=True,
            )
        )
        copy = duplicate_person(rng, person)
        others = [(given, family, born) for pid, given, family, born in household[row[1]] if pid != person_id]
        probes.append((entity, copy, others))
    return probes


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def realtime(probes: list[Any], entity_of: dict[str, str], entity_size: dict[str, int]) -> dict[str, Any]:
    from ecwhub.identity.realtime import Probe, find_candidates

    def probe_of(copy: dict[str, Any], others: list[Any]) -> Probe:
        return Probe(
            given_name=copy["given_name"],
            family_name=copy["family_name"],
            second_family_name=copy["second_family_name"],
            date_of_birth=copy["date_of_birth"],
            sex=copy["sex"],
            phone=copy["phone"],
            email=copy["email"],
            street=copy["street"] or "",
            postal_code=copy["postal_code"] or "",
            household_names=tuple(others),
        )

    for _entity, copy, others in probes[:20]:  # warm-up: connection, caches, model
        find_candidates(probe_of(copy, others))
    times, top5 = [], 0
    predicted = hits = 0
    true_total = 0
    for entity, copy, others in probes:
        probe = probe_of(copy, others)
        started = time.perf_counter()
        found = find_candidates(probe, limit=10, min_probability=0.0)
        times.append((time.perf_counter() - started) * 1000)
        top5 += any(entity_of.get(str(c.person_id)) == entity for c in found[:5])
        linked = [c for c in found if c.probability >= 0.5]
        predicted += len(linked)
        hits += sum(entity_of.get(str(c.person_id)) == entity for c in linked)
        true_total += entity_size[entity]
    p50, p95 = percentiles(times)
    precision = hits / predicted if predicted else 1.0
    recall = hits / true_total if true_total else 1.0
    return {
        "p50": p50,
        "p95": p95,
        "top5": top5 / len(probes),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def splink_realtime(probes: list[Any], entity_of: dict[str, str], url: str) -> dict[str, Any]:
    """Splink's incremental matching: predict_between(probe, everyone) with the saved Splink model."""
    import contextlib
    import io
    import tempfile

    import duckdb
    from splink import DuckDBAPI, Linker

    from ecwhub.identity.batch.people import PERSON_FIELDS, export_people
    from ecwhub.identity.batch.prepare import lookup_rows, lookup_tables, prepare_sql
    from ecwhub.identity.batch.splink_model import SPLINK_SCHEMA, quiet_splink
    from ecwhub.identity.models import LinkageModel

    quiet_splink()
    settings = dict(LinkageModel.objects.filter(schema=SPLINK_SCHEMA).latest("created_at").parameters)
    settings["link_type"] = "dedupe_only"
    con = duckdb.connect()
    nicknames, surnames = lookup_rows()
    lookup_tables(con, nicknames, surnames)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        export_people(path)
        con.execute(
            "create table people_raw as select * from read_csv(?, header = true, all_varchar = true)", [str(path)]
        )
    con.execute(f"create table people as {prepare_sql('people_raw')}")
    columns = ", ".join(PERSON_FIELDS)
    rows = [
        (
            f"probe-{n}",
            "",
            copy["given_name"],
            copy["family_name"],
            copy["second_family_name"],
            "",
            copy["date_of_birth"].isoformat() if copy["date_of_birth"] else None,
            copy["sex"],
            copy["phone"],
            copy["email"],
            copy["street"],
            copy["postal_code"],
        )
        for n, (_entity, copy, _others) in enumerate(probes)
    ]
    con.execute(f"create table probes_raw ({', '.join(f'{name} varchar' for name in PERSON_FIELDS)})")
    placeholders = ", ".join("?" for _ in PERSON_FIELDS)
    con.executemany(f"insert into probes_raw ({columns}) values ({placeholders})", rows)  # noqa: S608
    con.execute(f"create table probes as {prepare_sql('probes_raw')}")
    db_api = DuckDBAPI(connection=con)
    everyone = db_api.register(con.table("people"), table_name="input_people")
    linker = Linker(everyone, settings)
    times, top5 = [], 0
    with contextlib.redirect_stdout(io.StringIO()):
        for n, (entity, _copy, _others) in enumerate(probes):
            relation = con.sql("select * from probes where unique_id = $id", params={"id": f"probe-{n}"})
            probe = db_api.register(relation, table_name=f"probe_{n}")
            started = time.perf_counter()
            scored = linker.inference.predict_between(probe, everyone, threshold_match_probability=0.0)
            found = scored.as_duckdbpyrelation().order("match_weight desc").limit(5).fetchall()
            times.append((time.perf_counter() - started) * 1000)
            names = scored.as_duckdbpyrelation().columns
            right = names.index("unique_id_r")
            left = names.index("unique_id_l")
            top5 += any(
                entity_of.get(row[right] if row[left].startswith("probe") else row[left]) == entity for row in found
            )
    p50, p95 = percentiles(times[10:] or times)
    return {"p50": p50, "p95": p95, "top5": top5 / len(probes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000, help="people in the database (1000000)")
    parser.add_argument("--probes", type=int, default=500, help="real-time probes (500)")
    parser.add_argument(
        "--splink-probes", type=int, default=200, help="probes for Splink's incremental matching (200; ~0.3 s each)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--no-batch", action="store_true", help="skip training and the batch linkage")
    parser.add_argument("--no-splink-realtime", action="store_true", help="skip Splink's incremental matching")
    parser.add_argument(
        "--no-train", action="store_true", help="batch linkage with the models saved by an earlier run (no training)"
    )
    parser.add_argument(
        "--realtime-only", action="store_true", help="the real-time check only (no training, batch or Splink peer)"
    )
    parser.add_argument(
        "--rebuild-keys", action="store_true", help="recompute the blocking keys of a reused database (new key rules)"
    )
    parser.add_argument(
        "--database",
        default=POSTGRES_NAME,
        help=f"benchmark database name ({POSTGRES_NAME}); one per size avoids refilling",
    )
    args = parser.parse_args()
    if args.realtime_only:
        args.no_batch = args.no_splink_realtime = True
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database = BenchDatabase.named(args.database)
    url = database.url
    database.create(fresh=args.fresh)
    database.start_django()
    from ecwhub.families.models import Person

    count = database.reuse_or_rebuild(count=Person.objects.count, wanted=args.people, what="people", slack=10)
    if count == 0:
        populate(args.people)
    elif args.rebuild_keys:
        started = time.perf_counter()
        written = keys_rebuild(url)
        print(f"rebuilt {written:,} blocking keys ({time.perf_counter() - started:.0f} s)", flush=True)
    entity_of, true_pairs = truth()
    entity_size: dict[str, int] = defaultdict(int)
    for entity in entity_of.values():
        entity_size[entity] += 1
    people = len(entity_of)
    print(f"{people:,} people, {len(true_pairs):,} true duplicate pairs; {os.cpu_count()} CPUs")
    figures: list[tuple[str, str]] = []
    if not args.no_batch:
        from ecwhub.identity.models import LinkRun, MatchReview

        MatchReview.objects.all().delete()  # the queue of earlier benchmark runs
        LinkRun.objects.all().delete()
        if not args.no_train:
            print("training (link_records --train):", flush=True)
            seconds, rss, _ = child(["--train"], url)
            figures.append(("training (EM, both models), wall / peak RSS", f"{seconds:.1f} s / {rss:.0f} MB"))
        print("batch linkage with the saved model (link_records):", flush=True)
        seconds, rss, _ = child([], url)
        figures.append(("batch linkage end to end, wall / peak RSS", f"{seconds:.1f} s / {rss:.0f} MB"))
        linked, with_review = batch_quality(true_pairs)
        figures.append(
            ("batch P / R / F1, clusters (p ≥ 0.95)", "{precision:.4f} / {recall:.4f} / {f1:.4f}".format(**linked))
        )
        figures.append(
            (
                "batch P / R / F1, p ≥ 0.5 (clusters + review band)",
                "{precision:.4f} / {recall:.4f} / {f1:.4f}".format(**with_review),
            )
        )
    from ecwhub.identity.current import forget_current_model

    forget_current_model()
    probes = make_probes(args.probes)
    result = realtime(probes, entity_of, entity_size)
    figures.append(("real-time find_candidates p50 / p95", f"{result['p50']:.1f} / {result['p95']:.1f} ms"))
    figures.append(("real-time true person in top 5", f"{result['top5']:.1%}"))
    figures.append(
        ("real-time P / R / F1 (p ≥ 0.5)", f"{result['precision']:.4f} / {result['recall']:.4f} / {result['f1']:.4f}")
    )
    if not args.no_splink_realtime:
        peer = splink_realtime(probes[: args.splink_probes], entity_of, url)
        label = f"Splink predict_between p50 / p95 ({min(args.splink_probes, len(probes))} probes)"
        figures.append((label, f"{peer['p50']:.1f} / {peer['p95']:.1f} ms"))
        figures.append(("Splink predict_between true person in top 5", f"{peer['top5']:.1%}"))
    print()
    print(f"| identity_scale: {people:,} people, {args.probes} probes | |")
    print("|---|---|")
    for name, value in figures:
        print(f"| {name} | {value} |")
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
