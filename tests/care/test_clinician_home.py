"""A clinician's home: the children longest overdue for visits and screenings, and the open
safety and self-harm alerts, among the families the clinician may see."""

from __future__ import annotations

import pytest
from django.test import Client

from ecwhub.accounts.models import Membership
from ecwhub.care.services import household_tier_recompute
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family

pytestmark = pytest.mark.django_db


def test_the_clinician_home_lists_overdue_children_and_alerts(
    network: Network, family: Family, clinician: Membership
) -> None:
    household_tier_recompute([family.household.pk])  # the 3-year-old has had no visit: overdue
    body = signed_in(Client(), network.oscar).get("/").content.decode()
    assert "Children overdue for visits and screenings" in body
    assert "Sofía García" in body and f"/families/{family.household.pk}/" in body
    assert 'href="/care/overdue/"' in body
    assert "Screening alerts" in body


def test_the_clinician_home_says_when_no_child_is_overdue(network: Network, clinician: Membership) -> None:
    body = signed_in(Client(), network.oscar).get("/").content.decode()
    assert "No child is overdue among the families you may see." in body
