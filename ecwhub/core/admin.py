"""The outbox in the Django admin: the hub administrator sees what failed and can send it again.

Read-only: a notice is changed only by delivery, or by "send again" (which needs the change
permission and is recorded in the admin's history). Recipients are shown masked (the admin acts on
delivery, not on who), and bodies are not shown in the list.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboxMessage
from .outbox import messages_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient_masked",
        "subject",
        "status",
        "attempts",
        "available_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ["send_again"]
    fields = (
        "id",
        "channel",
        "recipient_masked",
        "language",
        "subject",
        "body_text",
        "dedup_key",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "available_at",
        "claimed_by",
        "claimed_at",
        "claim_expires_at",
        "sent_at",
    )
    readonly_fields = fields

    @admin.display(description=_("recipient"))
    def recipient_masked(self, obj: OutboxMessage) -> str:
        return obj.masked_recipient

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        # Deleting a pending notice would lose it; sent ones are purged by deliver_outbox.
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        # The model's change permission: viewing the outbox is not enough to act on it.
        return request.user.has_perm("core.change_outboxmessage")

    @admin.action(description=_("Send the selected failed notifications again"), permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        retried = messages_retry(message_ids=queryset.values_list("pk", flat=True))
        for message in OutboxMessage.objects.filter(pk__in=retried):
            self.log_change(request, message, "Sent again after failing.")
        count = len(retried)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed notification will be sent again.",
                "%(count)d failed notifications will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
