"""The search parameters, parsed the same way for the page and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecwhub.core.http import MAX_PAGE
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need
from ecwhub.families.models import InsuranceStatus

from .selectors import ORDER_DISTANCE, ORDER_RELEVANCE, SearchParams

KM_PER_MILE = 1.609344
RADIUS_MILES = (
    ("2", _("2 miles")),
    ("5", _("5 miles")),
    ("10", _("10 miles")),
    ("25", _("25 miles")),
    ("50", _("50 miles")),
)
DEFAULT_MILES = "25"
ORDERS = (
    (ORDER_RELEVANCE, _("Best match first")),
    (ORDER_DISTANCE, _("Nearest first")),
)
MAX_PAGE_SIZE = 100


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), max_length=200, required=False)
    need = forms.MultipleChoiceField(
        label=_("Needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(
        label=_("Language spoken"), choices=[("", _("Any language")), *Language.choices], required=False
    )
    dialect = forms.CharField(label=_("Dialect"), max_length=100, required=False)
    location = forms.CharField(
        label=_("ZIP code, city or address"),
        max_length=200,
        required=False,
        help_text=_(
            "Distances are measured from here: the centre of the ZIP code, or of the city when there is no ZIP code."
        ),
    )
    miles = forms.ChoiceField(label=_("Distance"), choices=RADIUS_MILES, required=False, initial=DEFAULT_MILES)
    order = forms.ChoiceField(
        label=_("Order of results"),
        choices=ORDERS,
        required=False,
        initial=ORDER_RELEVANCE,
        help_text=_("Nearest first needs a place (or a family's ZIP code)."),
    )
    child_age_months = forms.IntegerField(label=_("Child's age (months)"), min_value=0, max_value=216, required=False)
    insurance = forms.ChoiceField(
        label=_("Insurance"),
        choices=[("", _("Any")), *((k, v) for k, v in InsuranceStatus.choices if k != InsuranceStatus.UNKNOWN)],
        required=False,
    )
    free = forms.BooleanField(label=_("Free only"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    evenings = forms.BooleanField(label=_("Open evenings"), required=False)
    weekends = forms.BooleanField(label=_("Open weekends"), required=False)
    accepting = forms.BooleanField(label=_("Accepting referrals"), required=False)
    family = forms.UUIDField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("miles"):
            # The page's select shows the default radius, so a search without one uses it too.
            data = data.copy()
            data["miles"] = DEFAULT_MILES
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("dialect") and not data.get("language"):
            self.add_error("dialect", _("Choose the language this dialect belongs to."))
        return data

    def params(self) -> SearchParams:
        """The parameters of a valid form."""
        data = self.cleaned_data
        return SearchParams(
            text=data["q"],
            needs=tuple(dict.fromkeys(data["need"])),
            language=data["language"],
            dialect=data["dialect"],
            location=data["location"].strip(),
            radius_km=float(data["miles"] or DEFAULT_MILES) * KM_PER_MILE,
            child_age_months=data["child_age_months"],
            free_only=data["free"],
            insurance=data["insurance"],
            open_now=data["open_now"],
            evenings=data["evenings"],
            weekends=data["weekends"],
            accepting_only=data["accepting"],
            order=data["order"] or ORDER_RELEVANCE,
            page=data["page"] or 1,
            page_size=data["page_size"] or 20,
        )

    def has_criteria(self) -> bool:
        data = self.cleaned_data
        return any(data.get(k) for k in ("q", "need", "language", "location", "child_age_months", "insurance")) or any(
            data.get(k) for k in ("free", "open_now", "evenings", "weekends", "accepting", "family")
        )
