"""The chat bridges page in Chromium: a coordinator connects a Slack channel (a receiver
on this machine), sees it listed, sends it a test message; the list and the form pass
axe-core on a desktop and a phone, in English and French, with no horizontal scroll."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from cercle.accounts.models import User
from cercle.bridges.models import Bridge
from cercle.communities.models import Community
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.test_onboarding import logged_in
from tests.test_bridges import Receiver, block_kit_problems

SHOTS = Path(os.environ.get("CERCLE_BRIDGES_SHOTS", "var/screenshots-bridges"))
SIZES = (({"width": 1280, "height": 900}, 1280), ({"width": 390, "height": 844}, 390))


def test_a_coordinator_connects_a_chat_and_sees_it_listed(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    settings: Any,
    cargo: Community,
    coordinator: User,
) -> None:
    settings.CERCLE_BRIDGES_ALLOW_LOOPBACK = True
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"{live_server.url}/c/{cargo.slug}/bridges/"
    with Receiver() as receiver:
        for locale, language in (("en-GB", "en"), ("fr-FR", "fr")):
            for viewport, size in SIZES:
                page = new_page(browser, browser_errors, locale=locale, viewport=viewport)
                logged_in(page, live_server.url, coordinator)
                page.goto(base)
                if not Bridge.objects.exists():
                    assert_accessible(page)
                    page.screenshot(
                        path=str(SHOTS / f"empty-{language}-{size}.png"), full_page=True
                    )
                page.goto(base + "new/")
                assert_accessible(page)
                if size == 390:
                    page.screenshot(path=str(SHOTS / f"form-{language}-{size}.png"), full_page=True)
                name = f"#questions {language} {size}"
                page.locator("#id_name").fill(name)
                page.locator("input[name=kind][value=slack]").check()
                page.locator("#id_webhook_url").fill(receiver.url)
                page.locator("form.form button[type=submit]").click()
                card = page.locator(".bridge", has_text=name)
                expect(card).to_be_visible()
                expect(card).to_contain_text(f"127.0.0.1:{receiver.server.server_address[1]}")
                sent = len(receiver.received)
                card.locator("form button[type=submit]").click()
                expect(page.locator(".messages")).to_contain_text(name)
                assert len(receiver.received) == sent + 1
                page.locator(".bridge", has_text=name).locator("details summary").click()
                assert_accessible(page)
                page.screenshot(path=str(SHOTS / f"list-{language}-{size}.png"), full_page=True)
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                if size == 390:
                    page.locator(".bridge", has_text=name).get_by_role("link").click()
                    expect(page.locator("#id_name")).to_have_value(name)
                    assert receiver.url not in page.content()  # the address is a secret
                    assert_accessible(page)
                    page.screenshot(path=str(SHOTS / f"edit-{language}-{size}.png"), full_page=True)
                page.context.close()
    assert Bridge.objects.count() == 4
    assert all(block_kit_problems(payload) == [] for payload in receiver.received)
    assert browser_errors.messages == []
