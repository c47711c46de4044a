"""Shared personas for the test suite.

A small network, the same in every test: the hub, a family resource center and a food bank,
and named people: ``admin`` (hub administrator), ``alice`` (coordinator and administrator of the
family resource center), ``bob`` (provider staff at the food bank), ``carla`` (a family member)
and ``oscar`` (an account with no organization).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecwhub.accounts.models import Organization, OrganizationKind, Role, User
from ecwhub.accounts.services import membership_add

PASSWORD = "correct horse battery staple"


@dataclass
class Network:
    hub: Organization
    frc: Organization
    food_bank: Organization
    admin: User
    alice: User
    bob: User
    carla: User
    oscar: User


@pytest.fixture(autouse=True)
def _fast_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 is the production hasher (tested in test_settings); tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _static_without_manifest(settings: pytest.FixtureRequest) -> None:
    # The hashed-name manifest exists only after collectstatic (test_static_files runs it).
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    # A request with the Spanish language cookie leaves Spanish active in this thread; the next
    # test starts in the default language whatever the order the tests run in.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def network(db: None) -> Network:
    hub = Organization.objects.create(name="Test Hub", slug="hub", kind=OrganizationKind.HUB, phone="626-555-0100")
    frc = Organization.objects.create(
        name="Casa Familia FRC", slug="casa", kind=OrganizationKind.FAMILY_RESOURCE_CENTER
    )
    food_bank = Organization.objects.create(name="Valley Food Bank", slug="food", kind=OrganizationKind.FOOD_BANK)

    def person(email: str, first: str, last: str) -> User:
        return User.objects.create_user(email, PASSWORD, first_name=first, last_name=last)

    admin = person("admin@example.org", "Ada", "Admin")
    alice = person("alice@example.org", "Alice", "Álvarez")
    bob = person("bob@example.org", "Bob", "Baker")
    carla = person("carla@example.org", "Carla", "Cruz")
    oscar = person("oscar@example.org", "Oscar", "Outsider")
    membership_add(acting_user=None, user=admin, organization=hub, role=Role.HUB_ADMIN)
    membership_add(acting_user=None, user=alice, organization=frc, role=Role.COORDINATOR, is_org_admin=True)
    membership_add(acting_user=None, user=bob, organization=food_bank, role=Role.PROVIDER_STAFF)
    membership_add(acting_user=None, user=carla, organization=hub, role=Role.FAMILY_MEMBER)
    return Network(hub, frc, food_bank, admin, alice, bob, carla, oscar)


def totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(key=device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{totp.token():06d}"


def signed_in(client: Client, user: User) -> Client:
    """A client signed in as ``user`` who has also passed two-factor (for tests of later pages)."""
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


pytest_plugins = ["tests.audit_guard"]
