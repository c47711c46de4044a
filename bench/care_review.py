"""The care team's weekly case review at network scale, through the page.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub .venv/bin/python bench/care_review.py

PostgreSQL only. Its own database, ``ecwhub_bench_care_review`` (created and dropped through the
server's ``postgres`` database). The families, consents, registering relationships and agreements
are the access-check benchmark's (``bench/access_check.py``, ``populate``); on top come 500 care
coordinators spread over the organizations that register families (in proportion to the families
each registered) and one designated coordinator per family from its registering organization; then
the case review's facts over the last 90 days: open urgent screening alerts (1% of families, with a
behavioral-health consent for half of them), positive screens (8%), referrals that failed or were
declined (3%) and accepted referrals whose follow-up is overdue (1.5%).

It prints the data size, how many families each reason shows, then ``GET /care/review/`` (the last 7
days, the default) and ``GET /care/review/?days=30`` through Django's test Client as the benchmark's
coordinator of the main family resource center, signed in with two factors: the access policy in
every source's query, the page's names read through the policy, one audit entry per family shown;
p50 and p95 over ``--repeat`` requests (200).
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import access_check  # the families, consents and timing helpers are shared
from _setup import BenchDatabase, secret_key_required

POSTGRES_NAME = "ecwhub_bench_care_review"
SEED = 2026
COORDINATORS = 500
MEASURED = "coordinator@bench.example.org"


def populate_review(coordinators: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Role, User
    from ecwhub.consent.models import Consent, ConsentCategory, DataCategory, Relationship, RelationshipKind
    from ecwhub.directory.models import Service
    from ecwhub.families.models import Household, Person
    from ecwhub.referrals.models import Referral, ReferralFollowUp
    from ecwhub.screening.models import ScreeningAlert, ScreeningResponse, ScreeningResult

    rng = random.Random(f"{SEED}:review")
    now = timezone.now()
    started = time.perf_counter()
    households = list(Household.objects.order_by("id").values_list("id", "registered_by_id"))
    by_registrar = Counter(registrar for _, registrar in households)
    measured = User.objects.get(email=MEASURED)
    measured_org = Membership.objects.get(user=measured).organization_id
    unusable = make_password(None)
    with transaction.atomic():
        pools: dict[int, list[int]] = {measured_org: [measured.pk]}
        wanted = {
            organization_id: max(1, round(coordinators * families / len(households)))
            for organization_id, families in by_registrar.most_common()
        }
        wanted[measured_org] = wanted.get(measured_org, 1) - 1  # the measured coordinator is one of them
        # Exactly ``coordinators`` in all: the rounding's difference goes to the largest registrar.
        largest = by_registrar.most_common(1)[0][0]
        wanted[largest] += coordinators - 1 - sum(wanted.values())
        made = 1
        for organization_id, count in wanted.items():
            users = User.objects.bulk_create(
                User(email=f"c{made + i}@bench.example.org", password=unusable) for i in range(max(0, count))
            )
            made += len(users)
            Membership.objects.bulk_create(
                Membership(user=u, organization_id=organization_id, role=Role.COORDINATOR) for u in users
            )
            pools.setdefault(organization_id, []).extend(u.pk for u in users)
        relationships = []
        counters: Counter[int] = Counter()
        for household_id, registrar in households:
            pool = pools.get(registrar) or pools[measured_org]
            relationships.append(
                Relationship(
                    household_id=household_id,
                    kind=RelationshipKind.DESIGNATED_COORDINATOR,
                    user_id=pool[counters[registrar] % len(pool)],
                    started_at=now - timedelta(days=120),
                )
            )
            counters[registrar] += 1
        Relationship.objects.bulk_create(relationships, batch_size=5000)

        caregivers: dict[uuid.UUID, uuid.UUID] = {}
        for person_id, household_id in Person.objects.order_by("created_at", "id").values_list("id", "household_id"):
            caregivers.setdefault(household_id, person_id)
        consents = dict(Consent.objects.in_force(now).values_list("household_id", "id"))
        pantry = Service.objects.create(name="Weekly pantry", description="Groceries every week.")
        responses, alerts, results, extra_categories = [], [], [], []
        referrals, followups = [], []
        for household_id, registrar in households:
            person = caregivers.get(household_id)
            if person is None:
                continue
            roll = rng.random()
            if roll < 0.01 or roll > 0.92:
                at = now - timedelta(days=rng.randint(0, 90))
                crisis = roll < 0.01
                response = ScreeningResponse(
                    id=uuid.uuid4(),
                    household_id=household_id,
                    person_id=person,
                    instrument="epds" if crisis else "ahc-hrsn-core",
                    instrument_version="1.0.0",
                    language="en",
                    mode="with_coordinator",
                    status="completed",
                    category=DataCategory.BEHAVIORAL_HEALTH if crisis else DataCategory.SCREENING_RESULTS,
                    started_at=at,
                    completed_at=at,
                    taken_by_id=measured.pk,
                )
                responses.append(response)
                if crisis:
                    acknowledged = rng.random() < 0.3
                    alerts.append(
                        ScreeningAlert(
                            response_id=response.id,
                            household_id=household_id,
                            kind="self-harm",
                            protocol="self-harm-v1",
                            category=DataCategory.BEHAVIORAL_HEALTH,
                            raised_at=at,
                            acknowledged_by_id=measured.pk if acknowledged else None,
                            acknowledged_at=at if acknowledged else None,
                        )
                    )
                    if household_id in consents and rng.random() < 0.5:
                        extra_categories.append(
                            ConsentCategory(consent_id=consents[household_id], category=DataCategory.BEHAVIORAL_HEALTH)
                        )
                else:
                    results.append(
                        ScreeningResult(
                            response_id=response.id,
                            household_id=household_id,
                            person_id=person,
                            rule="food-insecurity",
                            status="positive",
                            category=DataCategory.SCREENING_RESULTS,
                            observed_at=at,
                        )
                    )
            draw = rng.random()
            if draw < 0.045:
                failed = draw < 0.03
                closed = now - timedelta(days=rng.randint(0, 90))
                referral = Referral(
                    id=uuid.uuid4(),
                    household_id=household_id,
                    service=pantry,
                    referring_organization_id=registrar,
                    referred_by_id=measured.pk,
                    status=rng.choice(["failed", "rejected"]) if failed else "accepted",
                    closed_at=closed if failed else None,
                    sent_at=closed - timedelta(days=10),
                )
                referrals.append(referral)
                if not failed:
                    followups.append(
                        ReferralFollowUp(
                            referral_id=referral.id,
                            assigned_to_id=measured.pk,
                            due=now - timedelta(days=rng.randint(1, 60)),
                        )
                    )
        ScreeningResponse.objects.bulk_create(responses, batch_size=5000)
        ScreeningAlert.objects.bulk_create(alerts, batch_size=5000)
        ScreeningResult.objects.bulk_create(results, batch_size=5000)
        ConsentCategory.objects.bulk_create(extra_categories, batch_size=5000, ignore_conflicts=True)
        Referral.objects.bulk_create(referrals, batch_size=5000)
        ReferralFollowUp.objects.bulk_create(followups, batch_size=5000)
    print(
        f"review data: {made} coordinators, {len(relationships)} designated coordinators, {len(alerts)} alerts, "
        f"{len(results)} positive screens, {len(referrals) - len(followups)} failed or declined referrals, "
        f"{len(followups)} overdue follow-ups in {time.perf_counter() - started:.0f} s"
    )


def signed_in_client(email: str) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ecwhub.accounts.models import User

    user = User.objects.get(email=email)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def run(repeat: int, database: BenchDatabase) -> None:
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Role
    from ecwhub.care.agenda import review_items
    from ecwhub.consent.models import AuditEntry, Relationship, RelationshipKind
    from ecwhub.families.models import Household, Person
    from ecwhub.referrals.models import Referral, ReferralFollowUp
    from ecwhub.screening.models import ScreeningAlert, ScreeningResult

    measured = Membership.objects.select_related("organization").get(user__email=MEASURED)
    coordinated = (
        Relationship.objects.filter(kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True)
        .filter(user__memberships__organization=measured.organization)
        .values("household_id")
        .distinct()
        .count()
    )
    print(
        f"data: {Household.objects.count()} households, {Person.objects.count()} people, "
        f"{Membership.objects.filter(role=Role.COORDINATOR).count()} coordinators, "
        f"{ScreeningAlert.objects.filter(acknowledged_at__isnull=True).count()} open alerts, "
        f"{ScreeningResult.objects.filter(status='positive').count()} positive screens, "
        f"{Referral.objects.filter(status__in=['failed', 'rejected']).count()} failed referrals, "
        f"{ReferralFollowUp.objects.count()} follow-ups, {AuditEntry.objects.count()} audit entries, "
        f"database {database.size()}; the coordinator's organization ({measured.organization.name}) "
        f"coordinates {coordinated} families"
    )
    context = f"{Household.objects.count()} households, {database.engine}, Django test Client"
    client = signed_in_client(MEASURED)
    for days in (7, 30):
        query = "" if days == 7 else f"?days={days}"
        found = review_items(measured.user, measured, timezone.now() - timedelta(days=days))
        totals = {str(reason): len({i.household_id for i in items}) for reason, items in found.items()}
        before = AuditEntry.objects.filter(detail="case review").count()
        response = client.get("/care/review/" + query)
        assert response.status_code == 200, response.status_code
        audited = AuditEntry.objects.filter(detail="case review").count() - before
        print(f"GET /care/review/{query}: families per reason {totals}; {audited} shown and audited")

        def request(query: str = query) -> None:
            answer = client.get("/care/review/" + query)
            assert answer.status_code == 200

        access_check.line(f"case review, {days} days", access_check.measure(request, repeat), context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000, help="families in the database (100000)")
    parser.add_argument("--coordinators", type=int, default=COORDINATORS, help="care coordinators (500)")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per figure (200)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    secret_key_required()
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3QtZm9yLXByb2Q=")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("ECWHUB_HTTPS", "false")
    database = BenchDatabase.named(POSTGRES_NAME)
    database.start_django()
    from django.conf import settings

    from ecwhub.families.models import Household

    # The hashed-name manifest exists only after collectstatic; the page's static links need none.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    count = database.reuse_or_rebuild(
        count=Household.objects.count, wanted=args.households, what="households", fresh=args.fresh
    )
    if count == 0:
        access_check.populate(args.households)
        populate_review(args.coordinators)
        access_check.analyze(database.engine)
    run(args.repeat, database)


if __name__ == "__main__":
    main()
