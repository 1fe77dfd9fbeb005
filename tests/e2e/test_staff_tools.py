"""The staff tools page in Chromium: reached from the account menu, every tool one click
away, accessible on a desktop and on a phone, in English and in French."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.communities import staff_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in
from tests.e2e.test_audit import PHONE, no_sideways_scroll, same_session, shoot


def test_staff_reach_every_tool_from_one_page(
    page: Page, live_server: Any, browser: Browser, browser_errors: BrowserErrors
) -> None:
    base = live_server.url
    staff_person("op@example.org", "Olivia Operator")
    log_in(page, base, "op@example.org")
    page.locator(".user-menu .menu__toggle").click()
    page.get_by_role("link", name="Staff tools").click()
    expect(page.locator("h1")).to_have_text("Staff tools")
    expect(page.locator(".staff-tool")).to_have_count(10)
    expect(page.get_by_role("link", name="Received mail")).to_be_visible()
    assert_accessible(page)
    shoot(page, "staff-tools-en-1280")
    page.get_by_role("link", name="Provisioning (SCIM)").click()
    expect(page).to_have_url(f"{base}/staff/scim/")

    for width, viewport in (("1280", {"width": 1280, "height": 900}), ("390", PHONE)):
        french = new_page(browser, browser_errors, viewport=viewport, locale="fr-FR")
        same_session(page, french, base)
        french.goto(f"{base}/staff/")
        expect(french.locator("h1")).to_have_text("Outils de l\u2019équipe")
        no_sideways_scroll(french)
        assert_accessible(french)
        shoot(french, f"staff-tools-fr-{width}")
        french.context.close()
