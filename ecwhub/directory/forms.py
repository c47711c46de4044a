"""The form providers use to keep their listing current."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

from . import models as m
from .services import (
    MAX_AGE_MONTHS,
    WEEKDAYS,
    Hours,
    ListingEdit,
    NewLocation,
    PhoneEdit,
    location_label,
    locations_choosable,
    service_phones,
)

# Empty phone rows under the listing's numbers, for adding new ones.
SPARE_PHONE_ROWS = 2


class ListingForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a description: coordinators and families read it to choose a service.")},
    )
    accepting_referrals = forms.BooleanField(label=_("Accepting referrals now"), required=False)
    typical_wait_days = forms.IntegerField(label=_("Typical wait (days)"), min_value=0, max_value=10000, required=False)
    open_slots = forms.IntegerField(
        label=_("Open slots"),
        min_value=0,
        max_value=10000,
        required=False,
        help_text=_("Leave empty if you do not track slots."),
    )
    accepts_electronic_referrals = forms.BooleanField(
        label=_("Accepts referrals through the hub"),
        required=False,
        help_text=_(
            "Families can be referred to this service through the hub. Until the hub sends referrals itself, "
            "coordinators see this on the listing and in search results, and refer by phone or e-mail."
        ),
    )
    eligibility = forms.CharField(
        label=_("Who can use it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("For example: families living in the county with a child under 5."),
    )
    min_age_months = forms.IntegerField(
        label=_("Youngest age (months)"), min_value=0, max_value=MAX_AGE_MONTHS, required=False
    )
    max_age_months = forms.IntegerField(
        label=_("Oldest age (months)"),
        min_value=0,
        max_value=MAX_AGE_MONTHS,
        required=False,
        help_text=_("Leave both empty when the service is for any age."),
    )
    is_free = forms.BooleanField(label=_("Free of charge"), required=False)
    fees_description = forms.CharField(
        label=_("Fees"),
        max_length=2000,
        required=False,
        help_text=_("When it is not free: what it costs, and any sliding scale or coverage."),
    )
    locations = forms.MultipleChoiceField(
        label=_("Where it is offered"), widget=forms.CheckboxSelectMultiple, required=False
    )
    new_location_name = forms.CharField(label=_("Name of the new location"), max_length=200, required=False)
    new_location_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    new_location_city = forms.CharField(label=_("City"), max_length=100, required=False)
    new_location_zip = forms.CharField(label=_("ZIP code"), max_length=10, required=False)
    needs = forms.MultipleChoiceField(
        label=_("Needs this service meets"), choices=Need.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, service: m.Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["locations"].choices = [  # type: ignore[attr-defined]
            (str(loc.pk), location_label(loc)) for loc in locations_choosable(service)
        ]
        # One row per phone number of the listing, and spare rows for new ones.
        count = len(service_phones(service)) + SPARE_PHONE_ROWS
        if self.is_bound:
            while f"phone_{count}" in self.data:  # rows a browser added are kept
                count += 1
        self.phone_rows = []
        for i in range(count):
            self.fields[f"phone_{i}"] = forms.CharField(
                label=_("Phone number %(n)d") % {"n": i + 1}, max_length=40, required=False
            )
            self.fields[f"phone_note_{i}"] = forms.CharField(
                label=_("Note for phone number %(n)d") % {"n": i + 1},
                max_length=200,
                required=False,
                help_text=_("For example: Spanish line, or text messages only."),
            )
            self.phone_rows.append((self[f"phone_{i}"], self[f"phone_note_{i}"]))
        self.language_rows = []
        for code, label in Language.choices:
            self.fields[f"lang_{code}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"dialect_{code}"] = forms.CharField(
                label=_("Dialect of %(language)s") % {"language": label}, max_length=100, required=False
            )
            self.language_rows.append((self[f"lang_{code}"], self[f"dialect_{code}"]))
        # Two time ranges per day: enough for a clinic open 8-17 with evening hours 17:30-20.
        self.day_rows = []
        for code, label in m.Schedule.Weekday.choices:
            row: list[Any] = [label]
            for suffix in ("", "2"):
                for kind, text in (("opens", _("%(day)s opens")), ("closes", _("%(day)s closes"))):
                    name = f"{kind}{suffix}_{code}"
                    self.fields[name] = forms.TimeField(
                        label=text % {"day": label},
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time"}),
                    )
                    row.append(self[name])
            self.day_rows.append(tuple(row))

    @staticmethod
    def initial_for(service: m.Service, hours: list[Hours]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "description": service.description,
            "accepting_referrals": service.accepting_referrals,
            "typical_wait_days": service.typical_wait_days,
            "open_slots": service.open_slots,
            "accepts_electronic_referrals": service.accepts_electronic_referrals,
            "needs": list(service.needs.values_list("need", flat=True)),
            "eligibility": service.eligibility,
            "min_age_months": service.min_age_months,
            "max_age_months": service.max_age_months,
            "is_free": service.is_free,
            "fees_description": service.fees_description,
            "locations": [str(pk) for pk in service.service_at_locations.values_list("location_id", flat=True)],
        }
        for i, phone in enumerate(service_phones(service)):
            initial[f"phone_{i}"] = phone.number
            initial[f"phone_note_{i}"] = phone.description
        for language in service.languages.all():
            if language.language != Language.OTHER:
                initial[f"lang_{language.language}"] = True
                initial[f"dialect_{language.language}"] = language.dialect
        for h in hours:
            suffix = "2" if f"opens_{h.day}" in initial else ""
            initial[f"opens{suffix}_{h.day}"] = h.opens_at
            initial[f"closes{suffix}_{h.day}"] = h.closes_at
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in WEEKDAYS:
            for suffix in ("", "2"):
                opens, closes = data.get(f"opens{suffix}_{day}"), data.get(f"closes{suffix}_{day}")
                if (opens is None) != (closes is None):
                    self.add_error(
                        f"closes{suffix}_{day}", _("Give both the opening and the closing time, or neither.")
                    )
                elif opens is not None and closes is not None and closes <= opens:
                    self.add_error(f"closes{suffix}_{day}", _("The closing time must be after the opening time."))
        low, high = data.get("min_age_months"), data.get("max_age_months")
        if low is not None and high is not None and low > high:
            self.add_error("max_age_months", _("The oldest age must not be below the youngest."))
        for i, _row in enumerate(self.phone_rows):
            if data.get(f"phone_note_{i}") and not data.get(f"phone_{i}"):
                self.add_error(f"phone_{i}", _("Give the number this note is about, or remove the note."))
        place = [data.get(f"new_location_{k}", "").strip() for k in ("name", "address", "city", "zip")]
        if any(place):
            for key, value, message in (
                ("address", place[1], _("Give the new location's street address.")),
                ("city", place[2], _("Give the new location's city.")),
            ):
                if not value:
                    self.add_error(f"new_location_{key}", message)
            if not re.match(r"^\d{5}(?:-\d{4})?$", place[3]):
                self.add_error("new_location_zip", _("Give the new location's five-digit ZIP code."))
        return data

    def edit(self) -> ListingEdit:
        data = self.cleaned_data
        languages = [
            (code, data.get(f"dialect_{code}", "").strip()) for code in Language.values if data.get(f"lang_{code}")
        ]
        hours = [
            Hours(day, data[f"opens{suffix}_{day}"], data[f"closes{suffix}_{day}"])
            for day in WEEKDAYS
            for suffix in ("", "2")
            if data.get(f"opens{suffix}_{day}") is not None and data.get(f"closes{suffix}_{day}") is not None
        ]
        place = [data.get(f"new_location_{k}", "").strip() for k in ("name", "address", "city", "zip")]
        return ListingEdit(
            description=data["description"],
            accepting_referrals=data["accepting_referrals"],
            typical_wait_days=data["typical_wait_days"],
            clear_typical_wait_days=data["typical_wait_days"] is None,
            open_slots=data["open_slots"],
            clear_open_slots=data["open_slots"] is None,
            accepts_electronic_referrals=data["accepts_electronic_referrals"],
            languages=languages,
            needs=data["needs"],
            hours=hours,
            eligibility=data["eligibility"],
            min_age_months=data["min_age_months"],
            clear_min_age_months=data["min_age_months"] is None,
            max_age_months=data["max_age_months"],
            clear_max_age_months=data["max_age_months"] is None,
            is_free=data["is_free"],
            fees_description=data["fees_description"],
            phones=[
                PhoneEdit(data[f"phone_{i}"].strip(), data.get(f"phone_note_{i}", "").strip())
                for i in range(len(self.phone_rows))
                if data.get(f"phone_{i}", "").strip()
            ],
            location_ids=[uuid.UUID(pk) for pk in data["locations"]],
            new_location=NewLocation(name=place[0], address_1=place[1], city=place[2], postal_code=place[3])
            if any(place)
            else None,
        )
