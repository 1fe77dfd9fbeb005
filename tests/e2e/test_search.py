from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from cercle.conversations import actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize(
    "viewport", [None, {"width": 375, "height": 740}], ids=["desktop", "phone"]
)
def test_the_search_page_finds_from_the_header_and_has_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    actions.do_start_topic(
        claire,
        cargo.spaces.get(),
        kind="question",
        title="Longtail or front-loader for steep streets?",
        body="Our streets climb 8%.",
    )
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    page.goto(live_server.url + "/")
    page.locator("#header-search").fill("longtail")
    page.locator("#header-search").press("Enter")
    hit = page.locator(".search-hit")
    expect(hit).to_have_count(1)
    expect(hit.get_by_role("link")).to_have_text("Longtail or front-loader for steep streets?")
    assert_accessible(page)
    page.goto(live_server.url + "/search/?q=nothing-matches-this")
    assert_accessible(page)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.context.close()
    assert browser_errors.messages == []
