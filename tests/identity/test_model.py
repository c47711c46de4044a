"""The Fellegi–Sunter model: weights, EM, persistence."""

import json

import numpy as np
import pytest

from ecwhub.identity.model import FellegiSunter, expectation_maximisation, probability, train


def test_weights_and_probability() -> None:
    model = FellegiSunter(("a", "b"), [[0.9, 0.1], [0.8, 0.2]], [[0.1, 0.9], [0.5, 0.5]], matches_per_record=1.0)
    assert model.level_weight(0, 0) == pytest.approx(np.log2(9))
    assert model.level_weight(0, -1) == 0.0
    assert model.prior_weight(2) == pytest.approx(np.log2(1.0 / 1.0)) or model.prior_weight(2) < 1
    weights = model.weights(np.array([[0, 0], [1, 1], [-1, -1]]), population=101)
    assert weights[0] > weights[2] > weights[1]
    assert probability(0.0) == pytest.approx(0.5)


def test_json_round_trip_and_validation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = FellegiSunter(("a",), [[0.9, 0.1]], [[0.2, 0.8]], 0.4, {"records": 10})
    path = tmp_path / "model.json"
    model.save(path)
    again = FellegiSunter.from_file(path)
    assert again.m == model.m and again.matches_per_record == 0.4
    document = json.loads(path.read_text())
    document["format"] = "something else"
    with pytest.raises(ValueError, match="format"):
        FellegiSunter.from_json(document)


def test_em_recovers_planted_parameters() -> None:
    rng = np.random.default_rng(1)
    n, share = 20000, 0.2
    matches = rng.random(n) < share
    m_true, u_true = [0.85, 0.1, 0.05], [0.05, 0.15, 0.8]
    columns = [np.where(matches, rng.choice(3, n, p=m_true), rng.choice(3, n, p=u_true)) for _ in range(4)]
    levels = np.stack(columns, axis=1)
    m, _u, estimated_share, posterior = expectation_maximisation(
        levels, [3, 3, 3, 3], u_start=[np.array([0.3, 0.3, 0.4])] * 4
    )
    assert estimated_share == pytest.approx(share, abs=0.03)
    assert m[0][0] == pytest.approx(0.85, abs=0.05)
    assert ((posterior > 0.5) == matches).mean() > 0.95
    model = train(
        comparisons=("a", "b", "c", "d"),
        level_counts=[3] * 4,
        candidate_levels=levels,
        random_levels=levels[~matches],
        records=1000,
        total_pairs=n,
    )
    assert model.level_weight(0, 0) > 3 > model.level_weight(0, 2)
