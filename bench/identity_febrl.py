"""Accuracy of the hub's record linkage on the FEBRL benchmark files, next to Splink's.

    .venv/bin/python bench/identity_febrl.py                  # dataset2 de-duplication, 4a↔4b link
    .venv/bin/python bench/identity_febrl.py --only dedupe    # one task
    .venv/bin/python bench/identity_febrl.py --no-splink      # the hub's engine only

Data: ``../shared/data/linkage/febrl`` (the team's shared data folder), read as text with
``skipinitialspace``; ``rec-N-org`` and ``rec-N-dup-k`` are the same person, so the true pairs are
all pairs within one N (de-duplication) or the pairs with the same N across the two files (link).

Engines, both unsupervised (the labels are only used to score the output):

- **hub**: ``ecwhub.identity`` — the comparisons of ``records.FEBRL`` (names with nickname,
  phonetic and swap handling, date typos and swaps, SSN, street number and name, address line 2,
  suburb, postcode, state), blocking on ``records.febrl_keys``, ``u`` from 200,000 random pairs,
  ``m`` and the match prior by EM over the candidate pairs (:func:`ecwhub.identity.linkage.fit`).
- **splink**: Splink 5 on DuckDB with the settings of its own FEBRL examples (``febrl3`` for the
  de-duplication, ``febrl4`` "detailed model" for the link): the same blocking rules, comparisons,
  deterministic-rule prior, random-sampling ``u`` and EM sessions.

Decision rule (the same for both, fixed in advance, not tuned on the truth): a pair is a link when
its match probability is at least 0.5, i.e. when the model says a match is more likely than not.
Pairwise precision, recall and F1 are computed on the predicted pairs; the "clustered" line closes
the links transitively (connected components) and scores every pair inside a cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import itertools
import logging
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecwhub.identity import linkage  # noqa: E402
from ecwhub.identity.records import FEBRL, febrl_record  # noqa: E402

DATA = Path(os.environ.get("FEBRL_DIR", ROOT.parent / "shared" / "data" / "linkage" / "febrl"))
THRESHOLD = 0.5


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle, skipinitialspace=True)
        ]


def entity(rec_id: str) -> str:
    return rec_id.split("-")[1]


def truth_dedupe(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        groups[entity(row["rec_id"])].append(row["rec_id"])
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


def truth_link(left: list[dict[str, str]], right: list[dict[str, str]]) -> set[tuple[str, str]]:
    by_entity: dict[str, list[str]] = defaultdict(list)
    for row in right:
        by_entity[entity(row["rec_id"])].append(row["rec_id"])
    return {(row["rec_id"], other) for row in left for other in by_entity.get(entity(row["rec_id"]), [])}


def closed(pairs: set[tuple[str, str]], ids: list[str]) -> set[tuple[str, str]]:
    index = {rec: i for i, rec in enumerate(ids)}
    labels = linkage.clusters(len(ids), [(index[a], index[b]) for a, b in pairs])
    groups: dict[int, list[str]] = defaultdict(list)
    for rec, label in zip(ids, labels, strict=True):
        groups[label].append(rec)
    return {pair for members in groups.values() for pair in itertools.combinations(members, 2)}


# --- The hub's engine -----------------------------------------------------------------------------


def hub_run(rows: list[dict[str, str]], split: int | None) -> tuple[set[tuple[str, str]], dict[str, Any]]:
    started = time.perf_counter()
    records = [febrl_record(row) for row in rows]
    pairs = linkage.candidate_pairs([FEBRL.keys(record) for record in records], split=split)
    levels = linkage.comparison_levels(FEBRL, records, pairs)
    model = linkage.fit(FEBRL, records, split=split, pairs=pairs, levels=levels)
    scored = linkage.score(FEBRL, model, records, split=split, pairs=pairs, levels=levels)
    predicted = {
        (records[a].ref, records[b].ref)
        for (a, b), p in zip(scored.pairs, scored.probabilities, strict=True)
        if p >= THRESHOLD
    }
    return predicted, {"seconds": time.perf_counter() - started, "candidate_pairs": len(pairs)}


# --- Splink, as in its FEBRL examples --------------------------------------------------------------


def splink_run(names: list[str], split: int | None) -> tuple[set[tuple[str, str]], dict[str, Any]]:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    con = duckdb.connect()
    tables = []
    for name in names:
        relation = con.read_csv(str(DATA / name), all_varchar=True)
        columns = ", ".join(f"nullif(trim({column}), '') as {column}" for column in relation.columns)
        tables.append(con.sql(f"select {columns} from relation"))  # noqa: S608
    db_api = DuckDBAPI(connection=con)
    frames = [db_api.register(table) for table in tables]
    blocking: list[Any]
    comparisons: list[Any]
    deterministic: list[Any]
    if split is None:
        blocking = [
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ]
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ]
        deterministic = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ]
        recall, em_rules = 0.9, [block_on("date_of_birth"), block_on("postcode")]
    else:
        blocking = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ]
        deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
        recall, em_rules = 0.8, [block_on("date_of_birth"), block_on("postcode")]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only" if split is None else "link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(frames if len(frames) > 1 else frames[0], settings)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=split is not None
        )
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    predicted = {(row["rec_id_l"], row["rec_id_r"]) for row in predictions.as_record_list()}
    return predicted, {"seconds": time.perf_counter() - started}


def line(engine: str, task: str, quality: dict[str, float], extra: dict[str, Any]) -> str:
    return (
        f"| {task:<26} | {engine:<16} | {quality['precision']:.4f} | {quality['recall']:.4f} | {quality['f1']:.4f} "
        f"| {int(quality['predicted']):>5} | {int(quality['true']):>5} | {extra.get('seconds', 0):6.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["dedupe", "link", "dataset1"], help="run one task")
    parser.add_argument("--no-splink", action="store_true", help="skip the Splink peer")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"needs {DATA} (the team's shared data folder)")
    tasks = {
        "dataset1": ("dataset1 de-duplication", ["dataset1.csv"]),
        "dedupe": ("dataset2 de-duplication", ["dataset2.csv"]),
        "link": ("dataset4a ↔ 4b link", ["dataset4a.csv", "dataset4b.csv"]),
    }
    chosen = [args.only] if args.only else ["dedupe", "link"]
    print(f"FEBRL data: {DATA}; decision rule: match probability ≥ {THRESHOLD}")
    print("| task                       | engine           | precision | recall | F1 | links | true | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for key in chosen:
        title, files = tasks[key]
        tables = [read(name) for name in files]
        if len(tables) == 1:
            rows, split, truth = tables[0], None, truth_dedupe(tables[0])
        else:
            rows, split, truth = tables[0] + tables[1], len(tables[0]), truth_link(tables[0], tables[1])
        ids = [row["rec_id"] for row in rows]
        predicted, extra = hub_run(rows, split)
        print(line("hub (EM)", title, linkage.pairwise_quality(predicted, truth), extra), flush=True)
        if split is None:
            print(
                line("hub, clustered", title, linkage.pairwise_quality(closed(predicted, ids), truth), extra),
                flush=True,
            )
        if not args.no_splink:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):  # Splink logs each step
                predicted, extra = splink_run(files, split)
            print(line("splink 5 duckdb", title, linkage.pairwise_quality(predicted, truth), extra), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
