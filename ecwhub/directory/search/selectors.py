"""Searching the directory.

``directory_search(params, family=None)`` filters in the database (full text through FTS5 on
SQLite or ``tsvector`` on PostgreSQL, the other filters on plain columns, distance through a
latitude/longitude bounding box) and ranks in Python, so the order is the same on both engines.

The score of a service (higher first; ties broken by the service id) is the sum of:

* text: for each query word the service uses (the word, a word with the same stem, or a synonym;
  a service need not use them all), 5, plus 3 when it is in the service's name, 2 when it is in its
  needs (taxonomy), 1 when it is elsewhere in its text; words that say little alone ("help",
  "services") get only the 3, 2 or 1. A query word no service uses is reported, never searched
  for something else;
* needs: 2 for each requested need the service meets;
* language: 1.5 when the requested (or the family's) language is offered at any HSDS level (the
  service, one of its locations, the service at a location, a phone line), 1 more when they
  list the same dialect (a Mixtec speaker is best served in their own variety);
* distance: 3 × e^(−km/10) when a location is given (3 next door, 1.1 at 10 km, 0.15 at 30 km);
* 0.5 when the service is accepting referrals.
"""

from __future__ import annotations

import heapq
import math
import re
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rapidfuzz.distance import OSA

from ecwhub.core.languages import Language
from ecwhub.core.needs import Need
from ecwhub.directory.models import Service

from .geocode import Point, geocoder, hub_state
from .index import FTS_TABLE, LEVEL_LOCATION, LEVEL_SERVICE, LEVEL_SERVICE_AT_LOCATION
from .text import (
    FILLER_WORDS,
    KNOWN_WORDS,
    LANGUAGE_CODES,
    PHRASES,
    STOPWORDS,
    SYNONYMS,
    language_bit,
    need_bit,
    needs_in,
    normalized,
    stem,
    trigrams,
    words,
)

KM_PER_MILE = 1.609344
EARTH_RADIUS_KM = 6371.0088
DEFAULT_RADIUS_KM = 40.0
LONG_WAIT_DAYS = 30
# pg_trgm's default similarity threshold: the trigram table on SQLite uses the same one.
TRIGRAM_THRESHOLD = 0.3
# Spelling correction: words up to this long may be one edit from their correction, longer ones two;
# a correction two edits away must be used by at least this many services.
SHORT_WORD = 5
CORRECTION_MIN_FREQUENCY = 2
# What using one more of the query's words adds to a service's score (on top of 3 in the name, 2 in
# its needs, 1 elsewhere): more than where a word is found, so a service using more of the words
# ranks higher than one using fewer of them in better places.
WORD_MATCH = 5
MAX_GROUP_WORDS = 24
MAX_QUERY_WORDS = 12
# The orders a search can be asked for; the page says which one its results are in.
ORDER_RELEVANCE = "relevance"
ORDER_DISTANCE = "distance"


@dataclass(frozen=True)
class SearchParams:
    text: str = ""
    needs: tuple[str, ...] = ()
    language: str = ""
    dialect: str = ""
    location: str = ""  # a ZIP code or an address
    radius_km: float = DEFAULT_RADIUS_KM
    child_age_months: int | None = None
    free_only: bool = False
    insurance: str = ""
    open_now: bool = False
    evenings: bool = False
    weekends: bool = False
    accepting_only: bool = False
    order: str = "relevance"  # "relevance" (best match first) or "distance" (nearest first)
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class FamilyContext:
    """What the search uses about a family, read through the access policy (``family_context_open``)."""

    household_id: uuid.UUID
    postal_code: str
    language: str
    dialect: str
    children_age_months: tuple[int, ...]
    insurance: frozenset[str]
    demographics_shown: bool
    insurance_shown: bool
    open_needs: tuple[str, ...] = ()  # read only when the search starts from the family's page


class SearchInputError(ValueError):
    """Bad search input; ``fields`` maps each parameter to what is wrong with it."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


@dataclass
class SearchResult:
    service: Service
    score: float
    distance_km: float | None
    matched_needs: list[str]
    language_match: bool
    dialect_match: bool
    open_now: bool | None
    open_evenings: bool
    open_weekends: bool
    matched_words: list[str]
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def distance_mi(self) -> float | None:
        return None if self.distance_km is None else self.distance_km / KM_PER_MILE


@dataclass
class SearchPage:
    results: list[SearchResult]
    count: int
    page: int
    page_size: int
    corrections: dict[str, str]
    ignored_words: list[str]
    point: Point | None
    language: str
    dialect: str
    order: str = "relevance"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))


# --- Query words --------------------------------------------------------------------------------


def _candidate_terms(word: str) -> list[tuple[str, int]]:
    """Words of the listings that share enough trigrams with ``word`` (pg_trgm similarity ≥ 0.3)."""
    grams = sorted(trigrams(word))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The GIN trigram index answers this; the threshold is pg_trgm's default (0.3).
            cursor.execute(
                "SELECT term, frequency FROM directory_search_searchterm WHERE term %% %s AND frequency > 0",
                [word],
            )
        else:
            marks = ",".join(["%s"] * len(grams))
            cursor.execute(
                "SELECT t.term, t.frequency FROM directory_search_searchtermtrigram g "  # noqa: S608 (constant table names, values are parameters)
                "JOIN directory_search_searchterm t ON t.id = g.term_id "
                f"WHERE g.trigram IN ({marks}) AND t.frequency > 0 GROUP BY t.id, t.term, t.frequency, t.trigram_count "
                "HAVING COUNT(*) * 1.0 / (%s + t.trigram_count - COUNT(*)) >= %s",
                [*grams, len(grams), TRIGRAM_THRESHOLD],
            )
        return [(term, freq) for term, freq in cursor.fetchall()]


def correction_max_edits(word: str) -> int:
    """How many edits (insertions, deletions, substitutions, swaps of neighbours) a word of this
    length may be from the word it is corrected to: one up to five letters, two beyond."""
    return 1 if len(word) <= SHORT_WORD else 2


def correct_word(word: str) -> str | None:
    """The word of the listings a misspelled ``word`` most likely means, or None.

    A candidate must occur in the listings (the index's vocabulary, never the hub's word lists),
    begin with the same letter (people rarely mistype the first one: "mother" is not "other"), be
    at most ``correction_max_edits`` edits away and, two edits away, be used by at least
    ``CORRECTION_MIN_FREQUENCY`` services. The fewest edits win, then the more frequent word, then
    the alphabetically first, so the answer is the same on both engines."""
    if len(word) < 3 or word.isdigit():
        return None
    limit = correction_max_edits(word)
    best: tuple[int, int, str] | None = None
    for term, frequency in _candidate_terms(word):
        if term in STOPWORDS or term[0] != word[0]:
            continue
        edits = OSA.distance(word, term)
        if edits > limit or (edits > 1 and frequency < CORRECTION_MIN_FREQUENCY):
            continue
        key = (edits, -frequency, term)
        if best is None or key < best:
            best = key
    return best[2] if best else None


@dataclass(frozen=True)
class _Words:
    # Each group: the index's words that stand for one query word (the words sharing its stem, and
    # those of its synonyms); a service matches the query word when it uses any of them.
    groups: list[tuple[str, ...]]
    labels: list[str]  # the query word (or two-word phrase) each group stands for
    fillers: list[bool]  # whether the word says little on its own ("help", "services")
    corrections: dict[str, str]
    ignored: list[str]


class _Vocabulary:
    """The index's words by stem, looked up as the query needs them (a query or two per search)."""

    def __init__(self) -> None:
        self.by_stem: dict[str, list[str]] = {}

    def load(self, candidates: set[str]) -> None:
        missing = sorted({stem(w) for w in candidates} - self.by_stem.keys())
        if not missing:
            return
        for key in missing:
            self.by_stem[key] = []
        marks = ",".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            # Plain SQL: this runs on every search, and the ORM would spend longer building it than
            # the database spends answering it.
            cursor.execute(
                "SELECT stem, term FROM directory_search_searchterm "  # noqa: S608 (constant names; values are parameters)
                f"WHERE stem IN ({marks}) AND frequency > 0 ORDER BY term",
                missing,
            )
            for key, term in cursor.fetchall():
                self.by_stem[key].append(term)

    def expand(self, members: Sequence[str]) -> tuple[str, ...]:
        self.load(set(members))
        return tuple(dict.fromkeys(t for w in members for t in self.by_stem[stem(w)]))


def _query_words(text: str) -> _Words:
    typed = [w for w in dict.fromkeys(words(text)) if w not in STOPWORDS][:MAX_QUERY_WORDS]
    vocabulary = _Vocabulary()
    phrases = [members for pair, members in PHRASES.items() if pair[0] in typed or pair[1] in typed]
    vocabulary.load({*typed, *(s for w in typed for s in SYNONYMS.get(w, ())), *(s for p in phrases for s in p)})
    corrections: dict[str, str] = {}
    resolved: list[str] = []
    for word in typed:
        if word in KNOWN_WORDS or vocabulary.expand((word, *SYNONYMS.get(word, ()))):
            resolved.append(word)
            continue
        fixed = correct_word(word)
        if fixed is not None:
            corrections[word] = fixed
        resolved.append(fixed or word)
    # Two-word phrases ("food bank", "salud mental") count as one query word.
    items: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    while i < len(resolved):
        phrase = PHRASES.get((resolved[i], resolved[i + 1])) if i + 1 < len(resolved) else None
        if phrase is not None:
            items.append((f"{resolved[i]} {resolved[i + 1]}", phrase))
            i += 2
            continue
        items.append((resolved[i], (resolved[i], *SYNONYMS.get(resolved[i], ()))))
        i += 1
    groups: list[tuple[str, ...]] = []
    labels: list[str] = []
    fillers: list[bool] = []
    ignored: list[str] = []
    for label, members in items:
        group = vocabulary.expand(members)[:MAX_GROUP_WORDS]
        if not group:
            ignored.append(label)  # shown to the person searching: no service uses it
            continue
        if group in groups:
            continue
        groups.append(group)
        labels.append(label)
        fillers.append(label in FILLER_WORDS)
    return _Words(groups, labels, fillers, corrections, ignored)


def _group_match(groups: Sequence[tuple[str, ...]]) -> tuple[str, list[str]]:
    """SQL true for the entries (alias ``e``) whose document uses any word of ``groups``."""
    if connection.vendor == "postgresql":
        # One match per word, not one tsquery "a | b | c": PostgreSQL estimates each word's rows well
        # and takes the GIN index for each, where for the single tsquery it often reads every row.
        every = [w for g in groups for w in g]
        return "(" + " OR ".join(["e.document_tsv @@ to_tsquery('simple', %s)"] * len(every)) + ")", every
    query = " OR ".join(f'"{w}"' for g in groups for w in g)
    return f"e.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)", [query]  # noqa: S608 (constant table names, values are parameters)


def _fulltext_condition(groups: list[tuple[str, ...]]) -> tuple[str, list[str]]:
    """Services that use any of the query's words: none has to use them all."""
    return _group_match(groups)


def _all_groups_condition(groups: list[tuple[str, ...]]) -> tuple[str, list[str]]:
    """Services that use every one of the query's words (a word of each group)."""
    if connection.vendor == "postgresql":
        query = " & ".join("(" + " | ".join(group) + ")" for group in groups)
        return "e.document_tsv @@ to_tsquery('simple', %s)", [query]
    query = " AND ".join("(" + " OR ".join(f'"{w}"' for w in group) + ")" for group in groups)
    return f"e.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)", [query]  # noqa: S608 (constant table names, values are parameters)


def _all_words_first(query: _Words, extras: float) -> bool:
    """Whether every service using all the query's words scores above every service missing one,
    whatever the other parts of their scores (which differ by at most ``extras``)."""
    if len(query.groups) < 2:
        return False
    bases = [0 if filler else WORD_MATCH for filler in query.fillers]
    lowest_with_all = sum(b + 1 for b in bases)
    highest_missing_one = sum(b + 3 for b in bases) - min(b + 3 for b in bases)
    return lowest_with_all - highest_missing_one > extras


# --- Distance and hours -------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def _bounding_box(point: Point, radius_km: float) -> tuple[float, float, float, float]:
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * max(0.01, math.cos(math.radians(point.latitude)))))
    return point.latitude - dlat, point.latitude + dlat, point.longitude - dlon, point.longitude + dlon


def _now_slot(now: datetime | None) -> tuple[int, int]:
    local = timezone.localtime(now)
    return local.weekday(), local.hour


# --- The search ---------------------------------------------------------------------------------

_DETAIL_COLUMNS = (
    "id, name_norm, taxonomy_norm, needs_mask, languages_mask, dialects_norm, hours_known, "
    "hours_0, hours_1, hours_2, hours_3, hours_4, hours_5, hours_6, open_evenings, open_weekends, insurance_required, "
    "language_levels, accessibility_norm, document"
)


_USES_ENTRY = re.compile(r"\be\.")


def _hex(service_id: object) -> str:
    """The service id as 32 hex digits (SQLite stores it so; PostgreSQL returns a UUID): the tie-breaker,
    which sorts the same as the database's own order of the column on both engines."""
    return service_id.hex if isinstance(service_id, uuid.UUID) else str(service_id).replace("-", "")


def _score_sql(
    query: _Words,
    needs: Sequence[str],
    language_mask: int,
    dialect_words: str,
    masks: str = "e",
    *,
    all_words: bool = False,
) -> tuple[str, list[Any]]:
    """The score without distance, as SQL. Every term is a multiple of 0.5, so the sum is exact on
    both engines and sorting by it in the database gives the same order as in Python. ``masks`` is
    the table alias the needs, languages and referral status are read from; ``all_words`` says the
    rows scored are known to use every query word."""
    parts: list[str] = []
    args: list[Any] = []
    single = len(query.groups) == 1 or all_words
    for group, filler in zip(query.groups, query.fillers, strict=True):
        base = 0 if filler else WORD_MATCH
        in_name = " OR ".join(["e.name_norm LIKE %s"] * len(group))
        in_taxonomy = " OR ".join(["e.taxonomy_norm LIKE %s"] * len(group))
        args.extend([f"% {w} %" for w in group] * 2)
        if single:
            # Every row scored uses the word.
            parts.append(
                f"(CASE WHEN {in_name} THEN {base + 3} WHEN {in_taxonomy} THEN {base + 2} ELSE {base + 1} END)"
            )
        else:
            in_document, document_args = _group_match([group])
            parts.append(
                f"(CASE WHEN {in_name} THEN {base + 3} WHEN {in_taxonomy} THEN {base + 2} "
                f"WHEN {in_document} THEN {base + 1} ELSE 0 END)"
            )
            args.extend(document_args)
    for need in needs:
        parts.append(f"(CASE WHEN ({masks}.needs_mask & %s) <> 0 THEN 2 ELSE 0 END)")
        args.append(need_bit(need))
    if language_mask:
        if dialect_words:
            parts.append(
                f"(CASE WHEN ({masks}.languages_mask & %s) <> 0 THEN 1.5 + "
                "(CASE WHEN e.dialects_norm LIKE %s THEN 1 ELSE 0 END) ELSE 0 END)"
            )
            args.extend([language_mask, f"% {dialect_words} %"])
        else:
            parts.append(f"(CASE WHEN ({masks}.languages_mask & %s) <> 0 THEN 1.5 ELSE 0 END)")
            args.append(language_mask)
    parts.append(f"(CASE WHEN {masks}.accepting_referrals THEN 0.5 ELSE 0 END)")
    return " + ".join(parts), args


def directory_search(
    params: SearchParams, *, family: FamilyContext | None = None, now: datetime | None = None
) -> SearchPage:
    """One page of services matching ``params``, best first, each with why it matched and, when a
    family is given, what may stand in the way for that family."""
    location = params.location or (family.postal_code if family else "")
    point = geocoder().locate(location) if location else None
    if location and point is None:
        raise SearchInputError(
            {
                "location": [
                    _(
                        "We could not place this. Give a five-digit ZIP code, a city or town in %(state)s, "
                        "or an address with its ZIP code or city."
                    )
                    % {"state": hub_state()}
                ]
            }
        )
    if params.order == ORDER_DISTANCE and point is None:
        raise SearchInputError({"order": [_("Give a ZIP code, city or address to order the results by distance.")]})
    # Near a place, needs and languages are filtered on the point rows (their covering index).
    masks = "p" if point is not None else "e"
    where: list[str] = []
    args: list[Any] = []
    query = _query_words(params.text)
    if query.ignored and not query.groups:
        where.append("1 = 0")  # words were typed, and none of them is in the directory
    text_at = -1  # where the full-text condition is in ``where`` (its arguments come first in ``args``)
    text_args = 0
    if query.groups:
        condition, condition_args = _fulltext_condition(query.groups)
        text_at, text_args = len(where), len(condition_args)
        where.append(condition)
        args.extend(condition_args)
    needs_mask = 0
    for need in params.needs:
        needs_mask |= need_bit(need)
    if needs_mask:
        where.append(f"({masks}.needs_mask & %s) <> 0")
        args.append(needs_mask)
    if params.language:
        where.append(f"({masks}.languages_mask & %s) <> 0")
        args.append(language_bit(params.language))
    if params.child_age_months is not None:
        where.append("(e.min_age_months IS NULL OR e.min_age_months <= %s)")
        where.append("(e.max_age_months IS NULL OR e.max_age_months >= %s)")
        args.extend([params.child_age_months, params.child_age_months])
    if params.free_only:
        where.append("e.is_free = %s")
        args.append(True)
    if params.insurance:
        where.append("(e.insurance_required = '' OR e.insurance_required = %s)")
        args.append(params.insurance)
    if params.accepting_only:
        where.append(f"{masks}.accepting_referrals = %s")
        args.append(True)
    day, hour = _now_slot(now)
    if params.open_now:
        where.append(f"e.hours_known = %s AND (e.hours_{day} & %s) <> 0")
        args.extend([True, 1 << hour])
    if params.evenings:
        where.append("e.open_evenings = %s")
        args.append(True)
    if params.weekends:
        where.append("e.open_weekends = %s")
        args.append(True)
    if point is not None:
        south, north, west, east = _bounding_box(point, params.radius_km)
        where.append("p.latitude BETWEEN %s AND %s AND p.longitude BETWEEN %s AND %s")
        args.extend([south, north, west, east])

    language = params.language or (family.language if family else "")
    dialect = params.dialect or (family.dialect if family and not params.language else "")
    dialect_words = normalized(dialect).strip()
    language_mask = language_bit(language) if language in LANGUAGE_CODES else 0
    score_sql, score_args = _score_sql(query, params.needs, language_mask, dialect_words, masks)
    condition = (" WHERE " + " AND ".join(where)) if where else ""
    start = (params.page - 1) * params.page_size
    # (score, service id as hex, entry id, distance or None), best first.
    chosen: list[tuple[float, str, int, float | None]]
    # PostgreSQL counts matching a tsvector as one cheap operator, so for words used by a large share
    # of the services it reads every row (several times slower than the GIN index, which it then
    # ignores). For the statements of a search by words it is told to prefer the index, inside a
    # transaction so the hint ends with them.
    prefer_index = connection.vendor == "postgresql" and bool(query.groups) and point is None
    with transaction.atomic() if prefer_index else nullcontext(), connection.cursor() as cursor:
        if prefer_index:
            cursor.execute("SET LOCAL enable_seqscan = off")
        if point is not None:
            # The entries are joined only when a filter or the score needs one of their columns.
            join = (
                " JOIN directory_search_searchentry e ON e.id = p.entry_id"
                if _USES_ENTRY.search(condition) or _USES_ENTRY.search(score_sql)
                else ""
            )
            cursor.execute(
                f"SELECT p.entry_id, p.service_id, {score_sql}, p.latitude, p.longitude "  # noqa: S608 (constant names; values are parameters)
                f"FROM directory_search_searchpoint p{join}{condition}",
                [*score_args, *args],
            )
            # Hot loop (thousands of rows in a dense city): haversine inlined with local names, and
            # only the first ``start + page_size`` kept in order. Both engines store IEEE doubles, so
            # the distances, and the order, are the same on both.
            lat0, lon0 = math.radians(point.latitude), math.radians(point.longitude)
            cos0, rad, sin, cos, asin, sqrt = math.cos(lat0), math.pi / 180, math.sin, math.cos, math.asin, math.sqrt
            diameter, radius, exp = 2 * EARTH_RADIUS_KM, params.radius_km, math.exp
            nearest: dict[int, tuple[float, Any, float]] = {}
            for entry_id, service_id, base, lat, lon in cursor.fetchall():
                a = sin((lat * rad - lat0) / 2) ** 2 + cos0 * cos(lat * rad) * sin((lon * rad - lon0) / 2) ** 2
                distance = diameter * asin(sqrt(min(1.0, a)))
                if distance <= radius and (entry_id not in nearest or distance < nearest[entry_id][0]):
                    nearest[entry_id] = (distance, service_id, float(base))
            count = len(nearest)
            page: list[tuple[float, str, int, float | None]]
            if params.order == ORDER_DISTANCE:
                # Nearest first; at the same distance the better match first, then the service id.
                by_distance = heapq.nsmallest(
                    start + params.page_size,
                    (
                        (distance, -(base + 3 * exp(-distance / 10)), _hex(service_id), entry_id)
                        for entry_id, (distance, service_id, base) in nearest.items()
                    ),
                )
                page = [
                    (round(-negative, 6), sid, entry_id, distance) for distance, negative, sid, entry_id in by_distance
                ]
            else:
                best = heapq.nsmallest(
                    start + params.page_size,
                    (
                        (-(base + 3 * exp(-distance / 10)), service_id, entry_id, distance)
                        for entry_id, (distance, service_id, base) in nearest.items()
                    ),
                )
                page = [
                    (round(-negative, 6), _hex(sid), entry_id, distance) for negative, sid, entry_id, distance in best
                ]
            chosen = page[start:]
        else:
            rows: list[tuple] = []
            extras = 0.5 + 2 * len(params.needs) + (2.5 if language_mask else 0)
            if _all_words_first(query, extras):
                # Every service using all the words outscores every other: when they fill the page,
                # it is found among them alone (a full-text AND, far fewer rows to score).
                all_sql, all_args = _score_sql(query, params.needs, language_mask, dialect_words, masks, all_words=True)
                every, every_args = _all_groups_condition(query.groups)
                every_where = [every if i == text_at else w for i, w in enumerate(where)]
                cursor.execute(
                    f"SELECT e.id, e.service_id, {all_sql} AS score "  # noqa: S608 (constant names; values are parameters)
                    f"FROM directory_search_searchentry e WHERE {' AND '.join(every_where)} "
                    "ORDER BY score DESC, e.service_id LIMIT %s OFFSET %s",
                    [*all_args, *every_args, *args[text_args:], params.page_size, start],
                )
                rows = cursor.fetchall()
            if len(rows) < params.page_size:
                cursor.execute(
                    f"SELECT e.id, e.service_id, {score_sql} AS score "  # noqa: S608 (constant names; values are parameters)
                    f"FROM directory_search_searchentry e{condition} "
                    "ORDER BY score DESC, e.service_id LIMIT %s OFFSET %s",
                    [*score_args, *args, params.page_size, start],
                )
                rows = cursor.fetchall()
            chosen = [(float(score), _hex(sid), entry_id, None) for entry_id, sid, score in rows]
            # Counting apart is cheaper than a window count: with words alone, SQLite counts in the
            # FTS index without reading a row.
            if connection.vendor == "sqlite" and len(where) == 1 and query.groups:
                cursor.execute(f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", args)  # noqa: S608 (constant names; values are parameters)
            else:
                cursor.execute(f"SELECT COUNT(*) FROM directory_search_searchentry e{condition}", args)  # noqa: S608 (constant names; values are parameters)
            count = int(cursor.fetchone()[0])
            if prefer_index:  # in an enclosing transaction the hint would outlive the search
                cursor.execute("SET LOCAL enable_seqscan = on")
        details: dict[int, tuple] = {}
        if chosen:
            ids = [item[2] for item in chosen]
            marks = ",".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT {_DETAIL_COLUMNS} FROM directory_search_searchentry WHERE id IN ({marks})",  # noqa: S608 (constant names; values are parameters)
                ids,
            )
            details = {row[0]: row for row in cursor.fetchall()}
    services = {
        s.pk.hex: s
        for s in Service.objects.select_related("organization", "directory_organization").filter(
            pk__in=[uuid.UUID(item[1]) for item in chosen]
        )
    }
    results = [
        _result(
            services[sid],
            score,
            details[entry_id],
            distance,
            query,
            needs_mask,
            language,
            dialect_words,
            family,
            day,
            hour,
        )
        for score, sid, entry_id, distance in chosen
        if sid in services and entry_id in details
    ]
    return SearchPage(
        results=results,
        count=count,
        page=params.page,
        page_size=params.page_size,
        corrections=query.corrections,
        ignored_words=query.ignored,
        point=point,
        language=language,
        dialect=dialect,
        order=params.order,
    )


def _result(
    service: Service,
    score: float,
    row: tuple,
    distance: float | None,
    query: _Words,
    needs_mask: int,
    language: str,
    dialect_words: str,
    family: FamilyContext | None,
    day: int,
    hour: int,
) -> SearchResult:
    name_norm, taxonomy_norm, row_needs, row_languages, dialects_norm = row[1], row[2], row[3], row[4], row[5]
    hours_known, day_masks, evenings, weekends, required = row[6], row[7:14], row[14], row[15], row[16]
    levels, accessibility, document = row[17] or "", row[18] or "", f" {row[19]} "
    matched_needs = needs_in(int(row_needs) & needs_mask)
    language_match = bool(language in LANGUAGE_CODES and int(row_languages) & language_bit(language))
    dialect_match = bool(language_match and dialect_words and f" {dialect_words} " in (dialects_norm or ""))
    open_now = bool(int(day_masks[day]) & (1 << hour)) if hours_known else None
    used = [
        (label, group)
        for label, group in zip(query.labels, query.groups, strict=True)
        if any(f" {w} " in document for w in group)
    ]
    matched_words = [label for label, _group in used]
    result = SearchResult(
        service=service,
        score=score,
        distance_km=distance,
        matched_needs=matched_needs,
        language_match=language_match,
        dialect_match=dialect_match,
        open_now=open_now,
        open_evenings=bool(evenings),
        open_weekends=bool(weekends),
        matched_words=matched_words,
    )
    reasons = result.reasons
    if matched_needs:
        reasons.append(_("Meets: %(needs)s") % {"needs": ", ".join(str(Need(n).label) for n in matched_needs)})
    for word, group in used:
        if any(f" {w} " in name_norm for w in group):
            reasons.append(_("“%(word)s” is in the name") % {"word": word})
        elif any(f" {w} " in taxonomy_norm for w in group):
            reasons.append(_("“%(word)s” matches a need it meets") % {"word": word})
        elif any(f" {w} " in accessibility for w in group):
            reasons.append(_("“%(word)s” is in the location's accessibility notes") % {"word": word})
        else:
            reasons.append(_("“%(word)s” is in the description") % {"word": word})
    if language_match:
        reasons.append(language_reason(language, levels.split(), dialect_words if dialect_match else ""))
    if distance is not None:
        # Formatted as the page's language writes numbers ("0,5 km" in Spanish), like the distance on the card.
        reasons.append(
            _("%(km)s km (%(mi)s mi) away")
            % {"km": number_format(distance, 1), "mi": number_format(distance / KM_PER_MILE, 1)}
        )
    if open_now:
        reasons.append(_("Open now"))
    result.warnings.extend(_warnings(service, row_languages, required, family))
    return result


def language_reason(language: str, levels: Sequence[str], dialect: str = "") -> str:
    """Why a service matches a language, naming the HSDS level that offers it: the service's own
    staff first, then the service at one of its locations, the location, a phone line."""
    label = str(Language(language).label)
    found = {item.partition(":")[2] for item in levels if item.partition(":")[0] == language}
    if dialect or not found or LEVEL_SERVICE in found:
        if dialect:
            return _("Staff speak %(language)s (%(dialect)s)") % {"language": label, "dialect": dialect}
        return _("Staff speak %(language)s") % {"language": label}
    if LEVEL_SERVICE_AT_LOCATION in found:
        return _("%(language)s spoken for this service at its location") % {"language": label}
    if LEVEL_LOCATION in found:
        return _("%(language)s spoken at this location") % {"language": label}
    return _("%(language)s spoken on the phone line") % {"language": label}


def _age_range(service: Service) -> str:
    low = service.min_age_months if service.min_age_months is not None else 0
    if service.max_age_months is None:
        return _("from %(low)d months") % {"low": low}
    return _("%(low)d to %(high)d months") % {"low": low, "high": service.max_age_months}


def _warnings(service: Service, row_languages: int, required: str, family: FamilyContext | None) -> list[str]:
    warnings: list[str] = []
    if not service.accepting_referrals:
        warnings.append(_("Not accepting referrals right now."))
    if service.typical_wait_days is not None and service.typical_wait_days > LONG_WAIT_DAYS:
        warnings.append(
            ngettext("Long wait: about %(days)d day.", "Long wait: about %(days)d days.", service.typical_wait_days)
            % {"days": service.typical_wait_days}
        )
    if family is None:
        return warnings
    if (
        family.demographics_shown
        and family.children_age_months
        and (service.min_age_months is not None or service.max_age_months is not None)
    ):
        low = service.min_age_months if service.min_age_months is not None else 0
        high = service.max_age_months if service.max_age_months is not None else 10**6
        if not any(low <= age <= high for age in family.children_age_months):
            warnings.append(
                _("No child in this family is in the age range (%(range)s).") % {"range": _age_range(service)}
            )
    if family.insurance_shown and required and required not in family.insurance:
        warnings.append(_("Only for Medi-Cal members; no one in this family is recorded with Medi-Cal."))
    if (
        family.demographics_shown
        and family.language in LANGUAGE_CODES
        and not int(row_languages) & language_bit(family.language)
    ):
        warnings.append(
            _("Staff do not list %(language)s, the family's language.") % {"language": Language(family.language).label}
        )
    return warnings


def parse_needs(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
