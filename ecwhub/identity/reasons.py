"""Why two records look like the same person, in the reader's language.

Comparators (:mod:`.compare`) return reason codes with arguments (the two spellings compared);
:func:`describe` turns one into a lazy translated string, rendered when it is shown, so a reason
computed in one request reads in the language of whoever sees it.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

# Marked with gettext_noop so ``makemessages`` collects them; translated by :func:`describe` when shown.
TEXTS: dict[str, str] = {
    "given_same": _("same given name"),
    "given_part": _("one given name in common: %(a)s / %(b)s"),
    "given_nickname": _("given name and its nickname: %(a)s / %(b)s"),
    "given_sounds": _("given name sounds alike: %(a)s / %(b)s"),
    "given_similar": _("given name spelled almost the same: %(a)s / %(b)s"),
    "names_swapped": _("given and family names entered the other way round"),
    "surname_same": _("same family name"),
    "surname_order": _("same family names in another order: %(a)s / %(b)s"),
    "surname_part": _("one family name in common: %(a)s / %(b)s"),
    "surname_romanised": _("same family name in another romanisation: %(a)s / %(b)s"),
    "surname_sounds": _("surname sounds alike: %(a)s / %(b)s"),
    "surname_similar": _("family name spelled almost the same: %(a)s / %(b)s"),
    "dob_same": _("same date of birth"),
    "dob_swapped": _("day and month swapped"),
    "dob_typo": _("date of birth one digit apart"),
    "dob_year": _("same birthday, year of birth one or ten years apart"),
    "dob_month": _("same month and year of birth"),
    "phone_same": _("same phone number"),
    "phone_last7": _("same phone number with another area code"),
    "phone_typo": _("phone number one digit apart"),
    "email_same": _("same e-mail address"),
    "email_same_typo": _("e-mail address almost the same"),
    "ident_same": _("same identification number"),
    "ident_same_typo": _("identification number almost the same"),
    "address_same": _("same address"),
    "address_similar": _("similar address"),
    "postcode_same": _("same ZIP code"),
    "household_many": _("%(count)s other household members match"),
    "household_one": _("another household member matches"),
}


def _render(code: str, args: tuple[str, ...]) -> str:
    template = TEXTS.get(code)
    if template is None:
        return code
    text = gettext(template)
    if code == "household_many":
        return text % {"count": args[0] if args else ""}
    if "%(a)s" in text:
        a, b = (*args, "", "")[:2]
        return text % {"a": a, "b": b}
    return text


describe = lazy(_render, str)
"""``describe(code, args)``: a lazy string, translated and filled in when rendered."""


def has_text(code: str) -> bool:
    return code in TEXTS
