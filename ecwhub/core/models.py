"""The hub's outbox: every notification it sends, written in the transaction of the change it
announces, delivered afterwards by ``ecwhub.core.outbox`` (docs/notifications.md)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self, now: datetime) -> OutboxMessageQuerySet:
        """Pending messages whose next attempt has come and that no live claim holds."""
        return self.filter(status=OutboxStatus.PENDING, sent_at__isnull=True, available_at__lte=now).filter(
            Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=now)
        )


class OutboxMessage(models.Model):
    """One notice to one recipient on one channel.

    The row is the notice: it is written with the change it announces and is delivered at least
    once after that change commits. ``status`` moves pending → sent, or pending → failed after
    ``OUTBOX_MAX_ATTEMPTS``; a failed message goes back to pending only when the hub administrator
    asks for it to be sent again. Bodies carry a link, never personal data; they are encrypted
    at rest because a link may be a single-use sign-in credential.
    """

    # A random id: it also makes the e-mail Message-ID, which must stay unique across databases.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # An e-mail address, or a phone number in E.164 form (+15551234567) for text messages.
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = EncryptedTextField(_("plain-text body"))
    body_html = EncryptedTextField(_("HTML body"), blank=True, default="")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # The event the notice is about ("invitation:membership:42"): the same key never queues twice.
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    available_at = models.DateTimeField(_("next attempt"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True, default="")
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_expires_at = models.DateTimeField(_("claim expires"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The error's class (and SMTP code), never its message: servers quote addresses in theirs.
    last_error = models.CharField(_("last error"), max_length=200, blank=True, default="")

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing notification")
        verbose_name_plural = _("outgoing notifications")
        ordering = ["-created_at"]
        indexes = [
            # The delivery loop's query: pending rows by next attempt.
            models.Index(fields=["available_at"], condition=Q(status="pending"), name="core_outbox_pending_due"),
            models.Index(fields=["status", "-created_at"], name="core_outbox_status_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="core_outbox_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=OutboxStatus.values), name="core_outbox_status_valid"),
            # Sent exactly when sent_at is recorded.
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="core_outbox_sent_at_iff_sent",
            ),
            # A claim is all three fields or none of them.
            models.CheckConstraint(
                condition=Q(claimed_at__isnull=True, claim_expires_at__isnull=True, claimed_by="")
                | (Q(claimed_at__isnull=False, claim_expires_at__isnull=False) & ~Q(claimed_by="")),
                name="core_outbox_claim_complete",
            ),
            models.CheckConstraint(condition=~Q(dedup_key=""), name="core_outbox_dedup_key_not_blank"),
            models.CheckConstraint(condition=~Q(recipient=""), name="core_outbox_recipient_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.pk} ({self.status})"

    @property
    def masked_recipient(self) -> str:
        """Enough to recognise a recipient, not to read it out: c•••@example.org, +1•••••••0123."""
        if self.channel == Channel.EMAIL and "@" in self.recipient:
            local, domain = self.recipient.rsplit("@", 1)
            return f"{local[:1]}•••@{domain}"
        return f"{self.recipient[:2]}•••{self.recipient[-4:]}"
