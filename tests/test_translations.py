"""The French translation is complete, compiled, up to date with the code, and served.

`make messages` refreshes the catalogue after strings change; translate the new
entries in `cercle/locale/fr/LC_MESSAGES/django.po`, then commit both files.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

import cercle
from tests.cli import operator_env

PACKAGE_DIR = Path(cercle.__file__).resolve().parent
PO_RELATIVE = Path("locale", "fr", "LC_MESSAGES", "django.po")
PO_PATH = PACKAGE_DIR / PO_RELATIVE
MO_PATH = PO_PATH.with_suffix(".mo")
FRENCH = {"accept-language": "fr"}

# Python-format placeholders (`%(name)s`, `%s`, `%%`) and HTML tags.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif%]|<[^>]+>")

MessageKey = tuple[str | None, str]


def catalogue(path: Path = PO_PATH) -> polib.POFile:
    return polib.pofile(str(path))


def message_keys(po: polib.POFile) -> set[MessageKey]:
    """Each message once, as (context, msgid): what makemessages extracts from the code."""
    return {(entry.msgctxt or None, entry.msgid) for entry in po if not entry.obsolete}


def french_of(msgid: str) -> str:
    entry = catalogue().find(msgid)
    assert entry is not None, f"{msgid!r} is not in the French catalogue"
    assert entry.msgstr, f"{msgid!r} is not translated"
    assert entry.msgstr != msgid, f"{msgid!r} is 'translated' into English"
    return str(entry.msgstr)


def test_the_french_catalogue_has_the_right_header() -> None:
    po = catalogue()
    assert po.metadata["Language"] == "fr"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert not po.metadata_is_fuzzy


def test_every_message_is_translated_into_french() -> None:
    po = catalogue()
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], []), (
        f"In {PO_RELATIVE}, translate: {untranslated}\n"
        f"and check, then remove the fuzzy flag of: {fuzzy}"
    )


def test_translations_keep_the_placeholders_and_markup_of_the_english() -> None:
    """Each French plural form covers several counts (0 and 1, or 2 and more), so each
    keeps the placeholders of the English plural."""

    def marks(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    changed = [
        entry.msgid
        for entry in catalogue().translated_entries()
        for english, french in (
            [(entry.msgid_plural, form) for form in entry.msgstr_plural.values()]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        if marks(french) != marks(english)
    ]
    assert not changed, f"Placeholders or HTML differ from the English in: {changed}"


def test_the_french_catalogue_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """Extract the messages again from a copy of the package, never touching the tree."""
    source = tmp_path / "src"
    copy = source / "cercle"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / PO_RELATIVE).unlink()
    env = operator_env(tmp_path / "var", PYTHONPATH=str(source))
    env["DJANGO_SETTINGS_MODULE"] = "cercle.settings"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            env=env,
            cwd=copy,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    # makemessages writes into LOCALE_PATHS, inside whichever `cercle` it imports:
    # make sure that is the copy before letting it write anything.
    where = run("-c", "import cercle; print(cercle.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().parent == copy.resolve(), where.stdout

    result = run("-m", "cercle", "makemessages", "--locale", "fr", "--no-obsolete")
    assert result.returncode == 0, result.stdout + result.stderr
    extracted = message_keys(catalogue(copy / PO_RELATIVE))
    committed = message_keys(catalogue())
    assert extracted, "makemessages found no message at all"
    new = sorted(extracted - committed, key=str)
    gone = sorted(committed - extracted, key=str)
    assert (new, gone) == ([], []), (
        f"The French catalogue is out of date: run `make messages` and translate.\n"
        f"New in the code: {new}\nNo longer in the code: {gone}"
    )


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    po = catalogue()
    form_of = gettext.c2py(po.metadata["Plural-Forms"].split("plural=", 1)[1].rstrip(";"))
    with MO_PATH.open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    stale: list[str] = []
    for entry in po.translated_entries():
        context = entry.msgctxt or None
        label = f"{entry.msgid} ({context})" if context else entry.msgid
        if not entry.msgid_plural:
            got = (
                compiled.pgettext(context, entry.msgid)
                if context
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr:
                stale.append(label)
            continue
        for index, expected in entry.msgstr_plural.items():
            count = next(n for n in range(1000) if form_of(n) == int(index))
            got = (
                compiled.npgettext(context, entry.msgid, entry.msgid_plural, count)
                if context
                else compiled.ngettext(entry.msgid, entry.msgid_plural, count)
            )
            if got != expected:
                stale.append(f"{label} [{index}]")
    assert not stale, f"{MO_PATH.name} is stale, run `make messages` (or compilemessages): {stale}"


@pytest.mark.django_db
def test_the_home_page_is_in_french_for_a_french_browser(client: Client) -> None:
    english = "Cultivate your communities of practice"
    response = client.get("/", headers=FRENCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert escape(french_of(english)) in page
    assert english not in page
    assert escape(french_of("Create an account")) in page


@pytest.mark.django_db
def test_the_login_page_is_in_french_for_a_french_browser(client: Client) -> None:
    response = client.get("/accounts/login/", headers=FRENCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    # Cercle's own header, from Cercle's catalogue.
    assert escape(french_of("Log in")) in page
    # allauth's form, in Cercle's words (its templates are overridden), with the
    # field labels from the French catalogue allauth ships.
    with translation.override("fr"):
        password = translation.gettext("Password")
    assert password != "Password"
    assert escape(password) in page
    assert "Sign In" not in page
    assert "Connexion" not in page
