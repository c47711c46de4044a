"""Linking lists of prepared records with a schema and a Fellegi–Sunter model, in process.

Used to train the model (EM) on the hub's own people or on a benchmark file, to score candidate
pairs, and to cluster accepted pairs (connected components). The state-scale path is Splink
(:mod:`ecwhub.identity.batch`); this one needs nothing but numpy.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import FellegiSunter, class_shares, estimate_u, session_em, train
from .records import Schema

# A blocking key shared by more records than this says little (a common surname in a common
# year); its pairs are left to the other keys rather than compared all against all.
MAX_BLOCK = 400


def candidate_pairs(
    keys: Sequence[Iterable[str]], *, split: int | None = None, max_block: int = MAX_BLOCK
) -> list[tuple[int, int]]:
    """Pairs of record indexes that share a blocking key.

    De-duplication when ``split`` is None; otherwise records ``[0, split)`` are one file and
    ``[split, n)`` the other, and only pairs across the two are produced.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record_keys in enumerate(keys):
        for key in record_keys:
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > max_block:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if split is None:
                    pairs.add((a, b))
                elif (a < split) != (b < split):
                    pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def random_pairs(count: int, *, records: int, split: int | None = None, seed: int = 7) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < count:
        if split is None:
            a, b = rng.randrange(records), rng.randrange(records)
            if a == b:
                continue
        else:
            a, b = rng.randrange(split), rng.randrange(split, records)
        pairs.append((a, b))
    return pairs


def comparison_levels(schema: Schema, records: Sequence[Any], pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    levels = np.empty((len(pairs), len(schema.comparisons)), dtype=np.int8)
    compare = schema.compare
    for row, (a, b) in enumerate(pairs):
        levels[row] = [outcome.level for outcome in compare(records[a], records[b])]
    return levels


@dataclass
class Scored:
    pairs: list[tuple[int, int]]
    levels: np.ndarray
    weights: np.ndarray
    probabilities: np.ndarray


def total_pairs(records: int, split: int | None) -> int:
    return records * (records - 1) // 2 if split is None else split * (records - split)


def fit(
    schema: Schema,
    records: Sequence[Any],
    *,
    split: int | None = None,
    random_sample: int = 200_000,
    pairs: list[tuple[int, int]] | None = None,
    levels: np.ndarray | None = None,
    households: Sequence[Any] | None = None,
) -> FellegiSunter:
    """EM-train a model on these records (no match labels used).

    ``households`` (one value per record, for a de-duplication of people in households): every
    pair of members of one household is added to the training pairs as two different members of
    one family, which anchors the family class of the model.
    """
    if pairs is None:
        pairs = candidate_pairs([schema.keys(record) for record in records], split=split)
    known = None
    if households is not None and split is None:
        members: dict[Any, list[int]] = defaultdict(list)
        for index, household in enumerate(households):
            members[household].append(index)
        same = {(a, b) for group in members.values() for i, a in enumerate(group) for b in group[i + 1 :]}
        pairs = sorted(set(pairs) | same)
        known = np.array([pair in same for pair in pairs], dtype=bool)
        levels = None
    if levels is None:
        levels = comparison_levels(schema, records, pairs)
    random_levels = comparison_levels(schema, records, random_pairs(random_sample, records=len(records), split=split))
    return train(
        comparisons=schema.comparisons,
        level_counts=schema.level_counts,
        candidate_levels=levels,
        random_levels=random_levels,
        records=len(records) if split is None else max(split, len(records) - split),
        total_pairs=total_pairs(len(records), split),
        description={"schema": schema.name, "mode": "dedupe" if split is None else "link"},
        family_fields=schema.family_fields,
        known_family=known,
    )


def _sample(pairs: list[tuple[int, int]], limit: int, seed: int) -> list[tuple[int, int]]:
    return pairs if len(pairs) <= limit else sorted(random.Random(seed).sample(pairs, limit))


def fit_sessions(
    schema: Schema,
    records: Sequence[Any],
    *,
    households: Sequence[Any],
    random_sample: int = 100_000,
    session_pairs: int = 120_000,
) -> FellegiSunter:
    """EM-train a model for people in households, the way Splink trains (sessions per blocking
    rule, u fixed from random pairs), with a third class for other members of the same family
    estimated from the pairs known to be that (two people listed in one household).
    """
    count = len(records)
    level_counts = schema.level_counts
    u = estimate_u(comparison_levels(schema, records, random_pairs(random_sample, records=count)), level_counts)
    members: dict[Any, list[int]] = defaultdict(list)
    for index, household in enumerate(households):
        members[household].append(index)
    same_set = {(a, b) for group in members.values() for i, a in enumerate(group) for b in group[i + 1 :]}
    same = _sample(sorted(same_set), session_pairs, 1)
    family_levels = comparison_levels(schema, records, same)
    m_family = estimate_u(family_levels, level_counts) if same else None
    m_start = [np.asarray(row) for row in FellegiSunter.default_m(level_counts)]
    estimates: list[list[np.ndarray]] = [[] for _ in level_counts]
    sessions: dict[str, Any] = {}
    for name, keys, masked_names in schema.sessions:
        pairs = [pair for pair in candidate_pairs([keys(record) for record in records]) if pair not in same_set]
        if not pairs:
            continue
        sessions[name] = {"candidate_pairs": len(pairs)}
        pairs = _sample(pairs, session_pairs, 2)  # EM needs the shape of the data, not every pair
        masked = [schema.comparisons.index(masked_name) for masked_name in masked_names]
        m, shares = session_em(
            comparison_levels(schema, records, pairs),
            level_counts,
            m_start=m_start,
            u=u,
            m_family=m_family,
            masked=masked,
        )
        sessions[name].update({"pairs": len(pairs), "match_share": round(float(shares[0]), 6)})
        for k in range(len(level_counts)):
            if k not in masked:
                estimates[k].append(m[k])
    m_final = [np.mean(found, axis=0) if found else m_start[k] for k, found in enumerate(estimates)]
    model = FellegiSunter(
        schema.comparisons,
        [list(map(float, row)) for row in m_final],
        [list(map(float, row)) for row in u],
        0.5,
        {"records": count, "sessions": sessions, "family_pairs": len(same), "random_pairs": random_sample},
        [list(map(float, row)) for row in m_family] if m_family is not None else None,
        1.0,
    )
    # How many matches there are: class shares over all candidate pairs, parameters fixed.
    pairs = [pair for pair in candidate_pairs([schema.keys(record) for record in records]) if pair not in same_set]
    sampled = _sample(pairs, 2 * session_pairs, 3)
    posterior = class_shares(comparison_levels(schema, records, sampled), model)
    # Scaled from the sample to all candidate pairs, then to all pairs of the population.
    scale = len(pairs) / max(len(sampled), 1) * (count - 1) / max(total_pairs(count, None), 1)
    model.matches_per_record = max(float(posterior[:, 0].sum()) * scale, 1e-6)
    if model.m_family is not None:
        family = float(posterior[:, 1].sum()) * scale + len(same_set) * (count - 1) / max(total_pairs(count, None), 1)
        model.family_per_record = max(family, 1e-6)
    model.trained_on.update({"candidate_pairs": len(pairs), "schema": schema.name, "mode": "dedupe"})
    return model


def score(
    schema: Schema,
    model: FellegiSunter,
    records: Sequence[Any],
    *,
    split: int | None = None,
    pairs: list[tuple[int, int]] | None = None,
    levels: np.ndarray | None = None,
) -> Scored:
    if pairs is None:
        pairs = candidate_pairs([schema.keys(record) for record in records], split=split)
    if levels is None:
        levels = comparison_levels(schema, records, pairs)
    population = len(records) if split is None else max(split, len(records) - split)
    weights = model.weights(levels, population)
    return Scored(pairs, levels, weights, 1.0 / (1.0 + np.power(2.0, -weights)))


def clusters(count: int, links: Iterable[tuple[int, int]]) -> list[int]:
    """Connected components: the cluster number of each of ``count`` records."""
    parent = list(range(count))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(x) for x in range(count)]


def pairwise_quality(predicted: set[tuple[Any, Any]], truth: set[tuple[Any, Any]]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of predicted links against the true ones (unordered pairs)."""

    def norm(pairs: set[tuple[Any, Any]]) -> set[tuple[Any, Any]]:
        return {(a, b) if str(a) <= str(b) else (b, a) for a, b in pairs}

    predicted, truth = norm(predicted), norm(truth)
    true_positives = len(predicted & truth)
    precision = true_positives / len(predicted) if predicted else 1.0
    recall = true_positives / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted": len(predicted),
        "true": len(truth),
        "true_positives": true_positives,
    }
