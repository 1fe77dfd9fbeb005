"""axe-core finds no violation on any page of the shell, in English and French,
on a desktop and on a phone; keyboard users reach the content first."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

VISITOR_PAGES = [
    "/",
    "/language/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-valid-key/",
    "/a-page-that-does-not-exist/",
]
MEMBER_PAGES = [
    "/",
    "/accounts/preferences/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/delete/",
    "/accounts/logout/",
]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def member(db: None) -> User:
    return make_person("camille@example.org", "Camille Martin")


def visit_all(page: Page, base: str, paths: list[str]) -> None:
    for path in paths:
        page.goto(base + path)
        expect(page.locator("main#main")).to_be_visible()
        assert_accessible(page)
        # Nothing sticks out sideways: no horizontal scrolling on a phone either.
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_shell_pages_have_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    member: User,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    visit_all(page, live_server.url, VISITOR_PAGES)
    log_in(page, live_server.url, member.email)
    visit_all(page, live_server.url, MEMBER_PAGES)
    page.context.close()
    assert browser_errors.messages == []


def test_a_form_with_errors_stays_accessible(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Your name").fill("Léa")
    page.get_by_label("Email").fill("lea@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("different")
    page.locator("form.form button[type=submit]").click()
    invalid = page.locator("[aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    described = invalid.first.get_attribute("aria-describedby") or ""
    assert "_errors" in described
    assert_accessible(page)


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(
    page: Page, live_server: Any
) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_the_user_menu_works_from_the_keyboard(page: Page, live_server: Any, member: User) -> None:
    log_in(page, live_server.url, member.email)
    toggle = page.locator(".user-menu .menu__toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Preferences", exact=True).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".user-menu details")).not_to_have_attribute("open", "")
    assert page.evaluate("() => document.activeElement.classList.contains('menu__toggle')")


def test_pages_work_without_javascript(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, member: User
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False)
    log_in(page, live_server.url, member.email)
    page.locator("#footer-language-select").select_option("fr")
    page.locator(".site-footer .language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(live_server.url + "/accounts/preferences/")
    page.locator("#id_display_name").fill("Camille M.")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    member.refresh_from_db()
    assert member.display_name == "Camille M."
    page.context.close()
