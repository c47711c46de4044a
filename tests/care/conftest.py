"""Families with screening histories, for the tier, surveillance and worklist tests."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import membership_add
from ecwhub.families.models import Household, Person
from ecwhub.screening.models import IdentifiedNeed, ScreeningResponse, ScreeningResult

# The shared Chromium for this folder's browser tests, defined once for the package: two modules
# importing it would start two Playwright instances in one thread.
from tests.browser.conftest import _sync_orm_beside_playwright, browser  # noqa: F401
from tests.conftest import Network
from tests.consent.conftest import Family, consent_given, make_family


def screened(
    family: Family,
    network: Network,
    *,
    instrument: str = "epds",
    totals: dict[str, int] | None = None,
    positive: bool = True,
    needs: tuple[str, ...] = (),
    at: datetime | None = None,
) -> ScreeningResponse:
    """A completed screen of the mother, written as the screening app writes it."""
    at = at or timezone.now()
    response = ScreeningResponse.objects.create(
        household=family.household,
        person=family.mother,
        instrument=instrument,
        instrument_version="1.0.0",
        language="es",
        mode=ScreeningResponse.Mode.WITH_COORDINATOR,
        status=ScreeningResponse.Status.COMPLETED,
        category="behavioral_health" if instrument in ("epds", "phq-2-9") else "screening_results",
        started_at=at,
        completed_at=at,
        taken_by=network.alice,
    )
    for rule, total in (totals or {}).items():
        ScreeningResult.objects.create(
            response=response,
            household=family.household,
            person=family.mother,
            rule=rule,
            status=ScreeningResult.Status.POSITIVE if positive else ScreeningResult.Status.NEGATIVE,
            total=total,
            category=response.category,
            observed_at=at,
        )
    for need in needs:
        IdentifiedNeed.objects.create(
            household=family.household,
            person=family.mother,
            need=need,
            category="identified_needs",
            source_response=response,
        )
    return response


def child(household: Household, born: date, name: str = "Niño") -> Person:
    return Person.objects.create(
        household=household,
        relationship=Person.Relationship.CHILD,
        given_name=name,
        family_name="Prueba",
        date_of_birth=born,
        preferred_language="es",
    )


@pytest.fixture
def clinician(network: Network) -> Membership:
    """Network.oscar works as a clinician at the family resource center (the family's registering organization)."""
    return membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.CLINICIAN)


@pytest.fixture
def family(network: Network) -> Family:
    return make_family(network)


def days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)


def consent_to_behavioral_health(network: Network, family: Family) -> None:
    """The mother names behavioral health in a consent to the whole network (care coordination)."""
    from ecwhub.consent.models import DataCategory

    consent_given(network, family.household, given_by=family.mother, categories=[DataCategory.BEHAVIORAL_HEALTH])


@pytest.fixture(autouse=True)
def default_risk_rules(request: pytest.FixtureRequest) -> None:
    """The default rules come from a data migration; a transactional test elsewhere in the run flushes
    every table (those rows too), so put them back for the tests that read tiers."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")  # with transaction=True in the marker this is the transactional database
    from django.apps import apps

    from ecwhub.care.models import RiskRule

    if not RiskRule.objects.exists():
        default_rules = importlib.import_module("ecwhub.care.migrations.0002_default_risk_rules")
        default_rules.seed(apps, None)
