"""Organizations of the network, the people who sign in, and their roles."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    HUB = "hub", _("Hub")
    FAMILY_RESOURCE_CENTER = "family_resource_center", _("Family resource center")
    CLINIC = "clinic", _("Clinic / FQHC")
    SCHOOL = "school", _("School")
    LEGAL_AID = "legal_aid", _("Legal aid")
    WIC = "wic", _("WIC")
    FOOD_BANK = "food_bank", _("Food bank")
    HOME_VISITING = "home_visiting", _("Home visiting")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    REGIONAL_CENTER = "regional_center", _("Regional center")
    MANAGED_CARE_PLAN = "managed_care_plan", _("Managed care plan")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    HUB_ADMIN = "hub_admin", _("Hub administrator")
    COORDINATOR = "coordinator", _("Care coordinator / CHW")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    CLINICIAN = "clinician", _("Clinician")
    ANALYST = "analyst", _("Analyst")
    FAMILY_MEMBER = "family_member", _("Family member")


STAFF_ROLES = frozenset(role for role in Role if role != Role.FAMILY_MEMBER)
# The roles that work with families' records (the hub administrator runs the network and reads
# none; an analyst reads aggregates only; a family member has their own pages).
FAMILY_STAFF_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})
# When a person holds several memberships, the home page opens on the first of these.
ROLE_PRIORITY = [
    Role.HUB_ADMIN,
    Role.COORDINATOR,
    Role.CLINICIAN,
    Role.PROVIDER_STAFF,
    Role.ANALYST,
    Role.FAMILY_MEMBER,
]


class Organization(models.Model):
    """A member of the network, or the hub itself (exactly one organization is the hub)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=32, choices=OrganizationKind.choices)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True, default="CA")
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="hub"), name="one_hub_organization"),
            models.CheckConstraint(condition=Q(kind__in=OrganizationKind.values), name="organization_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_hub(self) -> bool:
        return self.kind == OrganizationKind.HUB


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """The account signing in, whatever the case of the address typed. Addresses are stored in
        lower case; an older account may hold capitals, and where two differ only by case the exact
        spelling decides."""
        matches = list(self.filter(email__iexact=username or "")[:2])
        if len(matches) == 1:
            return matches[0]
        for user in matches:
            if user.email == username:
                return user
        raise self.model.DoesNotExist

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Someone who signs in. Signs in with an e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def active_memberships(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(is_active=True, organization__is_active=True).select_related("organization")

    @property
    def requires_two_factor(self) -> bool:
        """Staff roles and administrators must use a second factor, unless the deployment turned it off."""
        if not settings.MFA_REQUIRED_FOR_STAFF:
            return False
        return self.is_superuser or self.active_memberships().filter(role__in=STAFF_ROLES).exists()


class Membership(models.Model):
    """A person's role in one organization. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    is_org_admin = models.BooleanField(
        _("administers the organization"),
        default=False,
        help_text=_("Manages the organization's members and listing."),
    )
    is_supervisor = models.BooleanField(
        _("supervises care coordinators"),
        default=False,
        help_text=_("Reviews the closures of the organization's pathways before they count."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="one_membership_per_role"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class SecurityEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGNED_OUT = "signed_out", _("Signed out")
    SIGNIN_FAILED = "signin_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    TOTP_ENROLLED = "totp_enrolled", _("Two-factor enrolled")
    TOTP_VERIFIED = "totp_verified", _("Two-factor verified")
    TOTP_FAILED = "totp_failed", _("Two-factor code refused")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    MEMBERSHIP_ADDED = "membership_added", _("Membership added")
    MEMBERSHIP_ENDED = "membership_ended", _("Membership ended")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")


class SecurityEvent(models.Model):
    """Append-only record of sign-in and account events (who, what, when, from which request)."""

    Kind = SecurityEventKind

    kind = models.CharField(max_length=40, choices=SecurityEventKind.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SecurityEventKind.values), name="security_event_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


TOKEN_PREFIX = "ecw"  # noqa: S105  (a label, not a secret)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    # The organization and role the token acts in: a script acts for one membership, never for
    # "whichever comes first". Empty only on tokens made before tokens had one; those act in the
    # user's only membership, or in the one the X-Acting-Organization header names.
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_secret(secret: str) -> str:
        # The secret has 256 bits of entropy, so a fast hash is as safe as a slow one here.
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_key() -> tuple[str, str, str]:
        """Returns (key_id, secret, full token as shown once to the user)."""
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        return key_id, secret, f"{TOKEN_PREFIX}_{key_id}_{secret}"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
