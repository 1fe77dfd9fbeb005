from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from cercle.accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.smtp import SmtpServer, text_body


def test_sign_up_verify_log_in_switch_to_french_and_log_out(
    page: Page, live_server: Any, smtp_server: SmtpServer
) -> None:
    base = live_server.url
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".user-menu").get_by_role("link", name="Sign up").click()

    page.get_by_label("Your name").fill("Léa Dubois")
    page.get_by_label("Email").fill("lea@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert_accessible(page)

    [mail] = smtp_server.wait_for("lea@example.org")
    body = text_body(mail)
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert match, body
    page.goto(match.group(0))
    page.get_by_role("button", name="Confirm").click()
    # Confirmed in the browser she signed up in: she is signed in at once (issue 14).
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Léa")
    assert EmailAddress.objects.get(email="lea@example.org").verified

    page.locator("#footer-language-select").select_option("fr")
    page.locator(".site-footer .language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, Léa")
    assert User.objects.get(email="lea@example.org").language == "fr"
    assert_accessible(page)

    page.locator(".user-menu .menu__toggle").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator(".user-menu").get_by_role("link", name="Se connecter")).to_be_visible()
    # The choice of French outlives the session: the page stays French after logging out.
    expect(page.locator("html")).to_have_attribute("lang", "fr")
