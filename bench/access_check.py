"""What the access policy costs with many families.

    SECRET_KEY=x python bench/access_check.py                      # SQLite, 100,000 households
    SECRET_KEY=x python bench/access_check.py --households 2000    # a quick run
    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub python bench/access_check.py

The benchmark uses a database of its own and nothing else: ``var/bench/access_check.sqlite3``, or
on PostgreSQL a database named ``ecwhub_bench`` on the server that ``DATABASE_URL`` points at
(created and dropped through that server's ``postgres`` database; the database named in the URL
is never opened). The first run migrates it and fills it; later runs with the same number of
households reuse it (``--fresh`` rebuilds it).

The families come from the demo generator; their relationships, consents (network-wide for 90%,
some withdrawn or expired, a few missing) and a few agreements are inserted in bulk with the rows
the policy reads, the same rows the services would write one at a time.

It times, ``--repeat`` times each (500 by default), and prints p50, p95 and mean in milliseconds:

- ``decide()`` for one family: allowed, denied for lack of a relationship, denied because the
  family withdrew its consent (the longest path: every check runs, then emergency access);
- the first page of 25 households of one ZIP code through ``households_visible`` and, as the
  baseline, the same page without the policy; the difference is the policy's overhead;
- ``audit_append`` of one entry and of 25 entries (a list page's worth).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TypeVar

from _setup import BenchDatabase, secret_key_required

SQLITE_NAME = "access_check.sqlite3"
POSTGRES_NAME = "ecwhub_bench"
BATCH = 5000
SEED = 2026
T = TypeVar("T")


# --- Filling it -------------------------------------------------------------------------------------


def _chunks(rows: Iterator[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def populate(households: int) -> None:
    """The network, ``households`` families and their sharing rows, in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Organization, OrganizationKind, Role, User
    from ecwhub.consent.audit import AuditLine, audit_append
    from ecwhub.consent.models import (
        DEFAULT_CONSENT_CATEGORIES,
        Agreement,
        AgreementCategory,
        AgreementPurpose,
        AuditEntry,
        Consent,
        ConsentCategory,
        ConsentPurpose,
        Purpose,
        Relationship,
        RelationshipKind,
    )
    from ecwhub.demo import data
    from ecwhub.demo.generator import generate_households
    from ecwhub.families.models import Household, Person

    rng = random.Random(f"{SEED}:bench")
    now = timezone.now()
    today = timezone.localdate(now)
    care = (Purpose.CARE_COORDINATION, Purpose.REFERRAL)
    started = time.perf_counter()
    with transaction.atomic():
        Organization.objects.bulk_create(
            Organization(name=spec.name, slug=spec.slug, kind=spec.kind, city=spec.city, postal_code=spec.postal_code)
            for spec in data.ORGANIZATIONS
        )
        organizations = {o.slug: o for o in Organization.objects.all()}
        hub = organizations[data.HUB_SLUG]
        members = [o for o in organizations.values() if o.kind != OrganizationKind.HUB]
        receivers = [o for o in members if o.kind in (OrganizationKind.FOOD_BANK, OrganizationKind.WIC)]

        def person(email: str, organization: Organization, role: str) -> User:
            user = User.objects.create_user(email, None)
            Membership.objects.create(user=user, organization=organization, role=role)
            return user

        admin = person("admin@bench.example.org", hub, Role.HUB_ADMIN)
        coordinator = person("coordinator@bench.example.org", organizations[data.MAIN_FRC_SLUG], Role.COORDINATOR)
        person("provider@bench.example.org", organizations[data.MAIN_FOOD_BANK_SLUG], Role.PROVIDER_STAFF)

        agreements = [
            (
                Agreement(
                    title="Network data sharing agreement",
                    effective_from=today - timedelta(days=300),
                    created_by=admin,
                ),
                [hub, *members],
            ),
            (
                Agreement(
                    title="Pilot, expired",
                    effective_from=today - timedelta(days=700),
                    effective_until=today - timedelta(days=335),
                    created_by=admin,
                ),
                [hub, *receivers],
            ),
            (
                Agreement(
                    title="Outreach, terminated",
                    effective_from=today - timedelta(days=200),
                    created_by=admin,
                    terminated_at=now - timedelta(days=20),
                    terminated_by=admin,
                    termination_reason="Program closed",
                ),
                [hub, *receivers],
            ),
        ]
        for agreement, _ in agreements:
            agreement.signed_document = "bench"
        Agreement.objects.bulk_create([a for a, _ in agreements])
        Agreement.parties.through.objects.bulk_create(
            Agreement.parties.through(agreement_id=a.pk, organization_id=o.pk)
            for a, parties in agreements
            for o in parties
        )
        AgreementCategory.objects.bulk_create(
            AgreementCategory(agreement=a, category=c) for a, _ in agreements for c in DEFAULT_CONSENT_CATEGORIES
        )
        AgreementPurpose.objects.bulk_create(
            AgreementPurpose(agreement=a, purpose=p) for a, _ in agreements for p in care
        )
        audit_append(
            AuditLine(action=AuditEntry.Action.AGREEMENT_CREATED, actor_id=admin.pk, detail=f"agreement {a.pk}")
            for a, _ in agreements
        )

        # Households stream from the generator; each batch is written with its people, relationships
        # and consents before the next is drawn, so memory stays flat at any size.
        totals = dict.fromkeys(("people", "relationships", "consents", "category rows"), 0)
        for chunk in _chunks(generate_households(seed=SEED, count=households, today=today), BATCH):
            Household.objects.bulk_create(
                Household(id=r.id, registered_by=organizations[r.registrar], **r.values) for r in chunk
            )
            totals["people"] += len(
                Person.objects.bulk_create(Person(household_id=r.id, **m) for r in chunk for m in r.members)
            )
            relationships = []
            consents = []
            for r in chunk:
                organization = organizations[r.registrar]
                relationships.append(
                    Relationship(
                        household_id=r.id,
                        kind=RelationshipKind.REGISTERING_ORGANIZATION,
                        organization=organization,
                        started_at=r.values["created_at"],
                    )
                )
                receiver = rng.choice(receivers)
                if rng.random() < 0.1 and receiver.pk != organization.pk:
                    relationships.append(
                        Relationship(
                            household_id=r.id,
                            kind=RelationshipKind.REFERRAL_RECIPIENT,
                            organization=receiver,
                            started_at=r.values["created_at"] + timedelta(days=3),
                        )
                    )
                draw = rng.random()
                if draw >= 0.98:
                    continue  # no consent recorded yet
                given_at = now - timedelta(days=rng.randint(1, 300))
                consent = Consent(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    household_id=r.id,
                    network_wide=True,
                    method="signed_on_device",
                    text_version="2026-1",
                    language=r.values["preferred_language"],
                    given_by_id=r.members[0]["id"],  # the generator puts the caregiver or guardian first
                    recorded_by=coordinator,
                    recorded_in=organization,
                    given_at=given_at,
                    expires_at=given_at + timedelta(days=365),
                )
                if 0.90 <= draw < 0.95:
                    consent.withdrawn_at = given_at + timedelta(hours=rng.randint(1, 24 * 30))
                    consent.withdrawn_by = coordinator
                elif draw >= 0.95:
                    consent.given_at = now - timedelta(days=400)
                    consent.expires_at = now - timedelta(days=35)
                consents.append(consent)
            totals["relationships"] += len(Relationship.objects.bulk_create(relationships))
            totals["consents"] += len(Consent.objects.bulk_create(consents))
            totals["category rows"] += len(
                ConsentCategory.objects.bulk_create(
                    ConsentCategory(consent_id=c.pk, category=k) for c in consents for k in DEFAULT_CONSENT_CATEGORIES
                )
            )
            ConsentPurpose.objects.bulk_create(
                ConsentPurpose(consent_id=c.pk, purpose=p) for c in consents for p in care
            )
    written = ", ".join(f"{n} {what}" for what, n in totals.items())
    print(f"generated {households} households, {written} in {time.perf_counter() - started:.0f} s")


def analyze(engine: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if engine == "postgresql" else "ANALYZE")


# --- Timing -----------------------------------------------------------------------------------------


def measure(action: Callable[[], object], repeat: int) -> list[float]:
    for _ in range(min(20, repeat)):  # warm the caches and the connection
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(label: str, samples: list[float], context: str) -> tuple[float, float]:
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    mean = statistics.fmean(samples)
    print(f"{label:<26} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  mean {mean:7.2f} ms  ({context})")
    return p50, mean


def run(households: int, repeat: int, database: BenchDatabase) -> None:
    from django.db.models import Count

    from ecwhub.accounts.models import Membership, Role
    from ecwhub.consent.audit import AuditLine, audit_append
    from ecwhub.consent.models import AuditEntry, Consent, ConsentCategory, DataCategory, Purpose, Relationship
    from ecwhub.consent.policy import decide, households_visible
    from ecwhub.families.models import Household, Person

    coordinator = Membership.objects.select_related("user", "organization").get(role=Role.COORDINATOR)
    provider = Membership.objects.select_related("user", "organization").get(role=Role.PROVIDER_STAFF)
    frc = coordinator.organization
    in_force = Consent.objects.in_force().filter(household__registered_by=frc)
    allowed = (
        Household.objects.filter(pk__in=in_force.values("household"))
        .exclude(relationships__organization=provider.organization)
        .order_by("id")
        .first()
    )
    withdrawn = (
        Household.objects.filter(registered_by=frc, consents__withdrawn_at__isnull=False)
        .exclude(pk__in=Consent.objects.in_force().values("household"))
        .order_by("id")
        .first()
    )
    if allowed is None or withdrawn is None:
        sys.exit("too few households for the benchmark: use --households 2000 or more")
    zip_code = (
        Household.objects.filter(registered_by=frc)
        .values("postal_code")
        .annotate(n=Count("id"))
        .order_by("-n", "postal_code")
        .first()["postal_code"]  # type: ignore[index]
    )
    category, purpose = DataCategory.IDENTITY_CONTACT, Purpose.CARE_COORDINATION

    def ask(membership: Membership, household: Household) -> bool:
        return bool(
            decide(user=membership.user, membership=membership, household=household, category=category, purpose=purpose)
        )

    assert ask(coordinator, allowed), "the registering coordinator should see a consenting family"
    assert not ask(provider, allowed), "another organization without a relationship should not"
    assert not ask(coordinator, withdrawn), "a withdrawn consent should close the family"

    def policy_page() -> list[Household]:
        visible = households_visible(
            user=coordinator.user, membership=coordinator, category=category, purpose=purpose
        ).filter(postal_code=zip_code)
        return list(visible.order_by("-updated_at", "id")[:25])

    def plain_page() -> list[Household]:
        return list(Household.objects.filter(postal_code=zip_code).order_by("-updated_at", "id")[:25])

    page = policy_page()
    assert len(page) == 25, "the ZIP code should hold a full page of visible families"
    entries = [
        AuditLine(
            action=AuditEntry.Action.READ,
            actor_id=coordinator.user_id,
            organization_id=frc.pk,
            role=coordinator.role,
            household_id=h.pk,
            categories=[category],
            purpose=purpose,
            detail="bench",
        )
        for h in page
    ]

    in_zip = Household.objects.filter(postal_code=zip_code).count()
    visible_in_zip = (
        households_visible(user=coordinator.user, membership=coordinator, category=category, purpose=purpose)
        .filter(postal_code=zip_code)
        .count()
    )
    print(
        f"data: {Household.objects.count()} households, {Person.objects.count()} people, "
        f"{Consent.objects.count()} consents ({ConsentCategory.objects.count()} category rows), "
        f"{Relationship.objects.count()} relationships, {AuditEntry.objects.count()} audit entries, "
        f"database {database.size()}; ZIP {zip_code}: {in_zip} households, {visible_in_zip} visible "
        f"to the coordinator; {repeat} repetitions each"
    )
    context = f"{households} households, {database.engine}"
    line("decide allowed", measure(lambda: ask(coordinator, allowed), repeat), context)
    line("decide denied (no rel.)", measure(lambda: ask(provider, allowed), repeat), context)
    line("decide denied (withdrawn)", measure(lambda: ask(coordinator, withdrawn), repeat), context)
    policy_p50, policy_mean = line("page of 25, policy", measure(policy_page, repeat), context)
    plain_p50, plain_mean = line("page of 25, no policy", measure(plain_page, repeat), context)
    print(
        f"{'policy overhead (b - c)':<26} p50 {policy_p50 - plain_p50:7.2f} ms                  "
        f"mean {policy_mean - plain_mean:7.2f} ms  ({context})"
    )
    line("audit_append 1 entry", measure(lambda: audit_append(entries[:1]), repeat), context)
    line("audit_append 25 entries", measure(lambda: audit_append(entries), repeat), context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000, help="families in the database (100000)")
    parser.add_argument("--repeat", type=int, default=500, help="timed repetitions per figure (500)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    secret_key_required()
    database = BenchDatabase.named(POSTGRES_NAME, SQLITE_NAME)
    database.start_django()
    from ecwhub.families.models import Household

    count = database.reuse_or_rebuild(
        count=Household.objects.count, wanted=args.households, what="households", fresh=args.fresh
    )
    if count == 0:
        populate(args.households)
        analyze(database.engine)
    run(args.households, args.repeat, database)


if __name__ == "__main__":
    main()
