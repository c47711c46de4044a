"""How fast the directory search answers with 100,000 services.

    SECRET_KEY=x python bench/directory_search.py                     # SQLite, 100,000 services
    SECRET_KEY=x python bench/directory_search.py --services 5000     # a quick run
    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecwhub python bench/directory_search.py

The benchmark uses a database of its own and nothing else: ``var/bench/directory_search.sqlite3``,
or on PostgreSQL a database named ``ecwhub_bench_search`` on the server that ``DATABASE_URL``
points at (created and dropped through that server's ``postgres`` database; the database named in
the URL is never opened). The first run migrates it, fills it and builds the search index; later
runs with the same number of services reuse it (``--fresh`` rebuilds it).

The services are the demo network's 89 listings used as templates: each generated service copies
one template's name, description, needs, ages and eligibility, and gets a language mix (English
and Spanish most often, then Chinese, Vietnamese, Mixtec…) and an organization placed at a
California ZIP code (half of them in Los Angeles County, where the network is; the rest across the
state), 20 services per organization.

It times ``directory_search`` end to end (filtering, ranking, loading the page of 20 results with
their reasons), ``--repeat`` different queries of each kind (300 by default, after 20 warm-up
queries), and prints p50, p95 and mean in milliseconds:

- ``free text``: one or two words from what coordinators type (food, dental, "home visits", comida…);
- ``need + language + distance``: one need, one language, within 10 miles of a Los Angeles County ZIP;
- ``misspelled``: a misspelled word (dentl, pantyr, preschol…), corrected through the trigram vocabulary.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from typing import Any

from _setup import BenchDatabase, secret_key_required

SQLITE_NAME = "directory_search.sqlite3"
POSTGRES_NAME = "ecwhub_bench_search"
SERVICES_PER_ORGANIZATION = 20
BATCH = 5000
SEED = 2026
MILES = 10

FREE_TEXT = [
    "food",
    "pantry",
    "dental",
    "housing",
    "preschool",
    "counseling",
    "home visits",
    "parenting classes",
    "diapers",
    "immigration",
    "legal",
    "child care",
    "breastfeeding",
    "comida",
    "vivienda",
    "dentista",
    "mixteco",
    "well-child",
    "eviction",
    "tax",
    "hotspot",
    "playgroups",
    "depression",
    "head start",
]
MISSPELLED = [
    "fod",
    "pantyr",
    "dentl",
    "housng",
    "preschol",
    "counsling",
    "diapres",
    "imigration",
    "lactaton",
    "kindergarden",
    "hotpsot",
    "evicton",
    "parentng",
    "vivenda",
    "comdia",
    "pediatrc",
]
NEEDS = [
    "food-insecurity",
    "housing-instability",
    "child-care",
    "dental",
    "maternal-mental-health",
    "parenting-support",
    "legal",
    "early-care-education",
    "home-visiting",
    "health-insurance-coverage-status",
    "developmental-services",
]
LANGUAGES = [("es", 8), ("en", 3), ("cmn", 2), ("yue", 2), ("vi", 2), ("mix", 1)]
LANGUAGE_MIXES = [
    (("en", ""), ("es", "")),
    (("en", ""), ("es", ""), ("cmn", ""), ("yue", "")),
    (("es", ""),),
    (("en", ""),),
    (("en", ""), ("vi", ""), ("yue", "")),
    (("es", ""), ("mix", "Mixteco Bajo")),
    (("en", ""), ("es", ""), ("vi", "")),
    (("en", ""), ("ko", ""), ("hy", "")),
]
MIX_WEIGHTS = [30, 15, 15, 15, 8, 5, 8, 4]


# --- Filling it -------------------------------------------------------------------------------------


def california_zips(rng: random.Random) -> tuple[list[str], list[str]]:
    """(Los Angeles County ZIP codes, all other California ZIP codes), standard ones with a centroid."""
    import zipcodes

    rows = [r for r in zipcodes.filter_by(state="CA") if r["lat"] and r["zip_code_type"] == "STANDARD"]
    la = sorted(r["zip_code"] for r in rows if r["county"] == "Los Angeles County")
    other = sorted(r["zip_code"] for r in rows if r["county"] != "Los Angeles County")
    return la, other


def populate(count: int) -> None:
    from django.db import transaction

    from ecwhub.accounts.models import Organization, OrganizationKind
    from ecwhub.demo import data
    from ecwhub.directory.models import Service, ServiceLanguage, ServiceNeed
    from ecwhub.directory.search.index import search_index_rebuild

    rng = random.Random(f"{SEED}:directory-search")
    la, other = california_zips(rng)
    templates = [(org, spec) for org in data.ORGANIZATIONS for spec in org.services]
    kinds = [k for k in OrganizationKind.values if k != OrganizationKind.HUB]
    started = time.perf_counter()
    with transaction.atomic():
        organizations = count // SERVICES_PER_ORGANIZATION + 1
        Organization.objects.bulk_create(
            (
                Organization(
                    name=f"Bench organization {i}",
                    slug=f"bench-{i}",
                    kind=kinds[i % len(kinds)],
                    postal_code=rng.choice(la) if rng.random() < 0.5 else rng.choice(other),
                    phone="626-555-0100",
                )
                for i in range(organizations)
            ),
            batch_size=BATCH,
        )
        org_ids = list(Organization.objects.order_by("id").values_list("id", flat=True))
        for start in range(0, count, BATCH):
            services: list[Service] = []
            needs: list[ServiceNeed] = []
            languages: list[ServiceLanguage] = []
            for i in range(start, min(count, start + BATCH)):
                org, spec = templates[rng.randrange(len(templates))]
                service = Service(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    organization_id=org_ids[i // SERVICES_PER_ORGANIZATION],
                    name=spec.name,
                    description=spec.description,
                    eligibility=spec.eligibility,
                    min_age_months=spec.min_age_months,
                    max_age_months=spec.max_age_months,
                    is_free=spec.is_free,
                    accepting_referrals=spec.accepting_referrals
                    if rng.random() < 0.9
                    else not spec.accepting_referrals,
                    typical_wait_days=spec.typical_wait_days,
                    phone=org.phone,
                    email=org.email,
                )
                services.append(service)
                needs.extend(ServiceNeed(service=service, need=n) for n in dict.fromkeys(spec.needs))
                mix = rng.choices(LANGUAGE_MIXES, MIX_WEIGHTS)[0]
                languages.extend(ServiceLanguage(service=service, language=c, dialect=d) for c, d in mix)
            Service.objects.bulk_create(services)
            ServiceNeed.objects.bulk_create(needs)
            ServiceLanguage.objects.bulk_create(languages)
            print(f"  {min(count, start + BATCH)} services", flush=True)
    print(f"filled in {time.perf_counter() - started:.0f} s; building the search index…", flush=True)
    started = time.perf_counter()
    search_index_rebuild()
    print(f"index built in {time.perf_counter() - started:.0f} s", flush=True)


def analyze(engine: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh planner statistics after the bulk load; on PostgreSQL also the visibility map, so
        # the place index can answer without visiting the table (an index-only scan).
        cursor.execute("VACUUM ANALYZE" if engine == "postgresql" else "ANALYZE")
        if engine == "sqlite":
            # Move the freshly written pages from the write-ahead log into the database file: reads
            # through a 100 MB WAL are several times slower, and would not be the steady state.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- Timing -------------------------------------------------------------------------------------


def _timed(label: str, make: Any, repeat: int, engine: str, services: int) -> None:
    from ecwhub.directory.search.selectors import directory_search

    rng = random.Random(f"{SEED}:{label}")
    for _ in range(20):
        directory_search(make(rng))
    samples = []
    found = []
    for _ in range(repeat):
        params = make(rng)
        start = time.perf_counter()
        page = directory_search(params)
        samples.append((time.perf_counter() - start) * 1000)
        found.append(page.count)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(
        f"{label:28} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  mean {statistics.fmean(samples):7.2f} ms  "
        f"(median {int(statistics.median(found))} matches; {services} services, {engine})",
        flush=True,
    )


def run(repeat: int, database: BenchDatabase) -> None:
    engine = database.engine
    from ecwhub.directory.models import Service, ServiceLanguage, ServiceNeed
    from ecwhub.directory.search.models import SearchEntry, SearchPoint, SearchTerm, SearchTermTrigram
    from ecwhub.directory.search.selectors import SearchParams

    services = Service.objects.count()
    print(
        f"data: {services} services, {ServiceNeed.objects.count()} needs, {ServiceLanguage.objects.count()} "
        f"languages; index: {SearchEntry.objects.count()} entries, {SearchPoint.objects.count()} points, "
        f"{SearchTerm.objects.count()} words, {SearchTermTrigram.objects.count()} trigrams; "
        f"database {database.size()}"
    )
    la, _other = california_zips(random.Random(SEED))
    languages, weights = zip(*LANGUAGES, strict=True)
    radius_km = MILES * 1.609344

    def free_text(rng: random.Random) -> SearchParams:
        return SearchParams(text=rng.choice(FREE_TEXT))

    def need_language_distance(rng: random.Random) -> SearchParams:
        return SearchParams(
            needs=(rng.choice(NEEDS),),
            language=rng.choices(languages, weights)[0],
            location=rng.choice(la),
            radius_km=radius_km,
        )

    def misspelled(rng: random.Random) -> SearchParams:
        return SearchParams(text=rng.choice(MISSPELLED))

    _timed("free text", free_text, repeat, engine, services)
    _timed("need + language + distance", need_language_distance, repeat, engine, services)
    _timed("misspelled", misspelled, repeat, engine, services)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=100_000, help="services in the database (100000)")
    parser.add_argument("--repeat", type=int, default=300, help="timed queries of each kind (300)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()
    secret_key_required()
    database = BenchDatabase.named(POSTGRES_NAME, SQLITE_NAME)
    database.start_django()
    from ecwhub.directory.models import Service

    count = database.reuse_or_rebuild(
        count=Service.objects.count, wanted=args.services, what="services", fresh=args.fresh
    )
    if count == 0:
        populate(args.services)
        analyze(database.engine)
    run(args.repeat, database)


if __name__ == "__main__":
    main()
