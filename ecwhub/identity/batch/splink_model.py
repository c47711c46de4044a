"""The Splink model: its comparisons, the blocking rules that choose the candidate pairs, and its training."""

from __future__ import annotations

import logging
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator

from .base import Progress, say

SPLINK_SCHEMA = "splink-person"

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


def across_households(rules: tuple[str, ...] | list[str]) -> list[str]:
    return [rule + OTHER_HOUSEHOLD for rule in rules]


def splink_settings(link_type: str) -> Any:
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
        blocking_rules_to_generate_predictions=across_households(BLOCKING_RULES),  # type: ignore[arg-type]
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


def quiet_splink() -> None:
    """Splink logs every training step at INFO; the command prints its own progress lines."""
    for name in [*logging.root.manager.loggerDict, "splink"]:
        if name.startswith("splink"):
            logging.getLogger(name).setLevel(logging.WARNING)


def train_splink(linker: Any, progress: Progress | None) -> None:
    say(progress, "training: prior from deterministic rules")
    linker.training.estimate_probability_two_random_records_match(
        across_households(["l.dob = r.dob and l.given_canon = r.given_canon and l.surname1 = r.surname1"]), recall=0.8
    )
    say(progress, "training: u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    say(progress, "training: m by EM (blocked on date of birth and ZIP code)")
    linker.training.estimate_parameters_using_expectation_maximisation(
        across_households(["l.dob = r.dob and l.postcode = r.postcode"])[0], estimate_without_term_frequencies=True
    )
    say(progress, "training: m by EM (blocked on names)")
    linker.training.estimate_parameters_using_expectation_maximisation(
        across_households(["l.surname1 = r.surname1 and l.given_canon = r.given_canon and l.postcode = r.postcode"])[0],
        estimate_without_term_frequencies=True,
    )
