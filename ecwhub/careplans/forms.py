"""Input for the care team, team notes, the care plan, the family's comments and the case review.
The forms parse; the services (``services.py``) decide and say which field is at fault."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization, User
from ecwhub.care.agenda import ReviewReason
from ecwhub.consent.models import DataCategory
from ecwhub.core.languages import Language

from .models import BarrierReason, GoalStatus, TeamRole, default_target_date
from .services import GOAL_MAX, NOTE_MAX, PlanError

REVIEW_DAYS = (7, 14, 30, 90)
REVIEW_REASONS = [(str(r), str(r)) for r in ReviewReason]


class PlanForm(forms.Form):
    def apply(self, error: PlanError, aliases: dict[str, str] | None = None) -> None:
        """Show a service's refusal on the field it names (or above the form)."""
        name = (aliases or {}).get(error.field, error.field)
        self.add_error(name if name in self.fields else None, str(error))


class TeamMemberForm(PlanForm):
    role = forms.ChoiceField(label=_("Role on the team"), choices=[("", "—"), *TeamRole.choices])
    person = forms.ChoiceField(
        label=_("Member of the family"),
        required=False,
        help_text=_("For a caregiver or a young person (12 or older)."),
    )
    email = forms.EmailField(
        label=_("Staff member's e-mail"), required=False, help_text=_("For everyone else on the team.")
    )
    organization = forms.ModelChoiceField(
        label=_("Their organization"), queryset=Organization.objects.none(), required=False
    )
    # The service's field names, as this form calls them.
    ALIASES = {"member": "email"}

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *people]  # type: ignore[attr-defined]
        self.fields["organization"].queryset = Organization.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]

    def member(self) -> User | None:
        email = self.cleaned_data.get("email") or ""
        if not email:
            return None
        return User.objects.filter(email__iexact=email, is_active=True).first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email") and self.member() is None:
            self.add_error("email", _("No one with this e-mail address works in the network."))
        return data


class TeamNoteForm(PlanForm):
    category = forms.ChoiceField(
        label=_("Kind of information"),
        choices=DataCategory.choices,
        initial=DataCategory.CASE_NOTES,
        help_text=_("Only the people the family's consent lets see this kind of information will read the note."),
    )
    text = forms.CharField(label=_("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class GoalForm(PlanForm):
    text = forms.CharField(
        label=_("The goal, in the family's words"),
        max_length=GOAL_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Write it as the family says it, in their language."),
    )
    language = forms.ChoiceField(label=_("Language it is written in"), choices=Language.choices)
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("13 weeks from today if left empty."),
    )
    needs = forms.MultipleChoiceField(label=_("Needs it works on"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, needs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = needs  # type: ignore[attr-defined]
        self.fields["target_date"].initial = default_target_date()


class ProgressForm(PlanForm):
    note = forms.CharField(label=_("What happened"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Keep the status")), *GoalStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class BarrierForm(PlanForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *BarrierReason.choices])
    text = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the reason is “other”."),
    )
    goal = forms.ChoiceField(label=_("Goal it stands in the way of"), required=False)
    need = forms.ChoiceField(label=_("Or the need"), required=False)

    def __init__(self, *args: Any, goals: list[tuple[str, str]], needs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", "—"), *goals]  # type: ignore[attr-defined]
        self.fields["need"].choices = [("", "—"), *needs]  # type: ignore[attr-defined]


class CommentForm(PlanForm):
    note = forms.CharField(label=_("Your comment"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Since"),
        coerce=int,
        choices=[
            (7, _("The last 7 days")),
            (14, _("The last 14 days")),
            (30, _("The last 30 days")),
            (90, _("The last 90 days")),
        ],
        initial=7,
        required=False,
        empty_value=None,
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=[("", "—"), *REVIEW_REASONS])
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=10_000)

    def choice(self) -> tuple[int, Any, str, int]:
        """(days, since, reason or "", page): the defaults for anything missing or refused."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        days = data.get("days") or REVIEW_DAYS[0]
        return days, timezone.now() - timedelta(days=days), data.get("reason") or "", data.get("page") or 1
