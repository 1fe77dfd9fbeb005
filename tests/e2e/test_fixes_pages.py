"""The pages changed for issue 14's points 7, 10 and 11 in Chromium: axe-core finds
nothing on the empty places, the refused new collection and allauth's pages, on a
desktop and a phone, in English and French; a refused form keeps what was typed and
leads to the field at fault, without JavaScript too."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.knowledge.models import Collection
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

PHONE = {"width": 390, "height": 844}
EMPTY_PLACES = [
    "/c/cargo/library/",
    "/c/cargo/events/",
    "/c/cargo/ideas/",
    "/c/cargo/activities/?show=all",
    "/c/cargo/s/general/wiki/",
]
VISITOR_PAGES = ["/accounts/login/", "/accounts/signup/"]


@pytest.fixture
def claire(db: None) -> User:
    """The coordinator of an empty community, who may take every first action."""
    person = make_person("claire@example.org", "Claire Coord")
    cargo: Community = community(person, slug="cargo", name="Cargo Riders")
    assert cargo.spaces.filter(slug="general").exists()
    return person


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_empty_places_refused_forms_and_account_pages_are_accessible(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    claire: User,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    for path in VISITOR_PAGES:
        page.goto(base + path)
        assert_accessible(page)
    log_in(page, base, claire.email)
    for path in EMPTY_PLACES:
        page.goto(base + path)
        expect(page.locator(".empty-state")).to_be_visible()
        assert_accessible(page)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    # The refused new collection: the form as typed, the field at fault marked.
    page.goto(base + "/c/cargo/library/")
    page.locator("#id_title").fill("Repair guides")
    page.locator("#id_description").fill("Step by step")
    page.locator("#id_space").select_option("")
    page.locator("#new-collection button[type=submit]").click()
    expect(page.locator("#id_space")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_title")).to_have_value("Repair guides")
    assert_accessible(page)
    page.goto(base + "/accounts/logout/")
    assert_accessible(page)
    page.context.close()
    assert browser_errors.messages == []
    assert not Collection.objects.exists()


def test_the_first_collection_is_created_from_the_empty_library_without_javascript(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, claire: User
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False)
    base = live_server.url
    log_in(page, base, claire.email)
    page.goto(base + "/c/cargo/library/")
    page.get_by_role("link", name="Create the first collection").click()
    # The only space is chosen already; the title is forgotten, then given.
    expect(page.locator("#id_space option:checked")).to_have_text("General")
    page.locator("#id_description").fill("Step by step")
    page.get_by_role("button", name="Create the collection").click()
    summary = page.locator(".form-errors")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="Title").click()
    expect(page.locator("#id_description")).to_have_value("Step by step")
    page.locator("#id_title").fill("Repair guides")
    page.get_by_role("button", name="Create the collection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Repair guides")
    page.context.close()
    assert Collection.objects.get().description == "Step by step"


def test_the_form_summary_leads_to_the_field(page: Page, live_server: Any, claire: User) -> None:
    base = live_server.url
    log_in(page, base, claire.email)
    page.goto(base + "/c/cargo/library/")
    page.get_by_role("button", name="Create the collection").click()
    page.locator(".form-errors").get_by_role("link", name="Title").click()
    expect(page.locator("#id_title")).to_be_focused()
