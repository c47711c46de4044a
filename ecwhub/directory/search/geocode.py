"""Turning a family's address, ZIP code or city into a point.

The default works offline, from the ``zipcodes`` package's bundled data: the centroid of the
five-digit ZIP code; without a ZIP code, the centre of a city or town of the hub's state
(``DIRECTORY_SEARCH_STATE``, California by default): the mean of its standard ZIP codes'
centroids. A deployment that wants street-level points sets ``DIRECTORY_SEARCH_GEOCODER`` to the
dotted path of another class with the same ``locate`` method.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import zipcodes
from django.conf import settings
from django.utils.module_loading import import_string

from ecwhub.core.text import fold_diacritics

_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
DEFAULT_STATE = "CA"


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    postal_code: str
    precision: str  # "zip" for a ZIP centroid, "city" for a city's centre, "address" for a geocoded street address


class Geocoder(Protocol):
    def locate(self, text: str) -> Point | None:
        """A point for a ZIP code or an address; None when it cannot be placed."""


@lru_cache(maxsize=4096)
def zip_centroid(postal_code: str) -> Point | None:
    try:
        rows = zipcodes.matching(postal_code)
    except (TypeError, ValueError):
        return None
    if not rows or not rows[0].get("lat"):
        return None
    return Point(float(rows[0]["lat"]), float(rows[0]["long"]), rows[0]["zip_code"], "zip")


def hub_state() -> str:
    return str(getattr(settings, "DIRECTORY_SEARCH_STATE", DEFAULT_STATE)).upper()


def _city_key(text: str) -> str:
    return " ".join(fold_diacritics(text).replace(".", " ").split())


@lru_cache(maxsize=8)
def _cities(state: str) -> dict[str, Point]:
    """Every city and town of ``state`` by its folded name, at the mean of its standard ZIP centroids."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in zipcodes.filter_by(state=state):
        if row.get("active") and row.get("zip_code_type") == "STANDARD" and row.get("lat"):
            grouped.setdefault(_city_key(row["city"]), []).append(row)
    return {
        city: Point(
            round(sum(float(r["lat"]) for r in rows) / len(rows), 4),
            round(sum(float(r["long"]) for r in rows) / len(rows), 4),
            min(r["zip_code"] for r in rows),
            "city",
        )
        for city, rows in grouped.items()
    }


def city_centre(text: str, state: str | None = None) -> Point | None:
    """The centre of a city or town of the hub's state named in ``text`` ("Alhambra", "alhambra, ca",
    "100 Main St, Alhambra"); None when none is named."""
    state = state or hub_state()
    cities = _cities(state)
    parts = [_city_key(p) for p in (text or "").split(",")]
    parts = [p for p in parts if p]
    # The last part that names a city wins, after dropping the state ("Alhambra, CA 91801" has a ZIP).
    for part in reversed(parts):
        words = part.split()
        if len(words) > 1 and words[-1] in (state.lower(), "california" if state == "CA" else ""):
            part = " ".join(words[:-1])
        if part in cities:
            return cities[part]
    return None


class ZipCentroidGeocoder:
    """Places a ZIP code, or the ZIP code found at the end of an address, at the ZIP's centroid; text
    without a ZIP code, at the centre of the city or town of the hub's state it names."""

    def locate(self, text: str) -> Point | None:
        found = _ZIP.findall(text or "")
        if found:
            return zip_centroid(found[-1])
        return city_centre(text)


def geocoder() -> Geocoder:
    path = getattr(settings, "DIRECTORY_SEARCH_GEOCODER", "ecwhub.directory.search.geocode.ZipCentroidGeocoder")
    return import_string(path)()  # type: ignore[no-any-return]
