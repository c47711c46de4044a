"""The screening pages, as the coordinator, the family member on their phone, and people who must
not see the family (404, the same as a missing family)."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecwhub.consent.models import AuditEntry
from ecwhub.screening.models import IdentifiedNeed, ScreeningAlert, ScreeningAnswer, ScreeningResponse
from tests.conftest import Network, signed_in

from .conftest import ScreenFamily, make_screen_family

pytestmark = pytest.mark.django_db

AHC = [
    ("/71802-3", ["LA31994-9"]),
    ("/96778-6", ["LA28580-1", "LA32001-2"]),
    ("/88122-7", ["LA28397-0"]),
    ("/88123-5", ["declined"]),
    ("/93030-5", ["LA32-8"]),
    ("/96779-4", ["LA32-8"]),
    ("/95618-5", ["LA6270-8"]),
    ("/95617-7", ["LA6270-8"]),
    ("/95616-9", ["LA6270-8"]),
    ("/95615-1", ["LA6270-8"]),
]


def _start(client: Client, url: str, person: object, instrument: str, language: str = "es") -> str:
    response = client.post(url, {"person": str(person), "instrument": instrument, "language": language})
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def test_the_coordinator_takes_a_screen_with_the_family(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    household = screen_family.household
    page = client.get(reverse("screening:family", args=[household.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    for instrument in ("ahc-hrsn-core", "epds", "cdc-milestones-02m", "cdc-milestones-18m"):
        assert f'value="{instrument}"' in content
    assert 'value="cdc-milestones-04m"' not in content
    take = _start(client, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, "ahc-hrsn-core")
    first = client.get(take)
    assert "¿Cuál es su situación de vivienda hoy?" in first.content.decode()
    assert "Prefer not to answer" in first.content.decode()
    for link_id, answer in AHC:
        assert client.post(take, {"link_id": link_id, "answer": answer}).status_code == 302
    review = client.get(take)
    assert "Finish" in review.content.decode()
    done = client.post(take, {"finish": "1"})
    assert done.status_code == 302 and "/result/" in done["Location"]
    result = client.get(done["Location"]).content.decode()
    assert "Housing instability" in result and "Food insecurity" in result and "Inadequate housing" in result
    assert "Z59.4" in result
    needs = set(IdentifiedNeed.objects.filter(household=household).values_list("need", flat=True))
    assert needs == {"housing-instability", "food-insecurity", "inadequate-housing"}
    declined = ScreeningAnswer.objects.get(link_id="/88123-5")
    assert declined.declined
    # The family's page of screens shows the tier the care rules computed after this screen.
    after = client.get(reverse("screening:family", args=[household.pk])).content.decode()
    assert re.search(r'data-testid="tier">\s*<p><strong>Tier [123]', after)


def test_a_missing_answer_is_a_clear_error(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    take = _start(
        client, reverse("screening:start", args=[screen_family.household.pk]), screen_family.mother.pk, "phq-2-9"
    )
    response = client.post(take, {"link_id": "/44250-9"})
    assert response.status_code == 400
    assert "Prefer not to answer" in response.content.decode()
    assert not ScreeningAnswer.objects.exists()


def test_a_partial_screen_is_resumed_at_the_next_question(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    take = _start(
        client, reverse("screening:start", args=[screen_family.household.pk]), screen_family.mother.pk, "ahc-hrsn-core"
    )
    for link_id, answer in AHC[:3]:
        client.post(take, {"link_id": link_id, "answer": answer})
    again = signed_in(Client(), network.alice)
    page = again.get(reverse("screening:family", args=[screen_family.household.pk])).content.decode()
    assert "Continue" in page
    resumed = again.get(take).content.decode()
    assert 'value="/88123-5"' in resumed and "3 of 10 answered" in resumed


def test_the_family_sets_its_priorities(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    household = screen_family.household
    take = _start(client, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, "ahc-hrsn-core")
    for link_id, answer in AHC:
        client.post(take, {"link_id": link_id, "answer": answer})
    client.post(take, {"finish": "1"})
    needs = {n.need: n for n in IdentifiedNeed.objects.filter(household=household)}
    url = reverse("screening:needs", args=[household.pk])
    form = {
        f"status-{needs['food-insecurity'].pk}": "wants_help",
        f"priority-{needs['food-insecurity'].pk}": "1",
        f"status-{needs['housing-instability'].pk}": "wants_help",
        f"priority-{needs['housing-instability'].pk}": "2",
        f"status-{needs['inadequate-housing'].pk}": "declined_help",
    }
    assert client.post(url, form).status_code == 302
    rows = [(n.need, n.status, n.priority) for n in IdentifiedNeed.objects.filter(household=household)]
    assert rows == [
        ("food-insecurity", "wants_help", 1),
        ("housing-instability", "wants_help", 2),
        ("inadequate-housing", "declined_help", None),
    ]
    bad = client.post(url, {**form, f"priority-{needs['food-insecurity'].pk}": "first"})
    assert bad.status_code == 400 and "A priority is a number" in bad.content.decode()
    assert IdentifiedNeed.objects.get(need="food-insecurity").priority == 1


def test_a_self_harm_answer_alerts_the_coordinator_at_once(  # type: ignore[no-untyped-def]
    network: Network, screen_family: ScreenFamily, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(Client(), network.alice)
    household = screen_family.household
    take = _start(client, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, "epds", "en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(take, {"link_id": "/71364-4", "answer": ["epds-10-1"]})
    (alert,) = ScreeningAlert.objects.filter(household=household)
    assert (alert.kind, alert.protocol, alert.acknowledged_at) == ("self-harm", "crisis-988", None)
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "attention" in message.subject
    # No personal data: no name, no answer, not even the kind of alert. The link's random
    # identifiers are taken out first: a UUID may contain "988" by chance.
    link = f"/families/{household.pk}/alerts/{alert.pk}/"
    assert link in str(message.body)
    text = f"{message.subject} {str(message.body).replace(link, ' ')}".lower()
    for secret in ("Lucía", "Ramírez", "self-harm", "harm", "988", "EPDS", "depress"):
        assert secret.lower() not in text
    page = client.get(reverse("screening:family", args=[household.pk])).content.decode()
    assert "suicide risk protocol" in page
    alert_page = client.get(reverse("screening:alert", args=[household.pk, alert.pk]))
    assert "988 Suicide &amp; Crisis Lifeline" in alert_page.content.decode()
    client.post(reverse("screening:alert", args=[household.pk, alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == network.alice and alert.acknowledged_at is not None
    # Answering again raises no second alert.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(take, {"link_id": "/71364-4", "answer": ["epds-10-2"]})
    assert ScreeningAlert.objects.count() == 1 and len(mail.outbox) == 1


def test_an_unsafe_relationship_raises_the_safety_alert(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    household = screen_family.household
    take = _start(client, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, "ahc-hrsn-core")
    # Total 11 (the threshold): 5 + 2 + 2 + 2.
    for link_id, answer in [
        ("/95618-5", "LA6482-9"),
        ("/95617-7", "LA10066-1"),
        ("/95616-9", "LA10066-1"),
        ("/95615-1", "LA10066-1"),
    ]:
        client.post(take, {"link_id": link_id, "answer": [answer]})
    assert list(ScreeningAlert.objects.values_list("kind", "protocol")) == [("interpersonal-safety", "safety-planning")]


def test_the_family_member_takes_a_screen_on_their_phone(network: Network) -> None:
    family = make_screen_family(network, link_carla=True)
    client = signed_in(Client(), network.carla)
    page = client.get(reverse("screening:mine"))
    assert page.status_code == 200
    assert 'value="ahc-hrsn-core"' in page.content.decode()
    take = _start(client, reverse("screening:mine_start"), family.mother.pk, "hunger-vital-sign", "es")
    response = ScreeningResponse.objects.get()
    assert (response.mode, response.respondent, response.taken_by) == ("self", family.mother, network.carla)
    client.post(take, {"link_id": "/88122-7", "answer": ["LA28397-0"]})
    client.post(take, {"link_id": "/88123-5", "answer": ["LA28398-8"]})
    done = client.post(take, {"finish": "1"})
    assert done.status_code == 302
    assert IdentifiedNeed.objects.get(household=family.household).need == "food-insecurity"
    needs = client.get(reverse("screening:mine_needs")).content.decode()
    assert "Food insecurity" in needs
    # The coordinator sees what the family answered on their own.
    staff = signed_in(Client(), network.alice)
    result = staff.get(reverse("screening:result", args=[family.household.pk, response.pk]))
    assert result.status_code == 200 and "Food insecurity" in result.content.decode()


def test_a_family_member_cannot_continue_a_coordinators_screen(network: Network) -> None:
    family = make_screen_family(network, link_carla=True)
    staff = signed_in(Client(), network.alice)
    take = _start(staff, reverse("screening:start", args=[family.household.pk]), family.mother.pk, "ahc-hrsn-core")
    response_id = take.rstrip("/").rsplit("/", 1)[-1]
    client = signed_in(Client(), network.carla)
    assert client.get(reverse("screening:mine_take", args=[response_id])).status_code == 404


def test_sensitive_results_need_the_consent_that_names_them(network: Network) -> None:
    family = make_screen_family(network, sensitive=False)
    client = signed_in(Client(), network.alice)
    page = client.get(reverse("screening:family", args=[family.household.pk])).content.decode()
    assert 'value="epds"' not in page and 'value="phq-2-9"' not in page
    assert 'value="ahc-hrsn-core"' in page


@pytest.mark.parametrize("who", ["bob", "oscar", "carla", "admin"])
def test_people_outside_the_family_get_404(network: Network, screen_family: ScreenFamily, who: str) -> None:
    staff = signed_in(Client(), network.alice)
    household = screen_family.household
    take = _start(staff, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, "epds", "en")
    staff.post(take, {"link_id": "/71364-4", "answer": ["epds-10-3"]})
    response = ScreeningResponse.objects.get()
    alert = ScreeningAlert.objects.get()
    need_count = IdentifiedNeed.objects.count()
    outsider = signed_in(Client(), getattr(network, who))
    urls = [
        reverse("screening:family", args=[household.pk]),
        reverse("screening:take", args=[household.pk, response.pk]),
        reverse("screening:result", args=[household.pk, response.pk]),
        reverse("screening:needs", args=[household.pk]),
        reverse("screening:alert", args=[household.pk, alert.pk]),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {"link_id": "/71355-2", "answer": ["epds-1-3"]}).status_code == 404, url
    assert (
        outsider.post(
            reverse("screening:start", args=[household.pk]),
            {"person": str(screen_family.mother.pk), "instrument": "ahc-hrsn-core", "language": "en"},
        ).status_code
        == 404
    )
    assert ScreeningResponse.objects.count() == 1 and ScreeningAnswer.objects.count() == 1
    assert IdentifiedNeed.objects.count() == need_count
    assert ScreeningAlert.objects.get().acknowledged_at is None


def test_reads_are_audited(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    before = AuditEntry.objects.count()
    client.get(reverse("screening:family", args=[screen_family.household.pk]))
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None and "screening_results" in entry.categories


def test_the_caregiver_sees_the_help_lines_after_a_self_harm_answer(network: Network) -> None:
    family = make_screen_family(network, link_carla=True)
    client = signed_in(Client(), network.carla)
    take = _start(client, reverse("screening:mine_start"), family.mother.pk, "epds", "en")
    response = client.post(take, {"link_id": "/71364-4", "answer": ["epds-10-2"]}, follow=True)
    page = response.content.decode()
    assert "call or text 988" in page and "call 911" in page
    assert ScreeningAlert.objects.get().kind == "self-harm"


def test_the_screening_page_reads_in_a_bounded_number_of_queries(network: Network, screen_family: ScreenFamily) -> None:
    client = signed_in(Client(), network.alice)
    household = screen_family.household
    for instrument in ("ahc-hrsn-core", "hunger-vital-sign", "epds"):
        _start(client, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, instrument)
    url = reverse("screening:family", args=[household.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    for instrument in ("phq-2-9", "ahc-hrsn-core", "hunger-vital-sign"):
        _start(client, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, instrument)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    # Three more screens on the page, not one query more.
    assert len(six.captured_queries) == len(three.captured_queries) < 80


def test_screens_held_back_by_the_consent_are_listed_with_how_to_unlock_them(network: Network) -> None:
    family = make_screen_family(network, sensitive=False, link_carla=True)
    client = signed_in(Client(), network.alice)
    body = client.get(reverse("screening:family", args=[family.household.pk])).content.decode()
    held = re.search(r'<ul data-testid="not-offered">(.*?)</ul>', body, re.S)
    assert held is not None, "the screens not offered are not explained"
    text = html.unescape(held.group(1))
    assert "Edinburgh Postnatal Depression Scale" in text and "Patient Health Questionnaire" in text
    assert "Needs the family's consent to share behavioral health." in text
    assert reverse("consent:consents", args=[family.household.pk]) in text
    assert 'value="epds"' not in body, "a screen the coordinator may not record is offered"
    client.cookies["django_language"] = "es"
    spanish = html.unescape(client.get(reverse("screening:family", args=[family.household.pk])).content.decode())
    assert "Necesita el consentimiento de la familia para compartir" in spanish
    assert "Needs the family" not in spanish
    # With the consent, nothing is held back; the caregiver's own page never lists other people's limits.
    sensitive = make_screen_family(network, sensitive=True)
    assert (
        'data-testid="not-offered"'
        not in client.get(reverse("screening:family", args=[sensitive.household.pk])).content.decode()
    )
    carla = signed_in(Client(), network.carla)
    assert 'data-testid="not-offered"' not in carla.get(reverse("screening:mine")).content.decode()


def test_an_invalid_priority_keeps_every_choice_and_marks_the_field(
    network: Network, screen_family: ScreenFamily
) -> None:
    client = signed_in(Client(), network.alice)
    household = screen_family.household
    take = _start(client, reverse("screening:start", args=[household.pk]), screen_family.mother.pk, "ahc-hrsn-core")
    for link_id, answer in AHC:
        client.post(take, {"link_id": link_id, "answer": answer})
    client.post(take, {"finish": "1"})
    needs = {n.need: n for n in IdentifiedNeed.objects.filter(household=household)}
    food, housing, inadequate = needs["food-insecurity"], needs["housing-instability"], needs["inadequate-housing"]
    form = {
        f"status-{food.pk}": "wants_help",
        f"priority-{food.pk}": "2",
        f"status-{housing.pk}": "wants_help",
        f"priority-{housing.pk}": "first",
        f"status-{inadequate.pk}": "declined_help",
        f"priority-{inadequate.pk}": "",
    }
    page = client.post(reverse("screening:needs", args=[household.pk]), form)
    assert page.status_code == 400
    body = page.content.decode()

    def selected(need: IdentifiedNeed) -> str:
        found = re.search(rf'<select id="status-{need.pk}".*?</select>', body, re.S)
        assert found is not None
        chosen = re.search(r'<option value="([a-z_]+)" selected>', found.group(0))
        return chosen.group(1) if chosen else ""

    def priority(need: IdentifiedNeed) -> str:
        found = re.search(rf'<input id="priority-{need.pk}"[^>]*value="([^"]*)"', body)
        assert found is not None
        return found.group(1)

    assert [selected(food), selected(housing), selected(inadequate)] == ["wants_help", "wants_help", "declined_help"]
    assert [priority(food), priority(housing), priority(inadequate)] == ["2", "first", ""]
    error = re.search(rf'<ul class="errors" id="priority-{housing.pk}-error"><li>([^<]+)</li></ul>', body)
    assert error is not None and "A priority is a number" in error.group(1)
    assert f'aria-describedby="priority-{housing.pk}-error"' in body
    assert f'id="priority-{food.pk}-error"' not in body, "the error is on the field at fault only"
    # Nothing was saved.
    assert set(IdentifiedNeed.objects.filter(household=household).values_list("status", "priority")) == {
        ("identified", None)
    }
