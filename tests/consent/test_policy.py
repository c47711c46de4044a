"""The access policy, decision by decision, and its database filter agreeing with it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import BreakGlass, Consent, DataCategory, Purpose, RelationshipKind
from ecwhub.consent.policy import decide, households_visible
from ecwhub.consent.services import (
    ConsentError,
    agreement_create,
    agreement_terminate,
    break_glass_open,
    consent_withdraw,
    relationship_start,
    youth_restriction_set,
)
from tests.conftest import Network
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db

ID = DataCategory.IDENTITY_CONTACT
CARE = Purpose.CARE_COORDINATION


def m(user) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.filter(user=user, is_active=True).first()  # type: ignore[return-value]


def allowed(network: Network, user, family: Family, category: str = ID, purpose: str = CARE) -> bool:  # type: ignore[no-untyped-def]
    membership = m(user)
    decision = bool(
        decide(user=user, membership=membership, household=family.household, category=category, purpose=purpose)
    )
    in_list = (
        households_visible(user=user, membership=membership, category=category, purpose=purpose)
        .filter(pk=family.household.pk)
        .exists()
    )
    assert decision == in_list, "the decision and the database filter must agree"
    return decision


def sharing_agreement(network: Network, categories=(ID, DataCategory.REFERRALS), purposes=(CARE, Purpose.REFERRAL)):  # type: ignore[no-untyped-def]
    return agreement_create(
        acting_user=network.admin,
        membership=m(network.admin),
        title="Hub and Valley Food Bank",
        parties=[network.hub, network.food_bank],
        categories=categories,
        purposes=purposes,
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-2026-004, shared drive",
    )


def test_the_registering_organization_sees_its_consenting_family(network: Network, family: Family) -> None:
    assert allowed(network, network.alice, family)


def test_another_organization_needs_a_relationship_and_an_agreement(network: Network, family: Family) -> None:
    assert not allowed(network, network.bob, family)
    relationship_start(
        acting_user=None,
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    assert not allowed(network, network.bob, family), "a relationship alone is not enough"
    agreement = sharing_agreement(network)
    assert allowed(network, network.bob, family)
    agreement_terminate(
        acting_user=network.admin, membership=m(network.admin), agreement=agreement, reason="Program ended"
    )
    assert not allowed(network, network.bob, family), "termination removes access at once"


def test_withdrawing_consent_removes_access_at_once(network: Network, family: Family) -> None:
    consent = Consent.objects.get(household=family.household)
    consent_withdraw(acting_user=network.alice, membership=m(network.alice), consent=consent, reason="family asked")
    assert not allowed(network, network.alice, family)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == network.alice


def test_an_expired_consent_gives_nothing(network: Network, family: Family) -> None:
    Consent.objects.filter(household=family.household).update(
        given_at=timezone.now() - timedelta(days=400), expires_at=timezone.now() - timedelta(days=35)
    )
    assert not allowed(network, network.alice, family)


def test_sensitive_categories_are_not_shared_by_a_default_consent(network: Network, family: Family) -> None:
    for category in (
        DataCategory.BEHAVIORAL_HEALTH,
        DataCategory.IMMIGRATION_SENSITIVE,
        DataCategory.INTERPERSONAL_SAFETY,
    ):
        assert not allowed(network, network.alice, family, category)


def test_roles_limit_what_can_be_read(network: Network, family: Family) -> None:
    relationship_start(
        acting_user=None,
        household=family.household,
        kind=RelationshipKind.REFERRAL_RECIPIENT,
        organization=network.food_bank,
    )
    sharing_agreement(network, categories=(ID, DataCategory.SCREENING_RESULTS), purposes=(CARE,))
    assert allowed(network, network.bob, family, ID)
    assert not allowed(network, network.bob, family, DataCategory.SCREENING_RESULTS), (
        "provider staff do not read screenings"
    )
    assert not allowed(network, network.admin, family), "hub administrators do not read family records"
    assert not allowed(network, network.oscar, family), "no membership, no access"


def test_break_glass_opens_one_family_for_a_limited_time(network: Network, family: Family) -> None:
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    assert not allowed(network, network.oscar, family)
    grant = break_glass_open(
        acting_user=network.oscar,
        membership=m(network.oscar),
        household=family.household,
        reason="Child found alone at the pantry, need caregiver phone",
    )
    decision = decide(
        user=network.oscar, membership=m(network.oscar), household=family.household, category=ID, purpose=CARE
    )
    assert decision.allowed and decision.break_glass
    assert allowed(network, network.oscar, family)
    BreakGlass.objects.filter(pk=grant.pk).update(
        started_at=timezone.now() - timedelta(hours=5), expires_at=timezone.now() - timedelta(hours=1)
    )
    assert not allowed(network, network.oscar, family)


def test_break_glass_needs_a_reason_and_a_care_role(network: Network, family: Family) -> None:
    with pytest.raises(ConsentError) as error:
        break_glass_open(
            acting_user=network.alice, membership=m(network.alice), household=family.household, reason="urgent"
        )
    assert error.value.field == "reason"
    with pytest.raises(ConsentError):
        break_glass_open(
            acting_user=network.bob, membership=m(network.bob), household=family.household, reason="x" * 40
        )
    assert not BreakGlass.objects.exists()


def test_a_family_member_sees_their_family_but_not_what_a_teen_keeps_private(network: Network, family: Family) -> None:
    family.mother.account = network.carla
    family.mother.save(update_fields=["account"])
    assert allowed(network, network.carla, family)
    decision = decide(
        user=network.carla,
        membership=m(network.carla),
        household=family.household,
        category=ID,
        purpose=CARE,
        person=family.teen,
    )
    assert decision.allowed
    youth_restriction_set(
        acting_user=network.alice, membership=m(network.alice), youth=family.teen, hidden_from=family.mother
    )
    decision = decide(
        user=network.carla,
        membership=m(network.carla),
        household=family.household,
        category=ID,
        purpose=CARE,
        person=family.teen,
    )
    assert not decision.allowed
    assert decide(
        user=network.carla,
        membership=m(network.carla),
        household=family.household,
        category=ID,
        purpose=CARE,
        person=family.child,
    )


def test_a_child_under_twelve_cannot_set_a_restriction(network: Network, family: Family) -> None:
    with pytest.raises(ConsentError) as error:
        youth_restriction_set(
            acting_user=network.alice, membership=m(network.alice), youth=family.child, hidden_from=family.mother
        )
    assert error.value.field == "youth"


def test_only_hub_administrators_record_agreements(network: Network) -> None:
    with pytest.raises(ConsentError):
        agreement_create(
            acting_user=network.alice,
            membership=m(network.alice),
            title="x",
            parties=[network.frc, network.food_bank],
            categories=[ID],
            purposes=[CARE],
            effective_from=date(2026, 1, 1),
            effective_until=None,
            signed_document="doc",
        )


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("categories", {"categories": []}),
        ("categories", {"categories": ["nonsense"]}),
        ("purposes", {"purposes": []}),
        ("parties", {"parties": "one"}),
        ("effective_until", {"effective_until": date(2025, 1, 1)}),
        ("signed_document", {"signed_document": " "}),
    ],
)
def test_a_bad_agreement_names_the_field_and_writes_nothing(network: Network, field: str, changes: dict) -> None:  # type: ignore[type-arg]
    from ecwhub.consent.models import Agreement

    arguments = {
        "acting_user": network.admin,
        "membership": m(network.admin),
        "title": "Hub and FRC",
        "parties": [network.hub, network.frc],
        "categories": [ID],
        "purposes": [CARE],
        "effective_from": date(2026, 1, 1),
        "effective_until": None,
        "signed_document": "DSA-1",
    }
    if changes.get("parties") == "one":
        changes = {"parties": [network.hub]}
    arguments.update(changes)
    with pytest.raises(ConsentError) as error:
        agreement_create(**arguments)  # type: ignore[arg-type]
    assert error.value.field == field
    assert not Agreement.objects.exists()


def test_emergency_access_reads_but_never_changes(network: Network, family: Family) -> None:
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    break_glass_open(
        acting_user=network.oscar,
        membership=m(network.oscar),
        household=family.household,
        reason="Child found alone at the pantry, need caregiver phone",
    )
    kwargs = {"user": network.oscar, "membership": m(network.oscar), "category": ID, "purpose": CARE}
    assert decide(household=family.household, **kwargs)
    assert not decide(household=family.household, write=True, **kwargs)
    assert not households_visible(write=True, **kwargs).exists()


def test_what_a_family_member_may_record_and_about_whom(network: Network, family: Family) -> None:
    """The family's own writes are rules of the policy: about themselves and, as a parent or
    guardian, about the family's children; never about another adult or a young person who keeps
    their information private; never outside the categories a family records."""
    from ecwhub.families.models import Person

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
    carla = m(network.carla)

    def writes(person: Person | None, category: str = DataCategory.SCREENING_RESULTS) -> bool:
        return bool(
            decide(
                user=network.carla,
                membership=carla,
                household=family.household,
                category=category,
                purpose=CARE,
                person=person,
                write=True,
            )
        )

    assert writes(family.mother) and writes(family.mother, DataCategory.BEHAVIORAL_HEALTH)
    assert writes(family.child) and writes(family.child, DataCategory.IDENTIFIED_NEEDS)
    assert writes(None, DataCategory.IDENTIFIED_NEEDS), "the family sets its priorities"
    assert not writes(grandmother), "another adult"
    assert not writes(family.teen), "the teen is an older sibling, not a child of the family"
    assert not writes(family.mother, DataCategory.CLINICAL) and not writes(family.mother, DataCategory.CASE_NOTES)
    # A child 12 or older who keeps their information from the mother.
    family.teen.relationship = Person.Relationship.CHILD
    family.teen.save(update_fields=["relationship"])
    assert writes(family.teen)
    youth_restriction_set(
        acting_user=network.alice, membership=m(network.alice), youth=family.teen, hidden_from=family.mother
    )
    assert not writes(family.teen)
    # Someone in the family who is not a parent or guardian records only about themselves.
    family.mother.relationship = Person.Relationship.OTHER
    family.mother.save(update_fields=["relationship"])
    assert writes(family.mother) and not writes(family.child)


def test_analysts_count_but_never_read_a_familys_record(network: Network, family: Family) -> None:
    """The home page tells analysts they see aggregates, never individual family records: the
    policy makes it true. They may count a family (for quality improvement, in non-sensitive
    categories, under the family's consent and an agreement), never open it."""
    from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES
    from ecwhub.consent.policy import households_counted
    from ecwhub.consent.services import consent_record

    analyst = membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.ANALYST)
    QI = Purpose.QUALITY_IMPROVEMENT

    def counted(category: str = DataCategory.DEMOGRAPHICS) -> bool:
        return (
            households_counted(user=network.oscar, membership=analyst, category=category, purpose=QI)
            .filter(pk=family.household.pk)
            .exists()
        )

    assert not counted(), "the family's consent says nothing of quality improvement"
    consent = consent_record(
        acting_user=network.alice,
        membership=m(network.alice),
        household=family.household,
        given_by=family.mother,
        method="signed_on_device",
        categories=DEFAULT_CONSENT_CATEGORIES,
        purposes=[QI],
        network_wide=True,
        text_version="2026-1",
        language="es",
    )
    assert counted() and counted(DataCategory.CARE_PLAN)
    assert not counted(DataCategory.BEHAVIORAL_HEALTH), "never a sensitive category"
    for category in DataCategory:
        for purpose in Purpose:
            assert not decide(
                user=network.oscar, membership=analyst, household=family.household, category=category, purpose=purpose
            )
            assert not households_visible(
                user=network.oscar, membership=analyst, category=category, purpose=purpose
            ).exists()
    consent_withdraw(acting_user=network.alice, membership=m(network.alice), consent=consent)
    assert not counted(), "withdrawing the consent takes the family out of the counts"
