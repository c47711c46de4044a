"""The family's word after a completed referral, and the notices the family gets about its referrals.

When a referral is completed (``services.referral_transition``), ``feedback_request`` makes the
referral's feedback link and sends it to the family: by e-mail to a caregiver's account and by text
message to a caregiver who said texts are fine. The link needs no password: it carries the link's
id, signed (``django.core.signing``) so it cannot be guessed or altered; it works once (``used_at``)
and for ``FEEDBACK_DAYS`` days. The coordinator who referred may record the same answers in person
on the referral's page. Either way the answers are one ``ReferralFeedback`` row, written with an
event and an audit entry in one transaction.

The family also hears when a referral is sent (a service will contact them) and when an
appointment is scheduled (``family_notify``). No notice carries personal data: no name, no need,
no service; a link, and for the family's own page a link that needs sign-in.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.audit import audit_write
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.selectors import OpenedHousehold, rows_visible
from ecwhub.core.languages import Language
from ecwhub.core.models import Channel
from ecwhub.core.outbox import notify
from ecwhub.families.models import Person

from . import hooks, services
from .models import FeedbackAnswer, FeedbackMethod, Handoff, Referral, ReferralFeedback, ReferralFeedbackLink
from .services import ReferralError
from .workflow import Side, Status

FEEDBACK_DAYS = 30
FEEDBACK_EVENT = "feedback"
EVENT_LABELS = {FEEDBACK_EVENT: gettext_lazy("The family's feedback recorded")}
_SALT = "ecwhub.referrals.feedback"
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
CAREGIVER_RELATIONSHIPS = (Person.Relationship.CAREGIVER, Person.Relationship.LEGAL_GUARDIAN)

SUBJECT_FEEDBACK = gettext_lazy("ECW Hub: tell us how it went")
SUBJECT_SENT = gettext_lazy("ECW Hub: a service will contact your family")
SUBJECT_APPOINTMENT = gettext_lazy("ECW Hub: an appointment for your family")


class FeedbackLinkError(Exception):
    """A feedback link that cannot be answered: ``state`` is ``invalid`` (altered or unknown),
    ``expired`` or ``used``. Nothing was written."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


# --- Whom to tell, and in which language --------------------------------------------------------


def hub_language(*codes: str) -> str:
    """The first of ``codes`` the hub speaks, else English: a caregiver's language, then the
    household's. A family that speaks neither hears in English (and in person, through the
    coordinator and an interpreter)."""
    spoken = dict(settings.LANGUAGES)
    for code in codes:
        if code in spoken:
            return code
    return "en"


def phone_e164(value: str) -> str | None:
    """A stored US phone (``626-555-0142``) or an international one (``+52 55 1234 5678``) in E.164
    form, or None when it is not a number a text can be sent to."""
    value = value.strip()
    digits = re.sub(r"[^0-9]", "", value)
    if value.startswith("+"):
        candidate = "+" + digits
    elif len(digits) == 10:
        candidate = "+1" + digits
    elif len(digits) == 11 and digits.startswith("1"):
        candidate = "+" + digits
    else:
        return None
    return candidate if _E164.match(candidate) else None


@dataclass(frozen=True)
class Recipient:
    person_id: uuid.UUID
    language: str
    email: str  # the caregiver's sign-in e-mail, when they have one
    phone: str  # E.164, when texts are fine
    signs_in: bool


def family_recipients(referral: Referral) -> list[Recipient]:
    """The caregivers the hub may write to about the referral, each with a channel and language.

    The hub itself reads the caregivers' contact to write to them (no person opens the family):
    the read is audited as the hub's."""
    caregivers = list(
        Person.objects.filter(household_id=referral.household_id)
        .filter(relationship__in=CAREGIVER_RELATIONSHIPS)
        .select_related("account", "household")
        .order_by("relationship", "created_at", "id")
    )
    found = []
    for person in caregivers:
        account = person.account
        email = account.email if account is not None and account.is_active and account.email else ""
        phone = (phone_e164(person.phone) or "") if person.text_ok and person.phone else ""
        if email or phone:
            language = hub_language(person.preferred_language, person.household.preferred_language)
            found.append(Recipient(person.pk, language, email, phone, bool(email)))
    if caregivers:
        audit_write(
            user=None,
            membership=None,
            household_id=referral.household_id,
            categories=[DataCategory.IDENTITY_CONTACT],
            purpose=Purpose.CARE_COORDINATION,
            action=AuditEntry.Action.READ,
            detail=f"referral {referral.pk} family contact for a notice",
        )
    return found


def _site(path: str) -> str:
    return str(getattr(settings, "SITE_URL", "")).rstrip("/") + path


def _send(
    recipients: list[Recipient], key: str, subject: Any, text: str, email_text: str, context: dict[str, Any]
) -> int:
    """One e-mail and one text per caregiver (never two to the same address or phone), each in the
    caregiver's language. Returns how many notices were queued."""
    seen: set[str] = set()
    queued = 0
    for recipient in recipients:
        with translation.override(recipient.language):
            values = {**context, "signs_in": recipient.signs_in}
            if recipient.email and recipient.email.lower() not in seen:
                seen.add(recipient.email.lower())
                notify(
                    channel=Channel.EMAIL,
                    recipient=recipient.email,
                    subject=str(subject),
                    body=render_to_string(email_text, values).strip() + "\n",
                    language=recipient.language,
                    key=f"{key}:email:person:{recipient.person_id}",
                )
                queued += 1
            if recipient.phone and recipient.phone not in seen:
                seen.add(recipient.phone)
                notify(
                    channel=Channel.SMS,
                    recipient=recipient.phone,
                    body=render_to_string(text, values).strip(),
                    language=recipient.language,
                    key=f"{key}:sms:person:{recipient.person_id}",
                )
                queued += 1
    return queued


def family_notify(referral: Referral, event: str) -> int:
    """Tell the family that a referral was sent (``sent``: a service will contact them) or that an
    appointment was scheduled (``appointment``): no detail, a link to their referrals behind
    sign-in for those who sign in. Call it inside the change's transaction."""
    if event == "sent":
        template, subject, key = "referrals/sms/family_sent.txt", SUBJECT_SENT, "sent"
    elif event == "appointment":
        template, subject = "referrals/sms/family_appointment.txt", SUBJECT_APPOINTMENT
        # Each new date is news: one notice per version of the referral.
        key = f"appointment:v{referral.version}"
    else:
        raise ValueError(f"unknown family notice: {event}")
    context = {"link": _site(reverse("referrals:family")), "family_calls": referral.handoff == Handoff.FAMILY_CALLS}
    return _send(
        family_recipients(referral), f"referral:{referral.pk}:family:{key}", subject, template, template, context
    )


# --- The link ------------------------------------------------------------------------------------


def feedback_token(link: ReferralFeedbackLink) -> str:
    return signing.Signer(salt=_SALT).sign(link.pk.hex)


def feedback_url(link: ReferralFeedbackLink) -> str:
    return _site(reverse("referrals:feedback", args=[feedback_token(link)]))


def feedback_request(referral: Referral) -> ReferralFeedbackLink:
    """The completed referral's feedback link, made once, and sent to the family by e-mail and
    text message in their language. Call it inside the transaction that completed the referral:
    a rollback sends nothing. Safe to call twice (one link, one notice per caregiver)."""
    now = timezone.now()
    recipients = family_recipients(referral)
    language = recipients[0].language if recipients else hub_language(referral.household.preferred_language)
    link, _created = ReferralFeedbackLink.objects.get_or_create(
        referral=referral,
        defaults={"language": language, "created_at": now, "expires_at": now + timedelta(days=FEEDBACK_DAYS)},
    )
    context = {"link": feedback_url(link), "days": FEEDBACK_DAYS}
    _send(
        recipients,
        f"referral:{referral.pk}:family:feedback",
        SUBJECT_FEEDBACK,
        "referrals/sms/feedback.txt",
        "referrals/email/feedback.txt",
        context,
    )
    return link


def feedback_link_get(token: str) -> ReferralFeedbackLink:
    """The link a token names, whatever its state; ``FeedbackLinkError("invalid")`` for a token
    that was altered or names no link."""
    try:
        value = signing.Signer(salt=_SALT).unsign(token)
        link_id = uuid.UUID(hex=value)
    except (signing.BadSignature, ValueError):
        raise FeedbackLinkError("invalid") from None
    link = ReferralFeedbackLink.objects.select_related("referral__service").filter(pk=link_id).first()
    if link is None:
        raise FeedbackLinkError("invalid")
    return link


def link_state(link: ReferralFeedbackLink) -> str:
    """``open``, ``used`` (answered, by the link or in person) or ``expired`` (past its days, or the
    referral is no longer completed: entered in error)."""
    if link.used_at is not None:
        return "used"
    if timezone.now() >= link.expires_at or link.referral.status != Status.COMPLETED:
        return "expired"
    return "open"


# --- Recording the answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackAnswers:
    got_what_needed: str
    respectful: bool
    language_ok: bool
    comment: str = ""
    language: str = ""


def _check(answers: FeedbackAnswers) -> None:
    if answers.got_what_needed not in FeedbackAnswer.values:
        raise ReferralError("got_what_needed", _("Choose an answer."))
    if len(answers.comment) > ReferralFeedback.COMMENT_MAX:
        raise ReferralError("comment", _("At most %(max)d characters.") % {"max": ReferralFeedback.COMMENT_MAX})
    if answers.language and answers.language not in Language.values:
        raise ReferralError("language", _("Choose a language."))


def _store(
    referral: Referral,
    answers: FeedbackAnswers,
    method: str,
    language: str,
    user: User | None,
    membership: Membership | None,
    side: str,
) -> ReferralFeedback:
    now = timezone.now()
    try:
        with transaction.atomic():
            feedback = ReferralFeedback.objects.create(
                referral=referral,
                got_what_needed=answers.got_what_needed,
                respectful=answers.respectful,
                language_ok=answers.language_ok,
                comment=answers.comment.strip(),
                answered_at=now,
                method=method,
                language=language,
                recorded_by=user,
            )
    except IntegrityError:
        # Answered a moment ago by the other way (the link and the coordinator at once).
        raise FeedbackLinkError("used") from None
    ReferralFeedbackLink.objects.filter(referral=referral, used_at__isnull=True).update(used_at=now)
    services.event_record(referral, user, membership, side, FEEDBACK_EVENT, referral.status, referral.status)
    services.audit_referral(referral, user, membership, f"feedback {method}", Purpose.CARE_COORDINATION)
    return feedback


def feedback_answer_by_link(*, token: str, answers: FeedbackAnswers) -> ReferralFeedback:
    """The family's answers, given with their link: stored once, the link used up, with an event
    (side family) and an audit entry, in one transaction. Raises ``FeedbackLinkError`` (invalid,
    expired, used) or ``ReferralError`` naming the field; nothing is written then."""
    _check(answers)
    with transaction.atomic():
        found = feedback_link_get(token)
        # The referral first, then its link: the order the coordinator's in-person answer locks
        # them in, so the two at once wait for each other instead of deadlocking.
        referral = Referral.objects.select_for_update().get(pk=found.referral_id)
        link = ReferralFeedbackLink.objects.select_for_update().get(pk=found.pk)
        link.referral = referral
        state = link_state(link)
        if state != "open":
            raise FeedbackLinkError(state)
        return _store(referral, answers, FeedbackMethod.LINK, link.language, None, None, Side.FAMILY)


def feedback_record_in_person(
    *,
    acting_user: User,
    membership: Membership | None,
    referral_id: uuid.UUID | str,
    answers: FeedbackAnswers,
) -> ReferralFeedback:
    """The family's answers, asked in person by the referring organization's coordinator, on a
    completed referral with no answer yet; the family's link stops working. ``NotFound`` for a
    referral the user may not see; ``ReferralError`` otherwise; nothing is written then."""
    _check(answers)
    with transaction.atomic():
        referral = services.referral_for_action(referral_id=referral_id, user=acting_user, membership=membership)
        if Side.REFERRER not in services.sides_of(referral, acting_user, membership):
            raise ReferralError("__all__", _("Only the referring organization records the family's answers."))
        if referral.status != Status.COMPLETED:
            raise ReferralError("__all__", _("The family is asked once the referral is completed."))
        if ReferralFeedback.objects.filter(referral=referral).exists():
            raise ReferralError("__all__", _("The family has already answered."))
        try:
            return _store(
                referral,
                answers,
                FeedbackMethod.IN_PERSON,
                answers.language,
                acting_user,
                membership,
                Side.REFERRER,
            )
        except FeedbackLinkError:
            raise ReferralError("__all__", _("The family has already answered.")) from None


# --- Reads for the pages -------------------------------------------------------------------------


def feedback_visible(opened: OpenedHousehold, referrals: list[Referral]) -> dict[uuid.UUID, ReferralFeedback]:
    """The answers to ``referrals`` the reader may see (the family's referrals category)."""
    rows = rows_visible(opened, ReferralFeedback.objects.filter(referral__in=referrals))
    return {row.referral_id: row for row in rows}


def open_links(opened: OpenedHousehold, referrals: list[Referral]) -> dict[uuid.UUID, str]:
    """The feedback links still open among ``referrals``, by referral: where the family answers."""
    rows = rows_visible(opened, ReferralFeedbackLink.objects.filter(referral__in=referrals, used_at__isnull=True))
    now = timezone.now()
    return {
        row.referral_id: reverse("referrals:feedback", args=[feedback_token(row)])
        for row in rows.filter(expires_at__gt=now, referral__status=Status.COMPLETED)
    }


# --- Forms ---------------------------------------------------------------------------------------

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class FeedbackForm(forms.Form):
    got_what_needed = forms.ChoiceField(
        label=gettext_lazy("Did your family get what it needed?"),
        choices=FeedbackAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose an answer.")},
    )
    respectful = forms.TypedChoiceField(
        label=gettext_lazy("Were you treated with respect?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose an answer.")},
    )
    language_ok = forms.TypedChoiceField(
        label=gettext_lazy("Could you use your language?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose an answer.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything else you want to tell us (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=ReferralFeedback.COMMENT_MAX,
        required=False,
    )

    def answers(self, language: str = "") -> FeedbackAnswers:
        data = self.cleaned_data
        return FeedbackAnswers(
            got_what_needed=data["got_what_needed"],
            respectful=data["respectful"],
            language_ok=data["language_ok"],
            comment=data["comment"],
            language=language,
        )


class InPersonFeedbackForm(FeedbackForm):
    language = forms.ChoiceField(label=gettext_lazy("Language the family answered in"), choices=Language.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "feedback")
        super().__init__(*args, **kwargs)
        # The coordinator asks on the family's behalf: the questions name the family.
        self.fields["got_what_needed"].label = gettext_lazy("Did the family get what it needed?")
        self.fields["respectful"].label = gettext_lazy("Was the family treated with respect?")
        self.fields["language_ok"].label = gettext_lazy("Could the family use their language?")
        self.fields["comment"].label = gettext_lazy("The family's comment (optional)")


# --- Views ---------------------------------------------------------------------------------------


def _page_language(request: HttpRequest, link: ReferralFeedbackLink) -> str:
    """The language the family was asked in, unless they chose another with the switcher."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else link.language


def _closed(request: HttpRequest, state: str, status: int) -> HttpResponse:
    response = render(request, "referrals/feedback_closed.html", {"state": state}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def feedback_page(request: HttpRequest, token: str) -> HttpResponse:
    """The family's questions, by their link: no sign-in, nothing about the family on the page."""
    try:
        link = feedback_link_get(token)
    except FeedbackLinkError:
        return _closed(request, "invalid", 404)
    with translation.override(_page_language(request, link)):
        state = link_state(link)
        if state == "used":
            thanks = request.method == "GET" and request.GET.get("thanks") == "1"
            return _closed(request, "thanks" if thanks else "used", 200 if request.method == "GET" else 409)
        if state == "expired":
            return _closed(request, "expired", 410)
        form = FeedbackForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                feedback_answer_by_link(token=token, answers=form.answers())
            except FeedbackLinkError as error:
                return _closed(request, error.state, 410 if error.state == "expired" else 409)
            except ReferralError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                return redirect(reverse("referrals:feedback", args=[token]) + "?thanks=1")
        response = render(
            request,
            "referrals/feedback.html",
            {"form": form, "service_name": link.referral.service.name, "expires_at": link.expires_at},
            status=400 if request.method == "POST" else 200,
        )
        response["X-Robots-Tag"] = "noindex"
        return response


def detail_context(view: Any) -> dict[str, Any]:
    """For the referral's page: to the referring side, the family's answers, or the form to record
    them in person once the referral is completed."""
    referral = view.referral
    if view.opened is None or Side.REFERRER not in view.sides or referral.status != Status.COMPLETED:
        return {}
    feedback = feedback_visible(view.opened, [referral]).get(referral.pk)
    if feedback is not None:
        return {"feedback": feedback}
    link = ReferralFeedbackLink.objects.filter(referral=referral).values("language").first()
    initial = {"language": link["language"] if link else referral.household.preferred_language}
    return {"feedback_form": InPersonFeedbackForm(initial=initial)}


def _on_referral(referral: Referral, event: str) -> None:
    """The family hears that a service will contact them and of a new appointment; after a
    completed referral it is asked how it went."""
    if event == hooks.COMPLETED:
        feedback_request(referral)
    elif event in (hooks.SENT, hooks.APPOINTMENT):
        family_notify(referral, event)


def register() -> None:
    hooks.listen(_on_referral)
