"""Building the search index from the directory.

``search_index_rebuild()`` rewrites every row; ``search_index_rebuild(service_ids=[...])``
rewrites (or removes) just those services' rows, which is what the signal handlers call after a
change. The full-text side follows the rows by itself: on SQLite triggers write the FTS5 table, on
PostgreSQL the ``tsvector`` column is generated from ``document``.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence

from django.db import connection, transaction

from ecwhub.core.languages import Language
from ecwhub.directory.hsds import hub_language
from ecwhub.directory.models import Attribute, Schedule, Service

from .geocode import zip_centroid
from .models import SearchEntry, SearchPoint, SearchTerm, SearchTermTrigram
from .text import language_bit, language_label, need_bit, need_labels, normalized, stem, trigrams

FTS_TABLE = "directory_search_fts"
# Hours from 18:00 on count as "evenings".
EVENING_HOUR = 18
_BATCH = 2000
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def insurance_required(eligibility: str) -> str:
    """ "medi_cal" when the eligibility text limits the service to Medi-Cal members; "" otherwise.

    A service that is *also* open to others ("income below 185% of poverty or on Medi-Cal")
    does not require it; only the phrases that name Medi-Cal members or enrollees do."""
    text = normalized(eligibility)
    if any(phrase in text for phrase in (" medi cal members ", " medi cal enrollees ", " medi cal only ")):
        return "medi_cal"
    return ""


def hours_masks(schedules: Iterable[Schedule]) -> tuple[bool, list[int]]:
    """(hours known, one 24-bit mask per weekday, Monday first) from HSDS weekly schedules.

    Bit h of day d is set when the service is open at any time during hour h of that day. A
    schedule that closes at or before it opens (past midnight) runs to the end of the day."""
    masks = [0] * 7
    known = False
    for schedule in schedules:
        if schedule.freq not in ("", Schedule.Freq.WEEKLY) or schedule.opens_at is None or schedule.closes_at is None:
            continue
        days = [_WEEKDAYS.index(d.strip()) for d in schedule.byday.upper().split(",") if d.strip() in _WEEKDAYS]
        if not days:
            continue
        known = True
        first = schedule.opens_at.hour
        closes = schedule.closes_at.hour * 60 + schedule.closes_at.minute
        if closes <= schedule.opens_at.hour * 60 + schedule.opens_at.minute:
            closes = 24 * 60
        last = math.ceil(closes / 60)  # an hour counts when any minute of it is open
        for day in days:
            for hour in range(first, min(last, 24)):
                masks[day] |= 1 << hour
    return known, masks


def _points(service: Service) -> list[tuple[float, float, str]]:
    """Where the service is offered: its locations' coordinates (or their ZIP centroids), else the
    ZIP centroid of the member organization's address."""
    points: list[tuple[float, float, str]] = []
    for sal in sorted(service.service_at_locations.all(), key=lambda s: str(s.location_id)):
        location = sal.location
        postal = next((a.postal_code for a in location.addresses.all() if a.postal_code), "")[:5]
        if location.latitude is not None and location.longitude is not None:
            points.append((float(location.latitude), float(location.longitude), postal))
        elif postal and (centroid := zip_centroid(postal)) is not None:
            points.append((centroid.latitude, centroid.longitude, centroid.postal_code))
    if not points and service.organization is not None and service.organization.postal_code:
        centroid = zip_centroid(service.organization.postal_code[:5])
        if centroid is not None:
            points.append((centroid.latitude, centroid.longitude, centroid.postal_code))
    return list(dict.fromkeys(points))


LEVEL_SERVICE = "service"
LEVEL_LOCATION = "location"
LEVEL_SERVICE_AT_LOCATION = "service_at_location"
LEVEL_PHONE = "phone"


def language_levels(service: Service) -> dict[tuple[str, str], set[str]]:
    """Every language (hub code, dialect) the service is offered in, with the HSDS levels that say so.

    HSDS 3 allows a language row on a service, a location and a phone; a phone belongs to the
    service, to one of its locations or to the service at one location. The service's own rows are
    read from the hub's index of them (``ServiceLanguage``); the others from the HSDS rows."""
    found: dict[tuple[str, str], set[str]] = {}

    def add(level: str, code: str, name: str, note: str) -> None:
        language = hub_language(code, name)
        dialect = (note if language != Language.OTHER else (name or code or note)).strip()[:100]
        found.setdefault((language, dialect), set()).add(level)

    for lang in service.languages.all():
        found.setdefault((lang.language, lang.dialect), set()).add(LEVEL_SERVICE)
    for phone in service.phones.all():
        for row in phone.languages.all():
            add(LEVEL_PHONE, row.code, row.name, row.note)
    for sal in service.service_at_locations.all():
        for row in sal.location.languages.all():
            add(LEVEL_LOCATION, row.code, row.name, row.note)
        for phone in sal.location.phones.all():
            for row in phone.languages.all():
                add(LEVEL_PHONE, row.code, row.name, row.note)
        for phone in sal.phones.all():
            for row in phone.languages.all():
                add(LEVEL_SERVICE_AT_LOCATION, row.code, row.name, row.note)
    return found


def _accessibility(service: Service) -> str:
    notes = [
        f"{a.description} {a.details}"
        for sal in service.service_at_locations.all()
        for a in sal.location.accessibility.all()
    ]
    return normalized(" ".join(notes)) if notes else ""


def _entry(service: Service, taxonomy_terms: list[str]) -> tuple[SearchEntry, list[tuple[float, float, str]]]:
    org = service.organization
    org_name = org.name if org else (service.directory_organization.name if service.directory_organization else "")
    city = org.city if org else ""
    needs = sorted({n.need for n in service.needs.all()})
    levels = language_levels(service)
    languages = sorted(levels)
    accessibility = _accessibility(service)
    taxonomy = " ".join([*(need_labels(n) for n in needs), *taxonomy_terms])
    language_names = " ".join(
        f"{language_label(code, 'en')} {language_label(code, 'es')} {dialect}" for code, dialect in languages
    )
    # The alternate name is where the directory keeps a service's Spanish name.
    names = f"{service.name} {service.alternate_name}".strip()
    document = " ".join(
        (names, org_name, service.description, service.eligibility, taxonomy, language_names, city, accessibility)
    )
    needs_mask = 0
    for need in needs:
        needs_mask |= need_bit(need)
    languages_mask = 0
    for code, _dialect in languages:
        languages_mask |= language_bit(code)
    schedules = [*service.schedules.all()]
    for sal in service.service_at_locations.all():
        schedules.extend(sal.schedules.all())
    known, masks = hours_masks(schedules)
    evening_bits = sum(1 << h for h in range(EVENING_HOUR, 24))
    entry = SearchEntry(
        service_id=service.pk,
        organization_id=org.pk if org else None,
        organization_name=org_name,
        name=service.name,
        name_norm=normalized(names),
        taxonomy_norm=normalized(taxonomy),
        document=normalized(document).strip(),
        language_levels=" ".join(
            sorted({f"{code}:{level}" for (code, _dialect), found in levels.items() for level in found})
        ),
        accessibility_norm=accessibility,
        needs_mask=needs_mask,
        languages_mask=languages_mask,
        dialects_norm=normalized(" | ".join(f"{code} {d}" for code, d in languages if d)),
        min_age_months=service.min_age_months,
        max_age_months=service.max_age_months,
        is_free=service.is_free,
        eligibility=service.eligibility,
        insurance_required=insurance_required(service.eligibility),
        accepting_referrals=service.accepting_referrals,
        accepts_electronic_referrals=service.accepts_electronic_referrals,
        typical_wait_days=service.typical_wait_days,
        hours_known=known,
        hours_0=masks[0],
        hours_1=masks[1],
        hours_2=masks[2],
        hours_3=masks[3],
        hours_4=masks[4],
        hours_5=masks[5],
        hours_6=masks[6],
        open_evenings=any(m & evening_bits for m in masks),
        open_weekends=bool(masks[5] or masks[6]),
    )
    return entry, _points(service)


def _taxonomy_terms(service_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    terms: dict[uuid.UUID, list[str]] = {}
    rows = (
        Attribute.objects.filter(link_entity="service", link_id__in=service_ids)
        .order_by("link_id", "taxonomy_term__name")
        .values_list("link_id", "taxonomy_term__name")
    )
    for link_id, name in rows:
        terms.setdefault(link_id, []).append(name)
    return terms


def _services(service_ids: Sequence[uuid.UUID] | None) -> Iterable[Service]:
    queryset = (
        Service.objects.filter(status=Service.Status.ACTIVE)
        .select_related("organization", "directory_organization")
        .prefetch_related(
            "needs",
            "languages",
            "schedules",
            "service_at_locations__location__addresses",
            "service_at_locations__schedules",
            "phones__languages",
            "service_at_locations__location__languages",
            "service_at_locations__location__phones__languages",
            "service_at_locations__location__accessibility",
            "service_at_locations__phones__languages",
        )
        .order_by("pk")
    )
    if service_ids is not None:
        queryset = queryset.filter(pk__in=list(service_ids))
    return queryset.iterator(chunk_size=_BATCH)


def _vocabulary_add(documents: Iterable[str], *, replace: bool) -> None:
    """Add the words of ``documents`` to the vocabulary (replacing it, with fresh counts, when asked).

        After a partial rebuild new words are added; counts of known words are refreshed by the next
        full rebuild. Only words that occur in a listing are in it: a misspelled word is corrected to a
    word some service uses, never to an entry of the hub's own word lists."""
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update(set(document.split()))
    if replace:
        SearchTermTrigram.objects.all().delete()
        SearchTerm.objects.all().delete()
        fresh = dict(counts)
    else:
        known = set(SearchTerm.objects.filter(term__in=list(counts)).values_list("term", flat=True))
        fresh = {w: c for w, c in counts.items() if w not in known}
    usable = {w: c for w, c in fresh.items() if len(w) <= 64}
    SearchTerm.objects.bulk_create(
        [
            SearchTerm(term=w, stem=stem(w), frequency=c, trigram_count=len(trigrams(w)))
            for w, c in sorted(usable.items())
        ],
        batch_size=_BATCH,
    )
    ids: dict[str, int] = {}
    words = sorted(usable)
    for start in range(0, len(words), 500):
        ids.update(SearchTerm.objects.filter(term__in=words[start : start + 500]).values_list("term", "id"))
    SearchTermTrigram.objects.bulk_create(
        [SearchTermTrigram(trigram=t, term_id=ids[w]) for w in words for t in sorted(trigrams(w))],
        batch_size=_BATCH * 5,
    )


def search_index_rebuild(service_ids: Sequence[uuid.UUID] | None = None) -> int:
    """Rewrite the index rows of ``service_ids`` (all services when None) from the directory.

    Services that no longer exist or are not active lose their row. Runs in one transaction,
    so a search never sees half an index. Returns the number of rows written."""
    with transaction.atomic():
        if service_ids is None:
            if connection.vendor == "sqlite":
                # Emptying the FTS table at once spares the delete trigger a lookup per row.
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 (a constant name)
            SearchPoint.objects.all().delete()
            SearchEntry.objects.all().delete()
        else:
            stale = SearchEntry.objects.filter(service_id__in=list(service_ids))
            SearchPoint.objects.filter(entry__in=stale).delete()
            stale.delete()
        written = 0
        documents: list[str] = []
        batch: list[Service] = []

        def flush() -> None:
            nonlocal written
            terms = _taxonomy_terms([s.pk for s in batch])
            built = [_entry(s, terms.get(s.pk, [])) for s in batch]
            SearchEntry.objects.bulk_create([entry for entry, _points in built])
            # Read the keys back: bulk_create sets them on PostgreSQL only.
            ids = dict(SearchEntry.objects.filter(service_id__in=[s.pk for s in batch]).values_list("service_id", "id"))
            SearchPoint.objects.bulk_create(
                [
                    SearchPoint(
                        entry_id=ids[entry.service_id],
                        latitude=lat,
                        longitude=lon,
                        needs_mask=entry.needs_mask,
                        languages_mask=entry.languages_mask,
                        accepting_referrals=entry.accepting_referrals,
                        service_id=entry.service_id,
                        postal_code=postal,
                    )
                    for entry, points in built
                    for lat, lon, postal in points
                ]
            )
            written += len(built)
            documents.extend(entry.document for entry, _points in built)
            batch.clear()

        for service in _services(service_ids):
            batch.append(service)
            if len(batch) >= _BATCH:
                flush()
        if batch:
            flush()
        _vocabulary_add(documents, replace=service_ids is None)
    return written
