"""Data rights in Chromium: a member asks for their data, downloads the zip and reads
its index.html, then reads what deleting their account would do; axe-core on every
page, desktop and phone, English and French. Screenshots go to var/screenshots/privacy/."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations import actions as talk
from cercle.privacy.models import DataExport
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "privacy"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 800}}


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    settings.CERCLE_EXPORTS_ROOT = tmp_path / "exports"


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_a_member_exports_their_data_and_reads_what_deleting_would_do(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    cargo: Community,
    tmp_path: Path,
) -> None:
    base = live_server.url
    alice = User.objects.get(email="alice@example.org")
    general = cargo.spaces.get(is_default=True)
    talk.do_start_topic(
        alice, general, kind="question", title="Which spoke key?", body="Mine slips."
    )
    bobs = talk.do_start_topic(
        User.objects.get(email="bob@example.org"),
        general,
        kind="discussion",
        title="Repair café in May",
        body="Who comes?",
    )
    talk.do_reply(alice, bobs, body="I will bring tools.")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ["en", "fr"]:
        User.objects.filter(pk=alice.pk).update(language=language)
        DataExport.objects.all().delete()
        for size, viewport in SIZES.items():
            page = new_page(browser, browser_errors, viewport=viewport)
            log_in(page, base, "alice@example.org")
            # Pending: what the page says while the worker prepares it.
            pending = DataExport.objects.create(person=alice, requested_by=alice)
            page.goto(f"{base}/accounts/data/")
            expect(page.locator("#export-pending")).to_be_visible()
            assert_accessible(page)
            no_sideways_scroll(page)
            page.screenshot(path=str(SHOTS / f"data-pending-{language}-{size}.png"), full_page=True)
            pending.delete()
            # Ready: asked through the page, prepared at once (immediate tasks).
            page.goto(f"{base}/accounts/data/")
            page.locator("form.form button[type=submit]").click()
            download_link = page.locator(".data-export--ready a").first
            expect(download_link).to_be_visible()
            assert_accessible(page)
            no_sideways_scroll(page)
            page.screenshot(path=str(SHOTS / f"data-ready-{language}-{size}.png"), full_page=True)
            with page.expect_download() as download_info:
                download_link.click()
            saved = tmp_path / f"export-{language}-{size}.zip"
            download_info.value.save_as(saved)
            archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
            assert "I will bring tools." in archive.read("data.json").decode()
            index = tmp_path / f"index-{language}-{size}.html"
            index.write_bytes(archive.read("index.html"))
            page.goto(index.as_uri())
            expect(page.locator("h1")).to_contain_text("Alice Martin")
            assert_accessible(page)
            no_sideways_scroll(page)
            page.screenshot(path=str(SHOTS / f"index-{language}-{size}.png"), full_page=True)
            # What deleting would do, kind by kind.
            page.goto(f"{base}/accounts/delete/")
            expect(page.locator(".erasure-table")).to_be_visible()
            expect(page.locator(".erasure-table tbody tr").first).to_contain_text(
                "2 posts" if language == "en" else "2 messages"
            )
            assert_accessible(page)
            no_sideways_scroll(page)
            page.screenshot(path=str(SHOTS / f"delete-{language}-{size}.png"), full_page=True)
            page.context.close()
            DataExport.objects.all().delete()
    assert browser_errors.messages == [], browser_errors.messages
