from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ecwhub.core.logging import request_id_var
from ecwhub.core.models import Channel
from ecwhub.core.outbox import notify

from .models import Role


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    error_messages = {
        "invalid_login": _(
            "That e-mail address and password do not match an account. Check both and try again; "
            "after several wrong tries the account is locked for a while."
        ),
        "inactive": _("This account is not active. Ask your organization's administrator."),
    }

    def clean_username(self) -> str:
        # In lower case, as addresses are stored, so that the lockout counts every spelling together.
        return str(self.cleaned_data["username"]).strip().lower()


class TotpForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 8, "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class HubPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Queue the message in the outbox instead of sending it inside the request."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        # One notice per request for a reset link: a request processed twice queues it once.
        key = f"password-reset:{context['uid']}:{context['token']}:{request_id_var.get()}"
        notify(channel=Channel.EMAIL, recipient=to_email, subject=subject, body=body, language=get_language(), key=key)


class AddMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=[])
    title = forms.CharField(label=_("Job title"), max_length=120, required=False)

    def __init__(self, *args: Any, allow_hub_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = [(value, label) for value, label in Role.choices if allow_hub_admin or value != Role.HUB_ADMIN]
        self.fields["role"].choices = roles  # type: ignore[attr-defined]
