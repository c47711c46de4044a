"""Surveillance rates per population: counts only, small groups suppressed, the read audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Membership
from ecwhub.care.models import CareEvent
from ecwhub.care.selectors import MIN_CELL, surveillance_rates
from ecwhub.care.services import household_tier_recompute
from ecwhub.consent.models import AuditEntry, Purpose
from ecwhub.families.models import Household
from tests.conftest import Network, signed_in
from tests.consent.conftest import make_family

pytestmark = pytest.mark.django_db


def test_rates_by_zip_suppress_small_groups_and_are_audited(network: Network) -> None:
    today = timezone.localdate()
    families = [make_family(network) for _ in range(MIN_CELL + 1)]
    Household.objects.filter(pk=families[-1].household.pk).update(postal_code="91770")  # a group of one
    # Up to date: every point of the 3-year-old child done; the others miss everything.
    from ecwhub.care.surveillance import schedule

    for family in families[:4]:
        for point in schedule():
            due = point.due_from.on(family.child.date_of_birth)
            if due <= today:
                CareEvent.objects.create(
                    person=family.child,
                    household=family.household,
                    kind=point.kind,
                    date=min(due + timedelta(days=3), today),
                )
    household_tier_recompute([f.household.pk for f in families])
    alice = Membership.objects.get(user=network.alice)
    rows = surveillance_rates(user=network.alice, membership=alice, by="postal_code", purpose=Purpose.CARE_COORDINATION)
    assert [(r.group, r.children, r.up_to_date) for r in rows] == [("91801", MIN_CELL, 4)]
    assert AuditEntry.objects.filter(actor_id=network.alice.pk, detail__startswith="surveillance rates").count() == 1
    with pytest.raises(ValueError):
        surveillance_rates(user=network.alice, membership=alice, by="religion")


def test_the_rates_page_answers_coordinators_and_refuses_provider_staff(network: Network) -> None:
    make_family(network)
    body = signed_in(Client(), network.alice).get("/care/rates/?by=language").content.decode()
    assert "Children up to date with well-child care" in body
    assert signed_in(Client(), network.bob).get("/care/rates/").status_code == 404


@pytest.mark.parametrize(
    ("by", "code", "words"),
    [("language", "cmn", ("Mandarin", "Mandarín")), ("insurance", "medi_cal", ("Medi-Cal", "Medi-Cal"))],
)
def test_the_rates_page_names_groups_in_words_not_codes(network: Network, by: str, code: str, words: tuple) -> None:  # type: ignore[type-arg]
    from ecwhub.families.models import Person

    families = [make_family(network) for _ in range(MIN_CELL)]
    Household.objects.filter(pk__in=[f.household.pk for f in families]).update(preferred_language="cmn")
    Person.objects.filter(pk__in=[f.child.pk for f in families]).update(insurance_status="medi_cal")
    household_tier_recompute([f.household.pk for f in families])
    for language, expected in zip(("en", "es"), words, strict=True):
        client = signed_in(Client(), network.alice)
        client.cookies["django_language"] = language
        body = client.get(f"/care/rates/?by={by}").content.decode()
        assert f'<th scope="row">{expected}' in body, body[body.find("<tbody>") : body.find("</tbody>")]
        assert f">{code}<" not in body
