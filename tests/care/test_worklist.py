"""The worklist and the overdue list: ordering, filters, the access policy, audit and query counts;
the family page's care panel; the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import membership_add
from ecwhub.care.models import CareEvent, CareEventKind, Contact, EpsdtNecessity, TierAssignment
from ecwhub.care.services import contact_record, household_tier_recompute
from ecwhub.consent.models import AuditEntry, Relationship, RelationshipKind
from ecwhub.consent.services import relationship_start
from ecwhub.families.models import Household
from tests.care.conftest import child, consent_to_behavioral_health, days_ago, screened
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def _visit(family: Family, days: int = 20) -> None:
    CareEvent.objects.create(
        person=family.child,
        household=family.household,
        kind=CareEventKind.WELL_CHILD_VISIT,
        date=timezone.localdate() - timedelta(days=days),
    )


def _names(response: object) -> list[str]:
    return [str(row.household.pk) for row in response.context["rows"]]  # type: ignore[attr-defined]


@pytest.fixture
def families(network: Network) -> dict[str, Family]:
    """Four families of alice's organization and one the food bank registered."""
    made = {name: make_family(network) for name in ("calm", "hungry", "depressed_old", "depressed_new")}
    for family in made.values():
        _visit(family)
    screened(made["hungry"], network, instrument="ahc-hrsn-core", needs=("food-insecurity",), at=days_ago(3))
    screened(made["depressed_old"], network, totals={"epds-total": 15}, at=days_ago(40))
    screened(made["depressed_new"], network, totals={"epds-total": 14}, at=days_ago(2))
    consent_to_behavioral_health(network, made["depressed_new"])
    other = make_family(network)
    Household.objects.filter(pk=other.household.pk).update(registered_by=network.food_bank, postal_code="90001")
    Relationship.objects.filter(household=other.household).delete()
    relationship_start(
        acting_user=None,
        household=other.household,
        kind=RelationshipKind.REGISTERING_ORGANIZATION,
        organization=network.food_bank,
    )
    screened(other, network, totals={"epds-total": 25}, at=days_ago(1))
    made["elsewhere"] = other
    household_tier_recompute([f.household.pk for f in made.values()])
    return made


def test_the_worklist_ranks_tier_then_newest_positive_then_longest_without_contact(
    network: Network, families: dict[str, Family]
) -> None:
    client = signed_in(Client(), network.alice)
    response = client.get("/care/worklist/")
    assert response.status_code == 200
    order = {str(f.household.pk): name for name, f in families.items()}
    assert [order[h] for h in _names(response)] == ["depressed_new", "depressed_old", "hungry", "calm"]
    # Contact with the calm family was a month ago, with a tier-1 family never: never comes first.
    other_calm = make_family(network)
    _visit(other_calm)
    household_tier_recompute([other_calm.household.pk])
    contact_record(
        acting_user=network.alice,
        membership=Membership.objects.get(user=network.alice),
        household=families["calm"].household,
        method=Contact.Method.PHONE,
        outcome=Contact.Outcome.REACHED,
    )
    order[str(other_calm.household.pk)] = "never contacted"
    ranked = [order[h] for h in _names(client.get("/care/worklist/"))]
    assert ranked[-2:] == ["never contacted", "calm"]


def test_the_worklist_never_lists_another_organizations_families(network: Network, families: dict[str, Family]) -> None:
    response = signed_in(Client(), network.alice).get("/care/worklist/")
    assert str(families["elsewhere"].household.pk) not in _names(response)
    assert "90001" not in response.content.decode()


def test_the_worklist_explains_each_tier(network: Network, families: dict[str, Family]) -> None:
    body = signed_in(Client(), network.alice).get("/care/worklist/").content.decode()
    assert "EPDS 14" in body and "food insecurity" in body
    assert "María García López" in body
    # The older EPDS family's consent does not name behavioral health: its total is not shown.
    assert "EPDS 15" not in body
    assert "information you may not see" in body


def test_the_worklist_filters_by_zip_language_tier_organization_and_coordinator(
    network: Network, families: dict[str, Family]
) -> None:
    client = signed_in(Client(), network.alice)
    Household.objects.filter(pk=families["hungry"].household.pk).update(postal_code="91770", preferred_language="en")
    hungry = str(families["hungry"].household.pk)
    assert _names(client.get("/care/worklist/?zip=91770")) == [hungry]
    assert _names(client.get("/care/worklist/?language=en")) == [hungry]
    assert len(_names(client.get("/care/worklist/?tier=3"))) == 2
    assert len(_names(client.get(f"/care/worklist/?organization={network.frc.pk}"))) == 4
    assert _names(client.get(f"/care/worklist/?organization={network.food_bank.pk}")) == []
    relationship_start(
        acting_user=None,
        household=families["calm"].household,
        kind=RelationshipKind.DESIGNATED_COORDINATOR,
        user=network.alice,
    )
    assert _names(client.get(f"/care/worklist/?coordinator={network.alice.pk}")) == [str(families["calm"].household.pk)]


def test_a_bad_zip_is_named_and_the_list_is_not_filtered_by_it(network: Network, families: dict[str, Family]) -> None:
    response = signed_in(Client(), network.alice).get("/care/worklist/?zip=9a")
    assert response.status_code == 200
    assert "five-digit ZIP code" in response.content.decode()
    assert len(response.context["rows"]) == 4


def test_every_listed_family_is_audited(network: Network, families: dict[str, Family]) -> None:
    signed_in(Client(), network.alice).get("/care/worklist/")
    audited = set(
        AuditEntry.objects.filter(actor_id=network.alice.pk, detail="care worklist").values_list(
            "household_id", flat=True
        )
    )
    assert audited == {f.household.pk for n, f in families.items() if n != "elsewhere"}


def test_the_worklist_query_count_does_not_grow_with_the_page(network: Network, families: dict[str, Family]) -> None:
    client = signed_in(Client(), network.alice)
    client.get("/care/worklist/")
    with CaptureQueriesContext(connection) as few:
        client.get("/care/worklist/")
    for _ in range(6):
        extra = make_family(network)
        screened(extra, network, instrument="ahc-hrsn-core", needs=("housing-instability",))
        household_tier_recompute([extra.household.pk])
    with CaptureQueriesContext(connection) as more:
        response = client.get("/care/worklist/")
    assert len(response.context["rows"]) == 10
    assert len(more.captured_queries) == len(few.captured_queries)
    assert len(more.captured_queries) < 45


def test_provider_staff_have_no_worklist_the_tier_is_care_plan(network: Network, families: dict[str, Family]) -> None:
    """Provider staff do not read care plans, and a family's tier is care plan: no worklist, no
    overdue list, and the API's worklist is empty for them."""
    membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.PROVIDER_STAFF)
    client = signed_in(Client(), network.oscar)
    assert client.get("/care/worklist/").status_code == 404
    assert client.get("/care/overdue/").status_code == 404
    assert client.get("/api/v1/care/worklist").json()["count"] == 0


def test_a_coordinator_without_behavioral_health_consent_sees_the_tier_without_that_reason(
    network: Network, families: dict[str, Family]
) -> None:
    """The family's consent leaves out behavioral health: the EPDS total is left out of the
    explanation, and the page says a reason is not shown."""
    client = signed_in(Client(), network.alice)
    items = {i["household_id"]: i for i in client.get("/api/v1/care/worklist").json()["items"]}
    old = items[str(families["depressed_old"].household.pk)]
    assert old["tier"] == 3 and old["reasons"] == [] and old["reasons_not_shown"] == 1
    new = items[str(families["depressed_new"].household.pk)]
    assert any("EPDS" in r["text"] for r in new["reasons"]), "her consent names behavioral health"
    assert "information you may not see" in client.get("/care/worklist/").content.decode()


def test_analysts_and_hub_admins_have_no_worklist(network: Network, families: dict[str, Family]) -> None:
    assert signed_in(Client(), network.admin).get("/care/worklist/").status_code == 404
    assert signed_in(Client(), network.carla).get("/care/worklist/").status_code == 404
    assert Client().get("/care/worklist/").status_code == 302


def test_overdue_children_longest_overdue_first(network: Network, families: dict[str, Family]) -> None:
    today = timezone.localdate()
    # 20 months old, no 18-month visit and no screenings at 18 months: overdue for all of them.
    late = child(families["calm"].household, today - timedelta(days=int(20 * 30.44)), name="Tardío")
    CareEvent.objects.create(
        person=late, household=late.household, kind="well_child_visit", date=today - timedelta(days=200)
    )
    household_tier_recompute([families["calm"].household.pk])
    response = signed_in(Client(), network.alice).get("/care/overdue/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tardío" in body
    rows = response.context["rows"]
    assert rows[0][0].child == late or any(r[0].child == late for r in rows)
    only_lead = signed_in(Client(), network.alice).get("/care/overdue/?kind=lead_screening")
    assert all("lead_screening" in r[0].overdue_kinds for r in only_lead.context["rows"])


def test_the_family_page_shows_tier_explanation_and_surveillance(network: Network, families: dict[str, Family]) -> None:
    household = families["depressed_new"].household
    body = signed_in(Client(), network.alice).get(f"/families/{household.pk}/").content.decode()
    assert "Risk tier and well-child care" in body
    assert "EPDS 14" in body
    assert "Well-child visit" in body


def test_a_clinician_records_epsdt_on_the_family_page_and_the_tier_goes_to_3(
    network: Network, families: dict[str, Family], clinician: Membership
) -> None:
    family = families["calm"]
    client = signed_in(Client(), network.oscar)
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    assert "Record EPSDT medical necessity" in page
    response = client.post(
        f"/care/families/{family.household.pk}/epsdt/", {"person": str(family.child.pk), "reason": "Hearing aids"}
    )
    assert response.status_code == 302
    assert TierAssignment.objects.get(household=family.household).tier == 3
    # A coordinator cannot (the form is not shown and the post is refused).
    alice = signed_in(Client(), network.alice)
    assert "Record EPSDT medical necessity" not in alice.get(f"/families/{family.household.pk}/").content.decode()
    refused = alice.post(
        f"/care/families/{family.household.pk}/epsdt/", {"person": str(family.child.pk), "reason": "x"}
    )
    assert refused.status_code == 404


def test_the_api_worklist_matches_the_page(network: Network, families: dict[str, Family]) -> None:
    client = signed_in(Client(), network.alice)
    data = client.get("/api/v1/care/worklist?page_size=2").json()
    assert data["count"] == 4 and data["pages"] == 2
    assert data["items"][0]["household_id"] == str(families["depressed_new"].household.pk)
    assert data["items"][0]["explanation"].startswith("Tier 3 because: EPDS 14")
    bad = client.get("/api/v1/care/worklist?zip=12")
    assert bad.status_code == 422 and "zip" in bad.json()["error"]["fields"]


def test_the_coordinator_home_shows_the_first_families(network: Network, families: dict[str, Family]) -> None:
    body = signed_in(Client(), network.alice).get("/").content.decode()
    assert "Families to reach first" in body
    assert "EPDS 14" in body


def test_the_worklist_speaks_spanish(network: Network, families: dict[str, Family]) -> None:

    body = signed_in(Client(), network.alice).get("/care/worklist/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Familias a contactar primero" in body
    assert "Nivel 3 porque" in body or "Nivel 3" in body


def test_a_clinician_ends_epsdt_on_the_family_page_and_the_tier_is_recomputed(
    network: Network, families: dict[str, Family], clinician: Membership
) -> None:
    family = families["calm"]
    before = TierAssignment.objects.get(household=family.household).tier
    client = signed_in(Client(), network.oscar)
    client.post(f"/care/families/{family.household.pk}/epsdt/", {"person": str(family.child.pk), "reason": "Hearing"})
    assert TierAssignment.objects.get(household=family.household).tier == 3
    record = EpsdtNecessity.objects.get(household=family.household)
    end = f"/care/families/{family.household.pk}/epsdt/{record.pk}/end/"
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    assert f'action="{end}"' in page and "End EPSDT medical necessity for" in page

    # A coordinator sees no button and is refused; a record of another family is not found.
    alice = signed_in(Client(), network.alice)
    assert f'action="{end}"' not in alice.get(f"/families/{family.household.pk}/").content.decode()
    assert alice.post(end).status_code == 404
    other = families["depressed_new"].household
    assert client.post(f"/care/families/{other.pk}/epsdt/{record.pk}/end/").status_code == 404
    assert EpsdtNecessity.objects.get(pk=record.pk).ended_at is None

    response = client.post(end)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.ended_at is not None and record.ended_by == network.oscar
    assert TierAssignment.objects.get(household=family.household).tier == before
    written = AuditEntry.objects.filter(
        household_id=family.household.pk, action=AuditEntry.Action.WRITE, detail="EPSDT medical necessity ended"
    )
    assert written.count() == 1 and written.get().categories == "clinical"
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    assert f'action="{end}"' not in page and "stays in tier 3" not in page
    again = client.post(end, follow=True)
    assert "This EPSDT record has already ended." in again.content.decode()
    assert written.count() == 1
