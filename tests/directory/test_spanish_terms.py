"""One Spanish word for a referral in the whole catalog: a family reading "referidos" on one line
and "referencias" on the next would think they are two things."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings

PO_PATH = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
OTHER_WORDS = re.compile(r"referencia|remisi[oó]n|derivaci[oó]n", re.IGNORECASE)


def test_every_referral_is_a_referido_in_spanish() -> None:
    # "Open Referral" is the name of the standard (HSDS), not a referral.
    entries = [
        e
        for e in polib.pofile(str(PO_PATH))
        if re.search(r"\breferrals?\b", e.msgid.replace("Open Referral", ""), re.IGNORECASE)
    ]
    assert len(entries) > 10
    for entry in entries:
        # A plural entry has its forms in msgstr_plural (msgstr is empty).
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            assert not OTHER_WORDS.search(text), (entry.msgid, text)
            assert re.search(r"referid[oa]s?", text, re.IGNORECASE), (entry.msgid, text)
