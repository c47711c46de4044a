"""Input for the care pages: worklist filters, EPSDT records, contacts, designated coordinators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.core.languages import Language

from .models import CareEventKind, Contact, Tier
from .selectors import WorklistFilters


class WorklistFilterForm(forms.Form):
    coordinator = forms.TypedChoiceField(label=_("Coordinator"), required=False, coerce=int, empty_value=None)
    organization = forms.TypedChoiceField(label=_("Organization"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(label=_("Language"), required=False)
    zip = forms.RegexField(
        label=_("ZIP code"),
        required=False,
        regex=r"^[0-9]{5}$",
        error_messages={"invalid": _("Enter a five-digit ZIP code, or leave it empty for every ZIP code.")},
    )
    tier = forms.TypedChoiceField(label=_("Tier"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, membership: Membership, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        coordinators = (
            Membership.objects.filter(organization_id=membership.organization_id, role=Role.COORDINATOR, is_active=True)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["coordinator"].choices = [("", _("Any coordinator"))] + [  # type: ignore[attr-defined]
            (m.user_id, m.user.get_full_name() or m.user.email) for m in coordinators
        ]
        self.fields["organization"].choices = [("", _("Any organization"))] + [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in Organization.objects.filter(is_active=True).order_by("name")
        ]
        self.fields["language"].choices = [("", _("Any language")), *Language.choices]  # type: ignore[attr-defined]
        self.fields["tier"].choices = [("", _("Any tier")), *Tier.choices]  # type: ignore[attr-defined]

    def filters(self) -> WorklistFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return WorklistFilters(
            coordinator=data.get("coordinator"),
            organization=data.get("organization"),
            language=data.get("language") or "",
            postal_code=data.get("zip") or "",
            tier=data.get("tier"),
        )


class OverdueFilterForm(WorklistFilterForm):
    kind = forms.ChoiceField(
        label=_("Overdue for"), required=False, choices=[("", _("Anything")), *list(CareEventKind.choices)]
    )


class EpsdtForm(forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why the service is medically necessary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(forms.Form):
    """A contact or an attempt: how, and what came of it. Nothing is chosen for the coordinator:
    "reached" is a fact they say, never a default."""

    method = forms.ChoiceField(
        label=_("How"),
        choices=[("", _("Choose how")), *Contact.Method.choices],
        error_messages={"required": _("Choose how you contacted the family.")},
    )
    outcome = forms.ChoiceField(
        label=_("What came of it"),
        choices=[("", _("Choose what came of it")), *Contact.Outcome.choices],
        error_messages={"required": _("Say whether you reached the family, or why not.")},
    )


class CareEventForm(forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("What was done"), choices=CareEventKind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


def _coordinators() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__role=Role.COORDINATOR,
        memberships__is_active=True,
        memberships__organization__is_active=True,
    ).distinct()


class CoordinatorAssignForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label=_("Designated coordinator"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the family's designated coordinator."),
            "invalid_choice": _("Choose a person who works as an active care coordinator."),
        },
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = _coordinators()  # type: ignore[attr-defined]


class CoordinatorTransferForm(forms.Form):
    to = forms.ModelChoiceField(
        label=_("New designated coordinator"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the new designated coordinator."),
            "invalid_choice": _("Choose a person who works as an active care coordinator."),
        },
    )
    handoff_note = forms.CharField(
        label=_("Handoff note"),
        min_length=20,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={
            "required": _("Write a handoff note of at least 20 characters for the new coordinator."),
            "min_length": _("Write a handoff note of at least 20 characters for the new coordinator."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _coordinators()  # type: ignore[attr-defined]
