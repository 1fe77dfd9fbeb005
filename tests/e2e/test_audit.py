"""The security log in Chromium: a failed and a good sign-in are written, a staff member
finds them, filters them with the plain form, and the page passes axe-core on a
desktop and on a phone, in English and in French."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityEvent, SecurityKind
from tests.communities import staff_person
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

PHONE = {"width": 390, "height": 844}
# `CERCLE_SCREENSHOTS=dir` keeps the pages' pictures there (docs/screenshots.md).
SHOTS = os.environ.get("CERCLE_SCREENSHOTS", "")


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def some_history(operator: User) -> None:
    alice = User.objects.get(email="alice@example.org")
    bob = make_person("bob@example.org", "Bob Leroy")
    record_security_event(
        SecurityKind.ROLE_CHANGED,
        actor=operator,
        subject=bob,
        community="Pratiques agiles",
        role="coordinator",
        previous_role="member",
    )
    record_security_event(SecurityKind.PASSWORD_CHANGED, actor=alice, subject=alice)
    record_security_event(SecurityKind.SIGN_IN_FAILED, subject_label="ghost@example.org")
    SecurityEvent.objects.filter(ip_address__isnull=True).update(
        ip_address="192.0.2.44",
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Safari",
    )


def same_session(source: Page, target: Page, base: str) -> None:
    """Open `target` signed in as `source` is (another screen size or language)."""
    target.context.add_cookies(
        [
            {"name": cookie["name"], "value": cookie["value"], "url": base}
            for cookie in source.context.cookies()
        ]
    )


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_staff_find_a_failed_sign_in_in_the_security_log_and_filter_it(
    page: Page, live_server: Any, browser: Browser, browser_errors: BrowserErrors
) -> None:
    base = live_server.url
    make_person("alice@example.org", "Alice Martin")
    operator = staff_person("op@example.org", "Olivia Operator")
    # Alice mistypes her password, then signs in.
    log_in_page = f"{base}/accounts/login/"
    page.goto(log_in_page)
    page.locator("#id_login").fill("alice@example.org")
    page.locator("#id_password").fill("not-her-password")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".user-menu .menu__toggle")).to_have_count(0)
    page.context.clear_cookies()
    log_in(page, base, "alice@example.org")
    page.context.clear_cookies()
    some_history(operator)

    log_in(page, base, "op@example.org")
    page.locator(".user-menu .menu__toggle").click()
    page.get_by_role("link", name="Security log").click()
    expect(page.locator("h1")).to_have_text("Security log")
    rows = page.locator("table.security-log tbody tr")
    expect(rows).to_have_count(6)  # the failure, two sign-ins, three written above
    expect(rows.first).to_contain_text("Signed in")
    expect(rows.first).to_contain_text("Olivia Operator")
    expect(page.locator("table.security-log")).to_contain_text("Sign-in failed")
    expect(page.locator("table.security-log")).to_contain_text("Community: Pratiques agiles")
    assert_accessible(page)
    shoot(page, "security-log-en-1280")

    page.get_by_label("What").select_option("sign_in_failed")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("ghost@example.org")
    expect(rows.nth(1)).to_contain_text("Alice Martin")
    expect(rows.nth(1)).to_contain_text("127.0.0.1")
    assert "kind=sign_in_failed" in page.url
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export these rows (CSV)").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert exported.count("sign_in_failed") == 2
    assert "Alice Martin" in exported

    phone = new_page(browser, browser_errors, viewport=PHONE)
    same_session(page, phone, base)
    phone.goto(f"{base}/staff/security/")
    expect(phone.locator("table.security-log tbody tr").first).to_be_visible()
    no_sideways_scroll(phone)
    assert_accessible(phone)
    shoot(phone, "security-log-en-390")
    phone.context.close()

    for width, viewport in (("1280", {"width": 1280, "height": 900}), ("390", PHONE)):
        french = new_page(browser, browser_errors, viewport=viewport, locale="fr-FR")
        same_session(page, french, base)
        french.goto(f"{base}/staff/security/")
        expect(french.locator("h1")).to_have_text("Journal de sécurité")
        expect(french.locator("table.security-log")).to_contain_text("Échec de connexion")
        no_sideways_scroll(french)
        assert_accessible(french)
        shoot(french, f"security-log-fr-{width}")
        french.context.close()
