"""Each role walks the seeded demo network as a new user would: on a phone in Spanish and on a
desktop in English, from the home page through the links it offers, two steps deep.

Every page must answer without an error, fit the screen's width, and (in Spanish) show no
English string the hub has a translation for, nor English sentences the catalog lacks. The axe
check of tests/browser/conftest.py runs on every page visited.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from ecwhub.accounts.models import User
from ecwhub.care.models import Contact
from ecwhub.careplans.models import Barrier, Goal, GoalProgress, TeamNote
from ecwhub.consent.models import Agreement
from ecwhub.demo.generator import demo_sign_ins
from ecwhub.directory.models import Service
from ecwhub.families.models import Person, SensitiveNote
from ecwhub.pathways.models import Pathway, PathwayDefinition, PathwayStep, PathwayStepDefinition
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES" / "django.po"
PAGES_PER_ROLE = 9
# Links a walk does not follow: leaving, downloads, the admin site, the API, other languages.
SKIP = ("/sign-out", "/accounts/sign-out", "/logout", ".json", "/api/", "/admin/", "/static/", "/i18n/")
# English words that have no place in a Spanish sentence of the interface.
ENGLISH = re.compile(r"\b(the|your|you|with|this|that|from|which|when|there|their|have|has|been|only)\b")


def _translated_msgids() -> list[str]:
    """English strings of the interface that have a Spanish translation (long enough to be a
    sentence or a label, not a name)."""
    text = CATALOG.read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', text, re.MULTILINE)
    return [
        msgid
        for msgid, msgstr in pairs
        if msgid != msgstr and len(msgid) >= 14 and " " in msgid and "%" not in msgid and "{" not in msgid
    ]


def _english_left(text: str, msgids: list[str], data: list[str]) -> list[str]:
    for name in data:  # names of people, organizations and services are the data, in any language
        text = text.replace(name, " ")
    found = [msgid for msgid in msgids if msgid in text]
    found += [line.strip() for line in text.splitlines() if len(ENGLISH.findall(line)) >= 2][:5]
    return found


def _written() -> list[str]:
    texts: list[str] = []
    for model, fields in (
        (Goal, ("text",)),
        (GoalProgress, ("note",)),
        (TeamNote, ("text",)),
        (Barrier, ("text",)),
        (Contact, ("note",)),
        (PathwayDefinition, ("name", "description", "outcome")),
        (PathwayStepDefinition, ("title",)),
        (Pathway, ("name", "outcome")),
        (PathwayStep, ("title",)),
    ):
        for row in model.objects.all():  # decrypted in Python: encrypted text cannot be queried
            texts += [str(getattr(row, field)) for field in fields if getattr(row, field)]
    return texts


def _sign_in(page, live_server, email: str, password: str, language: str) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(email=email)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    sign_in(page, live_server, user, password=password)


def _links(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all("header a[href], main a[href], nav a[href]", "els => els.map(e => e.href)")
    seen = []
    for href in hrefs:
        url = href.split("#")[0]
        if url.startswith(origin) and not any(part in url for part in SKIP) and url not in seen:
            seen.append(url)
    return seen


@pytest.mark.parametrize(
    ("viewport", "language"),
    [({"width": 390, "height": 844}, "es"), ({"width": 1280, "height": 800}, "en")],
    ids=["phone-es", "desktop-en"],
)
def test_every_role_walks_its_pages(live_server, browser, viewport, language) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--families", "20", "--seed", "2026", stdout=StringIO())
    msgids = _translated_msgids() if language == "es" else []
    data = sorted(
        {*Service.objects.values_list("name", flat=True), *Service.objects.values_list("description", flat=True)}
        | {o for o in User.objects.values_list("memberships__organization__name", flat=True) if o}
        | {a.title for a in Agreement.objects.all()}
        | {line for note in SensitiveNote.objects.all() for line in note.text.splitlines() if line}
        | {f"{g} {f}" for g, f in Person.objects.values_list("given_name", "family_name")}
        # What people wrote, in the language they wrote it (goals in the family's words, notes),
        # and what the hub administrator wrote (pathway definitions): data, like the services.
        | {line for text in _written() for line in text.splitlines() if line},
        key=len,
        reverse=True,
    )
    problems: list[str] = []
    for demo in demo_sign_ins():
        context = browser.new_context(viewport=viewport, locale="es-US" if language == "es" else "en-US")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        _sign_in(page, live_server, demo.email, demo.password, language)
        queue, visited = [page.url], []
        while queue and len(visited) < PAGES_PER_ROLE:
            url = queue.pop(0)
            if url in visited:
                continue
            response = page.goto(url)
            visited.append(url)
            where = f"{demo.role} {urlsplit(url).path}"
            if response is None or response.status >= 500:
                problems.append(f"{where}: status {response.status if response else 'none'}")
                continue
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                problems.append(f"{where}: {width} px wide on a {viewport['width']} px screen")
            if language == "es":
                for english in _english_left(page.inner_text("body"), msgids, data):
                    problems.append(f"{where}: English on the Spanish page: {english[:90]!r}")
            queue += [link for link in _links(page, live_server.url) if link not in visited and link not in queue]
        try:
            context.close()  # the axe check of every page visited
        except AssertionError as axe:
            problems.append(f"{demo.role}: {axe}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
