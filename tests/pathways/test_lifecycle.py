"""A pathway's life: who may open it and act on it, the outcome's confirmation rule, the closure a
supervisor reviews, the events and audit entries each change leaves, and the counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import AuditEntry
from ecwhub.core.errors import NotFound
from ecwhub.families.models import Person
from ecwhub.pathways.models import Pathway, PathwayEvent
from ecwhub.pathways.selectors import CountBy, pathway_counts
from ecwhub.pathways.services import pathway_open, pathway_review, pathway_step_complete, pathway_submit
from ecwhub.pathways.workflow import RULES, PathwayError, Status
from ecwhub.screening.models import IdentifiedNeed
from tests.referrals.conftest import member, need

from .conftest import Team, food, opened

pytestmark = pytest.mark.django_db


def _confirm(team: Team, pathway: Pathway, since: datetime.date | None = None) -> None:
    """Every step but the referral done by hand, the referral step marked done as its referral
    would, then the outcome confirmed."""
    for step in pathway.steps.order_by("order"):
        if step.kind == "referral":
            continue
        if step.kind == "confirmation":
            pathway_step_complete(
                acting_user=team.alice,
                membership=member(team.alice),
                pathway_id=pathway.pk,
                step_id=step.pk,
                outcome_since=since or pathway.initiated_on,
            )
        else:
            pathway_step_complete(
                acting_user=team.alice, membership=member(team.alice), pathway_id=pathway.pk, step_id=step.pk
            )


def _without_referral_steps(pathway: Pathway) -> None:
    pathway.steps.filter(kind="referral").update(required=False)


def test_opening_copies_the_steps_with_due_dates_and_records_the_event(team: Team) -> None:
    pathway = opened(team)
    today = timezone.localdate()
    assert pathway.status == Status.OPEN and pathway.initiated_on == today
    assert pathway.due_on == today + datetime.timedelta(days=60)
    assert [(s.order, s.due_on) for s in pathway.steps.order_by("order")] == [
        (1, today + datetime.timedelta(days=7)),
        (2, today + datetime.timedelta(days=30)),
        (3, today + datetime.timedelta(days=14)),
        (4, today + datetime.timedelta(days=60)),
    ]
    event = pathway.events.get()
    assert (event.kind, event.to_status, event.actor, event.organization) == (
        "opened",
        "open",
        team.alice,
        team.network.frc,
    )
    entry = AuditEntry.objects.filter(household_id=team.world.family.household.pk, detail__contains="opened").get()
    assert entry.actor_id == team.alice.pk and entry.categories == "care_plan"


def test_a_pathway_opens_only_for_a_need_the_family_wants_help_with(team: Team) -> None:
    team.world.food_need.status = IdentifiedNeed.Status.IDENTIFIED
    team.world.food_need.save()
    with pytest.raises(PathwayError) as caught:
        opened(team)
    assert caught.value.field == "need"


def test_a_pathway_that_does_not_address_the_need_is_refused(team: Team) -> None:
    with pytest.raises(PathwayError) as caught:
        opened(team, "housing")
    assert caught.value.field == "definition"


def test_the_same_pathway_cannot_be_open_twice_for_the_same_person(team: Team) -> None:
    opened(team)
    with pytest.raises(PathwayError) as caught:
        opened(team)
    assert caught.value.field == "definition"
    assert Pathway.objects.count() == 1


def test_only_the_familys_coordinator_opens_a_pathway(team: Team) -> None:
    with pytest.raises(NotFound):  # no relationship with the family: it does not exist for her
        pathway_open(acting_user=team.olga, membership=member(team.olga), need=team.world.food_need, definition=food())
    bob = team.network.bob  # provider staff at the food bank
    with pytest.raises((NotFound, PathwayError)):
        pathway_open(acting_user=bob, membership=member(bob), need=team.world.food_need, definition=food())
    assert not Pathway.objects.exists()


def test_employment_cannot_be_confirmed_before_30_days_employed(team: Team) -> None:
    job = need(team.world.family, "employment-status")
    pathway = pathway_open(
        acting_user=team.alice,
        membership=member(team.alice),
        need=job,
        definition=food("employment"),
        initiated_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    confirmation = pathway.steps.get(kind="confirmation")
    with pytest.raises(PathwayError) as caught:
        pathway_step_complete(
            acting_user=team.alice,
            membership=member(team.alice),
            pathway_id=pathway.pk,
            step_id=confirmation.pk,
            outcome_since=timezone.localdate() - datetime.timedelta(days=29),
        )
    assert caught.value.field == "outcome_since" and "30 days" in str(caught.value)
    pathway.refresh_from_db()
    assert pathway.outcome_confirmed_on is None
    pathway_step_complete(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=pathway.pk,
        step_id=confirmation.pk,
        outcome_since=timezone.localdate() - datetime.timedelta(days=30),
    )
    pathway.refresh_from_db()
    assert pathway.outcome_confirmed_on == timezone.localdate()


def test_complete_needs_every_required_step_and_the_confirmed_outcome(team: Team) -> None:
    pathway = opened(team)
    with pytest.raises(PathwayError) as caught:
        pathway_submit(acting_user=team.alice, membership=member(team.alice), pathway_id=pathway.pk, closure="complete")
    assert caught.value.field == "closure"
    _without_referral_steps(pathway)
    _confirm(team, pathway)
    pathway = pathway_submit(
        acting_user=team.alice, membership=member(team.alice), pathway_id=pathway.pk, closure="complete"
    )
    assert pathway.status == Status.AWAITING_REVIEW and not pathway.counts_as_complete


def test_finished_incomplete_needs_a_coded_reason_and_other_needs_a_note(team: Team) -> None:
    pathway = opened(team)
    for reason, note, field in (("", "", "reason"), ("lost-interest", "", "reason"), ("other", "", "note")):
        with pytest.raises(PathwayError) as caught:
            pathway_submit(
                acting_user=team.alice,
                membership=member(team.alice),
                pathway_id=pathway.pk,
                closure="incomplete",
                reason=reason,
                note=note,
            )
        assert caught.value.field == field
    pathway.refresh_from_db()
    assert pathway.status == Status.OPEN and pathway.events.count() == 1


def test_only_a_supervisor_approves_and_never_their_own(team: Team) -> None:
    pathway = opened(team)
    pathway_submit(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=pathway.pk,
        closure="incomplete",
        reason="moved_away",
    )
    # Another coordinator, not a supervisor.
    with pytest.raises(PathwayError):
        pathway_review(acting_user=team.dora, membership=member(team.dora), pathway_id=pathway.pk, approve=True)
    # A supervisor reviewing a closure she submitted herself.
    Membership.objects.filter(user=team.alice).update(is_supervisor=True)
    with pytest.raises(PathwayError):
        pathway_review(acting_user=team.alice, membership=member(team.alice), pathway_id=pathway.pk, approve=True)
    # The coordinator cannot close it herself either: the table gives approval to the supervisor.
    with pytest.raises(PathwayError):
        pathway_submit(
            acting_user=team.alice,
            membership=member(team.alice),
            pathway_id=pathway.pk,
            closure="incomplete",
            reason="moved_away",
        )
    pathway = pathway_review(acting_user=team.sam, membership=member(team.sam), pathway_id=pathway.pk, approve=True)
    assert pathway.status == Status.FINISHED_INCOMPLETE and pathway.reviewed_by == team.sam
    assert pathway.closed_at is not None
    team.world.food_need.refresh_from_db()
    assert team.world.food_need.status == IdentifiedNeed.Status.WANTS_HELP  # not met: still wanted


def test_an_approved_complete_pathway_marks_its_need_addressed(team: Team) -> None:
    pathway = opened(team)
    _without_referral_steps(pathway)
    _confirm(team, pathway)
    pathway_submit(acting_user=team.alice, membership=member(team.alice), pathway_id=pathway.pk, closure="complete")
    team.world.food_need.refresh_from_db()
    assert team.world.food_need.status == IdentifiedNeed.Status.WANTS_HELP  # not before the review
    pathway = pathway_review(acting_user=team.sam, membership=member(team.sam), pathway_id=pathway.pk, approve=True)
    assert pathway.status == Status.COMPLETE and pathway.counts_as_complete
    team.world.food_need.refresh_from_db()
    assert team.world.food_need.status == IdentifiedNeed.Status.ADDRESSED


def test_a_refused_closure_goes_back_to_the_coordinator_with_the_note(team: Team) -> None:
    pathway = opened(team)
    pathway_submit(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=pathway.pk,
        closure="incomplete",
        reason="could_not_contact",
    )
    with pytest.raises(PathwayError) as caught:
        pathway_review(acting_user=team.sam, membership=member(team.sam), pathway_id=pathway.pk, approve=False)
    assert caught.value.field == "note"
    pathway = pathway_review(
        acting_user=team.sam,
        membership=member(team.sam),
        pathway_id=pathway.pk,
        approve=False,
        note="Try the grandmother's number first.",
    )
    assert pathway.status == Status.OPEN and pathway.closure == "" and pathway.incomplete_reason == ""
    events = list(pathway.events.values_list("kind", "from_status", "to_status", "reason", "note"))
    assert events == [
        ("opened", "", "open", "", ""),
        ("submitted", "open", "awaiting_review", "could_not_contact", ""),
        ("sent_back", "awaiting_review", "open", "", "Try the grandmother's number first."),
    ]
    assert AuditEntry.objects.filter(actor_id=team.sam.pk, detail__contains="sent_back").count() == 1


def test_an_other_organizations_coordinator_cannot_act(team: Team) -> None:
    pathway = opened(team)
    step = pathway.steps.get(order=1)
    with pytest.raises(NotFound):
        pathway_step_complete(
            acting_user=team.olga, membership=member(team.olga), pathway_id=pathway.pk, step_id=step.pk
        )
    step.refresh_from_db()
    assert not step.done


def test_events_are_append_only_in_order(team: Team) -> None:
    pathway = opened(team)
    pathway_step_complete(
        acting_user=team.dora,
        membership=member(team.dora),
        pathway_id=pathway.pk,
        step_id=pathway.steps.get(order=1).pk,
    )
    seqs = list(pathway.events.values_list("seq", flat=True))
    assert seqs == [1, 2]
    with pytest.raises(IntegrityError), transaction.atomic():
        PathwayEvent.objects.create(pathway=pathway, seq=2, kind="opened", to_status="open")


def test_the_database_refuses_a_complete_pathway_without_a_confirmed_outcome(team: Team) -> None:
    pathway = opened(team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pathway.objects.filter(pk=pathway.pk).update(status="complete", closure="complete")


def test_every_transition_of_the_table_is_exercised() -> None:
    assert {(r.source, r.target) for r in RULES} == {
        ("open", "awaiting_review"),
        ("awaiting_review", "complete"),
        ("awaiting_review", "finished_incomplete"),
        ("awaiting_review", "open"),
    }


# --- Counts ---------------------------------------------------------------------------------------


def test_counts_are_exact_for_every_state(team: Team) -> None:
    world = team.world
    household = world.family.household
    Person.objects.filter(pk=world.family.mother.pk).update(insurance_status="medi_cal", medi_cal_plan="la_care")
    alice, sam, dora = team.alice, team.sam, team.dora
    today = timezone.localdate()

    def open_for(user: object, key: str, kind: str, person: Person | None = None) -> Pathway:
        n = need(world.family, kind) if kind != "food-insecurity" else world.food_need
        return pathway_open(
            acting_user=user,  # type: ignore[arg-type]
            membership=member(user),  # type: ignore[arg-type]
            need=n,
            definition=food(key),
            person=person,
        )

    # Complete (Alice): food security.
    complete = open_for(alice, "food-security", "food-insecurity")
    _without_referral_steps(complete)
    _confirm(team, complete)
    pathway_submit(acting_user=alice, membership=member(alice), pathway_id=complete.pk, closure="complete")
    pathway_review(acting_user=sam, membership=member(sam), pathway_id=complete.pk, approve=True)
    # Finished incomplete (Alice): housing.
    housing = Pathway.objects.get(pk=open_for(alice, "housing", "housing-instability").pk)
    pathway_submit(
        acting_user=alice, membership=member(alice), pathway_id=housing.pk, closure="incomplete", reason="moved_away"
    )
    pathway_review(acting_user=sam, membership=member(sam), pathway_id=housing.pk, approve=True)
    # Awaiting review (Dora): transportation.
    ride = open_for(dora, "transportation", "transportation-insecurity")
    pathway_submit(
        acting_user=dora, membership=member(dora), pathway_id=ride.pk, closure="incomplete", reason="family_declined"
    )
    # Open (Dora): oral health — counted nowhere.
    open_for(dora, "oral-health", "dental")
    # Finished incomplete last year: outside the period.
    old = open_for(dora, "medical-home", "medical-home")
    pathway_submit(
        acting_user=dora, membership=member(dora), pathway_id=old.pk, closure="incomplete", reason="no_longer_eligible"
    )
    pathway_review(acting_user=sam, membership=member(sam), pathway_id=old.pk, approve=True)
    Pathway.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=400))

    start, end = today - datetime.timedelta(days=30), today
    by_coordinator = {
        r.label: (r.completed, r.finished_incomplete, r.awaiting_review)
        for r in pathway_counts(start=start, end=end, by=CountBy.COORDINATOR)
    }
    assert by_coordinator == {"Alice Álvarez": (1, 1, 0), "Dora Test": (0, 0, 1)}
    by_organization = [
        (r.label, r.completed, r.finished_incomplete, r.awaiting_review)
        for r in pathway_counts(start=start, end=end, by=CountBy.ORGANIZATION)
    ]
    assert by_organization == [("Casa Familia FRC", 1, 1, 1)]
    by_payer = {
        r.key: (r.completed, r.finished_incomplete, r.awaiting_review)
        for r in pathway_counts(start=start, end=end, by=CountBy.PAYER)
    }
    assert by_payer == {"la_care": (1, 1, 1)}  # the family's caregiver is on L.A. Care
    by_month = pathway_counts(start=start - datetime.timedelta(days=400), end=end, by=CountBy.MONTH)
    assert sum(r.finished_incomplete for r in by_month) == 2 and sum(r.completed for r in by_month) == 1
    assert (
        pathway_counts(start=start, end=end, by=CountBy.ORGANIZATION, organization_id=team.network.food_bank.pk) == []
    )
    assert household.pathways.count() == 5
