"""Which Fellegi–Sunter model is in use: the newest saved ``LinkageModel`` of a layout, or the
model shipped with the hub (``person_model.json``, EM-trained on the synthetic demo population
with realistic corruption) until the hub trains its own with ``manage.py link_records --train``."""

from __future__ import annotations

import time
from pathlib import Path

from .model import FellegiSunter
from .models import LinkageModel

SHIPPED = Path(__file__).resolve().parent / "person_model.json"
_CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, FellegiSunter, int | None]] = {}


def shipped_model() -> FellegiSunter:
    return FellegiSunter.from_file(SHIPPED)


def current_model(schema: str = "person") -> tuple[FellegiSunter, int | None]:
    """(model, LinkageModel id or None for the shipped one), cached for a minute per process."""
    cached = _cache.get(schema)
    now = time.monotonic()
    if cached and now - cached[0] < _CACHE_SECONDS:
        return cached[1], cached[2]
    row = LinkageModel.objects.filter(schema=schema).order_by("-created_at", "-id").first()
    if row is not None:
        model, model_id = FellegiSunter.from_json(row.parameters), row.pk
    else:
        model, model_id = shipped_model(), None
    _cache[schema] = (now, model, model_id)
    return model, model_id


def forget_current_model() -> None:
    _cache.clear()
