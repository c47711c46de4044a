"""Referrals to services that do not take referrals through the hub (``receiving_organization`` is
None): a service outside the network, or a member's service that does not take them yet.

No one in the hub receives such a referral, so the referring coordinator prints it (the page or the
PDF, ``pdf.py``) for the family to bring, or e-mails the service. The e-mail carries no personal
data: the referral's reference, who referred and how to reach them, and the service asked for.
The loop stays open until the coordinator records the outcome, acting for the receiver
(``services.sides_of`` gives the referrer the receiving side there).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import Purpose
from ecwhub.core.models import Channel
from ecwhub.core.outbox import notify

from .models import Referral
from .services import ReferralConflict, ReferralError, audit_referral, event_record, referral_for_action, sides_of
from .workflow import OPEN, Side, Status, WorkflowError

# The event written when the referral is e-mailed: a step that leaves the status as it is.
EMAILED = "emailed-to-service"
# The events that record something besides the table's actions and steps, in words for the
# referral's history and the family's timeline.
EVENT_LABELS = {
    EMAILED: gettext_lazy("E-mailed to the service"),
    "followed-up": gettext_lazy("Followed up by the referring coordinator"),
    "reminded-by-hub": gettext_lazy("Reminded again by the hub"),
}
SUBJECT_OUTSIDE = gettext_lazy("A referral from %(organization)s (reference %(reference)s)")
# Sent and not closed: the states in which the service may still be told.
EMAILABLE = frozenset(OPEN) - {Status.DRAFT}


def may_email(referral: Referral, sides: frozenset[str]) -> bool:
    """Whether the e-mail can be sent: a referral the referrer has sent outside the hub, still open,
    to a service with an e-mail address in the directory."""
    return (
        referral.outside_network
        and Side.REFERRER in sides
        and referral.status in EMAILABLE
        and bool(referral.service.email)
    )


def referral_email_to_service(
    *, acting_user: User, membership: Membership | None, referral_id: uuid.UUID | str, version: int
) -> Referral:
    """E-mail the referral to the service's address in the directory (through the outbox, in the
    transaction) and record it as an event ``emailed-to-service`` with the audit entry. The status
    does not change: the coordinator still records what came of it.

    The message names the referral's reference, the referring organization and its phone, and the
    service asked for: never the family, the person or the needs.

    Raises ``NotFound`` (no such referral, or not one the user may act on), ``ReferralConflict``
    when it moved since ``version``, ``WorkflowError`` when it is not an open referral outside the
    hub sent by the user's organization, ``ReferralError`` on ``service`` when the service has no
    e-mail address. Nothing is written then."""
    with transaction.atomic():
        referral = referral_for_action(referral_id=referral_id, user=acting_user, membership=membership)
        sides = sides_of(referral, acting_user, membership)
        if referral.version != version:
            raise ReferralConflict(referral)
        if Side.REFERRER not in sides or not referral.outside_network:
            raise WorkflowError(
                "action",
                _("Only the referring organization e-mails a referral to a service outside the hub."),
                f"{EMAILED}: by referrer, outside the hub",
            )
        if referral.status not in EMAILABLE:
            raise WorkflowError(
                "action",
                _("Only a referral that was sent and is still open can be e-mailed to the service."),
                f"{EMAILED}: in {referral.status}",
            )
        service = referral.service
        if not service.email:
            raise ReferralError(
                "service", _("The service has no e-mail address in the directory: print the referral instead.")
            )
        organization = referral.referring_organization
        now = timezone.now()
        referral.version += 1
        referral.updated_at = now
        referral.save(update_fields=["version", "updated_at"])
        event_record(referral, acting_user, membership, Side.REFERRER, EMAILED, referral.status, referral.status)
        language = settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "reference": referral.reference,
                "organization": organization.name,
                "phone": organization.phone,
                "service": service.name,
                "family_calls": referral.handoff == "family_calls",
            }
            notify(
                channel=Channel.EMAIL,
                recipient=service.email,
                subject=str(SUBJECT_OUTSIDE) % {"organization": organization.name, "reference": referral.reference},
                body=render_to_string("referrals/email/outside.txt", context),
                language=language,
                key=f"referral:{referral.pk}:{EMAILED}:v{referral.version}",
            )
        audit_referral(referral, acting_user, membership, EMAILED, Purpose.CARE_COORDINATION)
        return referral
