from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from ecwhub.core.needs import Need

from .definitions import DefinitionInput, StepInput
from .models import CONFIRM_AFTER_MAX, TIME_LIMIT_MAX, StepKind
from .workflow import Closure, IncompleteReason


class DefinitionForm(forms.Form):
    key = forms.SlugField(
        label=_("Key"), max_length=60, help_text=_("Letters, digits and hyphens; never shown to families.")
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.MultipleChoiceField(
        label=_("Needs it addresses"), choices=Need.choices, widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.CharField(
        label=_("Completion outcome"), max_length=300, help_text=_("Measurable: what must be true.")
    )
    confirm_after_days = forms.IntegerField(
        label=_("Confirm the outcome after (days)"),
        min_value=0,
        max_value=CONFIRM_AFTER_MAX,
        initial=0,
        help_text=_("0: confirmed when observed; 30 for employment: the person has been employed for 30 days."),
    )
    time_limit_days = forms.IntegerField(label=_("Time limit (days)"), min_value=1, max_value=TIME_LIMIT_MAX)
    source = forms.CharField(
        label=_("Source"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where this definition was drawn from."),
    )
    active = forms.BooleanField(label=_("Active: coordinators can open it"), required=False, initial=True)


class StepForm(forms.Form):
    order = forms.IntegerField(label=_("Place"), min_value=1, max_value=99, required=False)
    title = forms.CharField(label=_("Step"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices, initial=StepKind.ACTION)
    time_limit_days = forms.IntegerField(
        label=_("Time limit (days from the opening)"), min_value=1, max_value=TIME_LIMIT_MAX, required=False
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    need = forms.ChoiceField(label=_("Need referred for"), choices=[("", "—"), *Need.choices], required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("title") or "").strip() and not data.get("order") and not data.get("time_limit_days")


StepFormSet = formset_factory(StepForm, extra=2, max_num=30)


def definition_input(form: DefinitionForm, steps: forms.BaseFormSet) -> tuple[DefinitionInput, list[int]]:
    """The input the service checks, from forms that passed their own type checks, and the index
    in the formset of each step kept (blank rows are left out)."""
    data = form.cleaned_data
    rows = [f for f in steps.forms if hasattr(f, "cleaned_data") and not f.is_blank()]  # type: ignore[attr-defined]
    return DefinitionInput(
        key=data.get("key") or "",
        name=data.get("name") or "",
        description=data.get("description") or "",
        needs=list(data.get("needs") or []),
        outcome=data.get("outcome") or "",
        confirm_after_days=data.get("confirm_after_days"),
        time_limit_days=data.get("time_limit_days"),
        source=data.get("source") or "",
        active=bool(data.get("active")),
        steps=[
            StepInput(
                order=f.cleaned_data.get("order"),
                title=f.cleaned_data.get("title") or "",
                kind=f.cleaned_data.get("kind") or "",
                time_limit_days=f.cleaned_data.get("time_limit_days"),
                required=bool(f.cleaned_data.get("required")),
                need=f.cleaned_data.get("need") or "",
            )
            for f in rows
        ],
    ), [steps.forms.index(f) for f in rows]


class OpenForm(forms.Form):
    need = forms.UUIDField(label=_("Need"))
    definition = forms.IntegerField(label=_("Pathway"))


class StepCompleteForm(forms.Form):
    outcome_since = forms.DateField(
        label=_("The outcome holds since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class LinkReferralForm(forms.Form):
    referral = forms.UUIDField(label=_("Referral"))


class SubmitForm(forms.Form):
    closure = forms.ChoiceField(label=_("How the pathway closes"), choices=Closure.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Why it finished incomplete"), choices=[("", "—"), *IncompleteReason.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the closure")), ("send_back", _("Send back to the coordinator"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CountsForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=_("Count by"),
        choices=[
            ("coordinator", _("Coordinator")),
            ("organization", _("Organization")),
            ("payer", _("Payer")),
            ("month", _("Month")),
        ],
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:  # type: ignore[operator]
            self.add_error("end", _("The end of the period comes after its start."))
        return data
