"""The referrals API: the same services as the pages, the one error body, nothing written on a refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ecwhub.accounts.models import User
from ecwhub.accounts.services import api_token_create
from ecwhub.consent.models import AuditEntry
from ecwhub.families.models import Household
from ecwhub.referrals.models import Referral, ReferralEvent
from ecwhub.referrals.workflow import Status
from ecwhub.screening.models import IdentifiedNeed
from tests.conftest import Network

from .conftest import World, give_consent, make_world

pytestmark = pytest.mark.django_db

KEY = "6f1c2b8e-0d4a-4c4e-9d3b-2a7f5e9c1b10"


class Api:
    """A client that speaks to the API with one user's bearer token."""

    def __init__(self, user: User) -> None:
        _, token = api_token_create(acting_user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any], **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers={**self.headers, **headers}
        )


def _body(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "household_id": str(world.family.household.pk),
        "service_id": str(world.pantry.pk),
        "need_ids": [str(world.food_need.pk)],
        "note": "Family of four, prefers mornings.",
        "handoff": "none",
        "contact_method": "",
        "contact_times": "mornings",
    }
    body.update(changes)
    return body


def _sent(world: World) -> dict[str, Any]:
    response = Api(world.network.alice).post("/referrals", _body(world))
    assert response.status_code == 201, response.content
    return response.json()


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


# --- Creating --------------------------------------------------------------------------------------


def test_create_answers_201_and_a_retry_answers_200_with_the_same_referral(world: World) -> None:
    alice = Api(world.network.alice)
    first = alice.post("/referrals", _body(world), **{"Idempotency-Key": KEY})
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first.headers
    created = first.json()
    assert created["status"]["code"] == Status.REQUESTED
    assert [e["action"] for e in created["events"]] == ["create", "send"]
    assert created["sides"] == ["referrer"]
    assert {a["action"] for a in created["allowed_actions"]} == {"cancel", "enter-in-error"}
    assert created["needs"][0]["need"]["code"] == "food-insecurity"
    again = alice.post("/referrals", _body(world), **{"Idempotency-Key": KEY})
    assert again.status_code == 200, again.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == created["id"]
    assert Referral.objects.count() == 1


def test_a_draft_is_kept_when_send_is_false(world: World) -> None:
    response = Api(world.network.alice).post("/referrals", _body(world, send=False))
    assert response.status_code == 201, response.content
    assert response.json()["status"]["code"] == Status.DRAFT
    assert {a["action"] for a in response.json()["allowed_actions"]} >= {"send", "cancel"}


@pytest.mark.parametrize("key", ["has space", "ñandú", "x" * 256, ""])
def test_a_malformed_idempotency_key_is_refused_naming_the_header(world: World, key: str) -> None:
    response = Api(world.network.alice).post("/referrals", _body(world), **{"Idempotency-Key": key})
    error = _error(response, 422)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert not Referral.objects.exists()


def test_a_key_used_for_another_referral_is_a_conflict(world: World) -> None:
    alice = Api(world.network.alice)
    assert alice.post("/referrals", _body(world), **{"Idempotency-Key": KEY}).status_code == 201
    other = alice.post("/referrals", _body(world, note="Another note"), **{"Idempotency-Key": KEY})
    error = _error(other, 409)
    assert error["code"] == "conflict"
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_id": "00000000-0000-0000-0000-000000000000"}, "service_id"),
        ({"need_ids": []}, "need_ids"),
        ({"person_id": "00000000-0000-0000-0000-000000000000"}, "person_id"),
        ({"handoff": "teleport"}, "handoff"),
        ({"contact_method": "pigeon"}, "contact_method"),
        ({"service_id": "not-a-uuid"}, "service_id"),
        ({"note": "x" * 4001}, "note"),
    ],
)
def test_bad_input_is_refused_naming_the_field_as_sent(world: World, changes: dict[str, Any], field: str) -> None:
    error = _error(Api(world.network.alice).post("/referrals", _body(world, **changes)), 422)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert not Referral.objects.exists()


def test_a_family_the_caller_may_not_see_is_not_found_and_nothing_is_written(world: World) -> None:
    # A family the food bank registered: the resource center has no relationship with it.
    elsewhere = Household.objects.create(registered_by=world.network.food_bank, postal_code="91801")
    their_need = IdentifiedNeed.objects.create(
        household=elsewhere, need="food-insecurity", category=world.food_need.category, status="wants_help"
    )
    audits = AuditEntry.objects.count()
    response = Api(world.network.alice).post(
        "/referrals", _body(world, household_id=str(elsewhere.pk), need_ids=[str(their_need.pk)])
    )
    assert _error(response, 404)["code"] == "not_found"
    # The same answer as for a referral that does not exist.
    assert response.json() == Api(world.network.alice).get(f"/referrals/{elsewhere.pk}").json()
    assert not Referral.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_only_referring_staff_create(world: World) -> None:
    response = Api(world.network.bob).post("/referrals", _body(world))
    assert _error(response, 404)["code"] == "not_found"
    assert not Referral.objects.exists()


def test_missing_consent_blocks_sending_with_the_reason(network: Network) -> None:
    world = make_world(network, consent=False)
    give_consent(world, organizations=[world.network.frc])  # not the food bank
    alice = Api(world.network.alice)
    error = _error(alice.post("/referrals", _body(world)), 422)
    assert list(error["fields"]) == ["consent"]
    assert "send: sharing not covered" in error["message"]
    assert not Referral.objects.exists()
    draft = alice.post("/referrals", _body(world, send=False)).json()
    checks = alice.get(f"/referrals/{draft['id']}/checks")
    assert checks.status_code == 200, checks.content
    assert {b["code"] for b in checks.json()["blocks"]} == {"consent"}
    give_consent(world, organizations=[world.network.food_bank], method="verbal_witnessed", witness="Ana Ruiz")
    assert alice.get(f"/referrals/{draft['id']}/checks").json()["blocks"] == []
    warnings = [w["code"] for w in alice.get(f"/referrals/{draft['id']}/checks").json()["warnings"]]
    sent = alice.post(
        f"/referrals/{draft['id']}/send", {"version": draft["version"], "acknowledged_warnings": warnings}
    )
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"]["code"] == Status.REQUESTED


def test_the_receiver_does_not_read_the_checks(world: World) -> None:
    referral = _sent(world)
    assert _error(Api(world.network.bob).get(f"/referrals/{referral['id']}/checks"), 404)["code"] == "not_found"


# --- Lists and reading ---------------------------------------------------------------------------


def test_the_receiver_finds_it_in_its_new_tab_and_the_referrer_in_sent(world: World) -> None:
    referral = _sent(world)
    bob = Api(world.network.bob)
    new = bob.get("/referrals", box="received", tab="new")
    assert new.status_code == 200, new.content
    assert [item["id"] for item in new.json()["items"]] == [referral["id"]]
    assert new.json()["count"] == 1
    assert bob.get("/referrals", box="received", tab="closed").json()["items"] == []
    assert bob.get("/referrals", box="sent").json()["items"] == []
    sent = Api(world.network.alice).get("/referrals", box="sent", tab="open").json()
    assert [item["id"] for item in sent["items"]] == [referral["id"]]
    assert sent["items"][0]["receiving_organization"] == {"slug": "food", "name": "Valley Food Bank"}


def test_a_family_member_lists_nothing_and_a_bad_tab_is_refused(world: World) -> None:
    _sent(world)
    assert Api(world.network.carla).get("/referrals").json()["items"] == []
    error = _error(Api(world.network.bob).get("/referrals", box="received", tab="someday"), 422)
    assert list(error["fields"]) == ["tab"]


def test_an_outsider_does_not_find_the_referral(world: World) -> None:
    referral = _sent(world)
    from ecwhub.accounts.models import Organization, OrganizationKind, Role
    from ecwhub.accounts.services import membership_add

    clinic = Organization.objects.create(name="Other Clinic", slug="clinic", kind=OrganizationKind.CLINIC)
    membership_add(acting_user=None, user=world.network.oscar, organization=clinic, role=Role.COORDINATOR)
    oscar = Api(world.network.oscar)
    assert _error(oscar.get(f"/referrals/{referral['id']}"), 404)["code"] == "not_found"
    answer = oscar.post(f"/referrals/{referral['id']}/transitions", {"action": "cancel", "version": 2})
    assert _error(answer, 404)["code"] == "not_found"
    assert Referral.objects.get().status == Status.REQUESTED


# --- Moving it along -----------------------------------------------------------------------------


def test_a_transition_the_rules_do_not_allow_is_refused_naming_the_rule(world: World) -> None:
    referral = _sent(world)
    answer = Api(world.network.alice).post(
        f"/referrals/{referral['id']}/transitions", {"action": "accept", "version": referral["version"]}
    )
    error = _error(answer, 422)
    assert list(error["fields"]) == ["action"]
    assert "accept: by receiver" in error["message"]
    assert ReferralEvent.objects.count() == 2


def test_a_missing_reason_is_refused_naming_the_field(world: World) -> None:
    referral = _sent(world)
    answer = Api(world.network.bob).post(
        f"/referrals/{referral['id']}/transitions", {"action": "reject", "version": referral["version"]}
    )
    error = _error(answer, 422)
    assert list(error["fields"]) == ["reason"]
    assert "reject: reason required" in error["message"]
    assert Referral.objects.get().status == Status.REQUESTED


def test_a_stale_version_is_a_conflict_and_nothing_is_written(world: World) -> None:
    referral = _sent(world)
    bob = Api(world.network.bob)
    path = f"/referrals/{referral['id']}/transitions"
    accepted = bob.post(path, {"action": "accept", "version": referral["version"]})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["version"] == referral["version"] + 1
    stale = bob.post(path, {"action": "reject", "version": referral["version"], "reason": "no-capacity"})
    error = _error(stale, 409)
    assert error["code"] == "conflict"
    assert error["fields"] == {"version": [str(referral["version"] + 1)], "status": ["accepted"]}
    stored = Referral.objects.get()
    assert stored.status == Status.ACCEPTED and stored.version == referral["version"] + 1
    assert ReferralEvent.objects.count() == 3
    step = bob.post(f"/referrals/{referral['id']}/steps", {"step": "contact-attempted", "version": referral["version"]})
    assert _error(step, 409)["code"] == "conflict"
    assert ReferralEvent.objects.count() == 3


def test_the_whole_loop_through_the_api_closes_it_and_addresses_the_need(world: World) -> None:
    referral = _sent(world)
    bob = Api(world.network.bob)
    path = f"/referrals/{referral['id']}"
    read = bob.get(path).json()
    assert read["sides"] == ["receiver"]
    assert {a["action"] for a in read["allowed_actions"]} == {"receive", "accept", "reject"}
    assert read["note"] == "Family of four, prefers mornings."
    version = read["version"]

    def move(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        nonlocal version
        answer = bob.post(f"{path}/{endpoint}", {**body, "version": version})
        assert answer.status_code == 200, answer.content
        version = answer.json()["version"]
        return answer.json()

    move("transitions", {"action": "accept"})
    move("steps", {"step": "contact-attempted", "note": "Left a message"})
    missing = bob.post(f"{path}/steps", {"step": "appointment-scheduled", "version": version})
    assert list(_error(missing, 422)["fields"]) == ["appointment_at"]
    scheduled = move("steps", {"step": "appointment-scheduled", "appointment_at": "2026-12-09T10:30:00-08:00"})
    assert scheduled["business_status"]["code"] == "appointment-scheduled"
    assert scheduled["appointment_at"].startswith("2026-12-09T18:30:00")
    assert [i["id"] for i in bob.get("/referrals", box="received", tab="scheduled").json()["items"]] == [referral["id"]]
    move("transitions", {"action": "start"})
    done = move(
        "transitions",
        {"action": "complete", "need_result": "resolved", "service_delivered": "Groceries for four weeks"},
    )
    assert done["status"] == {"code": "completed", "label": "Completed"}
    assert done["need_result"]["code"] == "resolved"
    assert done["allowed_actions"] == []
    assert [e["seq"] for e in done["events"]] == [1, 2, 3, 4, 5, 6, 7]
    assert done["events"][-1]["side"]["code"] == "receiver"
    assert done["events"][-1]["organization"] == "Valley Food Bank"
    world.food_need.refresh_from_db()
    assert world.food_need.status == IdentifiedNeed.Status.ADDRESSED
    closed = Api(world.network.alice).get("/referrals", box="sent", tab="closed").json()["items"]
    assert [(i["id"], i["status"]["code"]) for i in closed] == [(referral["id"], "completed")]


def test_the_family_reads_its_own_referral_and_cancels_it(world: World) -> None:
    referral = _sent(world)
    carla = Api(world.network.carla)
    # Not yet linked to the family: nothing to see.
    assert _error(carla.get(f"/referrals/{referral['id']}"), 404)["code"] == "not_found"
    world.family.mother.account = world.network.carla
    world.family.mother.save(update_fields=["account"])
    read = carla.get(f"/referrals/{referral['id']}")
    assert read.status_code == 200, read.content
    body = read.json()
    assert body["sides"] == ["family"]
    assert [a["action"] for a in body["allowed_actions"]] == ["cancel"]
    assert body["note"] is None and all(e["note"] is None for e in body["events"])
    cancelled = carla.post(
        f"/referrals/{referral['id']}/transitions",
        {"action": "cancel", "version": body["version"], "reason": "family-declined"},
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"]["code"] == Status.CANCELLED
    assert ReferralEvent.objects.filter(side="family", action="cancel").count() == 1


def test_the_hub_administrator_sees_the_course_without_the_family_and_marks_it_in_error(world: World) -> None:
    referral = _sent(world)
    admin = Api(world.network.admin)
    read = admin.get(f"/referrals/{referral['id']}")
    assert read.status_code == 200, read.content
    body = read.json()
    assert body["sides"] == ["hub"]
    assert body["needs"] == [] and body["person"] is None and body["contact_times"] is None and body["note"] is None
    assert {a["action"] for a in body["allowed_actions"]} == {"cancel", "enter-in-error"}
    unexplained = admin.post(
        f"/referrals/{referral['id']}/transitions", {"action": "enter-in-error", "version": body["version"]}
    )
    assert list(_error(unexplained, 422)["fields"]) == ["note"]
    marked = admin.post(
        f"/referrals/{referral['id']}/transitions",
        {"action": "enter-in-error", "version": body["version"], "note": "Sent for the wrong family"},
    )
    assert marked.status_code == 200, marked.content
    assert marked.json()["status"]["code"] == Status.ENTERED_IN_ERROR


def test_only_the_receiving_side_records_steps(world: World) -> None:
    referral = _sent(world)
    answer = Api(world.network.alice).post(
        f"/referrals/{referral['id']}/steps", {"step": "contact-attempted", "version": referral["version"]}
    )
    assert list(_error(answer, 422)["fields"]) == ["step"]
    assert ReferralEvent.objects.count() == 2


def test_outside_the_network_the_referrer_answers_for_the_service(world: World) -> None:
    response = Api(world.network.alice).post(
        "/referrals", _body(world, service_id=str(world.outside.pk), need_ids=[str(world.housing_need.pk)])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outside_network"] is True and body["receiving_organization"] is None
    # Outside the network the referrer closes the loop by hand.
    assert {"accept", "reject", "cancel"} <= {a["action"] for a in body["allowed_actions"]}


def test_the_list_costs_the_same_queries_for_one_referral_or_several(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bob = Api(world.network.bob)
    _sent(world)
    with CaptureQueriesContext(connection) as one:
        assert len(bob.get("/referrals", box="received", tab="all").json()["items"]) == 1
    alice = Api(world.network.alice)
    for note in ("second", "third"):
        assert alice.post("/referrals", _body(world, note=note)).status_code == 201
    with CaptureQueriesContext(connection) as three:
        assert len(bob.get("/referrals", box="received", tab="all").json()["items"]) == 3
    assert len(three) == len(one)
