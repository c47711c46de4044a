"""Sign-in events become SecurityEvent rows (user ids only; the attempted e-mail is not kept)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import SecurityEvent, User
from .services import security_event_record


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    security_event_record(kind=SecurityEvent.Kind.SIGNED_IN, user=user, request=request)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        security_event_record(kind=SecurityEvent.Kind.SIGNED_OUT, user=user, request=request)


@receiver(user_login_failed)
def _signin_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    email = str(credentials.get("username") or credentials.get("email") or "").lower()
    user = User.objects.filter(email=email).first() if email else None
    security_event_record(kind=SecurityEvent.Kind.SIGNIN_FAILED, user=user, request=request)
