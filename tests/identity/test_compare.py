"""Field comparisons: the ways intake records of one person really differ."""

from datetime import date

from ecwhub.identity import compare as c
from ecwhub.identity.records import compare_people, person_keys, person_record


def names(*parts: str) -> tuple[str, ...]:
    return c.name_tokens(*parts)


def test_folding_drops_accents_case_and_punctuation() -> None:
    assert c.fold("García-López") == "garcia lopez"
    assert c.fold("Nguyễn") == "nguyen"
    assert c.fold("Đặng") == "dang"
    assert c.fold("O'Brien") == "obrien"


def test_particles_are_dropped_from_surnames() -> None:
    assert names("de la Cruz") == ("cruz",)
    assert c.compare_surnames(names("de la Cruz"), names("Cruz")).level == 0


def test_spanish_compound_surnames_written_differently_agree() -> None:
    whole = names("García", "López")
    assert c.compare_surnames(whole, names("Garcia-Lopez")).level == 0
    assert c.compare_surnames(whole, names("López García")).reason == "surname_order"
    first_only = c.compare_surnames(whole, names("García"))
    assert (first_only.level, first_only.reason) == (1, "surname_part")
    assert c.compare_surnames(whole, names("Martínez", "Ruiz")).level == 5


def test_romanisations_of_one_surname_agree() -> None:
    assert c.compare_surnames(names("Chan"), names("Chen")).reason == "surname_romanised"
    assert c.compare_surnames(names("Wong"), names("Huang")).reason == "surname_romanised"
    assert c.compare_surnames(names("Petrosyan"), names("Petrosian")).level == 1
    assert c.compare_surnames(names("Nguyễn"), names("Nguyen")).level == 0


def test_sound_alike_surnames() -> None:
    outcome = c.compare_surnames(names("Hernández"), names("Hernandes"), ("Hernández", "Hernandes"))
    assert outcome.level == 2
    assert outcome.args == ("Hernández", "Hernandes")


def test_nicknames_match_their_formal_names() -> None:
    for nick, formal in [
        ("Pepe", "José"),
        ("Lupe", "Guadalupe"),
        ("Chuy", "Jesús"),
        ("Paco", "Francisco"),
        ("Bill", "William"),
    ]:
        outcome = c.compare_given(names(nick), names(formal))
        assert (outcome.level, outcome.reason) == (1, "given_nickname"), nick
    assert c.compare_given(names("Pepe"), names("Juan")).level == 5


def test_swapped_given_and_family_names_are_recognised() -> None:
    given, family = c.compare_names(names("Nguyen"), names("Minh"), names("Minh"), names("Nguyen"))
    assert given.reason == "names_swapped"
    assert given.level == 0 and family.level == 0


def test_date_typos() -> None:
    assert c.compare_dates("20200304", "20200304").level == 0
    assert c.compare_dates("20200304", "20200403").reason == "dob_swapped"
    assert c.compare_dates("20200304", "20200305").reason == "dob_typo"
    assert c.compare_dates("20200304", "20210304").level in (2, 3)
    assert c.compare_dates("19990304", "20090304").reason == "dob_year"
    assert c.compare_dates("20200304", "19851122").level == 5
    assert c.compare_dates("", "20200304").level == c.NULL


def test_phones_and_addresses() -> None:
    assert c.compare_phones(c.phone_digits("(626) 555-0101"), c.phone_digits("626.555.0101")).level == 0
    assert c.compare_phones(c.phone_digits("626-555-0101"), c.phone_digits("323-555-0101")).reason == "phone_last7"
    assert c.street_parts("123 N. Main Street") == ("123", "n main st")
    assert c.compare_addresses(c.street_parts("123 Main Street"), c.street_parts("123 main st")).level == 0


def test_person_comparison_and_keys() -> None:
    a = person_record(
        given_name="José",
        family_name="Hernández",
        second_family_name="Ruiz",
        date_of_birth=date(1990, 3, 4),
        postal_code="91801",
    )
    b = person_record(given_name="Pepe", family_name="Hernandez", date_of_birth=date(1990, 4, 3), postal_code="91801")
    levels = [outcome.level for outcome in compare_people(a, b)]
    assert levels[:3] == [1, 1, 1]
    assert person_keys(a) & person_keys(b), "a nickname and a swapped date still share a blocking key"


def test_a_shared_common_middle_name_is_not_a_match() -> None:
    assert c.compare_given(names("Thị Hoa"), names("Thị Mai")).level == 5
    assert c.compare_given(names("María Guadalupe"), names("Guadalupe")).level == 1
    assert c.compare_given(names("María Guadalupe"), names("María Elena")).level >= 4


def test_one_keystroke_in_a_short_surname_is_a_typo() -> None:
    assert c.compare_surnames(names("Lee"), names("Lye")).level == 3
