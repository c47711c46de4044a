"""Known duplicates for measuring linkage: a family registered again, the way records really drift.

:func:`duplicate_household` takes a generated household (``ecwhub.demo.generator``) and returns
the same family as another agency would have typed it: names without accents, a compound surname
cut to the first or hyphenated or reordered, a nickname for the given name, another romanisation of
a Chinese surname, a typo, given and family names in each other's boxes, a date of birth with day
and month swapped or a digit wrong, a new phone number, a move. Used by the tests and benchmarks
(it writes nothing).
"""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

from ecwhub.core.text import strip_diacritics
from ecwhub.identity import compare as c

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Nicknames by formal name, for turning "Guadalupe" into "Lupe".
_NICKS: dict[str, list[str]] = {formal: list(nicks) for formal, nicks in c.NICKNAME_GROUPS.items()}
_ROMAN: dict[str, list[str]] = {}
for _group in c.SURNAME_GROUPS[:26]:  # the Chinese and Vietnamese romanisation groups
    for _spelling in _group:
        _ROMAN.setdefault(_spelling, [other for other in _group if other != _spelling])


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.3:
        return text[:i] + text[i + 1 :]  # a letter dropped
    if kind < 0.6:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # two letters swapped
    if kind < 0.85:
        return text[:i] + rng.choice(_LETTERS) + text[i + 1 :]  # a letter mistyped
    return text[:i] + text[i] + text[i:]  # a letter doubled


def _title(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split())


def _given(rng: random.Random, given: str) -> str:
    folded = c.fold(given).split()
    roll = rng.random()
    if roll < 0.15 and folded and folded[0] in _NICKS:
        return _title(rng.choice(_NICKS[folded[0]]))
    if roll < 0.25 and len(folded) > 1:
        return _title(rng.choice(folded))  # "María Guadalupe" → "Guadalupe"
    if roll < 0.55:
        return _typo(rng, given)
    return strip_diacritics(given)


def _family(rng: random.Random, family: str, second: str) -> tuple[str, str]:
    roll = rng.random()
    if second and roll < 0.3:
        return family, ""  # the second surname dropped
    if second and roll < 0.45:
        return f"{family}-{second}", ""
    if second and roll < 0.55:
        return second, family  # the two surnames in the other order
    folded = c.fold(family)
    if folded in _ROMAN and roll < 0.7:
        return _title(rng.choice(_ROMAN[folded])), second
    if folded.endswith("ian") and roll < 0.7:
        return family[:-3] + "yan", second
    if roll < 0.85:
        return _typo(rng, family), second
    return strip_diacritics(family), strip_diacritics(second)


def _birth(rng: random.Random, born: date) -> date:
    roll = rng.random()
    try:
        if roll < 0.35 and born.day <= 12 and born.day != born.month:
            return born.replace(month=born.day, day=born.month)
        if roll < 0.7:
            day = born.day + rng.choice((-1, 1)) if 1 < born.day < 28 else born.day
            return born.replace(day=day)
        if roll < 0.85:
            return born.replace(year=born.year + rng.choice((-1, 1)))
        return born.replace(month=born.month + 1 if born.month < 12 else 11)
    except ValueError:
        return born


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(('626', '323', '213', '818'))}-555-{rng.randint(1000, 9999)}"


def duplicate_person(rng: random.Random, person: dict[str, Any], *, errors: int | None = None) -> dict[str, Any]:
    """A copy of ``person`` (model field names) with one to three realistic differences."""
    copy = dict(person)
    copy["id"] = uuid.UUID(int=rng.getrandbits(128), version=4)
    count = errors if errors is not None else rng.choice((1, 1, 2, 2, 3))
    kinds = rng.sample(["given", "family", "family", "birth", "phone", "accents", "swap"], k=min(count, 7))
    for kind in kinds:
        if kind == "given":
            copy["given_name"] = _given(rng, copy["given_name"])
        elif kind == "family":
            copy["family_name"], copy["second_family_name"] = _family(
                rng, copy["family_name"], copy["second_family_name"]
            )
        elif kind == "birth":
            copy["date_of_birth"] = _birth(rng, copy["date_of_birth"])
        elif kind == "phone":
            copy["phone"] = "" if rng.random() < 0.5 else _phone(rng)
        elif kind == "accents":
            for name in ("given_name", "family_name", "second_family_name"):
                copy[name] = strip_diacritics(copy[name])
        elif kind == "swap" and rng.random() < 0.3:
            copy["given_name"], copy["family_name"] = copy["family_name"], copy["given_name"]
    copy["preferred_name"] = "" if rng.random() < 0.7 else copy.get("preferred_name", "")
    copy["email"] = "" if rng.random() < 0.5 else copy.get("email", "")
    return copy


def duplicate_household(
    rng: random.Random, values: dict[str, Any], members: list[dict[str, Any]], *, keep: float = 0.7
) -> tuple[dict[str, Any], list[tuple[Any, dict[str, Any]]]]:
    """The family registered again: (household values, [(original person id, duplicate person)]).

    Each member is re-entered with probability ``keep`` (at least one is); the address is kept,
    mistyped, or replaced by a move.
    """
    household = dict(values)
    roll = rng.random()
    street = household.get("street", "")
    if street and roll < 0.15:
        _number, _sep, rest = street.partition(" ")
        household["street"] = f"{rng.randint(100, 4999)} {rest}"  # moved on the same street, or nearby
    elif street and roll < 0.3:
        household["street"] = _typo(rng, street)
    elif street and roll < 0.4:
        household["street"] = street.replace("Street", "St").replace("Avenue", "Ave")
    chosen = [member for member in members if rng.random() < keep] or [rng.choice(members)]
    return household, [(member["id"], duplicate_person(rng, member)) for member in chosen]
