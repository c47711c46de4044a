"""The Fellegi–Sunter model: match weights per comparison level, estimated from the data by EM.

For each comparison *k* and level *l*, ``m[k][l]`` is the chance that two records of the same person
compare at that level and ``u[k][l]`` the chance for two different people. A pair's match weight is
``log2(prior odds) + Σ log2(m/u)`` over its comparisons (a missing value adds nothing), and its
match probability ``2^w / (1 + 2^w)``.

Estimation, as Splink does it: ``u`` from pairs drawn at random (almost all of them are different
people), ``m`` and the share of matches by expectation–maximisation over the candidate pairs that
blocking produced (both ``m`` and ``u`` are free during EM; the random-pair ``u`` replaces the
blocked one afterwards, because a blocked pair agrees on its blocking key by construction). The
prior is kept as *expected matches per record*, so the same model serves a 1,000-record file and a
5,000,000-person hub: the prior odds for one pair are ``matches_per_record / people``.

The model is a JSON document (:meth:`FellegiSunter.to_json`), stored in ``identity.LinkageModel``
and loadable from a file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "ecwhub.identity.fellegi-sunter/1"
_FLOOR = 1e-6


@dataclass
class FellegiSunter:
    """m and u probabilities per comparison level, and the prior as expected matches per record."""

    comparisons: tuple[str, ...]
    m: list[list[float]]
    u: list[list[float]]
    matches_per_record: float = 0.5
    trained_on: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._weights = [
            np.log2(np.maximum(m, _FLOOR) / np.maximum(u, _FLOOR)) for m, u in zip(self.m, self.u, strict=True)
        ]

    # --- scoring ---

    def level_weight(self, comparison: int, level: int) -> float:
        return 0.0 if level < 0 else float(self._weights[comparison][level])

    def prior_weight(self, population: int) -> float:
        """log2 of the prior odds that one pair drawn from ``population`` records is a match."""
        population = max(int(population), 2)
        share = min(self.matches_per_record / (population - 1), 0.5)
        return math.log2(share / (1 - share))

    def weights(self, levels: np.ndarray, population: int) -> np.ndarray:
        """Match weights of many pairs at once: ``levels`` is (pairs × comparisons), -1 for missing."""
        total = np.full(levels.shape[0], self.prior_weight(population))
        for index, table in enumerate(self._weights):
            column = levels[:, index]
            present = column >= 0
            total[present] += table[column[present]]
        return total

    def weight(self, levels: Sequence[int], population: int) -> float:
        return self.prior_weight(population) + sum(self.level_weight(k, level) for k, level in enumerate(levels))

    # --- persistence ---

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "comparisons": list(self.comparisons),
            "m": [[round(p, 8) for p in row] for row in self.m],
            "u": [[round(p, 10) for p in row] for row in self.u],
            "matches_per_record": self.matches_per_record,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> FellegiSunter:
        if document.get("format") != FORMAT:
            raise ValueError(f"not a linkage model document (format {document.get('format')!r}, expected {FORMAT!r})")
        comparisons = tuple(document["comparisons"])
        m, u = document["m"], document["u"]
        if len(m) != len(comparisons) or len(u) != len(comparisons):
            raise ValueError("m and u need one row per comparison")
        for name, m_row, u_row in zip(comparisons, m, u, strict=True):
            if len(m_row) != len(u_row):
                raise ValueError(f"comparison {name}: m and u have different numbers of levels")
        return cls(comparisons, m, u, float(document["matches_per_record"]), dict(document.get("trained_on", {})))

    @classmethod
    def from_file(cls, path: str | Path) -> FellegiSunter:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")


def probability(weight: float | np.ndarray) -> Any:
    """Match probability from a match weight (log2 odds)."""
    return 1.0 / (1.0 + np.power(2.0, -np.asarray(weight, dtype=float)))


def _distribution(column: np.ndarray, levels: int, weights: np.ndarray | None = None) -> np.ndarray:
    present = column >= 0
    tally = np.bincount(column[present], weights=None if weights is None else weights[present], minlength=levels)
    counts = tally[:levels].astype(float) + 0.5  # Laplace smoothing: no level is impossible
    return counts / counts.sum()


def estimate_u(random_levels: np.ndarray, level_counts: Sequence[int]) -> list[np.ndarray]:
    """u probabilities from comparisons of random pairs (nearly all different people)."""
    return [_distribution(random_levels[:, k], n) for k, n in enumerate(level_counts)]


def _default_m(levels: int) -> np.ndarray:
    # Matches mostly agree exactly; each weaker level half as likely as the one before.
    raw = np.array([0.9 * 0.5**i for i in range(levels)]) + 0.01
    return raw / raw.sum()


def expectation_maximisation(
    levels: np.ndarray,
    level_counts: Sequence[int],
    *,
    u_start: Sequence[np.ndarray],
    match_share: float = 0.1,
    iterations: int = 40,
    tolerance: float = 1e-6,
) -> tuple[list[np.ndarray], list[np.ndarray], float, np.ndarray]:
    """EM over candidate pairs (conditional independence). Returns m, u, match share and posteriors.

    The pairs are first reduced to their distinct comparison patterns with counts, so the cost
    does not grow with the number of pairs.
    """
    patterns, counts = np.unique(levels, axis=0, return_counts=True)
    counts = counts.astype(float)
    m = [_default_m(n) for n in level_counts]
    u = [np.asarray(x, dtype=float).copy() for x in u_start]
    share = match_share
    for _ in range(iterations):
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for k in range(len(level_counts)):
            column = patterns[:, k]
            present = column >= 0
            log_m[present] += np.log(m[k][column[present]])
            log_u[present] += np.log(u[k][column[present]])
        odds = np.log(share / (1 - share)) + log_m - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(odds, -700, 700)))
        new_share = float((posterior * counts).sum() / counts.sum())
        new_share = min(max(new_share, 1e-9), 1 - 1e-9)
        new_m = [_distribution(patterns[:, k], n, posterior * counts) for k, n in enumerate(level_counts)]
        new_u = [_distribution(patterns[:, k], n, (1 - posterior) * counts) for k, n in enumerate(level_counts)]
        change = max(float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True))
        m, u, share = new_m, new_u, new_share
        if change < tolerance and abs(new_share - share) < tolerance:
            break
    # Posterior per pair, from the final parameters.
    log_odds = np.full(levels.shape[0], np.log(share / (1 - share)))
    for k in range(len(level_counts)):
        column = levels[:, k]
        present = column >= 0
        log_odds[present] += np.log(m[k][column[present]]) - np.log(u[k][column[present]])
    posterior_pairs = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
    return m, u, share, posterior_pairs


def train(
    *,
    comparisons: Sequence[str],
    level_counts: Sequence[int],
    candidate_levels: np.ndarray,
    random_levels: np.ndarray,
    records: int,
    total_pairs: int,
    iterations: int = 40,
    description: dict[str, Any] | None = None,
) -> FellegiSunter:
    """Estimate a model: u from random pairs, m and the number of matches by EM over candidate pairs."""
    u_random = estimate_u(random_levels, level_counts)
    m, _u_blocked, _share, posterior = expectation_maximisation(
        candidate_levels, level_counts, u_start=u_random, iterations=iterations
    )
    expected_matches = float(posterior.sum())
    # In a de-duplication every match pair involves two records of the file; in a two-file link
    # each pair has one record on each side. Either way, matches per record of the population.
    matches_per_record = max(expected_matches * (records - 1) / max(total_pairs, 1), 1e-6)
    trained_on = {
        "records": records,
        "candidate_pairs": int(candidate_levels.shape[0]),
        "random_pairs": int(random_levels.shape[0]),
    }
    trained_on.update(description or {})
    return FellegiSunter(
        tuple(comparisons),
        [list(map(float, row)) for row in m],
        [list(map(float, row)) for row in u_random],
        matches_per_record,
        trained_on,
    )
