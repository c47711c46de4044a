"""The hub administrator changes a risk rule in the admin site: affected families' tiers and
explanations change; a bad rule is refused with the field named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from ecwhub.care.models import CareEvent, CareEventKind, RiskRule, TierAssignment
from ecwhub.care.services import household_tier_recompute
from ecwhub.care.tiers import Reason, explain
from tests.care.conftest import screened
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def _form(rule: RiskRule, **changes: Any) -> dict[str, Any]:
    data = {k: ("" if v is None else v) for k, v in model_to_dict(rule).items() if k not in ("id", "updated_at")}
    data.update(changes)
    if not data.get("active"):
        data.pop("active", None)
    return data


def _text(family: Family) -> tuple[int, str]:
    row = TierAssignment.objects.get(household=family.household)
    return row.tier, explain(row.tier, [Reason.from_json(r) for r in row.reasons], "en")


def test_changing_a_rule_in_the_admin_changes_affected_families(network: Network) -> None:
    affected, unaffected = make_family(network), make_family(network)
    for family in (affected, unaffected):
        CareEvent.objects.create(
            person=family.child,
            household=family.household,
            kind=CareEventKind.WELL_CHILD_VISIT,
            date=timezone.localdate() - timedelta(days=20),
        )
    screened(affected, network, instrument="ahc-hrsn-core", needs=("food-insecurity",))
    household_tier_recompute([affected.household.pk, unaffected.household.pk])
    assert _text(affected) == (2, "Tier 2 because: food insecurity")
    before = TierAssignment.objects.get(household=affected.household).rules_version

    rule = RiskRule.objects.get(name="Food insecurity")
    client = signed_in(Client(), network.admin)
    response = client.post(
        f"/admin/care/riskrule/{rule.pk}/change/",
        _form(rule, tier=3, explanation="{need} (no food at home)"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert _text(affected) == (3, "Tier 3 because: food insecurity (no food at home)")
    assert _text(unaffected) == (1, "Tier 1: universal services, no rule raised this family.")
    assert TierAssignment.objects.get(household=affected.household).rules_version != before


def test_switching_a_rule_off_in_the_admin_lowers_the_tier(network: Network) -> None:
    family = make_family(network)
    screened(family, network, instrument="ahc-hrsn-core", needs=("food-insecurity",))
    household_tier_recompute([family.household.pk])
    assert _text(family)[0] == 2
    rule = RiskRule.objects.get(name="No medical home")
    client = signed_in(Client(), network.admin)
    client.post(f"/admin/care/riskrule/{rule.pk}/change/", _form(rule, active=False))
    food = RiskRule.objects.get(name="Food insecurity")
    client.post(f"/admin/care/riskrule/{food.pk}/change/", _form(food, active=False))
    assert _text(family)[0] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"need": ""}, "need"),
        ({"threshold": 5}, "threshold"),
        ({"explanation": "{nede}"}, "explanation"),
        (
            {
                "kind": "instrument_total_at_least",
                "need": "",
                "instrument": "epds",
                "score_rule": "nope",
                "threshold": 3,
            },
            "score_rule",
        ),
        (
            {
                "kind": "instrument_total_at_least",
                "need": "",
                "instrument": "epds",
                "score_rule": "epds-total",
                "threshold": 31,
            },
            "threshold",
        ),
        (
            {
                "kind": "instrument_total_at_least",
                "need": "",
                "instrument": "../../etc/x.json",
                "score_rule": "t",
                "threshold": 1,
            },
            "instrument",
        ),
        ({"kind": "urgent_flag", "need": "", "urgent_kind": "fire"}, "urgent_kind"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(network: Network, changes: dict[str, Any], field: str) -> None:
    rule = RiskRule.objects.get(name="Food insecurity")
    client = signed_in(Client(), network.admin)
    response = client.post(f"/admin/care/riskrule/{rule.pk}/change/", _form(rule, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    rule.refresh_from_db()
    assert rule.need == "food-insecurity" and rule.tier == 2


def test_only_hub_administrators_reach_the_rules(network: Network) -> None:
    from ecwhub.accounts.models import User

    User.objects.filter(pk=network.alice.pk).update(is_staff=True)  # staff flag alone is not enough
    response = signed_in(Client(), network.alice).get("/admin/care/riskrule/")
    assert response.status_code in (302, 403)
    assert signed_in(Client(), network.admin).get("/admin/care/riskrule/").status_code == 200
