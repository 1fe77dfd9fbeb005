"""Provisioning in Chromium: a signed-in page is signed out at its next navigation
once the directory deactivates the person; the staff page of tokens, accessible, on a
desktop and a phone, in English and French."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx2
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.scim import actions
from tests.communities import PASSWORD, staff_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

SHOTS = Path(os.environ.get("CERCLE_SCIM_SHOTS", "var/screenshots-scim"))
PHONE = {"width": 390, "height": 844}


def test_a_signed_in_page_is_signed_out_after_deactivation(page: Page, live_server: Any) -> None:
    operator = staff_person()
    _token, secret = actions.create_token(operator, name="Entra")
    directory = httpx2.Client(
        base_url=f"{live_server.url}/scim/v2",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/scim+json"},
        timeout=60,
    )
    created = directory.post(
        "/Users",
        content=json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "camille@corp.example",
                "displayName": "Camille Martin",
                "emails": [{"value": "camille@corp.example", "primary": True}],
            }
        ),
    )
    assert created.status_code == 201
    person = User.objects.get(email="camille@corp.example")
    person.set_password(PASSWORD)
    person.save()
    log_in(page, live_server.url, "camille@corp.example")
    page.goto(f"{live_server.url}/accounts/email/")
    expect(page.locator(".user-menu .menu__toggle")).to_be_visible()

    patched = directory.patch(
        f"/Users/{person.pk}",
        content=json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            }
        ),
    )
    assert patched.status_code == 200
    page.goto(f"{live_server.url}/accounts/email/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/accounts/email/")
    expect(page.locator(".user-menu .menu__toggle")).to_have_count(0)
    # Signing in again is refused: the account is inactive.
    page.locator("#id_login").fill("camille@corp.example")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".user-menu .menu__toggle")).to_have_count(0)


def test_the_staff_page_makes_and_revokes_a_token(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any
) -> None:
    staff_person()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for locale, language in (("en-GB", "en"), ("fr-FR", "fr")):
        for viewport, size in (({"width": 1280, "height": 900}, 1280), (PHONE, 390)):
            page = new_page(browser, browser_errors, locale=locale, viewport=viewport)
            log_in(page, live_server.url, "op@example.org")
            page.goto(f"{live_server.url}/staff/scim/")
            expect(page.locator("code.scim-code").first).to_have_text(f"{live_server.url}/scim/v2/")
            page.locator("#id_name").fill(f"Entra {language} {size}")
            page.locator("form.form button[type=submit]").click()
            secret = page.locator("#scim-secret")
            expect(secret).to_contain_text("cercle_scim_")
            assert_accessible(page)
            page.screenshot(path=str(SHOTS / f"scim-{language}-{size}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            page.context.close()
    assert browser_errors.messages == []
