"""Screening instrument definitions, one JSON file per instrument.

Each file is shaped like a FHIR Questionnaire (items, LOINC codes, answer options, enableWhen)
with texts in English and Spanish, plus a ``scoring`` block that states the instrument's
published rules as data. ``ecwhub.screening.scoring`` loads, validates and applies them.
"""

from __future__ import annotations

from pathlib import Path

INSTRUMENTS_DIR = Path(__file__).resolve().parent


def available_instruments() -> list[str]:
    """The ids of the instruments shipped with the hub, sorted."""
    return sorted(path.stem for path in INSTRUMENTS_DIR.glob("*.json"))
