"""Splink's candidate pairs re-scored with the hub's own Fellegi–Sunter model, which knows
households: another member of the same family is not the same person."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..current import current_model
from ..records import PERSON, person_record
from .base import Pair
from .people import PERSON_FIELDS


def rescore_pairs(rows: list[Pair], con: Any, population: int) -> list[Pair]:
    """Splink's pairs with the hub model's weight and probability (DuckDB engine only; with Spark
    the pairs keep Splink's scores). The records come from the exported tables, with the other
    members of each person's household."""
    if con is None or not rows:
        return rows
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
    return np.array([[o.level for o in PERSON.compare(records[a], records[b])] for a, b in pairs], dtype=np.int64)


def _has_table(con: Any, name: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = ?", [name]).fetchone()[0])
