"""De-duplicating FEBRL dataset1 (1,000 records, 500 true pairs) with the EM-trained engine."""

import csv
import itertools
from collections import defaultdict

from ecwhub.identity import linkage
from ecwhub.identity.records import FEBRL, febrl_record
from tests.shared_data import shared_path


def test_dataset1_deduplication_reaches_the_floor() -> None:
    with shared_path("data", "linkage", "febrl", "dataset1.csv").open(newline="", encoding="utf-8") as handle:
        rows = [
            {k.strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(handle, skipinitialspace=True)
        ]
    records = [febrl_record(row) for row in rows]
    model = linkage.fit(FEBRL, records, random_sample=50_000)
    scored = linkage.score(FEBRL, model, records)
    predicted = {
        (records[a].ref, records[b].ref)
        for (a, b), p in zip(scored.pairs, scored.probabilities, strict=True)
        if p >= 0.5
    }
    groups: dict[str, list[str]] = defaultdict(list)
    for record in records:
        groups[record.ref.split("-")[1]].append(record.ref)
    truth = {pair for members in groups.values() for pair in itertools.combinations(members, 2)}
    quality = linkage.pairwise_quality(predicted, truth)
    assert quality["true"] == 500
    assert quality["f1"] >= 0.98, quality
    assert quality["precision"] >= 0.99, quality
