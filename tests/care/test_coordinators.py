"""The family's designated care coordinator: one per family (held by the database), assigned and
transferred by the people working with the family, ranked suggestions with their reasons, and the
hub administrator's page of families without one and coordinators over their ceiling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone, translation

from ecwhub.accounts.models import Membership, Organization, OrganizationKind, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.care.coordinators import (
    CoordinatorError,
    coordinator_assign,
    coordinator_suggestions,
    coordinator_transfer,
    coordinators_over_ceiling,
    families_without_coordinator,
)
from ecwhub.care.models import CareTask, CoordinatorAssignment, CoordinatorProfile
from ecwhub.consent.models import AuditEntry, Relationship, RelationshipKind
from ecwhub.consent.services import relationship_start
from ecwhub.core.errors import NotFound
from ecwhub.referrals.models import ReferralFollowUp
from ecwhub.referrals.services import ReferralInput, referral_create
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family
from tests.referrals.conftest import make_world

pytestmark = pytest.mark.django_db

DESIGNATED = RelationshipKind.DESIGNATED_COORDINATOR
HANDOFF = "Mother prefers texts after 5 pm; WIC visit booked for the 12th."


def _member(user: User) -> Membership:
    return Membership.objects.get(user=user, is_active=True)


def _coordinator(network: Network, email: str, first: str, organization: Organization | None = None) -> User:
    user = User.objects.create_user(email, "x", first_name=first, last_name="Coordinadora")
    membership_add(acting_user=None, user=user, organization=organization or network.frc, role=Role.COORDINATOR)
    return user


def _active(family: Family) -> list[Relationship]:
    return list(Relationship.objects.filter(household=family.household, kind=DESIGNATED, ended_at__isnull=True))


def test_the_database_refuses_a_second_active_designated_coordinator(network: Network) -> None:
    family = make_family(network)
    dora = _coordinator(network, "dora@example.org", "Dora")
    relationship_start(acting_user=None, household=family.household, kind=DESIGNATED, user=network.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        relationship_start(acting_user=None, household=family.household, kind=DESIGNATED, user=dora)
    # Another family, or the same family once the first has ended, may have one.
    other = make_family(network)
    relationship_start(acting_user=None, household=other.household, kind=DESIGNATED, user=dora)
    Relationship.objects.filter(household=family.household, kind=DESIGNATED).update(ended_at=timezone.now())
    relationship_start(acting_user=None, household=family.household, kind=DESIGNATED, user=dora)
    assert [r.user_id for r in _active(family)] == [dora.pk]


BEFORE = ("consent", "0006_break_glass_review_note_and_early_end")


@pytest.mark.django_db(transaction=True)
def test_the_migration_ends_older_duplicates_and_keeps_the_latest(network: Network) -> None:
    doubled, single = make_family(network), make_family(network)
    dora = _coordinator(network, "dora@example.org", "Dora")
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("consent", "Relationship")
    now = timezone.now()
    rows = {
        name: old.objects.create(
            household_id=household.pk, kind=DESIGNATED, user_id=user.pk, started_at=now - timedelta(days=days)
        ).pk
        for name, household, user, days in (
            ("older", doubled.household, network.alice, 30),
            ("latest", doubled.household, dora, 2),
            ("oldest", doubled.household, network.alice, 90),
            ("alone", single.household, dora, 60),
        )
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ended = dict(Relationship.objects.filter(pk__in=rows.values()).values_list("pk", "ended_at"))
    assert {name for name, pk in rows.items() if ended[pk] is None} == {"latest", "alone"}
    assert Relationship.objects.get(pk=rows["older"]).end_reason.startswith("one designated coordinator per family")
    with pytest.raises(IntegrityError), transaction.atomic():
        relationship_start(acting_user=None, household=single.household, kind=DESIGNATED, user=network.alice)


def test_a_coordinator_of_the_registering_organization_assigns_one(network: Network) -> None:
    family = make_family(network)
    dora = _coordinator(network, "dora@example.org", "Dora")
    event = coordinator_assign(
        acting_user=network.alice, membership=_member(network.alice), household=family.household, coordinator=dora
    )
    assert (event.kind, event.from_user, event.to_user, event.by) == ("assign", None, dora, network.alice)
    (relationship,) = _active(family)
    assert (relationship.user, relationship.started_by) == (dora, network.alice)
    details = set(AuditEntry.objects.filter(household_id=family.household.pk).values_list("action", "detail"))
    assert (AuditEntry.Action.RELATIONSHIP_STARTED, f"{DESIGNATED} {relationship.pk}") in details
    assert (AuditEntry.Action.WRITE, f"designated coordinator assign {event.pk} to user {dora.pk}") in details


def test_a_family_with_a_coordinator_is_transferred_not_assigned_again(network: Network) -> None:
    family = make_family(network)
    dora = _coordinator(network, "dora@example.org", "Dora")
    alice = _member(network.alice)
    coordinator_assign(acting_user=network.alice, membership=alice, household=family.household, coordinator=dora)
    with pytest.raises(CoordinatorError) as refused:
        coordinator_assign(
            acting_user=network.alice, membership=alice, household=family.household, coordinator=network.alice
        )
    assert refused.value.field == "coordinator" and "transfer" in str(refused.value)
    assert [r.user_id for r in _active(family)] == [dora.pk]
    assert CoordinatorAssignment.objects.count() == 1


def test_only_an_active_care_coordinator_can_be_designated(network: Network) -> None:
    family = make_family(network)
    alice = _member(network.alice)
    for person in (network.bob, network.oscar, network.admin):  # provider staff, no organization, hub admin
        with pytest.raises(CoordinatorError) as refused:
            coordinator_assign(
                acting_user=network.alice, membership=alice, household=family.household, coordinator=person
            )
        assert refused.value.field == "coordinator"
    dora = _coordinator(network, "dora@example.org", "Dora")
    Membership.objects.filter(user=dora).update(is_active=False)
    with pytest.raises(CoordinatorError):
        coordinator_assign(acting_user=network.alice, membership=alice, household=family.household, coordinator=dora)
    assert not _active(family) and not CoordinatorAssignment.objects.exists()


def test_who_may_choose_the_coordinator(network: Network) -> None:
    family = make_family(network)
    dora = _coordinator(network, "dora@example.org", "Dora")
    # Provider staff at an organization with no relationship: the family does not exist for them.
    with pytest.raises(NotFound):
        coordinator_assign(
            acting_user=network.bob, membership=_member(network.bob), household=family.household, coordinator=dora
        )
    # A clinician of the registering organization sees the family but does not choose its coordinator...
    clinician = membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.CLINICIAN)
    with pytest.raises(CoordinatorError) as refused:
        coordinator_assign(
            acting_user=network.oscar, membership=clinician, household=family.household, coordinator=dora
        )
    assert refused.value.field == "__all__"
    assert not _active(family)
    # ...unless they administer the organization.
    Membership.objects.filter(pk=clinician.pk).update(is_org_admin=True)
    clinician.refresh_from_db()
    coordinator_assign(acting_user=network.oscar, membership=clinician, household=family.household, coordinator=dora)
    assert [r.user_id for r in _active(family)] == [dora.pk]


def test_a_transfer_needs_a_handoff_note_and_moves_open_follow_ups_and_care_tasks(network: Network) -> None:
    world = make_world(network)
    family = world.family
    alice = _member(network.alice)
    dora = _coordinator(network, "dora@example.org", "Dora")
    coordinator_assign(
        acting_user=network.alice, membership=alice, household=family.household, coordinator=network.alice
    )
    referral, _ = referral_create(
        acting_user=network.alice,
        membership=alice,
        data=ReferralInput(household_id=family.household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]),
        send=True,
    )
    open_task = ReferralFollowUp.objects.create(referral=referral, assigned_to=network.alice, due=timezone.now())
    care_task = CareTask.objects.create(
        household=family.household,
        owner=network.alice,
        kind="contact_due",
        due=timezone.localdate(),
        created_from="contact_frequency",
    )
    done_task = CareTask.objects.create(
        household=family.household,
        owner=network.alice,
        kind="other",
        created_from="by_hand",
        due=timezone.localdate(),
        done_at=timezone.now(),
        done_by=network.alice,
    )

    with pytest.raises(CoordinatorError) as short:
        coordinator_transfer(
            acting_user=network.alice, membership=alice, household=family.household, to=dora, handoff_note="Call her."
        )
    assert short.value.field == "handoff_note"
    assert [r.user_id for r in _active(family)] == [network.alice.pk]

    event = coordinator_transfer(
        acting_user=network.alice, membership=alice, household=family.household, to=dora, handoff_note=HANDOFF
    )
    assert (event.kind, event.from_user, event.to_user, event.note) == ("transfer", network.alice, dora, HANDOFF)
    assert [r.user_id for r in _active(family)] == [dora.pk]
    old = Relationship.objects.get(household=family.household, kind=DESIGNATED, user=network.alice)
    assert old.ended_at is not None and old.ended_by == network.alice and "transferred" in old.end_reason
    open_task.refresh_from_db()
    assert open_task.assigned_to == dora
    assert AuditEntry.objects.filter(detail=f"referral {referral.pk} follow-up moved to user {dora.pk}").exists()
    care_task.refresh_from_db()
    done_task.refresh_from_db()
    assert (care_task.owner, done_task.owner) == (dora, network.alice)
    assert AuditEntry.objects.filter(detail=f"care tasks {care_task.pk} moved to user {dora.pk}").exists()
    kinds = list(CoordinatorAssignment.objects.filter(household=family.household).order_by("id").values_list("kind"))
    assert kinds == [("assign",), ("transfer",)]


def test_a_done_follow_up_stays_with_who_did_it(network: Network) -> None:
    world = make_world(network)
    alice = _member(network.alice)
    dora = _coordinator(network, "dora@example.org", "Dora")
    household = world.family.household
    coordinator_assign(acting_user=network.alice, membership=alice, household=household, coordinator=network.alice)
    referral, _ = referral_create(
        acting_user=network.alice,
        membership=alice,
        data=ReferralInput(household_id=household.pk, service_id=world.pantry.pk, need_ids=[world.food_need.pk]),
        send=True,
    )
    done = ReferralFollowUp.objects.create(
        referral=referral, assigned_to=network.alice, due=timezone.now(), done_at=timezone.now()
    )
    coordinator_transfer(
        acting_user=network.alice, membership=alice, household=household, to=dora, handoff_note=HANDOFF
    )
    done.refresh_from_db()
    assert done.assigned_to == network.alice


def test_a_transfer_needs_a_coordinator_to_transfer_from_and_a_new_one(network: Network) -> None:
    family = make_family(network)
    alice = _member(network.alice)
    with pytest.raises(CoordinatorError) as none_yet:
        coordinator_transfer(
            acting_user=network.alice,
            membership=alice,
            household=family.household,
            to=network.alice,
            handoff_note=HANDOFF,
        )
    assert none_yet.value.field == "to" and "assign" in str(none_yet.value)
    coordinator_assign(
        acting_user=network.alice, membership=alice, household=family.household, coordinator=network.alice
    )
    with pytest.raises(CoordinatorError) as same:
        coordinator_transfer(
            acting_user=network.alice,
            membership=alice,
            household=family.household,
            to=network.alice,
            handoff_note=HANDOFF,
        )
    assert same.value.field == "to"
    assert CoordinatorAssignment.objects.count() == 1


def _ranked_world(network: Network) -> tuple[Family, User, User, User]:
    """Three coordinators for a Mixtec-speaking family in 91801 registered by the FRC: Dora (FRC,
    speaks Mixtec of San Juan Mixtepec, covers 91801), Ezra (food bank, Mixtec, no room) and Fina
    (FRC, English only)."""
    family = make_family(network)
    household = family.household
    household.preferred_language, household.dialect = "mix", "Mixteco de San Juan Mixtepec"
    household.save(update_fields=["preferred_language", "dialect"])
    dora = _coordinator(network, "dora@example.org", "Dora")
    ezra = _coordinator(network, "ezra@example.org", "Ezra", network.food_bank)
    fina = _coordinator(network, "fina@example.org", "Fina")
    CoordinatorProfile.objects.create(
        user=dora, languages=["es", "mix"], dialects="mixteco de san juan mixtepec", neighbourhoods=["91801"]
    )
    CoordinatorProfile.objects.create(user=ezra, languages=["mix"], caseload_ceiling=1)
    CoordinatorProfile.objects.create(user=fina, languages=["en"])
    relationship_start(acting_user=None, household=make_family(network).household, kind=DESIGNATED, user=ezra)
    return family, dora, ezra, fina


def test_suggestions_rank_language_dialect_room_organization_and_neighbourhood(network: Network) -> None:
    family, dora, ezra, fina = _ranked_world(network)
    ranked = coordinator_suggestions(family.household)
    assert [s.user for s in ranked][:1] == [dora]
    by_user = {s.user: s for s in ranked}
    assert by_user[dora].reasons == [
        "Speaks Mixtec, the family's language.",
        "Speaks the family's dialect (Mixteco de San Juan Mixtepec).",
        "Has room for 40 more families (0 of 40).",
        "Works at the organization that registered the family.",
        "Covers the family's neighbourhood (ZIP code 91801).",
    ]
    assert "At or over their caseload ceiling: 1 of 1 families." in by_user[ezra].reasons
    assert by_user[ezra].over_ceiling and by_user[ezra].score < by_user[fina].score + 40
    assert "Does not speak Mixtec (or it is not recorded)." in by_user[fina].reasons
    # A transfer does not suggest the current coordinator.
    assert dora not in [s.user for s in coordinator_suggestions(family.household, exclude=dora)]
    with translation.override("es"):
        spanish = coordinator_suggestions(family.household)[0].reasons
    assert spanish[0] == "Habla Mixteco, el idioma de la familia."


def test_the_family_page_shows_the_coordinator_section_with_suggestions(network: Network) -> None:
    family, dora, _ezra, _fina = _ranked_world(network)
    client = signed_in(Client(), network.alice)
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    assert "Designated care coordinator" in page and "no designated care coordinator yet" in page
    assert f'name="coordinator" value="{dora.pk}" required checked' in page
    assert "Speaks the family&#x27;s dialect" in page

    response = client.post(
        f"/care/families/{family.household.pk}/coordinator/", {"coordinator": dora.pk, "note": "Met at intake."}
    )
    assert response.status_code == 302
    assert [r.user_id for r in _active(family)] == [dora.pk]
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    assert "Transfer to another coordinator" in page and "Met at intake." in page

    short = client.post(
        f"/care/families/{family.household.pk}/coordinator/transfer/",
        {"to": network.alice.pk, "handoff_note": "Too short."},
        follow=True,
    ).content.decode()
    assert "Write a handoff note of at least 20 characters" in short
    assert [r.user_id for r in _active(family)] == [dora.pk]
    client.post(
        f"/care/families/{family.household.pk}/coordinator/transfer/", {"to": network.alice.pk, "handoff_note": HANDOFF}
    )
    assert [r.user_id for r in _active(family)] == [network.alice.pk]


def test_someone_who_may_not_see_the_family_cannot_assign(network: Network) -> None:
    family = make_family(network)
    dora = _coordinator(network, "dora@example.org", "Dora")
    response = signed_in(Client(), network.bob).post(
        f"/care/families/{family.household.pk}/coordinator/", {"coordinator": dora.pk}
    )
    assert response.status_code == 404
    assert not _active(family)


def test_the_hub_administrator_sees_families_without_a_coordinator_and_coordinators_over_ceiling(
    network: Network,
) -> None:
    family, dora, ezra, _fina = _ranked_world(network)
    clinic = Organization.objects.create(name="Valley Clinic", slug="clinic", kind=OrganizationKind.CLINIC)
    family.household.registered_by = clinic
    family.household.save(update_fields=["registered_by"])
    relationship_start(acting_user=None, household=make_family(network).household, kind=DESIGNATED, user=dora)
    assert families_without_coordinator() == [("Valley Clinic", 1)]  # the FRC's two others have one
    assert coordinators_over_ceiling() == []  # Ezra is at his ceiling, not over it
    relationship_start(acting_user=None, household=family.household, kind=DESIGNATED, user=ezra)
    assert families_without_coordinator() == []
    (over,) = coordinators_over_ceiling()
    assert (over.name, over.organization, over.caseload, over.ceiling) == (
        "Ezra Coordinadora",
        "Valley Food Bank",
        2,
        1,
    )
    make_family(network)
    page = signed_in(Client(), network.admin).get("/care/coordinators/").content.decode()
    assert "1 active family has no designated coordinator." in page
    assert '<th scope="row">Ezra Coordinadora</th>' in page and "2 / 1" in page
    assert "García" not in page and "María" not in page
    assert signed_in(Client(), network.alice).get("/care/coordinators/").status_code == 404
