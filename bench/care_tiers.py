"""Risk tiers, surveillance and the worklist with many families.

    SECRET_KEY=x python bench/care_tiers.py --households 10000      # SQLite, a quick run
    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub python bench/care_tiers.py

Its own database: ``var/bench/care_tiers.sqlite3`` or, on PostgreSQL, ``ecwhub_bench_care``
(created and dropped through the server's ``postgres`` database). The families, their consents,
relationships and agreements are the access-check benchmark's (``bench/access_check.py``,
``populate``); on top come, per family, screening results (an AHC HRSN screen with its needs for
40%, an EPDS for 20%, a PHQ-9 for 10%), preventive-care events for each child (85% of the
Bright Futures points due so far), coordinators' contacts and EPSDT records for 2% of children.
Care events and contacts are written with COPY on PostgreSQL, executemany on SQLite; the
screening rows through the screening app's models (bulk inserts).

It prints the data size, then:

- ``recompute all``: ``tiers_recompute_all`` over every household (tier, reasons, children's
  surveillance), total seconds and households per second;
- ``recompute one``: ``household_tier_recompute`` of one family (what runs after a screen);
- ``worklist page``: ``worklist_page`` for a coordinator (the access policy in the query, reasons
  filtered by category, 25 audit entries), first page and a ZIP-filtered page;
- ``worklist query``: the ordered, policy-filtered query alone (ids of the first 25);
- ``overdue page``: ``overdue_page`` for the same coordinator.
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import access_check  # the families, consents and timing helpers are shared
from _setup import BenchDatabase, secret_key_required

SQLITE_NAME = "care_tiers.sqlite3"
POSTGRES_NAME = "ecwhub_bench_care"
SEED = 2026
NEEDS = (
    "housing-instability",
    "food-insecurity",
    "transportation-insecurity",
    "utility-insecurity",
    "homelessness",
    "intimate-partner-violence",
)


def _copy(engine: str, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    if not rows:
        return
    with connection.cursor() as cursor:
        if engine == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608  (constant names)
            cursor.executemany(sql, [tuple(_sqlite(v) for v in row) for row in rows])


def _sqlite(value: Any) -> Any:
    """Values as Django stores them in SQLite: UUIDs as hex, times as naive UTC text."""
    from datetime import UTC, date, datetime

    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def populate_care(engine: str) -> None:
    from django.db import transaction
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Role, User
    from ecwhub.care.models import EpsdtNecessity
    from ecwhub.care.surveillance import followed, schedule
    from ecwhub.families.models import Household, Person
    from ecwhub.screening.models import IdentifiedNeed, ScreeningResponse, ScreeningResult

    rng = random.Random(f"{SEED}:care")
    now = timezone.now()
    today = timezone.localdate(now)
    coordinator = Membership.objects.get(role=Role.COORDINATOR)
    clinician_user = User.objects.create_user("clinician@bench.example.org", None)
    Membership.objects.create(user=clinician_user, organization=coordinator.organization, role=Role.CLINICIAN)
    started = time.perf_counter()
    caregivers: dict[uuid.UUID, uuid.UUID] = {}
    children: dict[uuid.UUID, list[tuple[uuid.UUID, Any]]] = {}
    for person_id, household_id, relationship, born in Person.objects.values_list(
        "id", "household_id", "relationship", "date_of_birth"
    ).iterator(chunk_size=20000):
        if relationship == Person.Relationship.CHILD:
            children.setdefault(household_id, []).append((person_id, born))
        elif relationship in (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN):
            caregivers.setdefault(household_id, person_id)
    households = list(Household.objects.values_list("id", "registered_by_id"))
    points = schedule()
    responses: list[tuple[Any, ...]] = []
    results: list[tuple[Any, ...]] = []
    needs: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    epsdt: list[EpsdtNecessity] = []
    coordinator_id, organization_id = coordinator.user_id, coordinator.organization_id
    for household_id, registered_by in households:
        caregiver = caregivers.get(household_id)
        if caregiver is not None:
            for instrument, share, rule, high in (("epds", 0.2, "epds-total", 24), ("phq-2-9", 0.1, "phq9", 22)):
                if rng.random() < share:
                    at = now - timedelta(days=rng.randint(1, 365))
                    response_id = uuid.uuid4()
                    responses.append(
                        (
                            response_id,
                            household_id,
                            caregiver,
                            instrument,
                            "1.0.0",
                            "en",
                            "with_coordinator",
                            "completed",
                            "behavioral_health",
                            at,
                            at,
                            coordinator_id,
                        )
                    )
                    total = rng.randint(0, high)
                    results.append(
                        (
                            response_id,
                            household_id,
                            caregiver,
                            rule,
                            "positive" if total >= 10 else "negative",
                            total,
                            "behavioral_health",
                            at,
                            "",
                            "",
                        )
                    )
            if rng.random() < 0.4:
                at = now - timedelta(days=rng.randint(1, 365))
                response_id = uuid.uuid4()
                responses.append(
                    (
                        response_id,
                        household_id,
                        caregiver,
                        "ahc-hrsn-core",
                        "1.0.0",
                        "en",
                        "with_coordinator",
                        "completed",
                        "screening_results",
                        at,
                        at,
                        coordinator_id,
                    )
                )
                found = rng.sample(NEEDS, rng.choice([0, 0, 1, 1, 2, 3]))
                for need in found:
                    needs.append(
                        (
                            uuid.uuid4(),
                            household_id,
                            caregiver,
                            need,
                            rng.choice(["identified", "wants_help", "addressed"]),
                            "identified_needs",
                            response_id,
                            "[]",
                            at,
                            at,
                        )
                    )
                    results.append(
                        (response_id, household_id, caregiver, need, "positive", None, "screening_results", at, "", "")
                    )
        for person_id, born in children.get(household_id, []):
            if not followed(born, today):
                continue
            for point in points:
                due = point.due_from.on(born)
                if due <= today and rng.random() < 0.85:
                    events.append(
                        (
                            person_id,
                            household_id,
                            point.kind,
                            min(due + timedelta(days=rng.randint(0, 30)), today),
                            "clinic",
                            now,
                        )
                    )
            if rng.random() < 0.02:
                epsdt.append(
                    EpsdtNecessity(
                        person_id=person_id,
                        household_id=household_id,
                        reason="Speech therapy",
                        recorded_by=clinician_user,
                        recorded_in_id=organization_id,
                        recorded_on=today,
                    )
                )
        if rng.random() < 0.8:
            for _ in range(rng.randint(1, 3)):
                reached = rng.random() < 0.8
                contacts.append(
                    (
                        household_id,
                        now - timedelta(days=rng.randint(0, 200)),
                        "phone",
                        reached,
                        "reached" if reached else "not_reached",
                        coordinator_id,
                        registered_by,
                    )
                )
    with transaction.atomic():
        # The screening app's tables through its models (they are another app's and change with it);
        # the care tables, the big ones, with COPY.
        ScreeningResponse.objects.bulk_create(
            (
                ScreeningResponse(
                    id=r[0],
                    household_id=r[1],
                    person_id=r[2],
                    instrument=r[3],
                    instrument_version=r[4],
                    language=r[5],
                    mode=r[6],
                    status=r[7],
                    category=r[8],
                    started_at=r[9],
                    completed_at=r[10],
                    taken_by_id=r[11],
                )
                for r in responses
            ),
            batch_size=5000,
        )
        ScreeningResult.objects.bulk_create(
            (
                ScreeningResult(
                    response_id=r[0],
                    household_id=r[1],
                    person_id=r[2],
                    rule=r[3],
                    status=r[4],
                    total=r[5],
                    category=r[6],
                    observed_at=r[7],
                )
                for r in results
            ),
            batch_size=5000,
        )
        IdentifiedNeed.objects.bulk_create(
            (
                IdentifiedNeed(
                    id=r[0],
                    household_id=r[1],
                    person_id=r[2],
                    need=r[3],
                    status=r[4],
                    category=r[5],
                    source_response_id=r[6],
                    evidence=[],
                    identified_at=r[8],
                    updated_at=r[9],
                )
                for r in needs
            ),
            batch_size=5000,
        )
        _copy(engine, "care_careevent", ["person_id", "household_id", "kind", "date", "source", "created_at"], events)
        _copy(
            engine,
            "care_contact",
            ["household_id", "at", "method", "reached", "outcome", "by_id", "organization_id"],
            contacts,
        )
        EpsdtNecessity.objects.bulk_create(epsdt, batch_size=2000)
    print(
        f"care data: {len(responses)} screening responses, {len(results)} results, {len(needs)} needs, "
        f"{len(events)} care events, {len(contacts)} contacts, {len(epsdt)} EPSDT records "
        f"in {time.perf_counter() - started:.0f} s"
    )


def run(households: int, repeat: int, database: BenchDatabase) -> None:
    from django.db.models import Count

    from ecwhub.accounts.models import Membership, Role
    from ecwhub.care.models import CareEvent, ChildSurveillance, TierAssignment
    from ecwhub.care.selectors import WorklistFilters, overdue_page, worklist_page, worklist_queryset
    from ecwhub.care.services import household_tier_recompute, tiers_recompute_all
    from ecwhub.consent.models import AuditEntry
    from ecwhub.families.models import Household, Person
    from ecwhub.screening.models import ScreeningResult

    context = f"{households} households, {database.engine}"
    started = time.perf_counter()
    done = tiers_recompute_all(progress=lambda n, total: None)
    elapsed = time.perf_counter() - started
    tiers = dict(TierAssignment.objects.values("tier").annotate(n=Count("pk")).values_list("tier", "n"))
    print(
        f"data: {Household.objects.count()} households, {Person.objects.count()} people, "
        f"{ScreeningResult.objects.count()} screening results, {CareEvent.objects.count()} care events, "
        f"{ChildSurveillance.objects.count()} children followed "
        f"({ChildSurveillance.objects.filter(overdue_count__gt=0).count()} overdue), "
        f"tiers {tiers}, {AuditEntry.objects.count()} audit entries, database {database.size()}"
    )
    print(
        f"{'recompute all':<26} {elapsed:8.1f} s for {done} households: {done / elapsed:,.0f} households/s ({context})"
    )

    coordinator = Membership.objects.select_related("user", "organization").get(role=Role.COORDINATOR)
    one = TierAssignment.objects.filter(tier=3).values_list("household_id", flat=True).first()
    assert one is not None
    access_check.line("recompute one", access_check.measure(lambda: household_tier_recompute([one]), repeat), context)
    zip_code = (
        Household.objects.filter(registered_by=coordinator.organization)
        .values("postal_code")
        .annotate(n=Count("id"))
        .order_by("-n", "postal_code")
        .first()["postal_code"]  # type: ignore[index]
    )
    everything, in_zip = WorklistFilters(), WorklistFilters(postal_code=zip_code)
    visible = worklist_queryset(user=coordinator.user, membership=coordinator, filters=everything).count()
    print(f"the coordinator may see {visible} households; busiest ZIP {zip_code}")

    def page(filters: WorklistFilters) -> Callable[[], object]:
        def action() -> object:
            result = worklist_page(user=coordinator.user, membership=coordinator, filters=filters)
            assert len(result.object_list) == 25
            return result

        return action

    def query_only() -> list[Any]:
        return list(
            worklist_queryset(user=coordinator.user, membership=coordinator, filters=everything).values_list(
                "pk", flat=True
            )[:25]
        )

    access_check.line("worklist page", access_check.measure(page(everything), repeat), context)
    access_check.line("worklist page, one ZIP", access_check.measure(page(in_zip), repeat), context)
    access_check.line("worklist query (ids)", access_check.measure(query_only, repeat), context)
    access_check.line(
        "overdue page",
        access_check.measure(
            lambda: overdue_page(user=coordinator.user, membership=coordinator, filters=everything), repeat
        ),
        context,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000, help="families in the database (100000)")
    parser.add_argument("--repeat", type=int, default=50, help="timed repetitions per figure (50)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    secret_key_required()
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3QtZm9yLXByb2Q=")
    database = BenchDatabase.named(POSTGRES_NAME, SQLITE_NAME)
    database.start_django()
    from ecwhub.families.models import Household

    count = database.reuse_or_rebuild(
        count=Household.objects.count, wanted=args.households, what="households", fresh=args.fresh
    )
    if count == 0:
        access_check.populate(args.households)
        populate_care(database.engine)
        access_check.analyze(database.engine)
    run(args.households, args.repeat, database)


if __name__ == "__main__":
    main()
