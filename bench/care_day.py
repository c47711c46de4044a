"""The coordinator's "my day" at the size of a large network, through the page a coordinator opens.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub python bench/care_day.py
    SECRET_KEY=x python bench/care_day.py --households 5000 --coordinators 50   # SQLite, a quick run

Its own database: on PostgreSQL ``ecwhub_bench_care_day`` (created and dropped through the server's
``postgres`` database), otherwise ``var/bench/care_day.sqlite3``. The families, their consents,
registering relationships and agreements are the access-check benchmark's (``bench/access_check.py``,
``populate``); on top come ``--coordinators`` care coordinators spread over the organizations in
proportion to the families they registered, each family's designated coordinator (one of its
registering organization's coordinators), care tasks (a "contact due" task for 30% of families,
due from ten days ago to twenty days ahead, a case review or other task for 10%, and done tasks),
one to three contacts for 80% of families, and an unacknowledged screening alert (with the
behavioral-health consent that lets the coordinator read it) for 2% of families. Written with
``bulk_create``.

It prints the data size, then ``my day page``: GET ``/care/my-day/`` through Django's test client,
signed in as one coordinator after another (two-factor passed), with the access policy in every
query and the audit entries written: p50, p95 and mean over ``--requests`` requests.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import time
import uuid
from datetime import timedelta
from typing import Any

import access_check  # the families, consents and timing helpers are shared
from _setup import BenchDatabase, secret_key_required

SQLITE_NAME = "care_day.sqlite3"
POSTGRES_NAME = "ecwhub_bench_care_day"
SEED = 2026
BATCH = 5000


def populate_day(coordinators: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Organization, Role, User
    from ecwhub.care.models import CareTask, Contact
    from ecwhub.consent.models import Consent, ConsentCategory, DataCategory, Relationship, RelationshipKind
    from ecwhub.families.models import Household, Person
    from ecwhub.screening.models import ScreeningAlert, ScreeningResponse

    rng = random.Random(f"{SEED}:day")
    now = timezone.now()
    today = timezone.localdate(now)
    started = time.perf_counter()
    families: dict[int, list[uuid.UUID]] = {}
    for household_id, organization_id in Household.objects.values_list("id", "registered_by_id").order_by("id"):
        families.setdefault(organization_id, []).append(household_id)
    total = sum(len(ids) for ids in families.values())
    organizations = {o.pk: o for o in Organization.objects.filter(pk__in=list(families))}
    caregivers: dict[uuid.UUID, uuid.UUID] = {}
    for person_id, household_id in (
        Person.objects.exclude(relationship=Person.Relationship.CHILD)
        .values_list("id", "household_id")
        .iterator(chunk_size=20000)
    ):
        caregivers.setdefault(household_id, person_id)
    with transaction.atomic():
        # Exactly ``coordinators``, in proportion to the families each organization registered (at
        # least one each; the largest remainders get the ones rounding leaves over).
        exact = {org: coordinators * len(ids) / total for org, ids in families.items()}
        shares = {org: max(1, int(share)) for org, share in exact.items()}
        for org in sorted(exact, key=lambda o: exact[o] - int(exact[o]), reverse=True):
            if sum(shares.values()) >= coordinators:
                break
            shares[org] += 1
        users = User.objects.bulk_create(
            User(email=f"day-coordinator-{org}-{n}@bench.example.org", is_active=True)
            for org, count in shares.items()
            for n in range(count)
        )
        for user in users:
            user.set_unusable_password()
        by_organization: dict[int, list[int]] = {}
        memberships = []
        index = 0
        for org, count in shares.items():
            for _ in range(count):
                user = users[index]
                index += 1
                by_organization.setdefault(org, []).append(user.pk)
                memberships.append(Membership(user=user, organization=organizations[org], role=Role.COORDINATOR))
        Membership.objects.bulk_create(memberships)

        relationships, tasks, contacts = [], [], []
        designated: dict[uuid.UUID, int] = {}
        for org, ids in families.items():
            staff = by_organization[org]
            for position, household_id in enumerate(ids):
                user_id = staff[position % len(staff)]
                designated[household_id] = user_id
                relationships.append(
                    Relationship(
                        household_id=household_id,
                        kind=RelationshipKind.DESIGNATED_COORDINATOR,
                        user_id=user_id,
                        started_at=now - timedelta(days=rng.randint(30, 400)),
                    )
                )
                if rng.random() < 0.3:
                    tasks.append(
                        CareTask(
                            household_id=household_id,
                            owner_id=user_id,
                            kind=CareTask.Kind.CONTACT_DUE,
                            due=today + timedelta(days=rng.randint(-10, 20)),
                            created_from=CareTask.Source.CONTACT_FREQUENCY,
                            created_at=now,
                        )
                    )
                if rng.random() < 0.1:
                    tasks.append(
                        CareTask(
                            household_id=household_id,
                            owner_id=user_id,
                            kind=rng.choice([CareTask.Kind.CASE_REVIEW, CareTask.Kind.OTHER]),
                            due=today + timedelta(days=rng.randint(-20, 30)),
                            created_from=CareTask.Source.BY_HAND,
                            created_by_id=user_id,
                            created_at=now,
                        )
                    )
                if rng.random() < 0.2:
                    done_at = now - timedelta(days=rng.randint(1, 200))
                    tasks.append(
                        CareTask(
                            household_id=household_id,
                            owner_id=user_id,
                            kind=CareTask.Kind.CONTACT_DUE,
                            due=timezone.localdate(done_at),
                            created_from=CareTask.Source.CONTACT_FREQUENCY,
                            created_at=done_at - timedelta(days=2),
                            done_at=done_at,
                            done_by_id=user_id,
                        )
                    )
                if rng.random() < 0.8:
                    for _ in range(rng.randint(1, 3)):
                        reached = rng.random() < 0.8
                        contacts.append(
                            Contact(
                                household_id=household_id,
                                at=now - timedelta(days=rng.randint(0, 200)),
                                method=rng.choice(["phone", "text", "home_visit"]),
                                reached=reached,
                                outcome="reached" if reached else "not_reached",
                                by_id=user_id,
                                organization_id=org,
                                minutes=rng.randint(5, 90) if reached else None,
                            )
                        )
        Relationship.objects.bulk_create(relationships, batch_size=BATCH)
        CareTask.objects.bulk_create(tasks, batch_size=BATCH)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)

        alerted = [h for h in designated if h in caregivers and rng.random() < 0.02]
        responses = [
            ScreeningResponse(
                household_id=household_id,
                person_id=caregivers[household_id],
                instrument="epds",
                instrument_version="1.0.0",
                language="en",
                mode="with_coordinator",
                status="completed",
                category=DataCategory.BEHAVIORAL_HEALTH,
                started_at=now - timedelta(days=1),
                completed_at=now - timedelta(days=1),
                taken_by_id=designated[household_id],
            )
            for household_id in alerted
        ]
        ScreeningResponse.objects.bulk_create(responses, batch_size=BATCH)
        ScreeningAlert.objects.bulk_create(
            (
                ScreeningAlert(
                    response_id=response.pk,
                    household_id=response.household_id,
                    kind="self-harm",
                    protocol="self-harm",
                    category=DataCategory.BEHAVIORAL_HEALTH,
                    raised_at=now - timedelta(hours=rng.randint(1, 72)),
                )
                for response in responses
            ),
            batch_size=BATCH,
        )
        # The families with an alert named behavioral health in their consent.
        ConsentCategory.objects.bulk_create(
            (
                ConsentCategory(consent_id=consent_id, category=DataCategory.BEHAVIORAL_HEALTH)
                for consent_id in Consent.objects.filter(household_id__in=alerted).values_list("pk", flat=True)
            ),
            batch_size=BATCH,
        )
    print(
        f"my day data: {len(users)} coordinators, {len(relationships)} designated coordinators, "
        f"{len(tasks)} care tasks, {len(contacts)} contacts, {len(responses)} alerts "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def run(requests: int, database: BenchDatabase) -> None:
    from django.db.models import Count, Q
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Role
    from ecwhub.care.models import CareTask, Contact
    from ecwhub.consent.models import AuditEntry, Relationship, RelationshipKind
    from ecwhub.families.models import Household, Person
    from ecwhub.screening.models import ScreeningAlert

    today = timezone.localdate()
    households = Household.objects.count()
    coordinators = Membership.objects.filter(role=Role.COORDINATOR).count()
    open_tasks = CareTask.objects.filter(done_at__isnull=True)
    print(
        f"data: {households} households, {Person.objects.count()} people, {coordinators} coordinators, "
        f"{Relationship.objects.filter(kind=RelationshipKind.DESIGNATED_COORDINATOR).count()} designated, "
        f"{CareTask.objects.count()} care tasks ({open_tasks.filter(due=today).count()} due today, "
        f"{open_tasks.filter(due__lt=today).count()} overdue), {Contact.objects.count()} contacts, "
        f"{ScreeningAlert.objects.filter(acknowledged_at__isnull=True).count()} open alerts, "
        f"{AuditEntry.objects.count()} audit entries, database {database.size()}"
    )
    # The coordinators with the most work today first: a realistic, not an empty, page.
    busiest = list(
        Membership.objects.filter(role=Role.COORDINATOR, user__email__startswith="day-coordinator-")
        .annotate(n=Count("user__pk", filter=Q()))
        .select_related("user")
        .order_by("user_id")
    )
    rng = random.Random(f"{SEED}:requests")
    chosen = rng.sample(busiest, min(len(busiest), 50))
    clients = [(m.user, _client(m.user)) for m in chosen]
    sizes = []

    def one(index: int) -> None:
        _user, client = clients[index % len(clients)]
        response = client.get("/care/my-day/")
        assert response.status_code == 200, response.status_code
        sizes.append(response.content.count(b'class="day-item'))

    for index in range(min(20, requests)):  # warm the caches and the connection
        one(index)
    sizes.clear()
    samples = []
    for index in range(requests):
        started = time.perf_counter()
        one(index)
        samples.append((time.perf_counter() - started) * 1000)
    context = f"{households} households, {coordinators} coordinators, {database.engine}"
    print(f"items per page: min {min(sizes)}, median {sorted(sizes)[len(sizes) // 2]}, max {max(sizes)}")
    access_check.line("my day page", samples, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000, help="families in the database (100000)")
    parser.add_argument("--coordinators", type=int, default=500, help="care coordinators (500)")
    parser.add_argument("--requests", type=int, default=300, help="timed requests (300)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    secret_key_required()
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3QtZm9yLXByb2Q=")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("ECWHUB_HTTPS", "false")
    database = BenchDatabase.named(POSTGRES_NAME, SQLITE_NAME)
    database.start_django()
    from django.conf import settings

    # The hashed-name manifest exists only after collectstatic: plain names for the page's links.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # One line per request on stderr would drown the figures (the logging itself stays on).
    logging.getLogger("ecwhub.request").setLevel(logging.WARNING)
    logging.getLogger("ecwhub.accounts").setLevel(logging.WARNING)
    from ecwhub.families.models import Household

    count = database.reuse_or_rebuild(
        count=Household.objects.count, wanted=args.households, what="households", fresh=args.fresh
    )
    if count == 0:
        access_check.populate(args.households)
        populate_day(args.coordinators)
        access_check.analyze(database.engine)
    run(args.requests, database)


if __name__ == "__main__":
    main()
