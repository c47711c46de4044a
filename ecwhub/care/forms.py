"""Input for the care pages: worklist filters, EPSDT records, contacts, designated coordinators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Membership, Organization, Role, User
from ecwhub.core.languages import Language

from .models import MINUTES_MAX, CareEventKind, CareTask, Contact, Funding, Tier, Topic
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


class EncounterForm(ContactForm):
    """An encounter with the family, on one page: how and what came of it (the contact's fields),
    then its facts. The participants, needs and the registered link kinds' choices are the family's,
    given by the view from what the user may see."""

    method = forms.ChoiceField(
        label=_("How"),
        choices=[("", _("Choose how")), *Contact.Method.choices],
        error_messages={"required": _("Choose how you met or contacted the family.")},
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        required=False,
        min_value=1,
        max_value=MINUTES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Write the minutes as a whole number."),
            "min_value": _("Minutes go from 1 to 600."),
            "max_value": _("Minutes go from 1 to 600."),
        },
    )
    participants = forms.MultipleChoiceField(
        label=_("Who took part"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose the participants among the family's members.")},
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        required=False,
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose the topics from the list.")},
    )
    topics_other = forms.CharField(
        label=_("Other topic, in a few words"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Keep the other topic under 200 characters.")},
    )
    interpreter_used = forms.BooleanField(label=_("An interpreter took part"), required=False)
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter's language"),
        required=False,
        choices=[("", _("No interpreter")), *Language.choices],
        error_messages={"invalid_choice": _("Choose the interpreter's language from the list.")},
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs worked on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose the needs among the family's needs.")},
    )
    funding = forms.ChoiceField(
        label=_("Funding source"),
        required=False,
        choices=[("", _("Not said")), *Funding.choices],
        error_messages={"invalid_choice": _("Choose the funding source from the list.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Keep the note under 4,000 characters.")},
    )

    def __init__(
        self,
        *args: Any,
        participants: list[tuple[str, str]],
        needs: list[tuple[str, str]],
        links: list[tuple[str, str, list[tuple[str, str]]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = participants  # type: ignore[attr-defined]
        self.fields["needs"].choices = needs  # type: ignore[attr-defined]
        self.link_keys = [key for key, _label, _choices in links]
        for key, label, choices in links:
            self.fields[key] = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose among the family's open items.")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used = data.get("interpreter_used")
        language = data.get("interpreter_language")
        if used and not language:
            self.add_error("interpreter_language", _("Say in which language the interpreter worked."))
        if not used and language:
            self.add_error(
                "interpreter_used", _("Tick this box when an interpreter took part, or leave the language empty.")
            )
        if "other" in (data.get("topics") or []) and not (data.get("topics_other") or "").strip():
            self.add_error("topics_other", _("Say in a few words what the other topic was."))
        return data

    def links(self) -> dict[str, list[str]]:
        return {key: list(self.cleaned_data.get(key) or []) for key in self.link_keys}


class TaskForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"),
        choices=[("", _("Choose what")), *CareTask.Kind.choices],
        error_messages={"required": _("Choose what the task is.")},
    )
    due = forms.DateField(
        label=_("Due"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose the day the task is due."), "invalid": _("Enter a date.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Keep the note under 2,000 characters.")},
    )
