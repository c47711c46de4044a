"""What a coordinator does when a screen raises an alert: static, translatable protocol texts.

The texts name public resources only (988, 911, the National Domestic Violence Hotline); they
never contain anything about the family, so they may be shown wherever the alert is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Protocol:
    key: str
    title: Promise
    steps: tuple[Promise, ...]


PROTOCOLS: dict[str, Protocol] = {
    "crisis-988": Protocol(
        key="crisis-988",
        title=_("Thoughts of self-harm: follow the suicide risk protocol today"),
        steps=(
            _("Contact the caregiver today. If they are in immediate danger, call 911."),
            _(
                "Ask directly about thoughts of self-harm, a plan and access to means; "
                "stay with them or keep them on the phone."
            ),
            _("Connect them with the 988 Suicide & Crisis Lifeline (call or text 988; Spanish: press 2)."),
            _("Tell the caregiver's clinician or your supervisor the same day and record what was done."),
        ),
    ),
    "safety-planning": Protocol(
        key="safety-planning",
        title=_("Interpersonal safety: offer safety planning in private"),
        steps=(
            _("Speak with the caregiver alone, never in front of the partner or family members."),
            _("If anyone is in immediate danger, call 911."),
            _(
                "Offer safety planning and the National Domestic Violence Hotline "
                "(1-800-799-7233, text START to 88788)."
            ),
            _("Offer a warm referral to a domestic violence advocate and record only what the family agrees to."),
        ),
    ),
}

PROTOCOL_FOR_KIND = {"self-harm": "crisis-988", "interpersonal-safety": "safety-planning"}
