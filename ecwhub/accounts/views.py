"""Sign-in, two-factor, password reset, language, and the organization pages."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from ecwhub.core.models import Channel
from ecwhub.core.outbox import notify

from .forms import AddMemberForm, HubPasswordResetForm, SignInForm, TotpForm
from .middleware import SESSION_MEMBERSHIP_KEY, memberships_for, user_is_verified
from .models import Membership, Organization, Role, SecurityEvent, User
from .selectors import organization_get_for_admin, organizations_visible_to_admin
from .services import MembershipError, membership_add, membership_end, security_event_record


def _safe_next(request: HttpRequest, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


def _with_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        return _with_language(response, form.get_user().preferred_language)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """Shown instead of the sign-in form once django-axes has locked the account for this address."""
    email = str((credentials or {}).get("username") or request.POST.get("username") or "").lower()
    user = User.objects.filter(email__iexact=email).order_by("pk").first() if email else None
    security_event_record(kind=SecurityEvent.Kind.LOCKED_OUT, user=user, request=request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def _confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()  # type: ignore[no-any-return]


def _totp_rate_key(group: str, request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


def _rate(name: str) -> Any:
    """Read the limit at request time, so a deployment (or a test) can change it in settings."""
    return lambda group, request: settings.RATE_LIMITS[name]


def _second_factor_passed(request: HttpRequest, device: TOTPDevice) -> None:
    """Mark the session as verified under a new key: a key seen before the second factor (on a
    shared computer, in a proxy log) must not become a fully signed-in session."""
    otp_login(request, device)
    request.session.cycle_key()


@login_required
@ratelimit(key=_totp_rate_key, rate=_rate("totp"), method="POST", block=True)
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the code from the user's authenticator app."""
    user: User = request.user  # type: ignore[assignment]
    device = _confirmed_device(user)
    if device is None:
        return redirect(f"{reverse('accounts:enroll')}?next={_safe_next(request)}")
    if user_is_verified(request.user):
        return HttpResponseRedirect(_safe_next(request))
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = info.get("locked_until") if info else None
            form.add_error("code", _("Too many wrong codes. Wait a minute, then enter the newest code."))
            security_event_record(kind=SecurityEvent.Kind.TOTP_FAILED, user=user, request=request)
            return render(request, "accounts/verify.html", {"form": form, "locked_until": wait}, status=429)
        if device.verify_token(form.cleaned_data["code"]):
            _second_factor_passed(request, device)
            security_event_record(kind=SecurityEvent.Kind.TOTP_VERIFIED, user=user, request=request)
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", _("That code is not right, or it has expired. Enter the code your app shows now."))
        security_event_record(kind=SecurityEvent.Kind.TOTP_FAILED, user=user, request=request)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request)}, status=status)


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@ratelimit(key=_totp_rate_key, rate=_rate("totp"), method="POST", block=True)
def enroll(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the QR code, then confirm with a first code."""
    user: User = request.user  # type: ignore[assignment]
    if _confirmed_device(user) is not None:
        return redirect(f"{reverse('accounts:verify')}?next={_safe_next(request)}")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                security_event_record(kind=SecurityEvent.Kind.TOTP_ENROLLED, user=user, request=request)
            _second_factor_passed(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", _("That code is not right. Check the time on your phone and enter the newest code."))
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _safe_next(request),
    }
    return render(request, "accounts/enroll.html", context, status=400 if request.method == "POST" else 200)


def _reset_rate_key(group: str, request: HttpRequest) -> str:
    return str(request.POST.get("email", "")).strip().lower() or "blank"


@method_decorator(ratelimit(key="ip", rate=_rate("password_reset"), method="POST", block=True), name="post")
@method_decorator(ratelimit(key=_reset_rate_key, rate=_rate("password_reset"), method="POST", block=True), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = HubPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: HubPasswordResetForm) -> HttpResponse:  # type: ignore[override]
        user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        security_event_record(kind=SecurityEvent.Kind.PASSWORD_RESET_REQUESTED, user=user, request=self.request)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event_record(kind=SecurityEvent.Kind.PASSWORD_CHANGED, user=form.user, request=self.request)
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language, and remember it for the signed-in user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response


@login_required
@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Act as another of the user's memberships (organization and role)."""
    wanted = request.POST.get("membership", "")
    match = next((m for m in memberships_for(request) if str(m.pk) == wanted), None)
    if match is None:
        raise Http404
    request.session[SESSION_MEMBERSHIP_KEY] = match.pk
    return redirect("home")


# --- Organization administration -------------------------------------------------------------


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """The organizations a user administers: every one for a hub administrator, else their own."""
    organizations = organizations_visible_to_admin(request.user)  # type: ignore[arg-type]
    if not organizations.exists():
        raise Http404
    return render(request, "accounts/organization_list.html", {"organizations": organizations})


@login_required
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Members of one organization, for its administrators and the hub's. 404 for anyone else."""
    organization = organization_get_for_admin(request.user, slug)  # type: ignore[arg-type]
    user: User = request.user  # type: ignore[assignment]
    is_hub_admin = Membership.objects.filter(
        user=user, role=Role.HUB_ADMIN, is_active=True, organization__kind="hub"
    ).exists()
    form = AddMemberForm(request.POST or None, allow_hub_admin=is_hub_admin and organization.is_hub)
    if request.method == "POST" and request.POST.get("action") == "add" and form.is_valid():
        try:
            member_add_with_invite(request=request, organization=organization, data=form.cleaned_data)
        except MembershipError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Member added. They will receive an e-mail to choose a password."))
            return redirect("accounts:organization", slug=organization.slug)
    if request.method == "POST" and request.POST.get("action") == "end":
        membership = organization.memberships.filter(
            pk=request.POST.get("membership", "0") or 0, is_active=True
        ).first()
        if membership is None:
            raise Http404
        if membership.user_id == user.pk:
            raise PermissionDenied
        membership_end(acting_user=user, membership=membership)
        messages.success(request, _("Membership ended."))
        return redirect("accounts:organization", slug=organization.slug)
    members = organization.memberships.select_related("user").order_by(
        "-is_active", "user__last_name", "user__first_name"
    )
    return render(
        request,
        "accounts/organization_detail.html",
        {"organization": organization, "members": members, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def member_add_with_invite(*, request: HttpRequest, organization: Organization, data: dict[str, Any]) -> Membership:
    """Create (or reuse) the account, add the membership, and e-mail a link to choose a password."""
    with transaction.atomic():
        email = data["email"].lower()
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        created = user is None
        if user is None:
            user = User.objects.create_user(email, None, first_name=data["first_name"], last_name=data["last_name"])
        membership = membership_add(
            acting_user=request.user,  # type: ignore[arg-type]
            user=user,
            organization=organization,
            role=data["role"],
            title=data.get("title", ""),
        )
        if created:
            # PasswordResetForm skips accounts without a usable password, which new members are.
            context = {
                "protocol": "https" if request.is_secure() else "http",
                "domain": request.get_host(),
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            }
            notify(
                channel=Channel.EMAIL,
                recipient=user.email,
                subject=render_to_string("accounts/email/invite_subject.txt", context).strip(),
                body=render_to_string("accounts/email/invite.txt", context),
                language=get_language(),
                key=f"invitation:membership:{membership.pk}",
            )
    return membership
