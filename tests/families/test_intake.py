"""The shared intake: validation, drafts, the search for known families, create and link."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import membership_add
from ecwhub.consent.models import AuditEntry, Consent, Relationship, RelationshipKind
from ecwhub.families.forms import draft_from_form_data, intake_forms, people_from_forms
from ecwhub.families.intake.complete import intake_complete
from ecwhub.families.intake.input import (
    IntakeError,
    IntakeInput,
    IntakePeopleInput,
    intake_check,
    intake_parse,
    intake_people_check,
)
from ecwhub.families.intake.match import intake_candidates
from ecwhub.families.models import Household, IntakeDraft, IntakeRecord, Person, PersonRelation, PriorityFlagRecord
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family
from tests.families.conftest import as_lists, intake_json, step1, step2, typed

pytestmark = pytest.mark.django_db


def m(user) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=user)


def _start(client: Client) -> str:
    response = client.post("/families/intake/")
    assert response.status_code == 302
    match = re.search(r"/families/intake/([0-9a-f-]+)/step/1/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cg-date_of_birth", "1994-02-30", "Enter a real date"),
        ("child-0-date_of_birth", (timezone.localdate() + timedelta(days=3)).isoformat(), "cannot be after today"),
        ("cg-phone", "555-0142", "10-digit US phone number"),
        ("cg-phone", "(126) 555-0142", "cannot start with 0 or 1"),
        ("cg-phone", "626-555-014x", "10-digit US phone number"),
        ("cg-postal_code", "9173", "five-digit ZIP code"),
        ("cg-date_of_birth", "1850-01-01", "too far in the past"),
    ],
)
def test_bad_input_gives_a_field_error_and_creates_nothing(
    network: Network, field: str, value: str, message: str
) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    response = client.post(f"/families/intake/{draft_id}/step/1/", {**step1(**{field: value}), "action": "next"})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    # The error sits on its field (the field's error list carries the field's id).
    assert f'id="id_{field}_errors"' in body
    assert Household.objects.count() == 0 and Person.objects.count() == 0
    # Partial progress is kept: what was typed is in the draft.
    draft = IntakeDraft.objects.get(pk=draft_id)
    assert draft.step == 1 and "Mendoza" in draft.data


def _page_errors(data: dict[str, object]) -> set[str]:
    """The step 1 fields the intake page's forms refuse."""
    forms = intake_forms(draft_from_form_data(as_lists(data), 1))
    assert people_from_forms(forms) is None
    errors = {f"cg-{name}" for name in forms.caregiver.errors}
    return errors | {f"child-{i}-{name}" for i, child in enumerate(forms.children.errors) for name in child}


def test_the_typed_input_refuses_the_same_bad_input_and_nothing_is_written(network: Network) -> None:
    bad = {"children__0__date_of_birth": "2099-01-01", "caregiver__phone": "12"}
    with pytest.raises(IntakeError) as caught:
        intake_parse(IntakeInput, intake_json(**bad))
    assert set(caught.value.fields) == {"children.0.date_of_birth", "caregiver.phone"}
    assert _page_errors(step1(**{"child-0-date_of_birth": "2099-01-01", "cg-phone": "12"})) == {
        "child-0-date_of_birth",
        "cg-phone",
    }
    response = signed_in(Client(), network.alice).post(
        "/api/v1/intakes", intake_json(**bad), content_type="application/json"
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"children.0.date_of_birth", "caregiver.phone"}
    assert Household.objects.count() == 0 and Consent.objects.count() == 0


def test_consent_is_required_and_verbal_consent_needs_a_witness() -> None:
    assert "cg-consent_given" in _page_errors(step1(**{"cg-consent_given": None}))
    with pytest.raises(IntakeError) as caught:
        intake_parse(IntakePeopleInput, intake_json(caregiver__consent_given=False))
    assert "caregiver.consent_given" in caught.value.fields
    assert "cg-consent_witness" in _page_errors(step1(**{"cg-consent_method": "verbal_witnessed"}))
    with pytest.raises(IntakeError) as caught:
        intake_people_check(intake_parse(IntakePeopleInput, intake_json(caregiver__consent_method="verbal_witnessed")))
    assert "caregiver.consent_witness" in caught.value.fields


def test_phone_numbers_are_normalised_to_one_form() -> None:
    for written in ("(626) 555-0142", "626.555.0142", "+1 626 555 0142", "6265550142"):
        assert typed(as_lists(step1(**{"cg-phone": written}))).caregiver.phone == "626-555-0142"
        assert intake_parse(IntakeInput, intake_json(caregiver__phone=written)).caregiver.phone == "626-555-0142"


def test_a_sensitive_flag_needs_its_consent_category() -> None:
    data = as_lists({**step1(), **step2(**{"d-flags": ["undocumented"]})})
    with pytest.raises(IntakeError) as caught:
        intake_check(typed(data))
    assert "details.flags" in caught.value.fields
    data = as_lists(
        {**step1(**{"cg-consent_sensitive": ["immigration_sensitive"]}), **step2(**{"d-flags": ["undocumented"]})}
    )
    intake = typed(data)
    intake_check(intake)
    assert intake.details.flags == ["undocumented"]


def test_an_intake_creates_the_family_through_the_pages(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    response = client.post(f"/families/intake/{draft_id}/step/1/", {**step1(), "action": "next"})
    assert response.status_code == 302 and response["Location"].endswith("/step/2/")
    response = client.post(f"/families/intake/{draft_id}/step/2/", {**step2(), "action": "next"})
    assert response.status_code == 302 and response["Location"].endswith("/match/")
    response = client.get(f"/families/intake/{draft_id}/match/")
    assert response.status_code == 200
    assert "No family you may see matches" in response.content.decode()
    response = client.post(f"/families/intake/{draft_id}/match/", {"choice": "new"})
    household = Household.objects.get()
    assert response["Location"] == f"/families/{household.pk}/"
    caregiver = household.members.get(relationship="caregiver")
    child = household.members.get(relationship="child")
    assert (caregiver.phone, caregiver.safe_to_leave_message, caregiver.text_ok) == ("626-555-0142", False, True)
    assert caregiver.medi_cal_id == "91234567A" and caregiver.medi_cal_plan == "la_care"
    assert child.school_or_child_care == "Head Start Garvey" and child.date_of_birth == date(2023, 9, 2)
    assert household.street == "410 Garvey Ave" and household.registered_by == network.frc
    record = IntakeRecord.objects.get()
    assert (record.taken_by, record.organization, record.place, record.outcome) == (
        network.alice,
        network.frc,
        "home_visit",
        "created",
    )
    consent = Consent.objects.get(household=household)
    assert consent.given_by == caregiver and consent.network_wide and consent.is_in_force
    assert Relationship.objects.filter(
        household=household, kind=RelationshipKind.REGISTERING_ORGANIZATION, organization=network.frc
    ).exists()
    assert not IntakeDraft.objects.exists()
    page = client.get(f"/families/{household.pk}/").content.decode()
    assert "Head Start Garvey" in page and "do not leave a message" in page


def test_a_draft_is_resumed_by_its_author_only(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    client.post(f"/families/intake/{draft_id}/step/1/", {**step1(**{"cg-phone": ""}), "action": "save"})
    page = client.get(f"/families/intake/{draft_id}/step/1/").content.decode()
    assert 'value="Mendoza"' in page and "errors" not in page.split("<form", 1)[1].split("</form>")[0].replace(
        "form-errors", ""
    )
    other = signed_in(Client(), network.oscar)
    membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.COORDINATOR)
    assert other.get(f"/families/intake/{draft_id}/step/1/").status_code == 404
    assert signed_in(Client(), network.bob).get("/families/intake/").status_code == 404


def _misspelled(family: Family, **overrides: object) -> dict[str, list[str]]:
    return as_lists(
        {
            **step1(
                **{
                    "cg-given_name": "Maria",
                    "cg-family_name": "Garsia",
                    "cg-second_family_name": "Lopez",
                    "cg-date_of_birth": "1992-04-03",
                    "cg-phone": "626-555-0177",
                    "cg-postal_code": "91801",
                    "child-0-given_name": "Sofia",
                    "child-0-family_name": "Garsia",
                    "child-0-date_of_birth": "2023-01-15",
                    "child-0-sex": "female",
                    **overrides,
                }
            ),
            **step2(**{"d-school_or_child_care": "Alhambra Head Start"}),
        }
    )


def test_the_coordinator_sees_the_family_under_a_misspelled_name_and_links_it(network: Network, family: Family) -> None:
    data = typed(_misspelled(family))
    matches = intake_candidates(acting_user=network.alice, membership=m(network.alice), intake=data)
    assert [f.household_id for f in matches.families] == [family.household.pk]
    best = matches.families[0]
    assert best.probability > 0.5
    mother = next(p for p in best.people if p.person_id == family.mother.pk)
    assert mother.reasons and any("birth" in r for r in mother.reasons)
    assert AuditEntry.objects.filter(household_id=family.household.pk, detail="intake match").exists()
    households = Household.objects.count()
    record = intake_complete(
        acting_user=network.alice, membership=m(network.alice), intake=data, link_household_id=family.household.pk
    )
    assert record.outcome == "linked" and Household.objects.count() == households
    family.mother.refresh_from_db()
    family.child.refresh_from_db()
    # The record the hub knew keeps its spelling; the new facts are added.
    assert family.mother.family_name == "García" and family.mother.phone == "626-555-0177"
    assert family.child.school_or_child_care == "Alhambra Head Start"
    assert family.household.members.count() == 3
    assert "Garsia" in record.changes
    assert Consent.objects.filter(household=family.household).count() == 1  # the consent it had covers the intake


def test_a_match_the_user_may_not_see_is_announced_without_details(network: Network, family: Family) -> None:
    family.household.registered_by = network.food_bank
    family.household.save(update_fields=["registered_by"])
    Relationship.objects.filter(household=family.household).update(organization=network.food_bank)
    matches = intake_candidates(
        acting_user=network.alice, membership=m(network.alice), intake=typed(_misspelled(family))
    )
    assert matches.families == [] and matches.hidden_match is True
    with pytest.raises(IntakeError):
        intake_complete(
            acting_user=network.alice,
            membership=m(network.alice),
            intake=typed(_misspelled(family)),
            link_household_id=family.household.pk,
        )


def test_the_match_page_shows_the_hidden_match_notice_and_no_names(network: Network, family: Family) -> None:
    family.household.registered_by = network.food_bank
    family.household.save(update_fields=["registered_by"])
    Relationship.objects.filter(household=family.household).update(organization=network.food_bank)
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    data = {k: v for k, v in _misspelled(family).items()}
    client.post(f"/families/intake/{draft_id}/step/1/", {**data, "action": "next"})
    client.post(f"/families/intake/{draft_id}/step/2/", {**data, "action": "next"})
    body = client.get(f"/families/intake/{draft_id}/match/").content.decode()
    assert "A possible match exists in the network that you cannot see" in body
    assert "García" not in body and "López" not in body


def test_priority_flags_are_stored_in_their_category_and_shown_only_with_consent(network: Network) -> None:
    data = as_lists(
        {
            **step1(**{"cg-consent_sensitive": ["immigration_sensitive"]}),
            **step2(**{"d-flags": ["undocumented", "unhoused"]}),
        }
    )
    record = intake_complete(acting_user=network.alice, membership=m(network.alice), intake=typed(data))
    flags = {f.flag: f.category for f in PriorityFlagRecord.objects.filter(household=record.household)}
    assert flags == {"undocumented": "immigration_sensitive", "unhoused": "identified_needs"}
    page = signed_in(Client(), network.alice).get(f"/families/{record.household_id}/").content.decode()
    assert "Undocumented" in page and "Unhoused" in page
    # Withdraw the sensitive consent: the immigration flag disappears from the page, the other stays.
    Consent.objects.filter(household=record.household).update(withdrawn_at=timezone.now())
    from ecwhub.consent.services import consent_record

    consent_record(
        acting_user=network.alice,
        membership=m(network.alice),
        household=record.household,
        given_by=record.household.members.get(relationship="caregiver"),
        method="signed_on_device",
        categories=["identity_contact", "demographics", "identified_needs"],
        purposes=["care_coordination"],
        network_wide=True,
        text_version="2026-1",
        language="es",
    )
    page = signed_in(Client(), network.alice).get(f"/families/{record.household_id}/").content.decode()
    assert "Undocumented" not in page and "Unhoused" in page


def test_the_api_matches_and_links_with_the_same_rules(network: Network, family: Family) -> None:
    client = signed_in(Client(), network.alice)
    payload = {
        "caregiver": {
            "relationship": "caregiver",
            "given_name": "Maria",
            "family_name": "Garsia",
            "second_family_name": "Lopez",
            "date_of_birth": "1992-04-03",
            "phone": "626 555 0177",
            "preferred_language": "es",
            "postal_code": "91801",
            "place": "clinic",
            "consent_given": True,
            "consent_method": "signed_on_device",
            "consent_network_wide": True,
        },
        "children": [{"given_name": "Sofia", "family_name": "Garsia", "date_of_birth": "2023-01-15"}],
    }
    response = client.post("/api/v1/intakes/match", payload, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["families"][0]["household_id"] == str(family.household.pk) and not body["hidden_match"]
    bad = {**payload, "children": [{"given_name": "Sofia", "family_name": "G", "date_of_birth": "2099-01-01"}]}
    response = client.post("/api/v1/intakes", bad, content_type="application/json")
    assert response.status_code == 422
    assert "children.0.date_of_birth" in response.json()["error"]["fields"]
    before = Household.objects.count()
    response = client.post("/api/v1/intakes", payload, content_type="application/json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "possible_duplicates"
    assert response.json()["error"]["fields"]["link_household_id"] == [str(family.household.pk)]
    assert Household.objects.count() == before
    response = client.post(
        "/api/v1/intakes", {**payload, "link_household_id": str(family.household.pk)}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "linked" and Household.objects.count() == before
    assert IntakeRecord.objects.get().place == "clinic"


def test_unticking_a_box_on_a_step_is_saved(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    client.post(f"/families/intake/{draft_id}/step/1/", {**step1(**{"cg-interpreter_needed": "on"}), "action": "save"})
    assert json.loads(IntakeDraft.objects.get(pk=draft_id).data)["caregiver"]["interpreter_needed"] is True
    client.post(f"/families/intake/{draft_id}/step/1/", {**step1(), "action": "save"})
    assert json.loads(IntakeDraft.objects.get(pk=draft_id).data)["caregiver"]["interpreter_needed"] is False


def test_another_child_row_is_added_and_an_empty_row_is_skipped(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    response = client.post(f"/families/intake/{draft_id}/step/1/", {**step1(), "action": "add_child"})
    assert response.status_code == 302
    page = client.get(f"/families/intake/{draft_id}/step/1/").content.decode()
    assert 'name="child-1-given_name"' in page and 'value="Mateo"' in page
    data = {**step1(), "child-TOTAL_FORMS": "2", "child-1-given_name": "", "child-1-sex": "unknown"}
    response = client.post(f"/families/intake/{draft_id}/step/1/", {**data, "action": "next"})
    assert response.status_code == 302
    data = {**data, "child-1-given_name": "Lucía"}
    response = client.post(f"/families/intake/{draft_id}/step/1/", {**data, "action": "next"})
    assert response.status_code == 400 and 'id="id_child-1-family_name_errors"' in response.content.decode()


def test_the_intake_speaks_spanish(network: Network) -> None:
    """The intake reads in Spanish for a Spanish-speaking coordinator."""
    network.alice.preferred_language = "es"
    network.alice.save(update_fields=["preferred_language"])
    client = signed_in(Client(), network.alice)
    client.cookies["django_language"] = "es"
    draft_id = _start(client)
    response = client.post(f"/families/intake/{draft_id}/step/1/", {**step1(**{"cg-phone": "12"}), "action": "next"})
    body = response.content.decode()
    assert "Admisión: quiénes son y cómo contactarlos" in body
    assert "Escriba un número de teléfono de EE. UU. de 10 dígitos" in body


def test_the_api_keeps_partial_progress_in_a_draft_only_its_author_reads(network: Network) -> None:
    client = signed_in(Client(), network.alice)
    response = client.post("/api/v1/intake-drafts")
    assert response.status_code == 201
    draft_id = response.json()["id"]
    partial = {"caregiver": {"given_name": "Rosa", "phone": "555"}, "children": [], "step": 1, "advance": True}
    response = client.put(f"/api/v1/intake-drafts/{draft_id}", partial, content_type="application/json")
    body = response.json()
    assert response.status_code == 200 and body["step"] == 1
    assert "caregiver.phone" in body["errors"] and body["intake"]["caregiver"]["given_name"] == "Rosa"
    assert client.get(f"/api/v1/intake-drafts/{draft_id}").json()["intake"]["caregiver"]["given_name"] == "Rosa"
    membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.COORDINATOR)
    assert signed_in(Client(), network.oscar).get(f"/api/v1/intake-drafts/{draft_id}").status_code == 404
    assert Household.objects.count() == 0


def test_the_intake_records_how_the_caregiver_is_related_to_each_child(network: Network) -> None:
    data = as_lists(
        {
            **step1(
                **{
                    "cg-relationship": "legal_guardian",
                    "child-TOTAL_FORMS": "2",
                    "child-1-given_name": "Lucía",
                    "child-1-family_name": "Mendoza",
                    "child-1-date_of_birth": "2021-05-20",
                }
            ),
            **step2(),
        }
    )
    record = intake_complete(acting_user=network.alice, membership=m(network.alice), intake=typed(data))
    guardian = record.household.members.get(relationship="legal_guardian")
    assert guardian.is_legal_guardian
    relations = PersonRelation.objects.filter(from_person=guardian)
    assert sorted(r.to_person.given_name for r in relations) == ["Lucía", "Mateo"]
    assert {r.kind for r in relations} == {"legal_guardian"}
    page = signed_in(Client(), network.alice).get(f"/families/{record.household_id}/").content.decode()
    assert "Legal guardian of Lucía Mendoza" in page


def test_a_link_to_a_family_that_is_not_a_uuid_or_not_there_is_a_field_error(network: Network) -> None:
    intake = typed(as_lists({**step1(), **step2()}))
    for bad in ("not-a-uuid", "00000000-0000-4000-8000-000000000000"):
        with pytest.raises(IntakeError) as caught:
            intake_complete(
                acting_user=network.alice, membership=m(network.alice), intake=intake, link_household_id=bad
            )
        assert "link_household_id" in caught.value.fields
    assert Household.objects.count() == 0
