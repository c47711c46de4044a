"""Two hub administrators mark the same emergency access reviewed at the same moment: one review
is recorded, the other administrator is told it was reviewed already."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from ecwhub.accounts.models import Membership, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import BreakGlass
from ecwhub.consent.services import break_glass_mark_reviewed, break_glass_open
from tests.concurrency.conftest import errors, postgresql_only, together
from tests.conftest import Network, signed_in
from tests.consent.conftest import make_family

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def _second_administrator(network: Network) -> User:
    beatriz = User.objects.create_user("beatriz@example.org", "correct horse battery staple", first_name="Beatriz")
    membership_add(acting_user=None, user=beatriz, organization=network.hub, role=Role.HUB_ADMIN)
    return beatriz


def _emergency(network: Network) -> BreakGlass:
    return break_glass_open(
        acting_user=network.alice,
        membership=Membership.objects.get(user=network.alice),
        household=make_family(network).household,
        reason="Child taken to the emergency room; the clinic needs the care plan now.",
    )


def test_two_administrators_reviewing_at_once_record_one_review(network: Network) -> None:
    administrators = [network.admin, _second_administrator(network)]
    for _ in range(5):
        grant = _emergency(network)

        outcomes = together(
            2, lambda i, grant=grant: break_glass_mark_reviewed(acting_user=administrators[i], grant=grant)
        )

        assert errors(outcomes) == []
        recorded = [outcome.value for outcome in outcomes]
        assert sorted(recorded) == [False, True]
        grant.refresh_from_db()
        assert grant.reviewed_by == administrators[recorded.index(True)]
        assert grant.reviewed_at is not None


def test_two_administrators_reviewing_at_once_through_the_page_are_each_told_what_happened(network: Network) -> None:
    administrators = [network.admin, _second_administrator(network)]
    grant = _emergency(network)
    browsers = [signed_in(Client(raise_request_exception=False), user) for user in administrators]
    path = f"/agreements/emergency-access/{grant.pk}/reviewed/"

    outcomes = together(2, lambda i: browsers[i].post(path))

    assert errors(outcomes) == []
    responses = [outcome.value for outcome in outcomes]
    assert [r.status_code for r in responses] == [302, 302]
    said = sorted(str(m) for r in responses for m in get_messages(r.wsgi_request))
    assert said == ["Emergency access marked as reviewed.", "This emergency access had already been reviewed."]
    grant.refresh_from_db()
    winner = 0 if "marked" in str(next(iter(get_messages(responses[0].wsgi_request)))) else 1
    assert grant.reviewed_by == administrators[winner]
