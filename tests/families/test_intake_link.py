"""Linking an intake to a family the hub knew adds what the coordinator entered and nothing else:
a value the page pre-filled (Spanish, "caregiver", a ticked "whole network" box) is no new fact,
the family's consent is not recorded twice, and no code is shown for a language."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecwhub.accounts.models import Membership
from ecwhub.consent.models import Consent
from ecwhub.families.intake.complete import intake_complete
from ecwhub.families.models import Household, Person, PriorityFlagRecord
from tests.conftest import Network, signed_in
from tests.consent.conftest import Family
from tests.families.conftest import as_lists, step1, step2, typed
from tests.families.test_merge import canonical_dump

pytestmark = pytest.mark.django_db

DIALECT = "Mixteco de San Juan Mixtepec"


def _membership(network: Network) -> Membership:
    return Membership.objects.get(user=network.alice)


def _mixtec(family: Family) -> None:
    Household.objects.filter(pk=family.household.pk).update(preferred_language="mix", dialect=DIALECT)
    Person.objects.filter(household=family.household).update(preferred_language="mix", dialect=DIALECT)


def _repeat(**overrides: Any) -> dict[str, list[str]]:
    """The family of ``make_family`` entered again as the page posts it: the language left as the
    page pre-selects it (Spanish), the consent box for the whole network left ticked."""
    return as_lists(
        {
            **step1(
                **{
                    "cg-given_name": "María",
                    "cg-family_name": "García",
                    "cg-second_family_name": "López",
                    "cg-date_of_birth": "1992-04-03",
                    "cg-phone": "",
                    "cg-preferred_contact_method": "in_person",
                    "cg-postal_code": "91801",
                    "child-0-given_name": "Sofía",
                    "child-0-family_name": "García",
                    "child-0-date_of_birth": "2023-01-15",
                    "child-0-sex": "unknown",
                    **overrides,
                }
            ),
            **{"d-sex": "unknown", "d-insurance_status": "unknown", "d-children_insurance": "unknown"},
        }
    )


def _start(client: Client) -> str:
    response = client.post("/families/intake/")
    match = re.search(r"/families/intake/([0-9a-f-]+)/step/1/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def test_linking_through_the_page_keeps_the_familys_language_and_consent(network: Network, family: Family) -> None:
    _mixtec(family)
    consents = Consent.objects.filter(household=family.household).count()
    client = signed_in(Client(), network.alice)
    draft_id = _start(client)
    data = _repeat()
    assert client.post(f"/families/intake/{draft_id}/step/1/", {**data, "action": "next"}).status_code == 302
    assert client.post(f"/families/intake/{draft_id}/step/2/", {**data, "action": "next"}).status_code == 302
    page = client.get(f"/families/intake/{draft_id}/match/").content.decode()
    assert str(family.household.pk) in page
    response = client.post(f"/families/intake/{draft_id}/match/", {"choice": str(family.household.pk), "shown": "1"})
    assert response.status_code == 302, response.content.decode()

    household = Household.objects.get(pk=family.household.pk)
    assert (household.preferred_language, household.dialect) == ("mix", DIALECT)
    assert set(household.members.values_list("preferred_language", flat=True)) == {"mix"}
    assert Consent.objects.filter(household=household).count() == consents
    consent_page = client.get(f"/families/{household.pk}/consent/").content.decode()
    assert "in mix" not in consent_page and "in es" not in consent_page


def test_a_language_the_coordinator_chose_replaces_the_old_one_which_the_intake_keeps(
    network: Network, family: Family
) -> None:
    _mixtec(family)
    record = intake_complete(
        acting_user=network.alice,
        membership=_membership(network),
        intake=typed(_repeat(**{"cg-preferred_language": "en"})),
        link_household_id=family.household.pk,
    )
    household = Household.objects.get(pk=family.household.pk)
    assert household.preferred_language == "en" and household.dialect == DIALECT
    assert '"preferred_language": ["mix", "en"]' in record.changes


def test_a_new_child_added_by_a_link_speaks_the_familys_language(network: Network, family: Family) -> None:
    _mixtec(family)
    data = _repeat(
        **{
            "child-TOTAL_FORMS": "2",
            "child-1-given_name": "Lucía",
            "child-1-family_name": "García",
            "child-1-date_of_birth": "2025-05-20",
        }
    )
    intake_complete(
        acting_user=network.alice,
        membership=_membership(network),
        intake=typed(data),
        link_household_id=family.household.pk,
    )
    added = Person.objects.get(household=family.household, given_name="Lucía")
    assert (added.preferred_language, added.dialect) == ("mix", DIALECT)


def test_a_link_that_adds_a_sensitive_category_records_the_new_consent(network: Network, family: Family) -> None:
    data = _repeat(**{"cg-consent_sensitive": ["immigration_sensitive"]})
    data.update(as_lists({"d-flags": ["undocumented"]}))
    for _ in range(2):
        intake_complete(
            acting_user=network.alice,
            membership=_membership(network),
            intake=typed(data),
            link_household_id=family.household.pk,
        )
    # The second link repeats the first: one new consent, one flag.
    assert Consent.objects.filter(household=family.household).count() == 2
    newest = Consent.objects.filter(household=family.household).order_by("-given_at").first()
    assert newest is not None and newest.categories.filter(category="immigration_sensitive").exists()
    flags = [f.flag for f in PriorityFlagRecord.objects.filter(household=family.household)]
    assert flags == ["undocumented"]


def test_the_consent_list_names_every_language_never_a_code(network: Network, family: Family) -> None:
    Consent.objects.filter(household=family.household).update(language="mix")
    page = signed_in(Client(), network.alice).get(f"/families/{family.household.pk}/consent/").content.decode()
    assert "in Mixtec" in page and "in mix" not in page


# --- The property: an intake that repeats what the hub holds changes nothing ----------------

names = st.sampled_from(["Rosa", "Ana Luisa", "Guadalupe", "Xóchitl", "Ngọc", "Mei"])
surnames = st.sampled_from(["Mendoza", "Pérez", "Nguyen", "Hernández", "Chávez"])
family_facts = st.fixed_dictionaries(
    {
        "cg-relationship": st.sampled_from(["caregiver", "legal_guardian"]),
        "cg-given_name": names,
        "cg-family_name": surnames,
        "cg-second_family_name": st.sampled_from(["", "Cruz", "Ramírez"]),
        "cg-preferred_name": st.sampled_from(["", "Lupita"]),
        "cg-date_of_birth": st.dates(date(1975, 1, 1), date(2004, 12, 31)).map(date.isoformat),
        "cg-is_pregnant": st.sampled_from([None, "on"]),
        "cg-phone": st.from_regex(r"[2-9][0-9]{2}-[2-9][0-9]{2}-[0-9]{4}", fullmatch=True),
        "cg-email": st.sampled_from(["", "rosa@example.org"]),
        "cg-preferred_contact_method": st.sampled_from(["", "phone", "text", "email"]),
        "cg-preferred_language": st.sampled_from(["es", "en", "mix", "zap", "yue"]),
        "cg-dialect": st.sampled_from(["", DIALECT]),
        "cg-interpreter_needed": st.sampled_from([None, "on"]),
        "cg-postal_code": st.sampled_from(["91733", "91801", "90022"]),
        "cg-consent_network_wide": st.sampled_from([None, "on"]),
        "cg-consent_sensitive": st.sampled_from([[], ["immigration_sensitive"], ["child_protection"]]),
        "child-0-given_name": names,
        "child-0-date_of_birth": st.dates(date(2018, 1, 1), date(2025, 12, 31)).map(date.isoformat),
        "child-0-sex": st.sampled_from(["unknown", "female", "male"]),
        "d-street": st.sampled_from(["", "410 Garvey Ave"]),
        "d-city": st.sampled_from(["", "El Monte"]),
        "d-text_ok": st.sampled_from([None, "on"]),
        "d-best_times": st.sampled_from(["", "weekday mornings"]),
        "d-safe_to_leave_message": st.sampled_from(["", "yes", "no"]),
        "d-sex": st.sampled_from(["unknown", "female"]),
        "d-insurance_status": st.sampled_from(["unknown", "uninsured", "private"]),
        "d-children_insurance": st.sampled_from(["unknown", "medi_cal"]),
        "d-school_or_child_care": st.sampled_from(["", "Head Start Garvey"]),
    }
)
# What the page shows before anyone types: a field left alone is posted like this.
PAGE_SHOWS: dict[str, Any] = {
    "cg-relationship": "caregiver",
    "cg-preferred_language": "es",
    "cg-consent_network_wide": "on",
    "cg-consent_sensitive": [],
    "child-0-sex": "unknown",
    "d-sex": "unknown",
    "d-insurance_status": "unknown",
    "d-children_insurance": "unknown",
    "d-safe_to_leave_message": "",
}
# Entered again every time: who the people are, and the ZIP code the form requires.
ALWAYS_REPEATED = {"cg-given_name", "cg-family_name", "cg-date_of_birth", "cg-postal_code", "cg-phone"}
ALWAYS_REPEATED |= {"child-0-given_name", "child-0-date_of_birth"}


def _posted(facts: dict[str, Any]) -> dict[str, list[str]]:
    data = {**step1(), **step2(**{"d-medi_cal_plan": None, "d-medi_cal_id": None}), **facts}
    data["child-0-family_name"] = facts["cg-family_name"]
    return as_lists({k: v for k, v in data.items() if v is not None})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=family_facts, left_alone=st.sets(st.sampled_from(sorted(set(PAGE_SHOWS) | {"cg-dialect", "d-street"}))))
def test_linking_an_intake_that_repeats_what_the_hub_holds_changes_nothing(
    network: Network, facts: dict[str, Any], left_alone: set[str]
) -> None:
    membership = _membership(network)
    with transaction.atomic():
        held = intake_complete(acting_user=network.alice, membership=membership, intake=typed(_posted(facts)))
        before = canonical_dump()
        again = dict(facts)
        for name in left_alone - ALWAYS_REPEATED:
            again[name] = PAGE_SHOWS.get(name, "")
        record = intake_complete(
            acting_user=network.alice,
            membership=membership,
            intake=typed(_posted(again)),
            link_household_id=held.household_id,
        )
        assert record.outcome == "linked"
        after = canonical_dump()
        for dump in (before, after):
            dump.pop("families.IntakeRecord")
        assert after == before
        transaction.set_rollback(True)
