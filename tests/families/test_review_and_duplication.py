"""The clerical review queue and the duplication-of-services flags."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.test import Client

from ecwhub.accounts.models import Membership, Organization, Role
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import AuditEntry, Relationship, RelationshipKind
from ecwhub.consent.services import relationship_end, relationship_start
from ecwhub.families.models import Household, HouseholdMerge, Person, PersonMerge
from ecwhub.families.selectors import coordination_duplicates
from ecwhub.identity.models import MatchReview
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def _pair(network: Network) -> tuple[Family, Family, MatchReview]:
    first, second = make_family(network), make_family(network)
    Person.objects.filter(pk=second.mother.pk).update(family_name="Garsia", date_of_birth=date(1992, 3, 4))
    review = MatchReview.objects.create(
        person_a=first.mother,
        person_b=second.mother,
        probability=0.71,
        match_weight=1.3,
        reasons=[["dob_swapped", []]],
    )
    return first, second, review


def test_the_queue_shows_pairs_side_by_side_with_reasons_and_audits_them(network: Network) -> None:
    first, second, review = _pair(network)
    page = signed_in(Client(), network.alice).get("/families/review/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "71% likely the same person" in body and "Garsia" in body and "García" in body
    assert review.reason_texts and str(review.reason_texts[0]) in body
    audited = set(
        AuditEntry.objects.filter(detail="review queue", actor_id=network.alice.pk).values_list(
            "household_id", flat=True
        )
    )
    assert audited == {first.household.pk, second.household.pk}


def test_a_very_likely_pair_is_not_said_to_be_certain_nor_undecided(network: Network) -> None:
    _, _, review = _pair(network)
    MatchReview.objects.filter(pk=review.pk).update(probability=0.9996)
    body = signed_in(Client(), network.alice).get("/families/review/").content.decode()
    assert "99% likely the same person" in body and "100%" not in body
    assert "could not decide" not in body and "never joins two records by itself" in body


def test_pairs_the_user_may_not_see_are_left_out(network: Network) -> None:
    _first, second, _review = _pair(network)
    Household.objects.filter(pk=second.household.pk).update(registered_by=network.food_bank)
    from ecwhub.consent.models import Relationship

    Relationship.objects.filter(household=second.household).update(organization=network.food_bank)
    body = signed_in(Client(), network.alice).get("/families/review/").content.decode()
    assert "Nothing to review" in body and "Garsia" not in body


def test_the_hub_administrator_sees_how_many_wait_but_no_names(network: Network) -> None:
    _pair(network)
    body = signed_in(Client(), network.admin).get("/families/review/").content.decode()
    assert "1 pair is waiting" in body and "García" not in body
    assert signed_in(Client(), network.bob).get("/families/review/").status_code == 404


def test_same_person_is_one_merge_and_one_undo_brings_everything_back(network: Network) -> None:
    from tests.families.test_merge import canonical_dump

    first, second, review = _pair(network)
    client = signed_in(Client(), network.alice)
    households = Household.objects.count()
    before = canonical_dump()
    response = client.post(f"/families/review/{review.pk}/", {"decision": "same"})
    assert response.status_code == 302
    assert Household.objects.count() == households - 1
    assert not Person.objects.filter(pk=second.mother.pk).exists()
    # One decision, one merge record, one "Undo" on the family's page.
    (merge,) = [*PersonMerge.objects.all(), *HouseholdMerge.objects.all()]
    page = client.get(f"/families/{first.household.pk}/").content.decode()
    assert "Records merged into this family" in page and page.count(">Undo</button>") == 1
    assert "Two records of one person, and of their family" in page

    response = client.post(f"/families/{first.household.pk}/merges/{merge.pk}/undo/", follow=True)
    assert "The merge was undone: both records are back as they were." in response.content.decode()
    assert Household.objects.count() == households
    assert Person.objects.get(pk=second.mother.pk).family_name == "Garsia"
    assert MatchReview.objects.get(pk=review.pk).status == "same"
    # Everything else is exactly as before the decision.
    after = canonical_dump()
    for dump in (before, after):
        dump.pop("identity.MatchReview")
    assert after == before
    page = client.get(f"/families/{first.household.pk}/").content.decode()
    assert ">Undo</button>" not in page


def test_different_people_leaves_the_queue(network: Network) -> None:
    _first, _second, review = _pair(network)
    client = signed_in(Client(), network.alice)
    client.post(f"/families/review/{review.pk}/", {"decision": "different"})
    review.refresh_from_db()
    assert review.status == "different" and review.decided_by == network.alice
    assert "Nothing to review" in client.get("/families/review/").content.decode()
    # Decided already: the reviewer is told so, as for any pair not in their queue (nothing leaks).
    response = client.post(f"/families/review/{review.pk}/", {"decision": "same"}, follow=True)
    assert response.redirect_chain == [("/families/review/", 302)]
    assert "This pair was already decided" in response.content.decode()
    response = client.post(f"/families/review/{uuid.uuid4()}/", {"decision": "same"}, follow=True)
    assert "This pair was already decided" in response.content.decode()
    assert MatchReview.objects.get(pk=review.pk).status == "different"


def _coordinate(family: Family, *organizations: Organization) -> None:
    """The organizations start coordinating the family: the first one as its designated coordinator
    (when it has none: the database allows one), the others on its care team."""
    for organization in organizations:
        designated = Relationship.objects.filter(
            household=family.household, kind=RelationshipKind.DESIGNATED_COORDINATOR, ended_at__isnull=True
        ).exists()
        relationship_start(
            acting_user=None,
            household=family.household,
            kind=RelationshipKind.CARE_TEAM if designated else RelationshipKind.DESIGNATED_COORDINATOR,
            organization=organization,
        )


def test_a_family_coordinated_by_two_organizations_is_flagged(network: Network) -> None:
    family, single = make_family(network), make_family(network)
    _coordinate(family, network.frc, network.food_bank)
    _coordinate(single, network.frc)
    # A referral is not coordination.
    relationship_start(
        acting_user=None,
        household=single.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    flags = coordination_duplicates()
    assert [f.household_id for f in flags] == [family.household.pk]
    assert flags[0].organizations == ("Casa Familia FRC", "Valley Food Bank")
    relationship_end(
        acting_user=None,
        household=family.household,
        kind=RelationshipKind.CARE_TEAM,
        organization=network.food_bank,
    )
    assert coordination_duplicates() == []


def test_a_care_team_member_counts_for_their_organization(network: Network) -> None:
    family = make_family(network)
    _coordinate(family, network.frc)
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    relationship_start(
        acting_user=None, household=family.household, kind=RelationshipKind.CARE_TEAM, user=network.oscar
    )
    assert [f.household_id for f in coordination_duplicates(organization=network.food_bank)] == [family.household.pk]


def test_a_clinician_on_the_care_team_is_not_a_second_coordination(network: Network) -> None:
    # The care team is multidisciplinary: a clinician (or a legal partner) of another organization
    # works with the family's coordinator; only another organization's coordinator duplicates.
    family = make_family(network)
    _coordinate(family, network.frc)
    clinic = Organization.objects.create(name="Valley Clinic", slug="clinic", kind="clinic")
    membership_add(acting_user=None, user=network.oscar, organization=clinic, role=Role.CLINICIAN)
    relationship_start(
        acting_user=None, household=family.household, kind=RelationshipKind.CARE_TEAM, user=network.oscar
    )
    assert coordination_duplicates() == []
    membership_add(acting_user=None, user=network.oscar, organization=clinic, role=Role.COORDINATOR)
    assert [f.household_id for f in coordination_duplicates()] == [family.household.pk]


def test_the_flag_shows_to_both_organizations_and_to_the_hub_administrator(network: Network) -> None:
    family = make_family(network)
    _coordinate(family, network.frc, network.food_bank)
    page = signed_in(Client(), network.alice).get(f"/families/{family.household.pk}/").content.decode()
    assert "Duplicated coordination" in page and "Valley Food Bank" in page
    listing = signed_in(Client(), network.alice).get("/families/duplication/").content.decode()
    assert "María García López" in listing
    admin = signed_in(Client(), network.admin).get("/families/duplication/").content.decode()
    assert str(family.household.pk)[:8] in admin and "García" not in admin
    assert AuditEntry.objects.filter(actor_id=network.admin.pk, detail__startswith="duplication flags").exists()


def test_an_organization_not_involved_sees_no_flag(network: Network) -> None:
    family = make_family(network)
    _coordinate(family, network.hub, network.food_bank)
    page = signed_in(Client(), network.alice).get(f"/families/{family.household.pk}/").content.decode()
    assert "Duplicated coordination" not in page
    assert Membership.objects.filter(user=network.alice).exists()
