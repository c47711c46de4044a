"""Forms for consents, agreements and emergency access.

The forms only parse: the rules (who may give consent, a witness for verbal consent, dates in
order...) live in ``consent.services`` and come back as ``ConsentError``, which ``add_service_error``
puts on the field it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ecwhub.accounts.models import Organization
from ecwhub.families.display import person_name
from ecwhub.families.models import Household, Person

from .models import DEFAULT_CONSENT_CATEGORIES, SENSITIVE_CATEGORIES, Consent, DataCategory, Purpose
from .policy import YOUTH_AGE_YEARS
from .services import ConsentError

# The messages ``consent.services`` raises, so that they are extracted into the catalog and shown
# in the reader's language (``gettext`` finds them at display time). Keep in step with services.py.
SERVICE_MESSAGES = (
    gettext_noop("Choose at least one."),
    gettext_noop("Only a hub administrator records or ends agreements."),
    gettext_noop("An agreement needs at least two parties."),
    gettext_noop("Give the agreement a title."),
    gettext_noop("Say where the signed copy is kept."),
    gettext_noop("The end date is before the start date."),
    gettext_noop("Say why the agreement ends."),
    gettext_noop("This agreement has already been terminated."),
    gettext_noop("The person giving consent must belong to this family."),
    gettext_noop("That person is not in this family."),
    gettext_noop("Consent is given by a caregiver or legal guardian, or by a young person 12 or older for themself."),
    gettext_noop("Choose how consent was given."),
    gettext_noop("Verbal consent needs the name of a witness."),
    gettext_noop("Choose one of the sensitive categories."),
    gettext_noop("Write the note."),
    gettext_noop("The family's consent or your role does not cover this category."),
    gettext_noop("Say where the scanned paper form is kept."),
    gettext_noop("Choose the whole network or at least one organization."),
    gettext_noop("Record which version of the consent text was used."),
    gettext_noop("Unknown language."),
    gettext_noop("The consent must expire after it is given."),
    gettext_noop("This consent was already withdrawn."),
    gettext_noop("Only care coordinators and clinicians can use emergency access."),
    gettext_noop("Describe the emergency in at least 20 characters."),
)

CONSENT_TEXT_VERSION = "2026-1"
SENSITIVE_VALUES = frozenset(str(c) for c in SENSITIVE_CATEGORIES)


def service_error_message(error: ConsentError) -> str:
    """The service's message in the reader's language."""
    return gettext(str(error))


class ServiceErrorsMixin:
    """Puts a ``ConsentError`` on the field it names, or above the form when no field matches."""

    fields: dict[str, forms.Field]

    def add_service_error(self, error: ConsentError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, service_error_message(error))  # type: ignore[attr-defined]


def _checkboxes() -> forms.CheckboxSelectMultiple:
    return forms.CheckboxSelectMultiple()


class ConsentForm(ServiceErrorsMixin, forms.Form):
    NETWORK = "network"
    CHOSEN = "organizations"

    given_by = forms.ChoiceField(
        label=_("Given by"),
        help_text=_("A parent, caregiver or legal guardian; a young person 12 or older only for themself."),
    )
    person = forms.ChoiceField(label=_("About"), required=False)
    scope = forms.ChoiceField(
        label=_("Shared with"),
        choices=[(NETWORK, _("The whole network")), (CHOSEN, _("Only the organizations chosen below"))],
        initial=NETWORK,
        widget=forms.RadioSelect,
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organizations"), queryset=Organization.objects.none(), required=False, widget=_checkboxes()
    )
    categories = forms.MultipleChoiceField(
        label=_("What may be shared"), choices=DataCategory.choices, required=False, widget=_checkboxes()
    )
    purposes = forms.MultipleChoiceField(
        label=_("What for"), choices=Purpose.choices, required=False, widget=_checkboxes()
    )
    method = forms.ChoiceField(
        label=_("How consent was given"), choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    witness = forms.CharField(
        label=_("Witness"), max_length=200, required=False, help_text=_("Required when consent is given verbally.")
    )
    document = forms.CharField(
        label=_("Scanned document reference"),
        max_length=300,
        required=False,
        help_text=_("Required for a paper form: where the scanned copy is kept."),
    )
    text_version = forms.CharField(label=_("Consent text version"), max_length=40, initial=CONSENT_TEXT_VERSION)
    language = forms.ChoiceField(label=_("Language of the consent text"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, household: Household, members: Sequence[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(p.pk): p for p in members}
        youth_months = YOUTH_AGE_YEARS * 12
        givers: list[tuple[str, str]] = [("", gettext("Choose a person"))]
        for person in members:
            if person.relationship in (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN):
                givers.append((str(person.pk), f"{person_name(person)} · {person.get_relationship_display()}"))
            elif person.age_in_months() >= youth_months:
                label = gettext("%(name)s · for themself only") % {"name": person_name(person)}
                givers.append((str(person.pk), label))
        self.fields["given_by"].choices = givers  # type: ignore[attr-defined]
        self.fields["person"].choices = [("", gettext("The whole family"))] + [  # type: ignore[attr-defined]
            (str(p.pk), person_name(p)) for p in members
        ]
        self.fields["organizations"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")
        self.fields["categories"].initial = [str(c) for c in DEFAULT_CONSENT_CATEGORIES]
        self.fields["purposes"].initial = [Purpose.CARE_COORDINATION, Purpose.REFERRAL]
        self.fields["language"].initial = (
            household.preferred_language if household.preferred_language in dict(settings.LANGUAGES) else "es"
        )

    @property
    def sensitive_values(self) -> frozenset[str]:
        return SENSITIVE_VALUES

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned input, in the shape ``consent_record`` takes."""
        data = self.cleaned_data
        network_wide = data["scope"] == self.NETWORK
        return {
            "given_by": self.members[data["given_by"]],
            "person": self.members.get(data["person"]) if data["person"] else None,
            "network_wide": network_wide,
            "organizations": [] if network_wide else list(data["organizations"]),
            "categories": data["categories"],
            "purposes": data["purposes"],
            "method": data["method"],
            "witness": data["witness"],
            "document": data["document"],
            "text_version": data["text_version"],
            "language": data["language"],
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class EmergencyAccessForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for emergency access"),
        help_text=_("Describe the emergency in at least 20 characters."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AgreementForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Organization.objects.none(),
        required=False,
        widget=_checkboxes(),
        help_text=_("At least two organizations."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories covered"), choices=DataCategory.choices, required=False, widget=_checkboxes()
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes covered"), choices=Purpose.choices, required=False, widget=_checkboxes()
    )
    effective_from = forms.DateField(label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}))
    effective_until = forms.DateField(
        label=_("In force until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for an agreement without an end date."),
    )
    signed_document = forms.CharField(
        label=_("Signed document reference"), max_length=300, help_text=_("Where the signed copy is kept.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")

    @property
    def sensitive_values(self) -> frozenset[str]:
        return SENSITIVE_VALUES


class TerminateForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for ending the agreement"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
