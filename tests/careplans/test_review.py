"""The weekly case review: the families the user's organization coordinates, once per reason
(crisis, new positive screens, failed referrals, overdue follow-ups), each with a link; a family the
user may not read, or another organization's family, never shows; every family shown is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.care.agenda import ReviewReason
from ecwhub.consent.models import AuditEntry, DataCategory
from ecwhub.directory.models import Service
from ecwhub.referrals.models import Referral, ReferralFollowUp
from ecwhub.screening.models import ScreeningAlert, ScreeningResponse, ScreeningResult
from tests.careplans.conftest import Team, designate
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, consent_given, make_family

pytestmark = pytest.mark.django_db

REVIEW = "/care/review/"


def _screen(
    network: Network, family: Family, *, at: datetime, category: str = "screening_results"
) -> ScreeningResponse:
    return ScreeningResponse.objects.create(
        household=family.household,
        person=family.mother,
        instrument="epds",
        instrument_version="1.0.0",
        language="es",
        mode=ScreeningResponse.Mode.WITH_COORDINATOR,
        status=ScreeningResponse.Status.COMPLETED,
        category=category,
        started_at=at,
        completed_at=at,
        taken_by=network.alice,
    )


def positive(network: Network, family: Family, days_ago: int) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    response = _screen(network, family, at=at)
    ScreeningResult.objects.create(
        response=response,
        household=family.household,
        person=family.mother,
        rule="total",
        status=ScreeningResult.Status.POSITIVE,
        total=14,
        category="screening_results",
        observed_at=at,
    )


def alert(network: Network, family: Family, *, days_ago: int = 20, acknowledged: bool = False) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    response = _screen(network, family, at=at, category=DataCategory.BEHAVIORAL_HEALTH)
    ScreeningAlert.objects.create(
        response=response,
        household=family.household,
        kind=ScreeningAlert.Kind.SELF_HARM,
        protocol="self-harm-v1",
        category=DataCategory.BEHAVIORAL_HEALTH,
        raised_at=at,
        acknowledged_by=network.alice if acknowledged else None,
        acknowledged_at=at if acknowledged else None,
    )


def referral(network: Network, family: Family, status: str, *, closed_days_ago: int | None = None) -> Referral:
    service, _created = Service.objects.get_or_create(
        organization=network.food_bank, name="Weekly pantry", defaults={"description": "Groceries."}
    )
    closed = timezone.now() - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    return Referral.objects.create(
        household=family.household,
        service=service,
        referring_organization=network.frc,
        referred_by=network.alice,
        receiving_organization=network.food_bank,
        status=status,
        closed_at=closed,
    )


def follow_up(network: Network, family: Family, *, due_in_days: int) -> None:
    ReferralFollowUp.objects.create(
        referral=referral(network, family, "accepted"),
        assigned_to=network.alice,
        due=timezone.now() + timedelta(days=due_in_days),
    )


def _coordinator(network: Network, email: str, organization: object) -> User:
    user = User.objects.create_user(email, "x", first_name=email.split("@")[0].title(), last_name="C")
    membership_add(acting_user=None, user=user, organization=organization, role=Role.COORDINATOR)  # type: ignore[arg-type]
    return user


def _shown(client: Client, query: str = "") -> dict[str, list[str]]:
    response = client.get(REVIEW + query)
    assert response.status_code == 200
    return {key: [row.reference for row in rows] for key, _label, rows, _total in response.context["sections"]}


def ref(family: Family) -> str:
    return str(family.household.pk)[:8]


def test_the_review_shows_each_reason_once_per_family_and_never_another_organizations(team: Team) -> None:
    network = team.network
    ours = team.family  # Alice is its designated coordinator
    consent_given(network, ours.household, given_by=ours.mother, categories=[DataCategory.BEHAVIORAL_HEALTH])
    alert(network, ours)
    alert(network, ours, days_ago=2)
    alert(network, ours, days_ago=1, acknowledged=True)
    positive(network, ours, days_ago=2)
    positive(network, ours, days_ago=3)
    referral(network, ours, "failed", closed_days_ago=1)
    referral(network, ours, "rejected", closed_days_ago=2)
    referral(network, ours, "failed", closed_days_ago=20)
    follow_up(network, ours, due_in_days=-2)
    follow_up(network, ours, due_in_days=-1)

    # A colleague's family at the same organization: the team sees it; its only positive screen is
    # 20 days old, and its behavioral-health alert is not covered by the family's consent.
    fran = _coordinator(network, "fran@example.org", network.frc)
    colleagues = make_family(network)
    designate(network, colleagues, fran)
    positive(network, colleagues, days_ago=20)
    alert(network, colleagues)
    # Another organization coordinates this family (Alice could read it: her center registered it).
    cleo = _coordinator(network, "cleo@example.org", team.clinic)
    elsewhere = make_family(network)
    designate(network, elsewhere, cleo)
    consent_given(network, elsewhere.household, given_by=elsewhere.mother, categories=[DataCategory.BEHAVIORAL_HEALTH])
    alert(network, elsewhere)
    positive(network, elsewhere, days_ago=1)
    referral(network, elsewhere, "failed", closed_days_ago=1)
    follow_up(network, elsewhere, due_in_days=-1)
    # The center coordinates this one, but the family gave no consent: Alice may not read it.
    unread = make_family(network, consent=False)
    designate(network, unread, fran)
    positive(network, unread, days_ago=1)
    referral(network, unread, "failed", closed_days_ago=1)

    client = signed_in(Client(), network.alice)
    shown = _shown(client)
    assert shown == {
        ReviewReason.CRISIS: [ref(ours)],
        ReviewReason.STALLED_PATHWAY: [],
        ReviewReason.OVERDUE_FOLLOW_UP: [ref(ours)],
        ReviewReason.NEW_POSITIVE_SCREEN: [ref(ours)],
        ReviewReason.FAILED_REFERRAL: [ref(ours)],
    }
    month = _shown(client, "?days=30")
    assert sorted(month[ReviewReason.NEW_POSITIVE_SCREEN]) == sorted([ref(ours), ref(colleagues)])
    assert month[ReviewReason.CRISIS] == [ref(ours)]
    body = client.get(REVIEW + "?days=30").content.decode()
    for hidden in (elsewhere, unread):
        assert ref(hidden) not in body
    assert f"/families/{ours.household.pk}/" in body
    read = AuditEntry.objects.filter(household_id=ours.household.pk, detail="case review", actor_id=network.alice.pk)
    assert read.exists()
    assert not AuditEntry.objects.filter(household_id=elsewhere.household.pk, detail="case review").exists()


def test_the_period_is_chosen_and_a_bad_one_is_refused_by_name(team: Team) -> None:
    client = signed_in(Client(), team.network.alice)
    bad = client.get(REVIEW + "?days=5")
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'role="alert"' in body and 'id="id_days_errors"' in body
    assert "Select a valid choice" in body


def test_only_coordinators_open_the_review(team: Team) -> None:
    assert signed_in(Client(), team.dora).get(REVIEW).status_code == 404
    assert signed_in(Client(), team.network.carla).get(REVIEW).status_code == 404


def test_the_overview_shows_a_few_per_reason_and_one_reasons_list_pages(team: Team) -> None:
    network = team.network
    families = [team.family] + [make_family(network) for _ in range(11)]
    for family in families[1:]:
        designate(network, family, network.alice)
    for family in families:
        positive(network, family, days_ago=1)
    client = signed_in(Client(), network.alice)
    overview = client.get(REVIEW)
    sections = {key: (rows, total) for key, _label, rows, total in overview.context["sections"]}
    rows, total = sections[ReviewReason.NEW_POSITIVE_SCREEN]
    assert (len(rows), total) == (10, 12)
    assert "Show all 12 families" in overview.content.decode()
    # Only the families shown are audited.
    assert AuditEntry.objects.filter(detail="case review").count() == 10
    full = client.get(REVIEW + "?reason=new_positive_screen")
    assert [key for key, *_rest in full.context["sections"]] == [ReviewReason.NEW_POSITIVE_SCREEN]
    rows, total = full.context["sections"][0][2:]
    assert sorted(r.reference for r in rows) == sorted(ref(f) for f in families)
    assert client.get(REVIEW + "?reason=nothing").status_code == 400
