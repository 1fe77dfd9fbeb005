"""The email settings page in Chromium (docs/mail.md, "Outgoing mail"): the notice of
an address that bounced and its "send again" button, mailing-list mode in its own
fieldset, checked with axe-core in English and French, on a desktop and on a phone, and
used without JavaScript."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Browser, expect

from cercle.accounts.models import User
from cercle.mail import bounces
from cercle.mail.models import Bounce
from cercle.notifications.queries import in_mailing_list_mode
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.test_notifications import logged_in, no_sideways_scrolling

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("CERCLE_MAIL_SHOTS", "var/screenshots-mail"))


@pytest.fixture(autouse=True)
def mail_in() -> Iterator[None]:
    with override_settings(MAIL_IN_ADDRESS="cercle@lists.example.org"):
        yield


@pytest.fixture
def alice(db: None) -> User:
    """Alice, whose provider answered that her mailbox does not exist."""
    alice = make_person("alice@example.org", "Alice Martin")
    bounces.record_bounce(
        alice.pk,
        alice.email,
        permanent=True,
        status="5.1.1",
        diagnostic="550 5.1.1 <alice@example.org>: Recipient address rejected: User unknown",
    )
    return alice


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_settings_page_tells_why_mail_stopped_and_starts_it_again(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    alice: User,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    alice.language = locale[:2]
    alice.save()
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    logged_in(page, base, alice)
    french = locale.startswith("fr")

    page.goto(base + reverse("account_preferences"))
    page.locator("main").get_by_role(
        "link", name="Notifications par e-mail" if french else "Email notifications"
    ).click()
    notice = page.locator(".mail-stopped")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("alice@example.org")
    expect(notice).to_contain_text("5.1.1")
    expect(notice).to_contain_text("Recipient address rejected: User unknown")
    expect(page.locator("fieldset legend").last).to_have_text(
        "Mode liste de diffusion" if french else "Mailing-list mode"
    )
    assert_accessible(page)
    no_sideways_scrolling(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"settings-{locale[:2]}-{'phone' if viewport else 'desktop'}"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    page.get_by_role(
        "button",
        name="Ma boîte fonctionne de nouveau\u00a0: renvoyer"
        if french
        else "My mailbox works again: send again",
    ).click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(".mail-stopped")).to_have_count(0)
    assert not Bounce.objects.filter(person=alice).exists()
    assert_accessible(page)
    page.context.close()
    assert browser_errors.messages == [], browser_errors.messages


def test_mailing_list_mode_is_turned_on_without_javascript(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, alice: User
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False)
    base = live_server.url
    logged_in(page, base, alice)
    page.goto(base + reverse("notification_settings"))
    box = page.get_by_label("Mailing-list mode: every new post of the spaces and topics I follow")
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message--success")).to_contain_text("saved")
    expect(box).to_be_checked()
    assert in_mailing_list_mode(alice)
    page.context.close()
    assert browser_errors.messages == [], browser_errors.messages
