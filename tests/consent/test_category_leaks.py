"""Leaks of a data category to people who may see the family but not that category.

Each test reproduces one way a row outside the viewer's categories reached them: a young person's
name in the families API, a self-harm alert, a disclosure line, a screen written or listed about
the wrong person, and derived care rows (the tier, surveillance) shown to a role that does not
read the care plan.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import api_token_create, membership_add
from ecwhub.care.models import CareEvent, CareEventKind, TierAssignment
from ecwhub.care.services import household_tier_recompute
from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES, DataCategory, Purpose, RelationshipKind
from ecwhub.consent.services import (
    agreement_create,
    consent_record,
    relationship_start,
    sensitive_note_record,
    youth_restriction_set,
)
from ecwhub.families.models import Person
from ecwhub.screening import services as screening
from ecwhub.screening.models import ScreeningAlert, ScreeningResponse
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family
from tests.screening.conftest import ScreenFamily, make_screen_family

pytestmark = pytest.mark.django_db


def _m(user: object) -> Membership:
    return Membership.objects.filter(user=user, is_active=True).first()  # type: ignore[return-value]


def _food_bank_works_with(network: Network, household: object) -> None:
    """The food bank receives a referral for the family, under an agreement naming every category."""
    agreement_create(
        acting_user=network.admin,
        membership=_m(network.admin),
        title="Hub, resource center and food bank",
        parties=[network.hub, network.frc, network.food_bank],
        categories=list(DataCategory),
        purposes=list(Purpose),
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-7",
    )
    relationship_start(
        acting_user=None,
        household=household,  # type: ignore[arg-type]
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )


def _analyst(network: Network, household: object, mother: Person) -> Client:
    """An analyst at the registering organization, with the family's consent for quality improvement."""
    analyst = membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.ANALYST)
    consent_record(
        acting_user=network.alice,
        membership=_m(network.alice),
        household=household,  # type: ignore[arg-type]
        given_by=mother,
        method="signed_on_device",
        categories=DEFAULT_CONSENT_CATEGORIES,
        purposes=[Purpose.QUALITY_IMPROVEMENT],
        network_wide=True,
        text_version="2026-1",
        language="es",
    )
    assert analyst.role == Role.ANALYST
    return signed_in(Client(), network.oscar)


def _self_harm_alert(network: Network, family: ScreenFamily) -> ScreeningAlert:
    """The mother answers the EPDS's self-harm question on her own phone."""
    carla = _m(network.carla)
    response = screening.screening_start(
        acting_user=network.carla,
        membership=carla,
        household=family.household,
        person=family.mother,
        instrument_id="epds",
        language="es",
    )
    screening.screening_answer(
        acting_user=network.carla, membership=carla, response=response, link_id="/71364-4", answer=["epds-10-1"]
    )
    return ScreeningAlert.objects.get(household=family.household)


# --- A young person who keeps their information from the family ------------------------------------


def test_the_families_list_api_hides_a_young_person_from_the_family_member(network: Network, family: Family) -> None:
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    youth_restriction_set(
        acting_user=network.alice, membership=_m(network.alice), youth=family.teen, hidden_from=family.mother
    )
    _, token = api_token_create(acting_user=network.carla, name="phone")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = Client().get("/api/v1/families", **headers)
    assert listed.status_code == 200
    names = [p["given_name"] for item in listed.json()["items"] for p in item["members"]]
    assert "María" in names and "Sofía" in names
    assert "Diego" not in names, "the list showed a young person who keeps their information private"
    detail = Client().get(f"/api/v1/families/{family.household.pk}", **headers).json()
    assert "Diego" not in [p["given_name"] for p in detail["members"]]


# --- Safety and self-harm alerts ---------------------------------------------------------------------


def test_a_self_harm_alert_is_not_shown_to_a_coordinator_whose_consent_lacks_behavioral_health(
    network: Network,
) -> None:
    family = make_screen_family(network, sensitive=False, link_carla=True)
    alert = _self_harm_alert(network, family)
    alice = signed_in(Client(), network.alice)
    page = alice.get(reverse("screening:family", args=[family.household.pk]))
    assert page.status_code == 200
    # The page's own content: the navigation, the same on every page, links the coordinator's alert inbox.
    body = page.content.decode().split('<main id="main"', 1)[1]
    # \b: the page's links hold random UUIDs, which may contain the digits 988.
    assert not re.search(r"\b988\b", body) and "alert" not in body.lower(), "the alert banner leaked"
    detail = alice.get(reverse("screening:alert", args=[family.household.pk, alert.pk]))
    assert detail.status_code == 404


def test_a_self_harm_alert_is_not_shown_to_an_analyst(network: Network) -> None:
    family = make_screen_family(network, sensitive=True, link_carla=True)
    alert = _self_harm_alert(network, family)
    analyst = _analyst(network, family.household, family.mother)
    page = analyst.get(reverse("screening:family", args=[family.household.pk]))
    assert page.status_code == 404, "an analyst reads no family's record"
    assert not re.search(r"\b988\b", page.content.decode())
    assert analyst.get(reverse("screening:alert", args=[family.household.pk, alert.pk])).status_code == 404


# --- The disclosure report ---------------------------------------------------------------------------


def test_provider_staff_do_not_read_sensitive_lines_of_the_disclosure_report(network: Network) -> None:
    family = make_screen_family(network, sensitive=True)
    sensitive_note_record(
        acting_user=network.alice,
        membership=_m(network.alice),
        household=family.household,
        category=DataCategory.BEHAVIORAL_HEALTH,
        text="Talked about her low mood since the birth.",
    )
    _food_bank_works_with(network, family.household)
    bob = signed_in(Client(), network.bob)
    report = bob.get(reverse("consent:disclosures", args=[family.household.pk]))
    assert report.status_code == 200
    body = report.content.decode()
    assert "Behavioral health" not in body, "a provider read a behavioral-health line of the report"
    assert "sensitive note" not in body.lower()


# --- What a family member may write, and the screening API's per-person filter -----------------------


def test_a_family_member_cannot_screen_another_adult_or_a_young_person_who_keeps_their_information(
    network: Network, family: Family
) -> None:
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    grandmother = Person.objects.create(
        household=family.household,
        relationship=Person.Relationship.GRANDPARENT,
        given_name="Rosa",
        family_name="López",
        date_of_birth=date(1960, 5, 5),
        preferred_language="es",
    )
    youth_restriction_set(
        acting_user=network.alice, membership=_m(network.alice), youth=family.teen, hidden_from=family.mother
    )
    for person in (grandmother, family.teen):
        with pytest.raises(screening.ScreeningError):
            screening.screening_start(
                acting_user=network.carla,
                membership=_m(network.carla),
                household=family.household,
                person=person,
                instrument_id="phq-2-9",
                language="es",
            )
    assert not ScreeningResponse.objects.exists()


def test_the_screening_api_hides_a_young_persons_screens_from_the_family_member(
    network: Network, family: Family
) -> None:
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    screening.screening_start(
        acting_user=network.alice,
        membership=_m(network.alice),
        household=family.household,
        person=family.teen,
        instrument_id="ahc-hrsn-core",
        language="es",
    )
    youth_restriction_set(
        acting_user=network.alice, membership=_m(network.alice), youth=family.teen, hidden_from=family.mother
    )
    _, token = api_token_create(acting_user=network.carla, name="phone")
    listed = Client().get(f"/api/v1/families/{family.household.pk}/screenings", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200
    assert str(family.teen.pk) not in listed.content.decode(), "the API listed a screen of the young person"


# --- Derived rows: the tier and the surveillance are care plan ----------------------------------------


def test_provider_staff_see_no_tier_and_no_surveillance_and_are_not_audited_for_them(
    network: Network, family: Family
) -> None:
    CareEvent.objects.create(
        person=family.child, household=family.household, kind=CareEventKind.WELL_CHILD_VISIT, date=date(2026, 2, 1)
    )
    household_tier_recompute([family.household.pk])
    assert TierAssignment.objects.filter(household=family.household).exists()
    _food_bank_works_with(network, family.household)
    bob = signed_in(Client(), network.bob)
    page = bob.get(reverse("families:detail", args=[family.household.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="tier"' not in body and "Tier 1" not in body, "the tier is care plan"
    assert "Well-child visit" not in body, "surveillance of care events is care plan"
    from ecwhub.consent.models import AuditEntry

    audited = AuditEntry.objects.filter(household_id=family.household.pk, actor_id=network.bob.pk)
    assert all(DataCategory.CARE_PLAN not in entry.categories.split(",") for entry in audited)
