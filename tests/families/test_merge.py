"""Merge and unmerge are lossless: a property-based test over random people, values and linked
rows compares a canonical dump of every table before the merge and after the unmerge."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.models import AuditEntry, Consent, ConsentCategory, ConsentPurpose, YouthRestriction
from ecwhub.families.merging import (
    MergeError,
    household_merge,
    household_unmerge,
    person_merge,
    person_unmerge,
    row_dump,
)
from ecwhub.families.models import (
    Household,
    Person,
    PersonMerge,
    PersonRelation,
    PriorityFlagRecord,
    SensitiveNote,
)
from tests.conftest import Network
from tests.consent.conftest import Family, make_family

pytestmark = pytest.mark.django_db

# Merge history, the audit log and derived search keys change on purpose; everything else must
# come back exactly.
EXCLUDED = {
    "families.PersonMerge",
    "families.HouseholdMerge",
    "consent.AuditEntry",
    "consent.AuditHead",
    "identity.PersonKey",
}


def canonical_dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of the family, consent and identity tables (and many-to-many links), sorted."""
    dump: dict[str, list[dict[str, Any]]] = {}
    for app in ("families", "consent", "identity"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.label in EXCLUDED:
                continue
            dump[model._meta.label] = sorted((row_dump(r) for r in model._base_manager.all()), key=repr)
            for m2m in model._meta.local_many_to_many:
                through: Any = m2m.remote_field.through  # type: ignore[union-attr]
                dump[through._meta.label] = sorted((row_dump(r) for r in through._base_manager.all()), key=repr)
    return dump


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíñóúü ", min_size=1, max_size=20).map(str.strip).filter(bool)
maybe = lambda strategy: st.one_of(st.just(""), strategy)  # noqa: E731

person_values = st.fixed_dictionaries(
    {
        "relationship": st.sampled_from([c.value for c in Person.Relationship]),
        "given_name": names,
        "family_name": names,
        "second_family_name": maybe(names),
        "preferred_name": maybe(names),
        "name_original_script": maybe(st.sampled_from(["玛丽亚", "Мария", "마리아"])),
        "date_of_birth": st.dates(min_value=date(1950, 1, 1), max_value=date(2025, 12, 31)),
        "date_of_birth_estimated": st.booleans(),
        "sex": st.sampled_from([c.value for c in Person.Sex]),
        "is_pregnant": st.booleans(),
        "preferred_language": st.sampled_from(["es", "en", "mix", "yue"]),
        "dialect": maybe(names),
        "interpreter_needed": st.booleans(),
        "phone": maybe(st.from_regex(r"[2-9]\d\d-[2-9]\d\d-\d{4}", fullmatch=True)),
        "email": maybe(st.from_regex(r"[a-z]{1,8}@example\.org", fullmatch=True)),
        "insurance_status": st.sampled_from(["private", "uninsured", "unknown", "underinsured"]),
        "medi_cal_id": maybe(st.from_regex(r"\d{8}[A-Z]", fullmatch=True)),
        "preferred_contact_method": st.sampled_from(["", "phone", "text", "email"]),
        "text_ok": st.booleans(),
        "best_times": maybe(names),
        "safe_to_leave_message": st.sampled_from([None, True, False]),
        "is_legal_guardian": st.booleans(),
        "school_or_child_care": maybe(names),
    }
)
links = st.fixed_dictionaries(
    {
        "consents": st.integers(0, 2),
        "notes": st.integers(0, 2),
        "flags": st.lists(st.sampled_from(["refugee", "undocumented", "foster", "unhoused"]), max_size=2),
        "relations": st.lists(st.sampled_from(["to_other", "from_other", "to_mother", "from_mother"]), max_size=3),
        "restricted": st.booleans(),
        "account": st.booleans(),
    }
)
FLAG_CATEGORY = {
    "refugee": "immigration_sensitive",
    "undocumented": "immigration_sensitive",
    "foster": "child_protection",
    "unhoused": "identified_needs",
}


def _link(network: Network, family: Family, person: Person, other: Person, spec: dict[str, Any], n: int) -> None:
    for _ in range(spec["consents"]):
        consent = Consent.objects.create(
            household=person.household,
            person=person,
            network_wide=True,
            method="signed_on_device",
            text_version="2026-1",
            language="es",
            given_by=person,
            recorded_by=network.alice,
            recorded_in=network.frc,
        )
        ConsentCategory.objects.create(consent=consent, category="identity_contact")
        ConsentPurpose.objects.create(consent=consent, purpose="care_coordination")
        consent.organizations.add(network.food_bank)
    for i in range(spec["notes"]):
        SensitiveNote.objects.create(
            household=person.household,
            person=person,
            category="legal",
            text=f"note {n}.{i}",
            recorded_by=network.alice,
            recorded_in=network.frc,
        )
    for flag in spec["flags"]:
        PriorityFlagRecord.objects.create(
            household=person.household,
            person=person,
            category=FLAG_CATEGORY[flag],
            flag=flag,
            recorded_by=network.alice,
            recorded_in=network.frc,
        )
    for kind in spec["relations"]:
        target = other if "other" in kind else family.mother
        if target.pk == person.pk:
            continue
        pair = (person, target) if kind.startswith("to") else (target, person)
        PersonRelation.objects.create(from_person=pair[0], to_person=pair[1], kind="sibling")
    if spec["restricted"]:
        YouthRestriction.objects.create(youth=person, hidden_from=family.mother)
    if spec["account"]:
        person.account = User.objects.create_user(f"p{n}-{person.pk}@example.org", "x")
        person.save(update_fields=["account"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=person_values, b=person_values, a_links=links, b_links=links, cross=st.booleans())
def test_person_merge_then_unmerge_restores_everything_exactly(
    network: Network,
    a: dict[str, Any],
    b: dict[str, Any],
    a_links: dict[str, Any],
    b_links: dict[str, Any],
    cross: bool,
) -> None:
    with transaction.atomic():
        family = make_family(network)
        alice = Membership.objects.get(user=network.alice)
        survivor = Person.objects.create(household=family.household, **a)
        merged = Person.objects.create(household=family.household, **b)
        _link(network, family, survivor, merged, a_links, 1)
        _link(
            network, family, merged, survivor, {**b_links, "account": b_links["account"] and not a_links["account"]}, 2
        )
        if cross:
            PersonRelation.objects.create(from_person=merged, to_person=survivor, kind="parent")
        before = canonical_dump()
        merge = person_merge(acting_user=network.alice, membership=alice, survivor=survivor, merged=merged)
        assert not Person.objects.filter(pk=merged.pk).exists()
        # Nothing points at the merged record any more, and the survivor holds every value it lacked.
        survivor.refresh_from_db()
        for name in ("preferred_name", "phone", "email", "school_or_child_care", "best_times"):
            assert getattr(survivor, name) == (a[name] or b[name])
        assert Consent.objects.filter(person=survivor).count() == a_links["consents"] + b_links["consents"]
        assert canonical_dump() != before
        restored = person_unmerge(acting_user=network.alice, membership=alice, merge=merge)
        assert restored.pk == merged.pk
        assert canonical_dump() == before
        assert PersonMerge.objects.get(pk=merge.pk).undone_at is not None
        transaction.set_rollback(True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=person_values, b=person_values, b_links=links, then_person=st.booleans())
def test_family_merge_then_unmerge_restores_both_families_exactly(
    network: Network, a: dict[str, Any], b: dict[str, Any], b_links: dict[str, Any], then_person: bool
) -> None:
    with transaction.atomic():
        first, second = make_family(network), make_family(network)
        second.household.street = "1200 Atlantic Blvd"
        second.household.save(update_fields=["street"])
        alice = Membership.objects.get(user=network.alice)
        Person.objects.create(household=first.household, **a)
        extra = Person.objects.create(household=second.household, **b)
        _link(network, second, extra, second.child, {**b_links, "account": False}, 3)
        before = canonical_dump()
        merge = household_merge(
            acting_user=network.alice, membership=alice, survivor=first.household, merged=second.household
        )
        assert not Household.objects.filter(pk=second.household.pk).exists()
        assert first.household.members.count() == 8
        assert Household.objects.get(pk=first.household.pk).street == "1200 Atlantic Blvd"
        if then_person:
            inner = person_merge(
                acting_user=network.alice, membership=alice, survivor=first.mother, merged=second.mother
            )
            with pytest.raises(MergeError):
                household_unmerge(acting_user=network.alice, membership=alice, merge=merge)
            person_unmerge(acting_user=network.alice, membership=alice, merge=inner)
        household_unmerge(acting_user=network.alice, membership=alice, merge=merge)
        assert canonical_dump() == before
        transaction.set_rollback(True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=person_values, b=person_values, a_links=links, b_links=links)
def test_a_family_merge_with_the_person_known_twice_is_one_merge_that_one_unmerge_restores(
    network: Network, a: dict[str, Any], b: dict[str, Any], a_links: dict[str, Any], b_links: dict[str, Any]
) -> None:
    with transaction.atomic():
        first, second = make_family(network), make_family(network)
        alice = Membership.objects.get(user=network.alice)
        one = Person.objects.create(household=first.household, **a)
        other = Person.objects.create(household=second.household, **b)
        _link(network, first, one, first.child, a_links, 4)
        _link(
            network,
            second,
            other,
            second.child,
            {**b_links, "account": b_links["account"] and not a_links["account"]},
            5,
        )
        before = canonical_dump()
        merge = household_merge(
            acting_user=network.alice,
            membership=alice,
            survivor=first.household,
            merged=second.household,
            people=(one, other),
        )
        assert not Person.objects.filter(pk=other.pk).exists() and not PersonMerge.objects.exists()
        assert first.household.members.count() == 3 + 3 + 1
        household_unmerge(acting_user=network.alice, membership=alice, merge=merge)
        assert canonical_dump() == before
        transaction.set_rollback(True)


def test_a_merge_is_audited_and_refused_to_someone_who_may_not_change_the_family(network: Network) -> None:
    family = make_family(network)
    twin = Person.objects.create(
        household=family.household,
        relationship="child",
        given_name="Sofia",
        family_name="Garcia",
        date_of_birth=date(2023, 1, 15),
        preferred_language="es",
        phone="626-555-0101",
    )
    with pytest.raises(MergeError):
        person_merge(
            acting_user=network.bob,
            membership=Membership.objects.get(user=network.bob),
            survivor=family.child,
            merged=twin,
        )
    assert Person.objects.filter(pk=twin.pk).exists()
    alice = Membership.objects.get(user=network.alice)
    merge = person_merge(acting_user=network.alice, membership=alice, survivor=family.child, merged=twin)
    entry = AuditEntry.objects.get(detail=f"person merge {merge.pk}")
    assert entry.actor_id == network.alice.pk and entry.household_id == family.household.pk
    with pytest.raises(MergeError):
        person_merge(acting_user=network.alice, membership=alice, survivor=family.child, merged=family.child)
    person_unmerge(acting_user=network.alice, membership=alice, merge=merge)
    with pytest.raises(MergeError, match="already undone"):
        person_unmerge(acting_user=network.alice, membership=alice, merge=merge)


def test_people_in_different_families_are_merged_only_after_their_families(network: Network) -> None:
    first, second = make_family(network), make_family(network)
    with pytest.raises(MergeError, match="different families"):
        person_merge(
            acting_user=network.alice,
            membership=Membership.objects.get(user=network.alice),
            survivor=first.mother,
            merged=second.mother,
        )
