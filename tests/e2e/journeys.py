"""Steps that several browser journeys share."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".user-menu .menu__toggle")).to_be_visible()


def log_out(page: Page) -> None:
    page.locator(".user-menu .menu__toggle").click()
    page.locator(".user-menu form[action$='/logout/'] button[type=submit]").click()
