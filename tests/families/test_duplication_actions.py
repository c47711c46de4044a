"""The hub administrator acts on families coordinated by two or more organizations: asks them to
agree who leads (a notice to each organization's coordinators, nothing personal in it), or marks
the flag reviewed with a note, which hides it until the organizations change."""

from __future__ import annotations

import pytest
from django.test import Client

from ecwhub.accounts.models import Role
from ecwhub.accounts.services import membership_add
from ecwhub.core.models import OutboxMessage
from ecwhub.core.outbox import NotificationError
from ecwhub.families import duplication
from ecwhub.families.models import DuplicationAction
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family
from tests.families.test_review_and_duplication import _coordinate

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(network: Network) -> Family:
    """María García's family, coordinated by the FRC (Alice) and the food bank (Oscar)."""
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    family = make_family(network)
    _coordinate(family, network.frc, network.food_bank)
    return family


def _ask(client: Client, family: Family):  # type: ignore[no-untyped-def]
    return client.post(f"/families/duplication/{family.household.pk}/ask/", follow=True)


def test_asking_to_agree_notifies_each_organizations_coordinators_with_nothing_personal(
    network: Network, flagged: Family
) -> None:
    network.oscar.preferred_language = "es"
    network.oscar.save(update_fields=["preferred_language"])
    admin = signed_in(Client(), network.admin)

    page = _ask(admin, flagged).content.decode()

    reference = str(flagged.household.pk)[:8]
    assert f"Reference {reference}: 2 coordinators were asked to agree who leads." in page
    (action,) = DuplicationAction.objects.all()
    assert (action.kind, action.acted_by, action.acted_in) == ("asked", network.admin, network.hub)
    assert action.organization_key == ",".join(sorted(str(o.pk) for o in (network.frc, network.food_bank)))
    notices = {n.recipient: n for n in OutboxMessage.objects.all()}
    assert set(notices) == {network.alice.email, network.oscar.email}
    assert notices[network.alice.email].language == "en" and notices[network.oscar.email].language == "es"
    assert "agree which one leads" in notices[network.alice.email].body_text
    assert "acuerden cuál de ellas coordina" in notices[network.oscar.email].body_text
    for notice in notices.values():
        text = notice.subject + notice.body_text
        assert reference in text and "/accounts/sign-in/?next=/families/duplication/" in text
        # The reference only: no name, no full id, no organization, no address.
        for personal in ("María", "García", "Sofía", "Diego", "91801", str(flagged.household.pk), "Casa", "Valley"):
            assert personal not in text
    # The page shows when the organizations were last asked.
    assert "Asked to agree:" in page and "Not asked yet" not in page


def test_an_organization_without_coordinator_is_named_and_its_administrator_told(network: Network) -> None:
    family = make_family(network)
    _coordinate(family, network.frc, network.food_bank)  # the food bank has only Bob, provider staff
    page = _ask(signed_in(Client(), network.admin), family).content.decode()
    assert "Nobody to notify at Valley Food Bank: add a coordinator there." in page
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [network.alice.email]

    membership = network.bob.memberships.get()
    membership.is_org_admin = True
    membership.save(update_fields=["is_org_admin"])
    _ask(signed_in(Client(), network.admin), family)
    assert OutboxMessage.objects.filter(recipient=network.bob.email).count() == 1


def test_a_request_and_its_notices_are_written_together_or_not_at_all(
    network: Network, flagged: Family, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def failing_notify(**kwargs: object) -> None:
        calls.append(kwargs)
        if len(calls) == 2:
            raise NotificationError("recipient", "refused")

    monkeypatch.setattr(duplication, "notify", failing_notify)
    with pytest.raises(NotificationError):
        duplication.duplication_agreement_request(
            acting_user=network.admin, membership=network.admin.memberships.get(), household_id=flagged.household.pk
        )
    assert len(calls) == 2
    assert not DuplicationAction.objects.exists()


def test_a_reviewed_flag_hides_until_the_organizations_change(network: Network, flagged: Family) -> None:
    admin = signed_in(Client(), network.admin)
    reference = str(flagged.household.pk)[:8]
    url = f"/families/duplication/{flagged.household.pk}/review/"

    refused = admin.post(url, {"note": "  "}, follow=True).content.decode()
    assert "Write a short note: why no action is needed." in refused
    assert not DuplicationAction.objects.exists()
    assert f"Reference {reference}</h2>" in refused

    done = admin.post(url, {"note": "Both organizations confirmed: the FRC leads."}, follow=True).content.decode()
    assert "marked as reviewed" in done
    assert f"Reference {reference}</h2>" not in done
    assert "1 reviewed family is hidden until its organizations change." in done
    (review,) = DuplicationAction.objects.filter(kind="reviewed")
    assert (review.note, review.acted_by) == ("Both organizations confirmed: the FRC leads.", network.admin)

    # A third organization starts coordinating: the set changed, the flag is back.
    _coordinate(flagged, network.hub)
    back = admin.get("/families/duplication/").content.decode()
    assert f"Reference {reference}</h2>" in back and "reviewed family is hidden" not in back


def test_only_the_hub_administrator_acts_and_only_on_a_flagged_family(network: Network, flagged: Family) -> None:
    alice = signed_in(Client(), network.alice)
    for action in ("ask", "review"):
        response = alice.post(f"/families/duplication/{flagged.household.pk}/{action}/", {"note": "x"})
        assert response.status_code == 404
    single = make_family(network)
    _coordinate(single, network.frc)
    page = _ask(signed_in(Client(), network.admin), single).content.decode()
    assert "This family is no longer coordinated by more than one organization." in page
    assert not DuplicationAction.objects.exists() and not OutboxMessage.objects.exists()


def test_coordinators_see_that_the_hub_asked_them_to_agree(network: Network, flagged: Family) -> None:
    family_page = f"/families/{flagged.household.pk}/"
    alice = signed_in(Client(), network.alice)
    assert "The hub asked your organizations" not in alice.get(family_page).content.decode()
    _ask(signed_in(Client(), network.admin), flagged)
    assert "The hub asked your organizations to agree who leads on" in alice.get(family_page).content.decode()
    listing = alice.get("/families/duplication/").content.decode()
    assert "Hub asked to agree" in listing and "—</td>" not in listing
