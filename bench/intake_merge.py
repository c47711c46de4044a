"""What an intake's search and a merge cost, on the demo network.

    SECRET_KEY=x .venv/bin/python bench/intake_merge.py                       # SQLite, 2,000 families
    SECRET_KEY=x .venv/bin/python bench/intake_merge.py --families 500 --repeat 20
    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub .venv/bin/python bench/intake_merge.py

Its own database, rebuilt on every run: ``var/bench/intake_merge.sqlite3``, or on PostgreSQL a
database named ``ecwhub_bench_intake`` (created and dropped through the server's ``postgres``
database; the database named in the URL is never opened). The network is the demo's
(``demo_seed`` for today, so agreements and consents are in force).

It times, ``--repeat`` times each, and prints p50, p95 and mean in milliseconds:

- ``intake_candidates``: the search for a family entered with a misspelled surname and a new
  phone (the real-time check for caregiver and child, then the access policy and the audit);
- ``person_merge`` and ``person_unmerge`` of two records of one person, in one family with its
  consent, relationships and screenings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from _setup import BenchDatabase

SQLITE_NAME = "intake_merge.sqlite3"
POSTGRES_NAME = "ecwhub_bench_intake"


def _time(label: str, repeat: int, work: Callable[[int], None]) -> None:
    samples = []
    for i in range(repeat):
        start = time.perf_counter()
        work(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    mean = statistics.mean(samples)
    print(f"{label:<48} p50 {statistics.median(samples):8.2f} ms  p95 {p95:8.2f} ms  mean {mean:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    database = BenchDatabase.named(POSTGRES_NAME, SQLITE_NAME)
    engine = database.engine
    os.environ.setdefault("ECWHUB_HTTPS", "false")
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3QtZm9yLXByb2Q=")
    database.create(fresh=True)
    database.start_django()
    from django.db import transaction
    from django.utils import timezone

    from ecwhub.accounts.models import Membership, Role
    from ecwhub.consent.policy import households_visible
    from ecwhub.demo.generator import demo_seed
    from ecwhub.families.intake.input import IntakePeopleInput
    from ecwhub.families.intake.match import intake_candidates
    from ecwhub.families.merging import person_merge, person_unmerge
    from ecwhub.families.models import Household, Person

    started = time.perf_counter()
    demo_seed(families=args.families, today=timezone.localdate())
    print(
        f"{engine}: {Household.objects.count():,} families, {Person.objects.count():,} people "
        f"(seeded in {time.perf_counter() - started:.0f} s)"
    )

    membership = Membership.objects.filter(role=Role.COORDINATOR).select_related("user", "organization").first()
    assert membership is not None
    user = membership.user
    # Families the coordinator may change (their organization registered them, and they consented).
    households = list(
        households_visible(
            user=user, membership=membership, category="identity_contact", purpose="care_coordination", write=True
        )
        .filter(registered_by=membership.organization)
        .order_by("id")
        .prefetch_related("members")[: args.repeat]
    )
    probes = []
    for household in households:
        members = sorted(household.members.all(), key=lambda p: p.created_at)
        caregiver = next((p for p in members if p.relationship in ("caregiver", "legal_guardian")), None)
        child = next((p for p in members if p.relationship == "child"), None)
        if caregiver is None or child is None:
            continue
        surname = caregiver.family_name[:-1] + ("s" if caregiver.family_name[-1] != "s" else "z")
        probes.append(
            IntakePeopleInput.model_validate(
                {
                    "caregiver": {
                        "relationship": "caregiver",
                        "given_name": caregiver.given_name,
                        "family_name": surname,
                        "date_of_birth": caregiver.date_of_birth,
                        "phone": "626-555-0199",
                        "preferred_language": household.preferred_language,
                        "postal_code": household.postal_code,
                        "place": "office",
                        "consent_given": True,
                        "consent_method": "signed_on_device",
                    },
                    "children": [
                        {"given_name": child.given_name, "family_name": surname, "date_of_birth": child.date_of_birth}
                    ],
                }
            )
        )
    found = []

    def search(i: int) -> None:
        matches = intake_candidates(acting_user=user, membership=membership, intake=probes[i % len(probes)])
        found.append(bool(matches.families))

    _time(f"intake_candidates ({len(probes)} families entered)", args.repeat, search)
    print(f"  the family was among the candidates for {sum(found)} of {len(found)} searches")

    pairs = []
    for household in households[: args.repeat]:
        caregiver = household.members.filter(relationship__in=["caregiver", "legal_guardian"]).first()
        if caregiver is not None:
            twin = Person.objects.create(
                household=household,
                relationship=caregiver.relationship,
                given_name=caregiver.given_name,
                family_name=caregiver.family_name + "s",
                date_of_birth=caregiver.date_of_birth,
                preferred_language=caregiver.preferred_language,
                phone="626-555-0198",
            )
            pairs.append((caregiver, twin))
    merges = []

    def merge(i: int) -> None:
        survivor, merged = pairs[i % len(pairs)]
        with transaction.atomic():
            merges.append(person_merge(acting_user=user, membership=membership, survivor=survivor, merged=merged))

    def unmerge(i: int) -> None:
        with transaction.atomic():
            person_unmerge(acting_user=user, membership=membership, merge=merges[i])

    count = min(args.repeat, len(pairs))
    _time("person_merge (one family, with its linked rows)", count, merge)
    _time("person_unmerge", count, unmerge)


if __name__ == "__main__":
    main()
