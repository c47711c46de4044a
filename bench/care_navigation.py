"""Care navigation at the size of a large network: "my day", the weekly case review and the
designated coordinator's suggestions, through the pages, on one data set.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub .venv/bin/python bench/care_navigation.py
    SECRET_KEY=x DATABASE_URL=... .venv/bin/python bench/care_navigation.py --households 5000 --coordinators 50

PostgreSQL only. Its own database, ``ecwhub_bench_care_navigation`` (created and dropped through the
server's ``postgres`` database). The families, consents, registering relationships and agreements
are the access-check benchmark's (``bench/access_check.py``, ``populate``); on top, in one populate:

- ``--coordinators`` care coordinators spread over the organizations that register families (in
  proportion to the families each registered; the access benchmark's coordinator of the main family
  resource center is one of them), each with a profile: languages, ZIP codes of their organization's
  families, a caseload ceiling (some coordinators are over it);
- a designated coordinator for 97% of the families (one of the registering organization's
  coordinators); the other 3% wait for one;
- care tasks (contact due, case review, done), contacts, and the sources of the case review over the
  last 90 days: open urgent screening alerts (with the behavioral-health consent for half), positive
  screens, failed or declined referrals, referral follow-ups (overdue, due today, later);
- goals in the family's words, some with a family comment not yet answered;
- pathways from the standard definitions with their steps (some due today, some overdue, some
  stalled).

Then, through Django's test Client, signed in with two factors, with the access policy and the
audit entries of every page: ``GET /care/my-day/`` as one coordinator after another, ``GET
/care/review/`` (7 days) as the main family resource center's coordinator, and the family page of a
family without a designated coordinator, where that coordinator's assign form lists the ranked
suggestions; ``coordinator_suggestions()`` alone as the breakdown of the last. p50 and p95 over
``--requests`` requests each (200). It prints the data size and the load average.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import access_check  # the families, consents and timing helpers are shared
from _setup import BenchDatabase, secret_key_required

POSTGRES_NAME = os.environ.get("CARE_NAVIGATION_DB", "ecwhub_bench_care_navigation")
SEED = 2026
BATCH = 5000
MEASURED = "coordinator@bench.example.org"  # access_check.populate's coordinator (main FRC)
UNASSIGNED = 0.03  # families still waiting for a designated coordinator


def _coordinators(coordinators: int, households: list[tuple[Any, ...]]) -> dict[int, list[int]]:
    """``coordinators`` users with a coordinator membership, spread over the registering
    organizations in proportion to their families (the measured coordinator is one of them)."""
    from django.contrib.auth.hashers import make_password

    from ecwhub.accounts.models import Membership, Role, User

    by_registrar = Counter(h[1] for h in households)
    measured = User.objects.get(email=MEASURED)
    measured_org = Membership.objects.get(user=measured).organization_id
    unusable = make_password(None)
    pools: dict[int, list[int]] = {measured_org: [measured.pk]}
    wanted = {
        organization_id: max(1, round(coordinators * families / len(households)))
        for organization_id, families in by_registrar.most_common()
    }
    wanted[measured_org] = wanted.get(measured_org, 1) - 1
    largest = by_registrar.most_common(1)[0][0]
    wanted[largest] += coordinators - 1 - sum(wanted.values())
    made = 1
    for organization_id, count in wanted.items():
        users = User.objects.bulk_create(
            User(
                email=f"c{made + i}@bench.example.org",
                password=unusable,
                first_name="Coordinator",
                last_name=str(made + i),
            )
            for i in range(max(0, count))
        )
        made += len(users)
        Membership.objects.bulk_create(
            Membership(user=u, organization_id=organization_id, role=Role.COORDINATOR) for u in users
        )
        pools.setdefault(organization_id, []).extend(u.pk for u in users)
    return pools


def populate_navigation(coordinators: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from ecwhub.care.models import CareTask, Contact, CoordinatorProfile
    from ecwhub.careplans.models import Goal, GoalProgress
    from ecwhub.consent.models import Consent, ConsentCategory, DataCategory, Relationship, RelationshipKind
    from ecwhub.directory.models import Service
    from ecwhub.families.models import Household, Person
    from ecwhub.pathways.models import Pathway, PathwayDefinition, PathwayStep
    from ecwhub.referrals.models import Referral, ReferralFollowUp
    from ecwhub.screening.models import ScreeningAlert, ScreeningResponse, ScreeningResult

    rng = random.Random(f"{SEED}:navigation")
    now = timezone.now()
    today = timezone.localdate(now)
    started = time.perf_counter()
    households = list(
        Household.objects.order_by("id").values_list("id", "registered_by_id", "postal_code", "preferred_language")
    )
    with transaction.atomic():
        pools = _coordinators(coordinators, households)
        # Profiles: the languages of the organization's families (English or Spanish always, a
        # third language for some), ZIP codes drawn from its families, a ceiling around the
        # average caseload, so that some coordinators are over it.
        zips: dict[int, list[str]] = {}
        languages: dict[int, Counter[str]] = {}
        for _id, registrar, postal_code, language in households:
            if postal_code:
                zips.setdefault(registrar, []).append(postal_code)
            languages.setdefault(registrar, Counter())[language] += 1
        designated_share = {org: len([h for h in households if h[1] == org]) for org in pools}
        profiles = []
        for org, users in pools.items():
            spoken = [code for code, _n in languages.get(org, Counter()).most_common(4)]
            average = max(1, round(designated_share[org] * (1 - UNASSIGNED) / len(users)))
            for user_id in users:
                chosen = {rng.choice(["en", "es"])} | {c for c in spoken if rng.random() < 0.4}
                profiles.append(
                    CoordinatorProfile(
                        user_id=user_id,
                        caseload_ceiling=max(1, round(average * rng.uniform(0.9, 1.4))),
                        languages=sorted(chosen),
                        dialects=rng.choice(["", "", "Mexican Spanish", "Cantonese, Taishanese"]),
                        neighbourhoods=sorted(set(rng.sample(zips.get(org, []), min(3, len(zips.get(org, [])))))),
                    )
                )
        CoordinatorProfile.objects.bulk_create(profiles, batch_size=BATCH)

        caregivers: dict[uuid.UUID, uuid.UUID] = {}
        for person_id, household_id in (
            Person.objects.exclude(relationship=Person.Relationship.CHILD)
            .order_by("created_at", "id")
            .values_list("id", "household_id")
            .iterator(chunk_size=20000)
        ):
            caregivers.setdefault(household_id, person_id)
        consents = dict(Consent.objects.in_force(now).values_list("household_id", "id"))
        definitions = list(PathwayDefinition.objects.filter(active=True).prefetch_related("steps"))
        pantry = Service.objects.create(name="Weekly pantry", description="Groceries every week.")

        relationships, tasks, contacts = [], [], []
        responses, alerts, results, extra_categories = [], [], [], []
        referrals, followups = [], []
        goals, progress, pathways, steps = [], [], [], []
        counters: Counter[int] = Counter()
        unassigned = 0
        for household_id, registrar, _zip, _language in households:
            pool = pools.get(registrar) or pools[next(iter(pools))]
            user_id = pool[counters[registrar] % len(pool)]
            counters[registrar] += 1
            organization_id = registrar if registrar in pools else next(iter(pools))
            if rng.random() < UNASSIGNED:
                unassigned += 1
                continue
            relationships.append(
                Relationship(
                    household_id=household_id,
                    kind=RelationshipKind.DESIGNATED_COORDINATOR,
                    user_id=user_id,
                    started_at=now - timedelta(days=rng.randint(30, 400)),
                )
            )
            # Care tasks and contacts ("my day").
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
                            organization_id=organization_id,
                            minutes=rng.randint(5, 90) if reached else None,
                        )
                    )
            person = caregivers.get(household_id)
            if person is None:
                continue
            # Screens and alerts (the case review's crisis and positive screens; "my day"'s alerts).
            roll = rng.random()
            if roll < 0.015 or roll > 0.92:
                at = now - timedelta(days=rng.randint(0, 90))
                crisis = roll < 0.015
                if crisis and rng.random() < 0.5:
                    at = now - timedelta(hours=rng.randint(1, 72))
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
                    taken_by_id=user_id,
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
                            acknowledged_by_id=user_id if acknowledged else None,
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
            # Referrals: failed or declined, and accepted ones with a follow-up (overdue, today, later).
            draw = rng.random()
            if draw < 0.06:
                failed = draw < 0.03
                closed = now - timedelta(days=rng.randint(0, 90))
                referral = Referral(
                    id=uuid.uuid4(),
                    household_id=household_id,
                    service=pantry,
                    referring_organization_id=organization_id,
                    referred_by_id=user_id,
                    status=rng.choice(["failed", "rejected"]) if failed else "accepted",
                    closed_at=closed if failed else None,
                    sent_at=closed - timedelta(days=10),
                )
                referrals.append(referral)
                if not failed:
                    followups.append(
                        ReferralFollowUp(
                            referral_id=referral.id,
                            assigned_to_id=user_id,
                            due=now + timedelta(days=rng.randint(-60, 14), hours=rng.randint(-6, 6)),
                        )
                    )
            # Goals in the family's words, some with a comment waiting for an answer.
            if rng.random() < 0.25:
                goal = Goal(
                    id=uuid.uuid4(),
                    household_id=household_id,
                    text=rng.choice(["Find a pediatrician close to home", "Encontrar guardería para mi hija"]),
                    language=rng.choice(["en", "es"]),
                    created_by_id=user_id,
                    organization_id=organization_id,
                    created_at=now - timedelta(days=rng.randint(10, 120)),
                )
                goals.append(goal)
                at = goal.created_at + timedelta(days=2)
                progress.append(
                    GoalProgress(
                        goal_id=goal.id,
                        note="First step agreed.",
                        by_id=user_id,
                        at=at,
                        organization_id=organization_id,
                        on=timezone.localdate(at),
                    )
                )
                if rng.random() < 0.15:
                    at = now - timedelta(days=rng.randint(0, 20))
                    progress.append(
                        GoalProgress(
                            goal_id=goal.id,
                            note="We tried, the clinic is full.",
                            by_id=user_id,
                            by_family=True,
                            person_id=person,
                            at=at,
                            on=timezone.localdate(at),
                        )
                    )
            # Pathways with their steps: one open step due between ten days ago and twenty ahead.
            if definitions and rng.random() < 0.2:
                definition = rng.choice(definitions)
                initiated = today - timedelta(days=rng.randint(5, 90))
                pathway = Pathway(
                    id=uuid.uuid4(),
                    household_id=household_id,
                    person_id=person,
                    definition=definition,
                    definition_version=definition.version,
                    name=definition.name,
                    outcome=definition.outcome,
                    confirm_after_days=definition.confirm_after_days,
                    time_limit_days=definition.time_limit_days,
                    coordinator_id=user_id,
                    organization_id=organization_id,
                    initiated_on=initiated,
                    due_on=initiated + timedelta(days=definition.time_limit_days),
                    last_progress_at=now - timedelta(days=rng.randint(0, 30)),
                    created_at=now - timedelta(days=(today - initiated).days),
                )
                pathways.append(pathway)
                defined = list(definition.steps.all())
                done = rng.randint(0, max(0, len(defined) - 1))
                # A referral step is done only with its referral: the done steps stop before one.
                referral_steps = [i for i, step in enumerate(defined) if step.kind == "referral"]
                done = min([done, *referral_steps])
                next_due = today + timedelta(days=rng.randint(-10, 20))
                for index, step in enumerate(defined):
                    steps.append(
                        PathwayStep(
                            pathway_id=pathway.id,
                            order=step.order,
                            title=step.title,
                            kind=step.kind,
                            required=step.required,
                            time_limit_days=step.time_limit_days,
                            need=step.need,
                            due_on=next_due + timedelta(days=7 * max(0, index - done)),
                            completed_at=now - timedelta(days=40 - index) if index < done else None,
                            completed_by_id=user_id if index < done else None,
                        )
                    )
        Relationship.objects.bulk_create(relationships, batch_size=BATCH)
        CareTask.objects.bulk_create(tasks, batch_size=BATCH)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        ScreeningResponse.objects.bulk_create(responses, batch_size=BATCH)
        ScreeningAlert.objects.bulk_create(alerts, batch_size=BATCH)
        ScreeningResult.objects.bulk_create(results, batch_size=BATCH)
        ConsentCategory.objects.bulk_create(extra_categories, batch_size=BATCH, ignore_conflicts=True)
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
        ReferralFollowUp.objects.bulk_create(followups, batch_size=BATCH)
        Goal.objects.bulk_create(goals, batch_size=BATCH)
        GoalProgress.objects.bulk_create(progress, batch_size=BATCH)
        Pathway.objects.bulk_create(pathways, batch_size=BATCH)
        PathwayStep.objects.bulk_create(steps, batch_size=BATCH)
    print(
        f"navigation data: {sum(len(p) for p in pools.values())} coordinators, {len(relationships)} designated, "
        f"{unassigned} without one, {len(tasks)} care tasks, {len(contacts)} contacts, {len(alerts)} alerts, "
        f"{len(results)} positive screens, {len(referrals)} referrals ({len(followups)} follow-ups), "
        f"{len(goals)} goals, {len(pathways)} pathways ({len(steps)} steps) "
        f"in {time.perf_counter() - started:.0f} s"
    )


def signed_in_client(user: Any) -> Any:
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


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f}"


def timed(label: str, action: Any, requests: int, context: str) -> None:
    samples = access_check.measure(action, requests)
    access_check.line(label, samples, f"{context}, {load_average()}")


def breakdown(membership: Any, repeat: int) -> None:
    """Each registered source of "my day" and of the case review alone, mean ms over ``repeat``
    calls (inside one "my day" reading, as the page runs them: the policy's answers shared)."""
    from django.utils import timezone

    from ecwhub.care import agenda
    from ecwhub.care.my_day import one_audit

    user = membership.user
    today = timezone.localdate()
    since = timezone.now() - timedelta(days=7)
    rows = []
    for name, sources, argument in (
        ("my day", agenda._DAY, today),
        ("case review", agenda._REVIEW, since),
    ):
        for key, source in sorted(sources.items()):
            samples = []
            found = 0
            for _ in range(repeat):
                with one_audit():
                    started = time.perf_counter()
                    found = len(list(source.build(user, membership, argument)))
                    samples.append((time.perf_counter() - started) * 1000)
            rows.append((name, key, sum(samples) / len(samples), found))
    for name, key, mean, found in rows:
        print(f"  {name:<12} {key:<32} mean {mean:7.2f} ms  ({found} items)")


def run(requests: int, database: BenchDatabase, only: str = "") -> None:
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Role
    from ecwhub.care.coordinators import active_designated, caseloads, coordinator_suggestions
    from ecwhub.care.models import CareTask, Contact, CoordinatorProfile
    from ecwhub.careplans.models import Goal
    from ecwhub.consent.models import AuditEntry, DataCategory, Purpose, Relationship
    from ecwhub.consent.policy import households_visible
    from ecwhub.families.models import Household, Person
    from ecwhub.pathways.models import Pathway, PathwayStep
    from ecwhub.referrals.models import Referral, ReferralFollowUp
    from ecwhub.screening.models import ScreeningAlert, ScreeningResult

    today = timezone.localdate()
    households = Household.objects.count()
    coordinators = Membership.objects.filter(role=Role.COORDINATOR).count()
    loads = caseloads()
    ceilings = dict(CoordinatorProfile.objects.values_list("user_id", "caseload_ceiling"))
    over = sum(1 for u, n in loads.items() if n > ceilings.get(u, 10**6))
    open_tasks = CareTask.objects.filter(done_at__isnull=True)
    steps_due = PathwayStep.objects.filter(completed_at__isnull=True, due_on__lte=today).count()
    print(
        f"data: {households} households, {Person.objects.count()} people, {coordinators} coordinators "
        f"({over} over their ceiling), {Relationship.objects.filter(active_designated()).count()} designated, "
        f"{CareTask.objects.count()} care tasks ({open_tasks.filter(due=today).count()} due today, "
        f"{open_tasks.filter(due__lt=today).count()} overdue), {Contact.objects.count()} contacts, "
        f"{ScreeningAlert.objects.filter(acknowledged_at__isnull=True).count()} open alerts, "
        f"{ScreeningResult.objects.filter(status='positive').count()} positive screens, "
        f"{Referral.objects.filter(status__in=['failed', 'rejected']).count()} failed referrals, "
        f"{ReferralFollowUp.objects.count()} follow-ups, {Goal.objects.count()} goals, "
        f"{Pathway.objects.count()} pathways ({steps_due} open steps due), "
        f"{AuditEntry.objects.count()} audit entries, database {database.size()}; {load_average()}"
    )
    context = f"{households} households, {coordinators} coordinators, {requests} requests"

    # "My day": one coordinator after another (50 of them, the measured one first).
    members = list(
        Membership.objects.filter(role=Role.COORDINATOR, user__email__endswith="@bench.example.org")
        .select_related("user")
        .order_by("user_id")
    )
    rng = random.Random(f"{SEED}:requests")
    measured = next(m for m in members if m.user.email == MEASURED)
    chosen = [measured, *rng.sample([m for m in members if m.pk != measured.pk], min(len(members) - 1, 49))]
    clients = [signed_in_client(m.user) for m in chosen]
    sizes: list[int] = []
    turn = iter(range(10**9))

    def my_day() -> None:
        response = clients[next(turn) % len(clients)].get("/care/my-day/")
        assert response.status_code == 200, response.status_code
        sizes.append(response.content.count(b'class="day-item'))

    if only in ("", "day"):
        timed("my day page", my_day, requests, context)
        ordered = sorted(sizes)
        print(f"  items per page: min {ordered[0]}, median {ordered[len(ordered) // 2]}, max {ordered[-1]}")

    # The case review, 7 days, as the main family resource center's coordinator.
    client = clients[0]
    before = AuditEntry.objects.count()
    response = client.get("/care/review/")
    assert response.status_code == 200, response.status_code
    print(f"  case review: {AuditEntry.objects.count() - before} audit entries per page")

    def review() -> None:
        answer = client.get("/care/review/")
        assert answer.status_code == 200, answer.status_code

    if only in ("", "review"):
        timed("case review, 7 days", review, requests, context)
    if only in ("", "breakdown"):
        print(f"  breakdown by source, as {MEASURED}:")
        breakdown(measured, 20)
    if only not in ("", "suggestions"):
        return

    # Suggestions: the family page of families of the measured organization without a coordinator.
    visible = households_visible(
        user=measured.user,
        membership=measured,
        category=DataCategory.IDENTITY_CONTACT,
        purpose=Purpose.CARE_COORDINATION,
    )
    waiting = list(
        visible.filter(registered_by_id=measured.organization_id)
        .exclude(pk__in=Relationship.objects.filter(active_designated()).values("household_id"))
        .order_by("id")[:20]
    )
    assert waiting, "no family without a designated coordinator"
    response = client.get(f"/families/{waiting[0].pk}/")
    assert response.status_code == 200, response.status_code
    shown = coordinator_suggestions(waiting[0])
    print(
        f"  suggestions: {len(waiting)} families without a coordinator cycled; {len(shown)} coordinators "
        f"ranked per family; the page shows the first"
        f" ({'listed' if shown[0].user.get_full_name().encode() in response.content else 'NOT listed'})"
    )
    pages = iter(range(10**9))

    def family_page() -> None:
        answer = client.get(f"/families/{waiting[next(pages) % len(waiting)].pk}/")
        assert answer.status_code == 200, answer.status_code

    timed("family page + suggestions", family_page, requests, context)
    alone = iter(range(10**9))
    timed(
        "coordinator_suggestions()",
        lambda: coordinator_suggestions(waiting[next(alone) % len(waiting)]),
        requests,
        context,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000, help="families in the database (100000)")
    parser.add_argument("--coordinators", type=int, default=500, help="care coordinators (500)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (200)")
    parser.add_argument(
        "--only", choices=["day", "review", "breakdown", "suggestions"], default="", help="one figure only"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    secret_key_required()
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3QtZm9yLXByb2Q=")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("ECWHUB_HTTPS", "false")
    database = BenchDatabase.named(POSTGRES_NAME)
    database.start_django()
    from django.conf import settings

    # The hashed-name manifest exists only after collectstatic: plain names for the pages' links.
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
        populate_navigation(args.coordinators)
        access_check.analyze(database.engine)
    run(args.requests, database, args.only)


if __name__ == "__main__":
    main()
