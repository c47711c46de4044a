"""Letters without their diacritics, one way for the whole hub.

Intake's record linkage, the directory's search and the demo's retyped names must agree on what
"the same letters" are: a family typed as "Peña" at one front door and "Pena" at another is
matched, and a search for "nino" finds "niño". Unicode's compatibility decomposition (NFKD) splits
most accented letters into a base letter and combining marks, which are dropped; a few letters are
letters of their own that NFKD leaves whole (Vietnamese đ, Danish and Norwegian ø, Polish ł,
German ß, æ) and get their usual plain spelling from ``NON_DECOMPOSING``.
"""

from __future__ import annotations

import unicodedata

# Letters NFKD does not decompose, and how they are written without diacritics.
NON_DECOMPOSING: dict[str, str] = {
    "đ": "d",
    "Đ": "D",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "ẞ": "SS",
}
_TABLE = str.maketrans(NON_DECOMPOSING)


def strip_diacritics(text: str) -> str:
    """``text`` without diacritics, case kept: ``"Nguyễn"`` → ``"Nguyen"``, ``"Łódź"`` → ``"Lodz"``.

    For text shown or typed as people write it (a name entered without accents)."""
    decomposed = unicodedata.normalize("NFKD", text)
    # The table after decomposing: "ǿ" and "Ǣ" decompose into letters of the table plus a mark.
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_TABLE)


def fold_diacritics(text: str) -> str:
    """``text`` without diacritics, in lower case: ``"Peña"`` → ``"pena"``, ``"Ørsted"`` → ``"orsted"``.

    For comparing: the key that matching and search both compare on."""
    return strip_diacritics(text).lower()


def _letters_folding_to() -> dict[str, str]:
    """For each plain letter, every Latin letter (both cases) that folds to it: ``"n"`` → ``"nNñÑńŃ…"``."""
    classes: dict[str, list[str]] = {}
    latin = [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
    for code in latin:
        letter = chr(code)
        folded = fold_diacritics(letter)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            classes.setdefault(folded, []).append(letter)
    return {base: "".join(sorted(set(letters))) for base, letters in classes.items()}


_FOLDS_TO = _letters_folding_to()
# Combining accents after a letter, for a name stored decomposed ("i" followed by U+0301).
_MARKS = "[\u0300-\u036f]*"


def accent_pattern(word: str) -> str:
    """A regular expression (the part SQLite's Python ``re`` and PostgreSQL's ``~*`` read alike)
    matching ``word`` whatever its accents and case: ``"garcía"`` → ``"g[...]r[...]..."``. Letters
    and digits only (split a phrase into words first); anything else is left out."""
    parts = []
    for ch in fold_diacritics(word):
        if ch in _FOLDS_TO:
            parts.append(f"[{_FOLDS_TO[ch]}]{_MARKS}")
        elif ch.isalnum():
            parts.append(ch)
    return "".join(parts)
