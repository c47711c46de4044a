"""Encounters: a contact with its facts (kind, minutes, participants, topics, interpreter, needs,
funding, note), checked field by field by the form, the service and the database; a caregiver and
a child together make it dyadic; the registered link kinds are saved in the encounter's
transaction, and nothing is written when one fails."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test import Client
from django.utils import timezone

from ecwhub.accounts.models import Membership, Role
from ecwhub.accounts.services import membership_add
from ecwhub.care import encounter_links
from ecwhub.care.care_tasks import task_create
from ecwhub.care.encounter_links import EncounterLinkKind
from ecwhub.care.models import CareTask, Contact, ContactTopic
from ecwhub.care.services import CareError, EncounterFacts, contact_record
from ecwhub.consent.models import AuditEntry
from ecwhub.families.models import Household
from ecwhub.screening.models import IdentifiedNeed
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db


def _alice(network: Network) -> Membership:
    return Membership.objects.get(user=network.alice)


def _url(family: Family) -> str:
    return f"/care/families/{family.household.pk}/encounters/new/"


@pytest.fixture
def food_need(family: Family) -> IdentifiedNeed:
    return IdentifiedNeed.objects.create(
        household=family.household, person=family.mother, need="food-insecurity", category="identified_needs"
    )


def _save_tasks_done(contact: Contact, ids: list[str], user: object) -> None:
    """A link kind that marks the family's tasks done (a real write in the encounter's transaction)."""
    for task_id in ids:
        updated = CareTask.objects.filter(pk=int(task_id), household=contact.household, done_at__isnull=True).update(
            done_at=contact.at, done_by=contact.by
        )
        if not updated:
            raise ValueError(f"Task {task_id} is not one of the family's open tasks.")


def _choices(household: Household, user: object, membership: object) -> list[tuple[str, str]]:
    return [(str(t.pk), f"Task {t.pk}") for t in CareTask.objects.filter(household=household, done_at__isnull=True)]


def _shown(contact: Contact) -> list[str]:
    return [f"Task {t.pk}" for t in CareTask.objects.filter(household=contact.household, done_at=contact.at)]


@pytest.fixture
def tasks_kind(monkeypatch: pytest.MonkeyPatch) -> EncounterLinkKind:
    kind = EncounterLinkKind(
        key="tasks_worked",
        order=1,
        label=lambda: "Tasks worked on",
        choices=_choices,
        save=_save_tasks_done,
        shown=_shown,
    )
    monkeypatch.setitem(encounter_links._KINDS, kind.key, kind)
    return kind


def _post(client: Client, family: Family, **data: object) -> object:
    return client.post(_url(family), data)


def test_a_home_visit_is_recorded_with_all_its_facts_and_shown_on_the_family_page(
    network: Network, family: Family, food_need: IdentifiedNeed
) -> None:
    client = signed_in(Client(), network.alice)
    form = client.get(_url(family))
    assert form.status_code == 200
    page = form.content.decode()
    assert "Accompanied well-child visit" in page and "Group session" in page
    assert "María García López" in page and str(food_need.get_need_display()) in page
    response = _post(
        client,
        family,
        method="home_visit",
        outcome="reached",
        minutes="45",
        participants=[str(family.mother.pk), str(family.child.pk)],
        topics=["development", "basic_needs", "other"],
        topics_other="Car seat",
        interpreter_used="on",
        interpreter_language="mix",
        needs=[str(food_need.pk)],
        funding="epsdt",
        note="Talked about the WIC appointment.",
    )
    assert response.status_code == 302, response.content.decode()[:3000]  # type: ignore[attr-defined]
    contact = Contact.objects.get(household=family.household)
    assert (contact.method, contact.minutes, contact.funding, contact.interpreter_language) == (
        "home_visit",
        45,
        "epsdt",
        "mix",
    )
    assert contact.dyadic is True
    assert set(contact.participants.all()) == {family.mother, family.child}
    assert sorted(t.topic for t in contact.topics.all()) == ["basic_needs", "development", "other"]
    assert list(contact.needs.all()) == [food_need]
    assert contact.note == "Talked about the WIC appointment."
    # The note is stored encrypted.
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM care_contact WHERE id = %s", [contact.pk])
        assert "WIC" not in cursor.fetchone()[0]
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    history = page[page.index('id="contacts-title"') :]
    for text in (
        "45",
        "Caregiver and child together",
        "Child development",
        "Basic needs",
        "Car seat",
        "Mixtec",
        "EPSDT",
    ):
        assert text in history, text
    assert "epsdt" not in history and "basic_needs" not in history


def test_dyadic_needs_a_caregiver_and_a_child(network: Network, family: Family) -> None:
    alice = _alice(network)
    alone = contact_record(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        method="phone",
        outcome="reached",
        facts=EncounterFacts(participants=[family.mother.pk]),
    )
    sibling_and_child = contact_record(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        method="video",
        outcome="reached",
        facts=EncounterFacts(participants=[family.teen.pk, family.child.pk]),
    )
    together = contact_record(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        method="accompanied_visit",
        outcome="reached",
        facts=EncounterFacts(participants=[family.mother.pk, family.child.pk], minutes=90),
    )
    assert (alone.dyadic, sibling_and_child.dyadic, together.dyadic) == (False, False, True)
    # Countable in the database.
    assert Contact.objects.filter(household=family.household, dyadic=True).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"minutes": "0"}, "minutes", "Minutes go from 1 to 600."),
        ({"minutes": "601"}, "minutes", "Minutes go from 1 to 600."),
        ({"minutes": "half"}, "minutes", "Write the minutes as a whole number."),
        ({"topics": ["weather"]}, "topics", "Choose the topics from the list."),
        ({"topics": ["other"]}, "topics_other", "Say in a few words what the other topic was."),
        ({"interpreter_used": "on"}, "interpreter_language", "Say in which language the interpreter worked."),
        ({"interpreter_language": "es"}, "interpreter_used", "Tick this box when an interpreter took part"),
        ({"interpreter_used": "on", "interpreter_language": "xx"}, "interpreter_language", "from the list"),
        ({"funding": "lottery"}, "funding", "Choose the funding source from the list."),
        ({"participants": [str(uuid.uuid4())]}, "participants", "Choose the participants among the family's members."),
        ({"needs": [str(uuid.uuid4())]}, "needs", "Choose the needs among the family's needs."),
        ({"method": "carrier_pigeon"}, "method", "Select a valid choice"),
        ({"method": ""}, "method", "Choose how you met or contacted the family."),
        ({"outcome": ""}, "outcome", "Say whether you reached the family, or why not."),
        ({"note": "x" * 4001}, "note", "Keep the note under 4,000 characters."),
    ],
)
def test_the_form_refuses_each_bad_field_by_name_and_writes_nothing(
    network: Network, family: Family, data: dict[str, object], field: str, message: str
) -> None:
    client = signed_in(Client(), network.alice)
    response = _post(client, family, **{"method": "phone", "outcome": "reached", **data})
    assert response.status_code == 200  # type: ignore[attr-defined]
    form = response.context["form"]  # type: ignore[index]
    assert field in form.errors, form.errors
    assert any(message in e for e in form.errors[field])
    page = response.content.decode()  # type: ignore[attr-defined]
    assert 'class="form-errors" role="alert"' in page
    assert not Contact.objects.filter(household=family.household).exists()


def test_the_service_refuses_bad_facts_naming_the_field(network: Network, family: Family) -> None:
    other = make_family(network)
    alice = _alice(network)
    cases = [
        (EncounterFacts(minutes=0), "minutes"),
        (EncounterFacts(minutes=601), "minutes"),
        (EncounterFacts(topics=["weather"]), "topics"),
        (EncounterFacts(interpreter_used=True), "interpreter_language"),
        (EncounterFacts(interpreter_language="es"), "interpreter_language"),
        (EncounterFacts(funding="lottery"), "funding"),
        (EncounterFacts(participants=[other.mother.pk]), "participants"),
        (EncounterFacts(links={"unknown": ["1"]}), "unknown"),
    ]
    for facts, field in cases:
        with pytest.raises(CareError) as error:
            contact_record(
                acting_user=network.alice,
                membership=alice,
                household=family.household,
                method="phone",
                outcome="reached",
                facts=facts,
            )
        assert error.value.field == field
    assert not Contact.objects.exists()


def test_the_database_refuses_what_the_service_would(network: Network, family: Family) -> None:
    base = {"household": family.household, "method": "phone", "by": network.alice, "organization": network.frc}
    for bad in (
        {"minutes": 0},
        {"minutes": 601},
        {"funding": "lottery"},
        {"method": "carrier_pigeon"},
        {"interpreter_used": True, "interpreter_language": ""},
        {"interpreter_used": False, "interpreter_language": "es"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Contact.objects.create(**{**base, **bad})
    contact = Contact.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactTopic.objects.create(contact=contact, topic="weather")


def test_links_are_saved_in_the_encounters_transaction(
    network: Network, family: Family, tasks_kind: EncounterLinkKind
) -> None:
    alice = _alice(network)
    task = task_create(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        kind="case_review",
        due=timezone.localdate(),
    )
    client = signed_in(Client(), network.alice)
    assert "Tasks worked on" in client.get(_url(family)).content.decode()
    response = _post(client, family, method="phone", outcome="reached", tasks_worked=[str(task.pk)])
    assert response.status_code == 302  # type: ignore[attr-defined]
    task.refresh_from_db()
    contact = Contact.objects.get(household=family.household)
    assert task.done_at == contact.at
    page = client.get(f"/families/{family.household.pk}/").content.decode()
    history = page[page.index('id="contacts-title"') :]
    assert "Tasks worked on" in history and f"Task {task.pk}" in history


def test_nothing_is_written_when_a_link_fails(
    network: Network, family: Family, tasks_kind: EncounterLinkKind, food_need: IdentifiedNeed
) -> None:
    alice = _alice(network)
    mine = task_create(
        acting_user=network.alice,
        membership=alice,
        household=family.household,
        kind="case_review",
        due=timezone.localdate(),
    )
    other = make_family(network)
    theirs = task_create(
        acting_user=network.alice, membership=alice, household=other.household, kind="other", due=timezone.localdate()
    )
    writes_before = AuditEntry.objects.filter(action=AuditEntry.Action.WRITE).count()
    with pytest.raises(CareError) as error:
        contact_record(
            acting_user=network.alice,
            membership=alice,
            household=family.household,
            method="home_visit",
            outcome="reached",
            facts=EncounterFacts(
                minutes=30,
                participants=[family.mother.pk],
                topics=["parenting"],
                needs=[food_need.pk],
                links={"tasks_worked": [str(mine.pk), str(theirs.pk)]},
            ),
        )
    assert error.value.field == "tasks_worked" and str(theirs.pk) in str(error.value)
    assert not Contact.objects.exists() and not ContactTopic.objects.exists()
    mine.refresh_from_db()
    assert mine.done_at is None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.WRITE).count() == writes_before


def test_a_family_the_user_may_not_see_is_not_found(network: Network) -> None:
    hidden = make_family(network, consent=False)
    membership_add(acting_user=None, user=network.oscar, organization=network.food_bank, role=Role.COORDINATOR)
    client = signed_in(Client(), network.oscar)
    assert client.get(_url(hidden)).status_code == 404
    assert client.post(_url(hidden), {"method": "phone", "outcome": "reached"}).status_code == 404
    with pytest.raises(Http404):
        contact_record(
            acting_user=network.oscar,
            membership=Membership.objects.get(user=network.oscar),
            household=hidden.household,
            method="phone",
            outcome="reached",
        )
    assert not Contact.objects.exists()
