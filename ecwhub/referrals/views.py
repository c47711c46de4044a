"""Referral pages (filled in below)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


my_referrals = inbox = referral_new = referral_detail = referral_send_view = referral_act = referral_print = _todo
