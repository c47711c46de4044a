"""Definitions are data: the shipped standard pathways, edits that drive the next pathway and leave
open ones alone, and bad definitions refused field by field."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.core.errors import NotFound
from ecwhub.core.needs import Need
from ecwhub.pathways.definitions import (
    DefinitionError,
    DefinitionInput,
    StepInput,
    definition_input,
    definition_save,
)
from ecwhub.pathways.models import DefinitionRevision, PathwayDefinition, StepKind
from ecwhub.pathways.services import pathway_review, pathway_submit
from tests.conftest import signed_in
from tests.referrals.conftest import member

from .conftest import Team, food, opened

pytestmark = pytest.mark.django_db

STANDARD_21 = {
    "adult-education",
    "developmental-referral",
    "employment",
    "family-planning",
    "food-security",
    "health-coverage",
    "housing",
    "immunization-referral",
    "learning",
    "medical-home",
    "medical-referral",
    "medication-adherence",
    "medication-reconciliation",
    "medication-screening",
    "mental-health",
    "oral-health",
    "postpartum",
    "pregnancy",
    "social-service-referral",
    "substance-use",
    "transportation",
}
ADDED = {"developmental-screening", "early-care-education", "legal"}


def test_the_hub_ships_the_standard_pathways_with_steps_outcome_and_source() -> None:
    definitions = {d.key: d for d in PathwayDefinition.objects.prefetch_related("steps", "needs")}
    assert set(definitions) == STANDARD_21 | ADDED
    for key, definition in definitions.items():
        steps = list(definition.steps.order_by("order"))
        assert steps and steps[-1].kind == StepKind.CONFIRMATION, key
        assert definition.outcome and definition.source, key
        assert {n.need for n in definition.needs.all()} <= set(Need.values), key
        assert all(s.time_limit_days <= definition.time_limit_days for s in steps), key
        assert all(s.need for s in steps if s.kind == StepKind.REFERRAL), key
    for key in STANDARD_21:
        assert "Pathways Community HUB Institute" in definitions[key].source
    for key in ADDED:
        assert "Not one of the 21 PCHI standard pathways" in definitions[key].source
    assert definitions["food-security"].outcome == "Family enrolled in WIC or CalFresh"
    assert definitions["medical-home"].outcome == "Medical home established and first visit attended"
    assert definitions["employment"].confirm_after_days == 30


def test_an_edit_drives_the_next_pathway_and_leaves_the_open_one_alone(team: Team) -> None:
    old = opened(team)
    old_steps = list(old.steps.values_list("title", "time_limit_days", "due_on"))
    admin = team.network.admin
    data = definition_input(food())
    data.time_limit_days = 90
    data.steps[0].time_limit_days = 10
    confirmation = data.steps.pop()
    data.steps.append(
        StepInput(order=4, title="Bring the WIC card to the next visit", kind="action", time_limit_days=45)
    )
    confirmation.order = 5
    data.steps.append(confirmation)
    saved = definition_save(acting_user=admin, membership=member(admin), data=data, instance=food())
    assert saved.version == 2
    assert DefinitionRevision.objects.filter(definition=saved, version=2, saved_by=admin).exists()

    # The open pathway keeps the steps it started with.
    old.refresh_from_db()
    assert list(old.steps.values_list("title", "time_limit_days", "due_on")) == old_steps
    assert old.time_limit_days == 60 and old.definition_version == 1

    # The next one (after the first closes) follows the new version.
    pathway_submit(
        acting_user=team.alice,
        membership=member(team.alice),
        pathway_id=old.pk,
        closure="incomplete",
        reason="family_declined",
    )
    pathway_review(acting_user=team.sam, membership=member(team.sam), pathway_id=old.pk, approve=True)
    new = opened(team)
    today = timezone.localdate()
    assert new.definition_version == 2 and new.time_limit_days == 90
    assert new.due_on == today + datetime.timedelta(days=90)
    titles = list(new.steps.order_by("order").values_list("title", flat=True))
    assert "Bring the WIC card to the next visit" in titles and len(titles) == len(old_steps) + 1
    first = new.steps.get(order=1)
    assert first.time_limit_days == 10 and first.due_on == today + datetime.timedelta(days=10)


def _good(**overrides: object) -> DefinitionInput:
    data = DefinitionInput(
        key="diapers",
        name="Diapers",
        outcome="Family has diapers for a month",
        time_limit_days=30,
        source="Hub's own",
        needs=[Need.MATERIAL_HARDSHIP],
        steps=[
            StepInput(
                order=1, title="Refer to the diaper bank", kind="referral", time_limit_days=14, need="material-hardship"
            ),
            StepInput(order=2, title="Confirm", kind="confirmation", time_limit_days=30),
        ],
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_limit_days": 0}, "time_limit_days"),
        ({"time_limit_days": 731}, "time_limit_days"),
        ({"time_limit_days": None}, "time_limit_days"),
        ({"key": "food-security"}, "key"),
        ({"key": "no spaces!"}, "key"),
        ({"key": "new"}, "key"),
        ({"name": " "}, "name"),
        ({"outcome": ""}, "outcome"),
        ({"source": ""}, "source"),
        ({"needs": []}, "needs"),
        ({"needs": ["moon-travel"]}, "needs"),
        ({"confirm_after_days": 30}, "confirm_after_days"),
        ({"steps": []}, "steps"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_field(team: Team, overrides: dict[str, object], field: str) -> None:
    admin = team.network.admin
    with pytest.raises(DefinitionError) as caught:
        definition_save(acting_user=admin, membership=member(admin), data=_good(**overrides), instance=None)
    assert field in caught.value.errors
    assert not PathwayDefinition.objects.filter(key="diapers").exists()


def test_bad_steps_are_refused_step_by_step(team: Team) -> None:
    admin = team.network.admin
    steps = [
        StepInput(order=1, title="Refer", kind="referral", time_limit_days=14, need=""),
        StepInput(order=1, title="", kind="action", time_limit_days=40),
        StepInput(order=2, title="Confirm", kind="confirmation", time_limit_days=30),
    ]
    with pytest.raises(DefinitionError) as caught:
        definition_save(acting_user=admin, membership=member(admin), data=_good(steps=steps), instance=None)
    errors = caught.value.errors
    assert "steps-0-need" in errors  # a referral step needs a need
    assert "steps-1-order" in errors  # the same place twice
    assert "steps-1-title" in errors
    assert "steps-1-time_limit_days" in errors  # longer than the pathway
    no_confirmation = [StepInput(order=1, title="Call", kind="action", time_limit_days=5)]
    with pytest.raises(DefinitionError) as caught:
        definition_save(acting_user=admin, membership=member(admin), data=_good(steps=no_confirmation), instance=None)
    assert "steps" in caught.value.errors


def test_only_the_hub_administrator_edits_definitions(team: Team) -> None:
    with pytest.raises(NotFound):
        definition_save(acting_user=team.alice, membership=member(team.alice), data=_good(), instance=None)
    admin = team.network.admin
    saved = definition_save(acting_user=admin, membership=member(admin), data=_good(), instance=None)
    assert saved.steps.count() == 2 and saved.needs.get().need == Need.MATERIAL_HARDSHIP


def _post(**overrides: str) -> dict[str, str]:
    data = {
        "key": "diapers",
        "name": "Diapers",
        "description": "",
        "needs": "material-hardship",
        "outcome": "Family has diapers for a month",
        "confirm_after_days": "0",
        "time_limit_days": "30",
        "source": "Hub's own",
        "active": "on",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
        "steps-0-order": "1",
        "steps-0-title": "Refer to the diaper bank",
        "steps-0-kind": "referral",
        "steps-0-time_limit_days": "14",
        "steps-0-required": "on",
        "steps-0-need": "material-hardship",
        "steps-1-order": "2",
        "steps-1-title": "Confirm",
        "steps-1-kind": "confirmation",
        "steps-1-time_limit_days": "30",
        "steps-1-required": "on",
        "steps-1-need": "",
        "steps-2-order": "",
        "steps-2-title": "",
        "steps-2-kind": "action",
        "steps-2-time_limit_days": "",
        "steps-2-need": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_the_editing_page_shows_each_fault_at_its_field_and_saves_nothing(client: Client, team: Team) -> None:
    signed_in(client, team.network.admin)
    response = client.post("/pathways/definitions/new/", _post(time_limit_days="800", **{"steps-0-need": ""}))
    assert response.status_code == 200
    form = response.context["form"]
    assert "time_limit_days" in form.errors
    # Every fault at once: the step's own fault shows at the step, beside the field that did not parse.
    steps = response.context["steps"]
    assert steps.forms[0].errors["need"] == ["A referral step needs the need it refers for."]
    response = client.post("/pathways/definitions/new/", _post(key="food-security", **{"steps-1-kind": "action"}))
    assert response.context["form"].errors["key"] == ["Another pathway already has this key."]
    assert "A pathway needs a step that confirms the outcome." in response.context["form"].non_field_errors()
    assert b'role="alert"' in response.content
    assert not PathwayDefinition.objects.filter(key="diapers").exists()


def test_the_preview_shows_the_pathway_without_saving_then_save_saves(client: Client, team: Team) -> None:
    signed_in(client, team.network.admin)
    response = client.post("/pathways/definitions/new/", _post(save="", preview="1"))
    assert response.status_code == 200 and response.context["preview"].name == "Diapers"
    assert "Refer to the diaper bank" in response.content.decode()
    assert not PathwayDefinition.objects.filter(key="diapers").exists()
    response = client.post("/pathways/definitions/new/", _post())
    assert response.status_code == 302
    assert PathwayDefinition.objects.get(key="diapers").steps.count() == 2


def test_a_coordinator_cannot_reach_the_editing_pages(client: Client, team: Team) -> None:
    signed_in(client, team.alice)
    assert client.get("/pathways/definitions/").status_code == 404
    assert client.get("/pathways/definitions/food-security/").status_code == 404
