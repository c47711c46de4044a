"""The screening API: the same rules as the pages (same services), errors in the API's shape."""

from __future__ import annotations

import pytest
from django.test import Client

from ecwhub.screening.models import IdentifiedNeed, ScreeningAnswer, ScreeningResponse
from tests.conftest import Network, signed_in

from .conftest import ScreenFamily

pytestmark = pytest.mark.django_db


def _base(family: ScreenFamily) -> str:
    return f"/api/v1/families/{family.household.pk}"


def test_a_screen_through_the_api(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    started = client.post(
        f"{_base(screen_family)}/screenings",
        {"person_id": str(screen_family.mother.pk), "instrument": "phq-2-9", "language": "es"},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    body = started.json()
    assert (body["status"], body["next_item"], body["category"]) == ("in_progress", "/44250-9", "behavioral_health")
    url = f"{_base(screen_family)}/screenings/{body['id']}"
    answered = client.post(
        f"{url}/answers", {"link_id": "/44250-9", "answer": ["LA6571-9"]}, content_type="application/json"
    )
    assert answered.json() == {"alerts": [], "next_item": "/44255-8"}
    client.post(f"{url}/answers", {"link_id": "/44255-8", "answer": ["LA6570-1"]}, content_type="application/json")
    # PHQ-2 = 5 (≥ 3): the PHQ-9 follows.
    detail = client.get(url).json()
    assert detail["next_item"] == "/44259-0"
    incomplete = client.post(f"{url}/complete")
    assert incomplete.status_code == 422
    assert "answers" in incomplete.json()["error"]["fields"]
    for link_id in ("/44259-0", "/44254-1", "/44251-7", "/44258-2", "/44252-5", "/44253-3"):
        client.post(f"{url}/answers", {"link_id": link_id, "answer": ["LA6569-3"]}, content_type="application/json")
    alert = client.post(
        f"{url}/answers", {"link_id": "/44260-8", "declined": True}, content_type="application/json"
    ).json()
    assert alert["alerts"] == [] and alert["next_item"] is None
    done = client.post(f"{url}/complete").json()
    totals = {r["rule"]: (r["total"], r["status"]) for r in done["results"]}
    assert totals["phq2"] == (5, "positive")
    assert totals["phq9-self-harm"] == (None, "incomplete")
    assert next(a for a in done["answers"] if a["link_id"] == "/44260-8")["declined"] is True
    listing = client.get(f"{_base(screen_family)}/screenings").json()
    assert [s["id"] for s in listing] == [body["id"]]
    needs = client.get(f"{_base(screen_family)}/needs").json()
    assert [n["need"] for n in needs] == ["maternal-mental-health"]
    assert needs[0]["evidence"]


def test_bad_input_names_the_field_and_changes_nothing(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    bad = client.post(
        f"{_base(screen_family)}/screenings",
        {"person_id": str(screen_family.mother.pk), "instrument": "no-such", "language": "en"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "instrument" in bad.json()["error"]["fields"]
    started = client.post(
        f"{_base(screen_family)}/screenings",
        {"person_id": str(screen_family.mother.pk), "instrument": "ahc-hrsn-core"},
        content_type="application/json",
    ).json()
    url = f"{_base(screen_family)}/screenings/{started['id']}/answers"
    wrong = client.post(url, {"link_id": "/71802-3", "answer": ["LA-x"]}, content_type="application/json")
    assert wrong.status_code == 422 and "answer" in wrong.json()["error"]["fields"]
    both = client.post(
        url, {"link_id": "/71802-3", "answer": ["LA31993-1"], "declined": True}, content_type="application/json"
    )
    assert both.status_code == 422
    assert not ScreeningAnswer.objects.exists()


@pytest.mark.parametrize("who", ["bob", "oscar", "carla"])
def test_outsiders_get_404(network: Network, screen_family: ScreenFamily, who: str) -> None:
    staff = signed_in(Client(), network.alice)
    started = staff.post(
        f"{_base(screen_family)}/screenings",
        {"person_id": str(screen_family.mother.pk), "instrument": "ahc-hrsn-core"},
        content_type="application/json",
    ).json()
    client = signed_in(Client(), getattr(network, who))
    url = f"{_base(screen_family)}/screenings"
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/{started['id']}").status_code == 404
    assert (
        client.post(
            f"{url}/{started['id']}/answers",
            {"link_id": "/71802-3", "answer": ["LA31993-1"]},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.post(f"{url}/{started['id']}/complete").status_code == 404
    assert (
        client.post(
            url,
            {"person_id": str(screen_family.mother.pk), "instrument": "ahc-hrsn-core"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert ScreeningResponse.objects.count() == 1 and not ScreeningAnswer.objects.exists()
    assert not IdentifiedNeed.objects.exists()


def test_a_severe_phq9_through_the_api_is_positive_with_its_band(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    started = client.post(
        f"{_base(screen_family)}/screenings",
        {"person_id": str(screen_family.mother.pk), "instrument": "phq-2-9", "language": "en"},
        content_type="application/json",
    ).json()
    url = f"{_base(screen_family)}/screenings/{started['id']}"
    for link_id in ("/44250-9", "/44255-8", "/44259-0", "/44254-1", "/44251-7", "/44258-2", "/44252-5", "/44253-3"):
        client.post(f"{url}/answers", {"link_id": link_id, "answer": ["LA6571-9"]}, content_type="application/json")
    client.post(f"{url}/answers", {"link_id": "/44260-8", "answer": ["LA6571-9"]}, content_type="application/json")
    done = client.post(f"{url}/complete").json()
    results = {r["rule"]: r for r in done["results"]}
    assert (results["phq9"]["total"], results["phq9"]["status"]) == (27, "positive")
    assert results["phq9"]["band"] == {"label": {"en": "Severe", "es": "Grave"}, "low": 20, "high": 27}
    assert results["phq2"]["band"] == {"label": {}, "low": 3, "high": 6}
    assert results["phq9-self-harm"]["band"] is None
    # The API keeps the codes.
    assert any(f["system"] == "http://snomed.info/sct" or f["code"] == "phq9-severe" for f in done["findings"])
