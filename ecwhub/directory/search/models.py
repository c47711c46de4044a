"""The search index: one denormalized row per service, rebuilt from the directory.

Nothing here is a source of truth. ``index.search_index_rebuild`` writes these rows from
``directory`` (and throws them away when a service goes), so a row can always be rebuilt.
The full-text side lives next to this table, created by the migration for each engine:
an FTS5 virtual table on SQLite and a generated ``tsvector`` column with a GIN index on
PostgreSQL, both fed with the same normalized ``document`` so both engines see the same words.

Column order matters on SQLite: the small columns every search reads come first, the long
texts last, so reading a row's filters never walks its overflow pages.
"""

from django.db import models

from ecwhub.directory.models import Service


class SearchEntry(models.Model):
    # An integer key, because the SQLite FTS5 table is joined on its integer rowid.
    id = models.BigAutoField(primary_key=True)
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="search_entry")
    needs_mask = models.BigIntegerField(default=0)
    languages_mask = models.BigIntegerField(default=0)
    min_age_months = models.IntegerField(null=True)
    max_age_months = models.IntegerField(null=True)
    is_free = models.BooleanField(default=True)
    # "medi_cal" when the eligibility says only Medi-Cal members are served (see index.insurance_required).
    insurance_required = models.CharField(max_length=16, blank=True)
    accepting_referrals = models.BooleanField(default=True)
    accepts_electronic_referrals = models.BooleanField(null=True)
    typical_wait_days = models.IntegerField(null=True)
    # Opening hours as one 24-bit mask per weekday (bit h = open during hour h, local time;
    # Monday is day 0); all zero, with hours_known false, when the directory does not know them.
    hours_known = models.BooleanField(default=False)
    hours_0 = models.IntegerField(default=0)
    hours_1 = models.IntegerField(default=0)
    hours_2 = models.IntegerField(default=0)
    hours_3 = models.IntegerField(default=0)
    hours_4 = models.IntegerField(default=0)
    hours_5 = models.IntegerField(default=0)
    hours_6 = models.IntegerField(default=0)
    open_evenings = models.BooleanField(default=False)
    open_weekends = models.BooleanField(default=False)
    # The hub member offering the service (None for listings of organizations outside the network).
    organization_id = models.BigIntegerField(null=True)
    organization_name = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    # Normalized text (lower case, no accents, only letters and digits separated by single spaces,
    # with a space on each side) so that "contains the word" is a plain LIKE '% word %' on both engines.
    name_norm = models.TextField()
    taxonomy_norm = models.TextField()
    dialects_norm = models.TextField(blank=True)
    eligibility = models.TextField(blank=True)
    document = models.TextField()
    # Where each language is offered, as " code:level " pairs (levels: service, location,
    # service_at_location, phone: HSDS allows a language row on each), for the result's reason.
    language_levels = models.TextField(blank=True)
    # The accessibility notes of the service's locations, normalized (also in ``document``).
    accessibility_norm = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class SearchPoint(models.Model):
    """A place where a service is offered: each of its locations (HSDS service-at-location), or the
    ZIP centroid of its address or of its organization when the directory has no coordinates.

    The service's id, needs, languages and referral status are copied here so that a search near a
    place by need and language is answered from the covering index alone, without reading entries."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="points")
    latitude = models.FloatField()
    longitude = models.FloatField()
    needs_mask = models.BigIntegerField(default=0)
    languages_mask = models.BigIntegerField(default=0)
    accepting_referrals = models.BooleanField(default=True)
    service_id = models.UUIDField()
    postal_code = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=[
                    "latitude",
                    "longitude",
                    "needs_mask",
                    "languages_mask",
                    "accepting_referrals",
                    "entry",
                    "service_id",
                ],
                name="search_point_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.latitude:.4f},{self.longitude:.4f}"


class SearchTerm(models.Model):
    """A word that occurs in the index (with how many services use it): the vocabulary that
    misspelled query words are corrected to."""

    term = models.CharField(max_length=64, unique=True)
    # ``text.stem(term)``: a query word is widened to the words that share its stem.
    stem = models.CharField(max_length=64, db_index=True, default="")
    frequency = models.IntegerField(default=0)
    trigram_count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.term


class SearchTermTrigram(models.Model):
    """The trigrams of each vocabulary word, as pg_trgm forms them, so SQLite finds the same
    candidate words as PostgreSQL's trigram index does."""

    trigram = models.CharField(max_length=3)
    term = models.ForeignKey(SearchTerm, on_delete=models.CASCADE, related_name="trigrams")

    class Meta:
        indexes = [models.Index(fields=["trigram", "term"], name="search_trigram_term")]

    def __str__(self) -> str:
        return self.trigram
