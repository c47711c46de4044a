"""The real-time duplicate check against people saved through the ORM (keys kept by signals)."""

from datetime import date

import pytest

from ecwhub.families.models import Household, Person
from ecwhub.identity.models import PersonKey
from ecwhub.identity.realtime import Probe, find_candidates, forget_population
from tests.conftest import Network

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(network: Network) -> dict[str, Person]:
    forget_population()
    organization = network.frc
    household = Household.objects.create(
        registered_by=organization, preferred_language="es", street="123 North Main Street", postal_code="91801"
    )

    def person(given: str, family: str, second: str, born: date, relationship: str, **extra: str) -> Person:
        return Person.objects.create(
            household=household,
            relationship=relationship,
            given_name=given,
            family_name=family,
            second_family_name=second,
            date_of_birth=born,
            preferred_language="es",
            **extra,
        )

    people = {
        "mother": person(
            "María Guadalupe", "Hernández", "López", date(1992, 4, 3), "caregiver", sex="female", phone="626-555-0142"
        ),
        "child": person("José", "Hernández", "López", date(2021, 7, 15), "child", sex="male"),
        "sister": person("Sofía", "Hernández", "López", date(2019, 2, 1), "child", sex="female"),
    }
    # Someone else entirely, sharing a common surname sound and birth year with nobody above.
    other = Household.objects.create(registered_by=organization, preferred_language="en", postal_code="90012")
    Person.objects.create(
        household=other,
        relationship="caregiver",
        given_name="Ana",
        family_name="Martínez",
        date_of_birth=date(1985, 11, 22),
        preferred_language="en",
    )
    return people


def test_saving_a_person_writes_their_blocking_keys(family: dict[str, Person]) -> None:
    keys = set(PersonKey.objects.filter(person=family["mother"]).values_list("key", flat=True))
    assert any(key.startswith("ph:") for key in keys)
    assert not any("Hern" in key for key in keys), "keys hold sound codes, not names"


def test_it_finds_a_person_entered_with_typical_differences(family: dict[str, Person]) -> None:
    probe = Probe(
        given_name="Lupe",
        family_name="Hernandes",
        date_of_birth=date(1992, 3, 4),  # day and month swapped
        sex="female",
        phone="(323) 555-0142",
        street="123 N Main St",
        postal_code="91801",
        household_names=(("Jose", "Hernandez", date(2021, 7, 15)),),
    )
    candidates = find_candidates(probe)
    assert candidates, "the mother is found"
    best = candidates[0]
    assert best.person_id == family["mother"].pk
    assert best.household_id == family["mother"].household_id
    assert best.probability > 0.9
    texts = [str(reason) for reason in best.reasons]
    assert "day and month swapped" in texts
    assert any("Hernández" in text and "Hernandes" in text for text in texts)


def test_a_different_person_is_not_a_candidate(family: dict[str, Person]) -> None:
    probe = Probe(given_name="Roberto", family_name="Nakamura", date_of_birth=date(1970, 1, 9), postal_code="94110")
    assert find_candidates(probe) == []


def test_limit_and_threshold(family: dict[str, Person]) -> None:
    probe = Probe(
        given_name="Sofia", family_name="Hernandez Lopez", date_of_birth=date(2019, 2, 1), postal_code="91801"
    )
    found = find_candidates(probe, limit=1)
    assert len(found) == 1 and found[0].person_id == family["sister"].pk
    assert all(c.probability >= 0.99 for c in find_candidates(probe, min_probability=0.99))


def test_moving_house_refreshes_the_keys(family: dict[str, Person]) -> None:
    household = family["child"].household
    before = set(PersonKey.objects.filter(person=family["child"]).values_list("key", flat=True))
    household.postal_code = "91776"
    household.save()
    after = set(PersonKey.objects.filter(person=family["child"]).values_list("key", flat=True))
    assert before != after
    assert any(key.endswith(":91776") for key in after)


def test_deleting_a_person_deletes_their_keys(family: dict[str, Person]) -> None:
    person_id = family["sister"].pk
    family["sister"].delete()
    assert not PersonKey.objects.filter(person_id=person_id).exists()


def test_a_check_costs_a_fixed_number_of_queries(family: dict[str, Person], django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from ecwhub.identity.current import forget_current_model

    forget_current_model()
    probe = Probe(
        given_name="Sofia",
        family_name="Hernandez",
        date_of_birth=date(2019, 2, 1),
        postal_code="91801",
        household_names=(("Jose", "Hernandez", date(2021, 7, 15)),),
    )
    # Blocking keys, candidates with their households, the model in use, the population size.
    with django_assert_max_num_queries(4):
        assert find_candidates(probe)
    # The model and the population size are cached.
    with django_assert_max_num_queries(2):
        assert find_candidates(probe)


def test_a_mistyped_birth_date_elsewhere_still_shares_the_name_key() -> None:
    from ecwhub.identity.records import person_keys, person_record

    first = person_record(given_name="Yolanda", family_name="Antonio Martínez", date_of_birth=date(1997, 3, 14))
    again = person_record(given_name="Yolanda", family_name="Martinez", date_of_birth=date(1979, 11, 4))
    shared = person_keys(first) & person_keys(again)
    assert shared and all(key.startswith("gs:") for key in shared)


def test_a_specific_shared_key_ranks_before_many_broad_ones(
    family: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three strangers share two broad keys with the probe (each surname's sound + birth year); the
    mother shares only her phone. With room for two, she is still compared."""
    import ecwhub.identity.realtime as realtime

    household = Household.objects.create(registered_by=family["mother"].household.registered_by, postal_code="90001")
    for given in ("Rosa", "Carmen", "Elena"):
        Person.objects.create(
            household=household,
            relationship="caregiver",
            given_name=given,
            family_name="Gutiérrez",
            second_family_name="Morales",
            date_of_birth=date(1990, 8, 20),
            preferred_language="es",
        )
    monkeypatch.setattr(realtime, "MAX_COMPARED", 2)
    probe = Probe(
        given_name="Guadalupe",
        family_name="Gutierrez",
        second_family_name="Morales",
        date_of_birth=date(1990, 6, 9),
        phone="626-555-0142",
    )
    found = find_candidates(probe, min_probability=0.0)
    assert family["mother"].id in {candidate.person_id for candidate in found}
