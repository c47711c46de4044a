"""The hub's own vocabularies in HSDS terms: needs as a taxonomy, members as organization identifiers,
and HSDS language rows as the hub's language codes."""

from __future__ import annotations

import uuid

from ecwhub.core.languages import Language
from ecwhub.core.needs import ECWHUB_NEED_SYSTEM, Need

# --- The need vocabulary as an HSDS taxonomy ---------------------------------------------------
# Service needs travel as HSDS attributes on a taxonomy whose ids are derived from the need codes,
# so every export names them identically and an import recognises them.
_NS = uuid.uuid5(uuid.NAMESPACE_URL, ECWHUB_NEED_SYSTEM)
NEED_TAXONOMY_ID = uuid.uuid5(_NS, "taxonomy")
NEED_TERM_IDS: dict[str, uuid.UUID] = {need.value: uuid.uuid5(_NS, f"term:{need.value}") for need in Need}
NEED_BY_TERM_ID = {term_id: code for code, term_id in NEED_TERM_IDS.items()}


def need_attribute_id(service_id: uuid.UUID, need: str) -> uuid.UUID:
    return uuid.uuid5(_NS, f"attribute:{service_id}:{need}")


# A directory organization that is a hub member carries an organization identifier naming the member
# (by its slug), so an export re-imported into another hub database keeps the link.
MEMBER_SCHEME = "urn:ecwhub:member"


def member_identifier_id(organization_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_NS, f"member:{organization_id}")


# --- Languages: HSDS code/name → the hub's language codes ----------------------------------------
_LANGUAGE_CODES: dict[str, str] = {
    "en": "en",
    "eng": "en",
    "es": "es",
    "spa": "es",
    "yue": "yue",
    "zh-yue": "yue",
    "cmn": "cmn",
    "zh-cmn": "cmn",
    "vi": "vi",
    "vie": "vi",
    "mix": "mix",
    "zap": "zap",
    "quc": "quc",
    "tl": "tl",
    "tgl": "tl",
    "fil": "tl",
    "ko": "ko",
    "kor": "ko",
    "hy": "hy",
    "hye": "hy",
    "arm": "hy",
    "ar": "ar",
    "ara": "ar",
    "km": "km",
    "khm": "km",
    "ase": "ase",
}
_LANGUAGE_NAMES = {str(label).lower(): value for value, label in Language.choices}


def hub_language(code: str, name: str) -> str:
    """The hub's language code for an HSDS language row (``other`` when the hub does not list it)."""
    key = code.strip().lower()
    if key in _LANGUAGE_CODES:
        return _LANGUAGE_CODES[key]
    return _LANGUAGE_NAMES.get(name.strip().lower(), Language.OTHER.value)
