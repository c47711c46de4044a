"""``link_records``: the steps of a batch linkage in order, timed, with progress lines."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from splink import Linker

from ..models import LinkageModel
from . import duckdb_engine, spark_engine
from .base import (
    LINK_PROBABILITY,
    RESCORE_FLOOR,
    REVIEW_PROBABILITY,
    BatchResult,
    LinkageError,
    Pair,
    Progress,
    left_id,
    right_id,
    say,
)
from .people import check_csv, count_lines, export_people
from .prepare import lookup_rows
from .rescore import rescore_pairs
from .results import clusters_of, write_results
from .splink_model import BLOCKING_RULES, SPLINK_SCHEMA, across_households, quiet_splink, splink_settings, train_splink


def _load_tables(engine: str, people_csv: Path, incoming_csv: Path | None) -> tuple[Any, Any, list[Any]]:
    """(database API, engine connection, [prepared people, prepared incoming?]) ready for Splink."""
    nicknames, surnames = lookup_rows()
    if engine == "duckdb":
        return duckdb_engine.load(people_csv, incoming_csv, nicknames, surnames)
    if engine == "spark":
        return spark_engine.load(people_csv, incoming_csv, nicknames, surnames)
    raise LinkageError(f"engine: unknown engine {engine!r} (use duckdb or spark)")


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
    quiet_splink()
    result = BatchResult()
    clock = time.perf_counter()
    if csv_path is not None:
        check_csv(csv_path)
    with tempfile.TemporaryDirectory(prefix="ecwhub-link-") as folder:
        people_csv = Path(folder) / "people.csv"
        result.records = export_people(people_csv)
        result.seconds["export"] = time.perf_counter() - clock
        say(progress, f"exported {result.records:,} people ({result.seconds['export']:.1f} s)")
        if result.records == 0:
            return result
        _db_api, _con, frames = _load_tables(engine, people_csv, csv_path)
        result.seconds["prepare"] = time.perf_counter() - clock - result.seconds["export"]
        say(progress, f"prepared comparison columns ({result.seconds['prepare']:.1f} s)")
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
            settings["blocking_rules_to_generate_predictions"] = across_households(BLOCKING_RULES)
            linker = Linker(input_frames, settings)
            model_row: Any = saved
        else:
            if csv_path is not None:
                raise LinkageError("no trained model yet: run link_records --train on the hub's people first")
            linker = Linker(input_frames, splink_settings(link_type))
            train_splink(linker, progress)
            model_row = None
            result.trained = True
        stage = time.perf_counter()
        predictions = linker.inference.predict(
            threshold_match_probability=RESCORE_FLOOR if rescore else REVIEW_PROBABILITY
        )
        result.seconds["predict"] = time.perf_counter() - stage
        say(progress, f"scored candidate pairs ({result.seconds['predict']:.1f} s)")
        pairs = predictions.as_duckdbpyrelation() if engine == "duckdb" else None
        rows = _prediction_rows(predictions, pairs)
        if rescore:
            stage = time.perf_counter()
            rows = rescore_pairs(rows, _con if engine == "duckdb" else None, result.records)
            result.seconds["rescore"] = time.perf_counter() - stage
            say(progress, f"re-scored {len(rows):,} pairs with the hub's model ({result.seconds['rescore']:.1f} s)")
        rows = [row for row in rows if row[2] >= REVIEW_PROBABILITY]
        result.pairs = len(rows)
        stage = time.perf_counter()
        if csv_path is None:
            clusters = clusters_of(rows)
        else:
            clusters = []
            result.incoming = count_lines(csv_path)
            result.matches = [(right_id(row), left_id(row), row[2]) for row in rows if row[2] >= LINK_PROBABILITY]
        result.seconds["cluster"] = time.perf_counter() - stage
        result.links = sum(1 for row in rows if row[2] >= LINK_PROBABILITY)
        result.clusters = len(clusters)
        say(progress, f"{result.links:,} links, {len(clusters):,} clusters ({result.seconds['cluster']:.1f} s)")
        if write:
            stage = time.perf_counter()
            trained_json = linker.misc.save_model_to_json() if result.trained else None
            write_results(result, rows, clusters, engine, source, trained_json, model_row, csv_path is not None)
            result.seconds["write"] = time.perf_counter() - stage
            say(
                progress,
                f"wrote {result.clusters:,} clusters and {result.reviews:,} pairs to review "
                f"({result.seconds['write']:.1f} s)",
            )
    result.seconds["total"] = time.perf_counter() - clock
    return result


def _prediction_rows(predictions: Any, relation: Any) -> list[Pair]:
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
