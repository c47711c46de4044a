"""The synthetic demo network: organizations, services, staff and families.

Everything is derived from one integer seed and one reference date, so the same
``(seed, families, today)`` always gives the same rows, down to the UUIDs and timestamps. The
family rows come from :func:`generate_households`, a pure generator that touches no database,
so benchmarks can stream hundreds of thousands of households from it; :func:`demo_seed` is the
one function that writes, inside a single transaction.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecwhub.accounts.models import STAFF_ROLES, Membership, Organization, Role, SecurityEvent, User
from ecwhub.accounts.services import hub_admin_group, membership_rules_check
from ecwhub.core.languages import Language
from ecwhub.core.text import strip_diacritics
from ecwhub.directory import models as dm
from ecwhub.directory.models import Service, ServiceLanguage, ServiceNeed
from ecwhub.directory.search.index import search_index_rebuild
from ecwhub.families.models import Household, InsuranceStatus, Person

from . import data
from .care import seed_care
from .careplans import seed_careplans
from .caseloads import seed_caseloads
from .clock import reference_time
from .duplicates import seed_duplicates
from .pathways import seed_pathways
from .referrals import seed_referrals
from .screening import seed_screening
from .sharing import seed_sharing

# Printed by seed_demo for anyone to use: demo accounts are not meant to be private.
DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105
TOTP_DEVICE_NAME = "Authenticator app"
DEFAULT_FAMILIES = 500
DEFAULT_SEED = 2026

T = TypeVar("T")
Relationship = Person.Relationship
Sex = Person.Sex


class DemoDatabaseNotEmpty(Exception):
    """The database already holds a network; seeding on top of it would mix demo and real data."""


# --- Deterministic randomness --------------------------------------------------------------------


def _rng(seed: int, *parts: object) -> random.Random:
    # String seeds are hashed with SHA-512 by ``random``, independent of PYTHONHASHSEED.
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _Weighted(Generic[T]):
    """A weighted choice prepared once, so drawing stays cheap for very large runs."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def demo_totp_key(*, seed: int, email: str) -> str:
    """The hex TOTP key of a demo user: fixed by seed and e-mail, so every demo install agrees."""
    # Demo secrets are meant to be reproducible, not secret; SHA-1 just spreads the bits.
    return hashlib.sha1(f"{seed}:{email}".encode(), usedforsecurity=False).hexdigest()


def totp_secret_base32(hex_key: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_key)).decode()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _birth_date(rng: random.Random, today: date, min_years: int, max_years: int) -> date:
    """A birth date giving an age in whole years between ``min_years`` and ``max_years`` on ``today``."""
    latest = _years_before(today, min_years)
    earliest = _years_before(today, max_years + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def age_in_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- Spelling ------------------------------------------------------------------------------------


def _email_local(*words: str) -> str:
    cleaned = [slugify(strip_diacritics(word)).replace("-", "") for word in words]
    return ".".join(word for word in cleaned if word)


@dataclass
class _Name:
    given_name: str
    family_name: str
    second_family_name: str = ""
    preferred_name: str = ""
    name_original_script: str = ""


# --- How each background names its members -------------------------------------------------------
# Roles a namer is asked about.
MOTHER, FATHER, CHILD, GRANDMOTHER, GRANDFATHER, AUNT, UNCLE = (
    "mother",
    "father",
    "child",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
)


# How records spell names: "de la Cruz" / "De la Cruz" / "De La Cruz"; both family names in their
# own fields, joined by a hyphen, or only the first; Cantonese given names spaced, hyphenated or joined.
_PARTICLE_STYLE = _Weighted([("lower", 6), ("title", 3), ("upper", 1)])
_CHILD_SURNAME_STYLE = _Weighted([("two", 60), ("hyphen", 20), ("one", 20)])
_ADULT_SURNAME_STYLE = _Weighted([("two", 70), ("one", 20), ("hyphen", 10)])
_CANTONESE_GIVEN_STYLE = _Weighted([("space", 65), ("hyphen", 25), ("joined", 10)])


class _HispanicNamer:
    """Two family names, father's first then mother's first, written in several ways in US records."""

    def __init__(
        self,
        rng: random.Random,
        *,
        adult_female: Sequence[str],
        adult_male: Sequence[str],
        surnames: Sequence[str],
        traditional_share: float = 0.0,
    ) -> None:
        self.adult_female = adult_female
        self.adult_male = adult_male
        self.surnames = surnames
        self.traditional_share = traditional_share
        self.mother = self._two_surnames(rng)
        self.father = self._two_surnames(rng)
        # Many intake systems cannot type accents or capitalise "de la" their own way.
        self.drop_accents = _chance(rng, 0.3)
        self.particles = _PARTICLE_STYLE.pick(rng)
        self.child_style = _CHILD_SURNAME_STYLE.pick(rng)
        self.child_takes_father = _chance(rng, 0.85)

    def _two_surnames(self, rng: random.Random) -> tuple[str, str]:
        first = rng.choice(self.surnames)
        second = rng.choice(self.surnames)
        while second == first:
            second = rng.choice(self.surnames)
        return first, second

    def _spell(self, surname: str) -> str:
        if self.particles == "title":
            surname = " ".join(
                word[0].upper() + word[1:] if word in {"de", "del"} else word for word in surname.split()
            )
        elif self.particles == "upper":
            surname = " ".join(word[0].upper() + word[1:] for word in surname.split())
        return strip_diacritics(surname) if self.drop_accents else surname

    def _compose(self, given: str, first: str, second: str, style: str) -> _Name:
        given_spelled = strip_diacritics(given) if self.drop_accents else given
        preferred = data.SPANISH_NICKNAMES.get(given, "")
        first, second = self._spell(first), self._spell(second)
        if style == "two":
            return _Name(given_spelled, first, second, preferred)
        if style == "hyphen":
            return _Name(given_spelled, f"{first}-{second}", "", preferred)
        return _Name(given_spelled, first, "", preferred)

    def name(self, rng: random.Random, role: str, sex: str) -> _Name:
        if role == CHILD:
            child_pool = data.SPANISH_CHILD_FEMALE if sex == Sex.FEMALE else data.SPANISH_CHILD_MALE
            first = self.father[0] if self.child_takes_father else self.mother[0]
            second = self.mother[0] if self.child_takes_father else self.mother[1]
            name = self._compose(rng.choice(child_pool), first, second, self.child_style)
            name.preferred_name = name.preferred_name if _chance(rng, 0.3) else ""
            return name
        if role in (MOTHER, AUNT):
            first, second = self.mother if role == MOTHER or _chance(rng, 0.6) else self.father
        elif role in (FATHER, UNCLE):
            first, second = self.father if role == FATHER or _chance(rng, 0.5) else self.mother
        elif role == GRANDMOTHER:
            first, second = self.mother[1], rng.choice(self.surnames)
        else:
            first, second = self.mother[0], rng.choice(self.surnames)
        pools: tuple[Sequence[str], Sequence[str]] = (
            (self.adult_female, data.SPANISH_FEMALE) if sex == Sex.FEMALE else (self.adult_male, data.SPANISH_MALE)
        )
        pool = pools[0] if _chance(rng, self.traditional_share or 1.0) else pools[1]
        style = _ADULT_SURNAME_STYLE.pick(rng)
        name = self._compose(rng.choice(pool), first, second, style)
        name.preferred_name = name.preferred_name if _chance(rng, 0.5) else ""
        return name


class _ChineseNamer:
    """Chinese names in Hanzi plus the romanization the family uses: pinyin or Cantonese."""

    def __init__(self, rng: random.Random, *, cantonese: bool, taishanese: bool) -> None:
        self.surnames = data.TAISHANESE_SURNAMES if taishanese else data.CHINESE_SURNAMES
        self.roman = 3 if cantonese else 2
        self.other_roman = 2 if cantonese else 3
        # Hong Kong and Taishan families write traditional characters; most mainland families simplified.
        self.script = 1 if _chance(rng, 0.8 if cantonese else 0.2) else 0
        self.father = rng.choice(self.surnames)
        self.mother = rng.choice(self.surnames)
        self.cantonese = cantonese
        self.taishanese = taishanese
        self.given_style = _CANTONESE_GIVEN_STYLE.pick(rng) if cantonese else ""

    def _given(self, rng: random.Random, sex: str) -> tuple[str, str]:
        wanted = "f" if sex == Sex.FEMALE else "m"
        while True:
            entry = rng.choice(data.CHINESE_GIVEN)
            if entry[4] in (wanted, "u"):
                break
        roman = entry[self.roman]
        if self.cantonese and " " in roman:
            if self.given_style == "hyphen":
                roman = roman.replace(" ", "-")
            elif self.given_style == "joined":
                roman = roman.replace(" ", "").capitalize()
        return entry[self.script], roman

    def name(self, rng: random.Random, role: str, sex: str) -> _Name:
        if role == CHILD:
            surname = self.father
        elif role in (MOTHER, GRANDMOTHER, AUNT):
            surname = self.mother if role != GRANDMOTHER else rng.choice(self.surnames)
        else:
            surname = self.father
        hanzi_given, roman_given = self._given(rng, sex)
        original = surname[self.script] + hanzi_given
        # Schools and clinics sometimes file the other romanization (Chen for a Chan family).
        family = surname[self.other_roman] if _chance(rng, 0.06) else surname[self.roman]
        if role == CHILD:
            if _chance(rng, 0.55):
                pool = data.ASIAN_AMERICAN_CHILD_FEMALE if sex == Sex.FEMALE else data.ASIAN_AMERICAN_CHILD_MALE
                return _Name(rng.choice(pool), family, name_original_script=original)
            return _Name(roman_given, family, name_original_script=original)
        preferred = ""
        if role in (MOTHER, FATHER, AUNT, UNCLE) and _chance(rng, 0.3):
            pool = data.CHINESE_ADULT_ENGLISH_FEMALE if sex == Sex.FEMALE else data.CHINESE_ADULT_ENGLISH_MALE
            preferred = rng.choice(pool)
        return _Name(roman_given, family, preferred_name=preferred, name_original_script=original)


_VIETNAMESE_SURNAMES = _Weighted(data.VIETNAMESE_SURNAMES)


class _VietnameseNamer:
    """Family name first in Vietnamese; US records put it last and often lose the diacritics."""

    def __init__(self, rng: random.Random) -> None:
        self.father = _VIETNAMESE_SURNAMES.pick(rng)
        self.mother = _VIETNAMESE_SURNAMES.pick(rng)
        self.keep_diacritics = _chance(rng, 0.45)

    def _spell(self, text: str) -> str:
        return text if self.keep_diacritics else strip_diacritics(text)

    def name(self, rng: random.Random, role: str, sex: str) -> _Name:
        if role in (MOTHER, AUNT):
            surname = self.mother
        elif role == GRANDMOTHER:
            surname = _VIETNAMESE_SURNAMES.pick(rng)
        else:
            surname = self.father
        if role == CHILD:
            if _chance(rng, 0.5):
                pool = data.ASIAN_AMERICAN_CHILD_FEMALE if sex == Sex.FEMALE else data.ASIAN_AMERICAN_CHILD_MALE
                return _Name(rng.choice(pool), self._spell(surname))
            pool = data.VIETNAMESE_CHILD_FEMALE if sex == Sex.FEMALE else data.VIETNAMESE_CHILD_MALE
        else:
            pool = data.VIETNAMESE_FEMALE if sex == Sex.FEMALE else data.VIETNAMESE_MALE
        given = rng.choice(pool)
        original = f"{surname} {given}" if role != CHILD or _chance(rng, 0.6) else ""
        return _Name(self._spell(given), self._spell(surname), name_original_script=original)


class _ArmenianNamer:
    def __init__(self, rng: random.Random) -> None:
        self.western = _chance(rng, 0.4)
        self.father = rng.choice(data.ARMENIAN_SURNAMES)
        self.mother = rng.choice(data.ARMENIAN_SURNAMES)
        self.wife_takes_name = _chance(rng, 0.8)
        self.born_abroad = _chance(rng, 0.65)

    def _latin(self, surname: str) -> str:
        return surname[:-3] + "ian" if self.western and surname.endswith("yan") else surname

    def name(self, rng: random.Random, role: str, sex: str) -> _Name:
        if (role == MOTHER and not self.wife_takes_name) or role in (AUNT, GRANDMOTHER):
            surname = self.mother
        else:
            surname = self.father
        if role == CHILD:
            pool = data.ARMENIAN_CHILD_FEMALE if sex == Sex.FEMALE else data.ARMENIAN_CHILD_MALE
            return _Name(rng.choice(pool), self._latin(surname[0]))
        given = rng.choice(data.ARMENIAN_FEMALE if sex == Sex.FEMALE else data.ARMENIAN_MALE)
        original = f"{given[1]} {surname[1]}" if self.born_abroad or role in (GRANDMOTHER, GRANDFATHER) else ""
        return _Name(given[0], self._latin(surname[0]), name_original_script=original)


class _WesternNamer:
    """Filipino and Anglo families: one family name, usually shared by the couple."""

    def __init__(
        self,
        rng: random.Random,
        *,
        female: Sequence[str],
        male: Sequence[str],
        child_female: Sequence[str],
        child_male: Sequence[str],
        surnames: Sequence[str],
        nicknames: Sequence[str] = (),
    ) -> None:
        self.female, self.male = female, male
        self.child_female, self.child_male = child_female, child_male
        self.surnames = surnames
        self.nicknames = nicknames
        self.father = rng.choice(surnames)
        self.mother_maiden = rng.choice(surnames)
        self.wife_takes_name = _chance(rng, 0.75)

    def name(self, rng: random.Random, role: str, sex: str) -> _Name:
        if role == CHILD:
            return _Name(rng.choice(self.child_female if sex == Sex.FEMALE else self.child_male), self.father)
        if role == MOTHER:
            surname = self.father if self.wife_takes_name else self.mother_maiden
        elif role in (GRANDMOTHER, AUNT):
            surname = self.mother_maiden if _chance(rng, 0.6) else rng.choice(self.surnames)
        else:
            surname = self.father
        preferred = rng.choice(self.nicknames) if self.nicknames and _chance(rng, 0.25) else ""
        return _Name(rng.choice(self.female if sex == Sex.FEMALE else self.male), surname, preferred_name=preferred)


Namer = _HispanicNamer | _ChineseNamer | _VietnameseNamer | _ArmenianNamer | _WesternNamer


@dataclass(frozen=True)
class _Culture:
    key: str
    zip_group: str  # which column of data.ZIP_WEIGHTS says where such families live
    home_language: str  # the language adults speak at home
    home_share: float  # adults who prefer it to English (or, for Indigenous languages, to Spanish)
    interpreter_share: float  # of those, the ones who need an interpreter
    undocumented_share: float  # households with an adult without status
    moderate_income_share: float
    email_share: float  # primary caregivers who give an e-mail address
    grandparent_share: float  # households with a grandparent living in
    dialects: tuple[tuple[str, int], ...] = ()
    # Children of Indigenous-language families are usually schooled in Spanish and English.
    child_language: str = ""

    def namer(self, rng: random.Random) -> Namer:
        if self.key in ("latino", "mixtec", "zapotec", "kiche"):
            female, male, surnames, share = {
                "latino": (data.SPANISH_FEMALE, data.SPANISH_MALE, data.SPANISH_SURNAMES, 0.0),
                "mixtec": (data.MIXTEC_FEMALE, data.MIXTEC_MALE, data.MIXTEC_SURNAMES, 0.6),
                "zapotec": (data.MIXTEC_FEMALE, data.MIXTEC_MALE, data.ZAPOTEC_SURNAMES, 0.4),
                "kiche": (data.KICHE_FEMALE, data.KICHE_MALE, data.KICHE_SURNAMES, 0.8),
            }[self.key]
            return _HispanicNamer(rng, adult_female=female, adult_male=male, surnames=surnames, traditional_share=share)
        if self.key == "cantonese":
            return _ChineseNamer(rng, cantonese=True, taishanese=_chance(rng, 0.22))
        if self.key == "mandarin":
            return _ChineseNamer(rng, cantonese=False, taishanese=False)
        if self.key == "vietnamese":
            return _VietnameseNamer(rng)
        if self.key == "armenian":
            return _ArmenianNamer(rng)
        if self.key == "filipino":
            return _WesternNamer(
                rng,
                female=data.FILIPINO_FEMALE,
                male=data.FILIPINO_MALE,
                child_female=data.FILIPINO_CHILD_FEMALE,
                child_male=data.FILIPINO_CHILD_MALE,
                surnames=data.FILIPINO_SURNAMES,
                nicknames=data.FILIPINO_NICKNAMES,
            )
        return _WesternNamer(
            rng,
            female=data.ANGLO_FEMALE,
            male=data.ANGLO_MALE,
            child_female=data.ANGLO_CHILD_FEMALE,
            child_male=data.ANGLO_CHILD_MALE,
            surnames=data.ANGLO_SURNAMES,
        )


L = Language
# Shares are rough figures for the families a San Gabriel Valley network serves, not census data.
CULTURES: dict[str, _Culture] = {
    culture.key: culture
    for culture in (
        _Culture(
            key="latino",
            zip_group="latino",
            home_language=L.SPANISH,
            home_share=0.78,
            interpreter_share=0.45,
            undocumented_share=0.25,
            moderate_income_share=0.15,
            email_share=0.35,
            grandparent_share=0.15,
        ),
        _Culture(
            key="mixtec",
            zip_group="latino",
            home_language=L.MIXTEC,
            home_share=0.6,
            interpreter_share=0.9,
            undocumented_share=0.5,
            moderate_income_share=0.05,
            email_share=0.15,
            grandparent_share=0.18,
            dialects=data.MIXTEC_DIALECTS,
            child_language=L.SPANISH,
        ),
        _Culture(
            key="zapotec",
            zip_group="latino",
            home_language=L.ZAPOTEC,
            home_share=0.55,
            interpreter_share=0.85,
            undocumented_share=0.45,
            moderate_income_share=0.05,
            email_share=0.15,
            grandparent_share=0.18,
            dialects=data.ZAPOTEC_DIALECTS,
            child_language=L.SPANISH,
        ),
        _Culture(
            key="kiche",
            zip_group="latino",
            home_language=L.KICHE,
            home_share=0.6,
            interpreter_share=0.9,
            undocumented_share=0.6,
            moderate_income_share=0.03,
            email_share=0.12,
            grandparent_share=0.1,
            dialects=data.KICHE_DIALECTS,
            child_language=L.SPANISH,
        ),
        _Culture(
            key="cantonese",
            zip_group="asian",
            home_language=L.CANTONESE,
            home_share=0.72,
            interpreter_share=0.65,
            undocumented_share=0.08,
            moderate_income_share=0.25,
            email_share=0.4,
            grandparent_share=0.3,
        ),
        _Culture(
            key="mandarin",
            zip_group="asian",
            home_language=L.MANDARIN,
            home_share=0.75,
            interpreter_share=0.6,
            undocumented_share=0.1,
            moderate_income_share=0.3,
            email_share=0.4,
            grandparent_share=0.3,
        ),
        _Culture(
            key="vietnamese",
            zip_group="asian",
            home_language=L.VIETNAMESE,
            home_share=0.75,
            interpreter_share=0.6,
            undocumented_share=0.03,
            moderate_income_share=0.2,
            email_share=0.4,
            grandparent_share=0.25,
        ),
        _Culture(
            key="armenian",
            zip_group="other",
            home_language=L.ARMENIAN,
            home_share=0.6,
            interpreter_share=0.5,
            undocumented_share=0.05,
            moderate_income_share=0.3,
            email_share=0.5,
            grandparent_share=0.2,
            dialects=(("Eastern Armenian", 60), ("Western Armenian", 40)),
        ),
        _Culture(
            key="filipino",
            zip_group="other",
            home_language=L.TAGALOG,
            home_share=0.25,
            interpreter_share=0.25,
            undocumented_share=0.08,
            moderate_income_share=0.35,
            email_share=0.6,
            grandparent_share=0.2,
        ),
        _Culture(
            key="anglo",
            zip_group="other",
            home_language=L.ENGLISH,
            home_share=1.0,
            interpreter_share=0.0,
            undocumented_share=0.0,
            moderate_income_share=0.45,
            email_share=0.8,
            grandparent_share=0.05,
        ),
    )
}
_DIALECT_PICK = {key: _Weighted(culture.dialects) for key, culture in CULTURES.items() if culture.dialects}
_CULTURE_PICK = _Weighted([(CULTURES[key], weight) for key, weight in data.CULTURE_WEIGHTS])
_ZIP_PICK = {
    group: _Weighted(list(zip(data.PLACES, weights, strict=True))) for group, weights in data.ZIP_WEIGHTS.items()
}
_PLAN_PICK = _Weighted(data.MEDI_CAL_PLAN_WEIGHTS)
_CHILD_COUNT = _Weighted([(1, 45), (2, 38), (3, 17)])
_UNIT_PICK = _Weighted([("Apt {n}", 5), ("Unit {n}", 3), ("#{letter}", 2), ("Apt {n}{letter}", 2)])
MEDI_CAL, PRIVATE, UNDERINSURED, UNINSURED, UNKNOWN = (
    InsuranceStatus.MEDI_CAL.value,
    InsuranceStatus.PRIVATE.value,
    InsuranceStatus.UNDERINSURED.value,
    InsuranceStatus.UNINSURED.value,
    InsuranceStatus.UNKNOWN.value,
)
# Children in California qualify for Medi-Cal whatever their status, so few are uninsured.
_CHILD_INSURANCE = {
    "low": _Weighted([(MEDI_CAL, 88), (PRIVATE, 4), (UNINSURED, 3), (UNDERINSURED, 2), (UNKNOWN, 3)]),
    "moderate": _Weighted([(PRIVATE, 72), (MEDI_CAL, 18), (UNDERINSURED, 6), (UNINSURED, 2), (UNKNOWN, 2)]),
}
_ADULT_INSURANCE = {
    "low": _Weighted([(MEDI_CAL, 62), (PRIVATE, 12), (UNDERINSURED, 8), (UNINSURED, 12), (UNKNOWN, 6)]),
    # Full-scope Medi-Cal opened to adults regardless of status in 2024, but many never enrolled.
    "undocumented": _Weighted([(MEDI_CAL, 35), (UNINSURED, 45), (UNDERINSURED, 5), (UNKNOWN, 15)]),
    "moderate": _Weighted([(PRIVATE, 75), (MEDI_CAL, 8), (UNDERINSURED, 10), (UNINSURED, 5), (UNKNOWN, 2)]),
    "elder": _Weighted([(MEDI_CAL, 55), (UNINSURED, 20), (UNKNOWN, 25)]),
}
_CIN_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


@dataclass(frozen=True)
class HouseholdRow:
    """One generated household: ``values`` and each of ``members`` are the model's own field names."""

    id: uuid.UUID
    registrar: str  # slug of the organization that registered the family
    values: dict[str, Any]
    members: tuple[dict[str, Any], ...]


@dataclass
class _Context:
    rng: random.Random
    today: date
    culture: _Culture
    namer: Namer
    place: data.Place
    income: str
    undocumented: bool
    plan: str
    registered_at: datetime
    members: list[dict[str, Any]] = field(default_factory=list)


def _language(ctx: _Context, generation: str) -> tuple[str, str, bool]:
    """(language, dialect, needs an interpreter) for one person."""
    rng, culture = ctx.rng, ctx.culture
    if generation == "elder":
        share, interpreter = 0.97, min(1.0, culture.interpreter_share + 0.3)
    else:
        share, interpreter = culture.home_share, culture.interpreter_share
    if culture.home_language == L.ENGLISH or not _chance(rng, share):
        if culture.key in ("latino", "anglo") and generation == "adult" and _chance(rng, 0.008):
            return L.ASL, "", True
        if culture.home_language != L.ENGLISH and culture.key in ("mixtec", "zapotec", "kiche"):
            # Bilingual in Spanish: Spanish is the language the family chooses for services.
            return L.SPANISH, "", _chance(rng, 0.5)
        return L.ENGLISH, "", False
    dialect = _DIALECT_PICK[culture.key].pick(rng) if culture.dialects else ""
    if isinstance(ctx.namer, _ChineseNamer) and ctx.namer.taishanese:
        dialect = "Taishanese" if generation == "elder" or _chance(rng, 0.6) else ""
    return culture.home_language, dialect, _chance(rng, interpreter)


def _child_language(ctx: _Context, household_language: tuple[str, str], age_years: int, youth: bool) -> tuple[str, str]:
    rng, culture = ctx.rng, ctx.culture
    if household_language[0] == L.ENGLISH:
        return L.ENGLISH, ""
    school_age = youth or age_years >= 5
    if school_age and _chance(rng, 0.75 if youth else 0.5):
        return L.ENGLISH, ""
    if culture.child_language:
        return culture.child_language, ""
    if household_language[0] == L.ASL:
        return L.ENGLISH, ""
    return household_language


def _phone(ctx: _Context) -> str:
    rng = ctx.rng
    area = ctx.place.area_code if _chance(rng, 0.8) else ("323" if ctx.place.area_code == "626" else "626")
    number = rng.randint(100, 9999)
    if number == 1212:  # 555-1212 is directory assistance
        number = 1213
    return f"{area}-555-{number:04d}"


def _email(ctx: _Context, name: _Name, born: date) -> str:
    rng = ctx.rng
    local = _email_local(name.preferred_name or name.given_name.split(" ")[0], name.family_name)
    if _chance(rng, 0.6):
        local += str(born.year % 100 if _chance(rng, 0.5) else rng.randint(1, 99))
    return f"{local}@{rng.choice(data.EMAIL_DOMAINS)}"


def _cin(rng: random.Random) -> str:
    # A Medi-Cal client index number: 9, seven digits, a check letter.
    return f"9{rng.randint(0, 9_999_999):07d}{rng.choice(_CIN_LETTERS)}"


def _insurance(ctx: _Context, kind: str) -> tuple[str, str, str]:
    """(insurance_status, medi_cal_plan, medi_cal_id)."""
    rng = ctx.rng
    if kind == "child":
        status = _CHILD_INSURANCE[ctx.income].pick(rng)
    elif kind == "pregnant":
        # Pregnancy opens Medi-Cal regardless of status, and most low-income pregnant people enrol.
        status = (
            MEDI_CAL
            if ctx.income == "low" and _chance(rng, 0.85)
            else _ADULT_INSURANCE["moderate" if ctx.income == "moderate" else "low"].pick(rng)
        )
    elif kind == "elder":
        status = _ADULT_INSURANCE["elder"].pick(rng)
    elif ctx.undocumented:
        status = _ADULT_INSURANCE["undocumented"].pick(rng)
    else:
        status = _ADULT_INSURANCE[ctx.income].pick(rng)
    if status != MEDI_CAL:
        return status, "", ""
    plan = ctx.plan if _chance(rng, 0.9) else _PLAN_PICK.pick(rng)
    return status, plan, _cin(rng) if _chance(rng, 0.85) else ""


def _person(
    ctx: _Context,
    *,
    relationship: str,
    role: str,
    sex: str,
    born: date,
    language: tuple[str, str, bool],
    insurance: str,
    estimated: bool = False,
    pregnant: bool = False,
    phone_share: float = 0.0,
    email_share: float = 0.0,
) -> dict[str, Any]:
    rng = ctx.rng
    name = ctx.namer.name(rng, role, sex)
    if estimated:
        # Families who do not know an exact birthday give an age; intake records 1 January of that year.
        born = date(ctx.today.year - age_in_years(born, ctx.today), 1, 1)
    status, plan, cin = _insurance(ctx, insurance)
    born_at = reference_time(born)
    created_at = ctx.registered_at if born_at <= ctx.registered_at else born_at + timedelta(days=rng.randint(3, 30))
    created_at = min(created_at, reference_time(ctx.today))
    return {
        "id": _uuid(rng),
        "relationship": relationship,
        "given_name": name.given_name,
        "family_name": name.family_name,
        "second_family_name": name.second_family_name,
        "preferred_name": name.preferred_name,
        "name_original_script": name.name_original_script,
        "date_of_birth": born,
        "date_of_birth_estimated": estimated,
        "sex": sex,
        "is_pregnant": pregnant,
        "preferred_language": language[0],
        "dialect": language[1],
        "interpreter_needed": language[2],
        "phone": _phone(ctx) if _chance(rng, phone_share) else "",
        "email": _email(ctx, name, born) if _chance(rng, email_share) else "",
        "insurance_status": status,
        "medi_cal_plan": plan,
        "medi_cal_id": cin,
        "created_at": created_at,
    }


def _opposite(sex: str) -> str:
    return Sex.MALE if sex == Sex.FEMALE else Sex.FEMALE


def generate_household(*, seed: int, index: int, today: date) -> HouseholdRow:
    """Household number ``index`` of the network for ``seed``, independent of how many are generated."""
    rng = _rng(seed, "household", index)
    culture = _CULTURE_PICK.pick(rng)
    household_id = _uuid(rng)
    registrar = _REGISTRARS.pick(rng)
    place = _ZIP_PICK[culture.zip_group].pick(rng)

    children_born = sorted(
        (_birth_date(rng, today, 0, 8) for _ in range(_CHILD_COUNT.pick(rng))),
        reverse=True,
    )
    if len(children_born) >= 2 and _chance(rng, 0.03):
        children_born[-1] = children_born[-2]  # twins
    sibling_born = _birth_date(rng, today, 9, 14) if _chance(rng, 0.15) else None
    oldest_born = min([*children_born, *([sibling_born] if sibling_born else [])])
    oldest_years = age_in_years(oldest_born, today)
    youngest_months = (today - children_born[-1]).days // 30

    days_known = rng.randint(0, min(1095, (today - oldest_born).days))
    # Office hours, Pacific time.
    registered_at = reference_time(today) - timedelta(days=days_known, seconds=rng.randint(0, 7 * 3600))
    undocumented = _chance(rng, culture.undocumented_share)
    ctx = _Context(
        rng=rng,
        today=today,
        culture=culture,
        namer=culture.namer(rng),
        place=place,
        income="moderate" if _chance(rng, culture.moderate_income_share) else "low",
        undocumented=undocumented,
        plan=_PLAN_PICK.pick(rng),
        registered_at=registered_at,
    )
    members = ctx.members

    guardian_household = _chance(rng, 0.04)
    primary_sex = Sex.FEMALE if _chance(rng, 0.88) else Sex.MALE
    # A caregiver was at least 17 at the oldest child's birth and is 18 to 50 now.
    low_age = max(18, oldest_years + 17)
    high_age = min(50, oldest_years + 40)
    pregnant = primary_sex == Sex.FEMALE and not guardian_household and youngest_months >= 9 and _chance(rng, 0.09)
    if pregnant:
        high_age = min(high_age, 44)
    primary_age = round(rng.triangular(low_age, high_age, low_age + (high_age - low_age) * 0.35))
    immigrant_estimate = undocumented and _chance(rng, 0.05)

    if guardian_household:
        as_grandparent = _chance(rng, 0.5)
        guardian_age = rng.randint(max(45, oldest_years + 37), 68) if as_grandparent else rng.randint(24, 50)
        role = (
            (GRANDMOTHER if primary_sex == Sex.FEMALE else GRANDFATHER)
            if as_grandparent
            else (AUNT if primary_sex == Sex.FEMALE else UNCLE)
        )
        home = _language(ctx, "elder" if as_grandparent else "adult")
        members.append(
            _person(
                ctx,
                relationship=Relationship.LEGAL_GUARDIAN,
                role=role,
                sex=primary_sex,
                born=_birth_date(rng, today, guardian_age, guardian_age),
                language=home,
                insurance="elder" if guardian_age >= 65 else "adult",
                phone_share=0.92,
                email_share=culture.email_share * 0.6,
            )
        )
        primary_age = guardian_age
    else:
        home = _language(ctx, "adult")
        members.append(
            _person(
                ctx,
                relationship=Relationship.CAREGIVER,
                role=MOTHER if primary_sex == Sex.FEMALE else FATHER,
                sex=primary_sex,
                born=_birth_date(rng, today, primary_age, primary_age),
                language=home,
                insurance="pregnant" if pregnant else "adult",
                estimated=immigrant_estimate,
                pregnant=pregnant,
                phone_share=0.93,
                email_share=culture.email_share,
            )
        )
        if _chance(rng, 0.65):
            partner_sex = _opposite(primary_sex) if _chance(rng, 0.96) else primary_sex
            partner_age = min(50, max(low_age, primary_age + rng.randint(-3, 9)))
            if partner_sex == primary_sex:
                partner_role = AUNT if partner_sex == Sex.FEMALE else UNCLE
            else:
                partner_role = FATHER if partner_sex == Sex.MALE else MOTHER
            members.append(
                _person(
                    ctx,
                    relationship=Relationship.CAREGIVER,
                    role=partner_role,
                    sex=partner_sex,
                    born=_birth_date(rng, today, partner_age, partner_age),
                    language=home if _chance(rng, 0.7) else _language(ctx, "adult"),
                    insurance="adult",
                    estimated=immigrant_estimate and _chance(rng, 0.5),
                    phone_share=0.55,
                    email_share=culture.email_share * 0.5,
                )
            )

    household_language = home[:2]
    for born in children_born:
        age = age_in_years(born, today)
        language = _child_language(ctx, household_language, age, youth=False)
        members.append(
            _person(
                ctx,
                relationship=Relationship.CHILD,
                role=CHILD,
                sex=Sex.FEMALE if _chance(rng, 0.49) else Sex.MALE,
                born=born,
                language=(*language, False),
                insurance="child",
            )
        )
    if sibling_born is not None:
        language = _child_language(ctx, household_language, age_in_years(sibling_born, today), youth=True)
        members.append(
            _person(
                ctx,
                relationship=Relationship.SIBLING,
                role=CHILD,
                sex=Sex.FEMALE if _chance(rng, 0.49) else Sex.MALE,
                born=sibling_born,
                language=(*language, False),
                insurance="child",
            )
        )
    if not guardian_household and _chance(rng, culture.grandparent_share):
        grandparent_sex = Sex.FEMALE if _chance(rng, 0.7) else Sex.MALE
        grandparent_age = min(85, max(45, primary_age + rng.randint(19, 32)))
        members.append(
            _person(
                ctx,
                relationship=Relationship.GRANDPARENT,
                role=GRANDMOTHER if grandparent_sex == Sex.FEMALE else GRANDFATHER,
                sex=grandparent_sex,
                born=_birth_date(rng, today, grandparent_age, grandparent_age),
                language=_language(ctx, "elder"),
                insurance="elder" if grandparent_age >= 60 else "adult",
                estimated=culture.home_language != L.ENGLISH and _chance(rng, 0.15),
                phone_share=0.25,
            )
        )

    # About 2% of families are without a fixed address (shelter, car, doubled up).
    unhoused = ctx.income == "low" and _chance(rng, 0.02)
    unit = ""
    if not unhoused and _chance(rng, 0.4):
        unit = _UNIT_PICK.pick(rng).format(n=rng.randint(1, 48), letter=rng.choice("ABCDEF"))
    street = "" if unhoused else f"{rng.randint(100, 4999)} {rng.choice(place.streets)}"
    updated_at = registered_at + timedelta(days=rng.randint(0, days_known), seconds=rng.randint(0, 3600))
    values = {
        "preferred_language": household_language[0],
        "dialect": household_language[1],
        "interpreter_needed": home[2],
        "street": street,
        "unit": unit,
        "city": place.city,
        "state": "CA",
        "postal_code": place.postal_code,
        "created_at": registered_at,
        "updated_at": min(updated_at, reference_time(today)),
    }
    return HouseholdRow(id=household_id, registrar=registrar, values=values, members=tuple(members))


_REGISTRARS = _Weighted(data.REGISTRAR_WEIGHTS)


def generate_households(*, seed: int, count: int, today: date, start: int = 0) -> Iterator[HouseholdRow]:
    """Households ``start`` to ``start + count - 1`` for ``seed``, as plain rows (no database access).

    Each household draws from its own random stream, so any slice can be produced on its own
    (in parallel, or resumed) and the first N households are the same whatever the total.
    """
    for index in range(start, start + count):
        yield generate_household(seed=seed, index=index, today=today)


# --- Writing the network ---------------------------------------------------------------------------


@dataclass
class SeedSummary:
    organizations: int = 0
    services: int = 0
    staff_users: int = 0
    family_users: int = 0
    memberships: int = 0
    totp_devices: int = 0
    households: int = 0
    sharing: dict[str, int] = field(default_factory=dict)
    referrals: dict[str, int] = field(default_factory=dict)
    caseloads: dict[str, int] = field(default_factory=dict)
    people: int = 0
    children: int = 0


def database_holds_data() -> bool:
    return (
        Organization.objects.exists()
        or Household.objects.exists()
        or User.objects.filter(email__iendswith=f"@{data.DEMO_EMAIL_DOMAIN}").exists()
    )


def _create_organizations(today: date) -> dict[str, Organization]:
    start = reference_time(today) - timedelta(days=730)
    rows = [
        Organization(
            name=spec.name,
            slug=spec.slug,
            kind=spec.kind,
            description=spec.description,
            email=spec.email,
            phone=spec.phone,
            website=spec.website,
            street=spec.street,
            city=spec.city,
            state="CA",
            postal_code=spec.postal_code,
            created_at=start + timedelta(days=position * 3),
        )
        for position, spec in enumerate(data.ORGANIZATIONS)
    ]
    Organization.objects.bulk_create(rows)
    # Read back so the primary keys are set on every database backend.
    return {org.slug: org for org in Organization.objects.all()}


def _create_services(seed: int, organizations: dict[str, Organization], today: date) -> int:
    rng = _rng(seed, "services")
    created = reference_time(today) - timedelta(days=700)
    services: list[Service] = []
    needs: list[ServiceNeed] = []
    languages: list[ServiceLanguage] = []
    for spec in data.ORGANIZATIONS:
        org = organizations[spec.slug]
        for number, item in enumerate(spec.services, start=1):
            service = Service(
                id=_uuid(rng),
                organization=org,
                name=item.name,
                description=item.description,
                email=spec.email,
                phone=spec.phone,
                url=f"{spec.website}/services/{slugify(item.name)}",
                eligibility=item.eligibility,
                min_age_months=item.min_age_months,
                max_age_months=item.max_age_months,
                is_free=item.is_free,
                accepting_referrals=item.accepting_referrals,
                typical_wait_days=item.typical_wait_days,
                created_at=created + timedelta(days=number),
            )
            services.append(service)
            needs.extend(ServiceNeed(service=service, need=need) for need in dict.fromkeys(item.needs))
            languages.extend(
                ServiceLanguage(service=service, language=language, dialect=dialect)
                for language, dialect in dict.fromkeys(item.languages)
            )
    directory_rows = _directory_listings(seed, organizations, services, languages, today)
    Service.objects.bulk_create(services)
    ServiceNeed.objects.bulk_create(needs)
    ServiceLanguage.objects.bulk_create(languages)
    for rows in directory_rows:
        if rows:
            type(rows[0]).objects.bulk_create(rows)
    return len(services)


def _directory_listings(
    seed: int,
    organizations: dict[str, Organization],
    services: list[Service],
    languages: list[ServiceLanguage],
    today: date,
) -> list[list[Any]]:
    """The HSDS side of the demo directory: organizations, locations, hours, phones, languages, fees, capacity.

    Fills the services' HSDS and capacity fields in place (they are bulk-created afterwards) and writes
    the organizations and locations; returns the rows that point at services, to write after them.
    Draws from its own random stream, so service ids do not depend on it.
    """
    rng = _rng(seed, "directory")
    now = reference_time(today)
    with translation.override("en"):  # HSDS language names are stored in English, whatever the seeding locale
        labels = {code: str(label) for code, label in Language.choices}
    listings = {
        slug: dm.DirectoryOrganization(
            id=_uuid(rng),
            member=org,
            name=org.name,
            description=org.description,
            email=org.email,
            website=org.website,
        )
        for slug, org in organizations.items()
        if any(spec.slug == slug and spec.services for spec in data.ORGANIZATIONS)
    }
    dm.DirectoryOrganization.objects.bulk_create(listings.values())

    def place(slug: str, name: str, street: str, city: str, postal_code: str, transportation: str = "") -> dm.Location:
        lat, long = data.ZIP_CENTROIDS.get(postal_code, data.ZIP_CENTROIDS["91801"])
        # Spread sites around the ZIP centroid (about ±600 m) so they do not sit on one point.
        location = dm.Location(
            id=_uuid(rng),
            organization=listings[slug],
            name=name,
            transportation=transportation,
            latitude=Decimal(lat) + Decimal(rng.randint(-55, 55)) / 10000,
            longitude=Decimal(long) + Decimal(rng.randint(-65, 65)) / 10000,
        )
        addresses.append(
            dm.Address(
                id=_uuid(rng),
                location=location,
                address_1=street.split(", ")[0],
                address_2=", ".join(street.split(", ")[1:]),
                city=city,
                state_province="CA",
                postal_code=postal_code,
                country="US",
                address_type="physical",
            )
        )
        accessibility.append(
            dm.Accessibility(id=_uuid(rng), location=location, description="Step-free entrance; accessible restroom.")
        )
        return location

    locations: list[dm.Location] = []
    addresses: list[dm.Address] = []
    accessibility: list[dm.Accessibility] = []
    main_site: dict[str, dm.Location] = {}
    for spec in data.ORGANIZATIONS:
        if spec.slug in listings:
            main_site[spec.slug] = place(spec.slug, spec.name, spec.street, spec.city, spec.postal_code)
            locations.append(main_site[spec.slug])
    extra_sites: list[tuple[data.SiteSpec, dm.Location]] = []
    for site in data.SITES:
        location = place(site.organization, site.name, site.street, site.city, site.postal_code, site.transportation)
        locations.append(location)
        extra_sites.append((site, location))
    dm.Location.objects.bulk_create(locations)
    dm.Address.objects.bulk_create(addresses)
    dm.Accessibility.objects.bulk_create(accessibility)

    by_service = {}
    for spec in data.ORGANIZATIONS:
        for item in spec.services:
            by_service[(spec.slug, item.name)] = (spec, item)
    kinds = {slug: org.kind for slug, org in organizations.items()}
    slug_of = {org.pk: slug for slug, org in organizations.items()}
    at_locations: list[dm.ServiceAtLocation] = []
    schedules: list[dm.Schedule] = []
    phones: list[dm.Phone] = []
    hsds_languages: list[dm.DirectoryLanguage] = []
    costs: list[dm.CostOption] = []
    languages_of: dict[uuid.UUID, list[ServiceLanguage]] = {}
    for row in languages:
        languages_of.setdefault(row.service.pk, []).append(row)
    for service in services:
        slug = slug_of[service.organization.pk]  # type: ignore[union-attr]
        spec, item = by_service[(slug, service.name)]
        service.directory_organization_id = listings[slug].pk
        if data.SPANISH_SERVICE_NAMES.get(service.name, service.name) != service.name:
            service.alternate_name = data.SPANISH_SERVICE_NAMES[service.name]
        if item.min_age_months is not None:
            service.minimum_age = Decimal(item.min_age_months) / 12
        if item.max_age_months is not None:
            service.maximum_age = Decimal(item.max_age_months) / 12
        # Capacity as providers report it: most take hub referrals, a few count open slots.
        service.accepts_electronic_referrals = rng.random() < 0.8
        service.open_slots = rng.randint(0, 25) if rng.random() < 0.35 else None
        service.wait_time = f"About {item.typical_wait_days} days" if item.typical_wait_days is not None else ""
        stale = rng.random() < data.STALE_SHARE
        service.last_verified_at = now - timedelta(days=rng.randint(190, 420) if stale else rng.randint(0, 150))
        service.last_modified = service.last_verified_at
        sites = [main_site[slug]] + [
            loc
            for site, loc in extra_sites
            if site.organization == slug and (not site.services or service.name in site.services)
        ]
        for location in sites:
            at_locations.append(dm.ServiceAtLocation(id=_uuid(rng), service=service, location=location))
        pattern = next((p for word, p in data.HOURS_BY_WORD if word.lower() in service.name.lower()), None)
        pattern = pattern or rng.choice(data.HOURS_BY_KIND.get(kinds[slug], ("office",)))
        for days, opens, closes in data.HOURS_PATTERNS[pattern]:
            schedules.append(
                dm.Schedule(
                    id=_uuid(rng),
                    service=service,
                    freq="WEEKLY",
                    byday=days,
                    opens_at=time.fromisoformat(opens),
                    closes_at=time.fromisoformat(closes),
                    description=f"{days} {opens}-{closes}",
                )
            )
        phones.append(dm.Phone(id=_uuid(rng), service=service, number=spec.phone, type="voice"))
        for row in languages_of.get(service.pk, []):
            hsds_languages.append(
                dm.DirectoryLanguage(
                    id=_uuid(rng),
                    service=service,
                    code=row.language,
                    name=labels[row.language],
                    note=row.dialect,
                )
            )
        if not item.is_free:
            service.fees_description = "Sliding scale by household income; Medi-Cal accepted."
            costs.append(
                dm.CostOption(
                    id=_uuid(rng),
                    service=service,
                    option="Sliding scale, lowest step",
                    currency="USD",
                    amount=Decimal(rng.choice((5, 10, 15, 20, 25))),
                    amount_description="per visit",
                )
            )
    return [at_locations, schedules, phones, hsds_languages, costs]


_STAFF_CULTURES = _Weighted(
    [
        ("latino", 38),
        ("cantonese", 10),
        ("mandarin", 14),
        ("vietnamese", 9),
        ("anglo", 16),
        ("armenian", 5),
        ("filipino", 8),
    ]
)


@dataclass
class _Account:
    email: str
    first_name: str
    last_name: str
    preferred_language: str
    memberships: list[tuple[str, str, str, bool]]  # (organization slug, role, title, is_org_admin)


def _staff_name(rng: random.Random) -> tuple[str, str]:
    culture = CULTURES[_STAFF_CULTURES.pick(rng)]
    sex = Sex.FEMALE if _chance(rng, 0.72) else Sex.MALE
    name = culture.namer(rng).name(rng, MOTHER if sex == Sex.FEMALE else FATHER, sex)
    # Staff accounts show the name colleagues use, e.g. "Jenny Wong" rather than "Ka-Yan Wong".
    given = name.preferred_name if name.preferred_name and culture.home_language in (L.CANTONESE, L.MANDARIN) else ""
    family = name.family_name
    if name.second_family_name and _chance(rng, 0.4):
        family = f"{family} {name.second_family_name}"
    return given or name.given_name, family


def _plan_accounts(seed: int) -> list[_Account]:
    rng = _rng(seed, "staff")
    used: set[str] = set()
    accounts: list[_Account] = []
    for known in data.WELL_KNOWN_USERS:
        used.add(known.email)
        accounts.append(
            _Account(
                known.email,
                known.first_name,
                known.last_name,
                known.preferred_language,
                [(known.organization_slug, known.role, known.title, known.is_org_admin)],
            )
        )

    def unique_email(first: str, last: str) -> str:
        local = _email_local(first.split(" ")[0], last.split(" ")[0])
        candidate, number = data.demo_email(local), 1
        while candidate in used:
            number += 1
            candidate = data.demo_email(f"{local}{number}")
        used.add(candidate)
        return candidate

    for spec in data.ORGANIZATIONS:
        for slot in data.STAFF_BY_KIND[spec.kind]:
            for _ in range(slot.count):
                first, last = _staff_name(rng)
                accounts.append(
                    _Account(
                        unique_email(first, last),
                        first,
                        last,
                        "es" if _chance(rng, 0.1) else "en",
                        [(spec.slug, slot.role, slot.title, slot.is_org_admin)],
                    )
                )
    for _ in range(data.FAMILY_MEMBER_USERS):
        culture = CULTURES[_Weighted([("latino", 5), ("mandarin", 2), ("vietnamese", 1), ("anglo", 1)]).pick(rng)]
        sex = Sex.FEMALE if _chance(rng, 0.8) else Sex.MALE
        name = culture.namer(rng).name(rng, MOTHER if sex == Sex.FEMALE else FATHER, sex)
        accounts.append(
            _Account(
                unique_email(name.given_name, name.family_name),
                name.given_name,
                name.family_name,
                "es" if culture.key == "latino" else "en",
                [(data.HUB_SLUG, Role.FAMILY_MEMBER, "", False)],
            )
        )
    return accounts


def _create_accounts(seed: int, organizations: dict[str, Organization], today: date, summary: SeedSummary) -> None:
    accounts = _plan_accounts(seed)
    joined = reference_time(today) - timedelta(days=400)
    password_hash = make_password(DEMO_PASSWORD)  # Argon2 is slow on purpose: hash once, share the hash.
    users = [
        User(
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            password=password_hash,
            preferred_language=account.preferred_language,
            is_staff=any(role == Role.HUB_ADMIN for _, role, _, _ in account.memberships),
            date_joined=joined + timedelta(hours=position),
        )
        for position, account in enumerate(accounts)
    ]
    User.objects.bulk_create(users)
    by_email = {user.email: user for user in User.objects.filter(email__in=[account.email for account in accounts])}

    memberships: list[Membership] = []
    events: list[SecurityEvent] = []
    devices: list[TOTPDevice] = []
    for position, account in enumerate(accounts):
        user = by_email[account.email]
        when = joined + timedelta(hours=position, minutes=5)
        for slug, role, title, is_org_admin in account.memberships:
            organization = organizations[slug]
            membership_rules_check(organization=organization, role=role, is_org_admin=is_org_admin)
            memberships.append(
                Membership(
                    user=user,
                    organization=organization,
                    role=role,
                    title=title,
                    is_org_admin=is_org_admin,
                    created_at=when,
                )
            )
            events.append(
                SecurityEvent(
                    kind=SecurityEvent.Kind.MEMBERSHIP_ADDED,
                    user=user,
                    organization=organization,
                    created_at=when,
                )
            )
        if any(role in STAFF_ROLES for _, role, _, _ in account.memberships):
            summary.staff_users += 1
            devices.append(
                TOTPDevice(
                    user=user,
                    name=TOTP_DEVICE_NAME,
                    confirmed=True,
                    key=demo_totp_key(seed=seed, email=account.email),
                )
            )
        else:
            summary.family_users += 1
    Membership.objects.bulk_create(memberships)
    SecurityEvent.objects.bulk_create(events)
    TOTPDevice.objects.bulk_create(devices)
    hub_admins = [user for user in by_email.values() if user.is_staff]
    hub_admin_group().user_set.add(*hub_admins)
    summary.memberships = len(memberships)
    summary.totp_devices = len(devices)


ProgressCallback = Callable[[int, int], None]


def _create_households(
    *,
    seed: int,
    families: int,
    today: date,
    organizations: dict[str, Organization],
    summary: SeedSummary,
    progress: ProgressCallback | None,
) -> None:
    # Batches of at most a tenth of the run, so progress can be reported every 10%.
    batch_size = max(1, min(2000, -(-families // 10)))
    households: list[Household] = []
    people: list[Person] = []

    def flush() -> None:
        Household.objects.bulk_create(households)
        Person.objects.bulk_create(people, batch_size=500)
        summary.households += len(households)
        summary.people += len(people)
        households.clear()
        people.clear()
        if progress is not None:
            progress(summary.households, families)

    for row in generate_households(seed=seed, count=families, today=today):
        households.append(Household(id=row.id, registered_by=organizations[row.registrar], **row.values))
        for member in row.members:
            people.append(Person(household_id=row.id, **member))
            if member["relationship"] == Relationship.CHILD:
                summary.children += 1
        if len(households) >= batch_size:
            flush()
    if households:
        flush()


def demo_seed(
    *,
    seed: int = DEFAULT_SEED,
    families: int = DEFAULT_FAMILIES,
    today: date,
    progress: ProgressCallback | None = None,
) -> SeedSummary:
    """Create the whole demo network in one transaction.

    Raises DemoDatabaseNotEmpty, and writes nothing, when the database already holds
    organizations, households or demo users. Any failure part-way rolls everything back.
    """
    if families < 0:
        raise ValueError("families must be 0 or more")
    summary = SeedSummary()
    with transaction.atomic():
        if database_holds_data():
            raise DemoDatabaseNotEmpty("the database already holds data; seed_demo only fills an empty database")
        organizations = _create_organizations(today)
        summary.organizations = len(organizations)
        summary.services = _create_services(seed, organizations, today)
        _create_accounts(seed, organizations, today, summary)
        _create_households(
            seed=seed,
            families=families,
            today=today,
            organizations=organizations,
            summary=summary,
            progress=progress,
        )
        # The parts in order, each building on the rows before it: agreements, consents and the
        # audit trail; screening histories; the search index (bulk inserts send no signals);
        # families registered twice and coordinated twice; designated coordinators' caseloads; the
        # referral history (which addresses needs); care events, EPSDT, contacts and tiers.
        summary.sharing = seed_sharing(seed=seed, today=today, organizations=organizations)
        seed_screening(seed=seed, today=today)
        search_index_rebuild()
        seed_duplicates(seed=seed, today=today, organizations=organizations)
        summary.caseloads = seed_caseloads(seed=seed, today=today)
        summary.referrals = seed_referrals(seed=seed, today=today, organizations=organizations)
        seed_care(seed=seed, today=today)
        seed_pathways(seed=seed, today=today)
        seed_careplans(seed=seed, today=today)
    return summary


# --- The well-known sign-ins ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    role: str
    email: str
    password: str
    totp_secret: str  # base32, "" for family members


def demo_sign_ins() -> list[SignIn]:
    """The well-known demo sign-ins as they stand in the database (users that no longer exist are left out)."""
    emails = [known.email for known in data.WELL_KNOWN_USERS]
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    devices: dict[int, TOTPDevice] = {}
    for device in TOTPDevice.objects.filter(user__in=users.values(), confirmed=True).order_by("id"):
        devices.setdefault(device.user_id, device)
    # Users share one hash until someone changes a password; verify each distinct hash once.
    verified: dict[str, bool] = {}
    rows: list[SignIn] = []
    for known in data.WELL_KNOWN_USERS:
        user = users.get(known.email)
        if user is None:
            continue
        if user.password not in verified:
            verified[user.password] = check_password(DEMO_PASSWORD, user.password)
        device = devices.get(user.pk)
        rows.append(
            SignIn(
                role=known.role,
                email=known.email,
                password=DEMO_PASSWORD if verified[user.password] else "(changed)",
                totp_secret=totp_secret_base32(device.key) if device is not None else "",
            )
        )
    return rows
