"""Operations that change accounts. Each runs in one transaction and records its event."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import STAFF_ROLES, ApiToken, Membership, Organization, Role, SecurityEvent, User

logger = logging.getLogger("ecwhub.accounts")


class MembershipError(ValueError):
    """A membership that the rules of the network do not allow. ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def security_event_record(
    *,
    kind: str,
    user: User | None,
    request: HttpRequest | None = None,
    actor: User | None = None,
    organization: Organization | None = None,
) -> SecurityEvent:
    """Append one security event and log it by id (never by name or e-mail)."""
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        actor=actor,
        organization=organization,
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )
    logger.info("security_event", extra={"event": kind, "user_id": user.pk if user else None})
    return event


def membership_rules_check(*, organization: Organization, role: str, is_org_admin: bool) -> None:
    """The rules every membership obeys, for one row or a bulk load. Raises MembershipError."""
    if role not in Role.values:
        raise MembershipError("role", f"Unknown role {role!r}.")
    if role == Role.HUB_ADMIN and not organization.is_hub:
        raise MembershipError("role", "Only members of the hub organization can be hub administrators.")
    if is_org_admin and role not in STAFF_ROLES:
        raise MembershipError("is_org_admin", "Family members cannot administer an organization.")


@transaction.atomic
def membership_add(
    *,
    acting_user: User | None,
    user: User,
    organization: Organization,
    role: str,
    title: str = "",
    is_org_admin: bool = False,
) -> Membership:
    """Give ``user`` a role in ``organization``.

    Raises MembershipError when the hub-administrator role is asked for outside the hub, when
    a family member would be an organization administrator, or when the role is unknown.
    """
    membership_rules_check(organization=organization, role=role, is_org_admin=is_org_admin)
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=organization,
        role=role,
        defaults={"title": title, "is_org_admin": is_org_admin},
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.ended_at = None
        membership.save(update_fields=["is_active", "ended_at"])
    if role == Role.HUB_ADMIN:
        _sync_hub_admin_access(user)
    security_event_record(
        kind=SecurityEvent.Kind.MEMBERSHIP_ADDED, user=user, actor=acting_user, organization=organization
    )
    return membership


HUB_ADMIN_GROUP = "Hub administrators"
# What hub administrators manage in the admin site. Family records are deliberately absent:
# they are read only through the pages that apply the access policy.
_HUB_ADMIN_MODELS = {
    "accounts": ("organization", "membership", "user", "securityevent", "apitoken"),
    "directory": (
        "service",
        "serviceneed",
        "servicelanguage",
        "directoryorganization",
        "location",
        "servicechange",
    ),
}


def hub_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=HUB_ADMIN_GROUP)
    wanted = Permission.objects.none()
    for app_label, models in _HUB_ADMIN_MODELS.items():
        wanted = wanted | Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=models)
    group.permissions.set(wanted)
    return group


def _sync_hub_admin_access(user: User) -> None:
    """Admin-site access follows the hub-administrator membership: granted with it, removed with it."""
    is_hub_admin = user.memberships.filter(role=Role.HUB_ADMIN, is_active=True).exists()
    if is_hub_admin:
        user.groups.add(hub_admin_group())
    else:
        user.groups.remove(*Group.objects.filter(name=HUB_ADMIN_GROUP))
    if user.is_staff != is_hub_admin and not user.is_superuser:
        user.is_staff = is_hub_admin
        user.save(update_fields=["is_staff"])


@transaction.atomic
def membership_end(*, acting_user: User | None, membership: Membership) -> Membership:
    """End a membership (kept for history, no longer grants anything)."""
    membership.is_active = False
    membership.ended_at = timezone.now()
    membership.save(update_fields=["is_active", "ended_at"])
    if membership.role == Role.HUB_ADMIN:
        _sync_hub_admin_access(membership.user)
    security_event_record(
        kind=SecurityEvent.Kind.MEMBERSHIP_ENDED,
        user=membership.user,
        actor=acting_user,
        organization=membership.organization,
    )
    return membership


@transaction.atomic
def api_token_create(
    *,
    acting_user: User,
    name: str,
    membership: Membership | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create an API token for ``acting_user``, acting in ``membership`` (one of the user's active
    memberships; may be left out when the user holds exactly one). Returns the row and the token,
    shown only once. Raises MembershipError naming the field at fault."""
    if not name.strip():
        raise MembershipError("name", "Give the token a name so you can recognise it later.")
    active = list(acting_user.active_memberships())
    if membership is None:
        if len(active) != 1:
            raise MembershipError(
                "membership",
                "Choose the organization and role the token acts in: you hold "
                + ("no active membership." if not active else f"{len(active)} memberships."),
            )
        membership = active[0]
    elif membership.pk not in {m.pk for m in active}:
        raise MembershipError("membership", "The token can act only in one of your own active memberships.")
    key_id, secret, token = ApiToken.new_key()
    row = ApiToken.objects.create(
        user=acting_user,
        membership=membership,
        name=name.strip(),
        key_id=key_id,
        key_hash=ApiToken.hash_secret(secret),
        expires_at=expires_at,
    )
    security_event_record(
        kind=SecurityEvent.Kind.API_TOKEN_CREATED,
        user=acting_user,
        actor=acting_user,
        organization=membership.organization,
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, acting_user: User, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    security_event_record(kind=SecurityEvent.Kind.API_TOKEN_REVOKED, user=token.user, actor=acting_user)


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token (of an active user) that ``raw`` is, or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "ecw":
        return None
    _, key_id, secret = parts
    token = ApiToken.objects.select_related("user", "membership__organization").filter(key_id=key_id).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    if not hmac.compare_digest(token.key_hash, ApiToken.hash_secret(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
