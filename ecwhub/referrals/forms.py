"""Forms of the referral pages. They only parse; the rules live in ``workflow`` and ``services``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecwhub.core.needs import Need
from ecwhub.families.display import person_name
from ecwhub.families.models import ContactMethod, Person
from ecwhub.screening.models import IdentifiedNeed

from .models import Handoff
from .services import NOTE_MAX, SERVICE_DELIVERED_MAX
from .workflow import RULES_BY_ACTION, Action, NeedResult, Reason


class ReferralForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("Needs this referral is for"), widget=forms.CheckboxSelectMultiple, required=True
    )
    person = forms.ChoiceField(label=_("For"), required=False)
    location = forms.ChoiceField(label=_("Where"), required=False)
    handoff = forms.ChoiceField(
        label=_("How the family meets the service"),
        choices=Handoff.choices,
        initial=Handoff.NONE,
        widget=forms.RadioSelect,
    )
    contact_method = forms.ChoiceField(label=_("How the family prefers to be contacted"), required=False)
    contact_times = forms.CharField(label=_("Best times to reach the family"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note for the service"),
        help_text=_("What the service should know to help. Shared with the receiving organization."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX,
        required=False,
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)

    def __init__(
        self,
        *args: Any,
        needs: Sequence[IdentifiedNeed],
        members: Sequence[Person],
        locations: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        names = {m.pk: person_name(m) for m in members}

        def need_label(need: IdentifiedNeed) -> str:
            label = str(Need(need.need).label)
            if need.person_id in names:
                return f"{label} · {names[need.person_id]}"
            return label

        self.fields["needs"].choices = [(str(n.pk), need_label(n)) for n in needs]  # type: ignore[attr-defined]
        self.fields["person"].choices = [("", _("The whole family"))] + [  # type: ignore[attr-defined]
            (str(m.pk), names[m.pk]) for m in members
        ]
        self.fields["location"].choices = [("", _("Any of the service's locations")), *locations]  # type: ignore[attr-defined]
        self.fields["contact_method"].choices = [("", _("No preference")), *ContactMethod.choices]  # type: ignore[attr-defined]


REASON_CHOICES = [("", _("Choose a reason")), *list(Reason.choices)]


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=Action.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.ChoiceField(label=_("Reason"), choices=REASON_CHOICES, required=False)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=NOTE_MAX, required=False
    )
    need_result = forms.ChoiceField(
        label=_("Did the family get what they needed?"),
        choices=[("", _("Choose")), *list(NeedResult.choices)],
        required=False,
    )
    service_delivered = forms.CharField(
        label=_("What service was delivered"), max_length=SERVICE_DELIVERED_MAX, required=False
    )

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = RULES_BY_ACTION.get(action)
        if rule is not None and rule.reasons:
            labels = dict(Reason.choices)
            self.fields["reason"].choices = [("", _("Choose a reason"))] + [  # type: ignore[attr-defined]
                (r, labels[r]) for r in rule.reasons
            ]


class StepForm(forms.Form):
    step = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=NOTE_MAX, required=False
    )
    appointment_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class SendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    acknowledged = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(label=_("I have read the warnings and send the referral anyway"), required=False)
