"""manage.py link_records: resolve the hub's people into clusters, or link an agency file to them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecwhub.identity.batch import LINK_PROBABILITY, REVIEW_PROBABILITY, LinkageError, link_records
from ecwhub.identity.training import person_model_train


class Command(BaseCommand):
    help = (
        "Batch record linkage with Splink: de-duplicate the hub's people into clusters (pairs in the "
        f"uncertain band {REVIEW_PROBABILITY}–{LINK_PROBABILITY} go to the review queue), or, with --csv, "
        "link an agency's file against them. --train re-estimates the models (EM) from the hub's data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, help="an agency file to link against the hub's people")
        parser.add_argument("--source", default="", help="name of the agency the file comes from")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--train", action="store_true", help="estimate the models from the data (EM) and save them")
        parser.add_argument("--matches", type=Path, help="with --csv: write the matches found to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        csv_path = options["csv"]
        if csv_path is not None and not options["source"]:
            raise CommandError("--source: name the agency the file comes from (it is kept with each pair to review)")
        if options["matches"] is not None and csv_path is None:
            raise CommandError("--matches: only with --csv")
        if options["train"] and csv_path is not None:
            raise CommandError(
                "--train: train on the hub's people (without --csv), then link files with the saved model"
            )
        progress = self.stdout.write
        if options["train"]:
            progress("training the real-time model (EM on the hub's people)")
            try:
                person_model_train()
            except ValueError as error:
                raise CommandError(str(error)) from error
        try:
            result = link_records(
                engine=options["engine"],
                csv_path=csv_path,
                source=options["source"] or ("hub" if csv_path is None else ""),
                train=options["train"],
                progress=progress,
            )
        except LinkageError as error:
            raise CommandError(str(error)) from error
        if csv_path is None:
            progress(
                f"done: {result.records:,} people, {result.pairs:,} pairs at or above {REVIEW_PROBABILITY}, "
                f"{result.clusters:,} clusters, {result.reviews:,} pairs to review "
                f"({result.seconds.get('total', 0):.1f} s)"
            )
            return
        matched = {record for record, _person, _p in result.matches}
        progress(
            f"done: {result.incoming:,} records in the file, {len(matched):,} matched to hub people "
            f"(probability ≥ {LINK_PROBABILITY}), {result.reviews:,} pairs to review"
        )
        if options["matches"] is not None:
            with options["matches"].open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["record_id", "person_id", "match_probability"])
                writer.writerows((record, person, f"{p:.4f}") for record, person, p in result.matches)
            progress(f"matches written to {options['matches']}")
