"""Batch linkage of everyone in the hub (and of an agency's file against them) with Splink.

DuckDB runs it in process by default; Spark (``engine="spark"``, needs ``pyspark`` and a Java
runtime) runs the same SQL for state-scale data. The steps:

1. **export** the hub's people with their household's address (PostgreSQL ``COPY``, or a cursor on
   SQLite) into the engine, and the agency file if there is one;
2. **prepare** comparison columns in SQL: folded names without particles, the first given name's
   formal form (nickname table), each surname's romanisation key, date parts and the date with day
   and month swapped, phone digits, house number and street;
3. **train** (``train=True`` or no saved Splink model yet): prior from deterministic rules, ``u``
   by random sampling, ``m`` by two EM sessions; the Splink model is saved as a ``LinkageModel``
   row (``schema="splink-person"``). The hub's own Fellegi–Sunter model used by the real-time
   check is EM-trained on the same people at the same time (``schema="person"``);
4. **predict** candidate pairs (blocking rules below) and **cluster** pairs at or above
   ``LINK_PROBABILITY`` (connected components);
5. **write** the clusters (``LinkCluster``), and the pairs in the uncertain band
   [``REVIEW_PROBABILITY``, ``LINK_PROBABILITY``) as pending ``MatchReview`` rows.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import compare as c

LINK_PROBABILITY = 0.95
REVIEW_PROBABILITY = 0.5
# Splink's candidate pairs at or above this probability are re-scored with the hub's own model
# (which knows households: another member of the same family is not the same person).
RESCORE_FLOOR = 0.05
SPLINK_SCHEMA = "splink-person"
PERSON_FIELDS = (
    "unique_id",
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
)
# The columns an agency file may carry (header names); "record_id" identifies a row in the file.
CSV_FIELDS = ("record_id", *PERSON_FIELDS[2:])

Progress = Callable[[str], None]


class LinkageError(Exception):
    """The linkage cannot run as asked (engine missing, unreadable file); the message says why."""


@dataclass
class BatchResult:
    records: int = 0
    incoming: int = 0
    pairs: int = 0
    links: int = 0
    reviews: int = 0
    clusters: int = 0
    trained: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    matches: list[tuple[str, str, float]] = field(default_factory=list)  # (file record, person id, probability)
    run_id: int | None = None


# --- Export -------------------------------------------------------------------------------------

_EXPORT_SQL = """
select p.id, p.household_id, p.given_name, p.family_name, p.second_family_name, p.preferred_name,
       p.date_of_birth, p.sex, p.phone, p.email, h.street, h.postal_code
from families_person p join families_household h on h.id = p.household_id
"""


def export_people(path: Path) -> int:
    """Write the hub's people (with their household's address) to a CSV file; returns the count."""
    if connection.vendor == "postgresql":
        header = ",".join(PERSON_FIELDS) + "\n"
        with connection.cursor() as cursor, path.open("wb") as out:
            out.write(header.encode())
            raw = cursor.cursor  # psycopg 3 cursor: COPY streams without building Python rows
            with raw.copy(f"COPY ({_EXPORT_SQL}) TO STDOUT WITH (FORMAT csv)") as copy:
                for chunk in copy:
                    out.write(chunk)
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from families_person")
            return int(cursor.fetchone()[0])
    count = 0
    with connection.cursor() as cursor, path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(PERSON_FIELDS)
        cursor.execute(_EXPORT_SQL)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                writer.writerow(row)
            count += len(rows)
    return count


# --- Preparation (SQL, the same on DuckDB and Spark) ---------------------------------------------


def _lookup_rows() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    nicknames = sorted((nick, c.given_key(nick)) for nick in c._NICKNAME if c.given_key(nick) != nick)
    surnames = sorted((spelling, key) for spelling, key in c._SURNAME_KEY.items() if spelling != key)
    return nicknames, surnames


_PARTICLES_RE = r"\b(" + "|".join(sorted(c.PARTICLES)) + r")\b"


def _accent_table() -> tuple[str, str]:
    """Accented Latin letters (Latin-1, Latin Extended, Vietnamese) and their plain letters, for
    SQL ``translate()``, which both DuckDB and Spark have."""
    accented, plain = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = c.fold(char)
        if len(base) == 1 and base.isalpha() and base != char.lower():
            accented.append(char)
            plain.append(base)
    return "".join(accented), "".join(plain)


_DIALECTS = {
    "duckdb": {
        "g": ", 'g'",
        "split": "string_split({0}, ' ')",
        "nonempty": "list_filter({0}, lambda x: x <> '')",
        "join": "array_to_string({0}, ' ')",
        "item": "{0}[{1}]",
        "text": "varchar",
        "ref1": "\\1",
    },
    "spark": {
        "g": "",
        "split": "split({0}, ' ')",
        "nonempty": "filter({0}, x -> x <> '')",
        "join": "array_join({0}, ' ')",
        "item": "try_element_at({0}, {1})",
        "text": "string",
        "ref1": "$1",
    },
}


def prepare_sql(table: str, dialect: str = "duckdb") -> str:
    """Comparison columns for ``table`` (columns of ``PERSON_FIELDS``), joined to the lookup tables."""
    d = _DIALECTS[dialect]
    g = d["g"]
    accented, plain = _accent_table()

    def folded(expression: str) -> str:
        if dialect == "duckdb":
            # strip_accents is fast; translate() with a long table costs ~80 µs a row on DuckDB.
            # đ does not decompose: it is mapped after.
            return f"replace(lower(strip_accents(coalesce({expression}, ''))), 'đ', 'd')"
        return f"lower(translate(coalesce({expression}, ''), '{accented}', '{plain}'))"

    family = folded("family_name || ' ' || coalesce(second_family_name, '')")
    surnames = d["nonempty"].format(
        d["split"].format(
            f"trim(regexp_replace(regexp_replace({family}, '[^a-z ]+', ' '{g}), '{_PARTICLES_RE}', ' '{g}))"
        )
    )
    ref = d["ref1"]
    # Built from constants and internal table names only (no user input).
    sql = f"""
    with base as (
        select unique_id, household_id,
            nullif(trim(regexp_replace(regexp_replace({folded("given_name")}, '[^a-z ]+', ' '{g}),
                ' +', ' '{g})), '') as given_norm,
            {surnames} as surnames,
            nullif(replace(cast(date_of_birth as {d["text"]}), '-', ''), '') as dob,
            case when sex in ('female', 'male') then sex end as sex,
            nullif(right(regexp_replace(coalesce(phone, ''), '[^0-9]', ''{g}), 10), '') as phone,
            nullif(left(regexp_replace(coalesce(postal_code, ''), '[^0-9]', ''{g}), 5), '') as postcode,
            nullif(trim(regexp_replace({folded("street")}, '[^a-z0-9 ]+', ' '{g})), '') as street_norm
        from {table}
    ), parts as (
        select *,
            split_part(given_norm, ' ', 1) as given1,
            {d["item"].format("surnames", 1)} as surname1_raw,
            {d["item"].format("surnames", 2)} as surname2_raw,
            case when length(dob) = 8 then substr(dob, 1, 4) end as dob_year,
            case when length(dob) = 8 then substr(dob, 1, 6) end as dob_ym,
            case when length(dob) = 8 then substr(dob, 5, 4) end as dob_md,
            case when length(dob) = 8
                then substr(dob, 1, 4) || substr(dob, 7, 2) || substr(dob, 5, 2) end as dob_swapped,
            case when length(phone) >= 7 then right(phone, 7) end as phone7,
            nullif(regexp_extract(street_norm, '^([0-9]+[a-z]?) ', 1), '') as street_number
        from base
    )
    select parts.unique_id, parts.household_id, parts.given_norm, parts.given1, parts.surname1_raw as family1,
        coalesce(nick.formal, parts.given1) as given_canon,
        nullif({d["join"].format("parts.surnames")}, '') as surname_all,
        regexp_replace(coalesce(s1.key, parts.surname1_raw), '([a-z][a-z])yan$', '{ref}ian') as surname1,
        regexp_replace(coalesce(s2.key, parts.surname2_raw), '([a-z][a-z])yan$', '{ref}ian') as surname2,
        parts.dob, parts.dob_year, parts.dob_ym, parts.dob_md, parts.dob_swapped, parts.sex, parts.phone, parts.phone7,
        parts.postcode, parts.street_norm, parts.street_number
    from parts
    left join identity_nicknames nick on nick.nick = parts.given1
    left join identity_surname_keys s1 on s1.spelling = parts.surname1_raw
    left join identity_surname_keys s2 on s2.spelling = parts.surname2_raw
    """  # noqa: S608
    return sql


# --- The Splink model ---------------------------------------------------------------------------

# Measured on the 1,000,003-person benchmark (bench/identity_scale.py): the three broad rules
# used before (birth year + first surname + ZIP; formal given name + first surname + ZIP; formal
# given name + birth year + ZIP) produced 41 of the 51 million candidate pairs. Each is replaced by
# narrower rules that keep its duplicates (a date typo leaves either the year and month or the
# month and day intact): 18 million pairs, and slightly more true pairs reached (40,409 of
# 40,722 against 40,396).
BLOCKING_RULES = (
    "l.dob = r.dob and l.postcode = r.postcode",
    "l.dob = r.dob and l.given_canon = r.given_canon",
    "l.dob = r.dob and l.surname1 = r.surname1",
    "l.dob_swapped = r.dob and l.surname1 = r.surname1",
    "l.phone7 = r.phone7 and l.given_canon = r.given_canon",
    "l.surname1 = r.surname2 and l.dob = r.dob",
    "l.dob_swapped = r.dob and l.postcode = r.postcode",
    "l.surname1 = r.surname1 and l.postcode = r.postcode and l.dob_ym = r.dob_ym",
    "l.surname1 = r.surname1 and l.postcode = r.postcode and l.dob_md = r.dob_md",
    "l.given_canon = r.given_canon and l.postcode = r.postcode and l.dob_ym = r.dob_ym",
    "l.given_canon = r.given_canon and l.postcode = r.postcode and l.dob_md = r.dob_md",
    "l.dob_year = r.dob_year and l.given_canon = r.given_canon and l.surname1 = r.surname2 and l.postcode = r.postcode",
    "l.dob_year = r.dob_year and l.given_canon = r.given_canon and l.surname2 = r.surname1 and l.postcode = r.postcode",
    "l.dob = r.dob and l.given1 = r.family1",
    "l.given_canon = r.given_canon and l.surname1 = r.surname1 and l.street_number = r.street_number",
    "l.given_canon = r.given_canon and l.street_norm = r.street_norm",
    "l.given1 = r.family1 and l.family1 = r.given1",
    "l.street_norm = r.street_norm and l.dob_year = r.dob_year",
    "l.phone7 = r.phone7 and l.dob_year = r.dob_year",
)
# Two members of one household are two people (twins share a birth date, a surname and an
# address): such pairs are neither compared nor used for training.
OTHER_HOUSEHOLD = " and l.household_id <> r.household_id"


def _rules(rules: tuple[str, ...] | list[str]) -> list[str]:
    return [rule + OTHER_HOUSEHOLD for rule in rules]


def splink_settings(link_type: str) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    given = cl.CustomComparison(
        output_column_name="given_name",
        comparison_levels=[
            cll.NullLevel("given_norm"),
            cll.ExactMatchLevel("given_norm"),
            cll.CustomLevel(
                "given1_l = family1_r and family1_l = given1_r", label_for_charts="given and family names swapped"
            ),
            cll.CustomLevel("given_canon_l = given_canon_r", label_for_charts="same formal name (nickname)"),
            cll.JaroWinklerLevel("given1", 0.92),
            cll.JaroWinklerLevel("given1", 0.8),
            cll.ElseLevel(),
        ],
    )
    family = cl.CustomComparison(
        output_column_name="family_name",
        comparison_levels=[
            cll.NullLevel("surname1"),
            cll.ExactMatchLevel("surname_all"),
            cll.CustomLevel(
                "given1_l = family1_r and family1_l = given1_r", label_for_charts="given and family names swapped"
            ),
            cll.CustomLevel("surname1_l = surname1_r", label_for_charts="first surname the same"),
            cll.CustomLevel(
                "surname1_l = surname2_r or surname2_l = surname1_r", label_for_charts="surnames in another order"
            ),
            cll.JaroWinklerLevel("surname1", 0.92),
            cll.JaroWinklerLevel("surname1", 0.8),
            cll.ElseLevel(),
        ],
    )
    born = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("dob_swapped_l = dob_r", label_for_charts="day and month swapped"),
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.CustomLevel(
                "substr(dob_l, 5, 4) = substr(dob_r, 5, 4)"
                " and abs(cast(dob_year_l as int) - cast(dob_year_r as int)) in (1, 10)",
                label_for_charts="year off by one or ten",
            ),
            cll.ElseLevel(),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.NullLevel("phone7"),
            cll.ExactMatchLevel("phone"),
            cll.ExactMatchLevel("phone7"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        unique_id_column_name="unique_id",
        link_type=link_type,  # type: ignore[arg-type]
        blocking_rules_to_generate_predictions=_rules(BLOCKING_RULES),  # type: ignore[arg-type]
        comparisons=[
            given,
            family,
            born,
            cl.ExactMatch("sex"),
            phone,
            cl.JaroWinklerAtThresholds("street_norm", [0.88]),
            cl.ExactMatch("postcode"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _database_api(engine: str, connection_: Any = None) -> Any:
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(connection=connection_)
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError as error:
            raise LinkageError(
                "--engine spark needs pyspark (pip install pyspark) and a Java runtime; "
                "it is not installed here. Use --engine duckdb, or see docs/identity.md."
            ) from error
        from pyspark.sql import SparkSession
        from splink import SparkAPI

        spark = SparkSession.builder.appName("ecwhub-link-records").getOrCreate()
        return SparkAPI(spark_session=spark)
    raise LinkageError(f"engine: unknown engine {engine!r} (use duckdb or spark)")


# --- The run ------------------------------------------------------------------------------------


def _say(progress: Progress | None, message: str) -> None:
    if progress:
        progress(message)


def _load_tables(engine: str, people_csv: Path, incoming_csv: Path | None) -> tuple[Any, Any, list[Any]]:
    """(database API, engine connection, [prepared people, prepared incoming?]) ready for Splink."""
    nicknames, surnames = _lookup_rows()
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        threads = os.environ.get("ECWHUB_LINK_THREADS")
        if threads:
            con.execute(f"set threads = {int(threads)}")
        lookup_tables(con, nicknames, surnames)
        con.execute(
            "create table people_raw as select * from read_csv(?, header = true, all_varchar = true)", [str(people_csv)]
        )
        con.execute(f"create table people as {prepare_sql('people_raw')}")
        tables = ["people"]
        if incoming_csv is not None:
            con.execute(
                "create table incoming_csv as select * from read_csv(?, header = true, all_varchar = true)",
                [str(incoming_csv)],
            )
            present = {row[0] for row in con.execute("describe incoming_csv").fetchall()}
            columns = ", ".join(name if name in present else f"null as {name}" for name in PERSON_FIELDS[2:])
            con.execute(
                f"create table incoming_raw as select record_id as unique_id, '' as household_id, {columns} "  # noqa: S608
                "from incoming_csv"
            )
            con.execute(f"create table incoming as {prepare_sql('incoming_raw')}")
            tables.append("incoming")
        db_api = _database_api("duckdb", con)
        return (
            db_api,
            con,
            [
                db_api.register(con.table(name), dataset_display_name=name, table_name=f"input_{name}")
                for name in tables
            ],
        )
    db_api = _database_api(engine)
    spark = db_api.spark
    spark.createDataFrame(nicknames, "nick string, formal string").createOrReplaceTempView("identity_nicknames")
    spark.createDataFrame(surnames, "spelling string, key string").createOrReplaceTempView("identity_surname_keys")
    spark.read.csv(str(people_csv), header=True).createOrReplaceTempView("people_raw")
    frames = [spark.sql(prepare_sql("people_raw", "spark"))]
    if incoming_csv is not None:
        spark.read.csv(str(incoming_csv), header=True).selectExpr(
            "record_id as unique_id", "'' as household_id", "*"
        ).drop("record_id").createOrReplaceTempView("incoming_raw")
        frames.append(spark.sql(prepare_sql("incoming_raw", "spark")))
    names = ["people", "incoming"]
    return (
        db_api,
        spark,
        [
            db_api.register(frame, dataset_display_name=name, table_name=f"input_{name}")
            for frame, name in zip(frames, names, strict=False)
        ],
    )


def lookup_tables(con: Any, nicknames: list[tuple[str, str]], surnames: list[tuple[str, str]]) -> None:
    """The nickname and romanisation tables, in one statement each (DuckDB's executemany is slow)."""
    for name, columns, rows in (
        ("identity_nicknames", "nick varchar, formal varchar", nicknames),
        ("identity_surname_keys", "spelling varchar, key varchar", surnames),
    ):
        con.execute(f"create table {name} ({columns})")
        values = ", ".join("(?, ?)" for _ in rows)
        con.execute(f"insert into {name} values {values}", [value for row in rows for value in row])  # noqa: S608


def quiet_splink() -> None:
    """Splink logs every training step at INFO; the command prints its own progress lines."""
    import logging

    for name in [*logging.root.manager.loggerDict, "splink"]:
        if name.startswith("splink"):
            logging.getLogger(name).setLevel(logging.WARNING)


def _train_splink(linker: Any, progress: Progress | None) -> None:
    _say(progress, "training: prior from deterministic rules")
    linker.training.estimate_probability_two_random_records_match(
        _rules(["l.dob = r.dob and l.given_canon = r.given_canon and l.surname1 = r.surname1"]), recall=0.8
    )
    _say(progress, "training: u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    _say(progress, "training: m by EM (blocked on date of birth and ZIP code)")
    linker.training.estimate_parameters_using_expectation_maximisation(
        _rules(["l.dob = r.dob and l.postcode = r.postcode"])[0], estimate_without_term_frequencies=True
    )
    _say(progress, "training: m by EM (blocked on names)")
    linker.training.estimate_parameters_using_expectation_maximisation(
        _rules(["l.surname1 = r.surname1 and l.given_canon = r.given_canon and l.postcode = r.postcode"])[0],
        estimate_without_term_frequencies=True,
    )


def link_records(
    *,
    engine: str = "duckdb",
    csv_path: Path | None = None,
    source: str = "",
    train: bool = False,
    write: bool = True,
    rescore: bool = True,
    progress: Progress | None = None,
) -> BatchResult:
    """Link the hub's people (de-duplication), or an agency file against them (``csv_path``).

    Raises :class:`LinkageError` with a clear message for a missing engine or unreadable file;
    writes nothing in that case. The results are written in one transaction.
    """
    from splink import Linker

    from .models import LinkageModel

    quiet_splink()
    result = BatchResult()
    clock = time.perf_counter()
    if csv_path is not None:
        _check_csv(csv_path)
    with tempfile.TemporaryDirectory(prefix="ecwhub-link-") as folder:
        people_csv = Path(folder) / "people.csv"
        result.records = export_people(people_csv)
        result.seconds["export"] = time.perf_counter() - clock
        _say(progress, f"exported {result.records:,} people ({result.seconds['export']:.1f} s)")
        if result.records == 0:
            return result
        _db_api, _con, frames = _load_tables(engine, people_csv, csv_path)
        result.seconds["prepare"] = time.perf_counter() - clock - result.seconds["export"]
        _say(progress, f"prepared comparison columns ({result.seconds['prepare']:.1f} s)")
        saved = LinkageModel.objects.filter(schema=SPLINK_SCHEMA).order_by("-created_at", "-id").first()
        if csv_path is None:
            link_type = "dedupe_only"
            input_frames: Any = frames[0]
        else:
            link_type = "link_only"
            input_frames = frames
        if saved is not None and not train:
            settings: Any = dict(saved.parameters)
            settings["link_type"] = link_type
            # The trained m/u are reused; which pairs to compare is the code's current rule set.
            settings["blocking_rules_to_generate_predictions"] = _rules(BLOCKING_RULES)
            linker = Linker(input_frames, settings)
            model_row: Any = saved
        else:
            if csv_path is not None:
                raise LinkageError("no trained model yet: run link_records --train on the hub's people first")
            linker = Linker(input_frames, splink_settings(link_type))
            _train_splink(linker, progress)
            model_row = None
            result.trained = True
        stage = time.perf_counter()
        predictions = linker.inference.predict(
            threshold_match_probability=RESCORE_FLOOR if rescore else REVIEW_PROBABILITY
        )
        result.seconds["predict"] = time.perf_counter() - stage
        _say(progress, f"scored candidate pairs ({result.seconds['predict']:.1f} s)")
        pairs = predictions.as_duckdbpyrelation() if engine == "duckdb" else None
        rows = _prediction_rows(predictions, pairs)
        if rescore:
            stage = time.perf_counter()
            rows = _rescore(rows, _con if engine == "duckdb" else None, result.records)
            result.seconds["rescore"] = time.perf_counter() - stage
            _say(progress, f"re-scored {len(rows):,} pairs with the hub's model ({result.seconds['rescore']:.1f} s)")
        rows = [row for row in rows if row[2] >= REVIEW_PROBABILITY]
        result.pairs = len(rows)
        stage = time.perf_counter()
        if csv_path is None:
            clusters = _clusters(rows)
        else:
            clusters = []
            result.incoming = _count_lines(csv_path)
            result.matches = [(_right_id(row), _left_id(row), row[2]) for row in rows if row[2] >= LINK_PROBABILITY]
        result.seconds["cluster"] = time.perf_counter() - stage
        result.links = sum(1 for row in rows if row[2] >= LINK_PROBABILITY)
        result.clusters = len(clusters)
        _say(progress, f"{result.links:,} links, {len(clusters):,} clusters ({result.seconds['cluster']:.1f} s)")
        if write:
            stage = time.perf_counter()
            trained_json = linker.misc.save_model_to_json() if result.trained else None
            _write(result, rows, clusters, engine, source, trained_json, model_row, csv_path is not None)
            result.seconds["write"] = time.perf_counter() - stage
            _say(
                progress,
                f"wrote {result.clusters:,} clusters and {result.reviews:,} pairs to review "
                f"({result.seconds['write']:.1f} s)",
            )
    result.seconds["total"] = time.perf_counter() - clock
    return result


def _check_csv(path: Path) -> None:
    if not path.is_file():
        raise LinkageError(f"--csv: no such file: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    missing = [name for name in ("record_id", "given_name", "family_name", "date_of_birth") if name not in header]
    if missing:
        raise LinkageError(
            f"--csv: the header lacks the column(s) {', '.join(missing)} (expected {', '.join(CSV_FIELDS)})"
        )
    unknown = [name for name in header if name not in CSV_FIELDS]
    if unknown:
        raise LinkageError(f"--csv: unknown column(s) {', '.join(unknown)} (expected {', '.join(CSV_FIELDS)})")


def _count_lines(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


# A prediction row: (left id, right id, probability, match weight, left source, right source)
Row = tuple[str, str, float, float, str, str]


def _prediction_rows(predictions: Any, relation: Any) -> list[Row]:
    columns = "unique_id_l, unique_id_r, match_probability, match_weight"
    if relation is not None:
        names = relation.columns
        sources = ", source_dataset_l, source_dataset_r" if "source_dataset_l" in names else ", '', ''"
        query = f"select {columns}{sources} from p"  # noqa: S608 (column names are constants)
        return [tuple(row) for row in relation.query("p", query).fetchall()]  # type: ignore[misc]
    records = predictions.as_record_list()
    return [
        (
            r["unique_id_l"],
            r["unique_id_r"],
            float(r["match_probability"]),
            float(r["match_weight"]),
            r.get("source_dataset_l", ""),
            r.get("source_dataset_r", ""),
        )
        for r in records
    ]


def _rescore(rows: list[Row], con: Any, population: int) -> list[Row]:
    """Splink's pairs with the hub model's weight and probability (DuckDB engine only; with Spark
    the pairs keep Splink's scores). The records come from the exported tables, with the other
    members of each person's household."""
    if con is None or not rows:
        return rows
    from .current import current_model
    from .records import person_record

    model, _model_id = current_model("person")
    ids = sorted({row[0] for row in rows} | {row[1] for row in rows})
    con.execute("create or replace temp table wanted (unique_id varchar)")
    con.execute("insert into wanted select unnest(?)", [ids])
    tables = ["people_raw"] + (["incoming_raw"] if _has_table(con, "incoming_raw") else [])
    fields = ", ".join(PERSON_FIELDS)
    found: list[tuple[Any, ...]] = []
    for table in tables:
        found.extend(
            con.execute(
                f"select {fields} from {table} where household_id in "  # noqa: S608 (internal table names)
                f"(select household_id from {table} join wanted using (unique_id) where household_id <> '') "
                f"or unique_id in (select unique_id from wanted)"
            ).fetchall()
        )
    by_household: dict[str, list[tuple[Any, ...]]] = {}
    for row in found:
        if row[1]:
            by_household.setdefault(row[1], []).append(row)
    wanted = set(ids)
    records: dict[str, Any] = {}
    for row in found:
        if row[0] not in wanted or row[0] in records:
            continue
        others = [(o[2], o[3], o[6]) for o in by_household.get(row[1], ()) if o[0] != row[0]] if row[1] else []
        records[row[0]] = person_record(
            ref=row[0],
            household=row[1],
            given_name=row[2] or "",
            family_name=row[3] or "",
            second_family_name=row[4] or "",
            preferred_name=row[5] or "",
            date_of_birth=row[6],
            sex=row[7] or "",
            phone=row[8] or "",
            email=row[9] or "",
            street=row[10] or "",
            postal_code=row[11] or "",
            members=others,
        )
    import numpy as np

    levels = _compare_pairs(records, [(row[0], row[1]) for row in rows])
    weights = model.weights(levels, population)
    probabilities = 1.0 / (1.0 + np.power(2.0, -weights))
    return [
        (row[0], row[1], float(p), float(w), row[4], row[5])
        for row, p, w in zip(rows, probabilities, weights, strict=True)
    ]


def _compare_pairs(records: dict[str, Any], pairs: list[tuple[str, str]]) -> Any:
    """Comparison levels of many pairs. (Forked workers were tried: on two shared cores the fork
    and the transfer cost more than they save.)"""
    import numpy as np

    from .records import PERSON

    return np.array([[o.level for o in PERSON.compare(records[a], records[b])] for a, b in pairs], dtype=np.int64)


def _has_table(con: Any, name: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = ?", [name]).fetchone()[0])


def _left_id(row: Row) -> str:
    """The hub person's id in a file-to-hub pair."""
    return row[0] if row[4] == "people" else row[1]


def _right_id(row: Row) -> str:
    return row[1] if row[4] == "people" else row[0]


def _clusters(rows: list[Row]) -> list[list[str]]:
    from .linkage import clusters as components

    ids: dict[str, int] = {}
    links = []
    for row in rows:
        if row[2] >= LINK_PROBABILITY:
            a = ids.setdefault(row[0], len(ids))
            b = ids.setdefault(row[1], len(ids))
            links.append((a, b))
    labels = components(len(ids), links)
    names = list(ids)
    groups: dict[int, list[str]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(names[index])
    return [members for members in groups.values() if len(members) > 1]


def _write(
    result: BatchResult,
    rows: list[Row],
    clusters: list[list[str]],
    engine: str,
    source: str,
    trained_json: dict[str, Any] | None,
    model_row: Any,
    incoming: bool,
) -> None:
    from .models import LinkageModel, LinkCluster, LinkClusterMember, LinkRun, MatchReview

    with transaction.atomic():
        if trained_json is not None:
            model_row = LinkageModel.objects.create(schema=SPLINK_SCHEMA, parameters=trained_json, source="hub people")
        run = LinkRun.objects.create(
            engine=engine, source=source, model=model_row, records=result.records, pairs_scored=result.pairs
        )
        if not incoming:
            # A new de-duplication supersedes the clusters of earlier ones.
            LinkCluster.objects.exclude(run=run).delete()
        cluster_rows = [LinkCluster(run=run, size=len(members)) for members in clusters]
        LinkCluster.objects.bulk_create(cluster_rows, batch_size=5000)
        LinkClusterMember.objects.bulk_create(
            [
                LinkClusterMember(cluster=cluster, person_id=uuid.UUID(person_id))
                for cluster, members in zip(cluster_rows, clusters, strict=True)
                for person_id in members
            ],
            batch_size=5000,
        )
        uncertain = [row for row in rows if REVIEW_PROBABILITY <= row[2] < LINK_PROBABILITY]
        if incoming:
            reviews = [
                MatchReview(
                    run=run,
                    person_a_id=uuid.UUID(_left_id(row)),
                    external_source=source,
                    external_ref=_right_id(row),
                    probability=row[2],
                    match_weight=row[3],
                )
                for row in uncertain
            ]
        else:
            pending = set(
                MatchReview.objects.filter(status=MatchReview.Status.PENDING, person_b__isnull=False).values_list(
                    "person_a_id", "person_b_id"
                )
            )
            reviews = []
            for row in uncertain:
                a, b = sorted((row[0], row[1]))
                if _pending(pending, a, b):
                    continue
                reviews.append(
                    MatchReview(
                        run=run,
                        person_a_id=uuid.UUID(a),
                        person_b_id=uuid.UUID(b),
                        probability=row[2],
                        match_weight=row[3],
                    )
                )
        MatchReview.objects.bulk_create(reviews, batch_size=5000)
        _add_reasons(reviews)
        result.reviews = len(reviews)
        run.links = result.links
        run.reviews = result.reviews
        run.clusters = result.clusters
        run.finished_at = timezone.now()
        run.save(update_fields=["links", "reviews", "clusters", "finished_at"])
        result.run_id = run.pk


def _pending(pending: set[tuple[Any, Any]], a: str, b: str) -> bool:
    ua, ub = uuid.UUID(a), uuid.UUID(b)
    return (ua, ub) in pending or (ub, ua) in pending


def _add_reasons(reviews: list[Any]) -> None:
    """Reasons for the pairs in review, computed with the hub's own comparisons (both records are in the hub)."""
    from ecwhub.families.models import Person

    from .keys import PERSON_COLUMNS, record_from_row
    from .models import MatchReview
    from .records import PERSON

    with_people = [review for review in reviews if review.person_b_id is not None]
    if not with_people:
        return
    ids = {review.person_a_id for review in with_people} | {review.person_b_id for review in with_people}
    records: dict[str, Any] = {}
    for start in range(0, len(ids), 5000):
        chunk = list(ids)[start : start + 5000]
        for row in Person.objects.filter(id__in=chunk).values(*PERSON_COLUMNS):
            records[row["id"]] = record_from_row(row)
    for review in with_people:
        a, b = records.get(review.person_a_id), records.get(review.person_b_id)
        if a is None or b is None:
            continue
        review.reasons = [[o.reason, list(o.args)] for o in PERSON.compare(a, b) if o.reason and o.level >= 0]
    MatchReview.objects.bulk_update(with_people, ["reasons"], batch_size=2000)


def write_incoming_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Write an agency file in the layout ``--csv`` reads (used by tests and benchmarks)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
