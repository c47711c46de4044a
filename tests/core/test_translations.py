"""The Spanish catalog is complete, consistent with the code, and used by the pages.

Many families in the network read Spanish first: a string left out of the catalog shows up
in English in the middle of a Spanish page. These tests fail when a translation is missing,
marked fuzzy, breaks a placeholder, is absent from the compiled ``.mo``, or when the code
holds a string the catalog does not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

PROJECT_ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = PROJECT_ROOT / "locale"
PO_PATH = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# The --ignore flags used to produce the committed catalog.
MAKEMESSAGES_IGNORES = [".venv", "var", "tests", "bench"]

# %(name)s, %s, %d, %% ... (Python %-formatting) and {name} / {} (str.format).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXorac%]")
BRACE_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")


def _catalog() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _placeholders(text: str) -> list[str]:
    return sorted(PERCENT_PLACEHOLDER.findall(text) + BRACE_PLACEHOLDER.findall(text))


def _translations(entry: polib.POEntry | polib.MOEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _plural_count(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, "The catalog header has no Plural-Forms."
    return int(match.group(1))


def test_every_entry_is_translated_and_final() -> None:
    po = _catalog()
    assert not po.metadata_is_fuzzy, "The header is still marked fuzzy."
    assert po.metadata.get("Language") == "es"
    nplurals = _plural_count(po)
    entries = [e for e in po if not e.obsolete]
    assert len(entries) > 100, "The catalog is unexpectedly small; was it regenerated empty?"

    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    obsolete = [e.msgid for e in po.obsolete_entries()]
    untranslated = []
    for entry in entries:
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            if not all(form.strip() for form in forms):
                untranslated.append(entry.msgid)
        elif not entry.msgstr.strip():
            untranslated.append(entry.msgid)

    assert not fuzzy, f"Fuzzy entries (check the translation, then remove the flag): {fuzzy}"
    assert not obsolete, f"Obsolete entries (#~) left in the catalog: {obsolete}"
    assert not untranslated, f"Untranslated entries: {untranslated}"


def test_translations_keep_placeholders_and_line_breaks() -> None:
    problems = []
    for entry in _catalog():
        if entry.obsolete:
            continue
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        expected = _placeholders(sources[-1])
        for text in _translations(entry):
            if not text:
                continue
            if _placeholders(text) != expected:
                problems.append(f"{entry.msgid!r}: {_placeholders(text)} instead of {expected}")
            for edge, check in (("leading", str.startswith), ("trailing", str.endswith)):
                if check(entry.msgid, "\n") != check(text, "\n"):
                    problems.append(f"{entry.msgid!r}: {edge} newline differs")
    assert not problems, "Placeholder problems:\n" + "\n".join(problems)


def test_placeholder_check_catches_mistakes() -> None:
    assert _placeholders("Hola, %(name)s") == ["%(name)s"]
    assert _placeholders("Hola, %(nombre)s") != _placeholders("Hello, %(name)s")
    assert _placeholders("%s de %d") == ["%d", "%s"]
    assert _placeholders("{count} familias") == ["{count}"]
    assert _placeholders("100%% gratis") == ["%%"]
    assert _placeholders("Sin marcadores") == []


def test_compiled_catalog_matches_the_po_file() -> None:
    assert MO_PATH.exists(), f"{MO_PATH} is missing; compile it from the .po."
    po = _catalog()
    mo = polib.mofile(str(MO_PATH))

    def as_map(catalog: polib.POFile | polib.MOFile) -> dict[tuple[str | None, str], list[str]]:
        return {
            _key(e): _translations(e)
            for e in catalog
            if not getattr(e, "obsolete", False) and e.msgid and "fuzzy" not in e.flags
        }

    po_map, mo_map = as_map(po), as_map(mo)
    missing = sorted(m for _, m in po_map.keys() - mo_map.keys())
    extra = sorted(m for _, m in mo_map.keys() - po_map.keys())
    stale = sorted(m for k, m in po_map.keys() & mo_map.keys() if po_map[(k, m)] != mo_map[(k, m)])
    assert not missing, f"In the .po but not in the compiled .mo (recompile it): {missing}"
    assert not extra, f"In the compiled .mo but not in the .po (recompile it): {extra}"
    assert not stale, f"The .mo holds an older translation of (recompile it): {stale}"


def test_catalog_covers_every_string_in_the_code(tmp_path: Path) -> None:
    """Extract the strings with makemessages in a mirror of the project and compare.

    The mirror links every top-level item of the project except ``locale`` into ``tmp_path``
    and uses settings whose ``LOCALE_PATHS`` is empty, so makemessages writes only to the
    mirror's own ``locale`` folder. The committed catalog is checked untouched afterwards.
    """
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        reason = "GNU gettext (xgettext, msgmerge) is not installed; cannot extract the strings of the code."
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)

    mirror = tmp_path / "project"
    mirror.mkdir()
    for item in PROJECT_ROOT.iterdir():
        if item.name != "locale":
            (mirror / item.name).symlink_to(item)
    (mirror / "locale").mkdir()
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir()
    (settings_dir / "extraction_settings.py").write_text(
        "from ecwhub.settings import *  # noqa: F403\n\nLOCALE_PATHS = []\n", encoding="utf-8"
    )

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extraction_settings",
        "PYTHONPATH": os.pathsep.join([str(settings_dir), str(PROJECT_ROOT)]),
    }
    env.setdefault("SECRET_KEY", "translation-extraction")
    command = [sys.executable, "-m", "django", "makemessages", "-l", "es", "--symlinks", "--no-location"]
    command += ["--no-obsolete", "--no-wrap"] + [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]

    committed = PO_PATH.read_bytes()
    try:
        result = subprocess.run(command, cwd=mirror, env=env, capture_output=True, text=True, timeout=300, check=False)
    finally:
        if PO_PATH.read_bytes() != committed:
            PO_PATH.write_bytes(committed)
            pytest.fail("makemessages changed the committed catalog; it has been restored.")
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    extracted_path = mirror / "locale" / "es" / "LC_MESSAGES" / "django.po"
    assert extracted_path.exists(), f"makemessages wrote no catalog:\n{result.stdout}\n{result.stderr}"
    extracted = {_key(e) for e in polib.pofile(str(extracted_path)) if not e.obsolete}
    committed_keys = {_key(e) for e in _catalog() if not e.obsolete}

    missing = sorted(m for _, m in extracted - committed_keys)
    unused = sorted(m for _, m in committed_keys - extracted)
    assert len(extracted) > 100, "Extraction found almost nothing; the mirror of the project is wrong."
    assert not missing, (
        "Strings in the code that the Spanish catalog lacks. Run "
        "`manage.py makemessages -l es --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-location`, "
        f"translate them and recompile the .mo: {missing}"
    )
    assert not unused, f"Catalog entries no longer in the code (rerun makemessages): {unused}"


@pytest.mark.django_db
def test_sign_in_page_is_in_spanish_when_chosen() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get("/accounts/sign-in/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Iniciar sesión" in html
    assert "Correo electrónico" in html
    assert "Sign in" not in html
    assert response.headers["Content-Language"] == "es"


@pytest.mark.django_db
def test_sign_in_page_stays_in_english_by_default() -> None:
    response = Client().get("/accounts/sign-in/")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "Iniciar sesión" not in html


def test_translation_functions_keep_names_makemessages_reads() -> None:
    """makemessages finds strings marked with gettext, gettext_lazy… or ``_``: a string marked
    through another alias (``gettext_lazy as _lazy``) never reaches the catalog and stays English."""
    import re
    from pathlib import Path

    from django.conf import settings

    alias = re.compile(r"from django\.utils\.translation import .*\bas (?!_\b)(\w+)")
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(1)}"
        for path in (Path(settings.BASE_DIR) / "ecwhub").rglob("*.py")
        for match in alias.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"translation functions imported under names makemessages does not read: {found}"
