"""Words: how text is normalized for the index and for queries, the same for both engines.

Both SQLite FTS5 and PostgreSQL's ``simple`` text search configuration are given text that is
already lower case, without accents, with every run of non-alphanumeric characters turned
into one space. Their tokenizers then see the same words, which is what makes the two engines
match the same rows.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation

from ecwhub.core.languages import Language
from ecwhub.core.needs import Need
from ecwhub.core.text import fold_diacritics

_NON_WORD = re.compile(r"[^0-9a-z]+")

# Words too common to mean anything in a directory query (English and Spanish).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "at",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "my",
        "our",
        "me",
        "i",
        "we",
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "unos",
        "unas",
        "y",
        "o",
        "de",
        "del",
        "en",
        "con",
        "para",
        "por",
        "que",
        "mi",
        "mis",
        "su",
        "sus",
        "al",
        "se",
        "es",
    ]
)

# Words families and coordinators use (Spanish, and everyday English), mapped to the words the
# directory's listings use. The need labels' own Spanish translations are in every document too.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "dentist": ("dental", "dentistry"),
    "dentists": ("dental", "dentistry"),
    "daycare": ("child", "care"),
    "lawyer": ("legal",),
    "attorney": ("legal",),
    "groceries": ("food",),
    "shots": ("immunization", "immunizations"),
    "vaccines": ("immunization", "immunizations"),
    "vaccine": ("immunization", "immunizations"),
    "dentistas": ("dental", "dentistry"),
    "comida": ("food",),
    "alimentos": ("food",),
    "despensa": ("pantry",),
    "hambre": ("food",),
    "vivienda": ("housing", "shelter", "shelters", "homeless", "rent"),
    "casa": ("housing",),
    "renta": ("rent",),
    "alquiler": ("rent",),
    "desalojo": ("eviction",),
    "panales": ("diapers",),
    "panal": ("diapers",),
    "ropa": ("clothing",),
    "dentista": ("dental", "dentistry"),
    "dientes": ("dental",),
    "vacunas": ("immunization", "immunizations"),
    "vacuna": ("immunization", "immunizations"),
    "guarderia": ("child", "care"),
    "kinder": ("kindergarten",),
    "cuidado": ("care",),
    "preescolar": ("preschool",),
    "escuela": ("school",),
    "abogado": ("legal",),
    "legal": ("legal",),
    "inmigracion": ("immigration",),
    "trabajo": ("employment",),
    "empleo": ("employment",),
    "transporte": ("transportation",),
    "seguro": ("insurance",),
    "medico": ("medical",),
    "doctor": ("pediatric",),
    "pediatra": ("pediatric",),
    "salud": ("health",),
    "mental": ("mental",),
    "depresion": ("depression",),
    "embarazo": ("pregnant",),
    "embarazada": ("pregnant",),
    "lactancia": ("breastfeeding",),
    "crianza": ("parenting",),
    "padres": ("parents",),
    "ninos": ("children",),
    "nino": ("child",),
    "bebe": ("baby",),
    "bebes": ("babies",),
    "ingles": ("english",),
    "clases": ("classes",),
    "terapia": ("therapy",),
    "habla": ("speech",),
    "desarrollo": ("developmental",),
    "visitas": ("visiting",),
    "hogar": ("home",),
    "luz": ("utility",),
    "gas": ("utility",),
    "internet": ("internet",),
    "dinero": ("financial",),
    "impuestos": ("tax",),
    "violencia": ("violence",),
    "gratis": ("free",),
    # Everyday English for what 211 listings call otherwise.
    "housing": ("shelter", "shelters", "homeless", "rent", "rental"),
    "shelter": ("housing", "homeless"),
    "albergue": ("shelter", "shelters", "homeless"),
    "refugio": ("shelter", "shelters"),
    "homeless": ("shelter", "housing"),
    "immigration": ("immigrant", "immigrants", "citizenship", "naturalization", "asylum"),
    "immigrant": ("immigration", "immigrants", "citizenship"),
    "mother": ("mothers", "moms", "mom", "maternal"),
    "madre": ("mother", "mothers", "moms", "maternal"),
    "counseling": ("counselling", "therapy", "counselor", "counselors"),
    "consejeria": ("counseling", "counselling", "therapy"),
    "therapy": ("counseling", "therapist"),
    "diapers": ("diaper",),
}

# Two-word phrases whose meaning is not the sum of their words, mapped to the words listings use.
# A phrase counts as one query word: "mental health" never matches on "health" alone (a dental
# clinic's "oral health"), and "food bank" finds a "food pantry".
PHRASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("food", "bank"): ("food", "pantry", "pantries", "groceries"),
    ("banco", "comida"): ("food", "pantry", "pantries", "groceries"),
    ("banco", "alimentos"): ("food", "pantry", "pantries", "groceries"),
    ("mental", "health"): (
        "mental",
        "counseling",
        "counselling",
        "therapy",
        "behavioral",
        "psychologist",
        "psychiatric",
        "emotional",
        "depression",
    ),
    ("salud", "mental"): (
        "mental",
        "counseling",
        "counselling",
        "therapy",
        "behavioral",
        "psychologist",
        "psychiatric",
        "emotional",
        "depression",
    ),
}
PHRASE_WORDS = frozenset(w for pair in PHRASES for w in pair)

# Words that say little about what is wanted ("housing help", "food services"): they still match,
# but a service does not rise above others for them alone.
FILLER_WORDS = frozenset(
    [
        "help",
        "helps",
        "service",
        "services",
        "program",
        "programs",
        "assistance",
        "support",
        "resources",
        "resource",
        "near",
        "find",
        "need",
        "needs",
        "ayuda",
        "servicio",
        "servicios",
        "programa",
        "programas",
        "apoyo",
        "recursos",
        "cerca",
    ]
)

# Every word the hub's own word lists know: never "corrected" to something else.
KNOWN_WORDS = frozenset([*SYNONYMS, *(w for values in SYNONYMS.values() for w in values), *PHRASE_WORDS, *FILLER_WORDS])


def stem(word: str) -> str:
    """A light English and Spanish stem: plural endings, -ing and -ed, and a final y, so that
    "pantries" and "pantry", "parenting" and "parents", "albergue" and "albergues" meet (and
    "care" stays apart from "car").

    Query words are widened to the index's words with the same stem (``SearchTerm.stem``), in Python,
    so the two engines match the same rows."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "i"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 7:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 6:
        word = word[:-2]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word


def words(text: str) -> list[str]:
    """The words of ``text``: lower case, no accents, letters and digits only."""
    return [w for w in _NON_WORD.split(fold_diacritics(text)) if w]


def normalized(text: str) -> str:
    """``text`` as one line of words with a space on each side (so LIKE '% word %' finds a word)."""
    return f" {' '.join(words(text))} "


@lru_cache(maxsize=512)
def need_label(need: str, language: str) -> str:
    with translation.override(language):
        return str(Need(need).label)


@lru_cache(maxsize=512)
def language_label(code: str, language: str) -> str:
    with translation.override(language):
        return str(Language(code).label)


def need_labels(need: str) -> str:
    """The need's name in English and in Spanish."""
    return f"{need_label(need, 'en')} {need_label(need, 'es')}"


def trigrams(word: str) -> set[str]:
    """The trigrams pg_trgm forms for one lower-case alphanumeric word: two spaces before, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


NEED_CODES: tuple[str, ...] = tuple(Need.values)
LANGUAGE_CODES: tuple[str, ...] = tuple(Language.values)


def need_bit(need: str) -> int:
    return 1 << NEED_CODES.index(need)


def language_bit(code: str) -> int:
    return 1 << LANGUAGE_CODES.index(code)


def needs_in(mask: int) -> list[str]:
    return [code for i, code in enumerate(NEED_CODES) if mask >> i & 1]
