"""The composer in Chromium: the toolbar, the server's preview, the draft that comes
back after leaving the page, files dropped into the text, quoting a selection, and
axe-core on the pages that hold a composer, in two languages and two screen sizes."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.conversations import actions
from cercle.conversations.models import Attachment, Draft, Kind, Topic
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(db: None) -> dict[str, User]:
    return {
        "claire": make_person("claire@example.org", "Claire Coord"),
        "alice": make_person("alice@example.org", "Alice Martin"),
        "bob": make_person("bob@example.org", "Bob Leroy"),
    }


@pytest.fixture
def general(people: dict[str, User]) -> Space:
    cargo = community(
        people["claire"],
        slug="cargo",
        name="Cargo Riders",
        members=(people["alice"], people["bob"]),
    )
    return cargo.spaces.get(slug="general")


@pytest.fixture
def topic(general: Space, people: dict[str, User]) -> Topic:
    return actions.do_start_topic(
        people["alice"],
        general,
        kind=Kind.QUESTION,
        title="Which cargo bike for three children?",
        body="We need one for the school run, with room for bags.",
    )


def logged_in(page: Page, base: str, person: User) -> None:
    client = Client()
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )


def test_write_format_preview_leave_and_find_the_draft_again(
    page: Page, live_server: Any, general: Space, people: dict[str, User]
) -> None:
    base = live_server.url
    logged_in(page, base, people["bob"])
    page.goto(f"{base}/c/cargo/s/general/")
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Title").fill("Hub gears or derailleur?")
    message = page.get_by_label("Message")
    message.fill("hub gears")
    # The toolbar's Bold wraps the selected words.
    message.evaluate("(area) => area.setSelectionRange(0, area.value.length)")
    page.get_by_role("button", name="Bold").click()
    expect(message).to_have_value("**hub gears**")
    message.press("End")
    message.press_sequentially(" for winter?")

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("[data-composer-preview]")
    expect(preview.locator("strong")).to_have_text("hub gears")
    expect(page).to_have_url(f"{base}/c/cargo/s/general/new/?kind=question")
    expect(page.locator("[data-composer-status]")).to_have_text("Draft saved", timeout=8000)

    page.get_by_role("link", name="Cargo Riders").first.click()
    page.go_back()
    page.reload()
    expect(page.get_by_label("Message")).to_have_value("**hub gears** for winter?")
    expect(page.get_by_label("Title")).to_have_value("Hub gears or derailleur?")
    expect(page.locator("[data-composer-status]")).to_contain_text("Your draft is back")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Hub gears or derailleur?")).to_be_visible()
    expect(page.locator(".post__body strong").first).to_have_text("hub gears")
    assert not Draft.objects.exists()


def test_the_reply_draft_and_preview_and_a_dropped_image(
    page: Page,
    live_server: Any,
    topic: Topic,
    people: dict[str, User],
    tmp_path: Any,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    logged_in(page, base, people["bob"])
    page.goto(f"{base}{topic.get_absolute_url()}")
    answer = page.get_by_role("textbox", name="Your reply")
    answer.fill("A *longtail* works.")
    expect(page.locator("[data-composer-status]")).to_have_text("Draft saved", timeout=8000)

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 93, 107)).save(buffer, format="PNG")
    png = base64.b64encode(buffer.getvalue()).decode()
    answer.evaluate(
        """(area, data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "bike.png", {type: "image/png"}));
            const options = {dataTransfer: transfer, bubbles: true, cancelable: true};
            area.dispatchEvent(new DragEvent("drop", options));
        }""",
        png,
    )
    expect(page.locator("[data-composer-status]")).to_have_text("bike.png is added to the message.")
    stored = Attachment.objects.get()
    written = f"A *longtail* works.\n![bike.png]({stored.get_absolute_url()})\n"
    expect(answer).to_have_value(written)

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("[data-composer-preview]")
    expect(preview.locator("em")).to_have_text("longtail")
    expect(preview.locator("img[alt='bike.png']")).to_be_visible()
    expect(page.locator("[data-composer-status]")).to_have_text("Draft saved", timeout=8000)

    page.reload()
    expect(page.get_by_role("textbox", name="Your reply")).to_have_value(written)
    page.get_by_role("button", name="Post my answer").click()
    expect(page.locator("#post-1 .post__body em")).to_have_text("longtail")
    expect(page.locator("#post-1 .post__body img[alt='bike.png']")).to_be_visible()
    assert not Draft.objects.exists()
    stored.refresh_from_db()
    assert stored.post is not None


def test_quoting_the_text_selected_in_a_post(
    page: Page, live_server: Any, topic: Topic, people: dict[str, User]
) -> None:
    base = live_server.url
    logged_in(page, base, people["bob"])
    page.goto(f"{base}{topic.get_absolute_url()}")
    body = page.locator("#post-0 .post__body p").first
    body.evaluate(
        """(paragraph) => {
            const text = paragraph.firstChild;
            const range = document.createRange();
            range.setStart(text, 0);
            range.setEnd(text, "We need one for the school run".length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    body.dispatch_event("mouseup")
    page.locator(".composer__quote").click()
    expect(page.get_by_role("textbox", name="Your reply")).to_have_value(
        "> **Alice Martin**:\n> We need one for the school run\n\n"
    )


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_pages_with_a_composer_have_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    topic: Topic,
    people: dict[str, User],
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    logged_in(page, base, people["bob"])
    for path in ("/c/cargo/s/general/new/", topic.get_absolute_url()):
        page.goto(base + path)
        page.locator("textarea[name=body]").fill("**Bold** words")
        page.locator("[data-composer-preview-button]").click()
        expect(page.locator("[data-composer-preview] strong")).to_have_text("Bold")
        page.locator(".composer__help summary").click()
        assert_accessible(page)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    page.context.close()
    assert browser_errors.messages == []


def test_the_preview_works_without_javascript(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    general: Space,
    people: dict[str, User],
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False)
    base = live_server.url
    logged_in(page, base, people["alice"])
    page.goto(f"{base}/c/cargo/s/general/new/")
    page.get_by_label("Title").fill("Lights")
    page.get_by_label("Message").fill("Dynamo **lights**")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-composer-preview] strong")).to_have_text("lights")
    expect(page.get_by_label("Message")).to_have_value("Dynamo **lights**")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Lights")).to_be_visible()
    page.context.close()
    assert browser_errors.messages == []
