"""The demo network: deterministic, complete, realistic enough to demo, and safe to run twice."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecwhub.accounts.models import STAFF_ROLES, Membership, Organization, OrganizationKind, Role, SecurityEvent, User
from ecwhub.demo import data, generator
from ecwhub.demo.generator import (
    DEMO_PASSWORD,
    age_in_years,
    demo_totp_key,
    generate_households,
    totp_secret_base32,
)
from ecwhub.directory.models import Service, ServiceLanguage
from ecwhub.families.models import Household, InsuranceStatus, Person

TODAY = date(2026, 3, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")
VIETNAMESE_MARKS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
PHONE = re.compile(r"^(626|323)-555-\d{4}$")
CIN = re.compile(r"^9\d{7}[A-Z]$")
WELL_KNOWN = {
    "admin@demo.ecwhub.example": (Role.HUB_ADMIN, OrganizationKind.HUB),
    "coordinator@demo.ecwhub.example": (Role.COORDINATOR, OrganizationKind.FAMILY_RESOURCE_CENTER),
    "provider@demo.ecwhub.example": (Role.PROVIDER_STAFF, OrganizationKind.FOOD_BANK),
    "clinician@demo.ecwhub.example": (Role.CLINICIAN, OrganizationKind.CLINIC),
    "analyst@demo.ecwhub.example": (Role.ANALYST, OrganizationKind.HUB),
    "family@demo.ecwhub.example": (Role.FAMILY_MEMBER, OrganizationKind.HUB),
}
REGISTERING_KINDS = {
    OrganizationKind.FAMILY_RESOURCE_CENTER,
    OrganizationKind.CLINIC,
    OrganizationKind.SCHOOL,
    OrganizationKind.WIC,
    OrganizationKind.HOME_VISITING,
}


def seed_demo(*args: str, families: int = 30, seed: int = 2026, today: date = TODAY) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--families",
        str(families),
        "--seed",
        str(seed),
        "--today",
        today.isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Organization, Service, User, Membership, TOTPDevice, SecurityEvent, Household, Person)
    return {model.__name__: model.objects.count() for model in models}


def fingerprint() -> str:
    """A hash of everything the seed decides, leaving out auto-increment ids."""
    digest = hashlib.sha256()

    def add(rows: object) -> None:
        for row in rows:  # type: ignore[attr-defined]
            digest.update(repr(row).encode())

    add(
        Organization.objects.order_by("slug").values_list("slug", "name", "kind", "street", "postal_code", "created_at")
    )
    add(
        Service.objects.order_by("id").values_list(
            "id", "organization__slug", "name", "min_age_months", "max_age_months", "typical_wait_days", "created_at"
        )
    )
    add(User.objects.order_by("email").values_list("email", "first_name", "last_name", "is_staff"))
    add(Membership.objects.order_by("user__email", "role").values_list("user__email", "organization__slug", "role"))
    add(TOTPDevice.objects.order_by("user__email").values_list("user__email", "key"))
    household_fields = [f.attname for f in Household._meta.concrete_fields if f.attname != "registered_by_id"]
    add(Household.objects.order_by("id").values_list(*household_fields, "registered_by__slug"))
    person_fields = [f.attname for f in Person._meta.concrete_fields if f.attname != "account_id"]
    add(Person.objects.order_by("id").values_list(*person_fields, "account__email"))
    from ecwhub.consent.models import Consent

    add(
        Consent.objects.order_by("id").values_list(
            "id", "household_id", "given_by_id", "network_wide", "given_at", "expires_at"
        )
    )
    return digest.hexdigest()


def wipe() -> None:
    from ecwhub.consent.models import Agreement

    Household.objects.all().delete()
    Agreement.objects.all().delete()
    User.objects.all().delete()
    SecurityEvent.objects.all().delete()
    Organization.objects.all().delete()


# --- Determinism -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_network_and_another_seed_a_different_one() -> None:
    seed_demo(families=30)
    first = fingerprint()
    assert Household.objects.count() == 30

    wipe()
    assert counts()["Organization"] == 0
    seed_demo(families=30)
    assert fingerprint() == first

    wipe()
    seed_demo(families=30, seed=7)
    assert fingerprint() != first


def test_the_generator_needs_no_database_and_each_household_is_independent_of_the_total() -> None:
    fifty = list(generate_households(seed=2026, count=50, today=TODAY))
    again = list(generate_households(seed=2026, count=50, today=TODAY))
    assert fifty == again
    assert list(generate_households(seed=2026, count=20, today=TODAY)) == fifty[:20]
    # A later slice can be produced on its own, for parallel or resumed benchmark runs.
    assert list(generate_households(seed=2026, count=10, today=TODAY, start=40)) == fifty[40:]
    other = list(generate_households(seed=2027, count=50, today=TODAY))
    assert {row.id for row in other}.isdisjoint({row.id for row in fifty})
    assert all(row.id.version == 4 for row in fifty)


def test_ages_follow_the_reference_date() -> None:
    later = date(2030, 3, 1)
    a = next(generate_households(seed=2026, count=1, today=TODAY))
    b = next(generate_households(seed=2026, count=1, today=later))
    assert [m["date_of_birth"] for m in a.members] != [m["date_of_birth"] for m in b.members]
    for row, day in ((a, TODAY), (b, later)):
        for member in row.members:
            if member["relationship"] == Person.Relationship.CHILD:
                assert 0 <= age_in_years(member["date_of_birth"], day) <= 8


# --- The network -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_network_has_about_forty_organizations_of_every_kind_and_one_hub() -> None:
    seed_demo(families=0)
    organizations = list(Organization.objects.annotate(service_count=Count("services")))
    assert 35 <= len(organizations) <= 45
    assert {org.kind for org in organizations} == set(OrganizationKind.values)
    hubs = [org for org in organizations if org.kind == OrganizationKind.HUB]
    assert [hub.name for hub in hubs] == ["Alhambra Early Childhood Wellness Hub"]
    for org in organizations:
        assert org.website.endswith(".example") and PHONE.match(org.phone), org.slug
        assert org.postal_code and org.city and org.state == "CA"
        if org.kind != OrganizationKind.HUB:
            assert 1 <= org.service_count <= 5, org.slug
    plans = Organization.objects.filter(kind=OrganizationKind.MANAGED_CARE_PLAN).values_list("name", flat=True)
    assert any("L.A. Care" in name for name in plans) and any("Health Net" in name for name in plans)


@pytest.mark.django_db
def test_services_list_needs_languages_and_dialects() -> None:
    seed_demo(families=0)
    for service in Service.objects.prefetch_related("needs", "languages"):
        assert service.description and service.needs.exists() and service.languages.exists(), service.name
        if service.min_age_months is not None and service.max_age_months is not None:
            assert service.min_age_months <= service.max_age_months
    dialects = set(ServiceLanguage.objects.exclude(dialect="").values_list("language", "dialect"))
    assert ("mix", "Mixteco de San Juan Mixtepec") in dialects
    assert Service.objects.filter(is_free=False).exists() and Service.objects.filter(accepting_referrals=False).exists()


@pytest.mark.django_db
def test_staff_roles_follow_the_membership_rules() -> None:
    seed_demo(families=0)
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    hub_admins = Membership.objects.filter(role=Role.HUB_ADMIN)
    assert hub_admins.exists()
    assert all(m.organization.kind == OrganizationKind.HUB and m.user.is_staff for m in hub_admins)
    assert not User.objects.filter(is_staff=True).exclude(memberships__role=Role.HUB_ADMIN).exists()
    for org in Organization.objects.all():
        assert Membership.objects.filter(organization=org, is_org_admin=True).count() == 1, org.slug
    assert not Membership.objects.filter(role=Role.FAMILY_MEMBER, is_org_admin=True).exists()
    assert Membership.objects.filter(role=Role.ANALYST, organization__kind=OrganizationKind.MANAGED_CARE_PLAN).exists()
    assert Membership.objects.filter(role=Role.CLINICIAN, organization__kind=OrganizationKind.CLINIC).exists()
    assert not User.objects.exclude(email__endswith="@demo.ecwhub.example").exists()
    # Each membership is on record as added, like membership_add does one at a time.
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MEMBERSHIP_ADDED).count() == Membership.objects.count()


@pytest.mark.django_db
def test_every_well_known_sign_in_exists_with_its_role_and_staff_have_an_authenticator() -> None:
    out = seed_demo(families=0)
    for email, (role, kind) in WELL_KNOWN.items():
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert Membership.objects.filter(user=user, role=role, organization__kind=kind).exists(), email
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        if role == Role.FAMILY_MEMBER:
            assert not devices.exists()
            continue
        device = devices.get()
        assert device.name == "Authenticator app"
        assert device.key == demo_totp_key(seed=2026, email=email) and len(device.key) == 40
        assert f"{email}" in out and totp_secret_base32(device.key) in out
    assert "coordinator@demo.ecwhub.example" in out
    assert (
        "Two-factor codes: ./hub totp EMAIL prints the current code (or add the secret to any authenticator app)" in out
    )
    assert "Turn two-factor off for the demo with ECWHUB_MFA_REQUIRED=false" in out
    assert User.objects.get(email="admin@demo.ecwhub.example").is_staff


@pytest.mark.django_db
def test_every_staff_user_has_one_confirmed_device_and_family_members_none() -> None:
    seed_demo(families=0)
    for user in User.objects.prefetch_related("memberships"):
        is_staff_user = any(m.role in STAFF_ROLES for m in user.memberships.all())
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == (1 if is_staff_user else 0)
    assert User.objects.filter(memberships__role=Role.FAMILY_MEMBER).count() >= 3


@pytest.mark.django_db
def test_demo_totp_prints_a_code_the_device_accepts() -> None:
    seed_demo(families=0)
    out = StringIO()
    call_command("demo_totp", "Clinician@demo.ecwhub.example", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    device = TOTPDevice.objects.get(user__email="clinician@demo.ecwhub.example")
    assert device.verify_token(code)


@pytest.mark.django_db
def test_demo_totp_explains_unknown_users_and_users_without_a_device() -> None:
    seed_demo(families=0)
    with pytest.raises(CommandError, match="No user has the e-mail address"):
        call_command("demo_totp", "nobody@demo.ecwhub.example")
    with pytest.raises(CommandError, match="no confirmed authenticator app"):
        call_command("demo_totp", "family@demo.ecwhub.example")


# --- Running it again --------------------------------------------------------------------------


@pytest.mark.django_db
def test_if_empty_on_a_seeded_database_creates_nothing_and_prints_the_sign_ins() -> None:
    seed_demo(families=20)
    before = counts()
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert counts() == before
    device = TOTPDevice.objects.get(user__email="admin@demo.ecwhub.example")
    assert totp_secret_base32(device.key) in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_if_empty_on_an_empty_database_seeds() -> None:
    seed_demo("--if-empty", families=5)
    assert Household.objects.count() == 5


@pytest.mark.django_db
def test_a_non_empty_database_is_refused_and_left_unchanged() -> None:
    seed_demo(families=10)
    before = counts()
    with pytest.raises(CommandError, match="already holds data; seed_demo only fills an empty database"):
        seed_demo(families=10)
    assert counts() == before


@pytest.mark.django_db
def test_a_database_with_a_real_network_is_refused() -> None:
    Organization.objects.create(name="Real Hub", slug="real-hub", kind=OrganizationKind.HUB)
    with pytest.raises(CommandError, match="already holds data"):
        seed_demo(families=5)
    assert Organization.objects.count() == 1 and not User.objects.exists()


@pytest.mark.django_db
def test_a_failure_part_way_leaves_no_half_seeded_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(generator, "_create_households", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        seed_demo(families=5)
    assert all(value == 0 for value in counts().values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--families", "-1"], "--families"),
        (["--families", "many"], "--families"),
        (["--seed", "abc"], "--seed"),
        (["--today", "2026-02-30"], "--today"),
    ],
)
def test_bad_options_are_named_and_change_nothing(args: list[str], option: str) -> None:
    with pytest.raises(CommandError, match=option):
        call_command("seed_demo", *args, stdout=StringIO())
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_bad_keyword_values_are_checked_too() -> None:
    with pytest.raises(CommandError, match="--families"):
        call_command("seed_demo", families=-1, stdout=StringIO())
    assert not Organization.objects.exists()


# --- The families ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ages_and_household_make_up_are_realistic() -> None:
    seed_demo(families=60)
    people = list(Person.objects.all())
    for person in people:
        age = age_in_years(person.date_of_birth, TODAY)
        if person.relationship == Person.Relationship.CHILD:
            assert 0 <= age <= 8
        elif person.relationship == Person.Relationship.SIBLING:
            assert 9 <= age <= 14
        elif person.relationship == Person.Relationship.CAREGIVER:
            assert 18 <= age <= 50
        elif person.relationship == Person.Relationship.LEGAL_GUARDIAN:
            assert age >= 18
        elif person.relationship == Person.Relationship.GRANDPARENT:
            assert age >= 40
        if person.is_pregnant:
            assert person.sex == Person.Sex.FEMALE and person.relationship == Person.Relationship.CAREGIVER
    for household in Household.objects.annotate(
        kids=Count("members", filter=Q(members__relationship=Person.Relationship.CHILD)),
        adults=Count(
            "members",
            filter=Q(members__relationship__in=[Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN]),
        ),
    ):
        assert 1 <= household.kids <= 3 and 1 <= household.adults <= 2
        assert household.created_at <= household.updated_at


@pytest.mark.django_db
def test_the_default_run_seeds_500_families_with_progress_and_every_variety() -> None:
    out = StringIO()
    call_command("seed_demo", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert Household.objects.count() == 500
    assert len(re.findall(r"families: +\d+%", text)) == 10 and "100%" in text

    people = Person.objects.all()
    relationships = set(people.values_list("relationship", flat=True))
    assert relationships == set(Person.Relationship.values) - {Person.Relationship.OTHER}
    assert people.filter(is_pregnant=True).exists()
    assert people.filter(date_of_birth_estimated=True).exists()
    # Names as families write them.
    assert people.exclude(second_family_name="").exists()
    assert people.filter(family_name__contains="-").exists()
    assert people.filter(family_name__startswith="de").exists() or people.filter(family_name__startswith="De").exists()
    originals = list(people.exclude(name_original_script="").values_list("name_original_script", flat=True))
    assert any(CJK.search(name) for name in originals)
    assert any(VIETNAMESE_MARKS.search(name) for name in originals)
    assert any(re.search(r"[\u0531-\u058f]", name) for name in originals)  # Armenian script
    assert people.filter(family_name__in=["Chan", "Wong", "Cheung", "Lee", "Lau"]).exists()
    assert people.filter(family_name__in=["Chen", "Huang", "Zhang", "Li", "Liu"]).exists()
    assert people.filter(family_name="Nguyen").exists() and people.filter(family_name="Nguyễn").exists()
    # Languages and dialects.
    languages = dict(
        Household.objects.values("preferred_language").annotate(n=Count("id")).values_list("preferred_language", "n")
    )
    for language in ("en", "es", "yue", "cmn", "vi", "mix", "zap"):
        assert languages.get(language, 0) > 0, language
    for household in Household.objects.exclude(dialect=""):
        prefix = {"mix": "Mixteco", "zap": "Zapoteco", "quc": "K'iche'", "yue": "Taishanese", "hy": ""}[
            household.preferred_language
        ]
        assert household.dialect.startswith(prefix), household.dialect
    assert Household.objects.filter(interpreter_needed=True).exists()
    assert Household.objects.filter(interpreter_needed=False).exists()


@pytest.mark.django_db
def test_addresses_phones_and_registrars_are_local() -> None:
    seed_demo(families=60)
    for household in Household.objects.select_related("registered_by"):
        place = data.PLACE_BY_ZIP[household.postal_code]
        assert household.city == place.city and household.state == "CA"
        if household.street:
            assert any(household.street.endswith(street) for street in place.streets), household.street
        assert household.registered_by.kind in REGISTERING_KINDS
    phones = Person.objects.exclude(phone="").values_list("phone", flat=True)
    assert phones and all(PHONE.match(phone) for phone in phones)
    children_with_phone = Person.objects.filter(relationship=Person.Relationship.CHILD).exclude(phone="")
    assert not children_with_phone.exists()
    emails = Person.objects.exclude(email="").values_list("email", flat=True)
    assert emails and all(email.rsplit("@", 1)[1] in data.EMAIL_DOMAINS for email in emails)


@pytest.mark.django_db
def test_insurance_is_realistic_and_plans_go_only_with_medi_cal() -> None:
    seed_demo(families=60)
    people = Person.objects.all()
    assert not people.exclude(medi_cal_plan="").exclude(insurance_status=InsuranceStatus.MEDI_CAL).exists()
    assert not people.exclude(medi_cal_id="").exclude(insurance_status=InsuranceStatus.MEDI_CAL).exists()
    assert all(CIN.match(cin) for cin in people.exclude(medi_cal_id="").values_list("medi_cal_id", flat=True))
    children = people.filter(relationship=Person.Relationship.CHILD)
    on_medi_cal = children.filter(insurance_status=InsuranceStatus.MEDI_CAL).count()
    assert on_medi_cal > children.count() / 2
    plans = list(people.exclude(medi_cal_plan="").values_list("medi_cal_plan", flat=True))
    assert sum(plan in ("la_care", "health_net") for plan in plans) > len(plans) * 0.6
    assert people.filter(insurance_status=InsuranceStatus.UNINSURED).exists()
    assert people.filter(insurance_status=InsuranceStatus.PRIVATE).exists()


@pytest.mark.django_db
def test_the_demo_hub_administrator_manages_the_network_in_the_admin_site() -> None:
    from django.test import Client

    from tests.conftest import signed_in

    seed_demo(families=5)
    admin = User.objects.get(email="admin@demo.ecwhub.example")
    client = signed_in(Client(), admin)
    assert client.get("/admin/accounts/organization/").status_code == 200
    coordinator = User.objects.get(email="coordinator@demo.ecwhub.example")
    assert signed_in(Client(), coordinator).get("/admin/accounts/organization/").status_code == 302
