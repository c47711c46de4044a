"""Records prepared for comparison, and the comparison schemas built on :mod:`.compare`.

Two schemas share the same comparators:

- ``PERSON``: a hub person (names, date of birth, sex, phone, e-mail, the household's address and
  the other members of the household);
- ``FEBRL``: the column layout of the FEBRL benchmark files and of agency extracts shaped like them
  (given name, surname, street number and address lines, suburb, postcode, state, date of birth,
  an identifier such as a social security number).

Preparing a record once (folding, tokens, digits) keeps each pairwise comparison cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import compare as c


@dataclass(frozen=True)
class Schema:
    """The comparisons of one record layout, with their number of levels."""

    name: str
    comparisons: tuple[str, ...]
    level_counts: tuple[int, ...]
    compare: Callable[[Any, Any], list[c.Level]]
    keys: Callable[[Any], Iterable[str]]
    # Which comparisons two different members of one family usually agree on (surname, address,
    # phone); None when the layout has no families (the model then has two classes).
    family_fields: tuple[bool, ...] | None = None
    # EM training sessions, as Splink runs them: (name, blocking keys of a record, comparisons the
    # keys condition on and that the session therefore leaves out).
    sessions: tuple[tuple[str, Callable[[Any], Iterable[str]], tuple[str, ...]], ...] = ()


# --- Hub people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    ref: Any  # the person's id (or a row number in a file)
    household: Any
    given: tuple[str, ...]
    family: tuple[str, ...]
    given_shown: str
    family_shown: str
    born: str  # YYYYMMDD or ""
    sex: str
    phone: str
    email: str
    street: tuple[str, str]
    postal_code: str
    members: tuple[tuple[str, str, str], ...]  # other members: (given key, surname key, YYYYMMDD)


def member_summary(given: str, family: str, born: date | str | None) -> tuple[str, str, str]:
    given_tokens = c.name_tokens(given)
    family_tokens = c.name_tokens(family)
    return (
        c.given_key(given_tokens[0]) if given_tokens else "",
        c.surname_key(family_tokens[0]) if family_tokens else "",
        c.date_digits(born),
    )


def person_record(
    *,
    ref: Any = None,
    household: Any = None,
    given_name: str,
    family_name: str,
    second_family_name: str = "",
    preferred_name: str = "",
    date_of_birth: date | str | None = None,
    sex: str = "",
    phone: str = "",
    email: str = "",
    street: str = "",
    postal_code: str = "",
    members: Iterable[tuple[str, str, date | str | None]] = (),
) -> PersonRecord:
    given = c.name_tokens(given_name)
    if preferred_name:
        # A preferred name ("Lupe") is another given name the person answers to.
        given = given + tuple(t for t in c.name_tokens(preferred_name) if t not in given)
    return PersonRecord(
        ref=ref,
        household=household,
        given=given,
        family=c.name_tokens(family_name, second_family_name),
        given_shown=given_name.strip(),
        family_shown=" ".join(part.strip() for part in (family_name, second_family_name) if part.strip()),
        born=c.date_digits(date_of_birth),
        sex=sex if sex in ("female", "male") else "",
        phone=c.phone_digits(phone),
        email=(email or "").strip().lower(),
        street=c.street_parts(street),
        postal_code=c.fold(postal_code).replace(" ", "")[:5],
        members=tuple(member_summary(*member) for member in members),
    )


def compare_people(a: PersonRecord, b: PersonRecord) -> list[c.Level]:
    given, family = c.compare_names(
        a.given, a.family, b.given, b.family, (a.given_shown, b.given_shown), (a.family_shown, b.family_shown)
    )
    return [
        given,
        family,
        c.compare_dates(a.born, b.born),
        c.compare_sex(a.sex, b.sex),
        c.compare_phones(a.phone, b.phone),
        c.compare_identifiers(a.email, b.email, "email_same"),
        c.compare_addresses(a.street, b.street),
        c.compare_codes(a.postal_code, b.postal_code, "postcode_same"),
        c.compare_households(a.members, b.members),
    ]


def person_keys(record: PersonRecord) -> set[str]:
    """Blocking keys: two records are compared only if they share one of these.

    Each key survives a different kind of error, so a duplicate is missed only when all of them
    are broken at once: sound of each surname + birth year, sound of the given name (and its
    formal form) + full birth date, birth date + postcode, birth date with day and month swapped,
    each given name's formal form + each surname (sounds), the last seven digits of the
    phone, the e-mail address.
    """
    keys: set[str] = set()
    year = record.born[:4]
    born = record.born
    for token in record.family:
        code = c.phonetic(c.surname_key(token))
        if year:
            keys.add(f"sy:{code}:{year}")
        if born:
            keys.add(f"sm:{code}:{born[4:]}")
    for token in record.given:
        for variant in {token} | c.given_keys(token):
            if born:
                keys.add(f"gd:{c.phonetic(variant)}:{born}")
    # Given and family name in each other's box.
    for token in record.family:
        if born:
            keys.add(f"gd:{c.phonetic(c.given_key(token))}:{born}")
    # Given name and surname without the date: a re-entry whose birth date is mistyped and who
    # shares no phone or ZIP code with the first entry still shares this one.
    named = [token for token in record.given if token not in c.COMMON_GIVEN_WORDS] or list(record.given[:1])
    for given in named[:2]:
        for token in record.family:
            keys.add(f"gs:{c.phonetic(c.given_key(given))}:{c.phonetic(c.surname_key(token))}")
    if born and record.postal_code:
        keys.add(f"dz:{born}:{record.postal_code}")
        keys.add(f"dz:{born[:4]}{born[6:]}{born[4:6]}:{record.postal_code}")
    if record.phone:
        keys.add(f"ph:{record.phone[-7:]}")
    if record.email:
        keys.add(f"em:{record.email}")
    return keys


def _keys_starting(prefix: str) -> Callable[[PersonRecord], set[str]]:
    def keys(record: PersonRecord) -> set[str]:
        return {key for key in person_keys(record) if key.startswith(prefix)}

    return keys


def _address_keys(record: PersonRecord) -> set[str]:
    number, street = record.street
    return {f"ad:{record.postal_code}:{number}:{street}"} if number and street else set()


PERSON = Schema(
    name="person",
    comparisons=(
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "phone",
        "email",
        "address",
        "postal_code",
        "household",
    ),
    level_counts=(
        c.GIVEN_LEVELS,
        c.SURNAME_LEVELS,
        c.DATE_LEVELS,
        c.SEX_LEVELS,
        c.PHONE_LEVELS,
        c.IDENT_LEVELS,
        c.ADDRESS_LEVELS,
        c.CODE_LEVELS,
        c.HOUSEHOLD_LEVELS,
    ),
    compare=compare_people,
    keys=person_keys,
    family_fields=(False, True, False, False, True, False, True, True, True),
    sessions=(
        # Sessions whose pairs are mostly either the same person or unrelated (measured: about 6%,
        # 14% and a few % matches). Not "same name", "same given name and birth date" nor "same
        # surname and year": people with the same name live near each other and are of an age,
        # and such sessions learn "same name and area" as a match (their EM match share came out
        # at 56-73%, far above the true share).
        ("date of birth and ZIP code", _keys_starting("dz:"), ("date_of_birth", "postal_code")),
        ("same address", _address_keys, ("address", "postal_code")),
        ("same phone", _keys_starting("ph:"), ("phone",)),
    ),
)


# --- FEBRL-shaped files -------------------------------------------------------------------------


@dataclass(frozen=True)
class FebrlRecord:
    ref: str
    given: tuple[str, ...]
    family: tuple[str, ...]
    street: tuple[str, str]
    address_2: str
    suburb: str
    postcode: str
    state: str
    born: str
    ident: str


def febrl_record(row: Mapping[str, Any]) -> FebrlRecord:
    def text(name: str) -> str:
        value = row.get(name)
        return "" if value is None or value != value else c.fold(str(value))  # NaN != NaN

    return FebrlRecord(
        ref=str(row.get("rec_id", "")).strip(),
        given=c.name_tokens(text("given_name")),
        family=c.name_tokens(text("surname")),
        street=(text("street_number").replace(" ", ""), " ".join(c.street_parts(text("address_1"))).strip()),
        address_2=text("address_2"),
        suburb=text("suburb"),
        postcode=text("postcode").replace(" ", ""),
        state=text("state"),
        born=c.date_digits(text("date_of_birth").replace(" ", "")),
        ident=text("soc_sec_id").replace(" ", ""),
    )


def compare_febrl(a: FebrlRecord, b: FebrlRecord) -> list[c.Level]:
    given, family = c.compare_names(a.given, a.family, b.given, b.family)
    return [
        given,
        family,
        c.compare_dates(a.born, b.born),
        c.compare_identifiers(a.ident, b.ident, "ident_same"),
        c.compare_codes(a.street[0], b.street[0]),
        c.compare_text(a.street[1], b.street[1]),
        c.compare_text(a.address_2, b.address_2),
        c.compare_text(a.suburb, b.suburb),
        c.compare_codes(a.postcode, b.postcode, "postcode_same"),
        c.compare_codes(a.state, b.state),
    ]


def febrl_keys(record: FebrlRecord) -> set[str]:
    keys: set[str] = set()
    for token in record.given:
        keys.add(f"g:{c.phonetic(token)}")
    for token in record.family:
        keys.add(f"s:{c.phonetic(c.surname_key(token))}")
    if record.born:
        keys.add(f"d:{record.born}")
    if record.ident:
        keys.add(f"i:{record.ident}")
    if record.postcode and record.street[0]:
        keys.add(f"a:{record.postcode}:{record.street[0]}")
    return keys


FEBRL = Schema(
    name="febrl",
    comparisons=(
        "given_name",
        "surname",
        "date_of_birth",
        "soc_sec_id",
        "street_number",
        "address_1",
        "address_2",
        "suburb",
        "postcode",
        "state",
    ),
    level_counts=(
        c.GIVEN_LEVELS,
        c.SURNAME_LEVELS,
        c.DATE_LEVELS,
        c.IDENT_LEVELS,
        c.CODE_LEVELS,
        c.TEXT_LEVELS,
        c.TEXT_LEVELS,
        c.TEXT_LEVELS,
        c.CODE_LEVELS,
        c.CODE_LEVELS,
    ),
    compare=compare_febrl,
    keys=febrl_keys,
)
