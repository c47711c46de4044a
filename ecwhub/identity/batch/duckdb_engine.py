"""The DuckDB engine (the default, in process): the exported people, and an agency file, loaded and
prepared as DuckDB tables, registered with Splink."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
from splink import DuckDBAPI

from .people import PERSON_FIELDS
from .prepare import lookup_tables, prepare_sql


def load(
    people_csv: Path,
    incoming_csv: Path | None,
    nicknames: list[tuple[str, str]],
    surnames: list[tuple[str, str]],
) -> tuple[Any, Any, list[Any]]:
    """(database API, DuckDB connection, [prepared people, prepared incoming?]) ready for Splink."""
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
    db_api = DuckDBAPI(connection=con)
    return (
        db_api,
        con,
        [db_api.register(con.table(name), dataset_display_name=name, table_name=f"input_{name}") for name in tables],
    )
