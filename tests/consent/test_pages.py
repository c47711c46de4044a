"""The families, consent, disclosure, emergency-access and agreement pages.

Every page: the person it is for sees it; people at other organizations, outsiders and the wrong
roles get the same 404 as for a record that does not exist; anonymous visitors are sent to sign in.
Every view of a family leaves an audit entry carrying the request's id.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import (
    DEFAULT_CONSENT_CATEGORIES,
    SENSITIVE_CATEGORIES,
    Agreement,
    AuditEntry,
    BreakGlass,
    Consent,
    DataCategory,
    Purpose,
    RelationshipKind,
)
from ecwhub.consent.services import agreement_create, consent_record, relationship_start, youth_restriction_set
from ecwhub.families.display import age_label
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, consent_post, make_family

pytestmark = pytest.mark.django_db


def client_for(user: User, language: str = "") -> Client:
    client = signed_in(Client(), user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def membership(user: User) -> Membership:
    return Membership.objects.filter(user=user, is_active=True).first()  # type: ignore[return-value]


def assert_audited(response, household_id: uuid.UUID) -> AuditEntry:  # type: ignore[no-untyped-def]
    entries = AuditEntry.objects.filter(request_id=response["X-Request-ID"], household_id=household_id)
    assert entries.exists(), "the page view left no audit entry for this family and request"
    return entries.first()  # type: ignore[return-value]


CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def assert_refused_like_a_missing_record(client: Client, real_path: str, fake_path: str) -> None:
    """The answer for a record one may not see is the answer for one that does not exist."""
    real, fake = client.get(real_path), client.get(fake_path)
    assert real.status_code == fake.status_code == 404

    def page(response, path: str) -> str:  # type: ignore[no-untyped-def]
        return CSRF_TOKEN.sub("", response.content.decode().replace(path, "PATH"))

    assert page(real, real_path) == page(fake, fake_path)


def assert_sent_to_sign_in(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def make_coordinator_elsewhere(network: Network) -> User:
    """Oscar becomes a coordinator at the food bank: a coordinator with no relationship to the family."""
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    return network.oscar


def link_carla(family: Family, network: Network) -> None:
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])


def family_path(family: Family, suffix: str = "") -> str:
    return f"/families/{family.household.pk}/{suffix}"


def random_path(suffix: str = "") -> str:
    return f"/families/{uuid.uuid4()}/{suffix}"


# --- Families list -------------------------------------------------------------------------------


def test_the_coordinator_lists_her_families_with_caregiver_children_and_language(
    network: Network, family: Family
) -> None:
    family.household.dialect = "Mixteco de San Juan"
    family.household.save(update_fields=["dialect"])
    response = client_for(network.alice).get("/families/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "María García López" in html
    assert f"Sofía ({age_label(family.child)})" in html
    assert "Diego (" not in html, "only children are listed with their ages"
    assert "Spanish (Mixteco de San Juan)" in html
    assert "91801" in html
    assert f'href="/families/{family.household.pk}/"' in html
    entries = AuditEntry.objects.filter(request_id=response["X-Request-ID"], household_id=family.household.pk)
    assert {e.categories for e in entries} == {"identity_contact", "demographics"}


def test_the_list_filters_by_zip_code_and_refuses_a_bad_one(network: Network, family: Family) -> None:
    other = make_family(network)
    other.household.postal_code = "90022"
    other.household.save(update_fields=["postal_code"])
    client = client_for(network.alice)
    html = client.get("/families/", {"zip": "90022"}).content.decode()
    assert len(re.findall(r'href="/families/[0-9a-f-]{36}/"', html)) == 1
    assert f"/families/{other.household.pk}/" in html
    assert f"/families/{family.household.pk}/" not in html
    empty = client.get("/families/", {"zip": "90001"})
    assert "No families to show" in empty.content.decode()
    bad = client.get("/families/", {"zip": "María"})
    assert bad.status_code == 400
    assert "five-digit ZIP code" in bad.content.decode()


def test_the_list_has_pages_of_25(network: Network, family: Family) -> None:
    for _ in range(25):
        make_family(network)
    client = client_for(network.alice)
    first = client.get("/families/").content.decode()
    second = client.get("/families/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first
    assert first.count("<tr>") - 1 == 25
    assert second.count("<tr>") - 1 == 1


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_number_of_families(
    network: Network, family: Family
) -> None:
    client = client_for(network.alice)
    client.get("/families/")  # warm the session and the membership lookups

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/families/").status_code == 200
        return len(captured)

    one = queries()
    for _ in range(5):
        make_family(network)
    assert queries() == one


def test_the_list_is_empty_for_a_provider_without_a_relationship(network: Network, family: Family) -> None:
    response = client_for(network.bob).get("/families/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No families to show" in html
    assert "María" not in html


@pytest.mark.parametrize("persona", ["admin", "carla", "oscar"])
def test_the_list_is_not_there_for_other_roles(network: Network, family: Family, persona: str) -> None:
    assert client_for(getattr(network, persona)).get("/families/").status_code == 404


def test_analysts_read_no_family_record_even_with_a_consent_for_quality_improvement(
    network: Network, family: Family
) -> None:
    """The analyst's home says they see aggregates, never individual family records: the families
    list, the family page and the API are not theirs, whatever the family consented to."""
    analyst = User.objects.create_user("ana@example.org", "x", first_name="Ana")
    membership_add(acting_user=None, user=analyst, organization=network.frc, role=Role.ANALYST)
    consent_record(
        acting_user=network.alice,
        membership=membership(network.alice),
        household=family.household,
        given_by=family.mother,
        method="signed_on_device",
        categories=[DataCategory.IDENTITY_CONTACT],
        purposes=[Purpose.QUALITY_IMPROVEMENT],
        network_wide=True,
        text_version="2026-1",
        language="es",
    )
    client = client_for(analyst)
    assert client.get("/families/").status_code == 404
    assert client.get(f"/families/{family.household.pk}/").status_code == 404
    assert client.get("/api/v1/families").json()["count"] == 0
    assert "María" not in client.get(f"/api/v1/families/{family.household.pk}").content.decode()
    home = client.get("/").content.decode()
    assert "never individual family records" in home and 'href="/families/"' not in home


def test_anonymous_visitors_are_sent_to_sign_in(family: Family) -> None:
    for path in (
        "/families/",
        family_path(family),
        family_path(family, "consent/"),
        family_path(family, "disclosures/"),
        family_path(family, "emergency/"),
        "/my-family/",
        "/my-family/disclosures/",
        "/agreements/",
        "/agreements/new/",
        "/agreements/emergency-access/",
    ):
        assert_sent_to_sign_in(path)


# --- Family page ---------------------------------------------------------------------------------


def test_the_coordinator_opens_the_family_with_names_as_written(network: Network, family: Family) -> None:
    family.mother.name_original_script = "Ñuu Savi: María"
    family.mother.preferred_name = "Mari"
    family.mother.phone = "626-555-0199"
    family.mother.save(update_fields=["name_original_script", "preferred_name", "phone"])
    response = client_for(network.alice).get(family_path(family))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("María García López", "Ñuu Savi: María", "Goes by Mari", "Sofía García", "Diego García"):
        assert text in html
    assert "Parent or caregiver" in html and "Older sibling" in html
    assert age_label(family.child) in html
    assert "626-555-0199" in html
    assert "Insurance" in html, "the default consent covers insurance"
    assert "Emergency access" not in html
    assert f"/families/{family.household.pk}/consent/" in html
    assert f"/families/{family.household.pk}/disclosures/" in html
    assert f"/families/{family.household.pk}/export.json" in html
    entry = assert_audited(response, family.household.pk)
    # One entry for the page: the members, and the care panel (the tier is care plan).
    assert entry.categories == "care_plan,demographics,identity_contact,insurance"
    assert entry.actor_id == network.alice.pk


def test_insurance_is_shown_only_when_the_consent_covers_it(network: Network) -> None:
    family = make_family(network, consent=False)
    consent_record(
        acting_user=network.alice,
        membership=membership(network.alice),
        household=family.household,
        given_by=family.mother,
        method="signed_on_device",
        categories=[DataCategory.IDENTITY_CONTACT, DataCategory.DEMOGRAPHICS],
        purposes=[Purpose.CARE_COORDINATION],
        network_wide=True,
        text_version="2026-1",
        language="es",
    )
    response = client_for(network.alice).get(family_path(family))
    assert response.status_code == 200
    html = response.content.decode()
    assert "María García López" in html
    assert "Insurance" not in html
    assert assert_audited(response, family.household.pk).categories == "demographics,identity_contact"


@pytest.mark.parametrize("persona", ["bob", "admin", "carla", "oscar", "coordinator elsewhere"])
def test_the_family_page_is_the_same_404_as_a_missing_family(network: Network, family: Family, persona: str) -> None:
    user = make_coordinator_elsewhere(network) if persona == "coordinator elsewhere" else getattr(network, persona)
    client = client_for(user)
    for suffix in ("", "consent/", "disclosures/"):
        assert_refused_like_a_missing_record(client, family_path(family, suffix), random_path(suffix))
    assert not AuditEntry.objects.filter(actor_id=user.pk, household_id=family.household.pk).exists()


# --- Consent page --------------------------------------------------------------------------------


def test_the_consent_page_lists_consents_and_offers_the_form(network: Network, family: Family) -> None:
    response = client_for(network.alice).get(family_path(family, "consent/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "In force" in html and "The whole network" in html and "Signed on a device" in html
    assert "Version 2026-1, in Spanish" in html
    assert "María García López" in html
    form = response.context["form"]
    givers = dict(form.fields["given_by"].choices)
    assert str(family.mother.pk) in givers
    assert "for themself only" in givers[str(family.teen.pk)], "a young person of 12+ consents for themself"
    assert str(family.child.pk) not in givers
    assert set(form.fields["categories"].initial) == {str(c) for c in DEFAULT_CONSENT_CATEGORIES}
    assert form.fields["text_version"].initial == "2026-1"
    assert form.fields["language"].initial == "es"
    checkboxes = {
        re.search(r'value="([a-z_]+)"', tag).group(1): "checked" in tag  # type: ignore[union-attr]
        for tag in re.findall(r'<input type="checkbox" name="categories"[^>]*>', html)
    }
    assert checkboxes == {str(c): c not in SENSITIVE_CATEGORIES for c in DataCategory}
    assert html.count("sensitive — only with explicit agreement") == len(SENSITIVE_CATEGORIES)
    assert_audited(response, family.household.pk)


def test_the_consent_form_records_a_consent(network: Network, family: Family) -> None:
    client = client_for(network.alice)
    data = consent_post(
        family,
        scope="organizations",
        organizations=[str(network.food_bank.pk)],
        categories=[DataCategory.IDENTITY_CONTACT, DataCategory.BEHAVIORAL_HEALTH],
        purposes=[Purpose.REFERRAL, Purpose.CARE_COORDINATION],
        method="verbal_witnessed",
        witness="Rosa Méndez",
    )
    response = client.post(family_path(family, "consent/"), data)
    assert response.status_code == 302
    assert response["Location"] == family_path(family, "consent/")
    consent = Consent.objects.filter(household=family.household).order_by("-given_at").first()
    assert consent is not None
    assert Consent.objects.filter(household=family.household).count() == 2
    assert consent.network_wide is False
    assert list(consent.organizations.all()) == [network.food_bank]
    assert {c.category for c in consent.categories.all()} == {"identity_contact", "behavioral_health"}
    assert {p.purpose for p in consent.purposes.all()} == {"referral", "care_coordination"}
    assert consent.witness == "Rosa Méndez"
    assert consent.given_by == family.mother
    assert consent.recorded_by == network.alice
    assert consent.recorded_in == network.frc
    assert AuditEntry.objects.filter(action="consent_given", request_id=response["X-Request-ID"]).exists()


def test_a_young_person_records_consent_for_themself(network: Network, family: Family) -> None:
    data = consent_post(family, given_by=str(family.teen.pk), person=str(family.teen.pk))
    response = client_for(network.alice).post(family_path(family, "consent/"), data)
    assert response.status_code == 302
    assert Consent.objects.filter(person=family.teen, given_by=family.teen).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"method": "verbal_witnessed", "witness": "  "}, "witness"),
        ({"method": "paper_scanned"}, "document"),
        ({"given_by": "teen"}, "given_by"),
        ({"scope": "organizations"}, "organizations"),
        ({"categories": []}, "categories"),
        ({"purposes": []}, "purposes"),
        ({"text_version": " "}, "text_version"),
    ],
)
def test_the_consent_form_names_the_field_at_fault_and_writes_nothing(
    network: Network, family: Family, overrides: dict[str, object], field: str
) -> None:
    if overrides.get("given_by") == "teen":
        overrides = {"given_by": str(family.teen.pk)}  # the teen for the whole family: not allowed
    before = (Consent.objects.count(), AuditEntry.objects.filter(action="consent_given").count())
    response = client_for(network.alice).post(family_path(family, "consent/"), consent_post(family, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert (Consent.objects.count(), AuditEntry.objects.filter(action="consent_given").count()) == before


def test_the_consent_error_is_in_spanish_for_a_spanish_reader(network: Network, family: Family) -> None:
    client = client_for(network.alice, language="es")
    data = consent_post(family, method="verbal_witnessed")
    response = client.post(family_path(family, "consent/"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["witness"] == ["El consentimiento verbal necesita el nombre de un testigo."]


def test_provider_staff_may_read_the_family_but_not_its_consents(network: Network, family: Family) -> None:
    relationship_start(
        acting_user=None,
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    agreement_create(
        acting_user=network.admin,
        membership=membership(network.admin),
        title="FRC and food bank",
        parties=[network.frc, network.food_bank],
        categories=[DataCategory.IDENTITY_CONTACT],
        purposes=[Purpose.CARE_COORDINATION],
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-1",
    )
    client = client_for(network.bob)
    assert client.get(family_path(family)).status_code == 200
    consent_path = family_path(family, "consent/")
    assert_refused_like_a_missing_record(client, consent_path, random_path("consent/"))
    assert client.post(consent_path, consent_post(family)).status_code == 404
    assert Consent.objects.count() == 1
    assert not AuditEntry.objects.filter(
        actor_id=network.bob.pk, request_id__in=[client.get(consent_path)["X-Request-ID"]]
    ).exists(), "a refused consent page leaves no 'viewed' line in the family's report"


def test_withdrawing_the_only_consent_ends_access_at_once(network: Network, family: Family) -> None:
    client = client_for(network.alice)
    consent = Consent.objects.get(household=family.household)
    assert client.get(family_path(family)).status_code == 200
    response = client.post(family_path(family, f"consent/{consent.pk}/withdraw/"), {"reason": "family moved"})
    assert response.status_code == 302
    assert response["Location"] == "/families/"
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == network.alice
    assert consent.withdrawal_reason == "family moved"
    assert client.get(family_path(family)).status_code == 404
    assert client.get(family_path(family, "consent/")).status_code == 404
    assert "María" not in client.get("/families/").content.decode()


def test_withdrawing_one_of_two_consents_returns_to_the_consent_page(network: Network, family: Family) -> None:
    client = client_for(network.alice)
    client.post(family_path(family, "consent/"), consent_post(family))
    referral_only = Consent.objects.filter(household=family.household).order_by("-given_at").first()
    assert referral_only is not None
    response = client.post(family_path(family, f"consent/{referral_only.pk}/withdraw/"))
    assert response["Location"] == family_path(family, "consent/")
    html = client.get(family_path(family, "consent/")).content.decode()
    assert "Withdrawn" in html and "In force" in html


def test_a_consent_of_another_family_cannot_be_withdrawn_through_this_one(network: Network, family: Family) -> None:
    other = make_family(network)
    other_consent = Consent.objects.get(household=other.household)
    response = client_for(network.alice).post(family_path(family, f"consent/{other_consent.pk}/withdraw/"))
    assert response.status_code == 404
    other_consent.refresh_from_db()
    assert other_consent.withdrawn_at is None


def test_withdraw_is_only_a_post(network: Network, family: Family) -> None:
    consent = Consent.objects.get(household=family.household)
    assert client_for(network.alice).get(family_path(family, f"consent/{consent.pk}/withdraw/")).status_code == 405


# --- Disclosure report ---------------------------------------------------------------------------


def test_the_disclosure_report_lists_the_coordinators_read(network: Network, family: Family) -> None:
    client = client_for(network.alice)
    client.get(family_path(family))
    response = client.get(family_path(family, "disclosures/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Álvarez" in html
    assert "Casa Familia FRC" in html
    assert "Care coordinator / CHW" in html
    assert "Viewed" in html and "Consent recorded" in html
    assert "Identity and contact" in html and "Care coordination" in html
    assert_audited(response, family.household.pk)


def test_the_family_member_sees_their_family_in_spanish(network: Network, family: Family) -> None:
    link_carla(family, network)
    client = client_for(network.carla, language="es")
    response = client.get("/my-family/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Mi familia" in html
    assert "María García López" in html and "Sofía García" in html
    assert "En vigor" in html, "the consent's status, in Spanish"
    assert "Toda la red" in html
    assert "Identidad y contacto" in html
    assert "Retirar este consentimiento" in html
    assert "In force" not in html and "Withdraw this consent" not in html
    entry = assert_audited(response, family.household.pk)
    assert entry.role == Role.FAMILY_MEMBER


def test_the_family_member_sees_who_has_seen_their_information_in_spanish(network: Network, family: Family) -> None:
    link_carla(family, network)
    client_for(network.alice).get(family_path(family))
    response = client_for(network.carla, language="es").get("/my-family/disclosures/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quién ha visto la información de su familia" in html
    assert "Alice Álvarez" in html and "Casa Familia FRC" in html
    assert "Coordinador(a) de cuidados / promotor(a) de salud" in html
    assert "Coordinación de cuidados" in html
    assert "Viewed" not in html and "Who" not in html
    assert_audited(response, family.household.pk)


def test_the_family_member_withdraws_a_consent_and_the_coordinator_loses_access(
    network: Network, family: Family
) -> None:
    link_carla(family, network)
    consent = Consent.objects.get(household=family.household)
    response = client_for(network.carla).post(f"/my-family/consent/{consent.pk}/withdraw/", {"reason": "no"})
    assert response.status_code == 302
    assert response["Location"] == "/my-family/"
    consent.refresh_from_db()
    assert consent.withdrawn_by == network.carla
    assert client_for(network.alice).get(family_path(family)).status_code == 404
    assert client_for(network.carla).get("/my-family/").status_code == 200, "the family always sees itself"


def test_a_young_person_keeps_their_information_from_the_parent(network: Network, family: Family) -> None:
    link_carla(family, network)
    youth_restriction_set(
        acting_user=network.alice, membership=membership(network.alice), youth=family.teen, hidden_from=family.mother
    )
    html = client_for(network.carla).get("/my-family/").content.decode()
    assert "Sofía García" in html
    assert "Diego" not in html


def test_a_family_member_without_a_linked_family_sees_a_note(network: Network, family: Family) -> None:
    client = client_for(network.carla)
    response = client.get("/my-family/")
    assert response.status_code == 200
    assert "not linked" in response.content.decode()
    assert "María" not in response.content.decode()
    assert client.get("/my-family/disclosures/").status_code == 404


def test_another_family_member_cannot_withdraw_this_familys_consent(network: Network, family: Family) -> None:
    other = make_family(network)
    link_carla(other, network)
    consent = Consent.objects.get(household=family.household)
    assert client_for(network.carla).post(f"/my-family/consent/{consent.pk}/withdraw/").status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


@pytest.mark.parametrize("persona", ["alice", "bob", "admin"])
def test_the_family_pages_are_not_there_for_staff(network: Network, family: Family, persona: str) -> None:
    client = client_for(getattr(network, persona))
    assert client.get("/my-family/").status_code == 404
    assert client.get("/my-family/disclosures/").status_code == 404


# --- Emergency access ----------------------------------------------------------------------------


def test_emergency_access_opens_the_family_with_a_badge_and_is_reviewed(network: Network, family: Family) -> None:
    oscar = make_coordinator_elsewhere(network)
    client = client_for(oscar)
    assert_refused_like_a_missing_record(client, family_path(family), random_path())
    form = client.get(family_path(family, "emergency/"))
    assert form.status_code == 200
    html = form.content.decode()
    assert "4 hours" in html and "hub administrator" in html and "shown to the family" in html
    assert "María" not in html

    short = client.post(family_path(family, "emergency/"), {"reason": "urgent"})
    assert short.status_code == 400
    assert "reason" in short.context["form"].errors
    assert not BreakGlass.objects.exists()

    reason = "Child left alone at the clinic; the caregiver must be called now"
    response = client.post(family_path(family, "emergency/"), {"reason": reason})
    assert response.status_code == 302
    assert response["Location"] == family_path(family)
    grant = BreakGlass.objects.get()
    assert grant.user == oscar and grant.household_id == family.household.pk

    page = client.get(family_path(family))
    assert page.status_code == 200
    html = page.content.decode()
    assert "María García López" in html
    assert "emergency access" in html.lower()
    assert assert_audited(page, family.household.pk).detail.startswith("break-glass")

    report = client_for(network.alice).get(family_path(family, "disclosures/")).content.decode()
    assert 'class="emergency"' in report and "Emergency access opened" in report

    admin = client_for(network.admin)
    review = admin.get("/agreements/emergency-access/")
    assert review.status_code == 200
    html = review.content.decode()
    assert "Oscar Outsider" in html and "Valley Food Bank" in html
    assert str(family.household.pk)[:8] in html
    assert str(family.household.pk) not in html, "only the start of the reference"
    assert reason in html
    assert "García" not in html
    reviewed = admin.post(f"/agreements/emergency-access/{grant.pk}/reviewed/")
    assert reviewed.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == network.admin and grant.reviewed_at is not None
    first_review = grant.reviewed_at
    admin.post(f"/agreements/emergency-access/{grant.pk}/reviewed/")
    grant.refresh_from_db()
    assert grant.reviewed_at == first_review, "the first review stands"


def test_emergency_access_ends_when_its_time_is_up(network: Network, family: Family) -> None:
    oscar = make_coordinator_elsewhere(network)
    client = client_for(oscar)
    client.post(family_path(family, "emergency/"), {"reason": "Child in danger, caregiver unreachable by phone"})
    assert client.get(family_path(family)).status_code == 200
    BreakGlass.objects.update(
        started_at=timezone.now() - timedelta(hours=5), expires_at=timezone.now() - timedelta(hours=1)
    )
    assert client.get(family_path(family)).status_code == 404


@pytest.mark.parametrize("persona", ["bob", "admin", "carla", "oscar"])
def test_emergency_access_is_only_for_coordinators_and_clinicians(
    network: Network, family: Family, persona: str
) -> None:
    client = client_for(getattr(network, persona))
    assert client.get(family_path(family, "emergency/")).status_code == 404
    response = client.post(family_path(family, "emergency/"), {"reason": "A long enough reason for the emergency"})
    assert response.status_code == 404
    assert not BreakGlass.objects.exists()


def test_the_emergency_form_does_not_tell_whether_a_family_exists(network: Network, family: Family) -> None:
    """The form answers the same for a real family and a random id; sending it for a random id is
    404 and opens nothing."""
    client = client_for(make_coordinator_elsewhere(network))
    real = client.get(f"/families/{family.household.pk}/emergency/")
    fake = client.get(random_path("emergency/"))
    assert real.status_code == fake.status_code == 200
    assert real.content.decode().count("<form") == fake.content.decode().count("<form")
    reason = "The child was brought to the emergency room alone and staff need the caregiver's phone."
    assert client.post(random_path("emergency/"), {"reason": reason}).status_code == 404
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "bob", "carla", "oscar"])
def test_the_emergency_review_is_only_for_hub_administrators(network: Network, persona: str) -> None:
    client = client_for(getattr(network, persona))
    assert client.get("/agreements/emergency-access/").status_code == 404


# --- Agreements ----------------------------------------------------------------------------------


def agreement_post(network: Network, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "FRC and food bank referrals",
        "parties": [str(network.frc.pk), str(network.food_bank.pk)],
        "categories": [DataCategory.IDENTITY_CONTACT, DataCategory.DEMOGRAPHICS],
        "purposes": [Purpose.CARE_COORDINATION, Purpose.REFERRAL],
        "effective_from": "2026-01-01",
        "effective_until": "",
        "signed_document": "Binder 3, DSA-12",
    }
    data.update(overrides)
    return data


def test_an_agreement_gives_and_its_termination_takes_away_access(network: Network, family: Family) -> None:
    relationship_start(
        acting_user=None,
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    bob = client_for(network.bob)
    assert bob.get(family_path(family)).status_code == 404, "no agreement yet"

    admin = client_for(network.admin)
    response = admin.post("/agreements/new/", agreement_post(network))
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert response["Location"] == f"/agreements/{agreement.pk}/"
    assert set(agreement.parties.all()) == {network.frc, network.food_bank}
    assert {c.category for c in agreement.categories.all()} == {"identity_contact", "demographics"}
    assert {p.purpose for p in agreement.purposes.all()} == {"care_coordination", "referral"}
    assert agreement.signed_document == "Binder 3, DSA-12"

    listing = admin.get("/agreements/").content.decode()
    assert "FRC and food bank referrals" in listing and "In force" in listing
    assert "Casa Familia FRC, Valley Food Bank" in listing

    page = bob.get(family_path(family))
    assert page.status_code == 200
    assert "María García López" in page.content.decode()

    refused = admin.post(f"/agreements/{agreement.pk}/", {"reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.context["form"].errors
    agreement.refresh_from_db()
    assert agreement.terminated_at is None

    ended = admin.post(f"/agreements/{agreement.pk}/", {"reason": "The food bank left the network"})
    assert ended.status_code == 302
    agreement.refresh_from_db()
    assert agreement.terminated_at is not None and agreement.terminated_by == network.admin
    assert bob.get(family_path(family)).status_code == 404
    detail = admin.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Terminated" in detail and "The food bank left the network" in detail
    assert "Terminate the agreement" not in detail


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parties": []}, "parties"),
        ({"categories": []}, "categories"),
        ({"purposes": []}, "purposes"),
        ({"effective_until": "2025-12-31"}, "effective_until"),
        ({"signed_document": ""}, "signed_document"),
        ({"effective_from": "not a date"}, "effective_from"),
    ],
)
def test_the_agreement_form_names_the_field_at_fault_and_writes_nothing(
    network: Network, overrides: dict[str, object], field: str
) -> None:
    if field == "parties":
        overrides = {"parties": [str(network.frc.pk)]}
    response = client_for(network.admin).post("/agreements/new/", agreement_post(network, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Agreement.objects.exists()


def test_the_agreement_form_marks_the_sensitive_categories(network: Network) -> None:
    html = client_for(network.admin).get("/agreements/new/").content.decode()
    assert html.count("sensitive — only with explicit agreement") == len(SENSITIVE_CATEGORIES)
    assert "<legend><strong>Parties</strong></legend>" in html


@pytest.mark.parametrize("persona", ["alice", "bob", "carla", "oscar"])
def test_the_agreement_pages_are_only_for_hub_administrators(network: Network, persona: str) -> None:
    agreement = agreement_create(
        acting_user=network.admin,
        membership=membership(network.admin),
        title="Hub and FRC",
        parties=[network.hub, network.frc],
        categories=[DataCategory.IDENTITY_CONTACT],
        purposes=[Purpose.CARE_COORDINATION],
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-1",
    )
    client = client_for(getattr(network, persona))
    for path in ("/agreements/", "/agreements/new/", f"/agreements/{agreement.pk}/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/agreements/{agreement.pk}/", {"reason": "because"}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.terminated_at is None


# --- Navigation ----------------------------------------------------------------------------------


def test_the_menu_offers_each_role_its_pages(network: Network) -> None:
    assert 'href="/families/"' in client_for(network.alice).get("/").content.decode()
    assert 'href="/families/"' in client_for(network.bob).get("/").content.decode()
    admin = client_for(network.admin).get("/").content.decode()
    assert 'href="/agreements/"' in admin and 'href="/families/"' not in admin
    carla = client_for(network.carla).get("/").content.decode()
    assert 'href="/my-family/"' in carla and 'href="/families/"' not in carla


def test_the_coordinator_and_the_family_export_everything_and_others_get_404(network: Network, family: Family) -> None:
    import json as _json

    from ecwhub.consent.models import AuditEntry as _Entry

    client = signed_in(Client(), network.alice)
    response = client.get(f"/families/{family.household.pk}/export.json")
    assert response.status_code == 200
    data = _json.loads(response.content)
    assert {p["given_name"] for p in data["people"]} == {"María", "Sofía", "Diego"}
    assert response["Cache-Control"] == "no-store"
    assert _Entry.objects.filter(action="export", household_id=family.household.pk, actor_id=network.alice.pk).exists()
    page = client.get(f"/families/{family.household.pk}/export.html")
    assert "Everything the hub holds about your family" in page.content.decode()
    assert client.get(f"/families/{family.household.pk}/export.xml").status_code == 404
    assert signed_in(Client(), network.bob).get(f"/families/{family.household.pk}/export.json").status_code == 404
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    own = signed_in(Client(), network.carla).get("/my-family/export.json")
    assert own.status_code == 200 and _json.loads(own.content)["household"]["id"] == str(family.household.pk)
