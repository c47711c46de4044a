"""The outcome of a batch linkage written: a ``LinkRun``, the clusters of linked people
(``LinkCluster``), and the pairs in the uncertain band as pending ``MatchReview`` rows with their reasons."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from ecwhub.families.models import Person

from ..keys import PERSON_COLUMNS, record_from_row
from ..linkage import clusters as components
from ..models import LinkageModel, LinkCluster, LinkClusterMember, LinkRun, MatchReview
from ..records import PERSON
from .base import LINK_PROBABILITY, REVIEW_PROBABILITY, BatchResult, Pair, left_id, right_id
from .splink_model import SPLINK_SCHEMA


def clusters_of(rows: list[Pair]) -> list[list[str]]:
    """The groups of people the links at or above ``LINK_PROBABILITY`` join (connected components)."""
    ids: dict[str, int] = {}
    links = []
    for row in rows:
        if row[2] >= LINK_PROBABILITY:
            a = ids.setdefault(row[0], len(ids))
            b = ids.setdefault(row[1], len(ids))
            links.append((a, b))
    labels = components(len(ids), links)
    names = list(ids)
    groups: dict[int, list[str]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(names[index])
    return [members for members in groups.values() if len(members) > 1]


def write_results(
    result: BatchResult,
    rows: list[Pair],
    clusters: list[list[str]],
    engine: str,
    source: str,
    trained_json: dict[str, Any] | None,
    model_row: Any,
    incoming: bool,
) -> None:
    """The run, its clusters (superseding earlier de-duplications') and its pairs to review, in one transaction."""
    with transaction.atomic():
        if trained_json is not None:
            model_row = LinkageModel.objects.create(schema=SPLINK_SCHEMA, parameters=trained_json, source="hub people")
        run = LinkRun.objects.create(
            engine=engine, source=source, model=model_row, records=result.records, pairs_scored=result.pairs
        )
        if not incoming:
            # A new de-duplication supersedes the clusters of earlier ones.
            LinkCluster.objects.exclude(run=run).delete()
        cluster_rows = [LinkCluster(run=run, size=len(members)) for members in clusters]
        LinkCluster.objects.bulk_create(cluster_rows, batch_size=5000)
        LinkClusterMember.objects.bulk_create(
            [
                LinkClusterMember(cluster=cluster, person_id=uuid.UUID(person_id))
                for cluster, members in zip(cluster_rows, clusters, strict=True)
                for person_id in members
            ],
            batch_size=5000,
        )
        uncertain = [row for row in rows if REVIEW_PROBABILITY <= row[2] < LINK_PROBABILITY]
        if incoming:
            reviews = [
                MatchReview(
                    run=run,
                    person_a_id=uuid.UUID(left_id(row)),
                    external_source=source,
                    external_ref=right_id(row),
                    probability=row[2],
                    match_weight=row[3],
                )
                for row in uncertain
            ]
        else:
            pending = set(
                MatchReview.objects.filter(status=MatchReview.Status.PENDING, person_b__isnull=False).values_list(
                    "person_a_id", "person_b_id"
                )
            )
            reviews = []
            for row in uncertain:
                a, b = sorted((row[0], row[1]))
                if _pending(pending, a, b):
                    continue
                reviews.append(
                    MatchReview(
                        run=run,
                        person_a_id=uuid.UUID(a),
                        person_b_id=uuid.UUID(b),
                        probability=row[2],
                        match_weight=row[3],
                    )
                )
        MatchReview.objects.bulk_create(reviews, batch_size=5000)
        _add_reasons(reviews)
        result.reviews = len(reviews)
        run.links = result.links
        run.reviews = result.reviews
        run.clusters = result.clusters
        run.finished_at = timezone.now()
        run.save(update_fields=["links", "reviews", "clusters", "finished_at"])


def _pending(pending: set[tuple[Any, Any]], a: str, b: str) -> bool:
    ua, ub = uuid.UUID(a), uuid.UUID(b)
    return (ua, ub) in pending or (ub, ua) in pending


def _add_reasons(reviews: list[Any]) -> None:
    """Reasons for the pairs in review, computed with the hub's own comparisons (both records are in the hub)."""
    with_people = [review for review in reviews if review.person_b_id is not None]
    if not with_people:
        return
    ids = {review.person_a_id for review in with_people} | {review.person_b_id for review in with_people}
    records: dict[str, Any] = {}
    for start in range(0, len(ids), 5000):
        chunk = list(ids)[start : start + 5000]
        for row in Person.objects.filter(id__in=chunk).values(*PERSON_COLUMNS):
            records[row["id"]] = record_from_row(row)
    for review in with_people:
        a, b = records.get(review.person_a_id), records.get(review.person_b_id)
        if a is None or b is None:
            continue
        review.reasons = [[o.reason, list(o.args)] for o in PERSON.compare(a, b) if o.reason and o.level >= 0]
    MatchReview.objects.bulk_update(with_people, ["reasons"], batch_size=2000)
