"""The pages and what the app registers elsewhere: the family page section, "my day", the case
review, the encounter link; and access: a family the user may not see is not found."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.care.agenda import ReviewReason, Section, day_items, review_items
from ecwhub.care.encounter_links import encounter_link_kinds
from ecwhub.care.models import Contact
from ecwhub.consent.models import AuditEntry
from ecwhub.pathways.models import Pathway, PathwayEncounter
from ecwhub.pathways.services import pathway_submit
from tests.conftest import signed_in
from tests.referrals.conftest import member

from .conftest import Team, opened

pytestmark = pytest.mark.django_db


def test_the_family_page_lists_the_pathways_with_their_steps(client: Client, team: Team) -> None:
    pathway = opened(team)
    signed_in(client, team.alice)
    page = client.get(f"/families/{team.world.family.household.pk}/").content.decode()
    assert "Pathways" in page and pathway.name in page
    assert "Check eligibility for WIC and CalFresh with the family" in page


def test_the_family_page_offers_a_pathway_for_a_need_and_opening_it_works(client: Client, team: Team) -> None:
    signed_in(client, team.alice)
    household = team.world.family.household
    page = client.get(f"/families/{household.pk}/").content.decode()
    assert "Open the pathway" in page
    from ecwhub.pathways.models import PathwayDefinition

    definition = PathwayDefinition.objects.get(key="food-security")
    response = client.post(
        f"/pathways/family/{household.pk}/open/", {"need": str(team.world.food_need.pk), "definition": definition.pk}
    )
    pathway = Pathway.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pathways/{pathway.pk}/"


def test_a_coordinator_without_a_relationship_gets_404_everywhere(client: Client, team: Team) -> None:
    pathway = opened(team)
    step = pathway.steps.get(order=1)
    signed_in(client, team.olga)
    assert client.get(f"/pathways/{pathway.pk}/").status_code == 404
    assert client.post(f"/pathways/{pathway.pk}/steps/{step.pk}/done/", {}).status_code == 404
    assert client.post(f"/pathways/{pathway.pk}/closure/", {"closure": "incomplete"}).status_code == 404
    assert client.post(f"/pathways/{pathway.pk}/review/", {"decision": "approve"}).status_code == 404
    household = team.world.family.household
    response = client.post(f"/pathways/family/{household.pk}/open/", {"need": str(team.world.food_need.pk)})
    assert response.status_code == 404
    step.refresh_from_db()
    assert not step.done


def test_the_pathway_page_is_audited_and_a_step_is_done_from_it(client: Client, team: Team) -> None:
    pathway = opened(team)
    step = pathway.steps.get(order=1)
    signed_in(client, team.alice)
    page = client.get(f"/pathways/{pathway.pk}/")
    assert page.status_code == 200 and "Mark as done" in page.content.decode()
    assert AuditEntry.objects.filter(actor_id=team.alice.pk, detail=f"pathway {pathway.pk}", action="read").exists()
    client.post(f"/pathways/{pathway.pk}/steps/{step.pk}/done/", {"note": "Eligible for both"})
    step.refresh_from_db()
    assert step.done and step.completed_by == team.alice


def test_the_supervisor_approves_from_the_queue(client: Client, team: Team) -> None:
    pathway = opened(team)
    pathway_submit(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=pathway.pk,
        closure="incomplete",
        reason="family_declined",
    )
    signed_in(client, team.sam)
    queue = client.get("/pathways/review/").content.decode()
    assert pathway.name in queue
    assert "Record the decision" in client.get(f"/pathways/{pathway.pk}/").content.decode()
    response = client.post(f"/pathways/{pathway.pk}/review/", {"decision": "approve", "note": ""})
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.status == "finished_incomplete"
    client.logout()
    signed_in(client, team.dora)  # not a supervisor
    assert client.get("/pathways/review/").status_code == 404


def test_the_counts_page_is_for_the_hub_administrator_and_supervisors(client: Client, team: Team) -> None:
    pathway = opened(team)
    pathway_submit(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=pathway.pk,
        closure="incomplete",
        reason="family_declined",
    )
    signed_in(client, team.network.admin)
    response = client.get("/pathways/counts/", {"start": "2020-01-01", "end": "2100-01-01", "by": "organization"})
    assert response.status_code == 200
    assert [(r.label, r.awaiting_review) for r in response.context["rows"]] == [("Casa Familia FRC", 1)]
    client.logout()
    signed_in(client, team.dora)
    assert client.get("/pathways/counts/").status_code == 404


def test_my_day_shows_steps_due_today_and_overdue(team: Team) -> None:
    pathway = opened(team)
    today = timezone.localdate()
    pathway.steps.filter(order=1).update(due_on=today)
    pathway.steps.filter(order=3).update(due_on=today - datetime.timedelta(days=2))
    items = day_items(team.alice, member(team.alice), today)
    assert [i.key for i in items[Section.TODAY] if i.key.startswith("pathway")] == ["pathway_step"]
    assert [i.due for i in items[Section.OVERDUE] if i.key.startswith("pathway")] == [
        today - datetime.timedelta(days=2)
    ]
    assert all(team.world.family.mother.given_name not in i.label for i in items[Section.TODAY])
    # Someone else's day does not show the family's steps.
    assert not [i for i in day_items(team.olga, member(team.olga), today)[Section.TODAY] if i.key == "pathway_step"]


def test_a_pathway_without_progress_for_14_days_is_on_the_case_review(team: Team) -> None:
    pathway = opened(team)
    now = timezone.now()
    assert not review_items(team.alice, member(team.alice), now)[ReviewReason.STALLED_PATHWAY]
    Pathway.objects.filter(pk=pathway.pk).update(last_progress_at=now - datetime.timedelta(days=15))
    stalled = review_items(team.alice, member(team.alice), now)[ReviewReason.STALLED_PATHWAY]
    assert [i.household_id for i in stalled] == [team.world.family.household.pk]


def test_an_encounter_links_to_the_familys_open_pathways(team: Team) -> None:
    pathway = opened(team)
    kind = next(k for k in encounter_link_kinds() if k.key == "pathways")
    household = team.world.family.household
    assert kind.choices(household, team.alice, member(team.alice)) == [(str(pathway.pk), pathway.name)]
    assert kind.choices(household, team.olga, member(team.olga)) == []
    contact = Contact.objects.create(
        household=household, method="home_visit", by=team.alice, organization=team.network.frc
    )
    kind.save(contact, [str(pathway.pk)], team.alice)
    assert PathwayEncounter.objects.filter(contact=contact, pathway=pathway).exists()
    assert kind.shown(contact) == [pathway.name]
    with pytest.raises(ValueError):
        kind.save(contact, ["not-a-pathway"], team.alice)


def test_the_family_export_and_timeline_carry_the_pathways(team: Team) -> None:
    from ecwhub.consent.export import family_export, family_export_open, family_export_readable

    pathway = opened(team)
    household = team.world.family.household
    export = family_export(
        family_export_open(user=team.alice, membership=member(team.alice), household_id=household.pk)
    )
    [row] = export["pathways"]
    assert (row["definition"], row["status"], len(row["steps"])) == ("food-security", "open", 4)
    readable = family_export_readable(
        family_export_open(user=team.alice, membership=member(team.alice), household_id=household.pk)
    )
    section = next(r for r in readable if r.heading == "Pathways")
    assert section.entries[0].title == f"{pathway.name}: Open"
    from ecwhub.consent.sections import SectionContext, timeline_sources

    source = next(s for s in timeline_sources() if s.key == "pathways")
    opened_family = family_export_open(user=team.alice, membership=member(team.alice), household_id=household.pk)
    assert [e.text for e in source.events(SectionContext(opened_family))] == ["Food security: Opened"]


def test_a_supervisor_sees_how_many_closures_wait_on_their_home_page(client: Client, team: Team) -> None:
    pathway = opened(team)
    signed_in(client, team.sam)
    assert "0 closures wait for your review." in client.get("/").content.decode()
    pathway_submit(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=pathway.pk,
        closure="incomplete",
        reason="family_declined",
    )
    assert "1 closure waits for your review." in client.get("/").content.decode()
    client.logout()
    signed_in(client, team.dora)
    assert "closures wait for your review" not in client.get("/").content.decode()


def test_a_pathway_already_open_is_not_offered_again(client: Client, team: Team) -> None:
    opened(team)
    signed_in(client, team.alice)
    page = client.get(f"/families/{team.world.family.household.pk}/").content.decode()
    # The food need is still wanted; food security is open, so only the other food pathways remain.
    assert f'<option value="{opened_definition_pk()}">' not in page


def opened_definition_pk() -> int:
    from ecwhub.pathways.models import PathwayDefinition

    return PathwayDefinition.objects.get(key="food-security").pk


def test_the_supervisor_flag_is_shown_and_edited_with_the_membership(client: Client, team: Team) -> None:
    from ecwhub.accounts.admin import MembershipInline

    assert "is_supervisor" in MembershipInline.fields
    signed_in(client, team.alice)  # administers the family resource center
    page = client.get("/accounts/organizations/casa/").content.decode()
    assert page.count("· supervisor") == 1  # Sam, and only Sam
