"""manage.py link_records on a small generated population with known duplicates."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ecwhub.identity.batch import write_incoming_csv
from ecwhub.identity.models import LinkageModel, LinkCluster, LinkClusterMember, LinkRun, MatchReview
from ecwhub.identity.realtime import Probe, find_candidates
from tests.identity.conftest import Population


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("link_records", *args, stdout=out)
    return out.getvalue()


def cluster_pairs() -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for cluster in LinkCluster.objects.prefetch_related("members"):
        ids = [str(member.person_id) for member in cluster.members.all()]
        pairs.update(frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs


@pytest.mark.django_db
def test_training_links_the_known_duplicates(population: Population) -> None:
    output = run("--train")
    assert "exported" in output and "training" in output and "clusters" in output
    assert LinkageModel.objects.filter(schema="person").exists()
    assert LinkageModel.objects.filter(schema="splink-person").exists()
    run_row = LinkRun.objects.get()
    assert run_row.finished_at is not None and run_row.records == population.people
    found = cluster_pairs()
    truth = {frozenset((str(a), str(b))) for a, b in population.true_pairs}
    true_positives = len(found & truth)
    precision = true_positives / len(found)
    recall = true_positives / len(truth)
    assert precision >= 0.9, (precision, recall)
    assert recall >= 0.7, (precision, recall)
    for review in MatchReview.objects.all():
        assert review.status == MatchReview.Status.PENDING
        assert 0.5 <= review.probability < 0.95


@pytest.mark.django_db
def test_a_second_run_reuses_the_saved_model_and_replaces_clusters(population: Population) -> None:
    run("--train")
    first_clusters = LinkCluster.objects.count()
    models = LinkageModel.objects.count()
    output = run()
    assert "training" not in output
    assert LinkageModel.objects.count() == models
    assert LinkCluster.objects.count() == first_clusters
    assert LinkCluster.objects.filter(run=LinkRun.objects.latest("started_at")).count() == first_clusters
    assert LinkClusterMember.objects.count() >= 2 * first_clusters


@pytest.mark.django_db
def test_the_trained_model_serves_the_real_time_check(population: Population) -> None:
    run("--train")
    hits = 0
    for original, copy in population.duplicates[:20]:
        probe = Probe(
            given_name=copy["given_name"],
            family_name=copy["family_name"],
            second_family_name=copy["second_family_name"],
            date_of_birth=copy["date_of_birth"],
            sex=copy["sex"],
            phone=copy["phone"],
            street=copy["street"],
            postal_code=copy["postal_code"],
        )
        top = [candidate.person_id for candidate in find_candidates(probe, limit=5)]
        hits += original in top
    assert hits >= 16


@pytest.mark.django_db
def test_an_agency_file_is_linked_against_the_hub(population: Population, tmp_path: Path) -> None:
    run("--train")
    rows = []
    for number, (_original, copy) in enumerate(population.duplicates[:15]):
        rows.append({**copy, "record_id": f"agency-{number}", "date_of_birth": copy["date_of_birth"].isoformat()})
    rows.append(
        {"record_id": "agency-new", "given_name": "Zebulon", "family_name": "Quixote", "date_of_birth": "1950-01-01"}
    )
    path = tmp_path / "agency.csv"
    write_incoming_csv(rows, path)
    matches = tmp_path / "matches.csv"
    output = run("--csv", str(path), "--source", "WIC", "--matches", str(matches))
    assert "16 records in the file" in output
    lines = matches.read_text().splitlines()
    assert lines[0] == "record_id,person_id,match_probability"
    matched = {line.split(",")[0] for line in lines[1:]}
    assert "agency-new" not in matched
    assert len(matched) >= 10


@pytest.mark.django_db
def test_bad_arguments_are_refused_with_the_reason(population: Population, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--source"):
        run("--csv", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="no such file"):
        run("--csv", str(tmp_path / "missing.csv"), "--source", "WIC")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,born\nAna,2020-01-01\n")
    with pytest.raises(CommandError, match="lacks the column"):
        run("--csv", str(bad), "--source", "WIC")
    with pytest.raises(CommandError, match="pyspark"):
        run("--engine", "spark")
    assert not LinkRun.objects.exists()
