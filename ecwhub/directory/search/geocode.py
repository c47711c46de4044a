"""Turning a family's address or ZIP code into a point.

The default works offline: the centroid of the five-digit ZIP code (from the ``zipcodes``
package's bundled data). A deployment that wants street-level points sets
``DIRECTORY_SEARCH_GEOCODER`` to the dotted path of another class with the same ``locate`` method.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import zipcodes
from django.conf import settings
from django.utils.module_loading import import_string

_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    postal_code: str
    precision: str  # "zip" for a ZIP centroid, "address" for a geocoded street address


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


class ZipCentroidGeocoder:
    """Places a ZIP code, or the ZIP code found at the end of an address, at the ZIP's centroid."""

    def locate(self, text: str) -> Point | None:
        found = _ZIP.findall(text or "")
        return zip_centroid(found[-1]) if found else None


def geocoder() -> Geocoder:
    path = getattr(settings, "DIRECTORY_SEARCH_GEOCODER", "ecwhub.directory.search.geocode.ZipCentroidGeocoder")
    return import_string(path)()  # type: ignore[no-any-return]
