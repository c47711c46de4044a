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
