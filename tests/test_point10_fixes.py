"""The broken or untranslated details of issue 14, point 10: each test failed before
its fix."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from allauth.account.models import EmailAddress
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation

import cercle
from cercle.accounts.models import User
from cercle.activities.forms import PollForm
from cercle.communities.models import Audience, Community, Role, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Topic
from tests.communities import (
    PASSWORD,
    client_for,
    community,
    html,
    internal_domain,
    make_person,
)
from tests.smtp import SmtpServer, deliver_queued_email, text_body

pytestmark = pytest.mark.django_db


# --- "Add to my calendar" in an internal community -------------------------------------------


def test_a_member_of_an_internal_community_gets_their_calendar_addresses() -> None:
    """The page asked whether an anonymous visitor may see the community, and an
    internal community is hidden from them: the member got a 404."""
    internal_domain()
    insider = make_person("dana@inside.example", "Dana Inside")
    inside = community(insider, slug="inside", audience=Audience.INTERNAL)
    page = html(client_for(insider), reverse("events:calendar", kwargs={"slug": inside.slug}))
    assert "/c/inside/events/feed/" in page
    # An internal community has no public feed to offer, and anonymous readers still
    # find nothing there.
    assert 'id="public-url"' not in page
    assert Client().get(reverse("events:feed", kwargs={"slug": inside.slug})).status_code == 404


def test_a_member_of_a_public_community_gets_both_addresses(cargo: Community, alice: User) -> None:
    page = html(client_for(alice), reverse("events:calendar", kwargs={"slug": cargo.slug}))
    assert 'id="public-url"' in page
    assert 'id="personal-url"' in page


# --- Lazy strings formatted at import time --------------------------------------------------


def test_the_poll_forms_help_is_translated_when_the_page_is_french() -> None:

    with translation.override("fr"):
        help_text = str(PollForm.base_fields["choices"].help_text)
    assert "par ligne" in help_text, help_text
    assert "20" in help_text
    with translation.override("en"):
        assert str(PollForm.base_fields["choices"].help_text) == (
            "One choice per line, from 2 to 20."
        )


def _formatted_at_import(tree: ast.Module) -> list[int]:
    """Lines where a translated string is formatted outside any function."""
    translators = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
    }

    def translated(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in translators
        )

    lines: list[int] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            formatted = (isinstance(child, ast.BinOp) and translated(child.left)) or (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "format"
                and translated(child.func.value)
            )
            if formatted:
                lines.append(getattr(child, "lineno", 0))
            visit(child)

    visit(tree)
    return lines


def test_no_translated_string_is_formatted_at_import_time() -> None:
    """`_("...") % values` at module or class level freezes the language of the moment
    the module was imported (English): search every module for it."""
    root = Path(cercle.__file__).parent
    found = [
        f"{path.relative_to(root)}:{line}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for line in _formatted_at_import(ast.parse(path.read_text()))
    ]
    assert found == []


# --- Signed in right after confirming one's address ---------------------------------------


def _sign_up(client: Client, email: str) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Léa Dubois",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _confirmation_path(smtp_server: SmtpServer, email: str) -> str:
    deliver_queued_email()
    [mail] = smtp_server.wait_for(email)
    match = re.search(r"https?://\S+(/accounts/confirm-email/\S+)", text_body(mail))
    assert match, text_body(mail)
    return match.group(1)


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_is_signed_in_after_confirming_their_address(smtp_server: SmtpServer) -> None:
    browser = Client()
    _sign_up(browser, "lea@example.org")
    confirm_path = _confirmation_path(smtp_server, "lea@example.org")
    assert browser.get(confirm_path).status_code == 200
    response = browser.post(confirm_path, follow=True)
    assert response.redirect_chain[-1][0] != reverse("account_login")
    assert response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.user.email == "lea@example.org"
    assert 'id="id_password"' not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_confirming_in_another_browser_confirms_and_asks_to_log_in(
    smtp_server: SmtpServer,
) -> None:
    """The link opened elsewhere (a phone's mail app) must not sign anybody in: whoever
    holds a link is not the account's owner. It confirms, and says so on the log-in form."""
    _sign_up(Client(), "lea@example.org")
    confirm_path = _confirmation_path(smtp_server, "lea@example.org")
    elsewhere = Client()
    response = elsewhere.post(confirm_path, follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    page = response.content.decode()
    assert "You have confirmed" in page
    assert EmailAddress.objects.get(email="lea@example.org").verified


# --- allauth's pages in Cercle's words --------------------------------------------------------

ALLAUTH_WORDS = {
    "en": ["Sign In", "Sign Up", "Sign in", "sign in", "Remember Me", "Signup", "Sign Out"],
    "fr": ["Connexion", "Création de compte", "Se souvenir de moi", "enregistrer", "Déconnexion"],
}
CERCLE_WORDS = {
    "en": {"login": ["Log in", "Keep me logged in", "Sign up"], "signup": ["Sign up", "Log in"]},
    "fr": {
        "login": ["Se connecter", "Garder ma session ouverte", "Inscrivez-vous"],
        "signup": ["S\u2019inscrire", "Connectez-vous"],
    },
}


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("page", ["login", "signup"])
def test_the_log_in_and_sign_up_pages_use_cercles_words(language: str, page: str) -> None:
    client = Client(headers={"accept-language": language})
    body = html(client, reverse(f"account_{page}"))
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    for word in ALLAUTH_WORDS[language]:
        assert word not in _main(body), word
        assert word not in title, word
    for word in CERCLE_WORDS[language][page]:
        assert word in _main(body), word


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_log_out_page_and_messages_use_cercles_words(alice: User, language: str) -> None:
    client = Client(headers={"accept-language": language})
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": PASSWORD}, follow=True
    )
    assert response.wsgi_request.user.is_authenticated
    page = response.content.decode()
    assert {"en": "Logged in as Alice", "fr": "Session ouverte : Alice"}[language] in page
    for word in ALLAUTH_WORDS[language] + ["signed in", "Connexion avec"]:
        assert word not in page, word
    body = html(client, reverse("account_logout"))
    for word in ALLAUTH_WORDS[language]:
        assert word not in _main(body), word
    assert {"en": "Log out", "fr": "Se déconnecter"}[language] in _main(body)


# --- Dates in the reader's language ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "7 Dec 2026", "7 December 2026, 17:30"),
        ("fr", "07/12/2026", "7 décembre 2026 17:30"),
    ],
)
def test_dates_cannot_be_misread_in_either_language(language: str, short: str, long: str) -> None:
    """English showed 12/07/2026 (month first) to the members of a Paris community."""

    moment = datetime(2026, 12, 7, 17, 30, tzinfo=ZoneInfo("Europe/Paris"))
    template = engines["django"].from_string(
        '{{ moment|date:"SHORT_DATE_FORMAT" }}|{{ moment|date:"DATETIME_FORMAT" }}'
    )
    with translation.override(language):
        assert template.render({"moment": moment}) == f"{short}|{long}"


def test_the_topic_list_dates_a_topic_day_first_in_english(general: Space, alice: User) -> None:

    topic = conversation_actions.do_start_topic(
        alice, general, kind="discussion", title="Tyres", body="Which ones?"
    )
    Topic.objects.filter(pk=topic.pk).update(
        created_at=datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    )
    page = html(client_for(alice), general.get_absolute_url())
    assert "7 Dec 2026" in page
    assert "12/07/2026" not in page


# --- Roles that fit the person in French --------------------------------------------------------


def test_roles_read_as_functions_in_french_whoever_holds_them(
    coordinator: User, cargo: Community
) -> None:
    """ "Coordinateur" was shown for Camille: French roles are now the function
    ("Coordination", "Modération", "Membre"), which fits everyone."""

    with translation.override("fr"):
        assert [str(label) for label in Role.labels] == ["Coordination", "Modération", "Membre"]
    client = client_for(coordinator)
    client.cookies["django_language"] = "fr"
    page = html(client, reverse("my_communities"))
    assert "Coordination" in page
    assert "Coordinateur" not in page


def test_no_french_sentence_calls_a_team_by_a_masculine_plural_role() -> None:
    """Sentences about those who hold a role speak of the team ("l'équipe de
    coordination"), not of "les coordinateurs"."""

    catalogue = polib.pofile(str(Path(cercle.__file__).parent / "locale/fr/LC_MESSAGES/django.po"))
    gendered = re.compile(r"\b(coordinateur|modérateur|animateur)s?\b", re.IGNORECASE)
    assert [entry.msgstr for entry in catalogue if gendered.search(entry.msgstr)] == []
