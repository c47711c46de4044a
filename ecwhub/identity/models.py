"""What record linkage keeps: the trained model, blocking keys, clusters and the review queue."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.families.models import Person

from .reasons import describe


class LinkageModel(models.Model):
    """A Fellegi–Sunter model (m/u per comparison level, prior) as its JSON document.

    The newest row of a schema is the one in use, by the batch linkage and the real-time check.
    """

    id = models.BigAutoField(primary_key=True)
    schema = models.CharField(_("record layout"), max_length=32, default="person")
    parameters = models.JSONField(_("parameters"))
    source = models.CharField(_("trained on"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("linkage model")
        verbose_name_plural = _("linkage models")
        get_latest_by = "created_at"
        indexes = [models.Index(fields=["schema", "-created_at"], name="linkage_model_latest")]

    def __str__(self) -> str:
        return f"Linkage model {self.schema} {self.created_at:%Y-%m-%d %H:%M}"


class PersonKey(models.Model):
    """One blocking key of one person: the real-time check compares a new intake only with the
    people who share at least one key with it (see :func:`ecwhub.identity.records.person_keys`).

    The keys are derived data, rebuilt by :func:`ecwhub.identity.keys.person_keys_refresh`; they
    hold sound codes and dates, not names.
    """

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=True)
    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("blocking key")
        verbose_name_plural = _("blocking keys")
        # (key, person): the real-time lookup is answered from the index alone.
        indexes = [models.Index(fields=["key", "person"], name="person_key_lookup")]

    def __str__(self) -> str:
        return f"Blocking key {self.pk}"


class LinkRun(models.Model):
    """One batch linkage: what was linked, with which engine and model, and what came out."""

    id = models.BigAutoField(primary_key=True)
    engine = models.CharField(_("engine"), max_length=16)
    source = models.CharField(_("source"), max_length=200, blank=True)
    model = models.ForeignKey(LinkageModel, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveBigIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)
    reviews = models.PositiveIntegerField(default=0)
    clusters = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")

    def __str__(self) -> str:
        return f"Linkage run {self.pk}"


class LinkCluster(models.Model):
    """People the batch linkage considers one person (two or more records)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(LinkRun, on_delete=models.CASCADE, related_name="link_clusters")
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("linked cluster")
        verbose_name_plural = _("linked clusters")

    def __str__(self) -> str:
        return f"Cluster {str(self.id)[:8]}"


class LinkClusterMember(models.Model):
    id = models.BigAutoField(primary_key=True)
    cluster = models.ForeignKey(LinkCluster, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "person"], name="link_cluster_member_once")]

    def __str__(self) -> str:
        return f"Cluster member {self.pk}"


class MatchReview(models.Model):
    """A pair in the uncertain band, waiting for a person to say "same" or "different".

    ``reasons`` are reason codes with their arguments (``[["dob_swapped", []], ...]``), rendered
    in the reader's language by :func:`ecwhub.identity.reasons.describe`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        SAME = "same", _("Same person")
        DIFFERENT = "different", _("Different people")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(LinkRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="match_reviews")
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # An incoming agency file's record has no Person yet: its source and row identify it.
    external_source = models.CharField(_("source file"), max_length=200, blank=True)
    external_ref = models.CharField(_("record in the source file"), max_length=200, blank=True)
    probability = models.FloatField(_("match probability"))
    match_weight = models.FloatField(_("match weight"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("match to review")
        verbose_name_plural = _("matches to review")
        indexes = [models.Index(fields=["status", "-probability"], name="match_review_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "same", "different"]), name="match_review_status"
            ),
            models.CheckConstraint(
                condition=Q(person_b__isnull=False) | ~Q(external_ref=""), name="match_review_has_other_record"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | Q(~Q(status="pending"), decided_at__isnull=False),
                name="match_review_decided_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Match review {str(self.id)[:8]}"

    @property
    def reason_texts(self) -> list[Any]:
        return [describe(code, tuple(args)) for code, args in self.reasons]
