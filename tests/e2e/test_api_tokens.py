"""The account's API tokens page in Chromium: a coordinator makes a token limited to
their community, sees its secret once, uses it over real HTTP, then revokes it; the
page and the API reference, accessible, on a desktop and a phone, in English and
French."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Browser, Page, expect

from cercle.communities.models import Community
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

# Screenshots only when asked (CERCLE_API_SHOTS=folder): a full-page shot of the long
# reference page takes seconds on a busy machine, and looking at them is a person's job.
SHOTS_FOLDER = os.environ.get("CERCLE_API_SHOTS", "")
SHOTS = Path(SHOTS_FOLDER or "var/screenshots-api")


def shoot(page: Page, name: str) -> None:
    if SHOTS_FOLDER:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_a_token_is_made_seen_once_used_and_revoked(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, cargo: Community
) -> None:
    page = new_page(browser, browser_errors)
    log_in(page, live_server.url, "claire@example.org")
    page.goto(f"{live_server.url}/accounts/preferences/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page)
    page.locator("#id_name").fill("Weekly report")
    page.get_by_label("Read, write and coordinate").check()
    page.get_by_label(cargo.name).check()
    page.locator("#id_days").select_option("30")
    page.get_by_role("button", name="Make the token").click()
    secret = page.locator("#api-secret").inner_text()
    assert secret.startswith("cercle_pat_")
    assert_accessible(page)
    shoot(page, "tokens-made-en-1280")

    me = requests.get(
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=30
    )
    assert me.status_code == 200
    assert me.json()["scopes"] == ["admin", "read", "write"]

    page.reload()  # the secret is never shown again
    expect(page.locator("#api-secret")).to_have_count(0)
    expect(page.locator("ul.api-tokens")).to_contain_text("Weekly report")
    expect(page.locator("ul.api-tokens")).to_contain_text(cargo.name)
    expect(page.locator("ul.api-tokens")).to_contain_text(secret[-4:])
    page.get_by_role("button", name="Revoke the token Weekly report").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("no longer works")
    expect(page.locator("ul.api-tokens")).to_contain_text("Revoked")
    refused = requests.get(
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=30
    )
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"

    page.get_by_role("link", name="the API reference").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API reference")
    expect(page.locator("#cercle_api_routes_me_me")).to_contain_text("GET /api/v1/me")
    assert_accessible(page)
    page.context.close()

    for locale, language in (("en-GB", "en"), ("fr-FR", "fr")):
        for viewport, size in ((DESKTOP, 1280), (PHONE, 390)):
            shot = new_page(browser, browser_errors, locale=locale, viewport=viewport)
            log_in(shot, live_server.url, "claire@example.org")
            for name, path in (("tokens", "/accounts/tokens/"), ("reference", "/api/reference/")):
                shot.goto(f"{live_server.url}{path}")
                if language == "fr":
                    assert shot.locator("html").get_attribute("lang") == "fr"
                    assert_accessible(shot)
                shoot(shot, f"{name}-{language}-{size}")
                width = shot.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], (name, language, size, width)
            shot.context.close()
    assert browser_errors.messages == []
