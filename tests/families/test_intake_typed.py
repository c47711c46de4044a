"""The intake as typed input: the API publishes it, refuses each bad value naming the field, and
the page and the API make the same family from the same facts."""

from __future__ import annotations

import importlib
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django import forms as django_forms
from django.db import models
from django.test import Client
from django.utils import timezone

from ecwhub.consent.models import Consent, Relationship
from ecwhub.families.forms import CaregiverForm, ChildForm, DetailsForm, intake_forms_initial
from ecwhub.families.intake.drafts import IntakeDraftData, intake_draft_parse
from ecwhub.families.intake.input import CaregiverInput, ChildInput, DetailsInput, IntakeError, IntakeInput
from ecwhub.families.models import Household, IntakeDraft, IntakeRecord, Person, PersonRelation, PriorityFlagRecord
from tests.conftest import Network, signed_in
from tests.families.conftest import intake_json, step1, step2

pytestmark = pytest.mark.django_db

INTAKE_BODIES = [
    ("/api/v1/intakes", "post"),
    ("/api/v1/intakes/match", "post"),
    ("/api/v1/intake-drafts/{draft_id}", "put"),
]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema or len(schema.get("allOf", ())) == 1:
        if "allOf" in schema:
            schema = schema["allOf"][0]
            continue
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:  # a part that may be null (a draft's caregiver before step 1 is saved)
        schema = next(_resolve(spec, s) for s in schema["anyOf"] if s.get("type") != "null")
    return schema


def _untyped_objects(spec: dict[str, Any], schema: dict[str, Any], path: str, seen: set[str]) -> list[str]:
    """The places in ``schema`` where an object has no declared properties (``dict[str, Any]``)."""
    ref = schema.get("$ref") or (schema.get("allOf") or [{}])[0].get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[1]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(spec, schema)
    found = []
    if schema.get("type") == "object" or "properties" in schema:
        if not schema.get("properties") or schema.get("additionalProperties") not in (None, False):
            found.append(path)
        for name, sub in schema.get("properties", {}).items():
            found += _untyped_objects(spec, sub, f"{path}.{name}", seen)
    if schema.get("type") == "array":
        found += _untyped_objects(spec, schema.get("items", {}), f"{path}[]", seen)
    return found


def _body(spec: dict[str, Any], route: str, method: str) -> dict[str, Any]:
    return _resolve(spec, spec["paths"][route][method]["requestBody"]["content"]["application/json"]["schema"])


def test_the_openapi_publishes_the_intake_bodies_with_their_types() -> None:
    spec = Client().get("/api/openapi.json").json()
    for route, method in INTAKE_BODIES:
        body = _body(spec, route, method)
        assert _untyped_objects(spec, body, route, set()) == [], route
        caregiver = _resolve(spec, body["properties"]["caregiver"])["properties"]
        child = _resolve(spec, body["properties"]["children"]["items"])["properties"]
        assert set(caregiver) == set(CaregiverInput.model_fields) and set(child) == set(ChildInput.model_fields)
    complete = _body(spec, "/api/v1/intakes", "post")
    caregiver_schema = _resolve(spec, complete["properties"]["caregiver"])
    caregiver = caregiver_schema["properties"]
    assert caregiver["date_of_birth"] == {**caregiver["date_of_birth"], "type": "string", "format": "date"}
    assert caregiver["consent_given"]["type"] == "boolean" and caregiver["interpreter_needed"]["type"] == "boolean"
    assert caregiver["place"]["enum"] == IntakeRecord.Place.values
    assert caregiver["relationship"]["enum"] == ["caregiver", "legal_guardian"]
    assert caregiver["consent_sensitive"]["items"]["enum"] == ["immigration_sensitive", "child_protection"]
    assert caregiver["given_name"]["maxLength"] == 100 and caregiver["postal_code"]["maxLength"] == 10
    assert {"given_name", "date_of_birth", "postal_code", "consent_given"} <= set(caregiver_schema["required"])
    children = complete["properties"]["children"]
    assert (children["minItems"], children["maxItems"]) == (1, 8)
    child = _resolve(spec, children["items"])["properties"]
    assert child["date_of_birth"]["format"] == "date" and child["sex"]["enum"] == Person.Sex.values
    details = _resolve(spec, complete["properties"]["details"])["properties"]
    assert set(details) == set(DetailsInput.model_fields)
    assert details["flags"]["items"]["enum"] == ["refugee", "undocumented", "foster", "unhoused"]
    assert details["safe_to_leave_message"]["anyOf"] == [{"type": "boolean"}, {"type": "null"}]
    assert complete["properties"]["link_household_id"]["anyOf"][0]["format"] == "uuid"
    match = _body(spec, "/api/v1/intakes/match", "post")
    assert set(match["properties"]) == {"caregiver", "children"}
    draft = _body(spec, "/api/v1/intake-drafts/{draft_id}", "put")
    assert {"caregiver", "children", "details", "step", "advance"} == set(draft["properties"])


def _choice_values(form_field: django_forms.Field) -> list[str]:
    return [str(value) for value, _label in form_field.choices if value != ""]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("form_class", "model"), [(CaregiverForm, CaregiverInput), (ChildForm, ChildInput), (DetailsForm, DetailsInput)]
)
def test_the_page_and_the_typed_input_offer_the_same_fields_and_choices(
    form_class: type[django_forms.Form], model: type[Any]
) -> None:
    schema = model.model_json_schema()["properties"]
    assert set(form_class.base_fields) == set(schema)
    for name, form_field in form_class.base_fields.items():
        if name in ("safe_to_leave_message", "consent_behavioral_health"):
            # yes / no (/ not asked) on the page; true / false (/ null) in JSON
            assert sorted(_choice_values(form_field)) == ["no", "yes"], name
            assert "boolean" in str(schema[name]), name
            continue
        if isinstance(form_field, django_forms.ChoiceField):
            typed = schema[name].get("items", schema[name])
            enum = typed.get("enum") or next(s["enum"] for s in typed["anyOf"] if "enum" in s)
            assert _choice_values(form_field) == enum, name
        if isinstance(form_field, django_forms.CharField) and form_field.max_length:
            assert schema[name]["maxLength"] == form_field.max_length, name


def _start(client: Client) -> str:
    response = client.post("/families/intake/")
    match = re.search(r"/families/intake/([0-9a-f-]+)/step/1/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def _rows(household: Household) -> dict[str, Any]:
    """Everything an intake stored about a family, without ids and times."""

    def values(row: models.Model, leave_out: set[str]) -> dict[str, Any]:
        return {
            f.attname: getattr(row, f.attname)
            for f in row._meta.concrete_fields
            if f.attname not in leave_out and not f.primary_key
        }

    times = {"created_at", "updated_at", "given_at", "started_at", "taken_at", "recorded_at", "expires_at"}
    people = sorted(household.members.all(), key=lambda p: (p.relationship, p.given_name))
    number = {p.pk: i for i, p in enumerate(people)}
    return {
        "household": values(household, times),
        "people": [values(p, times | {"household_id"}) for p in people],
        "relations": sorted(
            (number[r.from_person_id], number[r.to_person_id], r.kind)
            for r in PersonRelation.objects.filter(from_person__household=household)
        ),
        "consents": [
            {**values(c, times | {"household_id", "given_by_id", "person_id"}), "given_by": number[c.given_by_id]}
            for c in Consent.objects.filter(household=household)
        ],
        "consent_organizations": [
            sorted(o.pk for o in c.organizations.all()) for c in Consent.objects.filter(household=household)
        ],
        "relationships": sorted(
            (r.kind, r.organization_id, r.user_id) for r in Relationship.objects.filter(household=household)
        ),
        "flags": sorted(
            (f.flag, f.category, None if f.person_id is None else number[f.person_id], f.recorded_by_id)
            for f in PriorityFlagRecord.objects.filter(household=household)
        ),
        "intakes": [values(r, times | {"household_id"}) for r in IntakeRecord.objects.filter(household=household)],
    }


def test_the_page_and_the_api_make_the_same_family_from_the_same_facts(network: Network) -> None:
    page_facts = {
        **step1(
            **{
                "cg-consent_sensitive": ["immigration_sensitive"],
                "cg-interpreter_needed": "on",
                "cg-dialect": "Mixteco de San Juan Mixtepec",
                "child-TOTAL_FORMS": "2",
                "child-1-given_name": "Lucía",
                "child-1-family_name": "Mendoza",
                "child-1-date_of_birth": "2021-05-20",
                "child-1-date_of_birth_estimated": "on",
                "child-1-sex": "female",
            }
        ),
        **step2(**{"d-flags": ["refugee", "unhoused"], "d-unit": "B", "d-is_legal_guardian": "on"}),
    }
    api_facts = intake_json(
        caregiver__consent_sensitive=["immigration_sensitive"],
        caregiver__interpreter_needed=True,
        caregiver__dialect="Mixteco de San Juan Mixtepec",
        details__flags=["refugee", "unhoused"],
        details__unit="B",
        details__is_legal_guardian=True,
    )
    api_facts["children"].append(
        {
            "given_name": "Lucía",
            "family_name": "Mendoza",
            "date_of_birth": "2021-05-20",
            "date_of_birth_estimated": True,
            "sex": "female",
        }
    )
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    assert client.post(f"/families/intake/{draft_id}/step/1/", {**page_facts, "action": "next"}).status_code == 302
    assert client.post(f"/families/intake/{draft_id}/step/2/", {**page_facts, "action": "next"}).status_code == 302
    response = client.post(f"/families/intake/{draft_id}/match/", {"choice": "new", "shown": "0"})
    assert response.status_code == 302
    by_page = Household.objects.get()
    # The API finds the family the page just registered; asked to create a new one, it does.
    response = client.post("/api/v1/intakes", api_facts, content_type="application/json")
    assert response.status_code == 409 and response.json()["error"]["fields"]["link_household_id"] == [str(by_page.pk)]
    response = client.post("/api/v1/intakes", {**api_facts, "create_new": True}, content_type="application/json")
    assert response.status_code == 201, response.content
    by_api = Household.objects.get(pk=response.json()["household_id"])
    page_rows, api_rows = _rows(by_page), _rows(by_api)
    assert page_rows == api_rows
    # And the rows hold the facts (the comparison is not between two empty families).
    assert len(page_rows["people"]) == 3 and len(page_rows["flags"]) == 2 and len(page_rows["relations"]) == 2
    caregiver = by_api.members.get(relationship="caregiver")
    assert (caregiver.phone, caregiver.safe_to_leave_message, caregiver.interpreter_needed) == (
        "626-555-0142",
        False,
        True,
    )
    assert by_api.members.get(given_name="Lucía").date_of_birth_estimated is True


TOO_LONG = "x" * 201
FUTURE = (timezone.localdate() + timedelta(days=3)).isoformat()
# (where the value goes, the bad value, the field the answer names, words of the message)
BAD_VALUES = [
    ("caregiver__relationship", "child", "caregiver.relationship", "Select a valid choice"),
    ("caregiver__given_name", "  ", "caregiver.given_name", "This field is required"),
    ("caregiver__family_name", "x" * 101, "caregiver.family_name", "at most 100 characters"),
    ("caregiver__second_family_name", "x" * 101, "caregiver.second_family_name", "at most 100 characters"),
    ("caregiver__preferred_name", "x" * 101, "caregiver.preferred_name", "at most 100 characters"),
    ("caregiver__name_original_script", TOO_LONG, "caregiver.name_original_script", "at most 200 characters"),
    ("caregiver__date_of_birth", "1994-02-30", "caregiver.date_of_birth", "Enter a real date"),
    ("caregiver__date_of_birth", "12/06/1994", "caregiver.date_of_birth", "Enter a real date"),
    ("caregiver__date_of_birth", FUTURE, "caregiver.date_of_birth", "cannot be after today"),
    ("caregiver__date_of_birth", "1850-01-01", "caregiver.date_of_birth", "too far in the past"),
    ("caregiver__date_of_birth_estimated", "perhaps", "caregiver.date_of_birth_estimated", "boolean"),
    ("caregiver__is_pregnant", "perhaps", "caregiver.is_pregnant", "boolean"),
    ("caregiver__phone", "555-0142", "caregiver.phone", "10-digit US phone number"),
    ("caregiver__phone", "(126) 555-0142", "caregiver.phone", "cannot start with 0 or 1"),
    ("caregiver__email", "rosa@", "caregiver.email", "valid email address"),
    ("caregiver__preferred_contact_method", "fax", "caregiver.preferred_contact_method", "Select a valid choice"),
    ("caregiver__preferred_language", "xx", "caregiver.preferred_language", "Select a valid choice"),
    ("caregiver__dialect", "x" * 101, "caregiver.dialect", "at most 100 characters"),
    ("caregiver__interpreter_needed", "perhaps", "caregiver.interpreter_needed", "boolean"),
    ("caregiver__postal_code", "9173", "caregiver.postal_code", "five-digit ZIP code"),
    ("caregiver__place", "moon", "caregiver.place", "Select a valid choice"),
    ("caregiver__consent_given", False, "caregiver.consent_given", "only with their consent"),
    ("caregiver__consent_method", "paper_scanned", "caregiver.consent_method", "Select a valid choice"),
    ("caregiver__consent_witness", TOO_LONG, "caregiver.consent_witness", "at most 200 characters"),
    ("caregiver__consent_network_wide", "perhaps", "caregiver.consent_network_wide", "boolean"),
    ("caregiver__consent_sensitive", ["legal"], "caregiver.consent_sensitive.0", "Select a valid choice"),
    ("children__0__given_name", "", "children.0.given_name", "This field is required"),
    ("children__0__family_name", None, "children.0.family_name", "Field required"),
    ("children__0__second_family_name", "x" * 101, "children.0.second_family_name", "at most 100 characters"),
    ("children__0__date_of_birth", FUTURE, "children.0.date_of_birth", "A child's date of birth cannot be after"),
    ("children__0__date_of_birth_estimated", "perhaps", "children.0.date_of_birth_estimated", "boolean"),
    ("children__0__sex", "boy", "children.0.sex", "Select a valid choice"),
    ("children", [], "children", "Add at least one child"),
    ("details__street", TOO_LONG, "details.street", "at most 200 characters"),
    ("details__unit", "x" * 41, "details.unit", "at most 40 characters"),
    ("details__city", "x" * 101, "details.city", "at most 100 characters"),
    ("details__text_ok", "perhaps", "details.text_ok", "boolean"),
    ("details__best_times", TOO_LONG, "details.best_times", "at most 200 characters"),
    ("details__safe_to_leave_message", "perhaps", "details.safe_to_leave_message", "boolean"),
    ("details__is_legal_guardian", "perhaps", "details.is_legal_guardian", "boolean"),
    ("details__sex", "f", "details.sex", "Select a valid choice"),
    ("details__insurance_status", "medicaid", "details.insurance_status", "Select a valid choice"),
    ("details__medi_cal_plan", "acme", "details.medi_cal_plan", "Select a valid choice"),
    ("details__medi_cal_id", "9123456A", "details.medi_cal_id", "eight digits and a letter"),
    ("details__children_insurance", "medicaid", "details.children_insurance", "Select a valid choice"),
    ("details__school_or_child_care", TOO_LONG, "details.school_or_child_care", "at most 200 characters"),
    ("details__flags", ["homeless"], "details.flags.0", "Select a valid choice"),
]
# Values that are well-formed alone but do not hold together with another field.
BAD_TOGETHER = [
    ({"caregiver__consent_method": "verbal_witnessed"}, "caregiver.consent_witness", "needs the name of a witness"),
    ({"caregiver__phone": "", "caregiver__preferred_contact_method": None}, "caregiver.phone", "phone number or an"),
    ({"details__insurance_status": "private"}, "details.medi_cal_plan", "goes with the insurance"),
    ({"details__flags": ["undocumented"]}, "details.flags", "consent does not cover this"),
]


def _nothing_written() -> bool:
    return not any(
        m.objects.exists() for m in (Household, Person, Consent, Relationship, PriorityFlagRecord, IntakeRecord)
    )


@pytest.mark.parametrize(
    ("path", "value", "field", "words"), BAD_VALUES, ids=[f"{b[0]}={b[1]!r:.20}" for b in BAD_VALUES]
)
def test_a_bad_value_in_each_field_is_refused_naming_it_and_nothing_is_written(
    network: Network, path: str, value: Any, field: str, words: str
) -> None:
    body = {**intake_json(**{path: value}), "create_new": True}
    response = signed_in(Client(), network.alice).post("/api/v1/intakes", body, content_type="application/json")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    assert any(words in message for message in error["fields"][field]), error["fields"][field]
    assert _nothing_written()


def test_more_children_than_an_intake_holds_are_refused(network: Network) -> None:
    body = intake_json()
    body["children"] = body["children"] * 9
    response = signed_in(Client(), network.alice).post("/api/v1/intakes", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["children"] == ["Please submit at most 8 forms."]
    assert _nothing_written()


@pytest.mark.parametrize(("overrides", "field", "words"), BAD_TOGETHER)
def test_values_that_do_not_hold_together_are_refused_naming_the_field(
    network: Network, overrides: dict[str, Any], field: str, words: str
) -> None:
    body = {**intake_json(**overrides), "create_new": True}
    response = signed_in(Client(), network.alice).post("/api/v1/intakes", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert any(words in message for message in response.json()["error"]["fields"][field])
    assert _nothing_written()


def test_the_errors_speak_the_callers_language(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    client.cookies["django_language"] = "es"
    body = intake_json(caregiver__phone="12", children__0__date_of_birth="2023-02-30")
    response = client.post("/api/v1/intakes", body, content_type="application/json")
    fields = response.json()["error"]["fields"]
    assert "Escriba un número de teléfono de EE. UU. de 10 dígitos" in fields["caregiver.phone"][0]
    assert fields["children.0.date_of_birth"] == ["Escriba una fecha real, por ejemplo 2021-03-14 (año-mes-día)."]


def test_a_draft_started_on_the_page_is_read_and_finished_through_the_api(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    client.post(f"/families/intake/{draft_id}/step/1/", {**step1(**{"cg-phone": "555"}), "action": "save"})
    held = client.get(f"/api/v1/intake-drafts/{draft_id}").json()["intake"]
    assert held["caregiver"]["given_name"] == "Rosa" and held["caregiver"]["phone"] == "555"
    assert held["children"] == [
        {
            "given_name": "Mateo",
            "family_name": "Mendoza",
            "second_family_name": "",
            "date_of_birth": "2023-09-02",
            "date_of_birth_estimated": False,
            "sex": "male",
        }
    ]
    step = {"caregiver": {**held["caregiver"], "phone": "626 555 0142"}, "children": held["children"], "step": 1}
    response = client.put(
        f"/api/v1/intake-drafts/{draft_id}", {**step, "advance": True}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["errors"] == {} and response.json()["step"] == 2
    details = {"details": {"school_or_child_care": "Head Start Garvey", "safe_to_leave_message": None}, "step": 2}
    response = client.put(
        f"/api/v1/intake-drafts/{draft_id}", {**details, "advance": True}, content_type="application/json"
    )
    assert response.json()["step"] == 3
    # The page takes it from there: its match step, then the family.
    assert client.get(f"/families/intake/{draft_id}/match/").status_code == 200
    response = client.post(f"/families/intake/{draft_id}/match/", {"choice": "new"})
    household = Household.objects.get()
    assert response["Location"] == f"/families/{household.pk}/"
    assert household.members.get(relationship="child").school_or_child_care == "Head Start Garvey"
    assert household.members.get(relationship="caregiver").phone == "626-555-0142"


def test_a_draft_keeps_bad_values_and_the_check_names_them_as_the_draft_numbers_the_children(
    network: Network,
) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = client.post("/api/v1/intake-drafts").json()["id"]
    step = {
        "caregiver": intake_json()["caregiver"] | {"date_of_birth": "1994-02-30"},
        # The empty second row is skipped, as on the page; the third keeps its number in the errors.
        "children": [intake_json()["children"][0], {}, {"given_name": "Lucía", "date_of_birth": FUTURE}],
        "step": 1,
        "advance": True,
    }
    response = client.put(f"/api/v1/intake-drafts/{draft_id}", step, content_type="application/json")
    body = response.json()
    assert response.status_code == 200 and body["step"] == 1
    assert set(body["errors"]) == {"caregiver.date_of_birth", "children.2.family_name", "children.2.date_of_birth"}
    assert body["errors"]["children.2.family_name"] == ["This field is required."]
    assert body["intake"]["caregiver"]["date_of_birth"] == "1994-02-30"  # kept as typed, to be corrected
    page = client.get(f"/families/intake/{draft_id}/step/1/").content.decode()
    assert 'value="1994-02-30"' in page and 'value="Lucía"' in page
    assert not Household.objects.exists()


def test_a_draft_is_parsed_with_the_rules_of_the_typed_input() -> None:
    data = IntakeDraftData.model_validate({"caregiver": {"phone": "12"}, "children": []})
    with pytest.raises(IntakeError) as caught:
        intake_draft_parse(data, IntakeInput)
    assert caught.value.fields["caregiver.phone"][0].startswith("Enter a 10-digit US phone number")
    assert caught.value.fields["children"] == ["Add at least one child (or the expected baby's caregiver as pregnant)."]
    assert "details.sex" not in caught.value.fields  # details not yet entered are their defaults


def test_drafts_in_progress_are_rewritten_into_the_typed_shape() -> None:
    migration = importlib.import_module("ecwhub.families.migrations.0008_intake_drafts_typed_shape")
    flat = {
        **{k: [v] if isinstance(v, str) else v for k, v in step1(**{"cg-phone": "555"}).items()},
        "child-TOTAL_FORMS": ["2"],
        "child-1-given_name": ["Lucía"],
        **{k: [v] for k, v in step2(**{"d-safe_to_leave_message": "yes"}).items()},
        "d-flags": ["unhoused"],
    }
    typed = IntakeDraftData.model_validate(migration.to_typed(flat))
    assert typed.caregiver is not None and typed.details is not None
    assert (typed.caregiver.given_name, typed.caregiver.phone, typed.caregiver.consent_given) == ("Rosa", "555", True)
    assert typed.caregiver.interpreter_needed is False and typed.caregiver.consent_network_wide is True
    assert [c.given_name for c in typed.children] == ["Mateo", "Lucía"] and typed.children[0].sex == "male"
    assert typed.details.safe_to_leave_message is True and typed.details.flags == ["unhoused"]
    # The page shows the rewritten draft; and the rewrite goes back to what it was.
    forms = intake_forms_initial(typed)
    assert forms.caregiver.initial["phone"] == "555" and len(forms.children.forms) == 2
    back = migration.to_flat(migration.to_typed(flat))
    assert {k: v for k, v in back.items() if v not in ([""], [])} == {
        k: v for k, v in flat.items() if v not in ([""], [])
    }


def test_a_draft_saved_before_the_typed_shape_is_resumed_after_the_rewrite(network: Network) -> None:
    from django.apps import apps

    migration = importlib.import_module("ecwhub.families.migrations.0008_intake_drafts_typed_shape")
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    flat = {k: [v] for k, v in step1().items()}
    IntakeDraft.objects.filter(pk=draft_id).update(data=json.dumps(flat))
    migration.forward(apps, None)
    page = client.get(f"/families/intake/{draft_id}/step/1/").content.decode()
    assert 'value="Mendoza"' in page and 'value="(626) 555-0142"' in page
