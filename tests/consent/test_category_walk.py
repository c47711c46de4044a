"""Walk every page and API route, GET and POST, as insiders who may see a family but not all of it.

The IDOR walk (``test_no_idor.py``) proves that outsiders see nothing of a family. This walk is
for the people who may open the family but are kept from some categories or members:

- a coordinator at a clinic whose organization the family's behavioral-health consent does not name;
- provider staff at the food bank (the consent names the food bank, but the role reads no
  behavioral health, no screening results and no care plan);
- an analyst at the registering organization, who counts families but reads no family's record;
- the mother, a family member, whose 14-year-old keeps their information from her.

The family carries a completed EPDS of the mother with the self-harm answer (an alert, a tier-3
reason), a behavioral-health note recorded by a colleague whose only line in the disclosure report
is that note, and the young person's own screen and note. Every route is filled with the ids of
those rows; every answer, whatever its status, must show none of what the walker may not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import get_resolver

from ecwhub.accounts.models import Membership, Organization, OrganizationKind, Role, User
from ecwhub.accounts.services import membership_add
from ecwhub.care.services import household_tier_recompute
from ecwhub.consent.models import DEFAULT_CONSENT_CATEGORIES, AuditEntry, DataCategory, Purpose, RelationshipKind
from ecwhub.consent.services import (
    agreement_create,
    consent_record,
    relationship_start,
    sensitive_note_record,
    youth_restriction_set,
)
from ecwhub.families.models import Household, Person, SensitiveNote
from ecwhub.screening import services as screening
from ecwhub.screening.models import ScreeningAlert, ScreeningAnswer, ScreeningResponse
from tests.conftest import PASSWORD, Network, signed_in
from tests.consent.test_no_idor import SKIP_PREFIXES, _fill, _patterns

pytestmark = pytest.mark.django_db

BH = DataCategory.BEHAVIORAL_HEALTH
# What only behavioral-health readers may see: the alert, the EPDS (title, answers, tier reason),
# the note, and the colleague whose only disclosure line is that note.
BEHAVIORAL_HEALTH_SECRETS = (
    "self-harm",
    "Self-harm",
    "EPDS",
    "Edinburgh",
    "I have been able to laugh",
    "Nightjar low-mood note",
    "Zelda",
)
# The designated coordinator's picker names every active coordinator of the network (whatever
# they did with this family): it is left out of the search for a colleague's name.
COORDINATOR_PICKER = re.compile(r'<div class="coordinator-choices">.*?</div>', re.DOTALL)
# What the mother may not see: her 14-year-old's name, screen and note.
YOUTH_SECRETS = ("Diego", "Quokka note about the teen")


@dataclass
class Scene:
    household: Household
    mother: Person
    teen: Person
    ids: dict[str, list[str]]


def _m(user: User) -> Membership:
    return Membership.objects.filter(user=user, is_active=True).first()  # type: ignore[return-value]


def _person(user: User, email: str, first: str) -> User:
    return User.objects.create_user(email, PASSWORD, first_name=first, last_name="Walker")


@pytest.fixture
def scene(network: Network) -> Scene:
    clinic = Organization.objects.create(name="Alhambra Pediatrics", slug="clinic", kind=OrganizationKind.CLINIC)
    dora = User.objects.create_user("dora@example.org", PASSWORD, first_name="Dora", last_name="Diaz")
    zelda = User.objects.create_user("zelda@example.org", PASSWORD, first_name="Zelda", last_name="Zed")
    membership_add(acting_user=None, user=dora, organization=clinic, role=Role.COORDINATOR)
    membership_add(acting_user=None, user=zelda, organization=network.frc, role=Role.COORDINATOR)
    membership_add(acting_user=None, user=network.oscar, organization=network.frc, role=Role.ANALYST)
    alice = _m(network.alice)
    agreement_create(
        acting_user=network.admin,
        membership=_m(network.admin),
        title="The network",
        parties=[network.hub, network.frc, network.food_bank, clinic],
        categories=list(DataCategory),
        purposes=list(Purpose),
        effective_from=date(2026, 1, 1),
        effective_until=None,
        signed_document="DSA-1",
    )
    household = Household.objects.create(registered_by=network.frc, preferred_language="es", postal_code="91801")
    mother = Person.objects.create(
        household=household,
        relationship=Person.Relationship.CAREGIVER,
        given_name="Marisol",
        family_name="Ortega",
        date_of_birth=date(1994, 2, 2),
        preferred_language="es",
        account=network.carla,
    )
    teen = Person.objects.create(
        household=household,
        relationship=Person.Relationship.CHILD,
        given_name="Diego",
        family_name="Ortega",
        date_of_birth=date(2012, 3, 3),
        preferred_language="es",
    )
    for organization in (network.frc, network.food_bank, clinic):
        relationship_start(
            acting_user=None,
            household=household,
            kind=RelationshipKind.REGISTERING_ORGANIZATION
            if organization == network.frc
            else RelationshipKind.REFERRAL_RECIPIENT,
            organization=organization,
        )

    def consent(categories: list[str], purposes: list[str], organizations: list[Organization] | None) -> None:
        consent_record(
            acting_user=network.alice,
            membership=alice,
            household=household,
            given_by=mother,
            method="signed_on_device",
            categories=categories,
            purposes=purposes,
            network_wide=organizations is None,
            organizations=organizations or (),
            text_version="2026-1",
            language="es",
        )

    care = [Purpose.CARE_COORDINATION, Purpose.REFERRAL]
    consent(list(DEFAULT_CONSENT_CATEGORIES), care, None)
    consent([BH, DataCategory.INTERPERSONAL_SAFETY], care, [network.frc, network.food_bank])
    consent(list(DEFAULT_CONSENT_CATEGORIES), [Purpose.QUALITY_IMPROVEMENT], None)

    # The mother's EPDS, highest answer to every item: total 30 and the self-harm answer.
    epds = screening.screening_start(
        acting_user=network.alice,
        membership=alice,
        household=household,
        person=mother,
        instrument_id="epds",
        language="en",
    )
    from ecwhub.screening.scoring import load_instrument

    for item in load_instrument("epds").items:
        code = max(item.options, key=lambda o: o.score or 0).code
        screening.screening_answer(
            acting_user=network.alice, membership=alice, response=epds, link_id=item.link_id, answer=[code]
        )
    screening.screening_complete(acting_user=network.alice, membership=alice, response=epds)
    sensitive_note_record(
        acting_user=zelda,
        membership=_m(zelda),
        household=household,
        category=BH,
        text="Nightjar low-mood note",
    )
    teen_screen = screening.screening_start(
        acting_user=network.alice,
        membership=alice,
        household=household,
        person=teen,
        instrument_id="ahc-hrsn-core",
        language="es",
    )
    sensitive_note_record(
        acting_user=network.alice,
        membership=alice,
        household=household,
        category=BH,
        text="Quokka note about the teen",
        person=teen,
    )
    youth_restriction_set(acting_user=network.alice, membership=alice, youth=teen, hidden_from=mother)
    household_tier_recompute([household.pk])
    alert = ScreeningAlert.objects.get(household=household)
    assert alert.kind == "self-harm"
    assert AuditEntry.objects.filter(actor_id=zelda.pk).values_list("categories", flat=True).distinct().get() == BH

    uuids = [str(household.pk), str(mother.pk), str(teen.pk), str(epds.pk), str(teen_screen.pk), str(alert.pk)]
    uuids += [str(n.pk) for n in SensitiveNote.objects.filter(household=household)]
    ids = {
        "household_id": [str(household.pk)],
        "response_id": [str(epds.pk), str(teen_screen.pk)],
        "alert_id": [str(alert.pk)],
        "uuid": uuids,
        "slug": [network.frc.slug],
        "str": [str(household.pk)],
        "int": ["1"],
        "path": ["x"],
        "fmt": ["html", "json"],
    }
    return Scene(household, mother, teen, ids)


@pytest.fixture
def walkers(network: Network, scene: Scene) -> dict[str, tuple[User, tuple[str, ...]]]:
    """Each insider, with what they must never see."""
    dora = User.objects.get(email="dora@example.org")
    return {
        "coordinator without behavioral-health consent": (dora, BEHAVIORAL_HEALTH_SECRETS),
        "provider staff": (network.bob, (*BEHAVIORAL_HEALTH_SECRETS, "Tier 3")),
        "analyst": (network.oscar, (*BEHAVIORAL_HEALTH_SECRETS, "Marisol", "Ortega", "Diego")),
        "family member facing a young person's restriction": (network.carla, YOUTH_SECRETS),
    }


_CLIENTS: dict[int, Client] = {}


def _client(user: User) -> Client:
    """The walker's signed-in client; signed in again when a route (sign-out) ended the session."""
    client = _CLIENTS.get(user.pk)
    if client is None or "_auth_user_id" not in client.session:
        client = _CLIENTS[user.pk] = signed_in(Client(), user)
    return client


@pytest.fixture(autouse=True)
def _fresh_clients() -> None:
    _CLIENTS.clear()


def test_the_walkers_do_see_the_family(walkers: dict[str, tuple[User, tuple[str, ...]]], scene: Scene) -> None:
    """The walk is not blind: every walker opens something of this family, and the coordinator who
    may read behavioral health sees the secrets the others must not."""
    for who, (user, _secrets) in walkers.items():
        if who == "analyst":
            continue  # reads no family's record: the walk checks they see none of this one
        path = "/my-family/" if who.startswith("family") else f"/families/{scene.household.pk}/"
        page = _client(user).get(path)
        assert page.status_code == 200, who
        assert "Ortega" in page.content.decode(), who


def test_a_reader_of_behavioral_health_sees_the_secrets(network: Network, scene: Scene) -> None:
    client = signed_in(Client(), network.alice)
    family_page = client.get(f"/families/{scene.household.pk}/").content.decode()
    screens = client.get(f"/families/{scene.household.pk}/screenings/").content.decode()
    report = client.get(f"/families/{scene.household.pk}/disclosures/").content.decode()
    assert "Nightjar low-mood note" in family_page and "Quokka note about the teen" in family_page
    assert "self-harm" in screens and "EPDS" in screens and "Diego" in screens
    assert "Zelda" in report


def _routes() -> list[str]:
    return [route for route, _p in _patterns(get_resolver().url_patterns) if not route.startswith(SKIP_PREFIXES)]


def test_no_page_shows_a_walker_what_their_categories_do_not_cover(
    walkers: dict[str, tuple[User, tuple[str, ...]]], scene: Scene
) -> None:
    rows_before = (SensitiveNote.objects.count(), ScreeningResponse.objects.count(), ScreeningAnswer.objects.count())
    checked = 0
    answered: dict[str, int] = dict.fromkeys(walkers, 0)
    leaks = []
    for route in _routes():
        for path in _fill(route, scene.ids):
            for who, (user, secrets) in walkers.items():
                for method in ("get", "post"):
                    response = getattr(_client(user), method)(path)
                    checked += 1
                    answered[who] += response.status_code == 200
                    body = COORDINATOR_PICKER.sub("", response.content.decode(errors="replace"))
                    found = [s for s in secrets if s in body]
                    if found:
                        leaks.append(f"{who} {method.upper()} {path} ({response.status_code}) showed {found}")
    print(f"category walk, pages: {checked} requests, answered 200: {answered}, disclosures: {len(leaks)}")
    assert checked > 200, "the walk found almost no routes"
    assert min(answered.values()) >= 8, f"some walker was answered almost nothing: {answered}"
    assert not leaks, "\n".join(leaks)
    rows_after = (SensitiveNote.objects.count(), ScreeningResponse.objects.count(), ScreeningAnswer.objects.count())
    assert rows_after == rows_before, "an empty POST wrote family rows"


def test_no_api_route_shows_a_walker_what_their_categories_do_not_cover(
    walkers: dict[str, tuple[User, tuple[str, ...]]], scene: Scene
) -> None:
    schema = Client().get("/api/openapi.json").json()
    checked = 0
    leaks = []
    for route, operations in schema["paths"].items():
        concrete = re.sub(r"\{(\w+)\}", lambda m: "<" + m.group(1) + ">", route.removeprefix("/"))
        for path in _fill(concrete, scene.ids):
            for who, (user, secrets) in walkers.items():
                client = _client(user)
                for method in ("get", "post"):
                    if method not in operations:
                        continue
                    if method == "get":
                        response = client.get(path)
                    else:
                        response = client.post(path, data={}, content_type="application/json")
                    checked += 1
                    body = response.content.decode(errors="replace")
                    found = [s for s in secrets if s in body]
                    if found:
                        leaks.append(f"{who} {method.upper()} {path} ({response.status_code}) showed {found}")
    print(f"category walk, API: {checked} requests, disclosures: {len(leaks)}")
    assert checked > 100
    assert not leaks, "\n".join(leaks)
