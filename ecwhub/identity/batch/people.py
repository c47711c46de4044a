"""The records going into a batch linkage: the hub's people exported to CSV, and an agency's file
(checked before anything runs, and written in the same layout by tests and benchmarks)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.db import connection

from .base import LinkageError

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


def check_csv(path: Path) -> None:
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


def count_lines(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def write_incoming_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Write an agency file in the layout ``--csv`` reads (used by tests and benchmarks)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
