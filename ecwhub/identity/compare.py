"""Comparing two descriptions of a person, field by field, as pure functions.

Each comparator takes two raw values and returns a :class:`Level`: an integer (0 is the strongest
agreement, higher numbers weaker, the last one "disagrees"; ``NULL`` when either side is missing,
which carries no evidence) and a reason code with its arguments, turned into a translated sentence
by :mod:`ecwhub.identity.reasons`. The Fellegi–Sunter model (:mod:`ecwhub.identity.model`) gives
each level of each comparison its own match weight.

Names are compared the way US intake records actually differ: accents dropped ("García"/"Garcia"),
Spanish compound surnames written whole, hyphenated, reordered or cut to the first ("García
López"/"Garcia-Lopez"/"García"), particles ("de la Cruz"/"Cruz"), nicknames ("Pepe"/"José"),
romanisations of the same Chinese surname ("Chan"/"Chen", "Wong"/"Huang"), Armenian "-ian"/"-yan",
given and family names entered in each other's boxes. Dates are compared the way they are mistyped:
day and month swapped, one digit wrong, year off by one or by ten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from ecwhub.core.text import fold_diacritics

NULL = -1

# --- Normalisation ------------------------------------------------------------------------------

_NOT_LETTER = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
# Spanish, Portuguese, Italian, Dutch, French particles: "de la Cruz" files as "Cruz" as often as not.
PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "di", "van", "von", "der", "le"}
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation and hyphens as spaces: ``"García-López"`` → ``"garcia lopez"``."""
    if not text:
        return ""
    plain = fold_diacritics(text)
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", plain.replace("'", ""))).strip()


def name_tokens(*parts: str) -> tuple[str, ...]:
    """The meaningful words of a name, particles dropped: ``("de la Cruz", "Pérez")`` → ``("cruz", "perez")``."""
    words: list[str] = []
    for part in parts:
        words.extend(word for word in fold(part).split() if word not in PARTICLES)
    return tuple(words)


# Romanisations of the same surname: pinyin, Cantonese, Taishanese, Vietnamese and older spellings.
# Each group maps to one key, so "Chan" (Cantonese) and "Chen" (pinyin) of 陳 compare as the same.
SURNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("chen", "chan", "tan", "chin", "trin", "tran"),
    ("huang", "wong", "hwang", "vuong", "hoang", "wang", "ong"),
    ("zhang", "cheung", "chang", "chiang", "truong"),
    ("li", "lee", "lie", "ly", "le", "lei", "louie", "loui"),
    ("liu", "lau", "lao", "luu"),
    ("lin", "lam", "lum", "lim"),
    ("wu", "ng", "woo", "eng", "ngo", "vu", "hu"),
    ("yang", "yeung", "young", "duong"),
    ("zhou", "chow", "chau", "chou", "jue"),
    ("zheng", "cheng", "trinh", "zhen"),
    ("liang", "leung", "luong"),
    ("xie", "tse", "hsieh", "ta"),
    ("he", "ho", "hah"),
    ("deng", "tang", "teng", "dang"),
    ("feng", "fung", "phung"),
    ("zhu", "chu", "gee", "chue"),
    ("guo", "kwok", "kuo", "quach"),
    ("luo", "lo", "law", "la"),
    ("xu", "hui", "tsui", "hsu", "tsoi", "choi", "cai", "tsai", "choy"),
    ("sun", "suen", "soon"),
    ("kuang", "kwong", "kong"),
    ("yu", "yee", "yi", "ou"),
    ("guan", "quan", "kwan"),
    ("tan", "tom", "tam", "hom"),
    ("situ", "szeto", "seto"),
    ("zhao", "chiu", "chao", "jue"),
    ("nguyen", "nguyn", "ngyuen", "nguen", "win", "nuyen"),
    ("pham", "phan"),
    ("mohammed", "muhammad", "mohamed", "mohammad", "muhammed"),
)
SURNAME_KEY: dict[str, str] = {}
for _group in SURNAME_GROUPS:
    for _spelling in _group:
        SURNAME_KEY.setdefault(_spelling, _group[0])

# Nicknames and hypocoristics (Spanish, English, Filipino usage) → formal given name, folded.
NICKNAME_GROUPS: dict[str, tuple[str, ...]] = {
    "jose": ("pepe", "chepe", "pepito", "joe", "josue"),
    "guadalupe": ("lupe", "lupita", "lupillo"),
    "jesus": ("chuy", "chucho", "chus", "chucha"),
    "francisco": ("paco", "pancho", "frank", "kiko", "cisco", "frankie", "chico"),
    "ignacio": ("nacho", "nash"),
    "alejandro": ("alex", "alejo", "jano", "ale"),
    "alejandra": ("ale", "alex", "jandra"),
    "roberto": ("beto", "bob", "rob", "robert"),
    "rocio": ("chio",),
    "enrique": ("kike", "quique", "henry"),
    "manuel": ("manolo", "manny", "meme"),
    "guillermo": ("memo", "william", "willy"),
    "eduardo": ("lalo", "eddie", "edward", "ed"),
    "gerardo": ("jerry", "lalo"),
    "rafael": ("rafa", "rafi"),
    "antonio": ("tony", "tono", "toño", "anthony"),
    "concepcion": ("concha", "conchita", "chita"),
    "dolores": ("lola", "lolita"),
    "rosario": ("chayo", "charo"),
    "consuelo": ("chelo",),
    "socorro": ("coco",),
    "mercedes": ("meche", "mercy"),
    "isabel": ("chabela", "isa", "bella", "elizabeth"),
    "ramon": ("moncho",),
    "salvador": ("chava", "chavo"),
    "luis": ("lucho", "wicho", "louis"),
    "ricardo": ("richi", "richard", "rick"),
    "fernando": ("nando", "fer"),
    "margarita": ("margo", "maggie", "rita", "margaret"),
    "teresa": ("tere", "tessa", "tess", "theresa"),
    "carlos": ("charlie", "carlitos", "charles"),
    "juan": ("juanito", "johnny", "john"),
    "pedro": ("perico", "peter"),
    "miguel": ("mike", "michael", "micky"),
    "santiago": ("santi", "chago", "diego"),
    "jorge": ("george", "coque"),
    "william": ("bill", "billy", "will", "willie", "liam"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "richard": ("dick", "rick", "ricky", "rich"),
    "elizabeth": ("liz", "beth", "betty", "lisa", "eliza", "libby", "betsy", "elisabeth"),
    "margaret": ("peggy", "maggie", "meg", "marge", "greta"),
    "katherine": ("kate", "kathy", "katie", "kat", "catherine", "kathryn", "katy"),
    "jennifer": ("jen", "jenny"),
    "michael": ("mike", "mikey", "mick"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny", "jon"),
    "joseph": ("joe", "joey"),
    "thomas": ("tom", "tommy"),
    "christopher": ("chris", "kit"),
    "daniel": ("dan", "danny"),
    "matthew": ("matt",),
    "anthony": ("tony",),
    "nicholas": ("nick", "nicky"),
    "benjamin": ("ben", "benny"),
    "samuel": ("sam", "sammy"),
    "alexander": ("alex", "xander"),
    "jonathan": ("jon", "jonny"),
    "andrew": ("andy", "drew"),
    "steven": ("steve", "stephen"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "susan": ("sue", "susie", "suzanne"),
    "deborah": ("deb", "debbie"),
    "rebecca": ("becky", "becca"),
    "victoria": ("vicky", "tori"),
    "abigail": ("abby",),
    "samantha": ("sam", "sammy"),
    "jessica": ("jess", "jessie"),
    "ashley": ("ash",),
    "christina": ("tina", "chris", "christine", "kristina"),
    "alexandra": ("alex", "sandra", "lexi"),
    "gabriel": ("gabe",),
    "gabriela": ("gaby", "gabi"),
    "daniela": ("dani",),
    "valentina": ("vale", "tina"),
    "maria": ("mari", "mary", "maruca"),
    "ana": ("anita", "anna", "ann", "anne"),
    "sofia": ("sophia", "sofi"),
    "camila": ("cami",),
    "mateo": ("matthew", "matteo"),
    "sebastian": ("sebas", "seba"),
    "emiliano": ("emi",),
    "jun": ("junior", "jr"),
}
NICKNAME: dict[str, set[str]] = {}
for _formal, _nicks in NICKNAME_GROUPS.items():
    NICKNAME.setdefault(_formal, set()).add(_formal)
    for _nick in _nicks:
        NICKNAME.setdefault(fold(_nick), set()).add(_formal)


def surname_key(token: str) -> str:
    """One spelling per family of romanisations and one per Armenian -ian/-yan ending."""
    token = SURNAME_KEY.get(token, token)
    if token.endswith("yan") and len(token) > 5:
        token = token[:-3] + "ian"
    return token


def given_keys(token: str) -> frozenset[str]:
    """The formal names a name or nickname stands for (``"pepe"`` → ``{"jose"}``, ``"alex"`` →
    ``{"alejandro", "alejandra", "alexander", "alexandra"}``), or the name itself."""
    return frozenset(NICKNAME.get(token, ())) or frozenset((token,))


def given_key(token: str) -> str:
    """One formal name for a name or nickname (the first in alphabetical order)."""
    return min(given_keys(token))


def same_given(a: str, b: str) -> bool:
    return bool(given_keys(a) & given_keys(b))


def same_surname(a: str, b: str) -> bool:
    return surname_key(a) == surname_key(b)


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    """A sound-alike code: Hernández/Hernandes, Gonzalez/Gonzales, Katherine/Catherine."""
    if not token:
        return ""
    return jellyfish.metaphone(token) or token


def jaro_winkler(a: str, b: str) -> float:
    return float(JaroWinkler.similarity(a, b))


def damerau(a: str, b: str) -> int:
    return int(DamerauLevenshtein.distance(a, b))


# --- Comparisons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """The outcome of comparing one field: its level and the reason (code + arguments) it shows."""

    level: int
    reason: str = ""
    args: tuple[str, ...] = ()


MISSING = Level(NULL)


def _best_token_pair(
    left: tuple[str, ...], right: tuple[str, ...], related: Callable[[str, str], bool]
) -> tuple[int, str, str]:
    """The closest pair of words between two names: (0 same, 1 same key, 2 sounds alike, 3 close, 4 JW≥0.8, 5 none)."""
    best = (6, "", "")
    for a in left:
        for b in right:
            if a == b:
                rank = 0
            elif related(a, b):
                rank = 1
            elif len(a) > 1 and len(b) > 1 and phonetic(a) == phonetic(b):
                rank = 2
            else:
                similarity = jaro_winkler(a, b)
                # One keystroke apart counts as a typo even where Jaro-Winkler is low (Lee/Lye).
                typo = similarity >= 0.92 or (min(len(a), len(b)) >= 3 and damerau(a, b) == 1)
                rank = 3 if typo else 4 if similarity >= 0.8 else 5
            if rank < best[0]:
                best = (rank, a, b)
                if rank == 0:
                    return best
    return best


# Surname levels: 0 the same (order of the two surnames aside); 1 one surname in common (a compound
# cut to one, or the second dropped), or the same romanised surname; 2 sounds alike; 3 a typo away;
# 4 loosely similar; 5 different.
SURNAME_LEVELS = 6


def compare_surnames(left: tuple[str, ...], right: tuple[str, ...], shown: tuple[str, str] = ("", "")) -> Level:
    if not left or not right:
        return MISSING
    if left == right:
        return Level(0, "surname_same")
    if sorted(left) == sorted(right):
        return Level(0, "surname_order", shown)
    if "".join(left) == "".join(right):
        return Level(0, "surname_same")
    rank, _a, _b = _best_token_pair(left, right, same_surname)
    if rank == 0:
        return Level(1, "surname_part", shown)
    if rank == 1:
        return Level(1, "surname_romanised", shown)
    if rank == 2:
        return Level(2, "surname_sounds", shown)
    joined = jaro_winkler(" ".join(left), " ".join(right))
    if rank == 3 or joined >= 0.92:
        return Level(3, "surname_similar", shown)
    if rank == 4 or joined >= 0.8:
        return Level(4, "", ())
    return Level(5, "", ())


# Given-name levels: 0 the same; 1 a nickname of it or one of two given names ("María Guadalupe"/
# "Guadalupe"); 2 sounds alike; 3 a typo away; 4 loosely similar or same initial; 5 different.
GIVEN_LEVELS = 6


# Words that many given names share and that say little on their own: the Vietnamese middle
# names Thị and Văn, and the María/José that begin many Spanish compound given names.
COMMON_GIVEN_WORDS = frozenset({"thi", "van", "maria", "ma", "jose", "juan", "ana", "mary", "john"})


def compare_given(left: tuple[str, ...], right: tuple[str, ...], shown: tuple[str, str] = ("", "")) -> Level:
    if not left or not right:
        return MISSING
    if left == right or "".join(left) == "".join(right):
        return Level(0, "given_same")
    # "Thị Hoa" and "Thị Mai" share only "Thị": compare what is left.
    left_rest = tuple(word for word in left if word not in COMMON_GIVEN_WORDS) or left
    right_rest = tuple(word for word in right if word not in COMMON_GIVEN_WORDS) or right
    if len(left) > 1 or len(right) > 1:
        left, right = left_rest, right_rest
    rank, _a, _b = _best_token_pair(left, right, same_given)
    if rank == 0:
        return Level(1, "given_part", shown)
    if rank == 1:
        return Level(1, "given_nickname", shown)
    if rank == 2:
        return Level(2, "given_sounds", shown)
    joined = jaro_winkler(" ".join(left), " ".join(right))
    if rank == 3 or joined >= 0.92:
        return Level(3, "given_similar", shown)
    if rank == 4 or joined >= 0.8 or (left[0][:1] == right[0][:1] and (len(left[0]) == 1 or len(right[0]) == 1)):
        return Level(4, "", ())
    return Level(5, "", ())


def compare_names(
    given_a: tuple[str, ...],
    family_a: tuple[str, ...],
    given_b: tuple[str, ...],
    family_b: tuple[str, ...],
    shown_given: tuple[str, str] = ("", ""),
    shown_family: tuple[str, str] = ("", ""),
) -> tuple[Level, Level]:
    """Given and family names, also tried crosswise: a record with the two boxes swapped still matches."""
    given = compare_given(given_a, given_b, shown_given)
    family = compare_surnames(family_a, family_b, shown_family)
    if given.level in (NULL, 0) and family.level in (NULL, 0):
        return given, family
    if given.level >= 3 and given_a and family_a and given_b and family_b:
        crossed_given = compare_given(given_a, family_b)
        crossed_family = compare_surnames(family_a, given_b)
        crossed = sorted((crossed_given.level, crossed_family.level))
        # One box matches the other exactly or nearly, the second at least loosely.
        if (
            crossed[0] <= 1
            and crossed[1] <= 3
            and crossed_given.level + crossed_family.level < given.level + family.level
        ):
            return Level(crossed_given.level, "names_swapped"), Level(crossed_family.level, "")
    return given, family


# Date levels: 0 the same; 1 day and month swapped; 2 one digit off (or two adjacent digits
# swapped); 3 the year off by one or by ten, day and month the same; 4 same year and month; 5 different.
DATE_LEVELS = 6


def date_digits(value: date | str | None) -> str:
    """``YYYYMMDD`` from a date or any string holding those eight digits; "" when unknown or invalid."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    digits = re.sub(r"\D", "", str(value))
    return digits if len(digits) == 8 else ""


def compare_dates(left: str, right: str) -> Level:
    if not left or not right:
        return MISSING
    if left == right:
        return Level(0, "dob_same")
    if left[:4] == right[:4] and left[4:6] == right[6:8] and left[6:8] == right[4:6]:
        return Level(1, "dob_swapped")
    if damerau(left, right) == 1:
        return Level(2, "dob_typo")
    if left[4:] == right[4:]:
        year_a, year_b = int(left[:4]), int(right[:4])
        if abs(year_a - year_b) in (1, 10) or damerau(left[:4], right[:4]) == 1:
            return Level(3, "dob_year")
    if left[:6] == right[:6]:
        return Level(4, "dob_month")
    return Level(5, "")


# Phone levels: 0 same number; 1 same last seven digits (area code changed or missing); 2 a digit off; 3 different.
PHONE_LEVELS = 4


def phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else ""


def compare_phones(left: str, right: str) -> Level:
    if not left or not right:
        return MISSING
    if left == right:
        return Level(0, "phone_same")
    if left[-7:] == right[-7:]:
        return Level(1, "phone_last7")
    if len(left) == len(right) and damerau(left, right) == 1:
        return Level(2, "phone_typo")
    return Level(3, "")


# Exact identifiers (e-mail, a social security number): 0 same; 1 one or two characters off; 2 different.
IDENT_LEVELS = 3


def compare_identifiers(left: str, right: str, reason: str) -> Level:
    if not left or not right:
        return MISSING
    if left == right:
        return Level(0, reason)
    if damerau(left, right) <= 2 and min(len(left), len(right)) >= 5:
        return Level(1, reason + "_typo")
    return Level(2, "")


_STREET_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "court": "ct",
    "circuit": "cct",
    "crescent": "cres",
    "terrace": "tce",
    "parade": "pde",
    "highway": "hwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "calle": "st",
    "apartment": "apt",
    "unit": "apt",
}


def street_parts(value: str) -> tuple[str, str]:
    """(house number, normalised street words): ``"123 N. Main Street"`` → ``("123", "n main st")``."""
    words = fold(value).split()
    number = ""
    if words and any(ch.isdigit() for ch in words[0]):
        number = words.pop(0)
    return number, " ".join(_STREET_WORDS.get(word, word) for word in words)


# Address levels: 0 same number and street; 1 same street, number off by a digit or missing;
# 2 similar street, same number; 3 same street, another number; 4 different.
ADDRESS_LEVELS = 5


def compare_addresses(left: tuple[str, str], right: tuple[str, str]) -> Level:
    (num_a, street_a), (num_b, street_b) = left, right
    if not street_a or not street_b:
        return MISSING
    same_street = street_a == street_b
    close_street = same_street or jaro_winkler(street_a, street_b) >= 0.88
    if same_street and num_a == num_b:
        return Level(0, "address_same")
    if same_street and (not num_a or not num_b or damerau(num_a, num_b) == 1):
        return Level(1, "address_similar")
    if close_street and num_a and num_a == num_b:
        return Level(2, "address_similar")
    if close_street:
        return Level(3, "")
    return Level(4, "")


# Short codes (a postcode, a state): 0 same; 1 a digit off; 2 different.
CODE_LEVELS = 3


def compare_codes(left: str, right: str, reason: str = "") -> Level:
    if not left or not right:
        return MISSING
    if left == right:
        return Level(0, reason)
    if damerau(left, right) == 1:
        return Level(1, "")
    return Level(2, "")


# Free text (a suburb, a second address line): 0 same; 1 close (JW ≥ 0.9); 2 similar (≥ 0.75); 3 different.
TEXT_LEVELS = 4


def compare_text(left: str, right: str, reason: str = "") -> Level:
    if not left or not right:
        return MISSING
    if left == right:
        return Level(0, reason)
    similarity = jaro_winkler(left, right)
    if similarity >= 0.9:
        return Level(1, "")
    if similarity >= 0.75:
        return Level(2, "")
    return Level(3, "")


# Sex: 0 same; 1 different.
SEX_LEVELS = 2


def compare_sex(left: str, right: str) -> Level:
    if not left or not right or "unknown" in (left, right):
        return MISSING
    return Level(0, "") if left == right else Level(1, "")


# Household: 0 two or more other members match; 1 one matches; 2 none does.
HOUSEHOLD_LEVELS = 3


def member_matches(left: tuple[tuple[str, str, str], ...], right: tuple[tuple[str, str, str], ...]) -> int:
    """How many of the other household members (given-name key, surname key, YYYYMMDD) appear on both sides."""
    found = 0
    used: set[int] = set()
    for given_a, _family_a, born_a in left:
        for index, (given_b, _family_b, born_b) in enumerate(right):
            if index in used:
                continue
            name_close = given_a == given_b or (given_a and given_b and jaro_winkler(given_a, given_b) >= 0.88)
            date_close = born_a and born_b and (born_a == born_b or damerau(born_a, born_b) <= 1)
            if name_close and date_close:
                found += 1
                used.add(index)
                break
    return found


def compare_households(left: tuple[tuple[str, str, str], ...], right: tuple[tuple[str, str, str], ...]) -> Level:
    if not left or not right:
        return MISSING
    found = member_matches(left, right)
    if found >= 2:
        return Level(0, "household_many", (str(found),))
    if found == 1:
        return Level(1, "household_one")
    return Level(2, "")
