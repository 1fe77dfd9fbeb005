"""The account page "Your feeds" in Chromium: making the secret addresses, reading a
members-only space through one, renewing them (the old one stops working); axe-clean
on a desktop and a phone, in English and French. Screenshots go to var/screenshots/feeds/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions as talk
from cercle.feeds.models import FeedKey
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page, settle
from tests.e2e.journeys import log_in

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "feeds"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 800}}


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_a_member_makes_reads_and_renews_their_secret_feed_addresses(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    cargo: Community,
    lab: Space,
    alice: User,
) -> None:
    base = live_server.url
    talk.do_start_topic(alice, lab, kind="discussion", title="Lab notes", body="Frames.")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ["en", "fr"]:
        User.objects.filter(pk=alice.pk).update(language=language)
        for size, viewport in SIZES.items():
            FeedKey.objects.filter(person=alice).delete()
            page = new_page(browser, browser_errors, viewport=viewport)
            log_in(page, base, alice.email)
            page.goto(f"{base}/accounts/feeds/")
            expect(page.locator(".side-nav a[aria-current=page]")).to_have_attribute(
                "href", "/accounts/feeds/"
            )
            assert_accessible(page)
            no_sideways_scroll(page)
            page.screenshot(path=str(SHOTS / f"make-{language}-{size}.png"), full_page=True)
            page.locator("main form button[type=submit]").click()
            address = page.locator("#atom-cargo")
            expect(address).to_be_visible()
            old = address.input_value()
            assert old.startswith(f"{base}/feeds/k/")
            # The secret address reads the private space Alice is listed in.
            answer = page.request.get(old)
            assert answer.status == 200
            assert "Lab notes" in answer.text()
            assert_accessible(page)
            no_sideways_scroll(page)
            page.screenshot(path=str(SHOTS / f"addresses-{language}-{size}.png"), full_page=True)
            page.locator("#renew-confirm").check()
            page.locator("#feeds-renew ~ form button[type=submit]").click()
            expect(page.locator(".message--success")).to_be_visible()
            new = page.locator("#atom-cargo").input_value()
            assert new != old
            assert page.request.get(old).status == 404
            assert page.request.get(new).status == 200
            assert_accessible(page)
            no_sideways_scroll(page)
            page.screenshot(path=str(SHOTS / f"renewed-{language}-{size}.png"), full_page=True)
            settle(page)
            page.context.close()
    assert browser_errors.messages == []
