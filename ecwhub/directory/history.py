"""A listing's history as a person reads it: each change named by the field's label in the page's
language, and its values written as the listing page writes them (needs and languages by name,
yes/no, days and times in the page's formats), never as stored codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

from . import models as m

# One date-and-time format for every moment on the page (the change's time and a verification's).
DATETIME_FORMAT = "SHORT_DATETIME_FORMAT"

# The listing's parts a provider edits, by the name the history stores (labels as on the edit form).
FIELD_LABELS = {
    "description": gettext_lazy("Description"),
    "accepting_referrals": gettext_lazy("Accepting referrals now"),
    "typical_wait_days": gettext_lazy("Typical wait (days)"),
    "open_slots": gettext_lazy("Open slots"),
    "accepts_electronic_referrals": gettext_lazy("Accepts referrals through the hub"),
    "languages": gettext_lazy("Languages staff speak"),
    "needs": gettext_lazy("Needs this service meets"),
    "hours": gettext_lazy("Weekly hours"),
    "last_verified_at": gettext_lazy("Last verified"),
    "eligibility": gettext_lazy("Who can use it"),
    "min_age_months": gettext_lazy("Youngest age (months)"),
    "max_age_months": gettext_lazy("Oldest age (months)"),
    "is_free": gettext_lazy("Free of charge"),
    "fees_description": gettext_lazy("Fees"),
    "locations": gettext_lazy("Locations"),
    "phones": gettext_lazy("Phone numbers"),
}
_BOOLEANS = {"True": gettext_lazy("Yes"), "False": gettext_lazy("No")}


@dataclass(frozen=True)
class ChangeRow:
    changed_at: datetime
    who: str
    what: str
    before: str
    after: str


def field_label(name: str) -> str:
    """The label of a listing field in the active language; a field edited elsewhere (the admin
    site) by its model label when it has a translated one, else a plain "Other details"."""
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    try:
        verbose = m.Service._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return _("Other details")
    text = str(verbose)
    if text == name.replace("_", " "):  # Django's default from the column name: not a label
        return _("Other details")
    return text[:1].upper() + text[1:]


def _moment(value: str) -> str:
    moment = parse_datetime(value)
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, DATETIME_FORMAT)


def _hours(value: str) -> str:
    days = dict(m.Schedule.Weekday.choices)
    shown = []
    for part in value.split(";"):
        day, _space, span = part.strip().partition(" ")
        opens, _dash, closes = span.partition("-")
        try:
            start, end = time.fromisoformat(opens), time.fromisoformat(closes)
        except ValueError:
            shown.append(part.strip())
            continue
        opens_at, closes_at = formats.time_format(start, "TIME_FORMAT"), formats.time_format(end, "TIME_FORMAT")
        shown.append(f"{days.get(day, day)} {opens_at}–{closes_at}")
    return "; ".join(s for s in shown if s)


def _languages(value: str) -> str:
    labels = dict(Language.choices)
    shown = []
    for part in value.split(", "):
        code, _space, dialect = part.strip().partition(" ")
        if not code:
            continue
        name = str(labels.get(code, code))
        shown.append(f"{name} ({dialect})" if dialect else name)
    return ", ".join(shown)


def _needs(value: str) -> str:
    labels = dict(Need.choices)
    return ", ".join(str(labels.get(code.strip(), code.strip())) for code in value.split(",") if code.strip())


def value_shown(name: str, value: str) -> str:
    if not value:
        return "—"
    if value in _BOOLEANS:
        return str(_BOOLEANS[value])
    if name == "last_verified_at":
        return _moment(value)
    if name == "hours":
        return _hours(value)
    if name == "languages":
        return _languages(value)
    if name == "needs":
        return _needs(value)
    if name in ("typical_wait_days", "open_slots", "min_age_months", "max_age_months"):
        return formats.number_format(int(value)) if value.isdigit() else value
    try:
        field = m.Service._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, value))


def history_rows(changes: Iterable[m.ServiceChange]) -> list[ChangeRow]:
    rows = []
    for change in changes:
        what = change.get_kind_display()
        if change.field and change.kind != m.ServiceChange.Kind.IMPORT:
            what = f"{what}: {field_label(change.field)}"
        who = change.changed_by.get_full_name() if change.changed_by else ""
        rows.append(
            ChangeRow(
                changed_at=change.changed_at,
                who=who or _("import"),
                what=what,
                before=value_shown(change.field, change.old_value) if change.field else "",
                after=value_shown(change.field, change.new_value) if change.field else change.new_value,
            )
        )
    return rows
