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
    # Optional third class: two *different* members of one family (a parent and a child, twins),
    # who agree on surname, address, phone and household but not on given name and birth date.
    m_family: list[list[float]] | None = None
    family_per_record: float = 0.0

    def __post_init__(self) -> None:
        self._weights = [
            np.log2(np.maximum(m, _FLOOR) / np.maximum(u, _FLOOR)) for m, u in zip(self.m, self.u, strict=True)
        ]
        self._log_m = [np.log2(np.maximum(m, _FLOOR)) for m in self.m]
        self._log_u = [np.log2(np.maximum(u, _FLOOR)) for u in self.u]
        self._log_f = [np.log2(np.maximum(f, _FLOOR)) for f in self.m_family] if self.m_family else None

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
        if self._log_f is None:
            total = np.full(levels.shape[0], self.prior_weight(population))
            for index, table in enumerate(self._weights):
                column = levels[:, index]
                present = column >= 0
                total[present] += table[column[present]]
            return total
        log_m, log_u, log_f = (np.zeros(levels.shape[0]) for _ in range(3))
        for index in range(len(self._weights)):
            column = levels[:, index]
            present = column >= 0
            log_m[present] += self._log_m[index][column[present]]
            log_u[present] += self._log_u[index][column[present]]
            log_f[present] += self._log_f[index][column[present]]
        match, family, other = self._log_priors(population)
        return match + log_m - np.logaddexp2(family + log_f, other + log_u)

    def _log_priors(self, population: int) -> tuple[float, float, float]:
        population = max(int(population), 2)
        match = min(self.matches_per_record / (population - 1), 0.45)
        family = min(self.family_per_record / (population - 1), 0.45)
        return math.log2(match), math.log2(max(family, 1e-12)), math.log2(1 - match - family)

    def weight(self, levels: Sequence[int], population: int) -> float:
        if self._log_f is None:
            return self.prior_weight(population) + sum(self.level_weight(k, level) for k, level in enumerate(levels))
        return float(self.weights(np.asarray([levels], dtype=np.int64), population)[0])

    @staticmethod
    def default_m(level_counts: Sequence[int]) -> list[list[float]]:
        return [list(map(float, _default_m(n))) for n in level_counts]

    # --- persistence ---

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "comparisons": list(self.comparisons),
            "m": [[round(p, 8) for p in row] for row in self.m],
            "u": [[round(p, 10) for p in row] for row in self.u],
            "matches_per_record": self.matches_per_record,
            "m_family": [[round(p, 8) for p in row] for row in self.m_family] if self.m_family else None,
            "family_per_record": self.family_per_record,
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
        family = document.get("m_family")
        if family is not None and [len(row) for row in family] != [len(row) for row in m]:
            raise ValueError("m_family needs the same levels as m")
        return cls(
            comparisons,
            m,
            u,
            float(document["matches_per_record"]),
            dict(document.get("trained_on", {})),
            family,
            float(document.get("family_per_record", 0.0)),
        )

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


def latent_class_em(
    levels: np.ndarray,
    level_counts: Sequence[int],
    *,
    u_start: Sequence[np.ndarray],
    family_fields: Sequence[bool],
    known_family: np.ndarray | None = None,
    iterations: int = 80,
    tolerance: float = 1e-6,
) -> tuple[list[list[np.ndarray]], np.ndarray, np.ndarray]:
    """EM with three latent classes: the same person, two members of one family, unrelated.

    Returns ([m, m_family, u] distributions per comparison), class shares, and the per-pair
    posterior of each class (pairs × 3). ``known_family`` marks pairs known to be two different
    members of one family (two people listed in the same household): they anchor the family class
    (semi-supervised EM) and are never counted as matches.
    """
    known = np.zeros(levels.shape[0], dtype=bool) if known_family is None else np.asarray(known_family, dtype=bool)
    patterns, counts = np.unique(levels[~known], axis=0, return_counts=True)
    counts = counts.astype(float)
    anchored = levels[known]
    anchor_stats = [_distribution(anchored[:, k], n) * max(len(anchored), 1) for k, n in enumerate(level_counts)]
    u0 = [np.asarray(x, dtype=float).copy() for x in u_start]
    family_start = [
        (anchor_stats[k] / anchor_stats[k].sum()) if len(anchored) else (_default_m(n) if shared else u0[k].copy())
        for k, (n, shared) in enumerate(zip(level_counts, family_fields, strict=True))
    ]
    params = [[_default_m(n) for n in level_counts], family_start, u0]
    shares = np.array([0.1, 0.2, 0.7])

    def log_likelihoods(rows: np.ndarray) -> np.ndarray:
        result = np.zeros((len(rows), 3))
        for k in range(len(level_counts)):
            column = rows[:, k]
            present = column >= 0
            for c in range(3):
                result[present, c] += np.log(params[c][k][column[present]])
        return result + np.log(shares)

    def posteriors(rows: np.ndarray) -> np.ndarray:
        joint = log_likelihoods(rows)
        joint -= joint.max(axis=1, keepdims=True)
        result = np.exp(joint)
        return result / result.sum(axis=1, keepdims=True)

    total = counts.sum() + len(anchored)
    for _ in range(iterations):
        weighted = posteriors(patterns) * counts[:, None]
        class_totals = weighted.sum(axis=0)
        class_totals[1] += len(anchored)
        new_shares = np.clip(class_totals / total, 1e-9, 1.0)
        new_params = []
        for c in range(3):
            row = []
            for k, n in enumerate(level_counts):
                present = patterns[:, k] >= 0
                tally = np.bincount(patterns[present, k], weights=weighted[present, c], minlength=n)[:n].astype(float)
                if c == 1 and len(anchored):
                    tally = tally + anchor_stats[k]
                tally = tally + 0.5
                row.append(tally / tally.sum())
            new_params.append(row)
        change = max(float(np.abs(a - b).max()) for a, b in zip(new_params[0], params[0], strict=True))
        params, shares = new_params, new_shares / new_shares.sum()
        if change < tolerance:
            break
    posterior = posteriors(levels)
    posterior[known] = (0.0, 1.0, 0.0)
    return params, shares, posterior


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
    family_fields: Sequence[bool] | None = None,
    known_family: np.ndarray | None = None,
) -> FellegiSunter:
    """Estimate a model: u from random pairs, m and the number of matches by EM over candidate pairs.

    With ``family_fields`` (which comparisons members of one family share), EM separates a third
    class, "another member of the same family", so that agreeing on surname and address is not
    mistaken for being the same person.
    """
    u_random = estimate_u(random_levels, level_counts)
    trained_on = {
        "records": records,
        "candidate_pairs": int(candidate_levels.shape[0]),
        "random_pairs": int(random_levels.shape[0]),
    }
    trained_on.update(description or {})
    if family_fields is not None and any(family_fields):
        params, _shares, posterior = latent_class_em(
            candidate_levels,
            level_counts,
            u_start=u_random,
            family_fields=family_fields,
            known_family=known_family,
            iterations=iterations * 2,
        )
        scale = (records - 1) / max(total_pairs, 1)
        return FellegiSunter(
            tuple(comparisons),
            [list(map(float, row)) for row in params[0]],
            [list(map(float, row)) for row in u_random],
            max(float(posterior[:, 0].sum()) * scale, 1e-6),
            trained_on,
            [list(map(float, row)) for row in params[1]],
            max(float(posterior[:, 1].sum()) * scale, 1e-6),
        )
    m, _u_blocked, _share, posterior = expectation_maximisation(
        candidate_levels, level_counts, u_start=u_random, iterations=iterations
    )
    expected_matches = float(posterior.sum())
    # In a de-duplication every match pair involves two records of the file; in a two-file link
    # each pair has one record on each side. Either way, matches per record of the population.
    matches_per_record = max(expected_matches * (records - 1) / max(total_pairs, 1), 1e-6)
    return FellegiSunter(
        tuple(comparisons),
        [list(map(float, row)) for row in m],
        [list(map(float, row)) for row in u_random],
        matches_per_record,
        trained_on,
    )


def session_em(
    levels: np.ndarray,
    level_counts: Sequence[int],
    *,
    m_start: Sequence[np.ndarray],
    u: Sequence[np.ndarray],
    m_family: Sequence[np.ndarray] | None,
    masked: Sequence[int],
    iterations: int = 60,
    tolerance: float = 1e-6,
) -> tuple[list[np.ndarray], np.ndarray]:
    """One EM training session, as Splink runs them: pairs from one blocking rule, the comparisons
    the rule conditions on left out (``masked``), ``u`` fixed at its random-pair estimate and the
    family class (if any) fixed at its estimate from known family pairs. Returns m (only the
    unmasked rows are estimates) and the class shares among these pairs."""
    levels = levels.copy()
    for k in masked:
        levels[:, k] = -1
    patterns, counts = np.unique(levels, axis=0, return_counts=True)
    counts = counts.astype(float)
    classes = 3 if m_family is not None else 2
    fixed = [list(u)] if m_family is None else [list(m_family), list(u)]
    m = [np.asarray(row, dtype=float).copy() for row in m_start]
    shares = np.array([0.2, 0.3, 0.5][:classes]) if classes == 3 else np.array([0.2, 0.8])
    shares = shares / shares.sum()
    fixed_log = np.zeros((len(patterns), classes - 1))
    for k in range(len(level_counts)):
        column = patterns[:, k]
        present = column >= 0
        for c, table in enumerate(fixed):
            fixed_log[present, c] += np.log(np.maximum(table[k], _FLOOR)[column[present]])
    for _ in range(iterations):
        log_m = np.zeros(len(patterns))
        for k in range(len(level_counts)):
            column = patterns[:, k]
            present = column >= 0
            log_m[present] += np.log(m[k][column[present]])
        joint = np.column_stack([log_m, fixed_log]) + np.log(shares)
        joint -= joint.max(axis=1, keepdims=True)
        posterior = np.exp(joint)
        posterior /= posterior.sum(axis=1, keepdims=True)
        weighted = posterior * counts[:, None]
        new_shares = np.clip(weighted.sum(axis=0) / counts.sum(), 1e-9, 1.0)
        new_m = [
            m[k] if k in masked else _distribution(patterns[:, k], n, weighted[:, 0])
            for k, n in enumerate(level_counts)
        ]
        change = max(float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True))
        m, shares = new_m, new_shares / new_shares.sum()
        if change < tolerance:
            break
    return m, shares


def class_shares(levels: np.ndarray, model: FellegiSunter, *, iterations: int = 100) -> np.ndarray:
    """Posterior probability of a match for each pair, with the model's m/u (and family) fixed and
    only the class shares estimated by EM (how many of these pairs are matches)."""
    patterns, inverse, counts = np.unique(levels, axis=0, return_inverse=True, return_counts=True)
    classes = 3 if model.m_family is not None else 2
    tables = [model.m, *([model.m_family] if model.m_family is not None else []), model.u]
    log_like = np.zeros((len(patterns), classes))
    for k in range(levels.shape[1]):
        column = patterns[:, k]
        present = column >= 0
        for c, table in enumerate(tables):
            log_like[present, c] += np.log(np.maximum(np.asarray(table[k]), _FLOOR)[column[present]])
    shares = np.full(classes, 1.0 / classes)
    posterior = np.zeros_like(log_like)
    for _ in range(iterations):
        joint = log_like + np.log(shares)
        joint -= joint.max(axis=1, keepdims=True)
        posterior = np.exp(joint)
        posterior /= posterior.sum(axis=1, keepdims=True)
        shares = np.clip((posterior * counts[:, None]).sum(axis=0) / counts.sum(), 1e-9, 1.0)
        shares /= shares.sum()
    return posterior[inverse.ravel()]
