"""The broken or untranslated details of issue 14, point 10: each test failed before
its fix."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cercle.accounts.models import User
from cercle.communities.models import Audience, Community
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
    from cercle.activities.forms import PollForm

    with translation.override("fr"):
        help_text = str(PollForm.base_fields["choices"].help_text)
    assert "par ligne" in help_text, help_text
    assert "20" in help_text
    with translation.override("en"):
        assert str(PollForm.base_fields["choices"].help_text) == (
            "One choice per line, from 2 to 20."
        )


def test_no_translated_string_is_formatted_at_import_time() -> None:
    """`_("...") % values` at module or class level freezes the language of the moment
    the module was imported (English): search every module for it."""
    import ast
    from pathlib import Path

    import cercle

    root = Path(cercle.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
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

        def visit(node: ast.AST, where: Path) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                    continue
                formatted = (
                    isinstance(child, ast.BinOp) and translated(child.left)
                ) or (
                    isinstance(child, ast.Call)
                    and isinstance(child.func, ast.Attribute)
                    and child.func.attr == "format"
                    and translated(child.func.value)
                )
                if formatted:
                    found.append(f"{where.relative_to(root)}:{child.lineno}")
                visit(child, where)

        visit(tree, path)
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
