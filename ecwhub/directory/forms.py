"""The form providers use to keep their listing current."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

from . import models as m
from .services import WEEKDAYS, Hours, ListingEdit


class ListingForm(forms.Form):
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    accepting_referrals = forms.BooleanField(label=_("Accepting referrals now"), required=False)
    typical_wait_days = forms.IntegerField(label=_("Typical wait (days)"), min_value=0, max_value=10000, required=False)
    open_slots = forms.IntegerField(
        label=_("Open slots"),
        min_value=0,
        max_value=10000,
        required=False,
        help_text=_("Leave empty if you do not track slots."),
    )
    accepts_electronic_referrals = forms.BooleanField(label=_("Accepts referrals through the hub"), required=False)
    needs = forms.MultipleChoiceField(
        label=_("Needs this service meets"), choices=Need.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        }
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
        )
